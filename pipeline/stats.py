"""Per-run counters: what each stage saw, kept, dropped and cut, and how long it took."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stats:
    """Counters of a run, mergeable across workers.

    ``stages[name]`` counts ``total``, ``forwarded``, ``dropped``,
    ``dropped_<reason>`` and ``failed`` documents, and ``seconds`` spent.
    """

    documents: int = 0
    records: int = 0
    rejects: int = 0
    stages: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cuts_by_rule: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    rejects_by_stage: Counter = field(default_factory=Counter)

    def merge(self, other: Stats) -> None:
        """Add another worker's counters to these."""
        self.documents += other.documents
        self.records += other.records
        self.rejects += other.rejects
        for name, counts in other.stages.items():
            self.stages[name].update(counts)
        for name, secs in other.seconds.items():
            self.seconds[name] += secs
        self.cuts_by_rule.update(other.cuts_by_rule)
        self.languages.update(other.languages)
        self.rejects_by_stage.update(other.rejects_by_stage)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "documents": self.documents,
            "records": self.records,
            "rejects": self.rejects,
            "rejects_by_stage": dict(self.rejects_by_stage),
            "stages": {
                name: {**counts, "seconds": round(self.seconds.get(name, 0.0), 4)}
                for name, counts in self.stages.items()
            },
            "cuts_by_rule": dict(self.cuts_by_rule.most_common()),
            "languages": dict(self.languages.most_common()),
        }
