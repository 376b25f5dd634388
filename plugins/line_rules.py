"""Structural line rules, combined into alternations picked by first character.

Every rule is anchored at the start of a paragraph, so the first character
of the paragraph already rules most of them out. At start-up each rule's
possible first characters are read from its parsed pattern; rules are then
combined into one alternation per first character (rules whose first
character cannot be known join every alternation). A paragraph is tried
once, against the alternation for its first character. A rule whose
conditions (length, position, language, host) fail on a paragraph hands over
to the next rule that matches it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from plugins.rule_packs import LineRule, RulePackError, host_matches

#: Leading list marks, table pipes and quote marks that extractors leave in
#: front of a line; a rule sees the line without them.
_LEAD = re.compile(r"^[\s\-–—•·*|>#»›▶►]+")


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
        firsts = [_first_chars(rule.pattern) for rule in self.rules]
        keys = set().union(*(f for f in firsts if f is not None))
        self._groups: dict[str, tuple[re.Pattern[str], list[LineRule]]] = {}
        built: dict[tuple[int, ...], tuple[re.Pattern[str], list[LineRule]]] = {}
        for key in keys | {""}:
            members = tuple(i for i, f in enumerate(firsts) if f is None or key in f)
            if members and members not in built:
                built[members] = _combine([self.rules[i] for i in members])
            if members:
                self._groups[key] = built[members]

    def match(
        self,
        paragraph: str,
        index: int,
        count: int,
        language: str | None,
        host: str | None,
        folded: str | None = None,
    ) -> LineRule | None:
        """The first rule that cuts ``paragraph`` (number ``index`` of ``count``), or ``None``.

        ``folded`` is the paragraph lower-cased, if the caller has it.
        """
        line = _LEAD.sub("", paragraph)
        if not line:
            return None
        words = len(line.split())
        group = self._groups.get(line[0].lower()) or self._groups.get("")
        found = group[0].match(line) if group is not None else None
        if found is None:
            return self._match_gated(
                line, folded or line.lower(), words, index, count, language, host
            )
        rules = group[1]
        first = found.lastindex - 1 if found.lastindex else 0
        # The alternation reports only the first rule that matched; check
        # it, then the later ones, so a rule whose conditions fail does not
        # hide another that applies.
        for rule in rules[first:]:
            if rule is not rules[first] and not rule.pattern.match(line):
                continue
            if self._applies(rule, words, index, count, language, host):
                return rule
        return self._match_gated(line, folded or line.lower(), words, index, count, language, host)

    def _match_gated(
        self,
        line: str,
        folded: str,
        words: int,
        index: int,
        count: int,
        language: str | None,
        host: str | None,
    ) -> LineRule | None:
        for rule in self.gated:
            if (
                words <= rule.max_words
                and any(literal in folded for literal in rule.contains)
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


def _combine(rules: list[LineRule]) -> tuple[re.Pattern[str], list[LineRule]]:
    alternation = "|".join(f"({rule.pattern.pattern})" for rule in rules)
    try:
        return re.compile(alternation, re.IGNORECASE), rules
    except re.error as exc:
        raise RulePackError(f"line rules do not combine: {exc}") from None


def _first_chars(pattern: re.Pattern[str]) -> set[str] | None:
    """Lower-cased characters a match of ``pattern`` can start with; ``None`` if unknown."""
    try:
        from re import _constants as c
        from re import _parser as parser
    except ImportError:  # pragma: no cover - older layouts of the re package
        return None
    try:
        items = list(parser.parse(pattern.pattern, pattern.flags))
    except (re.error, ValueError):  # pragma: no cover - it compiled, so it parses
        return None
    return _first_of(items, 0, c)


def _first_of(items: list, start: int, c) -> set[str] | None:
    for position in range(start, len(items)):
        op, arg = items[position]
        if op is c.AT:
            continue  # zero-width: look at what follows
        if op is c.LITERAL:
            return {chr(arg).lower()}
        if op is c.IN:
            return _charset(arg, c)
        if op is c.SUBPATTERN:
            return _first_of(list(arg[-1]), 0, c)
        if op is c.BRANCH:
            found: set[str] = set()
            for branch in arg[1]:
                chars = _first_of(list(branch), 0, c)
                if chars is None:
                    return None
                found |= chars
            return found
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)):
            low, _high, sub = arg
            chars = _first_of(list(sub), 0, c)
            if chars is None:
                return None
            if low:
                return chars
            rest = _first_of(items, position + 1, c)
            return None if rest is None else chars | rest
        return None
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
