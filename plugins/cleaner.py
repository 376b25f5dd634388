"""The cleaning itself: which paragraphs (or sentences) of a text to cut, and why.

Three sources of cuts, each recorded as a :class:`~pipeline.document.Removal`:

1. a learned site profile (:mod:`plugins.boilerplate_profiles`): the
   paragraph recurs across the site's documents;
2. line rules (:mod:`plugins.line_rules`): the paragraph *is* a promo, a
   prompt or a piece of page furniture ("More from X: ...", "Read more",
   "Sign up for our newsletter", "Advertisement");
3. the appeal scorer (:mod:`plugins.appeal_scoring`): the paragraph speaks
   like an appeal and not like news. Position counts: appeals sit at the end
   of an article or in boxes between its paragraphs, and come in blocks, so
   a weaker paragraph is cut when it sits in the last part of the text or
   next to a cut appeal. In a long paragraph only the appealing sentences go.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.document import Document, Drop, Removal
from plugins.appeal_scoring import AppealScorer, Score, confidence, fold, words_of
from plugins.boilerplate_profiles import SiteProfile, document_host, normalise
from plugins.line_rules import LineMatcher, in_tail
from plugins.rule_packs import RulePack

#: Paragraphs longer than this are cut sentence by sentence, never whole.
LONG_PARAGRAPH_WORDS = 120
#: Appeals are short; past this many words a paragraph needs more evidence...
SHORT_WORDS = 60
#: ...one more point for every this many words.
WORDS_PER_POINT = 30
#: How much less evidence a paragraph in the tail of the text needs.
TAIL_DISCOUNT = 0.5
#: Neighbours of a cut appeal need only this score to go with it...
BLOCK_SCORE = 2.0
#: ...and must be at most this long.
BLOCK_MAX_WORDS = 90

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”»)]?\s+(?=[\"“„«¿¡(]?[^\W\d_])")


@dataclass
class Cut:
    """A planned cut: a whole paragraph, or one sentence of it."""

    index: int
    text: str
    rule: str
    reason: str
    score: float
    whole: bool = True


@dataclass
class _Page:
    """One document's text as the cleaner sees it."""

    paragraphs: list[str]
    folded: list[str]
    folded_text: str
    language: str | None
    host: str | None
    site_names: list[str]
    kept: list[int] = field(default_factory=list)  # indexes of non-empty paragraphs


class Cleaner:
    """Rules, cues and profiles of a run, compiled once and applied per document.

    :param packs: rule packs, built-in and user's.
    :param profiles: learned site profiles by host.
    :param appeal_threshold: raw score from which a paragraph is an appeal
        anywhere in the text (half a point less in the tail).
    """

    def __init__(
        self,
        packs: list[RulePack],
        profiles: dict[str, SiteProfile] | None = None,
        appeal_threshold: float = 4.5,
    ) -> None:
        self.packs = packs
        self.lines = LineMatcher([rule for pack in packs for rule in pack.lines])
        self.scorer = AppealScorer([cue for pack in packs for cue in pack.cues])
        self.profiles = profiles or {}
        self.threshold = appeal_threshold
        self._titles: dict[str, str] = {}

    def plan(self, document: Document) -> list[Cut]:
        """The cuts this cleaner would make in ``document.text``, in text order."""
        text = document.text or ""
        if not text.strip():
            return []
        host = document_host(document)
        folded_text = fold(text)
        page = _Page(
            paragraphs=text.split("\n"),
            folded=folded_text.split("\n"),  # folding keeps line breaks: same paragraphs
            folded_text=folded_text,
            language=document.language,
            host=host,
            site_names=_site_names(document, host),
        )
        page.kept = [i for i, p in enumerate(page.paragraphs) if p.strip()]
        cuts: dict[int, Cut] = {}
        self._structural_cuts(page, document, cuts)
        scores, sentence_cuts = self._appeal_cuts(page, cuts)
        self._grow_blocks(page, cuts, scores)
        ordered = [cuts[p] for p in sorted(cuts)] + sentence_cuts
        ordered.sort(key=lambda cut: (cut.index, not cut.whole))
        return ordered

    def _structural_cuts(self, page: _Page, document: Document, cuts: dict[int, Cut]) -> None:
        """Profile, masthead and line-rule cuts (positions are among non-empty paragraphs)."""
        profile = self.profiles.get(page.host) if page.host else None
        site_title = self._site_title(document.sitename) if document.sitename else ""
        count = len(page.kept)
        # Gated rules whose literals are nowhere in the text are not tried line by line.
        gated = self.lines.gated_for(page.folded_text)
        match, paragraphs, folded = self.lines.match, page.paragraphs, page.folded
        language, host = page.language, page.host
        for position, index in enumerate(page.kept):
            paragraph = paragraphs[index]
            if profile is not None:
                seen = profile.paragraphs.get(normalise(paragraph))
                if seen:
                    reason = (
                        f"recurs in {seen} of {profile.documents} documents from {profile.host}"
                    )
                    cuts[position] = Cut(index, paragraph, "profile.recurring", reason, 1.0)
                    continue
            if site_title and position < 3 and normalise(paragraph) == site_title:
                reason = "the site's name on a line of its own (a masthead, not article text)"
                cuts[position] = Cut(index, paragraph, "boilerplate.site_name", reason, 1.0)
                continue
            rule = match(paragraph, position, count, language, host, folded[index], gated)
            if rule is not None:
                cuts[position] = Cut(index, paragraph, rule.name, rule.reason, rule.score)

    def _site_title(self, sitename: str) -> str:
        # A run sees the same few site names over and over: normalise each once.
        title = self._titles.get(sitename)
        if title is None:
            if len(self._titles) >= 4096:
                self._titles.clear()
            title = self._titles[sitename] = normalise(sitename)
        return title

    def _appeal_cuts(self, page: _Page, cuts: dict[int, Cut]) -> tuple[dict[int, Score], list[Cut]]:
        """Score paragraphs holding a trigger term; cut the appeals among them."""
        scores: dict[int, Score] = {}
        sentence_cuts: list[Cut] = []
        count = len(page.kept)
        for position in self._candidate_positions(page):
            if position in cuts:
                continue
            index = page.kept[position]
            folded = page.folded[index]
            words = words_of(folded)
            if not self.scorer.is_candidate(folded, words):
                continue
            paragraph = page.paragraphs[index]
            score = self.scorer.score(
                paragraph, page.language, page.host, page.site_names, folded, words
            )
            scores[position] = score
            if not (score.publisher and score.core):
                continue
            needed = self.threshold - (TAIL_DISCOUNT if in_tail(position, count) else 0.0)
            size = len(paragraph.split())
            if size > LONG_PARAGRAPH_WORDS:
                if score.value >= needed:
                    sentence_cuts.extend(self._sentences(index, paragraph, page))
            elif score.value >= needed + max(0, size - SHORT_WORDS) / WORDS_PER_POINT:
                cuts[position] = self._appeal_cut(index, paragraph, score, "")
        return scores, sentence_cuts

    def _candidate_positions(self, page: _Page) -> Iterable[int]:
        """Positions (among non-empty paragraphs) of the paragraphs that may hold a trigger.

        One scan of the whole folded text rules out most paragraphs, so
        only the few left are split into words and tested exactly.
        """
        lines = self.scorer.candidate_lines(page.folded_text)
        if lines is None:
            return range(len(page.kept))
        kept = page.kept
        positions = []
        for index in lines:
            position = bisect_left(kept, index)
            if position < len(kept) and kept[position] == index:
                positions.append(position)
        return positions

    def _grow_blocks(self, page: _Page, cuts: dict[int, Cut], scores: dict[int, Score]) -> None:
        """Appeals come in blocks: take weaker neighbours of a cut appeal along."""
        count = len(page.kept)
        for start in sorted(p for p in scores if p in cuts):
            for step in (-1, 1):
                position = start + step
                while 0 <= position < count and position not in cuts:
                    index = page.kept[position]
                    paragraph = page.paragraphs[index]
                    if len(paragraph.split()) > BLOCK_MAX_WORDS:
                        break
                    score = scores.get(position) or self.scorer.score(
                        paragraph, page.language, page.host, page.site_names, page.folded[index]
                    )
                    if score.value < BLOCK_SCORE or not score.core:
                        break
                    cuts[position] = self._appeal_cut(
                        index, paragraph, score, "next to an appeal; "
                    )
                    position += step

    def _appeal_cut(self, index: int, text: str, score: Score, why: str) -> Cut:
        strongest = score.strongest
        rule = strongest.name if strongest is not None else "appeals.score"
        reason = f"{why}reads as a publisher's appeal (score {score.value:.1f}): {score.explain()}"
        return Cut(index, text, rule, reason, confidence(score.value, self.threshold))

    def _sentences(self, index: int, paragraph: str, page: _Page) -> list[Cut]:
        cuts = []
        for sentence in _SENTENCE_END.split(paragraph):
            score = self.scorer.score(sentence, page.language, page.host, page.site_names)
            if score.value >= self.threshold and score.publisher and score.core:
                cut = self._appeal_cut(
                    index, sentence, score, "appeal sentence in a long paragraph; "
                )
                cut.whole = False
                cuts.append(cut)
        return cuts

    def clean(self, document: Document, label_only: bool = False) -> Document:
        """Cut (or, with ``label_only``, only record) what :meth:`plan` finds."""
        cuts = self.plan(document)
        for cut in cuts:
            document.removed.append(
                Removal(cut.text, cut.rule, cut.reason, cut.score, plugin="clean")
            )
        if label_only:
            document.metadata["clean_labelled"] = True
        elif cuts:
            text = _apply(document.text or "", cuts)
            if not text.strip():
                # Nothing of an article is left: set the page aside with a
                # reason rather than hand on an empty text.
                raise Drop("only boilerplate")
            document.text = text
        host = document_host(document) if self.profiles else None
        if host and host in self.profiles:
            document.metadata["site_profile"] = host
        return document


def _apply(text: str, cuts: list[Cut]) -> str:
    paragraphs = text.split("\n")
    drop: set[int] = set()
    sentences: dict[int, set[str]] = {}
    for cut in cuts:
        if cut.whole:
            drop.add(cut.index)
        else:
            sentences.setdefault(cut.index, set()).add(cut.text)
    for index, gone in sentences.items():
        # Split once, as the cuts were found, so removal stays linear.
        kept = [s for s in _SENTENCE_END.split(paragraphs[index]) if s not in gone]
        paragraphs[index] = " ".join(" ".join(kept).split())
    return "\n".join(p for i, p in enumerate(paragraphs) if i not in drop and p.strip())


def _site_names(document: Document, host: str | None) -> list[str]:
    names = []
    if document.sitename and 2 < len(document.sitename) <= 40:
        names.append(fold(document.sitename.strip()))
    if host:
        names.append(host)
        label = host.split(".")[-2] if host.count(".") >= 1 else host
        if len(label) > 3:
            names.append(label)
    return names


def options_flag(options: dict[str, Any], key: str, default: bool = False) -> bool:
    """A boolean option that may come from TOML or from a command-line string."""
    value = options.get(key, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


__all__ = ["Cleaner", "Cut", "options_flag"]
