"""Rule packs: the clean stage's rules, read from TOML files.

A pack is data, not code. It has a ``[pack]`` table and two kinds of rules:

``[[lines]]``: structural rules. A paragraph is cut when the rule's regular
expression matches at its start (case-insensitive; write ``$`` to demand the
whole line). Options: ``max_words`` (only paragraphs this short),
``where`` (``"any"``, ``"head"`` or ``"tail"`` of the text), ``languages``
(ISO codes; empty means every language), ``reason`` and ``score``, and
``contains``: lower-case literals of which one must occur in the paragraph
before the pattern is tried at all (cheap gating for patterns that must scan
into the line, such as "..., sign up for our newsletter").

``[[cues]]``: weighted evidence for the appeal scorer
(:mod:`plugins.appeal_scoring`). A cue has ``terms`` (lower-case literals,
matched at word boundaries; a trailing ``*`` makes a prefix) and/or a
``pattern`` (a regular expression; with ``terms`` too, the terms gate it).
``side`` is ``"appeal"`` or ``"news"``; ``family`` groups cues so that only
the strongest cue of a family counts; ``weight`` is its strength;
``trigger`` (default true for appeal cues with terms) says whether the cue's
terms make a paragraph worth scoring at all; ``publisher = true`` marks a
cue that shows the publisher speaking of itself (*our newsroom*, *support
our journalism*): without one, a paragraph is never an appeal on its own,
which is what keeps third-party calls to give ("donations for the victims
can be made here") in the story.

``[pack] hosts = ["example.com"]`` restricts a whole pack to documents whose
URL host is one of these or a subdomain of one; ``[pack] languages = ["de"]``
gives every rule of the pack that language list unless it has its own (a
rule with languages applies to documents in those languages, and to
documents whose language is unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import read_toml

#: Directory of the packs that ship with newsdigest.
BUILTIN_RULES_DIR = Path(__file__).resolve().parent / "rules"

_WHERE = ("any", "head", "tail")
_SIDES = ("appeal", "news")


class RulePackError(Exception):
    """A rule pack cannot be used; the message names the file and the rule."""


@dataclass(frozen=True)
class LineRule:
    """A structural rule: the paragraph starts with ``pattern``."""

    name: str
    pattern: re.Pattern[str]
    reason: str
    max_words: int = 40
    where: str = "any"
    languages: frozenset[str] = frozenset()
    hosts: tuple[str, ...] = ()
    score: float = 1.0
    contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cue:
    """One piece of evidence that a paragraph is an appeal (or is news)."""

    name: str
    side: str
    family: str
    weight: float
    terms: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    trigger: bool = True
    publisher: bool = False
    languages: frozenset[str] = frozenset()
    hosts: tuple[str, ...] = ()


@dataclass
class RulePack:
    """The rules of one TOML file."""

    name: str
    path: str
    description: str = ""
    hosts: tuple[str, ...] = ()
    languages: frozenset[str] = frozenset()
    lines: list[LineRule] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)


def builtin_pack_paths() -> list[Path]:
    """The packs in ``plugins/rules/``, in name order."""
    return sorted(BUILTIN_RULES_DIR.glob("*.toml"))


def load_pack(path: str | Path) -> RulePack:
    """Read and check one TOML rule pack; :class:`RulePackError` says what is wrong."""
    data = read_toml(path, "rule pack", RulePackError)
    return pack_from_dict(data, origin=str(path))


def pack_from_dict(data: dict[str, Any], origin: str = "config") -> RulePack:
    """Build a pack from parsed TOML (also used for inline config patterns)."""
    meta = data.get("pack", {})
    name = str(meta.get("name") or Path(origin).stem)
    hosts = _hosts(meta.get("hosts", []), origin)
    pack = RulePack(
        name=name,
        path=origin,
        description=str(meta.get("description", "")),
        hosts=hosts,
        languages=frozenset(meta.get("languages", [])),
    )
    for entry in data.get("lines", []):
        pack.lines.append(_line_rule(entry, pack, origin))
    for entry in data.get("cues", []):
        pack.cues.append(_cue(entry, pack, origin))
    return pack


def line_rule(entry: dict[str, Any], pack_name: str = "user", origin: str = "config") -> LineRule:
    """One line rule from a table such as an inline ``[[clean.patterns]]`` entry."""
    return _line_rule(entry, RulePack(name=pack_name, path=origin), origin)


def _line_rule(entry: dict[str, Any], pack: RulePack, origin: str) -> LineRule:
    name = _required(entry, "name", origin)
    where = str(entry.get("where", "any"))
    if where not in _WHERE:
        raise RulePackError(f"{origin}: rule {name!r}: where must be one of {', '.join(_WHERE)}")
    return LineRule(
        name=f"{pack.name}.{name}",
        pattern=_compile(_required(entry, "pattern", origin), name, origin, re.IGNORECASE),
        reason=str(entry.get("reason") or f"matched line rule {name}"),
        max_words=int(entry.get("max_words", 40)),
        where=where,
        languages=frozenset(entry.get("languages", [])) or pack.languages,
        hosts=_hosts(entry.get("hosts", []), origin) or pack.hosts,
        score=float(entry.get("score", 1.0)),
        contains=tuple(str(c).lower() for c in entry.get("contains", [])),
    )


def _cue(entry: dict[str, Any], pack: RulePack, origin: str) -> Cue:
    name = _required(entry, "name", origin)
    side = str(entry.get("side", "appeal"))
    if side not in _SIDES:
        raise RulePackError(f"{origin}: cue {name!r}: side must be 'appeal' or 'news'")
    terms = tuple(str(t).lower() for t in entry.get("terms", []))
    pattern = entry.get("pattern")
    if not terms and not pattern:
        raise RulePackError(f"{origin}: cue {name!r} needs terms or a pattern")
    flags = 0 if entry.get("case_sensitive") else re.IGNORECASE
    return Cue(
        name=f"{pack.name}.{name}",
        side=side,
        family=str(entry.get("family", name)),
        weight=float(entry.get("weight", 1.0)),
        terms=terms,
        pattern=_compile(pattern, name, origin, flags) if pattern else None,
        trigger=bool(entry.get("trigger", side == "appeal" and bool(terms))),
        publisher=bool(entry.get("publisher", False)),
        languages=frozenset(entry.get("languages", [])) or pack.languages,
        hosts=_hosts(entry.get("hosts", []), origin) or pack.hosts,
    )


def _required(entry: dict[str, Any], key: str, origin: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise RulePackError(f"{origin}: every rule needs a non-empty string {key!r} ({entry!r})")
    return value


def _compile(pattern: str, name: str, origin: str, flags: int) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        raise RulePackError(f"{origin}: rule {name!r}: bad pattern: {exc}") from None
    if compiled.groups:
        # The pack format forbids capturing groups (rules were once combined
        # into one alternation told apart by group number); the check stays
        # so that the same packs load, and stay free to be combined.
        raise RulePackError(f"{origin}: rule {name!r}: use (?:...) groups, not capturing ones")
    return compiled


def _hosts(value: Any, origin: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
        raise RulePackError(f"{origin}: hosts must be a list of host names")
    return tuple(h.lower().removeprefix("www.") for h in value)


def host_matches(host: str | None, hosts: tuple[str, ...]) -> bool:
    """True when ``hosts`` is empty or ``host`` is one of them or a subdomain of one."""
    if not hosts:
        return True
    if not host:
        return False
    host = host.lower().removeprefix("www.")
    return any(host == h or host.endswith("." + h) for h in hosts)
