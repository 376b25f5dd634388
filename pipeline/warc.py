"""WARC input (Common Crawl's format): HTML ``response`` records become documents.

Only ``response`` records whose HTTP ``Content-Type`` is HTML are documents;
other records (requests, metadata, images, PDFs) are not articles and are
passed over. Each document keeps the record's id (``id`` and
``metadata["warc_record_id"]``), target URI (``url``), date
(``metadata["warc_date"]``), the HTTP ``Content-Type`` (in
``metadata["http_content_type"]``) and ``Content-Language`` (as
``declared_language``). ``source`` is ``PATH@OFFSET``, the record's byte
offset: unique and stable across runs.

fastwarc (2.0 or later, ``pip install newsdigest[fastwarc]``) reads when
installed, else warcio: both give the same documents and sources. At about
1.3 against 1.5-2 ms a record it hardly matters next to the pipeline's
~100 ms a document, and reading overlaps the workers anyway.

A damaged record is a reject (stage ``read``) and reading goes on after it.
When the damage breaks the reader itself (a gzip member that does not
decompress, bytes that are not a WARC record), the first damaged member (or,
in an uncompressed file, record) becomes one reject with source
``PATH@OFFSET``, and the same reader starts again at the next intact one: the
next gzip member header (``1f 8b 08``) whose data decodes to ``WARC/``, or in
an uncompressed file the next ``WARC/1.`` line at the start of a line. Both
the search and the check read in bounded chunks, and every restart is past
the damage, so a file of any size or damage ends. A file cut short ends with
one reject for the cut record.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.document import Document, Reject

HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(
    path: Path, *, max_page_bytes: int, reader: str | None = None
) -> Iterator[Document | Reject]:
    """Documents of one ``.warc`` or ``.warc.gz`` file.

    :param reader: ``"fastwarc"`` or ``"warcio"`` (default: fastwarc when
        installed, unless ``NEWSDIGEST_WARC_READER`` names one).
    """
    reader = reader or os.environ.get("NEWSDIGEST_WARC_READER") or _default_reader()
    segment = _read_fastwarc if reader == "fastwarc" else _read_warcio
    yield from _read_resyncing(Path(path), segment, max_page_bytes)


def _default_reader() -> str:
    """fastwarc 2 when installed (its API differs before 2.0), else warcio."""
    from importlib import metadata

    try:
        major = int(metadata.version("fastwarc").split(".", 1)[0])
    except (metadata.PackageNotFoundError, ValueError):
        return "warcio"
    return "fastwarc" if major >= 2 else "warcio"


def is_html(content_type: str | None) -> bool:
    """True for an HTML (or XHTML) ``Content-Type``, whatever its parameters."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES


def content_language(value: str | None) -> str | None:
    """The first language of a ``Content-Language`` header, lower-cased."""
    if not value:
        return None
    code = value.split(",", 1)[0].strip().replace("_", "-").lower()
    return code or None


def _document(
    path: Path,
    offset: int,
    record_id: str | None,
    uri: str | None,
    date: str | None,
    content_type: str | None,
    language: str | None,
    body: bytes,
) -> Document:
    source = f"{path}@{offset}"
    metadata: dict[str, Any] = {"warc_record_id": record_id, "warc_date": date}
    if content_type:
        metadata["http_content_type"] = content_type
    return Document(
        id=record_id or source,
        source=source,
        url=uri or None,
        html=body,
        declared_language=content_language(language),
        metadata=metadata,
    )


def _too_big(source: str, record_id: str | None, max_page_bytes: int) -> Reject:
    return Reject(record_id or source, source, "read", f"page larger than {max_page_bytes} bytes")


# --- warcio -------------------------------------------------------------------


def _read_warcio(path: Path, max_page_bytes: int) -> Iterator[Document | Reject]:
    from warcio.archiveiterator import ArchiveIterator

    offset = 0
    try:
        handle = open(path, "rb")
    except OSError as exc:
        source = str(path)
        yield Reject(source, source, "read", f"{type(exc).__name__}: {exc}")
        return
    with handle:
        records = ArchiveIterator(handle)
        try:
            for record in records:
                offset = records.offset  # start of this record (get_record_offset() would consume it)
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = record.http_headers.get_header("Content-Type")
                if not is_html(content_type):
                    continue
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                source = f"{path}@{offset}"
                try:
                    body = record.content_stream().read(max_page_bytes + 1)
                    missing = _missing_bytes(record) if len(body) <= max_page_bytes else 0
                except Exception as exc:  # bad chunking or content encoding in one record
                    yield Reject(record_id or source, source, "read", f"damaged record: {type(exc).__name__}: {exc}")
                    continue
                if missing:
                    yield Reject(record_id or source, source, "read", f"damaged record: cut short, {missing} bytes missing")
                    continue
                if len(body) > max_page_bytes:
                    yield _too_big(source, record_id, max_page_bytes)
                    continue
                yield _document(
                    path,
                    offset,
                    record_id,
                    record.rec_headers.get_header("WARC-Target-URI"),
                    record.rec_headers.get_header("WARC-Date"),
                    content_type,
                    record.http_headers.get_header("Content-Language"),
                    body,
                )
            records.read_to_end()
        except Exception as exc:  # ArchiveLoadFailed, zlib.error... from a damaged file
            yield _rest_unreadable(path, records, offset, exc)
            return
        # warcio stops without a word at bytes it cannot parse (a file cut
        # inside a record's headers): what is left over is unread input.
        size = path.stat().st_size
        if records.offset < size:
            source = f"{path}@{records.offset}"
            yield Reject(source, source, "read", f"rest of file unreadable: {size - records.offset} bytes that are not a WARC record")


def _missing_bytes(record: Any) -> int:
    """Bytes of the record block that the file does not have (it was cut short)."""
    record.raw_stream.read()
    return int(getattr(record.raw_stream, "limit", 0) or 0)


def _check_tail(path: Path, offset: int) -> tuple[bool, int]:
    """From the record at ``offset`` to the end, with warcio: is that record
    whole, and where does the readable part of the file end?"""
    from warcio.archiveiterator import ArchiveIterator

    first_whole = False
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            records = ArchiveIterator(handle)
            for index, record in enumerate(records):
                whole = _missing_bytes(record) == 0
                if index == 0:
                    first_whole = whole
            records.read_to_end()
            return first_whole, records.offset  # absolute: warcio starts from tell()
    except Exception:
        return first_whole, offset


def _rest_unreadable(path: Path, records: Any, offset: int, exc: Exception) -> Reject:
    offset = max(offset, getattr(records, "offset", 0))
    # warcio may fail while finishing the record at ``offset``, already yielded:
    # the rest then needs a source of its own.
    source = f"{path}@{offset}:rest"
    return Reject(source, source, "read", f"rest of file unreadable: {type(exc).__name__}: {exc}")


# --- fastwarc -----------------------------------------------------------------


def _read_fastwarc(path: Path, max_page_bytes: int) -> Iterator[Document | Reject]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    offset = 0
    held: Document | None = None  # the last document waits until the file is known whole
    try:
        records = ArchiveIterator(
            str(path),
            record_types=WarcRecordType.response,
            parse_http=True,
            # fastwarc 2.0's auto_decode ends the iteration after a chunked
            # record, so bodies are decoded here instead.
            auto_decode="none",
            fsspec_args=False,
        )
        for record in records:
            offset = record.stream_pos
            headers = record.http_headers
            content_type = headers.get("Content-Type") if headers is not None else None
            if not is_html(content_type):
                continue
            record_id = record.record_id
            source = f"{path}@{offset}"
            try:
                body = _decoded_body(record.reader.read(), headers, max_page_bytes)
            except Exception as exc:
                yield Reject(record_id or source, source, "read", f"damaged record: {type(exc).__name__}: {exc}")
                continue
            if len(body) > max_page_bytes:
                yield _too_big(source, record_id, max_page_bytes)
                continue
            if held is not None:
                yield held
            held = _document(
                path,
                offset,
                record_id,
                record.headers.get("WARC-Target-URI"),
                record.headers.get("WARC-Date"),
                content_type,
                headers.get("Content-Language"),
                body,
            )
    except Exception as exc:
        if held is not None:
            yield held
            held = None
        source = f"{path}@{offset}:rest"  # the record at offset may be yielded already
        yield Reject(source, source, "read", f"rest of file unreadable: {type(exc).__name__}: {exc}")
        return
    # fastwarc reads a file cut short without a word: the last record read
    # may be cut, or bytes after it unparsed. warcio checks that tail.
    whole, end = _check_tail(path, offset)
    if held is not None:
        if whole or int(held.source.rsplit("@", 1)[1]) != offset:
            yield held
        else:
            yield Reject(held.id, held.source, "read", "damaged record: cut short by the end of the file")
    size = path.stat().st_size
    if end < size:
        source = f"{path}@{end}"
        yield Reject(source, source, "read", f"rest of file unreadable: {size - end} bytes that are not a WARC record")


def _decoded_body(body: bytes, headers: Any, max_page_bytes: int) -> bytes:
    """The HTTP body, de-chunked and decompressed as warcio's ``content_stream`` does."""
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        body = _dechunk(body)
    encoding = (headers.get("Content-Encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        import zlib

        # 47: gzip or zlib header, auto-detected; raw deflate is tried after.
        try:
            return zlib.decompressobj(47).decompress(body, max_page_bytes + 1)
        except zlib.error:
            if encoding != "deflate":
                raise
            return zlib.decompressobj(-15).decompress(body, max_page_bytes + 1)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body[: max_page_bytes + 1]


def _dechunk(body: bytes) -> bytes:
    parts = []
    position = 0
    while position < len(body):
        end = body.index(b"\r\n", position)
        size = int(body[position:end].split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            break
        start = end + 2
        parts.append(body[start : start + size])
        position = start + size + 2
    return b"".join(parts)
