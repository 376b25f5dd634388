"""Engines: how documents reach the runner (in this process, in workers, on a cluster).

An engine takes the run's :class:`~pipeline.config.Config` and an iterable of
inputs (documents, or rejects from the readers) and yields one
:class:`~pipeline.runner.Outcome` per input. Each engine builds its own
:class:`~pipeline.runner.Pipeline` wherever it processes documents, so
plugins are loaded in every worker the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from pipeline.config import Config
from pipeline.document import Document, Reject
from pipeline.runner import Outcome, Pipeline
from pipeline.stats import Stats


class Engine(Protocol):
    """What ``--engine NAME`` selects."""

    name: str

    def run(
        self, config: Config, inputs: Iterable[Document | Reject], stats: Stats
    ) -> Iterator[Outcome]:
        """One outcome per input, adding the workers' counters to ``stats``."""
        ...


class SerialEngine:
    """Everything in the calling process, one document after another."""

    name = "serial"

    def run(
        self, config: Config, inputs: Iterable[Document | Reject], stats: Stats
    ) -> Iterator[Outcome]:
        pipeline = Pipeline(config)
        try:
            for item in inputs:
                if isinstance(item, Reject):
                    stats.documents += 1
                    stats.rejects += 1
                    stats.rejects_by_stage[item.stage] += 1
                    yield Outcome(Document(id=item.id, source=item.source), item)
                else:
                    yield pipeline.process(item)
        finally:
            stats.merge(pipeline.stats)
