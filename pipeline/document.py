"""The document that flows through every stage.

A :class:`Document` is a plain dataclass. The core creates one per input
(a page, a JSONL record, a WARC response record); each stage reads the fields
it needs and fills the fields it owns. What a stage adds is a named field
below, or a key documented in :data:`METADATA_KEYS`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Documented keys a stage may put in :attr:`Document.metadata`.
METADATA_KEYS: dict[str, str] = {
    "warc_record_id": "WARC-Record-ID of the response record the page came from.",
    "warc_date": "WARC-Date of that record.",
    "http_content_type": "Content-Type header that came with the page (WARC input).",
    "encoding": "Character encoding the extractor used to decode the page bytes.",
    "clean_labelled": "True when the clean stage ran in label-only mode: `removed` lists"
    " what would have been cut, and `text` still holds it.",
    "summary_algorithm": "Name of the summariser that wrote `summary`.",
    "site_profile": "Hostname whose learned boilerplate profile the clean stage applied.",
}


@dataclass
class Removal:
    """A span the clean stage (or any stage) took out of the text.

    :param text: the removed text, verbatim.
    :param rule: name of the rule that matched, prefixed by its pack
        (``appeals.en.donate_imperative``, ``promo.more_from``).
    :param reason: a sentence a person can read, saying why.
    :param score: confidence in ``[0, 1]``; ``1.0`` for exact patterns.
    :param plugin: the plugin that made the cut.
    """

    text: str
    rule: str
    reason: str
    score: float = 1.0
    plugin: str = ""


@dataclass
class Document:
    """One article on its way through the pipeline.

    Inputs set ``id``, ``source`` and ``html`` or ``text`` (plus ``url`` and
    ``declared_language`` when the input carries them). Then:

    * extract fills ``text`` (paragraphs separated by ``"\\n"``), ``title``,
      ``author``, ``date``, ``sitename`` and, if missing, ``url``;
    * language fills ``language`` (ISO 639-1, or ``"und"``), ``language_score``,
      ``language_source`` (which evidence decided: ``"detector"``,
      ``"declared"``, ...), ``language_variant`` (script or region variant such
      as ``"zh-tw"``) and ``language_reason`` (why, when ``"und"``);
    * clean removes spans from ``text`` and records each in ``removed``;
    * summarize fills ``summary`` with sentences taken verbatim from ``text``.
    """

    id: str
    source: str = ""
    url: str | None = None
    html: bytes | str | None = None
    text: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    declared_language: str | None = None
    language: str | None = None
    language_score: float | None = None
    language_source: str | None = None
    language_variant: str | None = None
    language_reason: str | None = None
    summary: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def paragraphs(self) -> list[str]:
        """The text's non-empty paragraphs, in order."""
        if not self.text:
            return []
        return [p for p in self.text.split("\n") if p.strip()]

    def to_record(self) -> dict[str, Any]:
        """The JSON-ready output record (everything but the raw HTML)."""
        record = asdict(self)
        del record["html"]
        record["text"] = self.text or ""
        return record


#: Field order of an output record.
RECORD_FIELDS: tuple[str, ...] = tuple(
    name for name in Document.__dataclass_fields__ if name != "html"
)


class Drop(Exception):
    """Raised by a stage to set a document aside with a reason.

    The document is written to the rejects file with the stage and the reason;
    it is counted under ``dropped_<reason>`` in the run's stats.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Reject:
    """A document set aside: the stage (and plugin) that set it aside, and why.

    Every input ends as exactly one output record or one reject.
    """

    id: str
    source: str
    stage: str
    error: str
    plugin: str = ""

    def to_record(self) -> dict[str, str]:
        """The JSON-ready rejects-file record."""
        return asdict(self)
