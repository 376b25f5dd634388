"""The ``dask`` engine: the pipeline on a Dask cluster, for runs that outgrow one machine.

``newsdigest run --engine dask`` starts a ``LocalCluster`` (``--workers``
processes of one thread each); ``--scheduler tcp://HOST:8786`` uses a running
cluster instead, whose workers must have newsdigest and the same plugins
installed. Needs ``pip install 'newsdigest[dask]'``.

Documents go out in chunks, a bounded window of them in flight, so memory
stays bounded whatever the input. A Dask task costs a few milliseconds of CPU
(client, scheduler and worker together), so chunks grow until each holds
about :data:`TASK_SECONDS` of work, as measured on the chunks already done
(``[engine] chunk_size``, when set, still caps them). Each Dask worker builds
the pipeline once (cached by config) and reuses it. Records are the same as
the local engine's.

Dask's defaults suit interactive work watched from a dashboard: every worker
samples its stacks every 10 ms, every server checks its event loop every
20 ms, and so on; together about a tenth of a core, taken from the workers.
The cluster this engine starts runs with :data:`QUIET_CLUSTER` instead; a
cluster started elsewhere (``--scheduler``) should be given the same
settings (in its Dask config file or ``DASK_...`` environment variables).

Failures: a chunk whose worker died (Dask's ``KilledWorker``) or that ran past
its time allowance is split and its documents sent again one by one; a
document that, sent alone, kills its worker twice is rejected at stage
``worker``, one that twice overruns ``--timeout`` at stage ``timeout`` (its worker is restarted, as
Dask cannot stop a running task). The time limit counts from when a chunk
starts on its worker (the worker says so through a Dask event), so a chunk
queued behind a stuck one, or on a worker being restarted, is not blamed for
the wait; it is a limit per chunk (``--timeout`` times its documents, twice
over), so looser than the local engine's per document. A chunk whose result
was lost with its worker is sent again too; when the local cluster this
engine started has no worker left (a nanny whose worker fails to start again
closes for good), its workers are started anew.
"""

from __future__ import annotations

import gc
import json
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from pipeline.config import Config
from pipeline.document import Document, Reject
from pipeline.engines import MAX_CHUNK_BYTES, EngineError, engine_options, reject_outcome
from pipeline.hookspecs import hookimpl
from pipeline.runner import Outcome, Pipeline
from pipeline.stats import Stats

#: Failures, sent alone, after which a document is rejected.
STRIKES = 2
#: Dask event topic on which a worker says that it starts a chunk.
STARTED_TOPIC = "newsdigest-chunk-started"
#: A chunk not seen to start gets this many time allowances from its
#: submission before it counts as overrun all the same (a cluster whose
#: events do not reach the client must still see stuck chunks end).
UNSTARTED_ALLOWANCES = 10
#: Seconds a chunk Dask calls done may take to hand over its result. Longer,
#: and the result was lost with the worker that held it and no worker is
#: left to compute it again (a local cluster whose restarts all failed).
RESULT_SECONDS = 60

#: Seconds of work (CPU) a chunk is grown to, once the first chunks have
#: measured the documents: long enough that a task's own cost (~6 ms of CPU,
#: client, scheduler and worker together) is ~1% of it, short enough that the
#: last chunks of a run leave no worker idle for long.
TASK_SECONDS = 0.5
#: Most bytes of page in one chunk, whatever the estimate: bounds memory.
MAX_TASK_BYTES = 8 * 1024 * 1024
#: Most documents in one chunk, unless ``[engine] chunk_size`` says otherwise.
MAX_TASK_DOCUMENTS = 512

#: Dask settings for the cluster this engine starts (the advice for one
#: started elsewhere): what Dask does in the background, cut to what a batch
#: job needs. With the defaults an idle 2-worker cluster burns ~100 ms of CPU
#: a second; with these ~15.
QUIET_CLUSTER: dict[str, Any] = {
    # Stack sampling of the running task every 10 ms, for the dashboard: it
    # also takes the GIL from the task each time.
    "distributed.worker.profile.enabled": False,
    # Event-loop health check (a warning when blocked for 3 s), every 20 ms.
    "distributed.admin.tick.interval": "1s",
    # psutil readings for the dashboard, and host-wide disk counters.
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.disk": False,
    # Memory checks (spill, pause, and the nanny's kill at 95%), every 100 ms.
    "distributed.worker.memory.monitor-interval": "1s",
    # One retry, not Dask's three, for a task whose worker died: a page that
    # crashes its parser would otherwise take down four workers.
    "distributed.scheduler.allowed-failures": 1,
}

#: Pipelines built in this (worker) process, by config.
_PIPELINES: dict[str, Pipeline] = {}


def process_chunk(config: Config, documents: list[Document]) -> tuple[list[tuple[Outcome, Stats]], float]:
    """Run on a Dask worker: each document through the worker's cached pipeline.

    Returns the outcomes with their counters, and the seconds of work the
    documents took (pipeline start-up left out), from which the client sizes
    chunks: CPU seconds, as a task's own cost is CPU and a busy machine must
    not shrink chunks to where that cost dominates; but at least a quarter of
    the wall time, so that plugins that mostly wait (on a network service)
    still get chunks of bounded duration.
    """
    key = json.dumps(asdict(config), sort_keys=True, default=str)
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        pipeline = _PIPELINES[key] = Pipeline(config)
        pipeline.warm_up()  # models load now, not inside the first document's time
        gc.freeze()  # what is loaded now lives as long as the worker: not walked by every full collection
    _say_started()
    started, cpu_started = time.perf_counter(), time.thread_time()
    results = []
    for document in documents:
        pipeline.stats = Stats()
        outcome = pipeline.process(document)
        outcome.document.html = None  # not in the record; spare the network
        results.append((outcome, pipeline.stats))
    wall, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    return results, max(cpu, wall / 4)


def _say_started() -> None:
    """Tell the client that this task's documents start now (its time limit counts from here)."""
    try:
        from distributed import get_worker

        worker = get_worker()
        worker.log_event(STARTED_TOPIC, {"key": str(worker.get_current_task())})
    except Exception:  # noqa: BLE001 - outside a worker, or an older Dask: the submission time counts
        pass


class DaskEngine:
    """Chunks of documents as Dask tasks; see the module docstring."""

    name = "dask"

    def run(
        self, config: Config, inputs: Iterable[Document | Reject], stats: Stats
    ) -> Iterator[Outcome]:
        try:
            from distributed import Client
        except ImportError:
            raise EngineError("the dask engine needs dask: pip install 'newsdigest[dask]'") from None

        options = engine_options(config)
        scheduler = options.get("scheduler")
        cluster = None
        if scheduler:
            try:
                client = Client(scheduler, timeout="30s")
            except OSError as exc:
                raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            client, cluster = start_local_cluster(options["workers"])
        try:
            threads = max(1, sum(client.nthreads().values()))
            run = _Run(client, config, options, window=2 * threads, cluster=cluster)
            yield from run.outcomes(iter(inputs), stats)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def start_local_cluster(workers: int) -> tuple[Any, Any]:
    """A client and its ``LocalCluster`` of ``workers`` one-thread processes,
    run with :data:`QUIET_CLUSTER`."""
    import dask
    from distributed import Client, LocalCluster

    # The nannies keep these settings and hand them to every worker they
    # start, restarts included.
    with dask.config.set(QUIET_CLUSTER):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            client = Client(cluster)
        except BaseException:
            cluster.close()
            raise
    return client, cluster


def _size(document: Document) -> int:
    return len(document.html or "") + len(document.text or "")


class _Run:
    def __init__(self, client: Any, config: Config, options: dict, window: int, cluster: Any = None) -> None:
        self.client, self.config, self.window = client, config, window
        self.cluster = cluster  # the local cluster this engine started, if it did
        self.cluster_size = options["workers"]
        self.timeout: float | None = options["timeout"]
        self.grace: float = options["first_document_grace"]
        # Documents per chunk: at most what the user asked for; before any
        # chunk is measured, the local engine's sizes.
        explicit = config.section("engine").get("chunk_size")
        self.max_documents = int(explicit) if explicit else MAX_TASK_DOCUMENTS
        self.first_documents = min(options["chunk_size"], self.max_documents)
        self.work_seconds = 0.0  # measured on the workers, over...
        self.work_documents = 0  # ...this many documents...
        self.work_bytes = 0  # ...of this many bytes
        self.submitted = 0
        # Finished futures, put here by Dask's callback thread: the main loop
        # waits on this queue (with a timeout for the deadlines), not polling.
        self.finished: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.chunks: dict[Any, tuple[list[Document], float]] = {}  # future -> (docs, deadline)
        # Chunks whose start no worker has reported yet: key -> (future, allowance, latest deadline).
        self.unstarted: dict[str, tuple[Any, float, float]] = {}
        self.started: queue.SimpleQueue[tuple[str, float]] = queue.SimpleQueue()  # from Dask's event thread
        self.singles: deque[Document] = deque()  # documents to retry one by one
        self.strikes: dict[str, int] = {}  # failures of a document sent alone

    def outcomes(self, inputs: Iterator[Document | Reject], stats: Stats) -> Iterator[Outcome]:
        self.client.subscribe_topic(STARTED_TOPIC, self._on_started)
        exhausted = False
        while True:
            while len(self.chunks) < self.window:
                if self.singles:
                    self._submit([self.singles.popleft()])
                    continue
                if exhausted:
                    break
                chunk: list[Document] = []
                size = 0
                while not self._full(chunk, size):
                    item = next(inputs, None)
                    if item is None:
                        exhausted = True
                        break
                    if isinstance(item, Reject):
                        yield reject_outcome(stats, item)
                    else:
                        chunk.append(item)
                        size += _size(item)
                if chunk:
                    self._submit(chunk)
            if not self.chunks:
                return
            yield from self._collect(stats)

    def _full(self, chunk: list[Document], size: int) -> bool:
        """Whether ``chunk`` (of ``size`` bytes) has work enough for one task."""
        if len(chunk) >= self.max_documents or size >= MAX_TASK_BYTES:
            return True
        if not self.work_documents:  # nothing measured yet
            return len(chunk) >= self.first_documents or size >= MAX_CHUNK_BYTES
        # A document costs time by its size (parsing) and for being one
        # (language, summary): the mean of the per-document and per-byte
        # estimates, so that chunks of small pages do not run long.
        shares = len(chunk) / self.work_documents + size / max(self.work_bytes, 1)
        return shares * self.work_seconds >= 2 * TASK_SECONDS

    def _submit(self, documents: list[Document]) -> None:
        future = self.client.submit(process_chunk, self.config, documents, pure=False)
        allowance = 2 * self.timeout * len(documents) if self.timeout else float("inf")
        if self.submitted < self.window:
            allowance += self.grace  # the first chunks pay for lazily loaded models
        self.submitted += 1
        now = time.monotonic()
        self.chunks[future] = (documents, now + allowance)
        self.unstarted[str(future.key)] = (future, allowance, now + UNSTARTED_ALLOWANCES * allowance)
        future.add_done_callback(self.finished.put)

    def _on_started(self, event: tuple[float, dict]) -> None:
        timestamp, message = event
        self.started.put((message.get("key", ""), timestamp))

    def _note_starts(self) -> None:
        """Chunks that started since last time: their allowance counts from now."""
        while True:
            try:
                key, timestamp = self.started.get_nowait()
            except queue.Empty:
                return
            entry = self.unstarted.pop(key, None)
            if entry is not None and entry[0] in self.chunks:
                future, allowance, _ = entry
                # The event says when (by the scheduler's clock, which may
                # differ from ours: never more than one allowance back).
                ago = min(max(time.time() - timestamp, 0.0), allowance)
                self.chunks[future] = (self.chunks[future][0], time.monotonic() - ago + allowance)

    def _collect(self, stats: Stats) -> Iterator[Outcome]:
        """Outcomes of the chunks that finish next; deal with those past their time."""
        nearest = min(deadline for _, deadline in self.chunks.values())
        wait = None if nearest == float("inf") else max(0.05, nearest - time.monotonic())
        for future in self._wait(wait):
            if future not in self.chunks:
                continue  # cancelled after its time ran out; already dealt with
            documents, _ = self.chunks.pop(future)
            self.unstarted.pop(str(future.key), None)
            try:
                results, seconds = future.result(timeout=RESULT_SECONDS)
            except TimeoutError:
                self._revive()
                yield from self._failed(documents, stats, "worker", "its result was lost with its worker")
                continue
            except Exception as exc:  # KilledWorker, or an error outside any plugin
                yield from self._failed(documents, stats, "worker", f"{type(exc).__name__}: {exc}")
                continue
            self.work_seconds += seconds
            self.work_documents += len(documents)
            self.work_bytes += sum(_size(document) for document in documents)
            for outcome, delta in results:
                stats.merge(delta)
                yield outcome
        self._note_starts()
        now = time.monotonic()
        for future, (documents, deadline) in list(self.chunks.items()):
            if now > deadline and not future.done():
                unstarted = self.unstarted.get(str(future.key))
                if unstarted is not None and now < unstarted[2]:
                    # Still queued (behind a stuck chunk, or on a worker
                    # being restarted): not this chunk's fault yet.
                    self.chunks[future] = (documents, min(now + unstarted[1], unstarted[2]))
                    continue
                self.unstarted.pop(str(future.key), None)
                self.chunks.pop(future)
                self._restart_worker_of(future)
                future.cancel()
                reason = f"took longer than {self.timeout:g} s; worker restarted"
                yield from self._failed(documents, stats, "timeout", reason)

    def _wait(self, seconds: float | None) -> list[Any]:
        """Futures finished within ``seconds`` (``None``: however long it takes):
        the first to finish, and any others already done."""
        try:
            done = [self.finished.get(timeout=seconds)]
        except queue.Empty:
            return []
        while True:
            try:
                done.append(self.finished.get_nowait())
            except queue.Empty:
                return done

    def _failed(self, documents: list[Document], stats: Stats, stage: str, error: str) -> Iterator[Outcome]:
        if len(documents) > 1:
            self.singles.extend(documents)  # find the one to blame
            return
        # Alone, and still failing: but a task queued on a worker that another
        # document killed (or stalled) fails with it, so blame takes two strikes.
        document = documents[0]
        strikes = self.strikes.pop(document.source, 0) + 1
        if strikes < STRIKES:
            self.strikes[document.source] = strikes
            self.singles.append(document)
            return
        yield reject_outcome(stats, Reject(document.id, document.source, stage, error))

    def _revive(self) -> None:
        """Start workers again in the local cluster this engine started, if it has none left.

        A nanny whose worker dies and fails to start again (on a loaded
        machine, after a parser crash) closes for good; with every nanny
        closed, nothing would run the documents still to do.
        """
        if self.cluster is None:
            return
        try:
            if self.client.scheduler_info()["workers"]:
                return
            self.cluster.scale(0)  # forget the closed nannies...
            self.cluster.scale(self.cluster_size)  # ...and start new ones
        except Exception:  # noqa: BLE001 - a cluster closing meanwhile: the deadlines still end the run
            pass

    def _restart_worker_of(self, future: Any) -> None:
        """Free the thread stuck on ``future``: only a restart stops a running task.

        In the background: Dask waits (up to minutes) for the worker to come
        back, and meanwhile the other chunks must go on being collected, or
        they would overrun their own deadlines.
        """
        try:
            processing = self.client.processing()
        except Exception:
            return
        workers = [w for w, keys in processing.items() if future.key in keys]
        if workers:
            threading.Thread(target=self._restart, args=(workers,), daemon=True).start()

    def _restart(self, workers: list[str]) -> None:
        try:
            self.client.restart_workers(workers, raise_for_error=False)
        except Exception:  # a scheduler without restart_workers, or closed: the task runs on
            pass


@hookimpl
def newsdigest_engines() -> list:
    return [DaskEngine()]
