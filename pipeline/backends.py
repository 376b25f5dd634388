"""Interfaces of the pluggable backends that stages choose between.

Plugins offer implementations through the registration hooks
(:func:`~pipeline.hookspecs.newsdigest_language_detectors`,
:func:`~pipeline.hookspecs.newsdigest_summarizers`); the stage picks one by
the name given in config.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class LanguageDetector(Protocol):
    """A language identification backend."""

    name: str

    def detect(self, text: str, candidates: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Languages of ``text`` as ``(ISO 639-1 code, probability)``, most likely first.

        ``candidates`` restricts the answer to those codes when given. Returns
        an empty list when the backend cannot tell; never raises on odd text.
        """
        ...


@dataclass(frozen=True)
class Length:
    """How long a summary should be: exactly one of the three is used.

    :param sentences: a number of sentences.
    :param ratio: a share of the text's sentences, in ``(0, 1]``.
    :param words: a word budget: sentences are added while they fit.
    """

    sentences: int | None = 3
    ratio: float | None = None
    words: int | None = None


class Summarizer(Protocol):
    """An extractive summariser."""

    name: str

    def summarize(
        self, text: str, language: str | None, title: str | None, length: Length
    ) -> list[str]:
        """Sentences taken verbatim from ``text``, in text order."""
        ...
