"""The py3langid backend (``[language] backend = "py3langid"``): fast.

py3langid is a naive Bayes classifier over byte n-grams (langid.py's model,
retrained, with numpy scoring): about 0.1 ms for a sentence, a 4.5 MB
install, 0.9 s to load. Its probabilities (py3langid >= 0.4 scales scores by
the text length before the softmax) are calibrated well enough that the
ensemble backend trusts it alone when it is near-certain.

Scoring is py3langid's own arithmetic on py3langid's own model, done
cheaper: py3langid walks its byte automaton in a Python loop, a byte at a
time (half its time on an article), and converts the float16 table rows it
needs on every call (a quarter). The automaton is an Aho-Corasick one over
short n-grams, so the state after any byte depends only on the last few
bytes (six: the automaton's depth, measured when the model loads).
:class:`_Automaton` takes those steps for every position at once in numpy,
and :class:`_Scorer` keeps its candidates' table as float32. The feature
counts, their order and the float32 scores are py3langid's bit
for bit: each scorer is checked against py3langid's own ``rank`` when it is
built, and ``tests/test_language.py`` checks many more texts.

The library is imported only when the backend is first used, so this module
imports without it; using the backend without the library raises
:class:`ImportError` naming the extra to install.
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from pipeline.hookspecs import hookimpl

#: Extra that installs the library.
EXTRA = "py3langid"

#: py3langid's labels for newsdigest's codes, where they differ.
_LABELS: dict[str, str] = {"nb": "no"}

#: Answers below this probability are noise; they are left out of the list.
_FLOOR = 1e-4

#: Below this many bytes py3langid's own loop is cheaper than numpy's
#: per-call overhead (measured: even at about 150 bytes, the vector walk
#: twice as fast from 250). Sentences and headlines take the loop.
_VECTOR_MIN_BYTES = 160


class Py3langidDetector:
    """py3langid's naive Bayes model; one restricted scorer per candidate set."""

    name = "py3langid"

    def __init__(self) -> None:
        self._base: Any = None
        self._automaton: _Automaton | None = None
        # By candidate list as given, and by the model labels it comes to:
        # one scorer (and table) per label set.
        self._scorers: dict[tuple[str, ...] | None, Any] = {}
        self._by_labels: dict[tuple[str, ...] | None, Any] = {}
        self._lock = threading.Lock()

    @property
    def languages(self) -> tuple[str, ...]:
        """Every label the model knows, in newsdigest's spelling."""
        return tuple(sorted({_newsdigest_code(label) for label in self._load().labels}))

    def _load(self) -> Any:
        with self._lock:
            if self._base is None:
                try:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier
                except ImportError as exc:
                    raise ImportError(
                        f"the py3langid language backend needs the py3langid package:"
                        f" pip install 'newsdigest[{EXTRA}]'"
                    ) from exc
                self._base = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            return self._base

    def _scorer(self, candidates: Sequence[str] | None) -> Any:
        """What ranks text for these candidates (a :class:`_Scorer`); ``None`` for none."""
        key = None if candidates is None else tuple(candidates)
        scorer = self._scorers.get(key, _UNKNOWN)
        if scorer is not _UNKNOWN:
            return scorer
        base = self._load()
        labels = None
        if key is not None:
            labels = tuple(sorted({_LABELS.get(code, code) for code in key} & set(base.labels)))
        with self._lock:
            if labels == ():
                scorer = None
            elif labels in self._by_labels:
                scorer = self._by_labels[labels]
            else:
                scorer = self._by_labels[labels] = self._build(base, labels)
            if len(self._scorers) > 64:  # candidate lists built on the fly must not pile up
                self._scorers.clear()
            self._scorers[key] = scorer
        return scorer

    def _build(self, base: Any, labels: tuple[str, ...] | None) -> Any:
        """A :class:`_Scorer`, checked against py3langid's own ``rank`` on a few texts.

        The scorer reads py3langid's model arrays directly; should a later
        py3langid lay them out differently, the library's own (slower)
        identifier is used rather than a scorer that answers differently.
        """
        from py3langid.langid import LanguageIdentifier

        # A second identifier over the same arrays: restricting one in place
        # would change the answer for every other caller.
        library = LanguageIdentifier(
            base.nb_ptc, base.nb_pc, base.nb_classes, base.tk_nextmove, base.tk_output,
            norm_probs=True, tk_row=base.tk_row,
        )  # fmt: skip
        if labels is not None:
            library.set_languages(list(labels))
        try:
            if self._automaton is None:
                self._automaton = _Automaton(base)
            scorer = _Scorer(base, self._automaton, labels)
            if all(scorer.rank(text) == library.rank(text) for text in _PROBES):
                return scorer
        except (AttributeError, TypeError, ValueError, IndexError):
            pass
        warnings.warn(
            "py3langid's model layout is not the one newsdigest reads; using py3langid's"
            " own (slower) scoring",
            RuntimeWarning,
            stacklevel=2,
        )
        return library

    def detect(self, text: str, candidates: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Probabilities over the candidates (or every label), most likely first."""
        scorer = self._scorer(candidates)
        if scorer is None or not text or text.isspace():
            return []
        ranked = scorer.rank(text)
        if len(ranked) > 1 and ranked[0][1] - ranked[-1][1] < 1e-9:
            return []  # no n-gram the model knows: a uniform answer says nothing
        return [(_newsdigest_code(label), p) for label, p in ranked if p >= _FLOOR]


_UNKNOWN = object()

#: Texts the fast scorer must rank exactly as py3langid does before it is
#: used: short and long (both walks), several scripts, upper case.
_PROBES = (
    "Der Bundestag hat am Donnerstag das neue Gesetz beschlossen.",
    "BREAKING: PRIME MINISTER RESIGNS",
    (
        "The council approved the budget on Tuesday after a long debate about road repairs,"
        " school buses and the new library. Совет одобрил бюджет во вторник. 市议会周二批准了预算。"
        " Le conseil municipal a approuvé le budget mardi soir, après un long débat."
    ),
)


class _Automaton:
    """py3langid's byte automaton, as numpy arrays and as the lists its own loop reads."""

    def __init__(self, base: Any) -> None:
        import numpy as np

        self.nextmove = base.tk_nextmove  # array: distinct 256-entry rows, flattened
        self.rowbase = [row << 8 for row in base.tk_row]  # state -> offset of its row
        self.output = base.tk_output  # state -> feature index, or -1
        self.nextmove_np = np.frombuffer(base.tk_nextmove, dtype=f"u{base.tk_nextmove.itemsize}")
        self.rowbase_np = np.asarray(self.rowbase, dtype=np.int64)
        self.output_np = np.asarray(self.output, dtype=np.int64)
        self.depth = self._depth()

    def _depth(self) -> int:
        """Length of the longest string a state stands for: a breadth-first walk from the root."""
        import numpy as np

        rows = self.nextmove_np.reshape(-1, 256)
        row_of = self.rowbase_np >> 8
        seen = np.zeros(len(row_of), dtype=bool)
        seen[0] = True
        frontier, depth = np.zeros(1, dtype=np.int64), 0
        while True:
            # Distinct rows only (states share them), a bounded block at a time.
            distinct = np.unique(row_of[frontier])
            reached = []
            for start in range(0, len(distinct), 4096):
                targets = rows[distinct[start : start + 4096]].ravel()
                reached.append(targets[~seen[targets]])
            new = np.unique(np.concatenate(reached))
            if not len(new):
                return depth
            seen[new] = True
            frontier, depth = new, depth + 1

    def features(self, encoded: bytes) -> tuple[Any, Any] | None:
        """(feature indices in order of first sight, their counts), or ``None`` when none.

        The same as ``py3langid.langid.visit_counts``: long input is walked
        for every position at once, starting :attr:`depth` bytes back from
        the root, which lands in the same state as the walk from the start.
        """
        import numpy as np

        if not max(_VECTOR_MIN_BYTES, self.depth) <= len(encoded) < 1 << 31:  # keys below
            return self._features_by_loop(encoded)
        nextmove, rowbase, depth = self.nextmove_np, self.rowbase_np, self.depth
        data = np.frombuffer(encoded, dtype=np.uint8)
        # The first depth-1 positions have fewer bytes behind them: the plain walk.
        head, state = [], 0
        for byte in encoded[: depth - 1]:
            state = self.nextmove[self.rowbase[state] + byte]
            head.append(state)
        width = len(encoded) - depth + 1
        states = np.zeros(width, dtype=np.int64)
        for step in range(depth):
            states = nextmove.take(rowbase.take(states) + data[step : step + width])
        found = self.output_np.take(np.concatenate((np.asarray(head, dtype=np.int64), states)))
        positions = np.flatnonzero(found >= 0)
        if not len(positions):
            return None
        # One sort of (feature, position) keys gives the counts and each
        # feature's first position; a second puts features in first-seen order.
        keys = (found[positions] << 32) | positions
        keys.sort()
        feature = keys >> 32
        first = np.empty(len(feature), dtype=bool)
        first[0] = True
        np.not_equal(feature[1:], feature[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.empty_like(starts)
        np.subtract(starts[1:], starts[:-1], out=counts[:-1])
        counts[-1] = len(feature) - starts[-1]
        order = ((keys[starts] & 0xFFFFFFFF) << 32) | np.arange(len(starts))
        order.sort()
        order &= 0xFFFFFFFF
        return feature[starts][order], counts[order]

    def _features_by_loop(self, encoded: bytes) -> tuple[Any, Any] | None:
        import numpy as np
        from py3langid.langid import visit_counts

        visits = visit_counts(self.nextmove, self.rowbase, self.output, encoded)
        if not visits:
            return None
        return (
            np.fromiter(visits.keys(), dtype=np.intp, count=len(visits)),
            np.fromiter(visits.values(), dtype=np.int64, count=len(visits)),
        )


class _Scorer:
    """``LanguageIdentifier.rank`` (``norm_probs=True``) restricted to ``labels``.

    Same steps as py3langid's ``_decide`` and ``rank``. A restricted table
    is kept as float32 (21 MB for newsdigest's languages): py3langid keeps
    float16, and the matrix product converts the rows it reads to float32 on
    every call, to the same values.
    """

    def __init__(self, base: Any, automaton: _Automaton, labels: tuple[str, ...] | None) -> None:
        import numpy as np

        self.labels = labels
        self.automaton = automaton
        classes = list(base.nb_classes)
        indices = [i for i, c in enumerate(classes) if labels is None or c in labels]
        self.classes = [classes[i] for i in indices]
        if labels is None:
            # Every label: py3langid's own float16 table, not a 57 MB copy.
            self.table, self.prior = base.nb_ptc, base.nb_pc
        else:
            self.table = np.ascontiguousarray(base.nb_ptc[:, indices], dtype=np.float32)
            self.prior = base.nb_pc[indices]
        first: dict[str, int] = {}
        self.alias_pairs = []
        for i, c in enumerate(self.classes):
            if c in first:
                self.alias_pairs.append((first[c], i))
            else:
                first[c] = i
        self._encode = base._encode

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Every label's probability, best first (ties in model order), one entry per label."""
        import numpy as np

        encoded = self._encode(text)
        found = self.automaton.features(encoded)
        if found is not None:
            indices, counts = found
            rows = self.table.take(indices, axis=0)
            scores = np.log1p(counts.astype(np.float32)) @ rows + self.prior
        else:
            scores = np.full(len(self.classes), 0.0, dtype=np.float32)
        scores *= 1.0 / math.sqrt(len(encoded) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        for i, j in self.alias_pairs:
            scores[i] += scores[j]
            scores[j] = 0.0
        if self.alias_pairs:
            merged: dict[str, float] = {}
            for label, score in zip(self.classes, scores.tolist()):
                merged.setdefault(label, score)  # the first column holds the folded score
        else:
            merged = dict(zip(self.classes, scores.tolist()))
        return sorted(merged.items(), key=itemgetter(1), reverse=True)


def _newsdigest_code(label: str) -> str:
    return "nb" if label == "no" else label


_DETECTOR = Py3langidDetector()


def get_detector() -> Py3langidDetector:
    """The process's shared instance (the model is loaded once, on first use)."""
    return _DETECTOR


@hookimpl(trylast=True)
def newsdigest_language_detectors() -> list:
    return [_DETECTOR]
