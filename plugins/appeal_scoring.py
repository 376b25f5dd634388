"""Scores paragraphs as publisher appeals or as news, from weighted cues.

A fundraising, membership or newsletter appeal combines three things: the
publisher speaking of itself (*we*, *our newsroom*, the site's own name),
an ask aimed at the reader (*you*, *please*, an imperative) and the
vocabulary of giving (*donate*, *become a member*, *€5 a month*). News about
donations has the vocabulary but not the rest, and carries markers of
reporting instead: attribution (*said*, *according to*), quotation, past
tense (*donated*, *raised*), large sums. The cues come from rule packs
(:mod:`plugins.rule_packs`); this module only adds them up.

For speed the scorer only scores *candidate* paragraphs, those holding a
trigger term, and tests terms by set lookups on each paragraph's words. One
regex scan of a whole text (:meth:`AppealScorer.candidate_lines`) first
rules out the many paragraphs that cannot be candidates, so only a few are
split into words; and a paragraph's words pick the few cues worth testing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from plugins.rule_packs import Cue, host_matches

#: Words, with inner apostrophes kept ("don't" is one word, not "don").
_WORD = re.compile(r"\w+(?:'\w+)*")


def fold(text: str) -> str:
    """Lower-case ``text`` and unify apostrophes and spaces, keeping its length."""
    # A chain of str.replace is several times faster than str.translate.
    text = text.lower()
    for odd, plain in _FOLD:
        if odd in text:
            text = text.replace(odd, plain)
    return text


_FOLD = (("’", "'"), ("‘", "'"), ("`", "'"), ("\xa0", " "), ("\u2009", " "), ("\u202f", " "))


def words_of(folded: str) -> set[str]:
    """The set of words in folded text."""
    return set(_WORD.findall(folded))


def has_term(folded: str, term: str, start: int = 0) -> int:
    """Offset of ``term`` in ``folded`` at word boundaries (``*`` ends a prefix), else -1."""
    prefix = term.endswith("*")
    stem = term[:-1] if prefix else term
    size = len(stem)
    pos = folded.find(stem, start)
    while pos != -1:
        before_ok = pos == 0 or not _in_word(folded, pos - 1)
        end = pos + size
        after_ok = prefix or end >= len(folded) or not _in_word(folded, end)
        if before_ok and after_ok:
            return pos
        pos = folded.find(stem, pos + 1)
    return -1


def _in_word(text: str, at: int) -> bool:
    # An apostrophe inside a word ("don't") is part of it.
    char = text[at]
    if char == "'":
        return 0 < at < len(text) - 1 and text[at - 1].isalnum() and text[at + 1].isalnum()
    return char.isalnum()


def _key_word(phrase: str) -> str:
    words = _WORD.findall(phrase)
    if phrase.endswith("*") and len(words) > 1:
        words = words[:-1]  # the last word of a prefix phrase is cut short
    return max(words, key=len) if words else phrase


class _Terms:
    """Terms ready for fast tests against a paragraph's folded text and word set.

    Whole words are tested by set intersection, phrases only when their
    longest (so likely rarest) whole word is present, prefixes (``stem*``) by substring search; no test loops
    over every term of the list.
    """

    __slots__ = ("firsts", "phrases", "prefixes", "terms", "words")

    def __init__(self, terms: Sequence[str]) -> None:
        words: set[str] = set()
        phrases: dict[str, list[str]] = {}
        prefixes: list[str] = []
        for term in terms:
            if term.endswith("*") and _WORD.fullmatch(term[:-1]):
                prefixes.append(term)
            elif _WORD.fullmatch(term):
                words.add(term)
            else:
                phrases.setdefault(_key_word(term), []).append(term)
        self.words = frozenset(words)
        self.phrases = {first: tuple(group) for first, group in phrases.items()}
        self.firsts = frozenset(self.phrases)
        self.prefixes = tuple(prefixes)
        self.terms = tuple(terms)

    def found(self, folded: str, words: set[str]) -> bool:
        """Whether any term occurs in the paragraph."""
        if not self.words.isdisjoint(words):
            return True
        for key in self.firsts.intersection(words):
            for phrase in self.phrases[key]:
                if has_term(folded, phrase) != -1:
                    return True
        if self.prefixes:
            return any(t[:-1] in folded and has_term(folded, t) != -1 for t in self.prefixes)
        return False


@dataclass
class _CompiledCue:
    cue: Cue
    terms: _Terms

    def matches(self, folded: str, words: set[str], original: str) -> bool:
        if self.cue.terms and not self.terms.found(folded, words):
            return False
        return self.cue.pattern is None or self.cue.pattern.search(original) is not None


@dataclass
class Score:
    """The evidence on one paragraph."""

    value: float = 0.0
    appeal: list[Cue] = field(default_factory=list)
    news: list[Cue] = field(default_factory=list)
    #: whether a cue shows the publisher speaking of itself
    publisher: bool = False
    #: whether a trigger cue (the vocabulary of giving, signing up...) matched;
    #: pronouns and imperatives alone never make an appeal
    core: bool = False

    @property
    def strongest(self) -> Cue | None:
        """The heaviest appeal cue, which names the rule of a cut."""
        return max(self.appeal, key=lambda cue: cue.weight, default=None)

    def explain(self) -> str:
        """The cues, readable: ``appeal: a, b; news: c``."""
        parts = ["appeal cues: " + ", ".join(_short(c) for c in self.appeal)]
        if self.news:
            parts.append("news cues: " + ", ".join(_short(c) for c in self.news))
        return "; ".join(parts)


def _short(cue: Cue) -> str:
    return f"{cue.family} ({cue.name.rsplit('.', 1)[-1]})"


def confidence(value: float, threshold: float) -> float:
    """Map a raw score to ``[0, 1]``: about 0.73 at the threshold, 0.95 two points above."""
    return round(1.0 / (1.0 + math.exp(-(value - threshold + 1.0))), 3)


class AppealScorer:
    """The cues of a run, compiled once."""

    def __init__(self, cues: Sequence[Cue]) -> None:
        self.cues = [_CompiledCue(cue, _Terms(cue.terms)) for cue in cues]
        self._for_language: dict[str | None, list[_CompiledCue]] = {}
        self._index: dict[str | None, _CueIndex] = {}
        terms = {t for c in self.cues if c.cue.trigger for t in c.cue.terms}
        # A phrase holding a trigger word adds nothing: the word finds it.
        single = {t for t in terms if _WORD.fullmatch(t)}
        self.triggers = _Terms(
            sorted(t for t in terms if t in single or single.isdisjoint(_WORD.findall(t)))
        )
        self._scan = _term_scanner(self.triggers.terms)

    def _cues_for(self, language: str | None) -> list[_CompiledCue]:
        cues = self._for_language.get(language)
        if cues is None:
            unknown = language in (None, "und")
            cues = [
                c
                for c in self.cues
                if unknown or not c.cue.languages or language in c.cue.languages
            ]
            self._for_language[language] = cues
        return cues

    def candidate_lines(self, folded_text: str) -> list[int] | None:
        """Numbers of the lines of folded text (split at ``"\\n"``) that may hold a trigger term.

        A necessary condition only, found by one scan of the whole text:
        a line listed here still needs :meth:`is_candidate`, a line not
        listed cannot pass it. ``None`` means any line may.
        """
        scan = self._scan
        if scan is None:
            return None
        # The scan consumes the character before a term, so a line break
        # is put in front of the first line too.
        text = "\n" + folded_text
        search, find, count = scan.search, text.find, text.count
        lines: list[int] = []
        line, counted, pos = -1, 0, 0
        while (found := search(text, pos)) is not None:
            start = found.start() + 1  # where the term begins
            line += count("\n", counted, start)
            counted = start
            lines.append(line)
            # One hit is enough for a line: go on from its end.
            pos = find("\n", found.end())
            if pos == -1:
                break
        return lines

    def is_candidate(self, folded: str, words: set[str]) -> bool:
        """Whether a paragraph (folded text and word set) holds a trigger term."""
        return self.triggers.found(folded, words)

    def score(
        self,
        paragraph: str,
        language: str | None = None,
        host: str | None = None,
        site_names: Sequence[str] = (),
        folded: str | None = None,
        words: set[str] | None = None,
    ) -> Score:
        """Add up the cues found in ``paragraph``: the strongest cue of each family counts.

        ``folded`` and ``words`` (from :func:`fold` and :func:`words_of`) may
        be passed when the caller has them already.
        """
        if folded is None:
            folded = fold(paragraph)
        if words is None:
            words = words_of(folded)
        best: dict[tuple[str, str], Cue] = {}
        publisher: Cue | None = None
        index = self._index.get(language)
        if index is None:
            index = self._index[language] = _CueIndex(self._cues_for(language))
        for compiled in index.possible(words):
            cue = compiled.cue
            if cue.hosts and not host_matches(host, cue.hosts):
                continue
            key = (cue.side, cue.family)
            held = best.get(key)
            stronger = held is None or cue.weight > held.weight
            if not stronger and (publisher is not None or not cue.publisher):
                continue
            if not compiled.matches(folded, words, paragraph):
                continue
            if stronger:
                best[key] = cue
            if cue.publisher and cue.side == "appeal" and publisher is None:
                publisher = cue
        if publisher is None and site_names and _names_site(folded, site_names):
            publisher = _SITE_NAME
            held = best.get(("appeal", "self"))
            if held is None or held.weight < _SITE_NAME.weight:
                best[("appeal", "self")] = _SITE_NAME
        result = Score(publisher=publisher is not None)
        for (side, _family), cue in best.items():
            if side == "appeal":
                result.appeal.append(cue)
                result.value += cue.weight
            else:
                result.news.append(cue)
                result.value -= cue.weight
        if publisher is not None and publisher not in result.appeal:
            result.appeal.append(publisher)
        result.core = any(cue.trigger for cue in result.appeal)
        return result


class _CueIndex:
    """The cues of one language, found from a paragraph's words.

    A cue with terms matches only if one of its words, or the key word of
    one of its phrases, is a word of the paragraph; so most cues can be
    passed over without testing them. Cues without terms, or with
    prefixes, are always tried. Cues keep their order: it decides ties.
    """

    __slots__ = ("always", "by_word", "cues", "keys")

    def __init__(self, cues: list[_CompiledCue]) -> None:
        self.cues = cues
        by_word: dict[str, list[int]] = {}
        always = []
        for number, compiled in enumerate(cues):
            terms = compiled.terms
            if not compiled.cue.terms or terms.prefixes:
                always.append(number)
                continue
            for word in terms.words | terms.firsts:
                by_word.setdefault(word, []).append(number)
        self.by_word = by_word
        self.keys = frozenset(by_word)
        self.always = always

    def possible(self, words: set[str]) -> list[_CompiledCue]:
        """The cues that may match a paragraph with these words, in order."""
        found = self.keys.intersection(words)
        if not found:
            return [self.cues[number] for number in self.always]
        numbers = set(self.always)
        for word in found:
            numbers.update(self.by_word[word])
        return [self.cues[number] for number in sorted(numbers)]


def _term_scanner(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One regex finding, in folded text, every place where one of ``terms`` may occur.

    A term is found (:func:`has_term`, or a word of :func:`words_of`) only
    where it starts after a character that is not a letter or digit (or at
    the start of the text: scan it with a line break in front) and, unless
    it is a prefix, ends before one. The regex asks no more than that, so it
    finds a superset of the places; it starts by consuming that character,
    so the engine can skip from one such character to the next. Terms are
    merged into a trie so that each position costs one branch per
    character, not one test per term (a flat alternation of hundreds of
    terms is several times slower).
    """
    trie: dict[str, dict] = {}
    for term in terms:
        prefix = term.endswith("*")
        stem = term[:-1] if prefix else term
        if not stem:
            return None
        node = trie
        for char in stem:
            node = node.setdefault(char, {})
        node[_PREFIX if prefix else _END] = {}
    if not trie:
        return re.compile(r"(?!)")  # no trigger terms: no line is a candidate
    # ``[^a-z0-9]`` is a plain character set, which the engine skips over
    # faster than ``[\W_]`` (and folded text has no capitals); the
    # lookbehind then rejects the letters and digits it lets through.
    return re.compile(r"[^a-z0-9](?<![^\W_])" + _trie_pattern(trie))


#: Trie markers (not characters, so they cannot clash with a term's text).
_END, _PREFIX = "end", "prefix"


def _trie_pattern(node: dict[str, dict]) -> str:
    if _PREFIX in node:
        return ""  # the prefix matches whatever follows
    branches = [
        re.escape(char) + _trie_pattern(child) for char, child in node.items() if len(char) == 1
    ]
    if _END in node:
        branches.append(r"(?![^\W_])")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _names_site(folded: str, site_names: Sequence[str]) -> bool:
    # "Harbourview Daily" names harbourviewdaily.example: compare without spaces too.
    squashed = folded.replace(" ", "")
    return any(
        has_term(folded, name) != -1 or (len(name) > 5 and name in squashed) for name in site_names
    )


#: Self-reference by the publisher's own name (found per document).
_SITE_NAME = Cue(
    name="site.name", side="appeal", family="self", weight=1.0, trigger=False, publisher=True
)
