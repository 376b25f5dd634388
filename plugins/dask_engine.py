"""The ``dask`` engine: the pipeline on a Dask cluster, for runs that outgrow one machine.

``newsdigest run --engine dask`` starts a ``LocalCluster`` (``--workers``
processes of one thread each); ``--scheduler tcp://HOST:8786`` uses a running
cluster instead, whose workers must have newsdigest and the same plugins
installed. Needs ``pip install 'newsdigest[dask]'``.

Documents go out in chunks, a bounded window of them in flight, so memory
stays bounded whatever the input. Each Dask worker builds the pipeline once
(cached by config) and reuses it. Records are the same as the local
engine's.

Failures: a chunk whose worker died (Dask's ``KilledWorker``) or that ran past
its time allowance is split and its documents sent again one by one; a
document that, sent alone, kills its worker twice is rejected at stage
``worker``, one that twice overruns ``--timeout`` at stage ``timeout`` (its worker is restarted, as
Dask cannot stop a running task). The time limit counts from when a chunk is
handed to the scheduler, with one chunk's allowance for queueing, so it is
looser than the local engine's.
"""

from __future__ import annotations

import json
import logging
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

#: Pipelines built in this (worker) process, by config.
_PIPELINES: dict[str, Pipeline] = {}


def process_chunk(config: Config, documents: list[Document]) -> list[tuple[Outcome, Stats]]:
    """Run on a Dask worker: each document through the worker's cached pipeline."""
    key = json.dumps(asdict(config), sort_keys=True, default=str)
    pipeline = _PIPELINES.get(key)
    if pipeline is None:
        pipeline = _PIPELINES[key] = Pipeline(config)
        pipeline.warm_up()  # models load now, not inside the first document's time
    results = []
    for document in documents:
        pipeline.stats = Stats()
        outcome = pipeline.process(document)
        outcome.document.html = None  # not in the record; spare the network
        results.append((outcome, pipeline.stats))
    return results


class DaskEngine:
    """Chunks of documents as Dask tasks; see the module docstring."""

    name = "dask"

    def run(
        self, config: Config, inputs: Iterable[Document | Reject], stats: Stats
    ) -> Iterator[Outcome]:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise EngineError("the dask engine needs dask: pip install 'newsdigest[dask]'") from None
        import dask

        options = engine_options(config)
        scheduler = options.get("scheduler")
        cluster = None
        if scheduler:
            try:
                client = Client(scheduler, timeout="30s")
            except OSError as exc:
                raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            # One retry, not Dask's three, for a task whose worker died: a page
            # that crashes its parser would otherwise take down four workers.
            with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
                cluster = LocalCluster(
                    n_workers=options["workers"],
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            client = Client(cluster)
        try:
            threads = max(1, sum(client.nthreads().values()))
            run = _Run(client, as_completed, config, options, window=2 * threads)
            yield from run.outcomes(iter(inputs), stats)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


class _Run:
    def __init__(self, client: Any, as_completed: Any, config: Config, options: dict, window: int) -> None:
        self.client, self.config, self.window = client, config, window
        self.timeout: float | None = options["timeout"]
        self.chunk_size: int = options["chunk_size"]
        self.grace: float = options["first_document_grace"]
        self.submitted = 0
        self.pending = as_completed()
        self.chunks: dict[Any, tuple[list[Document], float]] = {}  # future -> (docs, deadline)
        self.singles: deque[Document] = deque()  # documents to retry one by one
        self.strikes: dict[str, int] = {}  # failures of a document sent alone

    def outcomes(self, inputs: Iterator[Document | Reject], stats: Stats) -> Iterator[Outcome]:
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
                while len(chunk) < self.chunk_size and size < MAX_CHUNK_BYTES:
                    item = next(inputs, None)
                    if item is None:
                        exhausted = True
                        break
                    if isinstance(item, Reject):
                        yield reject_outcome(stats, item)
                    else:
                        chunk.append(item)
                        size += len(item.html or "") + len(item.text or "")
                if chunk:
                    self._submit(chunk)
            if not self.chunks:
                return
            yield from self._collect(stats)

    def _submit(self, documents: list[Document]) -> None:
        future = self.client.submit(process_chunk, self.config, documents, pure=False)
        allowance = 2 * self.timeout * len(documents) if self.timeout else float("inf")
        if self.submitted < self.window:
            allowance += self.grace  # the first chunks pay for lazily loaded models
        self.submitted += 1
        self.chunks[future] = (documents, time.monotonic() + allowance)
        self.pending.add(future)

    def _collect(self, stats: Stats) -> Iterator[Outcome]:
        """Outcomes of the chunks that finish next; deal with those past their time."""
        nearest = min(deadline for _, deadline in self.chunks.values())
        wait = max(0.05, min(nearest - time.monotonic(), 1.0))
        for future in self._poll(wait):
            if future not in self.chunks:
                continue  # cancelled after its time ran out; already dealt with
            documents, _ = self.chunks.pop(future)
            try:
                results = future.result()
            except Exception as exc:  # KilledWorker, or an error outside any plugin
                yield from self._failed(documents, stats, "worker", f"{type(exc).__name__}: {exc}")
                continue
            for outcome, delta in results:
                stats.merge(delta)
                yield outcome
        now = time.monotonic()
        for future, (documents, deadline) in list(self.chunks.items()):
            if now > deadline and not future.done():
                self.chunks.pop(future)
                self._restart_worker_of(future)
                future.cancel()
                reason = f"took longer than {self.timeout:g} s; worker restarted"
                yield from self._failed(documents, stats, "timeout", reason)

    def _poll(self, wait: float) -> list[Any]:
        """Futures finished within ``wait`` seconds (as_completed cannot time out)."""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            batch = self.pending.next_batch(block=False)
            if batch:
                return batch
            time.sleep(0.01)
        return []

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

    def _restart_worker_of(self, future: Any) -> None:
        """Free the thread stuck on ``future``: only a restart stops a running task."""
        try:
            processing = self.client.processing()
            workers = [w for w, keys in processing.items() if future.key in keys]
            if workers:
                self.client.restart_workers(workers)
        except Exception:  # a scheduler without restart_workers: the task runs on
            pass


@hookimpl
def newsdigest_engines() -> list:
    return [DaskEngine()]
