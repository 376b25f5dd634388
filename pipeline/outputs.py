"""Outputs: the JSONL records file, the rejects file and the stats file."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import IO, Any



def rejects_path_for(output: Path) -> Path:
    """``OUT.rejects.jsonl`` beside ``OUT.jsonl`` (or ``OUT.jsonl.gz``)."""
    name = output.name
    for suffix in (".jsonl.gz", ".jsonl", ".gz"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return output.with_name(f"{name}.rejects.jsonl")


def stats_path_for(output: Path) -> Path:
    """``OUT.stats.json`` beside the output."""
    return rejects_path_for(output).with_name(
        rejects_path_for(output).name.replace(".rejects.jsonl", ".stats.json")
    )


class JsonlWriter:
    """Appends one JSON object per line; ``.gz`` paths are gzip-compressed."""

    def __init__(self, path: Path, *, append: bool = False) -> None:
        self.path = path
        mode = "ab" if append else "wb"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: IO[bytes] = (
            gzip.open(path, mode) if path.name.endswith(".gz") else open(path, mode)
        )

    def write(self, record: dict[str, Any]) -> None:
        self._handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")

    def flush(self) -> None:
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_json_atomically(path: Path, data: Any) -> None:
    """Write ``data`` as JSON so that a reader never sees a half-written file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)

