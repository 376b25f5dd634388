"""The extract stage's parser gives the tree trafilatura's own ``load_html`` gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from plugins.page_parser import PAGE_PARSER, parse_page

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
    assert {type(element) for element in tree.iter()} == {HtmlElement}
    # Copies (trafilatura works on copies) keep the parser, hence the lookup.
    assert {type(element) for element in etree.ElementTree(tree).getroot().__copy__().iter()} == {HtmlElement}
    assert PAGE_PARSER.error_log is not None
