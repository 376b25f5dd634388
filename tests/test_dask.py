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
