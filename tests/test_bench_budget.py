"""bench/budget.py: the in-process split of one worker's time, on the project's own pages."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "fixtures" / "pages"


@pytest.fixture(scope="module")
def budget():
    sys.path.insert(0, str(ROOT))
    try:
        from bench import budget
    finally:
        sys.path.remove(str(ROOT))
    return budget


def test_report_works_out_ratios_and_what_is_left_beyond_extraction(budget) -> None:
    spent = {"bare": 1.0, "extract": 1.1, "lead": 1.15, "full": 1.25}  # seconds over 10 pages
    lines = budget.report(spent, {"extract": 1.08, "summarize": 0.1}, 10)
    assert lines[1].split() == ["bare", "100.00", "(1.000x)"]
    assert lines[4].split() == ["full", "125.00", "(0.800x)"]
    assert lines[5] == "full pipeline by stage (wall ms per page): extract 108.00 | summarize 10.00"
    assert lines[6].startswith("beyond extraction (full - extract): 15.00 ms = 15.0% of bare extraction")
    assert "target allows 15%: 15.00 ms" in lines[6] and lines[6].endswith("extract alone is 1.10x bare")
    assert lines[7] == "1-worker target, in one process: full 0.800x bare (>= 0.85)"


def test_every_page_goes_through_every_variant_in_alternating_order(budget) -> None:
    seen: list[tuple[str, bytes]] = []
    calls = {name: (lambda html, name=name: seen.append((name, html))) for name in ("bare", "full")}
    spent = budget.measure([b"a", b"b", b"c"], calls)
    assert seen == [("bare", b"a"), ("full", b"a"), ("full", b"b"), ("bare", b"b"), ("bare", b"c"), ("full", b"c")]
    assert set(spent) == {"bare", "full"} and all(seconds >= 0 for seconds in spent.values())


def test_runs_on_the_fixture_pages(budget, capsys) -> None:
    assert budget.main(["--pages", str(PAGES), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 pages, CPU ms per page")
    for name in ("bare", "extract", "lead", "full"):
        found = re.search(rf"^  {name} +(\d+\.\d\d)  \((\d+\.\d{{3}})x\)$", out, re.MULTILINE)
        assert found, name
        assert float(found[1]) > 0
    stages = re.search(r"^full pipeline by stage \(wall ms per page\): (.*)$", out, re.MULTILINE)[1]
    assert [part.split()[0] for part in stages.split(" | ")] == ["extract", "language", "clean", "summarize"]


def test_a_missing_pages_folder_is_a_clear_error(budget, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit):
        budget.main(["--pages", str(tmp_path / "nowhere")])
    assert "no pages at" in capsys.readouterr().err
