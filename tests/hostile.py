"""Generators of hostile inputs: what scrapers really hand over, and worse.

:func:`write_corpus` fills a folder with pages, JSONL dumps and WARC archives
that have broken encodings, no content, binary content, absurd size or
nesting, entity bombs, truncation and damage, and returns what must become of
each input: a record (with some text in it) or a reject (at a stage, for a
reason). Used by ``tests/test_hostile_inputs.py`` and ``bench/torture.py``.

Everything is generated from fixed seeds, so a failure reproduces.
"""

from __future__ import annotations

import gzip
import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: The story every well-formed page carries; long enough for the extractor.
STORY_TITLE = "Harbour council approves flood wall after decade of delays"
STORY = [
    "The harbour council voted on Tuesday to build a two-kilometre flood wall along the"
    " eastern quay, ending a decade of delays that left shop owners exposed to winter storms.",
    "The wall will cost 48 million euros, two thirds of it paid by the regional government,"
    " and construction is due to start next spring once the final designs are published.",
    "Residents who packed the public gallery applauded the decision, although several warned"
    " that the narrow promenade behind the wall would block the view of the old lighthouse.",
    "Engineers told the meeting that the current sea defences were built in 1962 and had been"
    " overtopped four times in the last six years, flooding cellars along Market Street.",
    "The council's finance committee will publish a timetable for the works next month,"
    " together with a plan to keep the fish market open while the quay is rebuilt.",
]
#: A phrase from the story that any successful extraction must keep.
STORY_MARKER = "two-kilometre flood wall"

NAV = (
    '<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>'
    '<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>'
)
FOOTER = (
    "<footer><p>&copy; 2024 Harbour Gazette. All rights reserved.</p>"
    '<ul><li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li></ul></footer>'
)


def article_html(
    paragraphs: list[str] | None = None,
    *,
    title: str = STORY_TITLE,
    head: str = "",
    before: str = "",
    after: str = "",
    lang: str = "en",
    doctype: str = "<!DOCTYPE html>",
) -> str:
    """A plausible news page: nav, the article, footer; extra markup where asked."""
    body = "".join(f"<p>{p}</p>\n" for p in (paragraphs or STORY))
    return (
        f'{doctype}\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{head}</head>\n'
        f"<body>{NAV}{before}<main><article><h1>{title}</h1>\n{body}</article></main>{after}{FOOTER}"
        "</body></html>\n"
    )


@dataclass
class Expect:
    """What must become of one input.

    :param outcome: ``"record"``, ``"reject"`` or ``"any"`` (only accounted for).
    :param stage: for a reject, the stage that must have set it aside.
    :param error: for a reject, a fragment its error must contain.
    :param text: for a record, fragments its text must contain.
    :param not_text: fragments neither its text nor its title may contain.
    """

    outcome: str
    stage: str | None = None
    error: str | None = None
    text: list[str] = field(default_factory=list)
    not_text: list[str] = field(default_factory=list)


@dataclass
class Corpus:
    """A folder of generated inputs and what must become of each.

    :param root: the folder.
    :param expected: source -> expectation, for inputs whose sources are
        known in advance (pages, and JSONL lines of uncompressed files).
    :param files: every file written.
    :param per_file: file -> (records, rejects) counts for inputs whose
        sources are only known once read (WARC offsets, truncated archives);
        ``None`` for a count means "at least one".
    """

    root: Path
    expected: dict[str, Expect] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    per_file: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)


RECORD = Expect("record", text=[STORY_MARKER])


def _rng(name: str) -> random.Random:
    return random.Random(f"newsdigest-hostile-{name}")


# --- Pages -------------------------------------------------------------------


def _random_bytes(size: int, name: str) -> bytes:
    data = bytearray(_rng(name).randbytes(size))
    data[0] = 0x00  # never a gzip or BOM start by chance
    return bytes(data)


def _utf8_story(**kwargs) -> bytes:
    return article_html(**kwargs).encode("utf-8")


def page_nul_bytes() -> bytes:
    html = _utf8_story()
    return html.replace(b"<p>", b"<p>\x00", 3).replace(b"council", b"coun\x00cil", 1)


def page_cp1252() -> bytes:
    story = [p.replace("48 million euros", "\u20ac48 million") for p in STORY]
    story[2] = "\u201cIt is about time,\u201d said Ren\u00e9e Fran\u00e7ois, who runs the caf\u00e9 on the quay. " + story[2]
    html = article_html(story).replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    return html.encode("cp1252")


def page_shift_jis() -> bytes:
    story = [
        "港湾議会は火曜日、東岸の岸壁沿いに全長二キロの防潮堤を建設することを決めた。十年にわたる遅れに終止符が打たれた。",
        "建設費は四千八百万ユーロで、その三分の二を地方政府が負担する。工事は来年の春に始まる予定だ。",
        "傍聴席を埋めた住民は決定に拍手を送ったが、古い灯台の眺めが遮られると心配する声もあった。",
        "技術者によると、現在の防潮設備は千九百六十二年に造られ、過去六年で四回も波が越えたという。",
    ]
    html = article_html(story, title="港湾議会が防潮堤を承認", lang="ja")
    return html.replace('<meta charset="utf-8">', '<meta charset="shift_jis">').encode("shift_jis")


def page_utf16(encoding: str) -> bytes:
    html = article_html().replace('<meta charset="utf-8">', "")
    return html.encode(encoding)


def page_invalid_utf8() -> bytes:
    html = _utf8_story()
    # Stray continuation bytes, a truncated sequence and an overlong encoding.
    return html.replace(b"Residents", b"\x80\xbfResidents\xe2\x82", 1).replace(b"Engineers", b"\xc0\xafEngineers", 1)


def page_scripts_and_styles_only() -> bytes:
    scripts = "".join(f"<script>var s{i} = {i} * 2; function f{i}() {{ return s{i}; }}</script>" for i in range(200))
    styles = "".join(f"<style>.c{i} {{ color: #{i:06x}; }}</style>" for i in range(200))
    return f"<!DOCTYPE html><html><head>{styles}</head><body>{scripts}<noscript></noscript></body></html>".encode()


def page_billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
    )
    doctype = f'<?xml version="1.0"?>\n<!DOCTYPE html [{entities}]>'
    html = article_html(doctype=doctype, after="<p>&lol9;</p>")
    return html.encode()


def page_external_entity() -> bytes:
    doctype = '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return article_html(doctype=doctype, after="<p>&xxe;</p>").encode()


def page_nested(depth: int) -> bytes:
    """The article inside ``depth`` nested elements: past what any parser keeps."""
    return article_html(before="<div>" * depth, after="</div>" * depth).encode()


def page_nested_after(depth: int) -> bytes:
    """The article first, then a tower of nested elements."""
    return article_html(after="<div><span>" * depth + "</span></div>" * depth).encode()


def page_huge_scripts(size: int) -> bytes:
    """A real article in a page made ``size`` bytes by inline scripts and base64 images,
    as single-page-app news sites ship them."""
    chunk = "window.__STATE__.items.push({id: 12345, title: 'Some headline', tags: ['a', 'b']});\n"
    blob = "iVBORw0KGgo" + "A" * 4000
    image = f'<img src="data:image/png;base64,{blob}" alt="">'
    unit = f"<script>{chunk * 50}</script>{image}"
    count = max(1, size // len(unit))
    head = f"<script type=\"application/ld+json\">{json.dumps({'@type': 'NewsArticle', 'headline': STORY_TITLE})}</script>"
    html = article_html(head=head, before=unit * (count // 2), after=unit * (count - count // 2))
    return html.encode()


def page_huge_markup(size: int) -> bytes:
    """``size`` bytes of real markup (a never-ending list of links): too big to be an article."""
    unit = '<li><a href="/news/item">Another headline in the endless list of the day</a></li>\n'
    return article_html(after="<ul>" + unit * (size // len(unit)) + "</ul>").encode()


def page_single_line(size: int) -> bytes:
    """A minified page: one line of ``size`` bytes, article included, state in a script."""
    state = json.dumps({"items": [{"id": i, "title": "Headline " * 3} for i in range(size // 45)]})
    html = article_html(after=f"<script>window.__STATE__ = {state};</script>").replace("\n", "")
    return html.encode()


def page_single_text_node(size: int) -> bytes:
    """One paragraph of ``size`` bytes of text: beyond what the parser reads in one node."""
    return article_html(["word " * (size // 5)]).encode()


def page_truncated() -> bytes:
    html = _utf8_story()
    cut = html.index(b"Engineers told") + 40
    return html[:cut] + b'<a href="/x" class="unterminated'


def page_malformed_soup() -> bytes:
    html = article_html(before="<div><table><tr><td><p><b><i>", after="</b></td></div></table><<>>&&;<p <p>")
    return html.replace("</p>", "", 2).encode()


def page_png_named_html() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + _random_bytes(20_000, "png")


def page_gzip_named_html() -> bytes:
    return gzip.compress(_utf8_story())


def page_truncated_gzip_named_html() -> bytes:
    data = gzip.compress(_utf8_story())
    return data[: len(data) // 2]


def page_control_characters() -> bytes:
    story = [p + " \x1b[31m\x07\x0b\x0c" for p in STORY]
    return article_html(story).encode()


def page_specs(big: bool = True) -> dict[str, tuple[Callable[[], bytes], Expect]]:
    """File name -> (generator, expectation) of every page; ``big=False`` leaves out
    the pages of 4 MB and more."""
    specs: dict[str, tuple[Callable[[], bytes], Expect]] = {
        "empty.html": (lambda: b"", Expect("reject", "extract", "empty page")),
        "whitespace.html": (lambda: b" \n\t\r\n " * 100, Expect("reject", "extract", "empty page")),
        "random_bytes.html": (lambda: _random_bytes(65_536, "random"), Expect("reject", "extract", "not html")),
        "png_named.html": (page_png_named_html, Expect("reject", "extract", "PNG image")),
        "nul_bytes.html": (page_nul_bytes, Expect("record", text=["flood wall", "Market Street"], not_text=["\x00"])),
        "cp1252.html": (page_cp1252, Expect("record", text=["\u20ac48 million", "Ren\u00e9e Fran\u00e7ois", "\u201cIt is about time,\u201d"])),
        "shift_jis.html": (page_shift_jis, Expect("record", text=["防潮堤"])),
        "utf16_bom.html": (lambda: page_utf16("utf-16"), RECORD),
        "utf16le_no_bom.html": (lambda: page_utf16("utf-16-le"), RECORD),
        "utf16be_no_bom.html": (lambda: page_utf16("utf-16-be"), RECORD),
        "invalid_utf8.html": (page_invalid_utf8, Expect("record", text=[STORY_MARKER, "Residents", "Engineers"])),
        "scripts_only.html": (page_scripts_and_styles_only, Expect("reject", "extract", "no article text")),
        "billion_laughs.html": (page_billion_laughs, Expect("record", text=[STORY_MARKER], not_text=["lollollol"])),
        "external_entity.html": (page_external_entity, Expect("record", text=[STORY_MARKER], not_text=["root:"])),
        "truncated.html": (page_truncated, Expect("record", text=["flood wall", "Engineers told"])),
        "malformed_soup.html": (page_malformed_soup, RECORD),
        "gzip_named.html": (page_gzip_named_html, RECORD),
        "truncated_gzip_named.html": (page_truncated_gzip_named_html, Expect("reject", "extract", "damaged gzip")),
        "control_characters.html": (page_control_characters, Expect("record", text=[STORY_MARKER], not_text=["\x1b", "\x07"])),
        "nested_100k.html": (lambda: page_nested(100_000), Expect("reject", "extract", "parser stopped early")),
        "nested_100k_after.html": (lambda: page_nested_after(50_000), RECORD),
    }
    if big:
        specs.update({
            "scripts_50mb.html": (lambda: page_huge_scripts(50 * 1024 * 1024), RECORD),
            "markup_50mb.html": (lambda: page_huge_markup(50 * 1024 * 1024), Expect("reject", "extract", "page too large")),
            "single_line_20mb.html": (lambda: page_single_line(20 * 1024 * 1024), RECORD),
            # Under the byte limit, but 100,000 elements: extraction time follows elements.
            "links_4mb.html": (lambda: page_huge_markup(4 * 1024 * 1024 - 8192), Expect("reject", "extract", "page too complex")),
            "text_node_20mb.html": (lambda: page_single_text_node(20 * 1024 * 1024), Expect("reject", "extract")),
        })
    return specs


# --- JSONL -------------------------------------------------------------------


def jsonl_lines() -> list[tuple[bytes, Expect | None]]:
    """Lines of a JSONL dump and what must become of each (``None``: a blank line, no document)."""
    good = {"id": "good-1", "url": "https://example.org/a", "html": article_html()}
    text = {"id": "text-1", "url": "https://example.org/b", "text": "\n".join(STORY), "language": "en"}
    return [
        (json.dumps(good).encode(), RECORD),
        (json.dumps(text).encode(), RECORD),
        (b"", None),
        (b"{not json at all", Expect("reject", "read", "invalid JSON")),
        (b"[1, 2, 3]", Expect("reject", "read", "not an object")),
        (b'"just a string"', Expect("reject", "read", "not an object")),
        (json.dumps({"id": "no-body", "url": "https://example.org/c"}).encode(), Expect("reject", "read", "neither")),
        (json.dumps({"id": "html-not-str", "html": 42}).encode(), Expect("reject", "read", "neither")),
        (json.dumps({"id": "empty-text", "text": ""}).encode(), Expect("reject", "extract", "empty text")),
        (json.dumps({"id": "blank-text", "text": " \n\t "}).encode(), Expect("reject", "extract", "empty text")),
        (json.dumps({"id": "empty-html", "html": ""}).encode(), Expect("reject", "extract", "empty page")),
        # A lone surrogate is valid JSON but cannot be written back as UTF-8.
        (b'{"id": "surrogate", "title": "Bad \\ud800 title", "text": "' + "\\n".join(STORY).encode() + b' \\udfff end"}', RECORD),
        (b"\xff\xfe not utf-8 \x80", Expect("reject", "read", "invalid JSON")),
        (b'{"id": "nul", "text": "' + "\\n".join(STORY).encode() + b'\\u0000"}', RECORD),
        (json.dumps({"id": None, "text": "\n".join(STORY)}).encode(), RECORD),
        (json.dumps({"id": "huge-text", "text": "word " * 400_000}).encode(), Expect("reject", "extract", "text too long")),
        # The last line of a dump cut off while it was written: no newline, half an object.
        (json.dumps(good).encode()[:150], Expect("reject", "read", "invalid JSON")),
    ]


def write_jsonl(path: Path, corpus: Corpus) -> None:
    lines = jsonl_lines()
    path.write_bytes(b"\n".join(line for line, _ in lines))
    for number, (_, expect) in enumerate(lines, start=1):
        if expect is not None:
            corpus.expected[f"{path}:{number}"] = expect


def write_truncated_jsonl_gz(path: Path, corpus: Corpus) -> None:
    """A compressed dump cut off at 60 %: the lines before the cut are still there."""
    rng = _rng("jsonl-gz")
    lines = []
    for i in range(200):
        story = rng.sample(STORY, len(STORY))
        words = " ".join(rng.choice(["quay", "storm", "budget", "vote", "wall", "market"]) for _ in range(40))
        lines.append(json.dumps({"id": f"t{i}", "text": "\n".join(story + [words])}).encode() + b"\n")
    data = gzip.compress(b"".join(lines))
    path.write_bytes(data[: int(len(data) * 0.6)])
    corpus.per_file[str(path)] = (None, 1)  # records up to the cut, then one reject for the rest


# --- WARC --------------------------------------------------------------------


def _warc_records(count: int) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for i in range(count):
        body = article_html().encode()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://example.org/story/{i}", "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    return out.getvalue()


def write_truncated_warc(path: Path, corpus: Corpus) -> None:
    """Three good records, then a fourth cut off halfway (a download that died)."""
    good = _warc_records(3)
    fourth = _warc_records(1)
    path.write_bytes(good + fourth[: len(fourth) // 2])
    corpus.per_file[str(path)] = (None, None)  # the three, plus the cut one either way


def write_corrupt_warc(path: Path, corpus: Corpus) -> None:
    """Five records, the third one's compressed bytes overwritten in the middle."""
    records = [_warc_records(1) for _ in range(5)]
    third = bytearray(records[2])
    middle = len(third) // 2
    third[middle : middle + 64] = _random_bytes(64, "warc-corrupt")
    records[2] = bytes(third)
    path.write_bytes(b"".join(records))
    corpus.per_file[str(path)] = (None, 1)


def write_garbage_warc(path: Path, corpus: Corpus) -> None:
    """Not a WARC at all, under a .warc.gz name."""
    path.write_bytes(_random_bytes(10_000, "warc"))
    corpus.per_file[str(path)] = (0, 1)


# --- The whole corpus --------------------------------------------------------


def write_corpus(root: Path, *, big: bool = True) -> Corpus:
    """Write every hostile input under ``root``; see :class:`Corpus`."""
    corpus = Corpus(root)
    pages = root / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    for name, (make, expect) in page_specs(big).items():
        path = pages / name
        path.write_bytes(make())
        corpus.expected[str(path)] = expect
        corpus.files.append(path)

    bomb = pages / "gzip_bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (80 * 1024 * 1024), compresslevel=9))
    corpus.expected[str(bomb)] = Expect("reject", "read", "larger than")
    truncated_gz = pages / "truncated.html.gz"
    truncated_gz.write_bytes(gzip.compress(_utf8_story())[:200])
    corpus.expected[str(truncated_gz)] = Expect("reject", "read")
    corpus.files += [bomb, truncated_gz]

    dumps = root / "dumps"
    dumps.mkdir(exist_ok=True)
    for name, writer in (
        ("broken.jsonl", write_jsonl),
        ("truncated.jsonl.gz", write_truncated_jsonl_gz),
        ("truncated.warc.gz", write_truncated_warc),
        ("corrupt.warc.gz", write_corrupt_warc),
        ("garbage.warc.gz", write_garbage_warc),
    ):
        path = dumps / name
        writer(path, corpus)
        corpus.files.append(path)
    return corpus
