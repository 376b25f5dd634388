"""Summarisers side by side on CNN/DailyMail: ROUGE-1/2/Lsum and milliseconds per article.

One command::

    python bench/summarize.py [--data PATH] [--repeat N] [--limit N]

Runs Lead-3, every sumy algorithm and newsdigest's default summariser (the
summarize stage's defaults: algorithm "news", 3 sentences) on the same
articles, with the same sentence splitter (:mod:`plugins.sentences`), and
prints for each: ROUGE-1, ROUGE-2 and ROUGE-Lsum F1 x100 (``rouge-score``,
Porter stemming on, summary sentences separated by newlines, averaged over
articles) and milliseconds per article (the best of ``--repeat`` timed
passes, after one warm-up call). Then the targets: the default against
Lead-3 on all three scores, the default's time against sumy LexRank's, and
the default on one article of at least 2,000 sentences (dev articles
concatenated), which must take under a second.

Needs ``rouge-score`` (a bench/test extra) and the shared data set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.backends import Length  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "summaries" / "cnndm-dev.jsonl"
#: Lead-3 on this data with NLTK Punkt splitting, from the data's README.
README_LEAD3 = (40.7, 17.9, 36.8)
SCORES = ("rouge1", "rouge2", "rougeLsum")
LONG_ARTICLE_SENTENCES = 2000


def load(path: Path, limit: int | None = None) -> list[dict]:
    """The article/reference pairs of a JSONL file."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows[:limit] if limit else rows


def summarizers() -> dict[str, object]:
    """Every summariser the built-in plugins offer, by name (lead first, the default last)."""
    from pipeline.runner import Pipeline
    from plugins.summarize import DEFAULT_ALGORITHM

    found = Pipeline().backends("summarizers")
    order = ["lead", *sorted(n for n in found if n not in ("lead", DEFAULT_ALGORITHM))]
    return {name: found[name] for name in [*order, DEFAULT_ALGORITHM] if name in found}


def run(summarizer, articles: Sequence[str], length: Length) -> tuple[list[list[str]], float]:
    """Summaries of ``articles`` and the seconds the pass took."""
    started = time.perf_counter()
    summaries = [summarizer.summarize(text, "en", None, length) for text in articles]
    return summaries, time.perf_counter() - started


def rouge(references: Sequence[str], summaries: Sequence[Sequence[str]]) -> tuple[float, ...]:
    """Mean ROUGE-1, ROUGE-2, ROUGE-Lsum F1 (x100), the way the data's README scores."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(SCORES), use_stemmer=True)
    totals = [0.0, 0.0, 0.0]
    for reference, summary in zip(references, summaries):
        result = scorer.score(reference, "\n".join(summary))
        for i, key in enumerate(SCORES):
            totals[i] += 100 * result[key].fmeasure
    return tuple(total / max(len(references), 1) for total in totals)


def best_time(action: Callable[[], object], repeat: int) -> float:
    """The smallest of ``repeat`` wall-clock timings of ``action`` (others share the machine)."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def long_article(articles: Sequence[str], sentences: int = LONG_ARTICLE_SENTENCES) -> str:
    """Articles joined as paragraphs until the text has at least ``sentences`` sentences."""
    from plugins.sentences import sentence_spans

    parts: list[str] = []
    count = 0
    while count < sentences:
        for text in articles:
            parts.append(text)
            count += len(sentence_spans(text, "en"))
            if count >= sentences:
                break
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per summariser")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"data not found: {args.data}", file=sys.stderr)
        return 2

    from plugins.summarize import DEFAULT_ALGORITHM, length_from

    rows = load(args.data, args.limit)
    articles = [row["article"] for row in rows]
    references = [row["reference"] for row in rows]
    default_length = length_from({})
    found = summarizers()

    print(
        f"{len(rows)} articles from {args.data.name}; length {default_length}; "
        f"best of {args.repeat} timed passes\n"
    )
    print(f"{'summariser':<16} {'ROUGE-1':>7} {'ROUGE-2':>8} {'ROUGE-Lsum':>10} {'ms/article':>11}")
    results: dict[str, tuple[tuple[float, ...], float]] = {}
    for name, summarizer in found.items():
        summarizer.summarize(articles[0], "en", None, default_length)  # imports, caches
        summaries, first = run(summarizer, articles, default_length)
        later = [run(summarizer, articles, default_length)[1] for _ in range(args.repeat - 1)]
        seconds = min([first, *later])
        scores = rouge(references, summaries)
        results[name] = (scores, 1000 * seconds / len(articles))
        label = (
            "lead (Lead-3)"
            if name == "lead"
            else name + (" (default)" if name == DEFAULT_ALGORITHM else "")
        )
        print(
            f"{label:<16} {scores[0]:>7.2f} {scores[1]:>8.2f} {scores[2]:>10.2f} "
            f"{results[name][1]:>11.2f}"
        )
    print(
        f"{'README Lead-3':<16} {README_LEAD3[0]:>7.1f} {README_LEAD3[1]:>8.1f} "
        f"{README_LEAD3[2]:>10.1f}   (Punkt splitting, for reference)"
    )

    ok = True
    print()
    default_scores, default_ms = results[DEFAULT_ALGORITHM]
    lead_scores, _ = results["lead"]
    gains = [ours - lead for ours, lead in zip(default_scores, lead_scores)]
    beats = all(gain >= 0 for gain in gains)
    ok &= beats
    print(
        f"default vs Lead-3: ROUGE-1 {gains[0]:+.2f}, ROUGE-2 {gains[1]:+.2f}, "
        f"ROUGE-Lsum {gains[2]:+.2f}  -> {'PASS' if beats else 'FAIL'} (target: >= 0 on all three)"
    )
    if "lexrank" in results:
        ratio = default_ms / results["lexrank"][1]
        ok &= ratio <= 1 / 3
        print(
            f"default time / sumy LexRank time: {default_ms:.2f} / {results['lexrank'][1]:.2f} ms"
            f" = {ratio:.3f}  -> {'PASS' if ratio <= 1 / 3 else 'FAIL'} (target: <= 0.333)"
        )

    from plugins.sentences import sentence_spans

    text = long_article(articles)
    count = len(sentence_spans(text, "en"))
    summarizer = found[DEFAULT_ALGORITHM]
    seconds = best_time(lambda: summarizer.summarize(text, "en", None, default_length), args.repeat)
    ok &= seconds < 1.0
    print(
        f"default on one article of {count} sentences ({len(text.split())} words): "
        f"{1000 * seconds:.1f} ms  -> {'PASS' if seconds < 1.0 else 'FAIL'} (target: < 1 s)"
    )
    ratio_seconds = best_time(
        lambda: summarizer.summarize(text, "en", None, Length(sentences=None, ratio=0.5)), 1
    )
    print(f"  same article, ratio 0.5: {1000 * ratio_seconds:.1f} ms")
    per_ms = statistics.median(
        1000 * best_time(lambda t=t: summarizer.summarize(t, "en", None, default_length), 3)
        for t in articles[:20]
    )
    print(f"  default, median single-article call over 20 articles: {per_ms:.2f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
