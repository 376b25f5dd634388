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


# --- Damaged parts: the intact records after them are still read ----------------


def warc_members(count: int, *, compress: bool) -> list[bytes]:
    """``count`` records, one a member (or, uncompressed, one a slice): HTML
    pages, with an image response as the fourth record."""
    members = []
    for n in range(count):
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=compress)
        image = n == 3
        body = b"\x89PNG...." if image else article(n).encode()
        http = StatusAndHeaders("200 OK", [("Content-Type", "image/png" if image else "text/html")], protocol="HTTP/1.1")
        uri = f"https://news.example/{n}"
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http))
        members.append(out.getvalue())
    return members


def damaged(member: bytes, at: float = 0.5) -> bytes:
    """The member with 48 bytes of its compressed data overwritten (the gzip CRC catches it)."""
    data = bytearray(member)
    start = max(10, int(len(data) * at))  # past the 10-byte gzip header: still looks like a member
    data[start : start + 48] = bytes((b * 37 + 11) % 256 for b in range(48))
    return bytes(data)


def offsets(members: list[bytes]) -> list[int]:
    return [sum(len(m) for m in members[:i]) for i in range(len(members))]


def read_all(path: Path, reader: str) -> tuple[list[Document], list[Reject]]:
    items = list(read_warc(path, max_page_bytes=10**7, reader=reader))
    sources = [i.source for i in items]
    assert len(set(sources)) == len(sources), sources  # a record and a reject never share one
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, Reject)]


@pytest.mark.parametrize("reader", READERS)
def test_damaged_members_first_middle_and_last_each_cost_one_reject(tmp_path: Path, reader: str) -> None:
    members = warc_members(9, compress=True)
    starts = offsets(members)
    broken = {0, 4, 5, 8}  # the first, two in a row in the middle, the last
    for n in broken:
        members[n] = damaged(members[n], at=0.3 if n == 5 else 0.5)
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(b"".join(members))
    documents, rejects = read_all(path, reader)
    intact_pages = [n for n in range(9) if n not in broken and n != 3]
    assert [d.url for d in documents] == [f"https://news.example/{n}" for n in intact_pages]
    assert [d.source for d in documents] == [f"{path}@{starts[n]}" for n in intact_pages]
    assert all(b"Story number" in d.html for d in documents)
    assert [r.source for r in rejects] == [f"{path}@{starts[n]}" for n in sorted(broken)]
    assert all(r.stage == "read" and r.error.startswith("damaged record") for r in rejects)


@pytest.mark.parametrize("reader", READERS)
def test_damage_to_the_gzip_header_and_junk_between_members(tmp_path: Path, reader: str) -> None:
    members = warc_members(6, compress=True)
    members[0] = b"\x00\x00" + members[0][2:]  # the magic itself is gone
    junk = b"\x1f\x8b\x08 junk that looks like a member header, then is not"
    members[2] = members[2] + junk
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(b"".join(members))
    documents, rejects = read_all(path, reader)
    assert [d.url for d in documents] == [f"https://news.example/{n}" for n in (1, 2, 4, 5)]
    starts = offsets(members)
    assert [r.source for r in rejects] == [f"{path}@0", f"{path}@{starts[3] - len(junk)}"]


def test_both_readers_agree_on_a_damaged_file_and_the_scan_reads_in_chunks(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("fastwarc")
    import pipeline.warc

    members = warc_members(8, compress=True)
    for n in (1, 2, 6):
        members[n] = damaged(members[n])
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(b"".join(members))

    def everything(reader: str) -> list[tuple]:
        return [(type(i).__name__, i.source, getattr(i, "html", None)) for i in read_warc(path, max_page_bytes=10**7, reader=reader)]

    expected = everything("warcio")
    assert expected == everything("fastwarc")
    assert [kind for kind, _, _ in expected].count("Document") == 4
    # Chunks smaller than a member and than the magic: the same, with bounded reads.
    monkeypatch.setattr(pipeline.warc, "CHUNK", 2)
    assert everything("warcio") == expected == everything("fastwarc")


@pytest.mark.parametrize("reader", READERS)
def test_uncompressed_file_reads_on_at_the_next_record(tmp_path: Path, reader: str) -> None:
    members = warc_members(6, compress=False)
    # A wrong Content-Length in the middle, and the last record cut short.
    members[2] = members[2].replace(b"Content-Length: ", b"Content-Length: 9", 1)
    members[5] = members[5][: len(members[5]) // 2]
    starts = offsets(members)
    path = tmp_path / "damaged.warc"
    path.write_bytes(b"".join(members))
    documents, rejects = read_all(path, reader)
    assert [d.url for d in documents] == [f"https://news.example/{n}" for n in (0, 1, 4)]
    assert [r.source for r in rejects] == [f"{path}@{starts[2]}", f"{path}@{starts[5]}"]
