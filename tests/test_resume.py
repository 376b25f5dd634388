"""--resume: after a kill, every input document ends exactly once in records or rejects."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import pytest

from pipeline.batch import run_batch
from pipeline.config import Config
from pipeline.engines import LocalEngine, SerialEngine
from test_bulk import TRAP_DIR, lines, make_pages

REPO = Path(__file__).resolve().parents[1]


def sources(output: Path, rejects: Path) -> Counter:
    found = Counter()
    for path in (output, rejects):
        if path.exists():
            found.update(json.loads(line)["source"] for line in complete_lines(path))
    return found


def complete_lines(path: Path) -> list[bytes]:
    """Whole lines of a file a killed run may have left torn (gzip cut mid-stream)."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        out, rest = b"", data
        while rest:
            decompressor = zlib.decompressobj(wbits=31)
            try:
                out += decompressor.decompress(rest)
            except zlib.error:
                break
            rest = decompressor.unused_data
        data = out
    return [line for line in data.split(b"\n")[:-1] if line.strip()]


def wait_for_checkpoint(stats_file: Path, process: subprocess.Popen, records: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the run ended before it could be killed: {stats_file.read_text() if stats_file.exists() else 'no stats'} {process.stderr.read().decode()[-2000:]}"
        try:
            stats = json.loads(stats_file.read_text())
        except (OSError, ValueError):
            stats = {}
        if stats.get("lines", {}).get("records", 0) >= records:
            return
        time.sleep(0.05)
    raise AssertionError("no checkpoint within a minute")


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_kill_9_then_resume_loses_and_duplicates_nothing(tmp_path: Path, suffix: str) -> None:
    markers = {n: "ND-TRAP-RAISE" for n in (5, 77, 150, 299)}
    pages = make_pages(tmp_path / "pages", 300, markers)
    output = tmp_path / f"out{suffix}"
    rejects = tmp_path / "out.rejects.jsonl"
    stats_file = tmp_path / "out.stats.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TRAP_DIR), str(REPO)])}
    command = [
        sys.executable, "-m", "pipeline.cli", "run", str(tmp_path / "pages"), "-o", str(output),
        "--plugin", "bulk_trap_plugin", "--stages", "trap,extract",
        "--workers", "2", "--checkpoint", "0.2", "--no-progress",
    ]
    run = subprocess.Popen(
        command + ["--set", "trap.delay=0.05"], env=env, stderr=subprocess.PIPE, cwd=tmp_path
    )
    try:
        wait_for_checkpoint(stats_file, run, records=30)
        time.sleep(0.3)  # past the checkpoint: lines the next resume must cut back
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    before = sources(output, rejects)
    assert 0 < sum(before.values()) < 300, "killed mid-way"

    done = subprocess.run(command + ["--resume"], env=env, capture_output=True, cwd=tmp_path, timeout=240)
    assert done.returncode == 0, done.stderr.decode()
    after = sources(output, rejects)
    expected = {str(p) for p in pages}
    assert set(after) == expected
    assert max(after.values()) == 1, "a document was written twice"
    assert {Path(r["source"]).name for r in lines(rejects)} == {
        f"page{n:04d}.html" for n in markers
    }
    # The stats cover the whole job: the killed run's checkpoint plus the rest.
    stats = json.loads(stats_file.read_text())
    assert stats["complete"] is True
    assert stats["documents"] == 300 and stats["records"] == 296 and stats["rejects"] == 4
    assert stats["stages"]["extract"]["total"] == 296
    assert stats["lines"] == {"records": 296, "rejects": 4}


def test_resume_after_torn_line_and_no_checkpoint(tmp_path: Path) -> None:
    pages = make_pages(tmp_path / "pages", 8)
    output = tmp_path / "out.jsonl"
    light = Config(stages=["extract"])
    run_batch(pages[:5], output, config=light)
    # As if killed: a torn line, and the stats file of a checkpoint that counted 3 records.
    stats = json.loads((tmp_path / "out.stats.json").read_text())
    full = output.read_bytes()
    output.write_bytes(full + full.splitlines(keepends=True)[0][:30])
    stats.update(complete=False, lines={"records": 3, "rejects": 0}, documents=3, records=3)
    (tmp_path / "out.stats.json").write_text(json.dumps(stats))

    final = run_batch(pages, output, resume=True, engine=LocalEngine(workers=1), config=light)
    rows = lines(output)
    assert sorted(r["source"] for r in rows) == sorted(str(p) for p in pages)
    assert final.records == 8 and final.documents == 8

    # Resuming a finished run redoes nothing.
    again = run_batch(pages, output, resume=True, engine=SerialEngine(), config=light)
    assert again.documents == 8 and len(lines(output)) == 8


def test_resume_without_checkpoint_starts_over(tmp_path: Path) -> None:
    pages = make_pages(tmp_path / "pages", 4)
    output = tmp_path / "out.jsonl"
    light = Config(stages=["extract"])
    run_batch(pages[:2], output, config=light)
    (tmp_path / "out.stats.json").unlink()
    stats = run_batch(pages, output, resume=True, config=light)
    assert stats.documents == 4
    assert sorted(r["source"] for r in lines(output)) == sorted(str(p) for p in pages)
