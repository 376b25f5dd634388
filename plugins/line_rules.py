"""Structural line rules, picked by the first characters of a line.

Every rule is anchored at the start of a paragraph, so the first characters
of the paragraph already rule most of them out. At start-up each rule's
possible first characters, and first pairs of characters, are read from its
parsed pattern (rules whose start cannot be known are kept for every line).
A line whose first two characters are ASCII is tried against the few rules
that can start with that pair; any other line against those that can start
with its first character. They are tried one by one, in order: a rule whose
conditions (length, position, language, host) fail on a paragraph hands
over to the next rule that matches it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from plugins.rule_packs import LineRule, host_matches

#: Leading list marks, table pipes and quote marks that extractors leave in
#: front of a line; a rule sees the line without them.
_LEAD = re.compile(r"^[\s\-–—•·*|>#»›▶►]+")
#: The marks of ``_LEAD``, and the usual white space: stripped without a regex.
_LEAD_CHARS = "-–—•·*|>#»›▶► \t\r\f\v\xa0\u2009\u202f"


def in_head(index: int, count: int) -> bool:
    """The first tenth of the paragraphs, and at least the first three."""
    return index < max(3, count // 10)


def in_tail(index: int, count: int) -> bool:
    """The last fifth of the paragraphs, and at least the last three."""
    return index >= count - max(3, count // 5)


class LineMatcher:
    """All line rules of a run, ready to test paragraphs."""

    def __init__(self, rules: Sequence[LineRule]) -> None:
        self.rules = [rule for rule in rules if not rule.contains]
        # Gated rules are tried on their own, and only when a literal they
        # need is in the line, so they cost nothing on most paragraphs.
        self.gated = [rule for rule in rules if rule.contains]
        self._gated = [(rule, rule.contains) for rule in self.gated]
        firsts = [_first_chars(rule.pattern) for rule in self.rules]
        keys = set().union(*(f for f in firsts if f is not None))
        self._groups: dict[str, tuple[LineRule, ...]] = {}
        for key in keys | {""}:
            members = tuple(rule for rule, f in zip(self.rules, firsts) if f is None or key in f)
            if members:
                self._groups[key] = members
        # Lines whose first two characters are ASCII (lower-casing them is
        # then exact) go by that pair to the even fewer rules that can start
        # with it. Filled as pairs are met, under the pair as written.
        self._heads = [_first_pairs(rule.pattern) for rule in self.rules]
        self._pairs: dict[str, tuple[LineRule, ...]] = {}

    def gated_for(self, folded_text: str) -> list[tuple[LineRule, tuple[str, ...]]]:
        """The gated rules that can match some line of ``folded_text`` (a whole document).

        A literal in a line is in the document, so the others need not be
        looked for line by line; pass the result to :meth:`match` as ``gated``.
        """
        found = []
        for rule, literals in self._gated:
            present = tuple(literal for literal in literals if literal in folded_text)
            if present:
                found.append((rule, present))
        return found

    def match(
        self,
        paragraph: str,
        index: int,
        count: int,
        language: str | None,
        host: str | None,
        folded: str | None = None,
        gated: list[tuple[LineRule, tuple[str, ...]]] | None = None,
    ) -> LineRule | None:
        """The first rule that cuts ``paragraph`` (number ``index`` of ``count``), or ``None``.

        ``folded`` is the paragraph lower-cased, if the caller has it; with
        it, ``gated`` may be what :meth:`gated_for` gave for the folded text
        the paragraph was cut from.
        """
        line = paragraph.lstrip(_LEAD_CHARS)
        if line[:1].isspace():  # rarer white space (``str.isspace`` is ``\s``)
            line = _LEAD.sub("", line)
        if not line:
            return None
        if gated is None:
            gated = self._gated
        pair = line[:2]
        if len(pair) == 2 and pair.isascii():
            candidates = self._pairs.get(pair)
            if candidates is None:
                candidates = self._pairs[pair] = self._pair_rules(pair.lower())
        else:
            candidates = self._groups.get(line[0].lower()) or self._groups.get("") or ()
        # Rules are tried one by one, in order: there are only a few for any
        # line, and single patterns need no compiling into alternations.
        words = None
        for rule in candidates:
            if rule.pattern.match(line):
                if words is None:
                    words = len(line.split())
                if self._applies(rule, words, index, count, language, host):
                    return rule
        if not gated:
            return None
        return self._match_gated(
            line, folded or line.lower(), words, index, count, language, host, gated
        )

    def _pair_rules(self, pair: str) -> tuple[LineRule, ...]:
        """The rules that can match a line starting with ``pair`` (lower-cased), in order."""
        group = self._groups.get(pair[0]) or self._groups.get("") or ()
        members = {id(rule) for rule in group}
        return tuple(
            rule
            for rule, heads in zip(self.rules, self._heads)
            if id(rule) in members and (heads is None or pair in heads)
        )

    def _match_gated(
        self,
        line: str,
        folded: str,
        words: int | None,
        index: int,
        count: int,
        language: str | None,
        host: str | None,
        gated: list[tuple[LineRule, tuple[str, ...]]],
    ) -> LineRule | None:
        for rule, literals in gated:
            if any(literal in folded for literal in literals):
                if words is None:  # counted only for the few lines that get here
                    words = len(line.split())
                if (
                    words <= rule.max_words
                    and rule.pattern.match(line)
                    and self._applies(rule, words, index, count, language, host)
                ):
                    return rule
        return None

    @staticmethod
    def _applies(
        rule: LineRule, words: int, index: int, count: int, language: str | None, host: str | None
    ) -> bool:
        if words > rule.max_words:
            return False
        if rule.where == "head" and not in_head(index, count):
            return False
        if rule.where == "tail" and not in_tail(index, count):
            return False
        if rule.languages and language not in rule.languages and language not in (None, "und"):
            return False
        return host_matches(host, rule.hosts)


def _first_pairs(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The lower-cased ASCII pairs a match of ``pattern`` can start with; ``None`` if unknown.

    Lines are dispatched on these only when their first two characters are
    ASCII; other lines go to the group of their first character.
    """
    parsed = _parsed(pattern)
    if parsed is None:
        return None
    items, c = parsed
    heads = _heads(items, 2, c, 0)
    if heads is None or any(len(head) != 2 for head in heads):
        return None  # (a character whose lower case is longer than one)
    return frozenset(
        first + second
        for head in heads
        for first in _ascii_forms(head[0])
        for second in _ascii_forms(head[1])
    )


@functools.cache
def _ascii_forms(char: str) -> frozenset[str]:
    """The lower-cased ASCII characters that ``char`` matches, ignoring case.

    A letter from outside ASCII can match one inside (``ſ`` matches ``s``);
    the regex engine itself is asked which.
    """
    if char.isascii():
        return frozenset(char.lower())
    literal = re.compile(re.escape(char), re.IGNORECASE)
    return frozenset(chr(code).lower() for code in range(128) if literal.fullmatch(chr(code)))


def _heads(items: list, size: int, c, depth: int) -> set[str] | None:
    """The strings of ``size`` characters a match of ``items`` can start with, or ``None``."""
    if size == 0:
        return {""}
    if not items or depth > 30:
        return None  # the match may end here: any character may follow
    op, arg = items[0]
    rest = items[1:]
    if op is c.AT:
        return _heads(rest, size, c, depth + 1)  # zero-width: look at what follows
    if op is c.LITERAL or op is c.IN:
        chars = {chr(arg).lower()} if op is c.LITERAL else _charset(arg, c)
        after = _heads(rest, size - 1, c, depth + 1) if chars else None
        if after is None:
            return None
        found = {char + tail for char in chars for tail in after}
        return found if len(found) <= 4096 else None
    if op is c.SUBPATTERN or op is getattr(c, "ATOMIC_GROUP", None):
        body = arg[-1] if op is c.SUBPATTERN else arg
        return _heads(list(body) + rest, size, c, depth + 1)
    if op is c.BRANCH:
        found = set()
        for branch in arg[1]:
            heads = _heads(list(branch) + rest, size, c, depth + 1)
            if heads is None:
                return None
            found |= heads
        return found
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)):
        low, high, sub = arg
        options = []
        if low == 0:
            options.append(rest)
        if high != 0:
            more = high if high == c.MAXREPEAT else high - 1
            again = [(op, (max(low - 1, 0), more, sub))] if more != 0 else []
            options.append(list(sub) + again + rest)
        found = set()
        for option in options:
            heads = _heads(option, size, c, depth + 1)
            if heads is None:
                return None
            found |= heads
        return found
    return None


def _first_chars(pattern: re.Pattern[str]) -> set[str] | None:
    """Lower-cased characters a match of ``pattern`` can start with; ``None`` if unknown."""
    parsed = _parsed(pattern)
    return None if parsed is None else _heads(parsed[0], 1, parsed[1], 0)


def _parsed(pattern: re.Pattern[str]) -> tuple[list, Any] | None:
    """``pattern``'s parse tree and the ``re`` constants module, or ``None`` if not available."""
    try:
        from re import _constants as c
        from re import _parser as parser
    except ImportError:  # pragma: no cover - older layouts of the re package
        return None
    try:
        return list(parser.parse(pattern.pattern, pattern.flags)), c
    except (re.error, ValueError):  # pragma: no cover - it compiled, so it parses
        return None


def _charset(arg: list, c) -> set[str] | None:
    chars: set[str] = set()
    for op, value in arg:
        if op is c.LITERAL:
            chars.add(chr(value).lower())
        elif op is c.RANGE and value[1] - value[0] < 512:
            chars.update(chr(v).lower() for v in range(value[0], value[1] + 1))
        elif op is c.CATEGORY and value is c.CATEGORY_DIGIT:
            chars.update("0123456789")
        else:
            return None
    return chars
