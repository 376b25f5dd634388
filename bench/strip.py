"""Bench the clean stage against bare trafilatura, on the shared labelled pages.

One command, both data sets, both systems in the same run::

    python bench/strip.py                 # everything
    python bench/strip.py --limit 100     # quicker: first 100 extraction pages
    python bench/strip.py --show-misses   # list leaks and wrongly cut sentences
    python bench/strip.py --repeat 5      # steadier timing (default 3)
    python bench/strip.py --config no-recovery.toml   # newsdigest with other settings

Prints, for bare trafilatura (``trafilatura.extract`` with default settings)
and for newsdigest (the real ``Pipeline`` with stages extract, language,
clean): appeal removal and keep rates on ``appeals/`` (scored as its README
says), word-level precision/recall/F1 against ``main_content`` and the
``with``/``without`` snippet rates on ``extraction/`` (as WCXB scores them),
the cuts per rule, and the time clean adds to extraction per document.

With ``--config`` newsdigest runs with that file's settings (for example
``[extract] recovery = false``, or ``listing = false``), so each option's
effect is measured against the same bare trafilatura column.

Timing is measured apart from the quality pass, because the machine is
shared: each timed page goes through the same pipeline ``--repeat`` times in
a row and the fastest run of each stage counts (the extract and clean
stages' own clocks, as the run summary reports them).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import Config
from pipeline.document import Document
from pipeline.runner import Pipeline

DEFAULT_DATA = ROOT.parent / "shared" / "data"

_QUOTES = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
    }
)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """The appeals README's normalisation: NFKC, lower, quotes/dashes unified, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_QUOTES).translate(_INVISIBLE)
    return _SPACE.sub(" ", text).strip()


def word_prf(prediction: str, truth: str) -> tuple[float, float, float]:
    """WCXB's bag-of-words precision, recall and F1."""
    pred, gold = Counter(_WORD.findall(prediction.lower())), Counter(_WORD.findall(truth.lower()))
    if not gold:
        score = 1.0 if not pred else 0.0
        return score, score, score
    if not pred:
        return 0.0, 0.0, 0.0
    overlap = sum((pred & gold).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(gold.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


@dataclass
class Tally:
    """Scores of one system on both data sets."""

    removed: int = 0
    must_remove: int = 0
    kept: int = 0
    must_keep: int = 0
    news_kept: int = 0
    news_must_keep: int = 0
    page_removal: list[float] = field(default_factory=list)
    page_keep: list[float] = field(default_factory=list)
    prf: list[tuple[float, float, float]] = field(default_factory=list)
    with_found: int = 0
    with_total: int = 0
    without_found: int = 0
    without_total: int = 0
    seconds: list[float] = field(default_factory=list)

    def appeal_page(self, text: str, label: dict) -> tuple[list[str], list[str]]:
        out = normalise(text)
        leaks = [s for s in label["must_remove"] if normalise(s) in out]
        lost = [s for s in label["must_keep"] if normalise(s) not in out]
        self.must_remove += len(label["must_remove"])
        self.removed += len(label["must_remove"]) - len(leaks)
        self.must_keep += len(label["must_keep"])
        self.kept += len(label["must_keep"]) - len(lost)
        if label["must_remove"]:
            self.page_removal.append(1 - len(leaks) / len(label["must_remove"]))
        if label["must_keep"]:
            self.page_keep.append(1 - len(lost) / len(label["must_keep"]))
        if label["kind"] in ("donation-news", "mixed"):
            self.news_must_keep += len(label["must_keep"])
            self.news_kept += len(label["must_keep"]) - len(lost)
        return leaks, lost

    def extraction_page(self, text: str, truth: dict) -> list[str]:
        self.prf.append(word_prf(text, truth["main_content"]))
        lower = text.lower()
        self.with_total += len(truth["with"])
        self.with_found += sum(s.lower() in lower for s in truth["with"])
        leaks = [s for s in truth["without"] if s.lower() in lower]
        self.without_total += len(truth["without"])
        self.without_found += len(leaks)
        return leaks


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def time_stages(
    pipeline: Pipeline, extraction_dir: Path, truths: list[dict], repeat: int
) -> tuple[list[float], list[float]]:
    """Per page, the fastest extract and clean times over ``repeat`` runs."""
    extract, clean = [], []
    for truth in truths:
        html = gzip.decompress((extraction_dir / "pages" / f"{truth['id']}.html.gz").read_bytes())
        runs = []
        for _ in range(repeat):
            before = dict(pipeline.stats.seconds)
            outcome = pipeline.process(Document(id=truth["id"], html=html, url=truth.get("url")))
            if outcome.reject:
                break
            after = pipeline.stats.seconds
            runs.append(
                (
                    after["extract"] - before.get("extract", 0.0),
                    after["clean"] - before.get("clean", 0.0),
                )
            )
        if runs:
            extract.append(min(r[0] for r in runs))
            clean.append(min(r[1] for r in runs))
    return extract, clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--limit", type=int, default=0, help="only the first N extraction pages")
    parser.add_argument("--config", type=Path, help="newsdigest config (default: built-in rules)")
    parser.add_argument("--show-misses", action="store_true", help="list leaks and lost sentences")
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed runs per page (fastest counts)"
    )
    parser.add_argument(
        "--timing-every", type=int, default=3, help="time every Nth extraction page"
    )
    args = parser.parse_args(argv)

    appeals_dir, extraction_dir = args.data / "appeals", args.data / "extraction"
    if (
        not (appeals_dir / "labels.jsonl").is_file()
        or not (extraction_dir / "truth.jsonl").is_file()
    ):
        print(f"shared data not found under {args.data}", file=sys.stderr)
        return 2

    import trafilatura

    config = Config.load(args.config) if args.config else Config()
    config.stages = ["extract", "language", "clean"]
    pipeline = Pipeline(config)
    base, ours = Tally(), Tally()
    cleaner_lost: list[tuple[str, str]] = []
    misses: list[str] = []

    def run_ours(page_id: str, html: bytes, url: str | None) -> tuple[str, str]:
        """The cleaned text, and the extracted text before cleaning (text plus its cuts)."""
        started = time.perf_counter()
        outcome = pipeline.process(Document(id=page_id, source="bench", html=html, url=url))
        ours.seconds.append(time.perf_counter() - started)
        if outcome.reject:
            return "", ""
        document = outcome.document
        text = document.text or ""
        return text, "\n".join([text, *(removal.text for removal in document.removed)])

    def run_base(html: bytes, url: str | None) -> str:
        started = time.perf_counter()
        text = trafilatura.extract(html, url=url) or ""
        base.seconds.append(time.perf_counter() - started)
        return text

    for label in load(appeals_dir / "labels.jsonl"):
        html = gzip.decompress((appeals_dir / label["page"]).read_bytes())
        plain = run_base(html, label.get("url"))
        cleaned, extracted = run_ours(label["id"], html, label.get("url"))
        base.appeal_page(plain, label)
        leaks, lost = ours.appeal_page(cleaned, label)
        extracted_norm = normalise(extracted)
        cleaner_lost += [(label["id"], s) for s in lost if normalise(s) in extracted_norm]
        misses += [f"appeal leak  {label['id']}: {s[:110]}" for s in leaks]
        misses += [f"keep lost    {label['id']}: {s[:110]}" for s in lost]

    truths = load(extraction_dir / "truth.jsonl")
    if args.limit:
        truths = truths[: args.limit]
    for truth in truths:
        html = gzip.decompress((extraction_dir / "pages" / f"{truth['id']}.html.gz").read_bytes())
        base.extraction_page(run_base(html, truth.get("url")), truth)
        leaks = ours.extraction_page(run_ours(truth["id"], html, truth.get("url"))[0], truth)
        misses += [f"without leak {truth['id']}: {s[:110]}" for s in leaks]

    def row(name: str, value, fmt: str = "{:.3f}") -> None:
        """One metric, computed the same way for every column scored."""
        print(f"  {name:<44}" + "".join(f" {fmt.format(value(t)):>12}" for t in (base, ours)))

    print(
        f"appeals/: {len(base.page_keep) or 0} pages with must_keep; extraction/: {len(truths)} pages"
    )
    print(f"  {'metric':<44} {'trafilatura':>12} {'newsdigest':>12}")
    row("appeal removal rate (pooled)", lambda t: _rate(t.removed, t.must_remove))
    row("appeal removal rate (mean of pages)", lambda t: _mean(t.page_removal))
    row("keep rate (pooled)", lambda t: _rate(t.kept, t.must_keep))
    row("keep rate (mean of pages)", lambda t: _mean(t.page_keep))
    row("keep rate, donation-news + mixed pages", lambda t: _rate(t.news_kept, t.news_must_keep))
    kept_by_extractor = ours.kept + len(cleaner_lost)
    print(
        f"  {'keep rate of what extraction kept (clean only)':<44} {'':>12} {_rate(ours.kept, kept_by_extractor):>12.3f}"
    )
    for i, name in enumerate(("word precision", "word recall", "word F1")):
        row(f"{name} vs main_content (macro)", lambda t, i=i: _mean([p[i] for p in t.prf]))
    row("'with' snippets found", lambda t: _rate(t.with_found, t.with_total))
    row("'without' leak rate", lambda t: _rate(t.without_found, t.without_total), "{:.4f}")
    print(f"  {'without leaks (count)':<44} {base.without_found:>12} {ours.without_found:>12}")
    leak_ratio = _rate(ours.without_found, base.without_found)
    print(f"  {'without leak ratio newsdigest / trafilatura':<44} {leak_ratio:>25.3f}")

    cuts_by_rule = pipeline.stats.cuts_by_rule.copy()  # before timing runs repeat pages
    extract_seconds, clean_seconds = time_stages(
        pipeline, extraction_dir, truths[:: max(1, args.timing_every)], max(1, args.repeat)
    )
    total_extract, total_clean = sum(extract_seconds), sum(clean_seconds)
    ratios = [c / e for c, e in zip(clean_seconds, extract_seconds) if e]
    print(
        f"time per document (ms), {len(extract_seconds)} extraction pages, fastest of {args.repeat} runs:"
    )
    print(
        f"  bare trafilatura median {1000 * statistics.median(base.seconds):.2f} (quality pass)"
        f" | newsdigest extract median {1000 * statistics.median(extract_seconds):.2f}"
        f" | clean median {1000 * statistics.median(clean_seconds):.3f}"
    )
    print(
        f"  clean / extract: {total_clean / total_extract:.4f} (totals),"
        f" median per-document ratio {statistics.median(ratios):.4f}"
    )
    print("cuts per rule (newsdigest run summary):")
    for rule, count in cuts_by_rule.most_common():
        print(f"  {count:>5}  {rule}")
    if cleaner_lost:
        print("must_keep sentences the cleaner cut:")
        for page, sentence in cleaner_lost:
            print(f"  {page}: {sentence[:120]}")
    if args.show_misses:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
