"""A page's title, author, date, site name and URL, for the extract stage.

trafilatura's ``extract_metadata`` also finds categories, tags and a
licence, which newsdigest never uses, and looks for a byline in the page's
markup by deep-copying the whole tree and running XPath searches whose
regular-expression tests call back into Python for every element: 8 ms
on each page whose meta tags name no author (half the WCXB pages), on
top of about 25 ms of body extraction. This module runs the same steps for
the five fields newsdigest keeps, in the same order and with the same
trafilatura functions, so the values are the same (identical fields on all
709 WCXB development pages), in a quarter of the time (8.1 ms a page
against 34.9, timed in turn in one process):

1. ``<meta>`` tags (Open Graph, Dublin Core, ``article:*``, ``author``, ...);
2. JSON-LD, which overrides them where it says more (read as trafilatura
   reads it, with its two slowest text passes done faster:
   :func:`json_ld_metadata`);
3. title from the markup (one ``<h1>``, title-like elements, ``<title>``)
   when still missing;
4. byline from the markup when still missing: trafilatura's three searches
   and its cuts (comments, sidebars, figures, ``<time>``), as plain Python
   tests on the few elements whose attributes could match, on the page
   itself rather than a copy (:func:`markup_byline`);
5. canonical URL, the date (htmldate, with the caller's settings) and the
   site name.

Nothing here changes the tree: the body extraction runs on it afterwards.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from lxml.etree import XPath

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
        found = json_ld_metadata(tree, found)
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


#: The JSON-LD scripts, as trafilatura's ``extract_meta_json`` selects them.
_JSON_SCRIPTS = XPath('.//script[@type="application/ld+json" or @type="application/settings+json"]')
#: A JSON string literal, escapes and all: trafilatura's ``JSON_MINIFY`` without its white-space branch.
_JSON_STRING = re.compile(r'("(?:\\.|[^"\\])*")')
_SURROGATES = re.compile("[\ud800-\udfff]")


def json_ld_metadata(tree: Any, found: Any) -> Any:
    """trafilatura's ``extract_meta_json``: ``found`` (its metadata document) updated from the JSON-LD.

    The same steps on the same text, two of them done faster (0.41 ms a
    page against 0.74; the same fields on 777 dev pages):

    - minifying: trafilatura's regular expression matches every white-space
      character outside a string on its own and fills in a template for
      each; here the text is split at its string literals (found the same
      way, by the same pattern) and the pieces between them lose their white
      space through ``str.split``, which knows the same white space as
      ``\\s`` (Python's Unicode white space);
    - dropping lone surrogates left by ``\\u`` escapes: one regular-expression
      pass instead of a Python test on every character.

    Parsing and reading the JSON are trafilatura's own functions.
    """
    from trafilatura.json_metadata import extract_json, extract_json_parse_error

    for element in _JSON_SCRIPTS(tree):
        if not element.text:
            continue
        text = _normalized_json(_minified_json(element.text))
        try:
            found = extract_json(json.loads(text, strict=False), found)
        except json.JSONDecodeError:
            found = extract_json_parse_error(text, found)
    return found


def _minified_json(text: str) -> str:
    """``JSON_MINIFY.sub(r"\\1", text)``: white space out, but inside strings."""
    parts = _JSON_STRING.split(text)
    parts[::2] = ["".join(part.split()) for part in parts[::2]]
    return "".join(parts)


def _normalized_json(text: str) -> str:
    """trafilatura's ``normalize_json``, its surrogate filter one regex pass."""
    from trafilatura.json_metadata import JSON_UNICODE_REPLACE
    from trafilatura.utils import HTML_STRIP_TAGS, trim

    if "\\" in text:
        text = text.replace("\\n", "").replace("\\r", "").replace("\\t", "")
        text = JSON_UNICODE_REPLACE.sub(lambda match: chr(int(match[1], 16)), text)
        text = _SURROGATES.sub("", text)
        text = unescape(text)
    return trim(HTML_STRIP_TAGS.sub("", text))


def markup_byline(tree: Any) -> str | None:
    """The first byline-like element's text, as trafilatura's ``extract_author`` finds it.

    trafilatura deep-copies the page, cuts comments, sidebars, figures,
    dates and the like out of the copy, and runs three XPath searches whose
    regular-expression tests call back into Python for every element of the
    page: 8 ms a page, more than the rest of the metadata together. The same
    tests run here in Python, on the few elements whose attributes could
    match, without the copy: a match inside a part that would have been cut
    is passed over, and a match's text is read without such parts (but with
    the text that follows them, as cutting keeps it). Whether an element
    would be cut is asked only of the match's ancestors and descendants, not
    of the whole page. :data:`_BYLINE_SEARCHES` and :func:`_is_cut` mirror
    trafilatura 2.3's ``AUTHOR_XPATHS`` and ``AUTHOR_DISCARD_XPATHS``; the
    tests compare the two on every kind of match.
    """
    from trafilatura.utils import trim

    candidates = _byline_candidates(tree)
    for search in _BYLINE_SEARCHES:
        for element in candidates:
            if not search(element) or _inside_a_cut(element, tree):
                continue
            content = trim(" ".join(_text_without_cuts(element)))
            if content and 2 < len(content) < MAX_AUTHOR_CHARS:
                return content
    return None


#: The attributes the byline searches test: per attribute, its values on
#: every element, as plain strings and as strings that know their element.
#: Only under the element given, as in trafilatura's copy of it: a broken
#: page can have a second ``<html>`` after the first, which ``//`` would reach.
def _attribute_values(name: str) -> tuple[XPath, XPath]:
    path = f"descendant-or-self::*/@{name}"
    return XPath(path, smart_strings=False), XPath(path)


_BYLINE_ATTRIBUTES = tuple(
    _attribute_values(name) for name in ("class", "id", "data-component", "itemprop", "data-testid")
)
_REL_VALUES = _attribute_values("rel")
#: Every word the searches' attribute tests need (but ``rel="author"``): an
#: element with none of them in its attributes cannot match.
_MAYBE_BYLINE = re.compile(
    "uthor|zuozhe|bianji|xiaobian|byl|Byline|BBL|username|channel-name|submitted-by|posted-by"
    "|journalist-name|screenname|writer"
)
#: Joins attribute values, which cannot hold it (XML has no NUL character).
_SEPARATOR = "\x00"
_NAME_CLASS = re.compile("author-?name|AuthorName|authorName").search
_BYLINE_ID = re.compile("author|zuozhe|bianji|xiaobian").search
_BYLINE_CLASS = re.compile(
    "author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
).search
_ANY_ID = re.compile("[Aa]uthor").search
_ANY_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline").search
_SPECIFIC_TAGS = frozenset(("a", "address", "div", "link", "p", "span", "strong"))
_GENERIC_TAGS = frozenset(("a", "div", "h3", "h4", "p", "span"))
_CUT_TAGS = frozenset(("a", "div", "section", "span"))
_CUT_ID = re.compile("^comments|comment-?list|ProductReviews").search
_CUT_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
    "|article-(?:share|support)|print|category|meta-date|meta-reviewer"
).search


def _specific(element: Any) -> bool:
    """``AUTHOR_XPATHS[0]``: ``rel="author"``, ``class="author"``, author-name classes, ``<author>``."""
    if element.tag == "author":
        return True
    if element.tag not in _SPECIFIC_TAGS:
        return False
    get = element.get
    return (
        get("rel") == "author"
        or get("id") == "author"
        or get("class") == "author"
        or get("itemprop") == "author name"
        or any(child.text_content() == "me" for child in element.iterchildren("rel"))
        or get("data-testid") in ("AuthorCard", "AuthorURL")
        or bool(_NAME_CLASS(get("class") or ""))
    )


def _generic(element: Any) -> bool:
    """``AUTHOR_XPATHS[1]``: bylines, usernames, author-ish ids and classes on text elements."""
    if element.tag not in _GENERIC_TAGS:
        return False
    get = element.get
    return (
        get("class") in ("byline", "username", "byl", "BBL")
        or "author" in (get("itemprop") or "")
        or bool(_BYLINE_ID(get("id") or ""))
        or bool(_BYLINE_CLASS(get("class") or ""))
    )


def _last_resort(element: Any) -> bool:
    """``AUTHOR_XPATHS[2]``: any element with an author, writer or byline mark."""
    get = element.get
    return (
        "Byline" in (get("data-component") or "")
        or "author" in (get("itemprop") or "")
        or bool(_ANY_ID(get("id") or ""))
        or bool(_ANY_CLASS(get("class") or ""))
    )


#: The searches of ``AUTHOR_XPATHS``, in trafilatura's order.
_BYLINE_SEARCHES = (_specific, _generic, _last_resort)


def _is_cut(element: Any) -> bool:
    """Whether ``AUTHOR_DISCARD_XPATHS`` would cut ``element`` from trafilatura's copy."""
    tag = element.tag
    if tag in ("time", "figure"):
        return True
    if tag not in _CUT_TAGS:
        return False
    get = element.get
    return (
        get("id") == "comments"
        or get("class") in ("comments", "title", "date")
        or bool(_CUT_ID(get("id") or ""))
        or bool(_CUT_CLASS(get("class") or ""))
        or "Figure" in (get("data-component") or "")
    )


def _byline_candidates(tree: Any) -> list[Any]:
    """A superset, in document order, of the elements a byline search can match.

    Each attribute's values come from one XPath as plain strings, and one
    regular-expression pass over them joined finds the few that can matter;
    only then are the values fetched again as strings that know their
    element. Testing every element in XPath (``contains()``, or a union of
    the attribute sets, which libxml2 sorts) or in Python (an object per
    element) costs several times more.
    """
    # Each list is in document order; together they are sorted, unless only one has any.
    lists: list[list[Any]] = []
    for plain, located in _BYLINE_ATTRIBUTES:
        hits = _matching(plain(tree), _MAYBE_BYLINE)
        if hits:
            values = located(tree)
            lists.append([values[index].getparent() for index in hits])
    plain, located = _REL_VALUES
    rel = plain(tree)
    if "author" in rel:
        values = located(tree)
        lists.append([values[index].getparent() for index, value in enumerate(rel) if value == "author"])
    lists.append(list(tree.iter("author")))
    # Elements with a <rel> child: not in document order when one holds another.
    with_rel = [element.getparent() for element in tree.iter("rel") if element is not tree]
    lists = [found for found in lists if found]
    if not with_rel and len(lists) < 2:
        return lists[0] if lists else []
    found = dict.fromkeys(element for found in [*lists, with_rel] for element in found)
    return sorted(found, key=_document_position)


def _matching(values: list[str], pattern: re.Pattern[str]) -> list[int]:
    """The indexes of the values in which ``pattern`` finds a match, in one search of them all."""
    joined = _SEPARATOR.join(values)
    hits: list[int] = []
    index = counted = 0  # the value that starts at ``counted``
    for match in pattern.finditer(joined):
        start = match.start()
        if start < counted:
            continue  # another match in a value already taken
        index += joined.count(_SEPARATOR, counted, start)
        hits.append(index)
        end = joined.find(_SEPARATOR, start)
        if end < 0:
            break
        index += 1
        counted = end + 1
    return hits


def _document_position(element: Any) -> list[int]:
    """A key that sorts elements of one tree in document order: the child indexes down to it."""
    position = []
    parent = element.getparent()
    while parent is not None:
        position.append(parent.index(element))
        element, parent = parent, parent.getparent()
    position.reverse()
    return position


def _inside_a_cut(element: Any, tree: Any) -> bool:
    """Whether ``element`` or an ancestor of it, up to ``tree``, would be cut."""
    while element is not None:
        if _is_cut(element):
            return True
        if element is tree:
            return False
        element = element.getparent()
    return False


def _text_without_cuts(element: Any) -> list[str]:
    """``element.itertext()`` as if the elements :func:`_is_cut` finds were deleted, tails kept.

    trafilatura's ``delete_element`` joins a deleted element's tail to the
    text before it, so that text and tail make one piece here too.
    """
    parts: list[str] = []

    def walk(node: Any) -> None:
        piece = node.text or "" if isinstance(node.tag, str) else ""
        for child in node:
            if isinstance(child.tag, str) and _is_cut(child):
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
