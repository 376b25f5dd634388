"""Where one worker's time goes: newsdigest against bare trafilatura, page by page, in one process.

    python bench/budget.py                   # the WCXB dev pages
    python bench/budget.py --limit 200       # quicker
    python bench/budget.py --pages fixtures/pages --config my.toml

``bench/throughput.py`` measures rates of whole runs, which a machine whose
speed drifts by tens of percent within minutes blurs. Here every page goes
through each of these in turn, in one process, timed in CPU seconds, the
order reversed from one page to the next, so a slow minute costs every
variant alike:

* ``bare``: ``trafilatura.extract(html)``, default settings (the target's reference);
* ``extract``: newsdigest's extract stage alone (trafilatura, the record's
  metadata, the recovery pass);
* ``lead``: the full pipeline with Lead-3 summaries;
* ``full``: the full pipeline as configured (default: the "news" summariser).

It prints each one's milliseconds per page and bare's time over its time
(the 1-worker target is ``full`` >= 0.85x), the full pipeline's time per
stage, and what is left for the stages beyond extraction: ``full -
extract`` against the 15% of bare extraction the target allows them. A
worker process adds its own share to this (IPC, a cold start, the parent's
reads on the other core): ``bench/throughput.py`` measures that.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipeline.config import Config  # noqa: E402
from pipeline.document import Document  # noqa: E402
from pipeline.inputs import read_documents  # noqa: E402
from pipeline.runner import Pipeline  # noqa: E402

PAGES = REPO.parent / "shared" / "data" / "extraction" / "pages"
#: Share of bare extraction's time the stages beyond extraction may take (the target's 15%).
BEYOND_EXTRACTION_SHARE = 0.15


def load_pages(inputs: Path, limit: int | None) -> list[bytes]:
    """The HTML of the pages under ``inputs`` (as ``newsdigest run`` reads them), in order."""
    from itertools import islice

    pages = (item.html for item in read_documents([inputs]) if isinstance(item, Document) and item.html)
    return [html if isinstance(html, bytes) else html.encode() for html in islice(pages, limit)]


def variants(config_path: Path | None) -> tuple[dict[str, Callable[[bytes], object]], Pipeline]:
    """The measured calls, by name (bare trafilatura and three pipelines), and the full pipeline."""
    import trafilatura

    def config(section: str | None = None, key: str = "", value: object = None) -> Config:
        loaded = Config.load(config_path) if config_path else Config()
        if section:
            loaded.set(section, key, value)
        return loaded

    extract_only = config()
    extract_only.stages = ["extract"]
    pipelines = {
        "extract": Pipeline(extract_only),
        "lead": Pipeline(config("summarize", "algorithm", "lead")),
        "full": Pipeline(config()),
    }
    calls: dict[str, Callable[[bytes], object]] = {"bare": trafilatura.extract}
    for name, pipeline in pipelines.items():
        pipeline.warm_up()
        calls[name] = lambda html, pipeline=pipeline: pipeline.process(Document(id="page", html=html))
    return calls, pipelines["full"]


def measure(pages: list[bytes], calls: dict[str, Callable[[bytes], object]]) -> dict[str, float]:
    """CPU seconds each call took over all pages, alternating the order page by page."""
    order = list(calls)
    spent = dict.fromkeys(order, 0.0)
    for index, html in enumerate(pages):
        for name in order if index % 2 == 0 else order[::-1]:
            started = time.process_time()
            calls[name](html)
            spent[name] += time.process_time() - started
    return spent


def report(spent: dict[str, float], stage_seconds: dict[str, float], pages: int) -> list[str]:
    """The printed lines: per variant, per stage of the full pipeline, and the budget."""
    ms = {name: 1000 * seconds / pages for name, seconds in spent.items()}
    lines = [f"{pages} pages, CPU ms per page (bare / variant in brackets):"]
    for name, value in ms.items():
        lines.append(f"  {name:8s} {value:7.2f}  ({ms['bare'] / value:.3f}x)")
    split = " | ".join(f"{stage} {1000 * seconds / pages:.2f}" for stage, seconds in stage_seconds.items())
    lines.append(f"full pipeline by stage (wall ms per page): {split}")
    beyond = ms["full"] - ms["extract"]
    allowed = BEYOND_EXTRACTION_SHARE * ms["bare"]
    lines.append(
        f"beyond extraction (full - extract): {beyond:.2f} ms = {beyond / ms['bare']:.1%} of bare extraction"
        f" (target allows {BEYOND_EXTRACTION_SHARE:.0%}: {allowed:.2f} ms);"
        f" extract alone is {ms['extract'] / ms['bare']:.2f}x bare"
    )
    lines.append(f"1-worker target, in one process: full {ms['bare'] / ms['full']:.3f}x bare (>= 0.85)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=PAGES, help="folder (or file) of inputs, as for newsdigest run")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--config", type=Path, help="newsdigest config for the pipelines")
    args = parser.parse_args(argv)
    if not args.pages.exists():
        parser.error(f"no pages at {args.pages}")
    pages = load_pages(args.pages, args.limit)
    if not pages:
        parser.error(f"no HTML pages in {args.pages}")
    calls, full = variants(args.config)  # warming up left the stats empty
    spent = measure(pages, calls)
    print("\n".join(report(spent, dict(full.stats.seconds), len(pages))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
