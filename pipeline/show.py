"""``newsdigest show``: one processed article laid out for a person to read."""

from __future__ import annotations

import textwrap

from pipeline.document import Document

_BOLD, _DIM, _STRIKE, _RESET = "\033[1m", "\033[2m", "\033[9m", "\033[0m"


def render_document(document: Document, *, color: bool = False, width: int = 88) -> str:
    """Metadata, language, summary, cleaned text, then every cut with its rule."""

    def style(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    def wrap(text: str, indent: str = "") -> str:
        return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=" " * len(indent))

    lines = [style(document.title or "(no title)", _BOLD), ""]
    for label, value in (
        ("url", document.url),
        ("site", document.sitename),
        ("author", document.author),
        ("date", document.date),
    ):
        if value:
            lines.append(f"{label:>9}: {value}")
    language = document.language or "und"
    detail = []
    if document.language_score is not None:
        detail.append(f"p={document.language_score:.2f}")
    if document.language_source:
        detail.append(f"from {document.language_source}")
    if document.language_variant:
        detail.append(document.language_variant)
    if document.language_reason:
        detail.append(document.language_reason)
    lines.append(f"{'language':>9}: {language}" + (f" ({', '.join(detail)})" if detail else ""))

    lines += ["", style("Summary", _BOLD)]
    lines += [wrap(sentence, "  - ") for sentence in document.summary] or ["  (none)"]

    labelled = bool(document.metadata.get("clean_labelled"))
    flagged = {removal.text.strip(): removal for removal in document.removed} if labelled else {}
    lines += ["", style("Text", _BOLD)]
    for paragraph in document.paragraphs:
        removal = flagged.get(paragraph.strip())
        if removal:
            lines.append(style(wrap(paragraph, f"  [{removal.rule}] "), _STRIKE))
        else:
            lines.append(wrap(paragraph, "  "))
        lines.append("")

    title = "Flagged (label-only mode, still in the text)" if labelled else "Removed"
    lines.append(style(f"{title}: {len(document.removed)}", _BOLD))
    for removal in document.removed:
        lines.append(style(wrap(removal.text, "  - "), _DIM))
        lines.append(f"    rule: {removal.rule} (score {removal.score:.2f})")
        lines.append(f"    why:  {removal.reason}")
    return "\n".join(lines).rstrip() + "\n"
