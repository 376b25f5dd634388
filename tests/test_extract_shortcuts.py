"""The extract stage's shortcuts change its cost, never its result.

Scripts and styles leave the page before trafilatura copies it; a page with
few tags is not counted element by element; the declared language is read
from the ``<meta>`` elements without an XPath test of every element. Each
must give what the long way gives, on the project's pages and, when
present, the labelled ones.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from lxml.html import document_fromstring
from trafilatura import bare_extraction

from plugins.extract import _LANG_CODE, _elements_at_most, declared_language, drop_scripts_and_styles
from plugins.page_parser import PAGE_PARSER, parse_page

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED_PAGES = ROOT.parent / "shared" / "data" / "extraction" / "pages"

SCRIPTED = b"""<html><head><title>t</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Kept"}</script>
<script>var tracking = "never text";</script><style>p { color: red }</style></head>
<body><article><p>First words<script>document.write("x")</script> and the rest of the sentence.</p>
<style>.x{}</style>Tail after a style.<p>Another paragraph of the story, long enough to count.</p></article></body></html>"""


def _page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _text(tree) -> str | None:
    result = bare_extraction(tree, with_metadata=False, include_comments=False)
    return None if result is None else result.text


def test_scripts_and_styles_go_json_ld_and_the_text_after_them_stay():
    tree = parse_page(SCRIPTED)
    drop_scripts_and_styles(tree)
    assert [script.get("type") for script in tree.iter("script")] == ["application/ld+json"]
    assert not list(tree.iter("style"))
    paragraph = tree.find(".//p")
    assert paragraph.text_content() == "First words and the rest of the sentence."
    assert "Tail after a style." in tree.find(".//article").text_content()


def _same_text_with_and_without_scripts(pages: list[Path]) -> None:
    assert pages
    for path in pages:
        page = _page(path)
        whole, stripped = parse_page(page), parse_page(page)
        if whole is None:
            continue
        drop_scripts_and_styles(stripped)
        assert _text(stripped) == _text(whole), path.name


def test_trafilatura_finds_the_same_text_without_scripts_and_styles_on_the_fixture_pages():
    pages = sorted(FIXTURES.rglob("*.html"))
    _same_text_with_and_without_scripts([path for path in pages if "expected" not in path.parts])


@pytest.mark.shared_data
@pytest.mark.skipif(not SHARED_PAGES.is_dir(), reason=f"labelled pages not found at {SHARED_PAGES}")
def test_trafilatura_finds_the_same_text_without_scripts_and_styles_on_labelled_pages():
    pages = sorted(SHARED_PAGES.glob("*.html.gz"))
    _same_text_with_and_without_scripts(pages[::7])


EDGE_PAGES = {
    "no tags": b"only text, no markup at all",
    "unclosed paragraphs": b"<p>" * 500,
    "text around the html element": b"before<html>inside<head>head text<body>body text",
    "implied cells": b"<table><tr><td>a<td>b" * 50,
    "stray text in head": b"<html><head>one<title>t</title>two<meta name=x>three</head></html>",
}


@pytest.mark.parametrize("name", sorted(EDGE_PAGES))
def test_the_element_bound_is_never_below_the_count(name):
    page = EDGE_PAGES[name]
    # The parser's own tree, even where the extract stage would refuse the page as not HTML.
    tree = document_fromstring(page, parser=PAGE_PARSER)
    exact = int(tree.xpath("count(//*)"))
    assert _elements_at_most(page, tree, limit=10**9) >= exact
    assert _elements_at_most(page.decode(), tree, limit=10**9) >= exact


def test_the_fixture_pages_hold_no_more_elements_than_the_bound():
    for path in sorted((FIXTURES / "pages").glob("*.html")):
        page = path.read_bytes()
        tree = parse_page(page)
        if tree is not None:
            assert _elements_at_most(page, tree, limit=10**9) >= int(tree.xpath("count(//*)")), path.name


def test_a_page_near_the_limit_is_counted_exactly():
    page = b"<html><body>" + b"<p>x</p>" * 400 + b"</body></html>"
    tree = parse_page(page)
    exact = int(tree.xpath("count(//*)"))
    # The bound (2 per tag) is over a limit of 500, so the real count decides.
    assert _elements_at_most(page, tree, limit=500) == exact == 402


#: The declared language as one XPath: the long way the extract stage reads it.
DECLARED_LANGUAGE_XPATH = (
    "/html/@lang | /html/@xml:lang"
    " | //meta[translate(@http-equiv,'CONTENTLAGU','contentlagu')='content-language']/@content"
    " | //meta[@property='og:locale']/@content"
)


def _declared_the_long_way(tree) -> str | None:
    for value in tree.xpath(DECLARED_LANGUAGE_XPATH):
        code = str(value).strip().replace("_", "-")
        if _LANG_CODE.match(code):
            return code.lower()
    return None


DECLARING_PAGES = {
    "html lang": (b'<html lang="de-AT"><body><p>x</p></body></html>', "de-at"),
    "http-equiv in capitals": (
        b'<html><head><meta HTTP-EQUIV="Content-Language" content="es"></head><body><p>x</p></body></html>',
        "es",
    ),
    "og:locale with an underscore": (
        b'<html><head><meta property="og:locale" content="pt_BR"></head><body><p>x</p></body></html>',
        "pt-br",
    ),
    "html lang before the meta tags": (
        b'<html lang="it"><head><meta property="og:locale" content="en_US"></head><body></body></html>',
        "it",
    ),
    "meta tags in document order": (
        b'<html><head><meta property="og:locale" content="nl_NL">'
        b'<meta http-equiv="content-language" content="en"></head><body></body></html>',
        "nl-nl",
    ),
    "a malformed code is passed over": (
        b'<html lang="English (US)"><head><meta http-equiv="content-language" content="sv">'
        b"</head><body></body></html>",
        "sv",
    ),
    "a meta tag in the body": (
        b'<html><body><p>x</p><meta property="og:locale" content="pl_PL"></body></html>',
        "pl-pl",
    ),
    "other meta tags only": (
        b'<html><head><meta name="language" content="de"><meta property="og:title" content="t">'
        b"<meta http-equiv=refresh content=5></head><body></body></html>",
        None,
    ),
    "a meta tag without content": (
        b'<html><head><meta property="og:locale"><meta property="og:locale" content="da_DK"></head></html>',
        "da-dk",
    ),
}


@pytest.mark.parametrize("name", sorted(DECLARING_PAGES))
def test_the_declared_language_is_what_the_xpath_finds(name):
    page, expected = DECLARING_PAGES[name]
    tree = document_fromstring(page, parser=PAGE_PARSER)
    assert declared_language(tree) == expected
    assert _declared_the_long_way(tree) == expected


def _same_declared_language(pages: list[Path]) -> int:
    declaring = 0
    for path in pages:
        tree = parse_page(_page(path))
        if tree is not None:
            found = declared_language(tree)
            assert found == _declared_the_long_way(tree), path.name
            declaring += found is not None
    return declaring


def test_the_fixture_pages_declare_the_same_language_either_way():
    pages = [path for path in sorted(FIXTURES.rglob("*.html")) if "expected" not in path.parts]
    assert _same_declared_language(pages) > 0


@pytest.mark.shared_data
@pytest.mark.skipif(not SHARED_PAGES.is_dir(), reason=f"labelled pages not found at {SHARED_PAGES}")
def test_the_labelled_pages_declare_the_same_language_either_way():
    pages = sorted(SHARED_PAGES.glob("*.html.gz"))
    assert _same_declared_language(pages) > len(pages) // 2
