"""newsdigest: clean scraped news articles, strip promos and appeals, detect
language, summarise.

The public API::

    from pipeline import process_html, process, run_batch, Config

    doc = process_html(html_bytes, url="https://example.org/story")
    print(doc.language, doc.summary, [r.rule for r in doc.removed])

    stats = run_batch(["scraped/"], "out.jsonl")
"""

from __future__ import annotations

from pipeline.batch import run_batch
from pipeline.config import Config
from pipeline.document import Document, Drop, Reject, Removal
from pipeline.hookspecs import hookimpl
from pipeline.runner import Outcome, Pipeline, StageFailure
from pipeline.stages import Stage

__all__ = [
    "Config",
    "Document",
    "Drop",
    "Outcome",
    "Pipeline",
    "Reject",
    "Removal",
    "Stage",
    "StageFailure",
    "hookimpl",
    "process",
    "process_html",
    "run_batch",
]


def process(document: Document, config: Config | None = None) -> Document:
    """Run one document through every stage and return it.

    :raises StageFailure: when a stage rejected or failed on the document
        (the exception names the stage and plugin).
    """
    outcome = Pipeline(config).process(document)
    if outcome.reject is not None:
        reject = outcome.reject
        raise StageFailure(reject.stage, reject.plugin or "-", reject.error)
    return outcome.document


def process_html(
    html: bytes | str, *, url: str | None = None, id: str = "document", config: Config | None = None
) -> Document:
    """Extract, clean, detect the language of and summarise one HTML page."""
    return process(Document(id=id, source=id, url=url, html=html), config)
