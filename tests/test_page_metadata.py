"""plugins.page_metadata gives trafilatura's title, author, date, site name and URL, faster.

Its values must be the ones trafilatura's ``extract_metadata`` gives, so each
test compares the two on the same page: inline pages built to hit each of
the byline searches and cuts, the repository's fixture pages, and (when the
shared data is there) real pages.
"""

from __future__ import annotations

import gzip
from copy import deepcopy
from pathlib import Path

import pytest
from lxml import etree
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.metadata import extract_metadata, extract_metainfo
from trafilatura.settings import set_date_params
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from pipeline.config import Config
from pipeline.document import Document
from pipeline.runner import Pipeline
from plugins.page_metadata import markup_byline, page_metadata

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_PAGES = sorted((ROOT / "fixtures" / "pages").glob("*.html"))
SHARED_PAGES = ROOT.parent / "shared" / "data" / "extraction" / "pages"
FIELDS = ("title", "author", "date", "sitename", "url")


def trafilatura_byline(tree) -> str | None:
    """What trafilatura's ``extract_author`` reads before normalising."""
    pruned = prune_unwanted_nodes(deepcopy(tree), AUTHOR_DISCARD_XPATHS)
    return extract_metainfo(pruned, AUTHOR_XPATHS, len_limit=120)


def page(body: str, head: str = "<title>A story - Example News</title>") -> str:
    return f"<html><head>{head}</head><body>{body}<p>{'Words of the story. ' * 30}</p></body></html>"


BYLINE_PAGES = {
    "rel author link": page('<p>By <a rel="author" href="/jane">Jane Doe</a></p>'),
    "byline class": page('<div class="byline">By Maria Lopez and Tom Hart</div>'),
    "author-name class": page('<span class="post-author-name">Kofi Mensah</span>'),
    "itemprop author": page('<span itemprop="author">Ana Silva</span>'),
    "last resort writer class": page('<section class="story-writer">Li Wei</section>'),
    "data-component byline": page('<section data-component="Byline">Omar Haddad</section>'),
    "inside comments is cut": page(
        '<div id="comments"><span class="author">Commenter Name</span></div>'
        '<p class="byline">Real Reporter</p>'
    ),
    "time inside byline is cut, tail kept": page(
        '<div class="byline">Sam Reed<time>May 3</time> reporting</div>'
    ),
    "figure caption credit is cut": page(
        '<figure><span class="author">Photo Person</span></figure><div class="author">Text Writer</div>'
    ),
    "too long is skipped": page(
        f'<div class="author">{"x" * 130}</div><span class="author-bio">Short Name</span>'
    ),
    "no byline": page("<p>Nothing about who wrote it.</p>"),
    # Candidates from several attributes and tags are taken in document order.
    "class before rel author": page(
        '<span class="post-author-name">Class First</span><p>By <a rel="author" href="/b">Rel Second</a></p>'
    ),
    "rel author before class": page(
        '<p>By <a rel="author" href="/a">Rel First</a></p><span class="post-author-name">Class Second</span>'
    ),
    "author tag after an itemprop": page('<span itemprop="author name">Item First</span><author>Tag Second</author>'),
    "rel children, outer one later": page(
        '<div><p><span>Inner Writer<rel>me</rel></span></p><rel>me</rel> Outer Writer</div>'
    ),
    "two cues in one value, then another": page(
        '<div class="author byline-box" id="writer-1"><span>Joint Writer</span></div>'
        '<p class="username">Second Handle</p>'
    ),
    "second html after the first": page('<div class="byline">First Page Author</div>')
    + '<html><body><div class="byline">Second Page Author</div></body></html>',
    "only the second html has one": page("<p>none here</p>")
    + '<html><body><div class="byline">Second Page Author</div></body></html>',
}


@pytest.mark.parametrize("name", sorted(BYLINE_PAGES))
def test_markup_byline_is_trafilaturas(name: str) -> None:
    tree = load_html(BYLINE_PAGES[name])
    assert markup_byline(tree) == trafilatura_byline(tree)


def test_matching_values_are_found_in_one_search() -> None:
    from plugins.page_metadata import _MAYBE_BYLINE, _matching

    assert _matching(["a", "author byline", "x", "writer", "byl"], _MAYBE_BYLINE) == [1, 3, 4]
    assert _matching(["author"], _MAYBE_BYLINE) == [0]
    assert _matching(["", "", "posted-by"], _MAYBE_BYLINE) == [2]
    assert _matching(["nothing", "here"], _MAYBE_BYLINE) == []
    assert _matching([], _MAYBE_BYLINE) == []


def test_markup_byline_finds_and_cuts() -> None:
    # Not only equal to trafilatura: right about these pages.
    assert markup_byline(load_html(BYLINE_PAGES["inside comments is cut"])) == "Real Reporter"
    assert markup_byline(load_html(BYLINE_PAGES["time inside byline is cut, tail kept"])) == "Sam Reed reporting"
    assert markup_byline(load_html(BYLINE_PAGES["no byline"])) is None


def test_meta_tags_and_json_ld() -> None:
    head = (
        "<title>Council votes on bikes | The Daily Example</title>"
        '<meta property="og:title" content="Council votes on bike lanes">'
        '<meta property="og:site_name" content="The Daily Example">'
        '<meta name="author" content="Priya Natarajan">'
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        '<link rel="canonical" href="https://daily.example.com/2024/03/05/bikes">'
    )
    found = page_metadata(load_html(page("<h1>Council votes</h1>", head)))
    assert found.title == "Council votes on bike lanes"
    assert found.author == "Priya Natarajan"
    assert found.date == "2024-03-05"
    assert found.sitename == "The Daily Example"
    assert found.url == "https://daily.example.com/2024/03/05/bikes"


def test_leaves_the_tree_unchanged() -> None:
    html = BYLINE_PAGES["time inside byline is cut, tail kept"]
    tree = load_html(html)
    before = etree.tostring(tree)
    page_metadata(tree)
    assert etree.tostring(tree) == before


def _same_as_trafilatura(tree_source) -> None:
    params = set_date_params(False)
    ours = page_metadata(load_html(tree_source), None, params)
    theirs = extract_metadata(load_html(tree_source), None, params)
    assert {f: getattr(ours, f) for f in FIELDS} == {f: getattr(theirs, f) for f in FIELDS}


@pytest.mark.parametrize("name", sorted(BYLINE_PAGES))
def test_inline_pages_match_extract_metadata(name: str) -> None:
    _same_as_trafilatura(BYLINE_PAGES[name])


@pytest.mark.parametrize("path", FIXTURE_PAGES, ids=lambda p: p.name)
def test_fixture_pages_match_extract_metadata(path: Path) -> None:
    html = path.read_bytes()
    if not html.strip():
        pytest.skip("empty page")
    _same_as_trafilatura(html)


@pytest.mark.skipif(not SHARED_PAGES.is_dir(), reason=f"shared data not found at {SHARED_PAGES}")
def test_shared_pages_match_extract_metadata() -> None:
    for path in sorted(SHARED_PAGES.glob("*.html.gz"))[:40]:
        html = gzip.decompress(path.read_bytes())
        tree = load_html(html)
        assert markup_byline(tree) == trafilatura_byline(tree), path.name
        _same_as_trafilatura(html)


@pytest.mark.parametrize("fast", [False, True, "auto"])
def test_extract_fast_option(fast) -> None:
    config = Config()
    config.set("extract", "fast", fast)
    config.stages = ["extract"]
    html = page('<div class="byline">Jane Doe Smith</div>', '<title>A story - Example News</title>')
    outcome = Pipeline(config).process(Document(id="1", html=html))
    assert outcome.reject is None
    assert "Words of the story." in outcome.document.text
    assert outcome.document.author == "Jane Doe Smith"


JSON_TEXTS = {
    "pretty-printed": '{\n  "@type": "NewsArticle",\n  "headline": "A  spaced   headline",\n  "author": {"name": "Jo Bloggs"}\n}',
    "escaped quotes and backslashes": '{"headline": "He said \\"no\\" \\\\ twice", "x" : [ 1 , 2 ]}',
    "unterminated string": '{"headline": "never closed  , "a b": 1 }',
    "unicode white space outside strings": '{\u2009"a":\u00a0"b c",\x1c"d":\u3000"e"}',
    "escapes to normalise": '{"headline": "caf\\u00e9\\nline\\ttab \\ud83d lone &amp; <b>bold</b>"}',
    "no backslash": '{"headline": "<i>Tagged</i>   title"}',
}


@pytest.mark.parametrize("name", sorted(JSON_TEXTS))
def test_json_ld_text_is_prepared_as_trafilatura_prepares_it(name: str) -> None:
    from trafilatura.json_metadata import normalize_json
    from trafilatura.metadata import JSON_MINIFY

    from plugins.page_metadata import _minified_json, _normalized_json

    text = JSON_TEXTS[name]
    assert _minified_json(text) == JSON_MINIFY.sub(r"\1", text)
    assert _normalized_json(_minified_json(text)) == normalize_json(JSON_MINIFY.sub(r"\1", text))


def _json_ld_fields(tree, reader) -> dict:
    from trafilatura.metadata import examine_meta

    found = reader(tree, examine_meta(tree))
    return {name: getattr(found, name) for name in found.__slots__ if name not in ("body", "commentsbody")}


def test_json_ld_metadata_is_extract_meta_json() -> None:
    from trafilatura.metadata import extract_meta_json

    from plugins.page_metadata import json_ld_metadata

    scripts = [
        '{"@type": "NewsArticle", "headline": "Bridge reopens", "author": {"@type": "Person", "name": "Ana Silva"},'
        ' "datePublished": "2024-05-01", "publisher": {"@type": "Organization", "name": "Example Times"}}',
        '{"@graph": [{"@type": "WebPage", "name": "Site"}, {"@type": "Article", "headline": "H\\u00e9llo",'
        ' "author": [{"name": "A One"}, {"name": "B Two"}]}]}',
        '{"@type": "NewsArticle", "headline": "Broken, "author": "x"',  # not JSON: the fallback reader
    ]
    pages = [page("<p>x</p>", f'<script type="application/ld+json">{script}</script>') for script in scripts]
    pages += [path.read_bytes() for path in FIXTURE_PAGES]
    for html in pages:
        if not html.strip():
            continue
        tree = load_html(html)
        assert _json_ld_fields(tree, json_ld_metadata) == _json_ld_fields(tree, extract_meta_json)


@pytest.mark.skipif(not SHARED_PAGES.is_dir(), reason=f"shared data not found at {SHARED_PAGES}")
def test_json_ld_metadata_is_extract_meta_json_on_real_pages() -> None:
    from trafilatura.metadata import extract_meta_json

    from plugins.page_metadata import json_ld_metadata

    for path in sorted(SHARED_PAGES.glob("*.html.gz")):
        tree = load_html(gzip.decompress(path.read_bytes()))
        assert _json_ld_fields(tree, json_ld_metadata) == _json_ld_fields(tree, extract_meta_json), path.name
