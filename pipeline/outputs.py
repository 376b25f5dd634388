"""Outputs: the records file (JSONL, ``.jsonl.gz`` or Parquet), the rejects file and the stats file.

Every write is of whole lines, flushed regularly and synced to disk at
checkpoints, so that a run killed at any moment (even ``kill -9``) leaves
files that :func:`read_done` can read back: complete lines, plus at most one
torn last line, which it cuts off. ``--resume`` relies on that.

Parquet (needs ``pyarrow``: ``pip install newsdigest[parquet]``) cannot be
appended to, so the records are staged in ``OUT.parquet.partial.jsonl`` and
converted in one go when the run ends; the Parquet file appears complete or
not at all.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Protocol

#: Records per row group when converting to Parquet (bounds the memory it takes).
PARQUET_BATCH = 2000


class OutputError(Exception):
    """An output file cannot be written or resumed; the message names it."""


def rejects_path_for(output: Path) -> Path:
    """``OUT.rejects.jsonl`` beside ``OUT.jsonl`` (or ``OUT.jsonl.gz``, ``OUT.parquet``)."""
    return output.with_name(f"{_stem(output)}.rejects.jsonl")


def stats_path_for(output: Path) -> Path:
    """``OUT.stats.json`` beside the output."""
    return output.with_name(f"{_stem(output)}.stats.json")


def profiles_path_for(output: Path) -> Path:
    """``OUT.profiles.json`` beside the output: site profiles learnt for this run."""
    return output.with_name(f"{_stem(output)}.profiles.json")


def _stem(output: Path) -> str:
    name = output.name
    for suffix in (".jsonl.gz", ".jsonl", ".parquet", ".gz"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_parquet(path: Path) -> bool:
    return path.name.endswith(".parquet")


def staging_path_for(output: Path) -> Path:
    """Where a Parquet output's records wait, as JSONL, until the run ends."""
    return output.with_name(output.name + ".partial.jsonl")


class RecordWriter(Protocol):
    path: Path

    def write(self, record: dict[str, Any]) -> None: ...
    def flush(self) -> None: ...
    def sync(self) -> None: ...
    def close(self) -> None: ...


class JsonlWriter:
    """Writes one JSON object per line; ``.gz`` paths are gzip-compressed.

    Lines are buffered and handed to the operating system whole, so a killed
    process leaves at most one torn line behind. With ``append=True`` a
    ``.gz`` file gets a new gzip member, which every gzip reader accepts.
    """

    def __init__(self, path: Path, *, append: bool = False, buffer_bytes: int = 1 << 16) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = open(path, "ab" if append else "wb", buffering=0)
        self._gzip = (
            gzip.GzipFile(fileobj=self._raw, mode="ab", compresslevel=6)
            if path.name.endswith(".gz")
            else None
        )
        self._pending: list[bytes] = []
        self._size = 0
        self._limit = buffer_bytes

    def write(self, record: dict[str, Any]) -> None:
        try:
            line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        except UnicodeEncodeError:  # a lone surrogate: a file name that is not UTF-8
            line = json.dumps(record).encode("ascii") + b"\n"
        self._pending.append(line)
        self._size += len(line)
        if self._size >= self._limit:
            self.flush()

    def flush(self) -> None:
        """Hand every buffered line to the operating system."""
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._size = 0
            if self._gzip is not None:
                self._gzip.write(data)
            else:
                _write_all(self._raw, data)
        if self._gzip is not None:
            # A sync flush ends the deflate block, so what is on disk decodes.
            self._gzip.flush(zlib.Z_SYNC_FLUSH)

    def sync(self) -> None:
        """Flush, then make it durable (a checkpoint)."""
        self.flush()
        os.fsync(self._raw.fileno())

    def close(self) -> None:
        if self._raw.closed:
            return
        self.flush()
        if self._gzip is not None:
            self._gzip.close()
        self._raw.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_all(handle: IO[bytes], data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = handle.write(view)
        view = view[written:]


class ParquetWriter:
    """Stages records as JSONL; :meth:`finish` converts them to Parquet atomically."""

    def __init__(self, path: Path, *, append: bool = False) -> None:
        _require_pyarrow()
        self.path = path
        self.staging = staging_path_for(path)
        self._jsonl = JsonlWriter(self.staging, append=append)

    def write(self, record: dict[str, Any]) -> None:
        self._jsonl.write(record)

    def flush(self) -> None:
        self._jsonl.flush()

    def sync(self) -> None:
        self._jsonl.sync()

    def close(self) -> None:
        self._jsonl.close()

    def finish(self) -> None:
        """Convert the staged records into ``path`` (write aside, then rename)."""
        self.close()
        jsonl_to_parquet(self.staging, self.path)
        self.staging.unlink()


def open_records(path: Path, *, append: bool = False) -> JsonlWriter | ParquetWriter:
    """The writer for ``path``'s format."""
    if is_parquet(path):
        return ParquetWriter(path, append=append)
    return JsonlWriter(path, append=append)


def finish_records(writer: JsonlWriter | ParquetWriter) -> None:
    """Close the records writer; a Parquet output is written now."""
    if isinstance(writer, ParquetWriter):
        writer.finish()
    else:
        writer.close()


# --- Reading back what a killed run left ------------------------------------


def read_done(path: Path, *, keep: int | None = None) -> tuple[set[str], int]:
    """Sources recorded in a records or rejects file, and how many lines.

    A torn last line (the run was killed while writing it) is cut off the
    file, so appending continues on a clean line; with ``keep``, every line
    after the first ``keep`` is cut off too (back to a checkpoint). A broken
    line anywhere else is an :class:`OutputError`: the file was not written
    by a run. For a Parquet output, reads its staging file (or the finished
    file, staged again).
    """
    if is_parquet(path):
        staging = staging_path_for(path)
        if not staging.exists() and path.exists():
            parquet_to_jsonl(path, staging)
        path = staging
    sources: set[str] = set()
    if not path.exists():
        if keep:
            raise OutputError(f"cannot resume: {path} is missing but the checkpoint counts {keep} lines")
        return sources, 0
    count = 0
    for line in _complete_lines(path, keep):
        try:
            source = json.loads(line)["source"]
        except (ValueError, KeyError, TypeError) as exc:
            raise OutputError(
                f"cannot resume: {path} line {count + 1} is not a run's record ({exc})"
            ) from None
        sources.add(source)
        count += 1
    if keep is not None and count < keep:
        raise OutputError(
            f"cannot resume: {path} has {count} lines, fewer than the {keep} its checkpoint counts"
        )
    return sources, count


def _complete_lines(path: Path, keep: int | None = None) -> Iterator[bytes]:
    """Complete lines of ``path`` (at most ``keep``); cuts the file down to them."""
    if path.name.endswith(".gz"):
        yield from _complete_gzip_lines(path, keep)
        return
    end = count = 0
    with open(path, "rb") as handle:
        for line in handle:
            if not line.endswith(b"\n") or (keep is not None and count >= keep):
                break
            end += len(line)
            if line.strip():
                count += 1
                yield line
    if end != path.stat().st_size:
        with open(path, "r+b") as handle:
            handle.truncate(end)


def _complete_gzip_lines(path: Path, keep: int | None = None) -> Iterator[bytes]:
    """Lines of every complete or sync-flushed part of a gzip file.

    A file cut short mid-member, or ending in a partial line, is rewritten
    afterwards as one valid member holding only its complete lines.
    """
    state = {"clean": True}
    count = 0
    for line in _gzip_lines(path, state):
        if keep is not None and count >= keep:
            state["clean"] = False
            break
        count += 1
        yield line
    if not state["clean"]:
        tmp = path.with_name(path.name + ".tmp")
        with gzip.open(tmp, "wb") as out:
            for _, line in zip(range(count), _gzip_lines(path, {})):
                out.write(line)
        os.replace(tmp, path)


def _gzip_lines(path: Path, state: dict[str, bool]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(wbits=31)
    in_member = False
    tail = b""
    with open(path, "rb") as handle:
        data = handle.read(1 << 16)
        while data:
            in_member = True
            try:
                out = decompressor.decompress(data)
            except zlib.error:
                break
            *whole, tail = (tail + out).split(b"\n")
            for line in whole:
                if line.strip():
                    yield line + b"\n"
            if decompressor.eof:
                in_member = False
                data = decompressor.unused_data or handle.read(1 << 16)
                decompressor = zlib.decompressobj(wbits=31)
            else:
                data = handle.read(1 << 16)
    state["clean"] = not in_member and not tail


# --- Parquet ----------------------------------------------------------------


def _require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise OutputError(
            "Parquet output needs pyarrow: pip install 'newsdigest[parquet]'"
        ) from None
    return pyarrow


def parquet_schema() -> Any:
    """Columns of a Parquet records file; ``metadata`` is a JSON string (its keys vary)."""
    pa = _require_pyarrow()
    text = pa.string()
    removal = pa.struct(
        [("text", text), ("rule", text), ("reason", text), ("score", pa.float64()), ("plugin", text)]
    )
    columns = [
        ("id", text), ("source", text), ("url", text), ("text", text), ("title", text),
        ("author", text), ("date", text), ("sitename", text), ("declared_language", text),
        ("language", text), ("language_score", pa.float64()), ("language_source", text),
        ("language_variant", text), ("language_reason", text),
        ("summary", pa.list_(text)), ("removed", pa.list_(removal)), ("metadata", text),
    ]
    return pa.schema(columns)


def _to_row(record: dict[str, Any], names: list[str]) -> dict[str, Any]:
    row = {name: record.get(name) for name in names}
    row["metadata"] = json.dumps(record.get("metadata") or {}, ensure_ascii=False)
    return row


def jsonl_to_parquet(source: Path, target: Path) -> None:
    """Convert a records JSONL file to Parquet, in batches, atomically."""
    pa = _require_pyarrow()
    import pyarrow.parquet as pq

    schema = parquet_schema()
    names = schema.names
    tmp = target.with_name(target.name + ".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        batch: list[dict[str, Any]] = []
        lines = _complete_lines(source) if source.exists() else iter(())  # type: Iterator[bytes]
        for line in lines:
            batch.append(_to_row(json.loads(line), names))
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch.clear()
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    os.replace(tmp, target)


def parquet_to_jsonl(source: Path, target: Path) -> None:
    """The reverse, to resume appending to a finished Parquet output."""
    _require_pyarrow()
    import pyarrow.parquet as pq

    with JsonlWriter(target) as writer:
        for batch in pq.ParquetFile(source).iter_batches(batch_size=PARQUET_BATCH):
            for row in batch.to_pylist():
                row["metadata"] = json.loads(row.get("metadata") or "{}")
                writer.write(row)


def read_parquet_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a Parquet output, as the JSONL records would be."""
    _require_pyarrow()
    import pyarrow.parquet as pq

    rows = pq.read_table(path).to_pylist()
    for row in rows:
        row["metadata"] = json.loads(row.get("metadata") or "{}")
    return rows


def write_json_atomically(path: Path, data: Any) -> None:
    """Write ``data`` as JSON so that a reader never sees a half-written file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
