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
one reject for the cut record. An uncompressed file has no checksum, so its
framing (``Content-Length``, then ``CRLF CRLF``) is checked before a reader is
let at it: neither reader guesses its own way past a bad length.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, BinaryIO

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


# --- Reading on past damage ---------------------------------------------------

#: Bytes read at a time when looking for the damage or the next intact record.
CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b\x08"
#: Longest WARC header block the uncompressed-file walk accepts.
MAX_HEADER_BYTES = 1 << 20
FRAMING = "not a whole WARC record (header, Content-Length or the CRLF CRLF after it)"

Segment = Callable[[Path, int, "int | None", int], Iterator["Document | Reject"]]


class _Unreadable(Exception):
    """The reader stopped at damage it cannot get past.

    ``known`` is a record boundary at or before the damage (where the last
    record the reader saw starts), so that the damage can be found from there.
    """

    def __init__(self, known: int, cause: BaseException | str) -> None:
        super().__init__(str(cause))
        self.known = known
        self.cause = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"


def _read_resyncing(path: Path, segment: Segment, max_page_bytes: int) -> Iterator[Document | Reject]:
    """Every record of ``path`` read by ``segment``, restarted past each damaged part."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        source = str(path)
        yield Reject(source, source, "read", f"{type(exc).__name__}: {exc}")
        return
    with handle:
        head = handle.read(5)
        # By content, as the readers decide; by name when the damage is at the very start.
        compressed = head[:2] == GZIP_MAGIC[:2] or (head != b"WARC/" and path.name.endswith(".gz"))
        size = os.fstat(handle.fileno()).st_size
        start = 0
        last = ""  # offsets only grow, so checking the last source keeps every source unique
        while True:
            # An uncompressed file has no checksum: the two readers would each
            # guess differently past a bad Content-Length, so the framing is
            # checked here, once, and neither reader is let past the damage.
            limit = None if compressed else _first_damaged(handle, start, size, _record_end)
            try:
                for item in segment(path, start, limit, max_page_bytes):
                    last = item.source
                    yield item
                if limit is None:
                    return
                damaged, cause = limit, FRAMING
            except _Unreadable as stop:
                # The reader failed at or after ``known``. In a gzip file the
                # first member that does not decompress is the damage, unless
                # the reader fails on an earlier one (a whole member that is
                # not WARC); reading record by record up to there tells.
                if compressed:
                    limit = _first_damaged(handle, stop.known, size, _member_end)
                part_end = _member_end if compressed else _record_end
                found = yield from _read_one_by_one(path, segment, handle, part_end, stop.known, last, limit, max_page_bytes)
                if found is not None:
                    damaged, last, cause = found
                elif limit is None:  # every part read alone is whole: nothing left to step over
                    return
                else:
                    damaged, cause = limit, stop.cause
            following = (_next_member if compressed else _next_record)(handle, damaged + 1, size)
            source = f"{path}@{damaged}"
            # A record whose damage shows only after it was read whole (in the
            # gzip trailer) has its document or reject already.
            if source != last:
                then = f"read on at byte {following}" if following is not None else "nothing intact after it"
                yield Reject(source, source, "read", f"damaged record: {cause[:300]}; {then}")
            if following is None:
                return
            start = following


class _Window:
    """A file read up to byte ``end`` only, so that a reader cannot wander into
    the damage after it (offsets stay those of the file)."""

    def __init__(self, handle: BinaryIO, end: int) -> None:
        self.handle = handle
        self.end = end

    def read(self, size: int | None = -1) -> bytes:
        left = max(self.end - self.handle.tell(), 0)
        return self.handle.read(left if size is None or size < 0 else min(size, left))

    def tell(self) -> int:
        return self.handle.tell()

    def readable(self) -> bool:
        return True

    def seek(self, offset: int) -> int:
        return self.handle.seek(offset)


def _read_one_by_one(
    path: Path,
    segment: Segment,
    handle: BinaryIO,
    part_end: Callable[[BinaryIO, int], int | None],
    known: int,
    last: str,
    limit: int | None,
    max_page_bytes: int,
) -> Generator[Document | Reject, None, tuple[int, str, str] | None]:
    """The parts (gzip members, or records of an uncompressed file) from
    ``known`` up to ``limit``, whole but for the reader, each read alone until
    one the reader fails on: returns its offset, the last source yielded and
    the reader's error (``None`` if it fails on none)."""
    offset = known
    if last == f"{path}@{known}":  # the reader got past that one
        offset = part_end(handle, known) or known + 1
    end = limit if limit is not None else os.fstat(handle.fileno()).st_size
    while offset < end:
        following = part_end(handle, offset)
        if following is None:  # cannot happen before ``limit``; stop without a loop
            return offset, last, FRAMING
        try:
            items = list(segment(path, offset, following, max_page_bytes))  # one record: bounded
        except _Unreadable as stop:
            return offset, last, stop.cause
        for item in items:
            last = item.source
            yield item
        offset = following
    return None


def _first_damaged(
    handle: BinaryIO, start: int, size: int, end_of: Callable[[BinaryIO, int], int | None]
) -> int | None:
    """Offset of the first unit (gzip member or uncompressed record) from
    ``start`` on whose end ``end_of`` cannot find, or ``None`` if all are whole."""
    offset = start
    while offset < size:
        end = end_of(handle, offset)
        if end is None:
            return offset
        offset = end
    return None


def _member_end(handle: BinaryIO, offset: int) -> int | None:
    """Where the gzip member at ``offset`` ends, or ``None`` if it is damaged or cut."""
    import zlib

    handle.seek(offset)
    member = zlib.decompressobj(31)  # 31: gzip wrapper, so the CRC is checked too
    consumed = 0
    while not member.eof:
        chunk = handle.read(CHUNK)
        if not chunk:
            return None
        consumed += len(chunk)
        try:
            while chunk:  # output discarded in bounded pieces: a bomb cannot fill memory
                member.decompress(chunk, CHUNK)
                chunk = member.unconsumed_tail
        except zlib.error:
            return None
    end = offset + consumed - len(member.unused_data)
    return end if end > offset else None


def _next_member(handle: BinaryIO, start: int, size: int) -> int | None:
    """Offset of the next gzip member from ``start`` on whose data begins ``WARC/``."""
    for offset in _find_all(handle, GZIP_MAGIC, start, size):
        if _member_starts_a_record(handle, offset):
            return offset
    return None


def _member_starts_a_record(handle: BinaryIO, offset: int) -> bool:
    import zlib

    handle.seek(offset)
    member = zlib.decompressobj(31)
    head = b""
    try:
        for _ in range(64):  # 64 KiB of input is plenty for five bytes of output
            chunk = handle.read(1024)
            if not chunk:
                break
            head += member.decompress(chunk, 5 - len(head))
            if len(head) >= 5 or member.eof:
                break
    except zlib.error:
        return False
    return head.startswith(b"WARC/")


def _find_all(handle: BinaryIO, needle: bytes, start: int, size: int) -> Iterator[int]:
    """Offsets of ``needle`` from ``start`` on, reading ``CHUNK`` bytes at a time."""
    position = start
    while position < size:
        handle.seek(position)
        chunk = handle.read(CHUNK + len(needle) - 1)  # overlap: a needle across chunks is found
        if len(chunk) < len(needle):
            return
        found = chunk.find(needle)
        while found != -1:
            yield position + found
            found = chunk.find(needle, found + 1)
        position += CHUNK


def _record_end(handle: BinaryIO, offset: int) -> int | None:
    """Where the uncompressed record at ``offset`` ends, or ``None`` if its framing is broken."""
    handle.seek(offset)
    head = b""
    end = -1
    while end == -1 and len(head) < MAX_HEADER_BYTES:  # headers are small: read a little at a time
        more = handle.read(8192)
        if not more:
            break
        head += more
        end = head.find(b"\r\n\r\n")
    if not head.startswith(b"WARC/1.") or end == -1:
        return None
    length = None
    for line in head[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return None
    if length is None or length < 0:
        return None
    block_end = offset + end + 4 + length
    handle.seek(block_end)
    return block_end + 4 if handle.read(4) == b"\r\n\r\n" else None


def _next_record(handle: BinaryIO, start: int, size: int) -> int | None:
    """Offset of the next ``WARC/1.x`` version line, at the start of a line, from ``start`` on."""
    for found in _find_all(handle, b"\nWARC/1.", start - 1, size):
        handle.seek(found + 1)
        line = handle.read(10)
        if found + 1 >= start and line in (b"WARC/1.0\r\n", b"WARC/1.1\r\n"):
            return found + 1
    return None


# --- warcio -------------------------------------------------------------------


def _read_warcio(path: Path, start: int, limit: int | None, max_page_bytes: int) -> Iterator[Document | Reject]:
    """Records from byte ``start`` up to byte ``limit``, with warcio; raises
    :class:`_Unreadable` at damage."""
    offset = start
    with open(path, "rb") as handle:
        handle.seek(start)
        records = _warcio_records(handle if limit is None else _Window(handle, limit))
        try:
            for record in records:
                if limit is not None and records.offset >= limit:
                    return
                offset = records.offset  # start of this record (get_record_offset() would consume it)
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = record.http_headers.get_header("Content-Type")
                if not is_html(content_type):
                    continue
                record_id = record.rec_headers.get_header("WARC-Record-ID")
                source = f"{path}@{offset}"
                try:
                    # Decoded as fastwarc's bodies are, not by content_stream(),
                    # which passes over a broken gzip body in silence: both
                    # readers then give the same documents.
                    raw = record.raw_stream.read()
                    missing = int(getattr(record.raw_stream, "limit", 0) or 0)
                    body = b"" if missing else _decoded_body(raw, _WarcioHeaders(record.http_headers), max_page_bytes)
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
            raise _Unreadable(offset, exc) from exc
        end = records.offset  # absolute: warcio starts from tell()
    if limit is not None:
        return
    # warcio stops without a word at bytes it cannot parse (a file cut inside
    # a record's headers, a member it could not decompress): what is left over
    # is unread input.
    size = path.stat().st_size
    if end < size:
        raise _Unreadable(offset, f"{size - end} bytes that are not a WARC record")


def _warcio_records(handle: Any) -> Any:
    """warcio's iterator over ``handle`` from where it stands; strict about gzip.

    On a gzip member that fails to decompress, warcio takes the bytes for an
    uncompressed stream (or, past the first block, for the member's end) and
    goes on parsing compressed bytes as records. In a gzip file the error is
    kept instead, so that the damaged member is stepped over as fastwarc's is.
    """
    from warcio.archiveiterator import ArchiveIterator

    position = handle.tell()
    compressed = handle.read(2) == GZIP_MAGIC[:2]
    handle.seek(position)
    records = ArchiveIterator(handle)
    if compressed:
        records.reader = _strict_gzip_reader()(records.fh, block_size=records.reader.block_size)
    return records


@functools.cache
def _strict_gzip_reader() -> type:
    """warcio's reader, made to raise on a member that does not decompress."""
    from warcio.bufferedreaders import DecompressingBufferedReader

    class StrictGzipReader(DecompressingBufferedReader):
        def _decompress(self, data: bytes) -> bytes:
            return self.decompressor.decompress(data) if self.decompressor and data else data

    return StrictGzipReader


class _WarcioHeaders:
    """warcio's HTTP headers with the ``get`` that :func:`_decoded_body` uses."""

    def __init__(self, headers: Any) -> None:
        self.headers = headers

    def get(self, name: str) -> str | None:
        return self.headers.get_header(name)


def _missing_bytes(record: Any) -> int:
    """Bytes of the record block that the file does not have (it was cut short)."""
    record.raw_stream.read()
    return int(getattr(record.raw_stream, "limit", 0) or 0)


def _check_tail(path: Path, offset: int) -> tuple[bool, int]:
    """From the record at ``offset`` to the end, with warcio: is that record
    whole, and where does the readable part of the file end?"""
    first_whole = False
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            records = _warcio_records(handle)
            for index, record in enumerate(records):
                whole = _missing_bytes(record) == 0
                if index == 0:
                    first_whole = whole
            records.read_to_end()
            return first_whole, records.offset  # absolute: warcio starts from tell()
    except Exception:
        return first_whole, offset


# --- fastwarc -----------------------------------------------------------------


def _read_fastwarc(path: Path, start: int, limit: int | None, max_page_bytes: int) -> Iterator[Document | Reject]:
    """Records from byte ``start`` up to byte ``limit``, with fastwarc; raises
    :class:`_Unreadable` at damage."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    offset = start
    held: Document | None = None  # the last document waits until the file is known whole
    with contextlib.ExitStack() as stack:
        stream: Any = str(path)  # fastwarc's own file reader, the fast path
        if start or limit is not None:
            handle = stack.enter_context(open(path, "rb"))
            handle.seek(start)  # record offsets stay absolute: fastwarc counts from tell()
            stream = handle if limit is None else _Window(handle, limit)
        try:
            records = ArchiveIterator(
                stream,
                record_types=WarcRecordType.response,
                parse_http=True,
                # fastwarc 2.0's auto_decode ends the iteration after a chunked
                # record, so bodies are decoded here instead.
                auto_decode="none",
                fsspec_args=False,
            )
            for record in records:
                if limit is not None and record.stream_pos >= limit:
                    break
                offset = record.stream_pos
                headers = record.http_headers
                content_type = headers.get("Content-Type") if headers is not None else None
                if not is_html(content_type):
                    continue
                record_id = record.record_id
                source = f"{path}@{offset}"
                if held is not None:  # a record after it: the held one is whole
                    yield held
                    held = None
                try:
                    body = _decoded_body(record.reader.read(), headers, max_page_bytes)
                except Exception as exc:
                    yield Reject(record_id or source, source, "read", f"damaged record: {type(exc).__name__}: {exc}")
                    continue
                if len(body) > max_page_bytes:
                    yield _too_big(source, record_id, max_page_bytes)
                    continue
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
            raise _Unreadable(offset, exc) from exc
    if limit is not None:  # the framing up to ``limit`` was checked: the held record is whole
        if held is not None:
            yield held
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
        raise _Unreadable(offset, f"{size - end} bytes that are not a WARC record")


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
    """``body`` without its chunked transfer coding; as it is when it never was
    chunked (a crawler that decoded it but kept the header), as warcio does."""
    parts = []
    position = 0
    while position < len(body):
        try:
            end = body.index(b"\r\n", position)
            size = int(body[position:end].split(b";", 1)[0].strip() or b"0", 16)
        except ValueError:
            if position == 0:
                return body
            raise
        if size == 0:
            break
        start = end + 2
        parts.append(body[start : start + size])
        position = start + size + 2
    return b"".join(parts)
