"""The dask engine gives the local engine's records (one LocalCluster: it takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.batch import run_batch
from pipeline.cli import main
from pipeline.config import Config
from pipeline.engines import LocalEngine, get_engine

from test_bulk import TRAP_DIR, lines, make_pages

pytest.importorskip("distributed", reason="dask engine needs 'newsdigest[dask]'")


def test_dask_engine_is_offered_by_its_plugin() -> None:
    assert get_engine("dask", Config()).name == "dask"


def test_dask_records_equal_local_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(TRAP_DIR))
    monkeypatch.setenv("PYTHONPATH", str(TRAP_DIR))  # for the Dask worker processes
    markers = {4: "ND-TRAP-SEGV", 9: "ND-TRAP-RAISE"}
    pages = make_pages(tmp_path / "pages", 30, markers)
    config = Config(plugins=["bulk_trap_plugin"])
    config.set("engine", "workers", 2)
    config.set("engine", "chunk_size", 4)
    local = run_batch(pages, tmp_path / "local.jsonl", config=config, engine=LocalEngine())
    dask = run_batch(pages, tmp_path / "dask.jsonl", config=config, engine=get_engine("dask", config))

    key = lambda r: r["source"]  # noqa: E731
    dask_records = sorted(lines(tmp_path / "dask.jsonl"), key=key)
    assert len(dask_records) == 28
    assert dask_records == sorted(lines(tmp_path / "local.jsonl"), key=key)
    rejects = {Path(r["source"]).name: r["stage"] for r in lines(tmp_path / "dask.rejects.jsonl")}
    assert rejects == {"page0004.html": "worker", "page0009.html": "trap"}
    assert dask.documents == local.documents == 30
    assert dask.stages["extract"] == local.stages["extract"]
    assert dask.languages == local.languages


def test_scheduler_option_needs_the_dask_engine(tmp_path: Path) -> None:
    make_pages(tmp_path / "pages", 1)
    code = main(["run", str(tmp_path / "pages"), "-o", str(tmp_path / "o.jsonl"), "--scheduler", "tcp://127.0.0.1:1"])
    assert code == 2


def test_chunks_grow_to_the_measured_work_of_one_task() -> None:
    from plugins.dask_engine import MAX_TASK_BYTES, TASK_SECONDS, _Run
    from pipeline.document import Document
    from pipeline.engines import MAX_CHUNK_BYTES, engine_options

    def filled(run: _Run, page_bytes: int) -> int:
        """Documents of ``page_bytes`` each that ``run`` puts in one chunk."""
        chunk: list[Document] = []
        while not run._full(chunk, page_bytes * len(chunk)):
            chunk.append(Document(id=str(len(chunk)), source="s", html="x" * page_bytes))
        return len(chunk)

    config = Config()
    run = _Run(None, config, engine_options(config), window=2)
    # Nothing measured yet: the local engine's chunks (32 documents, 512 KiB).
    assert filled(run, 1000) == 32
    assert filled(run, 100_000) == -(-MAX_CHUNK_BYTES // 100_000)
    # Measured: 10 ms per 100 kB page, so TASK_SECONDS of them.
    run.work_seconds, run.work_documents, run.work_bytes = 0.1, 10, 1_000_000
    assert filled(run, 100_000) == round(TASK_SECONDS / 0.01)
    # Pages ten times smaller do not cost ten times less: fewer than 10x as many.
    assert round(TASK_SECONDS / 0.01) < filled(run, 10_000) < 10 * round(TASK_SECONDS / 0.01)
    # Cheap documents: the byte cap holds memory, the count cap the rest.
    run.work_seconds = 1e-9
    assert filled(run, 100_000) == -(-MAX_TASK_BYTES // 100_000)
    assert filled(run, 10) == run.max_documents

    config.set("engine", "chunk_size", 4)  # the user's cap stays the cap
    capped = _Run(None, config, engine_options(config), window=2)
    capped.work_seconds, capped.work_documents, capped.work_bytes = 0.1, 10, 1_000_000
    assert filled(capped, 100_000) == 4


def test_local_cluster_runs_quiet() -> None:
    """The dashboard's background work (stack sampling every 10 ms...) is off in the workers."""
    import dask

    from plugins.dask_engine import QUIET_CLUSTER, start_local_cluster

    client, cluster = start_local_cluster(1)
    try:
        settings = next(iter(client.run(lambda: {key: dask.config.get(key) for key in QUIET_CLUSTER}).values()))
    finally:
        client.close()
        cluster.close()
    assert settings == QUIET_CLUSTER
    assert settings["distributed.worker.profile.enabled"] is False


class _FakeFuture:
    def __init__(self, key: str) -> None:
        self.key, self.cancelled = key, False

    def done(self) -> bool:
        return False

    def cancel(self) -> None:
        self.cancelled = True

    def add_done_callback(self, callback) -> None:
        pass


class _FakeClient:
    """Just what the engine's bookkeeping calls: submit, and no running tasks to restart."""

    def __init__(self) -> None:
        self.futures: list[_FakeFuture] = []

    def submit(self, function, config, documents, pure=False) -> _FakeFuture:
        self.futures.append(_FakeFuture(f"chunk-{len(self.futures)}"))
        return self.futures[-1]

    def processing(self) -> dict:
        return {}


def test_the_time_limit_counts_from_when_a_chunk_starts() -> None:
    """A chunk queued behind a stuck one (or on a worker being restarted) is not blamed for the wait."""
    import time

    from pipeline.document import Document
    from pipeline.engines import engine_options
    from pipeline.stats import Stats
    from plugins.dask_engine import UNSTARTED_ALLOWANCES, _Run

    config = Config()
    config.set("engine", "timeout", 0.1)  # allowance: 2 x 0.1 s per document
    run = _Run(_FakeClient(), config, engine_options(config), window=2)
    run.submitted = run.window  # past the first chunks' grace
    stuck, queued = Document(id="a", source="a"), Document(id="b", source="b")
    run._submit([stuck])
    run._submit([queued])
    run._on_started((time.time(), {"key": "chunk-0"}))  # only the first one runs
    time.sleep(0.3)
    assert list(run._collect(Stats())) == []  # one strike: sent again alone, not rejected yet
    assert list(run.singles) == [stuck]
    assert run.client.futures[0].cancelled
    # The queued chunk is past its submission time plus allowance, but has not started.
    [(documents, deadline)] = run.chunks.values()
    assert documents == [queued] and deadline > time.monotonic()
    # One that never starts is given up on after UNSTARTED_ALLOWANCES allowances.
    time.sleep(UNSTARTED_ALLOWANCES * 0.2 + 0.1)
    list(run._collect(Stats()))
    assert not run.chunks and list(run.singles) == [stuck, queued]


class _LostFuture(_FakeFuture):
    """Done by Dask's account, but its result went with its worker: fetching it times out."""

    def result(self, timeout=None):
        assert timeout is not None, "an unbounded wait here hangs the run"
        raise TimeoutError(f"timed out after {timeout} s.")


class _EmptyCluster:
    """A local cluster whose nannies have all closed."""

    def __init__(self) -> None:
        self.scaled: list[int] = []

    def scale(self, n: int) -> None:
        self.scaled.append(n)


def test_a_result_lost_with_every_worker_sends_its_documents_again_and_restarts_the_cluster() -> None:
    from pipeline.document import Document
    from pipeline.engines import engine_options
    from pipeline.stats import Stats
    from plugins.dask_engine import _Run

    class NoWorkers(_FakeClient):
        def submit(self, function, config, documents, pure=False) -> _FakeFuture:
            self.futures.append(_LostFuture(f"chunk-{len(self.futures)}"))
            return self.futures[-1]

        def scheduler_info(self) -> dict:
            return {"workers": {}}

    config = Config()
    config.set("engine", "workers", 2)
    cluster = _EmptyCluster()
    run = _Run(NoWorkers(), config, engine_options(config), window=2, cluster=cluster)
    pages = [Document(id=name, source=name) for name in ("a", "b")]
    run._submit(pages)
    run.finished.put(run.client.futures[0])  # what Dask's done callback does
    assert list(run._collect(Stats())) == []  # no reject yet: sent again one by one
    assert list(run.singles) == pages
    assert cluster.scaled == [0, 2]  # the closed nannies forgotten, two new ones started

    # With workers left, the cluster is left alone.
    class SomeWorkers(NoWorkers):
        def scheduler_info(self) -> dict:
            return {"workers": {"tcp://w": {}}}

    alive = _EmptyCluster()
    run = _Run(SomeWorkers(), config, engine_options(config), window=2, cluster=alive)
    run._submit(pages)
    run.finished.put(run.client.futures[0])
    list(run._collect(Stats()))
    assert alive.scaled == []
