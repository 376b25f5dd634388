"""A page's title, author, date, site name and URL, for the extract stage.

trafilatura's ``extract_metadata`` also finds categories, tags and a licence,
which newsdigest never uses, and looks for a byline in the page's markup by
first deep-copying the whole tree; together those cost about as much again
as the body extraction (a third of the pipeline's time per document). This
module runs the same steps for the five fields newsdigest keeps, in the same
order and with the same trafilatura functions, so the values are the same:

1. ``<meta>`` tags (Open Graph, Dublin Core, ``article:*``, ``author``, ...);
2. JSON-LD, which overrides them where it says more;
3. title from the markup (one ``<h1>``, title-like elements, ``<title>``)
   when still missing;
4. byline from the markup when still missing: the same XPath searches, run
   on the page itself, skipping matches inside the parts trafilatura would
   have pruned from its copy (comments, sidebars, figures, ``<time>``);
5. canonical URL, the date (htmldate, with the caller's settings) and the
   site name.

Nothing here changes the tree: the body extraction runs on it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Longest byline text accepted from the markup (trafilatura's limit).
MAX_AUTHOR_CHARS = 120


@dataclass
class PageMetadata:
    """What a page says about itself; each field ``None`` when it says nothing."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None


def page_metadata(tree: Any, url: str | None = None, date_params: dict[str, Any] | None = None) -> PageMetadata:
    """The metadata of the parsed page ``tree`` (an lxml HTML tree, left unchanged).

    :param url: the page's URL when known; the canonical link wins over it.
    :param date_params: htmldate's options (``trafilatura.settings.set_date_params``).
    :returns: the five fields, trimmed as trafilatura trims them.
    """
    from htmldate import find_date
    from trafilatura.json_metadata import normalize_authors
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_domain,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )
    from trafilatura.settings import set_date_params

    date_config = {**date_params} if date_params else set_date_params(False)
    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None  # a single word is a handle or a site, not a byline
    try:
        found = extract_meta_json(tree, found)
    except Exception:  # noqa: BLE001 - trafilatura's JSON-LD reader has bugs; the rest still counts
        pass
    if not found.title:
        found.title = extract_title(tree)
    if not found.author:
        byline = markup_byline(tree)
        found.author = normalize_authors(None, byline) if byline else None
    if not found.url:
        found.url = extract_url(tree, url)
    if found.url:
        found.hostname = extract_domain(found.url, fast=True)
    date_config["url"] = found.url
    found.date = find_date(tree, **date_config)
    if not found.sitename:
        found.sitename = extract_sitename(tree)
    if found.sitename:
        found.sitename = found.sitename.lstrip("@")
        if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
            found.sitename = found.sitename.title()
    elif found.url:
        match = META_URL.match(found.url)
        if match:
            found.sitename = match[1]
    found.clean_and_trim()
    return PageMetadata(found.title, found.author, found.date, found.sitename, found.url)


def markup_byline(tree: Any) -> str | None:
    """The first byline-like element's text, as trafilatura's ``extract_author`` finds it.

    trafilatura searches a deep copy of the page with comments, sidebars,
    figures, dates and the like cut out. Copying a 3,000-element tree costs
    more than the search, so this searches the page itself and passes over a
    match inside a part that would have been cut, reading its text without
    such parts (but with the text that follows them, as cutting keeps it).
    """
    from trafilatura.utils import trim
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

    cut: set[Any] | None = None
    for expression in AUTHOR_XPATHS:
        results = expression(tree)
        if not results:
            continue
        if cut is None:
            cut = {element for discard in AUTHOR_DISCARD_XPATHS for element in discard(tree)}
        for element in results:
            if _inside(element, cut):
                continue
            content = trim(" ".join(_text_without(element, cut)))
            if content and 2 < len(content) < MAX_AUTHOR_CHARS:
                return content
    return None


def _inside(element: Any, cut: set[Any]) -> bool:
    while element is not None:
        if element in cut:
            return True
        element = element.getparent()
    return False


def _text_without(element: Any, cut: set[Any]) -> list[str]:
    """``element.itertext()`` as if the elements in ``cut`` were deleted, tails kept.

    trafilatura's ``delete_element`` joins a deleted element's tail to the
    text before it, so that text and tail make one piece here too.
    """
    if not cut:
        return list(element.itertext())
    parts: list[str] = []

    def walk(node: Any) -> None:
        piece = node.text or "" if isinstance(node.tag, str) else ""
        for child in node:
            if child in cut:
                piece += child.tail or ""
                continue
            if piece:
                parts.append(piece)
            walk(child)
            piece = child.tail or ""
        if piece:
            parts.append(piece)

    walk(element)
    return parts
