"""Reading pages: gzip files inflated in one go, bounded, as gzip.open reads them."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from pipeline.document import Document, Reject
from pipeline.inputs import read_gzip_file, read_html_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def gzip_open_read(path: Path, limit: int) -> bytes:
    with gzip.open(path, "rb") as handle:
        return handle.read(limit)


def fixture_pages() -> list[Path]:
    pages = sorted(FIXTURES.rglob("*.html"))
    assert pages, f"no fixture pages under {FIXTURES}"
    return pages


@pytest.mark.parametrize(
    "name, make",
    [
        ("one member", lambda pages: gzip.compress(pages[0])),
        ("three members", lambda pages: b"".join(gzip.compress(page) for page in pages[:3])),
        ("zeros between and after members",
         lambda pages: gzip.compress(pages[0]) + b"\0" * 7 + gzip.compress(pages[1]) + b"\0" * 512),
        ("an empty member", lambda pages: gzip.compress(b"") + gzip.compress(pages[2])),
        ("an empty file", lambda pages: b""),
    ],
)
def test_same_bytes_as_gzip_open(tmp_path, name, make):
    pages = [page.read_bytes() for page in fixture_pages()[:3]]
    path = tmp_path / "page.html.gz"
    path.write_bytes(make(pages))
    assert read_gzip_file(path, 1 << 26) == gzip_open_read(path, 1 << 26)


def test_every_fixture_page_reads_back_whole(tmp_path):
    for page in fixture_pages():
        path = tmp_path / (page.name + ".gz")
        path.write_bytes(gzip.compress(page.read_bytes(), compresslevel=9))
        assert read_gzip_file(path, 1 << 26) == page.read_bytes(), page


@pytest.mark.parametrize("limit", [1, 4095, 4096, 4097, 10_000])
def test_inflating_stops_at_the_limit(tmp_path, limit):
    content = bytes(range(256)) * 16  # 4096 bytes
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(content) + gzip.compress(content))
    assert read_gzip_file(path, limit) == (content * 2)[:limit]
    assert read_gzip_file(path, limit) == gzip_open_read(path, limit)


def test_a_file_larger_than_the_limit_is_streamed_and_cut(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(bytes(range(256)) * 64, compresslevel=0))  # stored: bigger than its content
    assert path.stat().st_size > 1000
    assert read_gzip_file(path, 1000) == (bytes(range(256)) * 64)[:1000]


def test_a_gzip_bomb_is_rejected_without_being_held(tmp_path):
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"\0" * (8 << 20), compresslevel=9))
    assert path.stat().st_size < 20_000
    assert len(read_gzip_file(path, 5001)) == 5001
    reject = read_html_file(path, max_page_bytes=5000)
    assert isinstance(reject, Reject)
    assert (reject.stage, reject.error) == ("read", "page larger than 5000 bytes")


def test_a_truncated_file_is_rejected_at_read(tmp_path):
    path = tmp_path / "cut.html.gz"
    path.write_bytes(gzip.compress(fixture_pages()[0].read_bytes())[:200])
    with pytest.raises(EOFError):
        read_gzip_file(path, 1 << 26)
    reject = read_html_file(path)
    assert isinstance(reject, Reject) and reject.stage == "read" and reject.error.startswith("EOFError")


@pytest.mark.parametrize(
    "data",
    [b"not gzip at all", gzip.compress(b"<p>page</p>") + b"trailing garbage"],
    ids=["not gzip", "garbage after a member"],
)
def test_a_damaged_file_is_rejected_at_read(tmp_path, data):
    path = tmp_path / "damaged.html.gz"
    path.write_bytes(data)
    reject = read_html_file(path)
    assert isinstance(reject, Reject) and reject.stage == "read", reject
    with pytest.raises((OSError, zlib.error)):
        gzip_open_read(path, 1 << 26)  # gzip.open refuses it too


def test_a_page_within_the_limit_becomes_a_document(tmp_path):
    page = fixture_pages()[0].read_bytes()
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(page))
    document = read_html_file(path, max_page_bytes=len(page))
    assert isinstance(document, Document)
    assert (document.id, document.source, document.html) == (str(path), str(path), page)
