"""Summarize stage: one extractive summariser, chosen by name, writes ``summary``.

Options under ``[summarize]``: ``algorithm`` (default ``"news"``), and one
length: ``words`` (a word budget), ``ratio`` (a share of the sentences) or
``sentences`` (default 3); when several are given, ``words`` wins over
``ratio``, which wins over ``sentences``.

The helpers below say what a :class:`~pipeline.backends.Length` means, so
that every summariser (Lead-N, sumy's, newsdigest's own) cuts the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.backends import Length
from pipeline.document import Document
from pipeline.hookspecs import hookimpl

#: Summariser used when config names none.
DEFAULT_ALGORITHM = "news"
#: Sentences in a summary when config gives no length.
DEFAULT_SENTENCES = 3


@hookimpl(trylast=True)
def newsdigest_summarize(document: Document, config, pipeline) -> Document:
    options = config.section("summarize")
    name = str(options.get("algorithm") or DEFAULT_ALGORITHM)
    summarizer = pipeline.backend("summarizers", name)
    text = _without_headline(document.text or "", document.title)
    document.summary = (
        list(summarizer.summarize(text, document.language, document.title, length_from(options)))
        if text.strip()
        else []
    )
    document.metadata["summary_algorithm"] = name
    return document


def _without_headline(text: str, title: str | None) -> str:
    """The text less a first paragraph that only repeats the title: a summary
    should say what the headline does not, and extractors often keep it."""
    first, _, rest = text.lstrip("\n").partition("\n")
    if title and first.strip().casefold() == title.strip().casefold():
        return rest
    return text


def length_from(options: dict[str, Any]) -> Length:
    """The one :class:`Length` that ``[summarize]`` options ask for (words > ratio > sentences).

    :raises ValueError: when the chosen length is not a positive number
        (or, for ``ratio``, not in ``(0, 1]``).
    """
    if options.get("words") is not None:
        words = int(options["words"])
        if words < 1:
            raise ValueError(f"[summarize] words must be at least 1, not {words}")
        return Length(sentences=None, words=words)
    if options.get("ratio") is not None:
        ratio = float(options["ratio"])
        if not 0 < ratio <= 1:
            raise ValueError(f"[summarize] ratio must be in (0, 1], not {ratio}")
        return Length(sentences=None, ratio=ratio)
    sentences = int(options.get("sentences") or DEFAULT_SENTENCES)
    if sentences < 1:
        raise ValueError(f"[summarize] sentences must be at least 1, not {sentences}")
    return Length(sentences=sentences)


def sentence_count(length: Length, total: int) -> int | None:
    """How many of ``total`` sentences a sentence or ratio length asks for.

    ``None`` for a word budget, whose count depends on which sentences are
    chosen. A ratio rounds to the nearest count, and at least one sentence.
    """
    if length.words is not None:
        return None
    if length.ratio is not None:
        return min(total, max(1, math.floor(length.ratio * total + 0.5)))
    return min(total, DEFAULT_SENTENCES if length.sentences is None else max(0, length.sentences))


class Budget:
    """What is left of a :class:`Length` while a summariser picks sentences.

    :param length: the length asked for.
    :param word_counts: the words in each sentence of the text, by index.
    """

    def __init__(self, length: Length, word_counts: Sequence[int]) -> None:
        self.word_counts = word_counts
        self.wanted = sentence_count(length, len(word_counts))
        self.words_left = None if self.wanted is not None else (length.words or 0)
        # Below the shortest sentence's length, no word budget can take more.
        self._smallest = max(1, min(word_counts, default=1))
        self.chosen: list[int] = []

    @property
    def full(self) -> bool:
        """Whether no further sentence can be taken."""
        if self.wanted is not None:
            return len(self.chosen) >= self.wanted
        return self.words_left is not None and self.words_left < self._smallest

    def offer(self, index: int) -> bool:
        """Take sentence ``index`` if it fits; one that would overflow a word budget is refused."""
        if self.full:
            return False
        if self.words_left is not None:
            if self.word_counts[index] > self.words_left:
                return False
            self.words_left -= self.word_counts[index]
        self.chosen.append(index)
        return True


def take(ranked: Iterable[int], word_counts: Sequence[int], length: Length) -> list[int]:
    """Indices from ``ranked`` (best first) that fit ``length``, in text order.

    With a word budget, a sentence that would overflow it is skipped and
    later (shorter) ones may still fit; the budget is never exceeded, so a
    budget smaller than every sentence gives an empty summary.
    """
    budget = Budget(length, word_counts)
    for index in ranked:
        if budget.full:
            break
        budget.offer(index)
    return sorted(budget.chosen)
