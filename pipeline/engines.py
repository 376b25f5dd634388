"""Engines: how documents reach the runner (in this process, in workers, on a cluster).

An engine takes the run's :class:`~pipeline.config.Config` and an iterable of
inputs (documents, or rejects from the readers) and yields one
:class:`~pipeline.runner.Outcome` per input. Each engine builds its own
:class:`~pipeline.runner.Pipeline` wherever it processes documents, so
plugins are loaded in every worker the same way.

Engines read their options from the ``[engine]`` config table (the ``run``
command's ``--workers``, ``--timeout`` and ``--scheduler`` set them):

``workers``
    number of worker processes (default: every core this process may use);
``timeout``
    seconds one document may take before its worker is killed and the
    document rejected at stage ``timeout`` (default 30; 0 disables it);
``chunk_size``
    most documents sent to a worker at once (default 32); a chunk also stops
    at 512 KiB of page, so big pages go a few at a time and short texts many
    (fewer round trips; the time limit still applies to each document);
``first_document_grace``
    seconds added to the limit of each worker's first document, which pays
    for the models that plugins load lazily (default 60);
``scheduler``
    address of a Dask scheduler (the ``dask`` engine only).

Built-in engines are ``local`` (the default of ``newsdigest run``) and
``serial``; plugins add more through the ``newsdigest_engines`` hook
(``dask`` is one, in ``plugins/dask_engine.py``).
"""

from __future__ import annotations

import collections
import copy
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait
from typing import Any, Protocol

from pipeline.config import Config
from pipeline.document import Document, Reject
from pipeline.runner import Outcome, Pipeline
from pipeline.stats import Stats

#: Seconds one document may take by default.
DEFAULT_TIMEOUT = 30.0
#: Extra seconds for a worker's first document: plugins load models lazily
#: (a language detector takes seconds), and that is no fault of the page.
FIRST_DOCUMENT_GRACE = 60.0
#: Most documents per message to a worker.
DEFAULT_CHUNK_SIZE = 32
#: A chunk stops growing past this many bytes of page: about half a second
#: of work, so the last chunks of a run do not leave a worker idle for long.
MAX_CHUNK_BYTES = 512 * 1024
#: Chunks in flight to one worker: the one it works on and the next.
PREFETCH = 2
#: Tells a worker's sender thread to stop without sending anything more.
_QUIT = object()

#: Thread-pool sizes of numeric libraries, set to 1 in each worker (as Dask does).
THREAD_VARIABLES = (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "RAYON_NUM_THREADS",
)
#: Modules the fork server imports once, so each new worker starts warm.
WORKER_PRELOAD = ["pipeline.runner", "pipeline.manager", "trafilatura"]


class Engine(Protocol):
    """What ``--engine NAME`` selects."""

    name: str

    def run(
        self, config: Config, inputs: Iterable[Document | Reject], stats: Stats
    ) -> Iterator[Outcome]:
        """One outcome per input, adding the workers' counters to ``stats``."""
        ...


class EngineError(Exception):
    """The engine cannot run (a worker cannot start, a scheduler is unreachable)."""


def engine_options(config: Config) -> dict[str, Any]:
    """The ``[engine]`` table with defaults filled in."""
    options = dict(config.section("engine"))
    workers = options.get("workers")
    options["workers"] = int(workers) if workers else default_workers()
    timeout = options.get("timeout", DEFAULT_TIMEOUT)
    options["timeout"] = float(timeout) if timeout else None
    options["chunk_size"] = max(1, int(options.get("chunk_size") or DEFAULT_CHUNK_SIZE))
    options["first_document_grace"] = float(options.get("first_document_grace", FIRST_DOCUMENT_GRACE))
    return options


def default_workers() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def get_engine(name: str, config: Config) -> Engine:
    """The engine called ``name``: a built-in, or one a plugin offers."""
    if name == "local":
        return LocalEngine()
    if name == "serial":
        return SerialEngine()
    return Pipeline(config).backend("engines", name)


def count_reject(stats: Stats, reject: Reject) -> None:
    """Count a reject made outside a pipeline (reader, time limit, dead worker)."""
    stats.documents += 1
    stats.rejects += 1
    stats.rejects_by_stage[reject.stage] += 1


def reject_outcome(stats: Stats, reject: Reject) -> Outcome:
    """Count ``reject`` and wrap it as an outcome."""
    count_reject(stats, reject)
    return Outcome(Document(id=reject.id, source=reject.source), reject)


class SerialEngine:
    """Everything in the calling process, one document after another.

    No time limit and no isolation: for the library API, tests and debugging.
    """

    name = "serial"

    def run(
        self, config: Config, inputs: Iterable[Document | Reject], stats: Stats
    ) -> Iterator[Outcome]:
        pipeline = Pipeline(config)
        for item in inputs:
            if isinstance(item, Reject):
                yield reject_outcome(stats, item)
                continue
            # Counters merged per document, so they always match what was yielded.
            pipeline.stats = Stats()
            outcome = pipeline.process(item)
            stats.merge(pipeline.stats)
            yield outcome


# --- The local engine: a pool of worker processes it can kill and replace ----


class LocalEngine:
    """Worker processes on this machine, each holding its own pipeline.

    The parent feeds each worker a small chunk of documents through its own
    pipe and knows at every moment which document each worker is on. A
    worker that overruns the time limit is killed and the document rejected
    (stage ``timeout``); a worker that dies (out of memory, a crash in C
    code) costs only the document it held (stage ``worker``). Either way a
    fresh worker takes its place and the rest of its chunk is sent again.

    Memory stays bounded: inputs are pulled only when a worker needs a chunk,
    and outcomes are yielded as they come (in completion order). Outcomes
    carry no ``html``, to spare the pipe.

    :param workers: worker processes (default: ``[engine] workers`` or every core).
    :param timeout: seconds per document (default: ``[engine] timeout`` or 30;
        ``0`` for none).
    :param chunk_size: documents per message to a worker.
    :param start_method: ``spawn`` (default), ``forkserver`` or ``fork``.
    """

    name = "local"

    def __init__(
        self,
        workers: int | None = None,
        timeout: float | None = None,
        chunk_size: int | None = None,
        start_method: str | None = None,
    ) -> None:
        self.workers = workers
        self.timeout = timeout
        self.chunk_size = chunk_size
        self.start_method = start_method

    def run(
        self, config: Config, inputs: Iterable[Document | Reject], stats: Stats
    ) -> Iterator[Outcome]:
        options = engine_options(config)
        workers = self.workers or options["workers"]
        timeout = options["timeout"] if self.timeout is None else (self.timeout or None)
        # The workers' pipelines derive their in-process limit from this value.
        config = copy.deepcopy(config)
        config.set("engine", "timeout", timeout or 0)
        pool = _Pool(
            config,
            workers=max(1, workers),
            timeout=timeout,
            chunk_size=self.chunk_size or options["chunk_size"],
            grace=options["first_document_grace"],
            context=_context(self.start_method or options.get("start_method")),
        )
        try:
            yield from pool.run(iter(inputs), stats)
        finally:
            pool.close()


def _context(method: str | None) -> multiprocessing.context.BaseContext:
    # spawn, not forkserver: a worker must be a child of this process, so that
    # it dies with it (see _die_with_parent); forkserver children keep the
    # fork server, and so each other, alive after a kill -9. Not fork: the
    # parent may run threads (progress bar, Dask client) by then.
    context = multiprocessing.get_context(method or "spawn")
    if method == "forkserver":
        # Only takes effect before the fork server starts (once per process).
        context.set_forkserver_preload(WORKER_PRELOAD)
    return context


def worker_main(conn: Any, config: Config) -> None:
    """A worker's life: build the pipeline, then process chunks until told to stop.

    Replies, one per document and in order: ``("ok", outcome, stats_delta)``
    or ``("error", message)`` for a failure outside any plugin.
    """
    # The parent handles Ctrl-C; a worker killed by it would look like a crash.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    # Workers are the parallelism: numeric libraries that plugins load must
    # not start a thread per core in each of them (OpenBLAS threads spin and
    # starve the other workers). Set before any plugin is imported.
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
    try:
        pipeline = Pipeline(config)
    except BaseException:
        conn.send(("fatal", traceback.format_exc(limit=5)))
        return
    pipeline.warm_up()  # libraries and models load now, not inside a document's time limit
    # What is loaded by now (modules, models, rules) lives as long as the
    # worker: the cyclic collector need not walk it again on every full pass.
    gc.freeze()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        for document in chunk:
            pipeline.stats = Stats()
            try:
                outcome = pipeline.process(document)
                outcome.document.html = None
                message = pickle.dumps(("ok", outcome, pipeline.stats), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # a core bug or an unpicklable result: one document
                message = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
            try:
                conn.send_bytes(message)
            except OSError:  # the parent is gone (killed): nothing left to do
                return


def _rejected(reject: Reject) -> tuple[Outcome, Stats]:
    delta = Stats()
    return reject_outcome(delta, reject), delta


def _merged(ready: list[tuple[Outcome, Stats]], stats: Stats) -> Iterator[Outcome]:
    while ready:
        outcome, delta = ready.pop(0)
        stats.merge(delta)
        yield outcome


def _die_with_parent() -> None:
    """Linux: be killed when the parent dies (even by ``kill -9``), even if
    stuck in C code by then; otherwise an orphan would spin on forever."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class _Worker:
    """The parent's view of one worker process.

    Up to :data:`PREFETCH` chunks are in flight to a worker, so it finds the
    next one waiting when it finishes a chunk instead of idling until this
    process is scheduled again (on a busy machine, that takes a while). A
    thread per worker does the sending, so this process never blocks on a
    worker that stopped reading (a worker stuck in C code).
    """

    def __init__(self, context: multiprocessing.context.BaseContext, config: Config) -> None:
        self.conn, child_conn = context.Pipe(duplex=True)
        self.process = context.Process(
            target=worker_main, args=(child_conn, config), name="newsdigest-worker", daemon=True
        )
        self.process.start()
        child_conn.close()  # so that the worker's death reads as EOF here
        self.ready = False
        self.fresh = True  # no document finished yet: lazy loading still to come
        self.inflight: collections.deque[Document] = collections.deque()  # in order
        self.chunk_sizes: collections.deque[int] = collections.deque()
        self.started = 0.0  # when the current document started (parent's clock)
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_loop, daemon=True)
        self._sender.start()

    def _send_loop(self) -> None:
        while True:
            chunk = self._outbox.get()
            if chunk is _QUIT:
                return
            try:
                self.conn.send(chunk)
            except (OSError, ValueError):  # the worker is gone; the main loop sees it
                return
            if chunk is None:
                return

    @property
    def busy(self) -> bool:
        return bool(self.inflight)

    @property
    def hungry(self) -> bool:
        """Ready for another chunk."""
        return self.ready and len(self.chunk_sizes) < PREFETCH

    @property
    def current(self) -> Document:
        return self.inflight[0]

    def send(self, chunk: list[Document]) -> None:
        if not self.inflight:
            self.started = time.monotonic()
        self.inflight.extend(chunk)
        self.chunk_sizes.append(len(chunk))
        self._outbox.put(chunk)

    def finished_one(self) -> None:
        """The current document's reply arrived: the next one starts now."""
        self.inflight.popleft()
        self.chunk_sizes[0] -= 1
        if not self.chunk_sizes[0]:
            self.chunk_sizes.popleft()
        self.fresh = False
        self.started = time.monotonic()

    def take_back(self) -> list[Document]:
        """Documents sent but not started, to go to another worker."""
        rest = list(self.inflight)[1:]
        self.inflight.clear()
        self.chunk_sizes.clear()
        return rest

    def stop(self) -> None:
        """Ask the worker to finish (after what it holds) and exit."""
        self._outbox.put(None)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        # The sender must be done with the pipe before it is closed: its file
        # descriptor could otherwise be reused by the next worker's pipe.
        self._outbox.put(_QUIT)
        self._sender.join(5)
        self.conn.close()

    def exit_description(self) -> str:
        self.process.join(1)
        code = self.process.exitcode
        if code is None:
            return "worker process stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            hint = " (killed: out of memory?)" if name == "SIGKILL" else ""
            return f"worker process died with {name}{hint}"
        return f"worker process exited with status {code}"


class _Pool:
    def __init__(
        self,
        config: Config,
        *,
        workers: int,
        timeout: float | None,
        chunk_size: int,
        context: multiprocessing.context.BaseContext,
        grace: float = FIRST_DOCUMENT_GRACE,
    ) -> None:
        self.config, self.size, self.timeout, self.grace = config, workers, timeout, grace
        self.chunk_size, self.context = chunk_size, context
        self.workers: list[_Worker] = []
        self.retry: collections.deque[Document] = collections.deque()
        self.failed_starts = 0

    def run(self, inputs: Iterator[Document | Reject], stats: Stats) -> Iterator[Outcome]:
        self.workers = [_Worker(self.context, self.config) for _ in range(self.size)]
        exhausted = False
        # Outcomes with their counters, merged into ``stats`` only as each is
        # yielded: a checkpoint taken between two yields then matches the lines.
        ready: list[tuple[Outcome, Stats]] = []
        while True:
            for worker in self.workers:
                while worker.hungry and not (exhausted and not self.retry):
                    chunk, exhausted = self._take(inputs, ready, exhausted)
                    if not chunk:
                        break
                    worker.send(chunk)
            yield from _merged(ready, stats)
            if exhausted and not self.retry and not any(w.busy for w in self.workers):
                return
            self._wait(ready)
            yield from _merged(ready, stats)

    def _take(
        self,
        inputs: Iterator[Document | Reject],
        ready: list[tuple[Outcome, Stats]],
        exhausted: bool,
    ) -> tuple[list[Document], bool]:
        """The next chunk: documents to retry first, then fresh inputs."""
        chunk: list[Document] = []
        size = 0
        while len(chunk) < self.chunk_size and size < MAX_CHUNK_BYTES:
            if self.retry:
                document = self.retry.popleft()
            elif exhausted:
                break
            else:
                item = next(inputs, None)
                if item is None:
                    exhausted = True
                    break
                if isinstance(item, Reject):
                    ready.append(_rejected(item))
                    continue
                document = item
            chunk.append(document)
            size += len(document.html or "") + len(document.text or "")
        return chunk, exhausted

    def _wait(self, ready: list[tuple[Outcome, Stats]]) -> None:
        now = time.monotonic()
        deadline = None
        if self.timeout:
            deadlines = [self._deadline(w) for w in self.workers if w.busy]
            if deadlines:
                deadline = min(deadlines)
        waits = [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]
        wait(waits, timeout=None if deadline is None else max(0.0, deadline - now))
        for index, worker in enumerate(list(self.workers)):
            if not self._drain(worker, ready):
                self._replace(index, worker, worker.exit_description(), "worker", ready)
        if self.timeout:
            now = time.monotonic()
            for index, worker in enumerate(list(self.workers)):
                if worker.busy and now > self._deadline(worker):
                    reason = f"took longer than {self.timeout:g} s; worker killed"
                    self._replace(index, worker, reason, "timeout", ready)

    def _deadline(self, worker: _Worker) -> float:
        return worker.started + (self.timeout or 0.0) + (self.grace if worker.fresh else 0.0)

    def _drain(self, worker: _Worker, ready: list[tuple[Outcome, Stats]]) -> bool:
        """Read every message the worker has sent; False when it is gone."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                kind = message[0]
                if kind == "ok":
                    _, outcome, delta = message
                    ready.append((outcome, delta))
                    worker.finished_one()
                elif kind == "error":
                    document = worker.current
                    reject = Reject(document.id, document.source, "worker", message[1])
                    ready.append(_rejected(reject))
                    worker.finished_one()
                elif kind == "ready":
                    worker.ready = True
                    self.failed_starts = 0
                elif kind == "fatal":
                    raise EngineError(f"a worker could not build the pipeline:\n{message[1]}")
        except (EOFError, OSError):
            return False
        if not worker.process.is_alive() and not worker.conn.poll():
            return False
        return True

    def _replace(
        self,
        index: int,
        worker: _Worker,
        reason: str,
        stage: str,
        ready: list[tuple[Outcome, Stats]],
    ) -> None:
        worker.kill()
        if worker.busy:
            document = worker.current
            reject = Reject(document.id, document.source, stage, reason)
            ready.append(_rejected(reject))
            self.retry.extendleft(reversed(worker.take_back()))
        elif not worker.ready:
            self.failed_starts += 1
            if self.failed_starts > 3:
                raise EngineError(f"worker processes keep failing to start: {reason}")
        self.workers[index] = _Worker(self.context, self.config)

    def close(self) -> None:
        for worker in self.workers:
            if worker.busy or not worker.ready:
                worker.kill()  # stopped early: no point finishing its chunk
                continue
            worker.stop()
        deadline = time.monotonic() + 5
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            worker.kill()
        self.workers = []
