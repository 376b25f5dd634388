"""The extract stage's parser gives the tree trafilatura's own ``load_html`` gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from plugins.page_parser import PAGE_PARSER, PageElement, parse_page

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

ODD_PAGES = {
    "plain utf-8": "<html><body><p>Café crème — «brûlée»</p></body></html>".encode(),
    "windows-1252 bytes": "<html><head><meta charset='windows-1252'></head><body><p>Café crème brûlée, "
    "über Straße</p></body></html>".encode("cp1252"),
    "control characters": b"<html><body><p>a\x01b\x0bc\x1fd</p></body></html>",
    "U+FFFE and U+FFFF": "<html><body><p>a\ufffeb\uffffc</p></body></html>".encode(),
    "doctype with a slash": b"<!DOCTYPE html/>\n<html><body><p>text</p></body></html>",
    "self-closing html": b"<html lang='en'/>\n<body><p>text</p></body>",
    "xml declaration, str": "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
    "xml declaration, bytes": b"<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
    "str input": "<html><body><p>ünïcödé text</p></body></html>",
    "not html": b"just a line of text",
    "one fragment": "<p>only a paragraph</p>",
    "empty": b"",
}


def _serialised(tree) -> bytes | None:
    return None if tree is None else etree.tostring(tree)


@pytest.mark.parametrize("name", sorted(ODD_PAGES))
def test_same_tree_as_load_html_on_odd_pages(name):
    page = ODD_PAGES[name]
    assert _serialised(parse_page(page)) == _serialised(load_html(page))


def test_same_tree_as_load_html_on_the_fixture_pages():
    pages = sorted((FIXTURES / "pages").glob("*.html"))
    assert pages
    for path in pages:
        page = path.read_bytes()
        assert _serialised(parse_page(page)) == _serialised(load_html(page)), path.name


def test_elements_are_plain_html_elements_looked_up_in_c():
    tree = parse_page(b"<html><body><form><input name='q'><select><option>a</option></select></form></body></html>")
    # lxml.html's Python lookup would give InputElement / SelectElement here.
    assert {type(element) for element in tree.iter()} == {PageElement}
    assert isinstance(tree, HtmlElement)  # what trafilatura and htmldate test for
    # Copies (trafilatura works on copies) keep the parser, hence the lookup.
    assert {type(element) for element in etree.ElementTree(tree).getroot().__copy__().iter()} == {PageElement}
    assert PAGE_PARSER.error_log is not None


_STRING_VALUE = etree.XPath("string()", smart_strings=False)

TEXT_CONTENT_PAGES = {
    "nested inline": "<p>One <b>two <i>three</i> four</b> five</p>",
    "tails are the parent's, not the element's": "<div><p>in</p>after<p>in again</p>end</div>",
    "empty and text-less elements": "<div><p></p><br><img src='x'><p> </p></div>",
    "a leaf": "<p>Just text, no children.</p>",
    "entities and non-ASCII": "<p>caf&eacute; &amp; cr&egrave;me &#8212; <span>&lt;tag&gt;</span> 日本語</p>",
    "scripts and styles": "<div><script>var a = '<p>';</script><style>p{}</style>text</div>",
    "tables and lists": "<table><tr><td>a</td><td>b<ul><li>c</li></ul></td></tr></table>",
}


@pytest.mark.parametrize("name", sorted(TEXT_CONTENT_PAGES))
def test_text_content_is_the_string_value(name):
    tree = parse_page(f"<html><body>{TEXT_CONTENT_PAGES[name]}</body></html>")
    for element in tree.iter():
        assert element.text_content() == _STRING_VALUE(element), etree.tostring(element)
        assert type(element.text_content()) is str


def test_text_content_is_the_string_value_on_the_fixture_pages():
    pages = sorted((FIXTURES / "pages").glob("*.html"))
    for path in pages:
        tree = parse_page(path.read_bytes())
        if tree is None:
            continue
        for element in tree.iter():
            assert element.text_content() == _STRING_VALUE(element), path.name


SHARED_PAGES = Path(__file__).resolve().parents[2] / "shared" / "data" / "extraction" / "pages"


@pytest.mark.skipif(not SHARED_PAGES.is_dir(), reason=f"shared data not found at {SHARED_PAGES}")
def test_text_content_is_the_string_value_on_real_pages():
    import gzip

    for path in sorted(SHARED_PAGES.glob("*.html.gz"))[:40]:
        tree = parse_page(gzip.decompress(path.read_bytes()))
        for element in tree.iter():
            assert element.text_content() == _STRING_VALUE(element), path.name
