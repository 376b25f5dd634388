"""A whole run: inputs through an engine into the records, rejects and stats files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pipeline.config import Config
from pipeline.engines import Engine, SerialEngine
from pipeline.inputs import read_documents
from pipeline.outputs import JsonlWriter, rejects_path_for, stats_path_for, write_json_atomically
from pipeline.stats import Stats


def run_batch(
    inputs: Iterable[str | os.PathLike],
    output: str | os.PathLike,
    *,
    config: Config | None = None,
    rejects: str | os.PathLike | None = None,
    engine: Engine | None = None,
) -> Stats:
    """Process every document in ``inputs``; write records, rejects and stats.

    Records go to ``output`` (JSONL, ``.gz`` compressed if so named), rejects
    to ``rejects`` (default ``OUT.rejects.jsonl`` beside it) and counters to
    ``OUT.stats.json``. Every input document ends in exactly one of the two
    JSONL files.
    """
    config = config or Config()
    engine = engine or SerialEngine()
    output = Path(output)
    rejects_path = Path(rejects) if rejects else rejects_path_for(output)
    stats = Stats()
    documents = read_documents(list(inputs))
    with JsonlWriter(output) as records, JsonlWriter(rejects_path) as rejected:
        for outcome in engine.run(config, documents, stats):
            if outcome.reject is None:
                records.write(outcome.document.to_record())
            else:
                rejected.write(outcome.reject.to_record())
    write_json_atomically(stats_path_for(output), stats.to_dict())
    return stats
