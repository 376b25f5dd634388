"""Digests: reading output records, grouping, and rendering HTML, Markdown and JSON safely."""

from __future__ import annotations

import gzip
import json
import re
from html_elements import parse_html
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.digest import (
    DigestError,
    DigestStats,
    article_from_record,
    build_digest,
    day,
    digest_format,
    load_digest,
    read_records,
    render_json,
    safe_link,
    write_digest,
)
from pipeline.digest_html import render_html
from pipeline.digest_markdown import escape_markdown, render_markdown

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "digest" / "records.jsonl"
FIXTURE_ARTICLES = 17  # whole records in the fixture
FIXTURE_SKIPPED = 2  # a JSON list and the truncated last line


def record(id: str, **fields) -> dict:
    return {"id": id, "text": f"Body of {id}.", **fields}


# --- reading -----------------------------------------------------------------


def test_fixture_reads_with_truncated_last_line_skipped_and_counted():
    stats = DigestStats()
    records = list(read_records([FIXTURE], stats))
    assert len(records) == FIXTURE_ARTICLES == stats.records
    assert stats.skipped_lines == FIXTURE_SKIPPED
    assert stats.skipped_where[-1] == f"{FIXTURE}:{FIXTURE_ARTICLES + FIXTURE_SKIPPED}"
    assert all(isinstance(r, dict) for r in records)


def test_gzip_input_and_gzip_cut_short(tmp_path):
    whole = "".join(json.dumps(record(f"r{i}", title=f"Story {i}")) + "\n" for i in range(200))
    good = tmp_path / "out.jsonl.gz"
    good.write_bytes(gzip.compress(whole.encode()))
    stats = DigestStats()
    assert [r["id"] for r in read_records([good], stats)] == [f"r{i}" for i in range(200)]
    assert stats.skipped_lines == 0

    # An interrupted run leaves a gzip stream with no end: keep what is whole, count the break.
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    stats = DigestStats()
    ids = [r["id"] for r in read_records([cut], stats)]
    assert 0 < len(ids) < 200
    assert ids == [f"r{i}" for i in range(len(ids))]
    assert stats.skipped_lines >= 1


def test_blank_lines_are_not_counted_and_bad_utf8_does_not_lose_the_file(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b"\n" + json.dumps(record("a")).encode() + b"\n\n"
                     + b'{"id": "b", "title": "caf\xe9"}\n')
    stats = DigestStats()
    records = list(read_records([path], stats))
    assert [r["id"] for r in records] == ["a", "b"]
    assert records[1]["title"] == "caf\ufffd"
    assert stats.skipped_lines == 0


def test_a_garbage_file_is_counted_not_listed_line_by_line(tmp_path):
    path = tmp_path / "garbage.jsonl"
    path.write_text("".join(f"not json {i}\n" for i in range(500)) + json.dumps(record("a")) + "\n")
    stats = DigestStats()
    assert [r["id"] for r in read_records([path], stats)] == ["a"]
    assert stats.skipped_lines == 500
    assert stats.skipped_where[:2] == [f"{path}:1", f"{path}:2"] and len(stats.skipped_where) < 500


def test_compression_is_told_by_content_not_name(tmp_path):
    line = json.dumps(record("a")) + "\n"
    plain_named_gz, gz_named_plain = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl"
    plain_named_gz.write_text(line)
    gz_named_plain.write_bytes(gzip.compress(line.encode()))
    stats = DigestStats()
    assert [r["id"] for r in read_records([plain_named_gz, gz_named_plain], stats)] == ["a", "a"]
    assert stats.skipped_lines == 0


def test_several_inputs_are_read_in_order(tmp_path):
    first, second = tmp_path / "1.jsonl", tmp_path / "2.jsonl.gz"
    first.write_text(json.dumps(record("a")) + "\n")
    second.write_bytes(gzip.compress((json.dumps(record("b")) + "\n").encode()))
    stats = DigestStats()
    assert [r["id"] for r in read_records([first, second], stats)] == ["a", "b"]
    assert stats.files == 2


# --- links, dates, fields ------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["https://example.com/a", "http://example.com", "HTTPS://Example.com/x?q=1#f", "  https://example.com/pad  "],
)
def test_http_links_are_kept(url):
    assert safe_link(url) == url.strip()


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "https://exa\nmple.com/",  # a browser would drop the newline and go elsewhere than shown
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/relative/path",
        "ftp://files.example.org/x",
        "mailto:someone@example.com",
        "http:///no-host",
        "https://[::1",
    ],
)
def test_other_urls_are_never_links(url):
    assert safe_link(url) is None


def test_spaces_in_a_link_are_percent_encoded():
    assert safe_link("https://example.com/a b") == "https://example.com/a%20b"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2013-11-05T14:32:00+00:00", "2013-11-05"),
        ("2024-02-30", None),
        ("2024-13-45", None),
        ("yesterday", None),
        (20240301, None),
        (None, None),
    ],
)
def test_day(value, expected):
    assert day(value) == expected


def test_title_falls_back_to_first_words_then_id():
    long_text = " ".join(f"word{i}" for i in range(40))
    assert article_from_record({"id": "x", "text": long_text}).title == " ".join(f"word{i}" for i in range(12)) + " …"
    assert article_from_record({"id": "x", "text": "Short body."}).title == "Short body."
    assert article_from_record({"id": "x", "title": "  \n ", "url": "https://e.example/"}).title == "x"
    # Unspaced scripts are cut by characters, not words.
    assert len(article_from_record({"id": "x", "text": "中" * 500}).title) < 90


def test_fields_of_the_wrong_type_count_as_missing():
    article = article_from_record(
        {"id": 42, "title": ["not", "a", "string"], "summary": [None, 3, " ", "Kept."], "removed": "oops",
         "language": 7, "date": 20240301, "url": {"href": "https://x"}}
    )
    assert article.id == "42"
    assert article.title == "42"
    assert article.summary == ["Kept."]
    assert article.removed_total == 0
    assert (article.language, article.lang_tag, article.date, article.link) == ("und", "und", None, None)
    assert article_from_record({"metadata": {}}) is None


def test_records_with_nothing_to_show_are_ignored_and_counted():
    reject = {"id": "p1", "source": "x.html", "stage": "extract", "plugin": "extract", "error": "no article text found"}
    digest = build_digest([reject, record("a")])
    assert [a.id for a in digest.articles] == ["a"]
    assert digest.stats.ignored_records == 1


def test_newlines_in_scraped_strings_are_flattened():
    article = article_from_record(record("x", title="Line one\n# Line two", summary=["a\n\n- b"]))
    assert article.title == "Line one # Line two"
    assert article.summary == ["a - b"]


def test_lang_tag_prefers_the_variant_and_rejects_junk():
    assert article_from_record(record("x", language="zh", language_variant="zh-tw")).lang_tag == "zh-tw"
    assert article_from_record(record("x", language="pt", language_variant="pt_BR")).lang_tag == "pt-BR"
    junk = article_from_record(record("x", language='en" onclick="alert(1)'))
    assert (junk.language, junk.lang_tag) == ("und", "und")


# --- grouping ----------------------------------------------------------------


def test_group_by_site_uses_sitename_then_host_and_merges_case():
    digest = build_digest(
        [
            record("a", sitename="The Texas Tribune", date="2024-03-04"),
            record("b", sitename="the texas tribune", date="2024-03-05"),
            record("c", url="https://www.dw.com/de/x"),
            record("d"),
            record("e", sitename="Ärzte Zeitung"),
        ],
        "site",
    )
    assert [g.key for g in digest.groups] == ["dw.com", "The Texas Tribune", "Ärzte Zeitung", "unknown site"]
    assert [a.id for a in digest.groups[1].articles] == ["b", "a"]  # newest first
    assert digest.stats.groups == 4 and digest.stats.articles == 5


def test_group_by_date_is_newest_first_with_undated_last():
    digest = build_digest(
        [record("a", date="2024-03-04"), record("b"), record("c", date="2024-03-05T08:00:00Z"),
         record("d", date="2023-12-31"), record("e", date="2024-03-04")],
        "date",
    )
    assert [g.key for g in digest.groups] == ["2024-03-05", "2024-03-04", "2023-12-31", "undated"]
    assert sorted(a.id for a in digest.groups[1].articles) == ["a", "e"]


def test_group_by_language_puts_biggest_first_and_undetermined_last():
    digest = build_digest(
        [record("a", language="de"), record("b", language="en"), record("c"), record("d", language="en"),
         record("e", language="und"), record("f", language="ar")],
        "language",
    )
    assert [g.key for g in digest.groups] == ["en", "ar", "de", "und"]
    assert len(digest.groups[-1].articles) == 2


def test_language_groups_are_labelled_with_names():
    pytest.importorskip("babel", reason="language names come from babel (installed with trafilatura)")
    digest = build_digest([record("a", language="de"), record("b", language="tl"), record("c")], "language")
    assert [(g.key, g.label) for g in digest.groups] == [
        ("de", "German (de)"), ("tl", "Tagalog (tl)"), ("und", "Undetermined (und)")]
    site = build_digest([record("a", sitename="DW")], "site").groups[0]
    assert site.label == site.key == "DW"


def test_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="site, language, date"):
        build_digest([], "author")


def test_stripped_counts_per_article_and_in_total():
    removed = [{"text": "Donate now", "rule": "appeals.en.donate_imperative"},
               {"text": "More from X: y", "rule": "promo.more_from"},
               {"text": "Donate today", "rule": "appeals.en.donate_imperative"}]
    digest = build_digest([record("a", removed=removed), record("b", removed=removed[1:2]), record("c")])
    by_id = {a.id: a for a in digest.articles}
    assert by_id["a"].removed_by_rule == {"appeals.en.donate_imperative": 2, "promo.more_from": 1}
    assert by_id["c"].removed_total == 0
    assert digest.stats.removed_total == 4
    assert digest.stats.removed_by_rule == {"appeals.en.donate_imperative": 2, "promo.more_from": 2}


# --- HTML ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_digest():
    return load_digest([FIXTURE], "site")


def test_html_escapes_every_scraped_string(fixture_digest):
    page = render_html(fixture_digest)
    dom = parse_html(page)
    tags = {tag for tag, _ in dom.tags}
    assert not tags & {"script", "img", "iframe", "svg", "b", "object", "embed", "link", "base", "form"}
    assert not any(name.startswith("on") for _, attrs in dom.tags for name in attrs)
    titles = dom.text["h3"]
    assert any("<script>alert('pwned')</script> Breaking" in t for t in titles)
    assert any("[Click to win](javascript:alert(1))" in t for t in titles)
    assert "<img src=x onerror=alert(1)> The council voted 5-2." in dom.text["li"]
    assert "<b>Evil</b> Gazette" in dom.text["bdi"]


def test_html_links_are_only_http_or_own_anchors(fixture_digest):
    dom = parse_html(render_html(fixture_digest))
    ids = {attrs.get("id") for _, attrs in dom.tags}
    external = []
    for attrs in dom.named("a"):
        href = attrs["href"]
        if href.startswith("#"):
            assert href[1:] in ids
        else:
            assert href.startswith(("http://", "https://")), href
            assert attrs.get("rel") == "noopener noreferrer"
            external.append(href)
    linked = [a for a in fixture_digest.articles if a.link]
    assert len(external) == len(linked) == 10
    # The attribute-breakout URL stays one attribute value.
    assert 'https://evil.example/a"onmouseover="alert(6)"x="' in external


def test_html_page_is_self_contained_and_structured(fixture_digest):
    page = render_html(fixture_digest)
    dom = parse_html(page)
    metas = dom.named("meta")
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in metas
    csp = next(m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert not any("src" in attrs for _, attrs in dom.tags)
    assert "url(" not in page and "@import" not in page
    assert len(dom.named("article")) == FIXTURE_ARTICLES
    assert len(dom.named("section")) == len(fixture_digest.groups) == 12
    assert len(dom.text["nav"]) and len([a for a in dom.named("a") if a["href"].startswith("#")]) == 12
    langs = {attrs["lang"] for attrs in dom.named("article")}
    assert {"en", "de", "ru", "ar", "zh-tw", "und"} <= langs
    assert dom.named("html")[0]["lang"] == "en"


def test_html_shows_counts_of_what_was_stripped(fixture_digest):
    dom = parse_html(render_html(fixture_digest))
    cells = [t.strip() for t in dom.text["td"]]
    assert cells[cells.index("promo.more_from") + 1] == "2"
    assert cells[cells.index("Total") + 1] == "14"
    assert "3 spans stripped" in dom.text["summary"]
    assert any("2 input lines could not be read" in t for t in dom.text["p"])


def test_html_groups_by_date_in_order():
    page = render_html(load_digest([FIXTURE], "date"))
    headings = re.findall(r'<h2 id="g\d+-title"><bdi[^>]*>(.*?)</bdi>', page)
    assert headings[:4] == ["2024-03-05", "2024-03-04", "2024-03-03", "2024-02-02"]
    assert headings[-1] == "undated"


def test_empty_digest_renders():
    digest = build_digest([], "site")
    assert "No articles." in render_html(digest)
    assert "0 articles" in render_markdown(digest)
    assert json.loads(render_json(digest))["groups"] == []


# --- Markdown ------------------------------------------------------------------


def _markdown():
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py (test extra) is needed to parse Markdown")
    # CommonMark with raw HTML on, plus GitHub's tables and strikethrough.
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _inline_children(md, source: str):
    tokens = md.parse(source)
    return [child for token in tokens if token.type == "inline" for child in token.children or []]


def test_markdown_of_the_fixture_has_only_http_links_and_no_raw_html(fixture_digest):
    md = _markdown()
    source = render_markdown(fixture_digest)
    tokens = md.parse(source)
    children = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not [t for t in tokens if t.type == "html_block"]
    assert not [c for c in children if c.type in ("html_inline", "image")]
    hrefs = [c.attrs["href"] for c in children if c.type == "link_open"]
    assert len(hrefs) == 10 and all(h.startswith(("http://", "https://")) for h in hrefs)
    html = md.render(source)
    assert "&lt;script&gt;alert('pwned')&lt;/script&gt;" in html or "&lt;script&gt;alert(&#39;pwned&#39;)" in html
    assert "<script" not in html
    headings = [t for t in tokens if t.type == "heading_open"]
    # h1, contents, 12 groups, 17 articles, what was stripped: no heading smuggled in by a summary.
    assert len(headings) == 1 + 1 + 12 + FIXTURE_ARTICLES + 1


@pytest.mark.parametrize(
    "text",
    [
        "[Click to win](javascript:alert(1))",
        "<script>alert(1)</script>",
        "# not a heading",
        "- not an item",
        "+ not an item",
        "1. not a list",
        "2024) not a list either",
        "> not a quote",
        "--- not a rule",
        "=== not setext",
        "```fence",
        "~~struck~~ and **bold** and _em_ and `code`",
        "| a | b |",
        "a@b.example & &amp; &#x3C;",
        "<https://x.example> <javascript:alert(1)>",
        "![alt](https://x.example/i.png)",
        "[ref]: https://x.example",
        "ends with a backslash \\",
        "中央社 الجزيرة Москва",
    ],
)
def test_escape_markdown_renders_as_the_same_text(text):
    md = _markdown()
    for context in ("{}", "- {}", "### {}", "| x |\n| - |\n| {} |"):
        source = context.format(escape_markdown(text))
        # The last inline run is the escaped text (in a table, its cell).
        children = [t for t in md.parse(source) if t.type == "inline"][-1].children
        assert {c.type for c in children} <= {"text"}, (source, [c.type for c in children])
        assert "".join(c.content for c in children if c.type == "text").strip() == text


def test_escape_markdown_defuses_github_autolinked_mail():
    # GitHub turns a@b.example into a mailto: link; an escaped "@" stops it.
    assert escape_markdown("write to a@b.example") == "write to a\\@b.example"


_one_line = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
).map(lambda s: " ".join(s.split())).filter(bool)


@settings(max_examples=300, deadline=None)
@given(_one_line)
def test_escape_markdown_round_trips_any_line(text):
    md = _markdown()
    for context in ("{}", "- {}", "### {}"):
        children = _inline_children(md, context.format(escape_markdown(text)))
        assert {c.type for c in children} <= {"text"}
        assert "".join(c.content for c in children) == text


def test_markdown_link_targets_cannot_be_broken_out_of():
    md = _markdown()
    digest = build_digest([record("x", title="T", url="https://e.example/a b)(c<d>\"e\\")])
    hrefs = [c.attrs["href"] for c in _inline_children(md, render_markdown(digest)) if c.type == "link_open"]
    assert hrefs == ["https://e.example/a%20b%29%28c%3Cd%3E%22e%5C"]


# --- JSON and writing ----------------------------------------------------------------


def test_json_is_the_same_digest_structured(fixture_digest):
    data = json.loads(render_json(fixture_digest))
    assert data["group_by"] == "site"
    assert [g["key"] for g in data["groups"]] == [g.key for g in fixture_digest.groups]
    assert sum(g["count"] for g in data["groups"]) == FIXTURE_ARTICLES
    assert data["stats"]["removed_total"] == 14
    assert data["stats"]["skipped_lines"] == FIXTURE_SKIPPED
    articles = {a["id"]: a for g in data["groups"] for a in g["articles"]}
    assert articles["evil-001"]["link"] is None
    assert articles["evil-001"]["url"] == "javascript:alert(document.cookie)"
    assert articles["cna-0042"]["title"] == "立法院三讀通過預算案 行政院表示尊重"
    assert articles["gp-0002"]["removed_by_rule"] == {
        "appeals.en.donate_imperative": 1, "appeals.en.membership": 1, "promo.more_from": 1}


@pytest.mark.parametrize(
    ("suffix", "marker"), [(".html", "<!DOCTYPE html>"), (".md", "# News digest"), (".json", '{\n  "group_by"')]
)
def test_write_digest_picks_the_format_from_the_suffix(tmp_path, suffix, marker):
    out = tmp_path / "sub" / f"digest{suffix}"
    stats = write_digest([FIXTURE], out, group_by="language")
    assert out.read_text(encoding="utf-8").startswith(marker)
    assert (stats.articles, stats.skipped_lines) == (FIXTURE_ARTICLES, FIXTURE_SKIPPED)
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind


def test_write_digest_explicit_format_and_errors(tmp_path):
    out = tmp_path / "digest.txt"
    write_digest([FIXTURE], out, fmt="md")
    assert out.read_text(encoding="utf-8").startswith("# News digest")
    with pytest.raises(DigestError, match="cannot tell the digest format"):
        write_digest([FIXTURE], tmp_path / "digest.pdf")
    with pytest.raises(DigestError, match="cannot group by"):
        write_digest([FIXTURE], tmp_path / "d.html", group_by="author")
    assert not (tmp_path / "d.html").exists()
    assert digest_format(Path("x.HTM")) == "html" and digest_format(Path("x"), "Markdown") == "md"


def test_write_digest_is_deterministic(tmp_path):
    write_digest([FIXTURE], tmp_path / "a.html")
    write_digest([FIXTURE], tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
