"""Torture bench: the figures the README states for hostile input.

    python bench/torture.py [--fuzz N] [--keep DIR]

1. Writes the hostile corpus of ``tests/hostile.py`` (broken encodings, binary
   files named .html, a 50 MB page, 100,000 nested elements, a 20 MB line,
   entity bombs, broken JSONL, truncated archives, damaged WARC).
2. Runs ``newsdigest run`` over it as a user does (local engine, default time
   limit) and counts: inputs tried, crashes (a non-zero exit or a traceback),
   documents lost (an input in neither records nor rejects) or written twice,
   failures (a plugin error, a time-out or a dead worker).
3. Times every page alone, in this process, plus the worst page the extractor
   still accepts (links just under ``[extract] max_elements``), against a
   plain article page measured in the same run (ratios, so that machine load
   cancels out), and reports peak memory against the same baseline.
4. Fuzzes the single-document path with N random byte strings and N random
   tag soups and counts what escaped ``Pipeline.process``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from hostile import STORY, article_html, page_huge_markup, write_corpus  # noqa: E402

from pipeline.document import Document, Reject  # noqa: E402
from pipeline.engines import DEFAULT_TIMEOUT  # noqa: E402
from pipeline.inputs import read_html_file  # noqa: E402
from pipeline.runner import Outcome, Pipeline  # noqa: E402
from plugins.extract import DEFAULT_MAX_ELEMENTS  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_cli(root: Path) -> dict:
    newsdigest = Path(sys.executable).with_name("newsdigest")
    started = time.perf_counter()
    result = subprocess.run(
        [str(newsdigest), "run", "pages", "dumps", "-o", "out.jsonl"],
        cwd=root, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - started
    rows = []
    for name, kind in (("out.jsonl", "record"), ("out.rejects.jsonl", "reject")):
        path = root / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rows.append((kind, json.loads(line)))
    return {"result": result, "rows": rows, "seconds": seconds}


def account(corpus, rows) -> dict:
    sources = Counter(str(corpus.root / row["source"]) for _, row in rows)
    lost = [s for s in corpus.expected if s not in sources]
    twice = [s for s, n in sources.items() if n > 1]
    failures = [row for kind, row in rows if kind == "reject"
                and Outcome(Document(id=row["id"]), Reject(**row)).failed]
    return {"lost": lost, "twice": twice, "failures": failures, "documents": len(rows)}


def time_pages(corpus, repeat: int = 3) -> tuple[list[tuple[float, str]], float, float]:
    pipeline = Pipeline()
    pipeline.warm_up()
    baseline_doc = article_html()
    base = []
    for _ in range(repeat * 3):
        started = time.perf_counter()
        pipeline.process(Document(id="base", source="base", html=baseline_doc))
        base.append(time.perf_counter() - started)
    baseline = statistics.median(base)
    base_rss = peak_rss_mb()
    timings = []
    for path in corpus.files:
        if not path.name.endswith((".html", ".htm")):
            continue
        item = read_html_file(path)
        if isinstance(item, Reject):
            continue
        runs = []
        for _ in range(repeat if path.stat().st_size < 5_000_000 else 1):
            document = Document(id=item.id, source=item.source, html=item.html)
            started = time.perf_counter()
            pipeline.process(document)
            runs.append(time.perf_counter() - started)
        timings.append((min(runs), path.name))
        del item
    # The worst page the extractor still accepts: a list of links just under
    # [extract] max_elements (too slow for the test suite, so only here).
    worst = page_huge_markup(int(DEFAULT_MAX_ELEMENTS * 0.95 / 2) * 79)
    started = time.perf_counter()
    outcome = pipeline.process(Document(id="worst", source="worst", html=worst))
    label = "links_under_max_elements (generated here)" + (" REJECTED" if outcome.reject else "")
    timings.append((time.perf_counter() - started, label))
    return sorted(timings, reverse=True), baseline, base_rss


def fuzz(count: int) -> dict:
    rng = random.Random(20240314)
    pipeline = Pipeline()
    tags = ["html", "body", "div", "p", "script", "style", "table", "td", "a", "article", "svg", "!--", "title"]
    escaped, failed, kinds = 0, 0, Counter()
    for n in range(count * 2):
        if n % 2:
            html = rng.randbytes(rng.randint(0, 4096))
        else:
            parts = []
            for _ in range(rng.randint(0, 80)):
                pick = rng.random()
                if pick < 0.4:
                    parts.append(f"<{rng.choice(['', '/'])}{rng.choice(tags)}>")
                elif pick < 0.7:
                    parts.append(rng.choice(STORY))
                else:
                    parts.append("".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 30))))
            html = "".join(parts)
        try:
            outcome = pipeline.process(Document(id=f"fuzz{n}", source=f"fuzz{n}", html=html))
        except Exception as exc:  # noqa: BLE001 - this is what the bench counts
            escaped += 1
            kinds[type(exc).__name__] += 1
            continue
        if outcome.failed:
            failed += 1
            kinds[outcome.reject.error.split(":")[0]] += 1
    return {"inputs": count * 2, "escaped": escaped, "failed": failed, "kinds": dict(kinds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fuzz", type=int, default=500, help="random byte strings and tag soups, each (default 500)")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="newsdigest-torture-"))
    try:
        corpus = write_corpus(root)
        cli = run_cli(root)
        counts = account(corpus, cli["rows"])
        result = cli["result"]
        crashed = int(result.returncode != 0 or "Traceback" in result.stderr)
        print(f"hostile corpus: {len(corpus.files)} files -> {counts['documents']} documents, "
              f"run in {cli['seconds']:.1f} s (exit status {result.returncode})")
        print(f"  crashes: {crashed}   documents lost: {len(counts['lost'])}   written twice: {len(counts['twice'])}"
              f"   plugin/worker failures: {len(counts['failures'])}")
        for label, items in (("lost", counts["lost"]), ("twice", counts["twice"]), ("failure", counts["failures"])):
            for item in items[:10]:
                print(f"    {label}: {item}")

        timings, baseline, base_rss = time_pages(corpus)
        slowest, name = timings[0]
        print(f"per page, alone: plain article {baseline * 1000:.1f} ms; slowest hostile page {name}"
              f" {slowest:.2f} s = {slowest / baseline:.0f}x the article, "
              f"{slowest / DEFAULT_TIMEOUT:.0%} of the default time limit ({DEFAULT_TIMEOUT:g} s)")
        for seconds, page in timings[1:5]:
            print(f"    {page}: {seconds:.2f} s ({seconds / baseline:.0f}x)")
        peak = peak_rss_mb()
        print(f"peak memory: {peak:.0f} MB after every hostile page, {base_rss:.0f} MB after the plain article"
              f" ({peak / base_rss:.1f}x)")

        fuzzed = fuzz(args.fuzz)
        print(f"fuzz: {fuzzed['inputs']} random inputs, {fuzzed['escaped']} escaped process(),"
              f" {fuzzed['failed']} plugin failures {fuzzed['kinds'] or ''}")
        total = counts["documents"] + fuzzed["inputs"]
        print(f"TOTAL: {total} inputs tried, {crashed + fuzzed['escaped']} crashes,"
              f" {len(counts['lost'])} documents lost")
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
