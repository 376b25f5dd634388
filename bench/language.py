"""Language backends: accuracy, milliseconds per call, per article, determinism.

One command::

    python bench/language.py                 # everything (a few minutes)
    python bench/language.py --per-language 50 --backends ensemble,py3langid

For each backend, restricted to newsdigest's languages as the stage does:

* macro accuracy (mean over languages) and ms per call on
  ``../shared/data/language/`` sentences and word pairs (51 languages);
* ms per article: the language stage's own ``decide`` (bounded sample plus
  detection) on the text trafilatura extracts from the extraction and
  appeals pages (extracted once, cached under ``~/.cache/newsdigest``);
* document-level accuracy on those pages (English and German) and on the
  multilingual articles in ``fixtures/language/articles.jsonl``;
* warm-up: seconds to load the models (one text per language), before timing;
* deterministic: the answers of a fresh process (its own hash seed) on a
  subset must equal this process's.

The baseline, ``langdetect-raw``, is langdetect as users meet it
(``langdetect.detect``, unseeded, every language); ms columns print the
ratio to it.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.runner import Pipeline
from plugins.language import LanguageOptions, decide
from plugins.language_codes import SUPPORTED_LANGUAGES, split_code

DATA = ROOT.parent / "shared" / "data"
LANGUAGE_DATA = DATA / "language"
FIXTURE_ARTICLES = ROOT / "fixtures" / "language" / "articles.jsonl"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "newsdigest"
BACKENDS = ("ensemble", "langdetect", "py3langid", "lingua", "lingua-low")
BASELINE = "langdetect-raw"
TARGETS = {"sentences": 0.99, "word-pairs": 0.90, "ms_article": 5.0}


class RawLangdetect:
    """langdetect as users meet it: the module-level ``detect``, unseeded."""

    name = BASELINE

    def detect(self, text, candidates=None):
        from langdetect import detect_langs
        from langdetect.lang_detect_exception import LangDetectException

        try:
            return [(item.lang, item.prob) for item in detect_langs(text)]
        except LangDetectException:  # raised on empty or numeric text: that is the point
            return []


def detector_for(name: str):
    if name == BASELINE:
        return RawLangdetect()
    return Pipeline().backend("language_detectors", name)


def top_code(answer) -> str:
    for code, _ in answer:
        language, _ = split_code(code)
        if language:
            return language
    return "und"


def load_rows(name: str, per_language: int | None) -> list[tuple[str, str]]:
    with open(LANGUAGE_DATA / name, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows, seen = [], Counter()
        for row in reader:
            if per_language is None or seen[row["lang"]] < per_language:
                seen[row["lang"]] += 1
                rows.append((row["lang"], row["text"]))
    return rows


def macro_accuracy(gold: list[str], predicted: list[str]) -> tuple[float, list[tuple[str, float]]]:
    total, right = Counter(gold), Counter(g for g, p in zip(gold, predicted) if g == p)
    per_language = {lang: right[lang] / total[lang] for lang in total}
    worst = sorted(per_language.items(), key=lambda item: (item[1], item[0]))[:4]
    return sum(per_language.values()) / len(per_language), worst


def candidates_for(name: str):
    return None if name == BASELINE else SUPPORTED_LANGUAGES


def timed_predictions(detector, texts, candidates) -> tuple[list[str], float]:
    started = time.perf_counter()
    predicted = [top_code(detector.detect(text, candidates)) for text in texts]
    return predicted, (time.perf_counter() - started) * 1000 / max(len(texts), 1)


def article_texts(limit: int | None) -> list[dict]:
    """Extracted text of the shared pages (cached) plus the fixture articles."""
    articles = []
    if DATA.is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        cache = CACHE / "bench-language-articles.json"
        if cache.is_file():
            shared = json.loads(cache.read_text(encoding="utf-8"))
        else:
            shared = _extract_shared_pages()
            cache.write_text(json.dumps(shared, ensure_ascii=False), encoding="utf-8")
        articles.extend(shared[:limit] if limit else shared)
    for line in FIXTURE_ARTICLES.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            continue
        record = json.loads(line)
        articles.append(
            {"id": "fixture-" + record["id"], "lang": record["lang"], "text": record["text"]}
        )
    return articles


def _extract_shared_pages() -> list[dict]:
    import trafilatura

    labelled = []
    for folder, labels in (("extraction", "truth.jsonl"), ("appeals", "labels.jsonl")):
        for line in (DATA / folder / labels).read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            record = json.loads(line)
            page = DATA / folder / record.get("page", f"pages/{record['id']}.html.gz")
            labelled.append((f"{folder}-{record['id']}", record.get("lang"), page))
    shared = []
    for number, (ident, lang, page) in enumerate(labelled, 1):
        if number % 100 == 0:
            print(f"  extracting pages: {number}/{len(labelled)}", file=sys.stderr)
        text = trafilatura.extract(gzip.decompress(page.read_bytes())) or ""
        if text.strip():
            shared.append({"id": ident, "lang": lang, "text": text})
    return shared


def article_figures(detector, articles, repeats: int) -> tuple[float, float, int, int, list[str]]:
    """(mean ms, p95 ms, right, judged, misses) for the stage's decide() on whole articles."""
    if detector.name == BASELINE:
        # As users meet it: the whole text, straight to langdetect.
        def language_of(text: str) -> str:
            return top_code(detector.detect(text))
    else:
        options = LanguageOptions(candidates=candidates_for(detector.name))

        def language_of(text: str) -> str:
            return decide(text, None, detector, options).language

    timings, right, judged, misses = [], 0, 0, []
    for article in articles:
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            language = language_of(article["text"])
            best = min(best, time.perf_counter() - started)
        timings.append(best * 1000)
        if article["lang"]:
            judged += 1
            if language == article["lang"]:
                right += 1
            else:
                misses.append(f"{article['id']} ({article['lang']}->{language})")
    timings.sort()
    return statistics.fmean(timings), timings[int(0.95 * (len(timings) - 1))], right, judged, misses


def determinism_subset() -> list[str]:
    return [text for name in ("sentences.tsv", "word-pairs.tsv") for _, text in load_rows(name, 2)]


def answers_in_fresh_process(name: str) -> list[str]:
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--emit", name],
        check=True, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "random"},
    ).stdout  # fmt: skip
    return json.loads(output)


def emit(name: str) -> None:
    detector = detector_for(name)
    candidates = candidates_for(name)
    print(
        json.dumps([top_code(detector.detect(text, candidates)) for text in determinism_subset()])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default=",".join((BASELINE,) + BACKENDS))
    parser.add_argument(
        "--per-language", type=int, default=None, help="rows per language (default: all 200)"
    )
    parser.add_argument(
        "--articles", type=int, default=None, help="shared pages to time (default: all)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timings per article; the fastest counts"
    )
    parser.add_argument(
        "--no-determinism", action="store_true", help="skip the fresh-process check"
    )
    parser.add_argument("--emit", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.emit:
        emit(args.emit)
        return
    if not LANGUAGE_DATA.is_dir():
        sys.exit(f"no language data at {LANGUAGE_DATA}")

    sets = {
        name: load_rows(f"{name}.tsv", args.per_language) for name in ("sentences", "word-pairs")
    }
    articles = article_texts(args.articles)
    names = [name.strip() for name in args.backends.split(",") if name.strip()]
    print(f"dev set: {len(sets['sentences'])} sentences, {len(sets['word-pairs'])} word pairs;"
          f" {len(articles)} articles; candidates: newsdigest's {len(SUPPORTED_LANGUAGES)} languages"
          f" (baseline: all of langdetect's)")  # fmt: skip
    rows, baseline = [], {}
    for name in names:
        detector = detector_for(name)
        # Models load lazily (lingua: per language and n-gram size); load
        # them before timing, and report what that cost.
        started = time.perf_counter()
        for data in sets.values():
            for text in {lang: text for lang, text in data}.values():
                detector.detect(text, candidates_for(name))
        for article in articles[:20]:
            detector.detect(article["text"][:1000], candidates_for(name))
        row = {"backend": name, "warm_up_s": time.perf_counter() - started}
        for set_name, data in sets.items():
            gold = [lang for lang, _ in data]
            predicted, ms = timed_predictions(
                detector, [text for _, text in data], candidates_for(name)
            )
            row[set_name], row[f"{set_name}_worst"] = macro_accuracy(gold, predicted)
            row[f"{set_name}_ms"] = ms
        (row["ms_article"], row["p95_article"], right, judged, misses) = article_figures(
            detector, articles, args.repeats
        )
        row["articles"] = f"{right}/{judged}"
        row["article_misses"] = misses
        if not args.no_determinism:
            mine = [
                top_code(detector.detect(t, candidates_for(name))) for t in determinism_subset()
            ]
            row["deterministic"] = all(answers_in_fresh_process(name) == mine for _ in range(2))
        if name == BASELINE:
            baseline = row
        rows.append(row)
        print(f"  {name}: done", file=sys.stderr, flush=True)

    def ratio(row, key):
        return f"{row[key] / baseline[key]:.2f}x" if baseline.get(key) else "-"

    header = (f"{'backend':<15}{'sentences':>10}{'pairs':>8}{'ms/sent':>9}{'ratio':>7}{'ms/pair':>9}"
              f"{'ratio':>7}{'ms/art':>8}{'p95':>7}{'ratio':>7}{'articles':>10}{'determ.':>9}{'warm-up s':>10}")  # fmt: skip
    print()
    print(header)
    for row in rows:
        print(f"{row['backend']:<15}{row['sentences']:>10.4f}{row['word-pairs']:>8.4f}"
              f"{row['sentences_ms']:>9.3f}{ratio(row, 'sentences_ms'):>7}"
              f"{row['word-pairs_ms']:>9.3f}{ratio(row, 'word-pairs_ms'):>7}"
              f"{row['ms_article']:>8.2f}{row['p95_article']:>7.2f}{ratio(row, 'ms_article'):>7}"
              f"{row['articles']:>10}{row.get('deterministic', '-')!s:>9}{row['warm_up_s']:>10.2f}")  # fmt: skip
    print()
    for row in rows:
        worst = ", ".join(f"{lang} {acc:.3f}" for lang, acc in row["sentences_worst"])
        worst_pairs = ", ".join(f"{lang} {acc:.3f}" for lang, acc in row["word-pairs_worst"])
        print(f"{row['backend']}: worst sentences {worst}; worst pairs {worst_pairs}")
        if row["article_misses"]:
            print(f"  article misses: {', '.join(row['article_misses'][:8])}")
        if row["backend"] != BASELINE:
            met = (row["sentences"] >= TARGETS["sentences"] and row["word-pairs"] >= TARGETS["word-pairs"]
                   and row["ms_article"] <= TARGETS["ms_article"] and not row["article_misses"]
                   and row.get("deterministic", True))  # fmt: skip
            print(f"  targets (>= 99% sentences, >= 90% pairs, <= 5 ms/article, every article,"
                  f" deterministic): {'met' if met else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
