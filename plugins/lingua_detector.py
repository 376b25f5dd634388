"""The lingua backends (``backend = "lingua"`` or ``"lingua-low"``): accurate on short text.

lingua-language-detector (Rust, 75 languages) scores 1- to 5-grams on text
under 120 characters, which is what makes it good on a headline or a pair
of words, and trigrams only on longer text. Its models load lazily, per
language and n-gram size, when a text first needs them: the first short
Latin-script text of a process costs about 8 s and 700 MB. ``lingua-low``
is lingua's low accuracy mode (trigrams only): a fraction of the memory and
time, clearly worse on short text.

One lingua detector is built per candidate set and kept for the process
(the models themselves are shared by all of them). The library is imported
only when the backend is first used, so this module imports without it;
using the backend without the library raises :class:`ImportError` naming
the extra to install.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from pipeline.hookspecs import hookimpl

#: Extra that installs the library.
EXTRA = "lingua"

#: Answers below this confidence are noise; they are left out of the list.
_FLOOR = 1e-4


class LinguaDetector:
    """lingua's detector, built once per candidate set."""

    def __init__(self, name: str = "lingua", low_accuracy: bool = False) -> None:
        self.name = name
        self.low_accuracy = low_accuracy
        self._by_code: dict[str, Any] | None = None
        self._detectors: dict[tuple[str, ...], Any] = {}
        self._codes: dict[tuple[str, ...] | None, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    @property
    def languages(self) -> tuple[str, ...]:
        """ISO 639-1 codes of every language lingua knows."""
        return tuple(sorted(self._languages()))

    def _languages(self) -> dict[str, Any]:
        with self._lock:
            if self._by_code is None:
                try:
                    from lingua import Language
                except ImportError as exc:
                    raise ImportError(
                        f"the {self.name} language backend needs the lingua-language-detector"
                        f" package: pip install 'newsdigest[{EXTRA}]'"
                    ) from exc
                self._by_code = {
                    language.iso_code_639_1.name.lower(): language for language in Language.all()
                }
            return self._by_code

    def _detector(self, codes: tuple[str, ...]) -> Any:
        with self._lock:
            if codes not in self._detectors:
                from lingua import LanguageDetectorBuilder

                by_code = self._by_code or {}
                builder = LanguageDetectorBuilder.from_languages(*(by_code[c] for c in codes))
                if self.low_accuracy:
                    builder = builder.with_low_accuracy_mode()
                self._detectors[codes] = builder.build()
            return self._detectors[codes]

    def detect(self, text: str, candidates: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """lingua's confidence values over the candidates (or all 75), most likely first."""
        key = None if candidates is None else tuple(candidates)
        codes = self._codes.get(key)
        if codes is None:
            known = self._languages()
            codes = tuple(sorted(known if key is None else set(key) & set(known)))
            if len(self._codes) > 64:  # candidate lists built on the fly must not pile up
                self._codes.clear()
            self._codes[key] = codes
        if not codes or not text or text.isspace():
            return []
        if len(codes) == 1:
            # lingua needs two languages to choose between; with one allowed,
            # the only question is whether the text has letters at all.
            return [(codes[0], 1.0)] if any(char.isalpha() for char in text) else []
        values = self._detector(codes).compute_language_confidence_values(text)
        return [
            (value.language.iso_code_639_1.name.lower(), float(value.value))
            for value in values
            if value.value >= _FLOOR
        ]


_DETECTORS = (LinguaDetector("lingua"), LinguaDetector("lingua-low", low_accuracy=True))


def get_detector(low_accuracy: bool = False) -> LinguaDetector:
    """The process's shared instance (its models load on first use)."""
    return _DETECTORS[1 if low_accuracy else 0]


@hookimpl(trylast=True)
def newsdigest_language_detectors() -> list:
    return list(_DETECTORS)
