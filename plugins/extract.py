"""Extract stage: trafilatura on the raw HTML.

Gives the body as paragraphs (one per line) plus title, author, date, url and
sitename. The page's declared language (``<html lang>``, ``Content-Language``,
``og:locale``) is kept as evidence for the language stage. A document that
arrives as plain text (a JSONL record with ``text`` and no ``html``) passes
through untouched.
"""

from __future__ import annotations

import re

from pipeline.document import Document, Drop
from pipeline.hookspecs import hookimpl

_LANG_CODE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")
_DECLARED_LANGUAGE_XPATH = (
    "/html/@lang | /html/@xml:lang"
    " | //meta[translate(@http-equiv,'CONTENTLAGU','contentlagu')='content-language']/@content"
    " | //meta[@property='og:locale']/@content"
)


@hookimpl(trylast=True)
def newsdigest_extract(document: Document, config) -> Document:
    if document.html is None:
        if document.text is None:
            raise Drop("no html and no text")
        return document

    from trafilatura import bare_extraction
    from trafilatura.settings import set_date_params
    from trafilatura.utils import load_html

    options = config.section("extract")
    tree = load_html(document.html)
    if tree is None:
        raise Drop("not parseable as html")
    document.declared_language = document.declared_language or declared_language(tree)
    result = bare_extraction(
        tree,
        url=document.url,
        with_metadata=True,
        favor_precision=bool(options.get("favor_precision", False)),
        favor_recall=bool(options.get("favor_recall", False)),
        include_tables=bool(options.get("include_tables", True)),
        include_comments=bool(options.get("include_comments", False)),
        # Dates from the page's markup only: the extensive search guesses a
        # date from any year in the body text ("in 2022" -> 2022-01-01).
        date_extraction_params=set_date_params(bool(options.get("extensive_date_search", False))),
    )
    if result is None or not (result.text or "").strip():
        raise Drop("no article text found")
    document.text = result.text
    document.title = document.title or result.title
    document.author = document.author or result.author
    document.date = document.date or result.date
    document.sitename = document.sitename or result.sitename
    document.url = document.url or result.url
    return document


def declared_language(tree) -> str | None:
    """The first well-formed language code the page declares, lower-cased."""
    try:
        values = tree.xpath(_DECLARED_LANGUAGE_XPATH)
    except Exception:  # lxml raises on some malformed namespaces
        return None
    for value in values:
        code = str(value).strip().replace("_", "-")
        if _LANG_CODE.match(code):
            return code.lower()
    return None
