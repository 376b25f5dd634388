"""The py3langid backend (``[language] backend = "py3langid"``): fast.

py3langid is a naive Bayes classifier over byte n-grams (langid.py's model,
retrained, with numpy scoring): about 0.1 ms for a sentence, a 4.5 MB
install, 0.9 s to load. Its probabilities (py3langid >= 0.4 scales scores by
the text length before the softmax) are calibrated well enough that the
ensemble backend trusts it alone when it is near-certain.

The library is imported only when the backend is first used, so this module
imports without it; using the backend without the library raises
:class:`ImportError` naming the extra to install.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from pipeline.hookspecs import hookimpl

#: Extra that installs the library.
EXTRA = "py3langid"

#: py3langid's labels for newsdigest's codes, where they differ.
_LABELS: dict[str, str] = {"nb": "no"}

#: Answers below this probability are noise; they are left out of the list.
_FLOOR = 1e-4


class Py3langidDetector:
    """py3langid's naive Bayes model; one restricted copy per candidate set."""

    name = "py3langid"

    def __init__(self) -> None:
        self._base: Any = None
        self._restricted: dict[tuple[str, ...], Any] = {}
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

    def _identifier(self, candidates: Sequence[str] | None) -> Any:
        base = self._load()
        if candidates is None:
            return base
        labels = tuple(sorted({_LABELS.get(code, code) for code in candidates} & set(base.labels)))
        if not labels:
            return None
        with self._lock:
            if labels not in self._restricted:
                from py3langid.langid import LanguageIdentifier

                # A second identifier over the same arrays: restricting one
                # in place would change the answer for every other caller.
                restricted = LanguageIdentifier(
                    base.nb_ptc, base.nb_pc, base.nb_classes, base.tk_nextmove, base.tk_output,
                    norm_probs=True, tk_row=base.tk_row,
                )  # fmt: skip
                restricted.set_languages(list(labels))
                self._restricted[labels] = restricted
            return self._restricted[labels]

    def detect(self, text: str, candidates: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Probabilities over the candidates (or every label), most likely first."""
        identifier = self._identifier(candidates)
        if identifier is None or not text.strip():
            return []
        ranked = identifier.rank(text)
        if len(ranked) > 1 and ranked[0][1] - ranked[-1][1] < 1e-9:
            return []  # no n-gram the model knows: a uniform answer says nothing
        return [(_newsdigest_code(label), float(p)) for label, p in ranked if p >= _FLOOR]


def _newsdigest_code(label: str) -> str:
    return "nb" if label == "no" else label


_DETECTOR = Py3langidDetector()


def get_detector() -> Py3langidDetector:
    """The process's shared instance (the model is loaded once, on first use)."""
    return _DETECTOR


@hookimpl(trylast=True)
def newsdigest_language_detectors() -> list:
    return [_DETECTOR]
