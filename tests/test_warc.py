"""WARC input: HTML response records only, with record id, target URI and date kept."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.batch import run_batch
from pipeline.document import Document, Reject
from pipeline.inputs import read_documents
from pipeline.warc import read_warc

from test_bulk import article, lines

try:
    import fastwarc.warc  # noqa: F401

    READERS = ["warcio", "fastwarc"]
except ImportError:
    READERS = ["warcio", pytest.param("fastwarc", marks=pytest.mark.skip(reason="fastwarc not installed"))]


def chunked(body: bytes, size: int = 500) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def write_warc(path: Path, *, compress: bool) -> list[str]:
    """A small crawl: three HTML pages among records that are not articles."""
    uris = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=compress)

        def response(uri: str, body: bytes, headers: list[tuple[str, str]]) -> None:
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http)
            )

        writer.write_record(writer.create_warc_record("https://news.example/", "warcinfo", payload=io.BytesIO(b"software: test")))
        response("https://news.example/a", article(1).encode(), [("Content-Type", "text/html; charset=utf-8"), ("Content-Language", "en-GB, fr")])
        uris.append("https://news.example/a")
        response("https://news.example/logo.png", b"\x89PNG....", [("Content-Type", "image/png")])
        request = StatusAndHeaders("GET /b HTTP/1.1", [("Host", "news.example")], is_http_request=True)
        writer.write_record(writer.create_warc_record("https://news.example/b", "request", payload=io.BytesIO(b""), http_headers=request))
        # Transfer-chunked and gzip-encoded, as servers send and crawlers keep it.
        body = chunked(gzip.compress(article(2).encode()))
        response("https://news.example/b", body, [("Content-Type", "application/xhtml+xml"), ("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")])
        uris.append("https://news.example/b")
        response("https://news.example/c", article(3).encode("latin-1"), [("Content-Type", "TEXT/HTML;charset=ISO-8859-1")])
        uris.append("https://news.example/c")
    return uris


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("compress", [False, True])
def test_only_html_responses_with_their_warc_fields(tmp_path: Path, reader: str, compress: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if compress else "crawl.warc")
    uris = write_warc(path, compress=compress)
    documents = list(read_warc(path, max_page_bytes=10**7, reader=reader))
    assert all(isinstance(d, Document) for d in documents)
    assert [d.url for d in documents] == uris
    first = documents[0]
    assert first.id.startswith("<urn:uuid:") and first.metadata["warc_record_id"] == first.id
    assert first.metadata["warc_date"].startswith("20")
    assert first.metadata["http_content_type"] == "text/html; charset=utf-8"
    assert first.declared_language == "en-gb"
    assert b"Story number 1" in first.html
    # Chunked and gzip-encoded bodies arrive decoded.
    assert b"Story number 2" in documents[1].html
    assert len({d.source for d in documents}) == 3
    assert all(d.source.startswith(f"{path}@") for d in documents)


def test_both_readers_give_the_same_sources(tmp_path: Path) -> None:
    pytest.importorskip("fastwarc")
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, compress=True)
    by_reader = [
        [(d.source, d.id, d.url, d.html) for d in read_warc(path, max_page_bytes=10**7, reader=r)]
        for r in ("warcio", "fastwarc")
    ]
    assert by_reader[0] == by_reader[1]


@pytest.mark.parametrize("reader", READERS)
def test_a_cut_archive_rejects_the_rest(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, compress=True)
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    items = list(read_warc(cut, max_page_bytes=10**7, reader=reader))
    documents = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert documents and documents[0].url == "https://news.example/a"
    assert len(rejects) == 1 and rejects[0].stage == "read"
    assert rejects[0].source.startswith(f"{cut}@")


@pytest.mark.parametrize("reader", READERS)
def test_oversized_page_is_a_reject(tmp_path: Path, reader: str) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, compress=False)
    items = list(read_warc(path, max_page_bytes=100, reader=reader))
    assert len(items) == 3 and all(isinstance(i, Reject) and "larger" in i.error for i in items)


def test_run_on_a_warc_keeps_the_record_fields(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, compress=True)
    assert len(list(read_documents([tmp_path]))) == 3
    run_batch([path], tmp_path / "out.jsonl")
    records = lines(tmp_path / "out.jsonl")
    assert [r["url"] for r in records] == ["https://news.example/a", "https://news.example/b", "https://news.example/c"]
    assert all(r["metadata"]["warc_record_id"] == r["id"] for r in records)
    assert "Story number 3" in records[2]["text"] or "Story 3" in records[2]["text"]
