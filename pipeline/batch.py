"""A whole run: inputs through an engine into the records, rejects and stats files.

Every input document ends in exactly one of the two JSONL files. While the
run goes, it checkpoints every few seconds: both files are synced to disk,
then the stats file is replaced by one that counts the lines behind the
checkpoint (``"complete": false``). ``resume=True`` cuts both files back to
the last checkpoint, skips every input whose ``source`` they hold, and
appends; so after a kill (even ``kill -9``) the same run with ``resume``
finishes the job with each document exactly once, and stats that add up.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.document import Document, Reject
from pipeline.engines import Engine, SerialEngine
from pipeline.inputs import read_documents
from pipeline.outputs import (
    JsonlWriter,
    OutputError,
    finish_records,
    open_records,
    read_done,
    rejects_path_for,
    stats_path_for,
    write_json_atomically,
)
from pipeline.runner import RunAborted, stop_on_failure
from pipeline.stats import Stats

#: Seconds between checkpoints.
CHECKPOINT_SECONDS = 5.0


def run_batch(
    inputs: Iterable[str | os.PathLike],
    output: str | os.PathLike,
    *,
    config: Config | None = None,
    rejects: str | os.PathLike | None = None,
    engine: Engine | None = None,
    resume: bool = False,
    stats_path: str | os.PathLike | None = None,
    progress: bool | None = False,
    checkpoint_seconds: float = CHECKPOINT_SECONDS,
) -> Stats:
    """Process every document in ``inputs``; write records, rejects and stats.

    Records go to ``output`` (``.jsonl``, ``.jsonl.gz`` or ``.parquet``),
    rejects to ``rejects`` (default ``OUT.rejects.jsonl`` beside it) and
    counters to ``stats_path`` (default ``OUT.stats.json``).

    :param engine: how documents are processed (default: in this process).
    :param resume: continue a run that was stopped: keep what it wrote up to
        its last checkpoint, skip those inputs, append the rest.
    :param progress: show a progress bar on stderr; ``None``: only when
        stderr is a terminal.
    :returns: the counters of the whole job (earlier runs included when resuming).
    """
    config = config or Config()
    engine = engine or SerialEngine()
    output = Path(output)
    rejects_path = Path(rejects) if rejects else rejects_path_for(output)
    stats_file = Path(stats_path) if stats_path else stats_path_for(output)
    if progress is None:
        progress = sys.stderr.isatty()

    stats = Stats()
    done: set[str] = set()
    lines = {"records": 0, "rejects": 0}
    if resume:
        stats, lines, done = _restore(output, rejects_path, stats_file)

    documents: Iterator[Document | Reject] = read_documents(list(inputs))
    if done:
        documents = (item for item in documents if item.source not in done)

    records = open_records(output, append=resume)
    rejected = JsonlWriter(rejects_path, append=resume)
    bar = _progress_bar(progress, initial=lines["records"] + lines["rejects"])
    started = time.monotonic()
    last_checkpoint = started
    try:
        # [run] on_error = "fail": stop after writing the first failure's reject.
        for outcome in stop_on_failure(engine.run(config, documents, stats), config):
            if outcome.reject is None:
                records.write(outcome.document.to_record())
                lines["records"] += 1
            else:
                rejected.write(outcome.reject.to_record())
                lines["rejects"] += 1
            if bar is not None:
                bar.update(1)
            now = time.monotonic()
            if now - last_checkpoint >= checkpoint_seconds:
                _checkpoint(records, rejected, stats_file, stats, lines, engine, False)
                last_checkpoint = now
                if bar is not None:
                    bar.set_postfix(records=lines["records"], rejects=lines["rejects"], refresh=False)
        _checkpoint(records, rejected, stats_file, stats, lines, engine, False)
        finish_records(records)
        rejected.close()
    except RunAborted:
        # Stopped on purpose, between two outcomes: keep all of it for --resume.
        _checkpoint(records, rejected, stats_file, stats, lines, engine, False)
        raise
    finally:
        if bar is not None:
            bar.close()
        records.close()
        rejected.close()
    write_json_atomically(stats_file, _stats_document(stats, lines, engine, complete=True))
    return stats


def _restore(
    output: Path, rejects_path: Path, stats_file: Path
) -> tuple[Stats, dict[str, int], set[str]]:
    """Counters and done sources of the last checkpoint; cuts the files back to it."""
    checkpoint: dict[str, Any] = {}
    if stats_file.exists():
        try:
            checkpoint = json.loads(stats_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise OutputError(f"cannot resume: {stats_file} is not valid JSON ({exc})") from None
    # No checkpoint yet: the killed run's lines are not counted anywhere, so start over.
    counted = checkpoint.get("lines", {"records": 0, "rejects": 0})
    done, n_records = read_done(output, keep=counted["records"])
    rejected, n_rejects = read_done(rejects_path, keep=counted["rejects"])
    stats = stats_from_dict(checkpoint) if checkpoint else Stats()
    return stats, {"records": n_records, "rejects": n_rejects}, done | rejected


def _checkpoint(
    records: Any,
    rejected: JsonlWriter,
    stats_file: Path,
    stats: Stats,
    lines: dict[str, int],
    engine: Engine,
    complete: bool,
) -> None:
    # Lines first, durably; only then the stats that count them.
    records.sync()
    rejected.sync()
    write_json_atomically(stats_file, _stats_document(stats, lines, engine, complete))


def _stats_document(
    stats: Stats, lines: dict[str, int], engine: Engine, complete: bool
) -> dict[str, Any]:
    document = stats.to_dict()
    document["lines"] = dict(lines)
    document["complete"] = complete
    document["engine"] = getattr(engine, "name", type(engine).__name__)
    return document


def stats_from_dict(data: dict[str, Any]) -> Stats:
    """Rebuild counters from a stats file (the inverse of :meth:`Stats.to_dict`)."""
    stats = Stats()
    stats.documents = int(data.get("documents", 0))
    stats.records = int(data.get("records", 0))
    stats.rejects = int(data.get("rejects", 0))
    stats.rejects_by_stage = Counter(data.get("rejects_by_stage", {}))
    stats.stages = defaultdict(Counter)
    stats.seconds = defaultdict(float)
    for name, counts in data.get("stages", {}).items():
        counts = dict(counts)
        stats.seconds[name] = float(counts.pop("seconds", 0.0))
        stats.stages[name] = Counter(counts)
    stats.cuts_by_rule = Counter(data.get("cuts_by_rule", {}))
    stats.languages = Counter(data.get("languages", {}))
    return stats


def _progress_bar(enabled: bool, initial: int) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(
        unit=" docs", initial=initial, file=sys.stderr, mininterval=0.5, dynamic_ncols=True
    )
