"""The page parser for the extract stage: trafilatura's ``load_html``, made cheaper.

``lxml.html`` decides the Python class of every element it hands out by
calling a Python method (``HtmlElementClassLookup.lookup``) so that form
fields get their own classes. trafilatura and newsdigest never use those
classes, but pay for the call each time an element is touched: about a
tenth of trafilatura's own extraction time. This parser gives every element
the plain :class:`lxml.html.HtmlElement` class through lxml's C-level
lookup instead. Copies of the tree (trafilatura works on copies) keep the
parser, so the whole extraction runs without the callback; the text it
finds is the same (identical on all 709 WCXB development pages).

The class is :class:`PageElement`, an ``HtmlElement`` whose
``text_content()`` (called some 500 times a page by trafilatura and its
readability port) serialises the element as text in C rather than running an
XPath ``string()``: the same string, in half the time.

:func:`parse_page` follows ``trafilatura.utils.load_html`` step for step
(same decoding, repairs and rejection of non-HTML); only the parser differs.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HTMLParser, HtmlEntity, HtmlProcessingInstruction, fromstring


class PageElement(HtmlElement):
    """An element of a parsed page: an ``HtmlElement`` with a cheaper ``text_content()``."""

    def text_content(self) -> str:
        """The text of the element and of everything in it, without its tail (XPath's ``string()``).

        lxml's own runs a compiled XPath, about 4 µs a call; serialising as
        text takes half that, and an element without children is its text.
        """
        if not len(self):
            return self.text or ""
        return etree.tostring(self, method="text", encoding="unicode", with_tail=False)


#: trafilatura's parser options (``trafilatura.utils.HTML_PARSER``), with a C-level class lookup.
PAGE_PARSER = HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
)
PAGE_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=PageElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
)


def parse_page(html: bytes | str) -> Any | None:
    """The page's lxml tree, or ``None`` when it is not HTML (as ``load_html`` decides)."""
    from trafilatura.utils import decode_file, handle_compressed_file, is_dubious_html

    # decode_file, keeping the bytes when they are UTF-8
    text, utf8 = None, None
    if isinstance(html, bytes):
        raw = handle_compressed_file(html)
        try:
            text, utf8 = raw.decode("utf-8"), raw
        except UnicodeDecodeError:
            pass
    if text is None:
        text = decode_file(html)
    beginning = text[:50].lower()
    dubious = is_dubious_html(beginning)
    # A UTF-8 page that needs none of load_html's repairs (nearly all) is
    # parsed from its bytes: the same tree, without a pass of the repair
    # regex over the whole page and the parser's re-encoding of the string.
    text, repaired = _repair(text, beginning, clean_chars=utf8 is not None and not _has_invalid_xml_bytes(utf8))
    source: bytes | str = utf8 if utf8 is not None and not repaired else text
    tree = None
    from_bytes = False
    try:
        tree = fromstring(source, parser=PAGE_PARSER)
    except ValueError:
        # "Unicode strings with encoding declaration are not supported."
        tree = _from_bytes(text)
        from_bytes = True
    except Exception:  # noqa: BLE001 - libxml2 gives up on some inputs; load_html logs and goes on
        tree = None
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _from_bytes(text)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


def _repair(text: str, beginning: str, clean_chars: bool) -> tuple[str, bool]:
    """``trafilatura.utils.repair_faulty_html``, saying whether it changed anything.

    ``clean_chars``: the page is known to hold no character XML forbids, so
    the pass that removes them is skipped.
    """
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, INVALID_XML_CHARS

    original = text
    if not clean_chars:
        text = INVALID_XML_CHARS.sub("", text)
    if "doctype" in beginning:
        firstline, _, rest = text.partition("\n")
        text = DOCTYPE_TAG.sub("", firstline, count=1) + "\n" + rest
    for line in text[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            text = FAULTY_HTML.sub(r"\1>", text, count=1)
            break
    return text, text != original


#: The bytes of the characters ``INVALID_XML_CHARS`` removes: C0 controls but
#: tab, newlines and carriage return (U+FFFE and U+FFFF are tested apart).
_INVALID_XML_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _has_invalid_xml_bytes(data: bytes) -> bool:
    """Whether UTF-8 ``data`` holds a character ``INVALID_XML_CHARS`` matches."""
    return (
        len(data.translate(None, _INVALID_XML_BYTES)) != len(data)
        or b"\xef\xbf\xbe" in data
        or b"\xef\xbf\xbf" in data
    )


def _from_bytes(text: str) -> Any | None:
    try:
        return fromstring(text.encode("utf8", "surrogatepass"), parser=PAGE_PARSER)
    except Exception:  # noqa: BLE001 - as above
        return None
