"""Bulk runs: the local engine (workers, time limit, dead workers), inputs and outputs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.batch import run_batch
from pipeline.config import Config
from pipeline.engines import LocalEngine, SerialEngine, get_engine
from pipeline.inputs import InputError, discover, read_documents
from pipeline.outputs import JsonlWriter, read_done
from pipeline.runner import BackendError
from pipeline.stats import Stats

#: Folder of the trap plugin (hangs, segfaults or raises on cue), put on sys.path.
TRAP_DIR = Path(__file__).resolve().parent / "trap"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

WORDS = (
    "council budget river bridge school teachers market prices harbour election "
    "mayor museum festival weather storm farmers railway station hospital nurses"
).split()


def article(n: int, marker: str = "") -> str:
    """A small news page whose body trafilatura finds."""
    paragraphs = []
    for p in range(4):
        words = [WORDS[(n * 7 + p * 3 + i) % len(WORDS)] for i in range(28)]
        paragraphs.append(f"<p>Story {n} part {p}: " + " ".join(words) + ".</p>")
    return (
        f"<html lang='en'><head><title>Story {n}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>Story number {n}</h1>"
        + "".join(paragraphs)
        + f"<p>{marker}</p></article><footer>Copyright</footer></body></html>"
    )


def make_pages(folder: Path, count: int, markers: dict[int, str] | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"page{n:04d}.html"
        path.write_text(article(n, (markers or {}).get(n, "")), encoding="utf-8")
        paths.append(path)
    return paths


#: Stages for tests of the engine itself: worker start-up (which warms up
#: every stage, language models included) takes seconds with all of them.
LIGHT_STAGES = ["trap", "extract"]


def light_config() -> Config:
    return Config(stages=["extract"])


@pytest.fixture
def trap_config(monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.syspath_prepend(str(TRAP_DIR))
    return Config(plugins=["bulk_trap_plugin"], stages=list(LIGHT_STAGES))


def lines(path: Path) -> list[dict]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_local_engine_gives_the_serial_engines_records(tmp_path: Path) -> None:
    pages = make_pages(tmp_path / "pages", 24)
    serial = run_batch(pages, tmp_path / "serial.jsonl", engine=SerialEngine())
    local = run_batch(pages, tmp_path / "local.jsonl", engine=LocalEngine(workers=2, chunk_size=3))
    by_source = lambda rows: sorted(rows, key=lambda r: r["source"])  # noqa: E731
    assert by_source(lines(tmp_path / "local.jsonl")) == by_source(lines(tmp_path / "serial.jsonl"))
    assert local.documents == serial.documents == 24
    # Counters from every worker are merged, including per-stage counts.
    assert local.stages["extract"]["total"] == serial.stages["extract"]["total"] == 24
    assert local.languages == serial.languages
    stats = json.loads((tmp_path / "local.stats.json").read_text())
    assert stats["complete"] is True and stats["lines"] == {"records": 24, "rejects": 0}


def test_hung_and_crashing_documents_cost_only_themselves(tmp_path: Path, trap_config: Config) -> None:
    markers = {3: "ND-TRAP-HANG", 7: "ND-TRAP-SEGV", 11: "ND-TRAP-RAISE"}
    pages = make_pages(tmp_path / "pages", 16, markers)
    stats = run_batch(
        pages,
        tmp_path / "out.jsonl",
        config=trap_config,
        engine=LocalEngine(workers=2, timeout=1.5, chunk_size=4),
    )
    records = lines(tmp_path / "out.jsonl")
    rejects = {Path(r["source"]).name: r for r in lines(tmp_path / "out.rejects.jsonl")}
    assert set(rejects) == {"page0003.html", "page0007.html", "page0011.html"}
    assert rejects["page0003.html"]["stage"] == "timeout"
    assert rejects["page0007.html"]["stage"] == "worker"
    assert "SIGSEGV" in rejects["page0007.html"]["error"]
    assert rejects["page0011.html"]["stage"] == "trap"
    assert "trap sprung" in rejects["page0011.html"]["error"]
    # Every other page, including the rest of each lost worker's chunk, made it.
    assert sorted(r["source"] for r in records) == sorted(
        str(p) for i, p in enumerate(pages) if i not in markers
    )
    assert stats.documents == 16 and stats.rejects == 3
    assert stats.rejects_by_stage == {"timeout": 1, "worker": 1, "trap": 1}


def test_one_worker_still_enforces_the_time_limit(tmp_path: Path, trap_config: Config) -> None:
    pages = make_pages(tmp_path / "pages", 4, {1: "ND-TRAP-HANG"})
    trap_config.set("engine", "timeout", 1)
    trap_config.set("engine", "workers", 1)
    run_batch(pages, tmp_path / "out.jsonl", config=trap_config, engine=LocalEngine())
    rejects = lines(tmp_path / "out.rejects.jsonl")
    assert [(Path(r["source"]).name, r["stage"]) for r in rejects] == [("page0001.html", "timeout")]
    assert len(lines(tmp_path / "out.jsonl")) == 3


def test_reader_rejects_pass_through_the_engine(tmp_path: Path) -> None:
    make_pages(tmp_path / "in", 2)
    (tmp_path / "in" / "broken.html.gz").write_bytes(b"not gzip at all")
    dump = tmp_path / "in" / "dump.jsonl.gz"
    with gzip.open(dump, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "a", "html": article(50)}) + "\n")
        handle.write("{not json\n")
        handle.write(json.dumps({"id": "c", "text": "Plain text story about the harbour."}) + "\n")
    stats = run_batch(
        [tmp_path / "in"], tmp_path / "out.jsonl.gz", config=light_config(), engine=LocalEngine(workers=1)
    )
    rejects = lines(tmp_path / "out.rejects.jsonl")
    assert {r["stage"] for r in rejects} == {"read"}
    assert {Path(r["source"]).name for r in rejects} == {"broken.html.gz", "dump.jsonl.gz:2"}
    records = lines(tmp_path / "out.jsonl.gz")
    assert {r["id"] for r in records} >= {"a", "c"}
    assert stats.documents == len(records) + len(rejects) == 6


def test_discover_globs_folders_and_duplicates(tmp_path: Path) -> None:
    pages = make_pages(tmp_path / "a", 3)
    (tmp_path / "a" / "notes.txt").write_text("ignored")
    found = discover([str(tmp_path / "a" / "*.html"), tmp_path / "a", pages[0]])
    assert found == pages  # each file once, in a stable order
    with pytest.raises(InputError):
        discover([str(tmp_path / "nothing*.html")])


def test_input_is_streamed_not_listed(tmp_path: Path) -> None:
    pages = make_pages(tmp_path / "p", 40)
    pulled = []

    def inputs():
        for item in read_documents(pages):
            pulled.append(item.source)
            yield item

    engine = LocalEngine(workers=1, chunk_size=2)
    outcomes = engine.run(light_config(), inputs(), Stats())
    next(outcomes)
    # One outcome needs at most a chunk or two in flight, not the whole input.
    assert len(pulled) <= 6
    outcomes.close()


def test_jsonl_writer_and_torn_lines(tmp_path: Path) -> None:
    for name in ("out.jsonl", "out.jsonl.gz"):
        path = tmp_path / name
        with JsonlWriter(path) as writer:
            for n in range(5):
                writer.write({"source": f"s{n}", "text": "x" * n})
        # A kill in mid-write leaves a torn last line (and, for gzip, a cut stream).
        data = path.read_bytes()
        if name.endswith(".gz"):
            with JsonlWriter(path, append=True) as writer:
                writer.write({"source": "s5", "text": "y" * 5000})
            path.write_bytes(path.read_bytes()[: len(data) + 40])
        else:
            path.write_bytes(data + b'{"source": "s5", "te')
        assert read_done(path) == ({f"s{n}" for n in range(5)}, 5)
        # The file was cut back, so appending continues on a clean line.
        with JsonlWriter(path, append=True) as writer:
            writer.write({"source": "s6"})
        assert [r["source"] for r in lines(path)] == ["s0", "s1", "s2", "s3", "s4", "s6"]
        assert read_done(path, keep=2) == ({"s0", "s1"}, 2)
        assert [r["source"] for r in lines(path)] == ["s0", "s1"]


def test_parquet_output(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from pipeline.outputs import read_parquet_records

    pages = make_pages(tmp_path / "pages", 6)
    run_batch(pages, tmp_path / "out.jsonl")
    run_batch(pages, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet.partial.jsonl").exists()
    rows = read_parquet_records(tmp_path / "out.parquet")
    assert sorted(rows, key=lambda r: r["source"]) == sorted(
        lines(tmp_path / "out.jsonl"), key=lambda r: r["source"]
    )


def test_cli_run_with_workers_and_stats(tmp_path: Path) -> None:
    from pipeline.cli import main

    make_pages(tmp_path / "pages", 5)
    stats_file = tmp_path / "s.json"
    code = main([
        "run", str(tmp_path / "pages"), "-o", str(tmp_path / "o.jsonl"), "--stages", "extract",
        "--workers", "2", "--timeout", "20", "--stats", str(stats_file), "--no-progress",
    ])
    assert code == 0
    stats = json.loads(stats_file.read_text())
    assert stats["documents"] == 5 and stats["engine"] == "local"
    assert len(lines(tmp_path / "o.jsonl")) == 5
    assert main(["run", str(tmp_path / "pages"), "-o", str(tmp_path / "o.txt")]) == 2


@pytest.mark.shared_data
@pytest.mark.skipif(not (SHARED / "extraction" / "pages").is_dir(), reason="needs ../shared/data/extraction")
def test_real_pages_local_equals_serial(tmp_path: Path) -> None:
    # Real pages (bytes in many encodings) travel to workers and back unchanged.
    pages = sorted((SHARED / "extraction" / "pages").glob("*.html.gz"))[:12]
    run_batch(pages, tmp_path / "serial.jsonl", config=light_config(), engine=SerialEngine())
    run_batch(pages, tmp_path / "local.jsonl", config=light_config(), engine=LocalEngine(workers=2))
    key = lambda r: r["source"]  # noqa: E731
    assert sorted(lines(tmp_path / "local.jsonl"), key=key) == sorted(lines(tmp_path / "serial.jsonl"), key=key)


def test_newsdigest_engines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine offered through the hook is found by name and runs a batch."""
    (tmp_path / "counting_engine.py").write_text(
        "from pipeline.engines import SerialEngine\n"
        "from pipeline.hookspecs import hookimpl\n"
        "class CountingEngine(SerialEngine):\n"
        "    name = 'counting'\n"
        "    seen = 0\n"
        "    def run(self, config, inputs, stats):\n"
        "        for outcome in super().run(config, inputs, stats):\n"
        "            CountingEngine.seen += 1\n"
        "            yield outcome\n"
        "@hookimpl\n"
        "def newsdigest_engines():\n"
        "    return [CountingEngine()]\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    config = Config(plugins=["counting_engine"], stages=["extract"])
    engine = get_engine("counting", config)
    stats = run_batch(make_pages(tmp_path / "pages", 3), tmp_path / "out.jsonl", config=config, engine=engine)
    assert type(engine).seen == 3 and stats.records == 3
    with pytest.raises(BackendError, match="known: .*counting"):
        get_engine("nonesuch", config)
