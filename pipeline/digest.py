"""Digests: output records grouped by site, language or date, as HTML, Markdown or JSON.

:func:`write_digest` is the whole job (``newsdigest digest`` is a thin call to
it): :func:`read_records` reads ``newsdigest run`` output (``.jsonl`` or
``.jsonl.gz``, a truncated or garbled line is skipped and counted),
:func:`build_digest` turns records into sorted groups of
:class:`DigestArticle`, and one pure ``render_*`` function per format turns the
:class:`Digest` into text. Scraped strings are untrusted: every renderer
escapes them for its format, and only ``http(s)`` URLs ever become links
(:func:`safe_link`).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Ways to group articles, as the CLI's ``--group-by`` accepts them.
GROUP_BY: tuple[str, ...] = ("site", "language", "date")

#: Output formats by file suffix.
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
}

UNKNOWN_SITE = "unknown site"
UNDATED = "undated"
UNDETERMINED = "und"

_TITLE_FALLBACK_WORDS = 12
_TITLE_FALLBACK_CHARS = 80
_TITLE_MAX_CHARS = 300
_TEXT_PREFIX_CHARS = 2000
_SKIPPED_WHERE_KEPT = 20
_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s+")
_INVISIBLE_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


class DigestError(ValueError):
    """The digest cannot be made as asked (format, grouping); the message says why, in one line."""


@dataclass
class DigestStats:
    """What a digest read and kept.

    :param files: input files read.
    :param records: lines parsed as JSON objects.
    :param skipped_lines: lines that were not a JSON object (a truncated last
        line, garbage); blank lines are not counted.
    :param skipped_where: ``"file:line"`` of the first skipped lines (or of the
        point where a ``.gz`` stream broke off), for the user to look at.
    :param ignored_records: JSON objects with nothing to show (no title, text,
        URL or summary), such as lines of a rejects file.
    :param articles: records that made it into the digest.
    :param groups: groups in the digest.
    :param removed_total: spans stripped from those articles, all rules.
    :param removed_by_rule: spans stripped, by rule name.
    """

    files: int = 0
    records: int = 0
    skipped_lines: int = 0
    skipped_where: list[str] = field(default_factory=list)
    ignored_records: int = 0
    articles: int = 0
    groups: int = 0
    removed_total: int = 0
    removed_by_rule: Counter = field(default_factory=Counter)

    def skip(self, where: str) -> None:
        """Count a line that could not be read; remember where, up to a point."""
        self.skipped_lines += 1
        if len(self.skipped_where) < _SKIPPED_WHERE_KEPT:
            self.skipped_where.append(where)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (rules most-cut first)."""
        return {
            "files": self.files,
            "records": self.records,
            "skipped_lines": self.skipped_lines,
            "skipped_where": list(self.skipped_where),
            "ignored_records": self.ignored_records,
            "articles": self.articles,
            "groups": self.groups,
            "removed_total": self.removed_total,
            "removed_by_rule": dict(_by_count(self.removed_by_rule)),
        }


@dataclass
class DigestArticle:
    """One article as a digest shows it; every string is still unescaped.

    :param title: the record's title, else the first words of its text, else its id.
    :param url: the record's URL as given (may be hostile; never link it directly).
    :param link: ``url`` when it is safe to make clickable (:func:`safe_link`), else ``None``.
    :param date: ``YYYY-MM-DD``, or ``None`` when the record has no usable date.
    :param language: ISO 639-1 code, or ``"und"``.
    :param lang_tag: a well-formed BCP 47 tag for the ``lang`` attribute
        (the language variant when there is one).
    :param removed_by_rule: spans stripped from this article, by rule.
    """

    id: str
    title: str
    url: str | None
    link: str | None
    site: str
    date: str | None
    language: str
    lang_tag: str
    summary: list[str]
    removed_by_rule: Counter = field(default_factory=Counter)

    @property
    def removed_total(self) -> int:
        return sum(self.removed_by_rule.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "link": self.link,
            "site": self.site,
            "date": self.date,
            "language": self.language,
            "lang_tag": self.lang_tag,
            "summary": list(self.summary),
            "removed_total": self.removed_total,
            "removed_by_rule": dict(_by_count(self.removed_by_rule)),
        }


@dataclass
class DigestGroup:
    """Articles sharing a site, language or day.

    :param key: what they share (sitename or host, language code, ``YYYY-MM-DD``).
    :param label: the heading a person reads (``"Arabic (ar)"`` for ``"ar"``).
    """

    key: str
    articles: list[DigestArticle]
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.key


@dataclass
class Digest:
    """Sorted groups of articles plus the counts of the whole digest."""

    group_by: str
    groups: list[DigestGroup]
    stats: DigestStats

    @property
    def articles(self) -> list[DigestArticle]:
        return [article for group in self.groups for article in group.articles]

    def overview(self) -> str:
        """One sentence a person reads first: how many articles, groups, days and cuts."""
        stats = self.stats
        noun = {"site": "site", "language": "language", "date": "day"}[self.group_by]
        text = f"{_plural(stats.articles, 'article')} from {_plural(stats.groups, noun)}"
        span = self.date_range()
        if span:
            text += f", dated {span[0]}" if span[0] == span[1] else f", dated {span[0]} to {span[1]}"
        return text + f"; {_plural(stats.removed_total, 'span')} stripped."

    def date_range(self) -> tuple[str, str] | None:
        """Oldest and newest article date, or ``None`` if nothing is dated."""
        dates = sorted(a.date for a in self.articles if a.date)
        return (dates[0], dates[-1]) if dates else None


# --- reading ---------------------------------------------------------------


def read_records(paths: Iterable[Path], stats: DigestStats | None = None) -> Iterator[dict]:
    """Yield each JSON object in ``paths`` (``.jsonl`` or ``.jsonl.gz``), in order.

    A line that is not a JSON object (typically the truncated last line of an
    interrupted run) is skipped and counted in ``stats``, as is a ``.gz``
    stream that breaks off; neither stops the reading.
    """
    stats = stats if stats is not None else DigestStats()
    for path in map(Path, paths):
        stats.files += 1
        number = 0
        try:
            with _open_text(path) as lines:
                for number, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    record = _parse(line)
                    if record is None:
                        stats.skip(f"{path}:{number}")
                        continue
                    stats.records += 1
                    yield record
        except (EOFError, zlib.error, gzip.BadGzipFile):
            # A gzip member cut short: whatever followed the last whole line is lost.
            stats.skip(f"{path}:{number + 1}")


def _open_text(path: Path):
    # Trust the bytes, not the name: a .gz suffix on plain text (or none on gzip) happens.
    with open(path, "rb") as probe:
        opener = gzip.open if probe.read(2) == b"\x1f\x8b" else open
    # Invalid UTF-8 in one record must not lose the whole file.
    return opener(path, "rt", encoding="utf-8", errors="replace", newline="\n")


def _parse(line: str) -> dict | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# --- from records to a digest ----------------------------------------------


def build_digest(records: Iterable[dict], group_by: str = "site", stats: DigestStats | None = None) -> Digest:
    """Group records into a :class:`Digest`.

    Groups by ``"site"`` (sitename, else the URL's host, else
    ``"unknown site"``; alphabetical), ``"language"`` (most articles first,
    ``"und"`` last) or ``"date"`` (newest day first, ``"undated"`` last).
    Within a group, articles are newest first, then by title.
    """
    if group_by not in GROUP_BY:
        raise DigestError(f"cannot group by {group_by!r}: choose one of {', '.join(GROUP_BY)}")
    stats = stats if stats is not None else DigestStats()
    groups: dict[str, list[DigestArticle]] = {}
    labels: dict[str, str] = {}
    for record in records:
        article = article_from_record(record)
        if article is None:
            stats.ignored_records += 1
            continue
        stats.articles += 1
        stats.removed_by_rule.update(article.removed_by_rule)
        stats.removed_total += article.removed_total
        label = {"site": article.site, "language": article.language, "date": article.date or UNDATED}[group_by]
        # "The Guardian" and "the guardian" are one site.
        key = label.casefold()
        labels.setdefault(key, label)
        groups.setdefault(key, []).append(article)
    ordered = [
        DigestGroup(
            labels[key],
            sorted(articles, key=_article_order),
            label=_language_label(labels[key]) if group_by == "language" else labels[key],
        )
        for key, articles in sorted(groups.items(), key=lambda item: _group_order(group_by, item))
    ]
    stats.groups = len(ordered)
    return Digest(group_by=group_by, groups=ordered, stats=stats)


def load_digest(inputs: Iterable[Path], group_by: str = "site") -> Digest:
    """Read output files and group their records (see :func:`build_digest`)."""
    stats = DigestStats()
    return build_digest(read_records(inputs, stats), group_by, stats)


def article_from_record(record: dict) -> DigestArticle | None:
    """The digest's view of one output record, or ``None`` if it has nothing to show.

    Records come from disk and may be partial or hand-edited: a field of the
    wrong type counts as missing rather than failing the digest.
    """
    record_id = _text(record.get("id"), numbers=True) or ""
    title = _text(record.get("title"))
    raw_text = record.get("text")
    # Only the opening is ever shown (as a stand-in title); don't flatten a whole article.
    text = _text(raw_text[:_TEXT_PREFIX_CHARS] if isinstance(raw_text, str) else None)
    url = _text(record.get("url"))
    summary = _summary(record.get("summary"))
    if not (title or text or url or summary):  # an id alone (a reject record) is not an article
        return None
    return DigestArticle(
        id=record_id,
        title=_shorten(title or _first_words(text) or record_id or "untitled"),
        url=url,
        # Judged on the raw string: a control character a browser would drop is a warning sign.
        link=safe_link(record.get("url") if isinstance(record.get("url"), str) else None),
        site=_site(record, url),
        date=day(record.get("date")),
        language=_language(record.get("language")),
        lang_tag=_lang_tag(record),
        summary=summary,
        removed_by_rule=_removed(record.get("removed")),
    )


def safe_link(url: str | None) -> str | None:
    """``url`` if it may be made clickable: absolute ``http``/``https`` with a host.

    Everything else (``javascript:``, ``data:``, protocol-relative ``//host``,
    relative paths, URLs with control characters a browser would silently drop)
    is shown as text only. Spaces are percent-encoded so the link stays one token.
    """
    if not url:
        return None
    url = url.strip()
    if _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 literal
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url.replace(" ", "%20")


def day(value: Any) -> str | None:
    """``YYYY-MM-DD`` from a date or ISO timestamp string, or ``None`` if it is not one."""
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def _text(value: Any, numbers: bool = False) -> str | None:
    """A scraped string on one line, or ``None``: newlines in a title must not start new blocks."""
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = _WHITESPACE.sub(" ", _INVISIBLE_CONTROL.sub("", value)).strip()
    return value or None


def _summary(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [sentence for sentence in map(_text, value) if sentence]


def _first_words(text: str | None) -> str | None:
    """The opening of ``text`` as a stand-in title: some words, or characters for unspaced scripts."""
    if not text:
        return None
    words = text.split(" ")
    opening = " ".join(words[:_TITLE_FALLBACK_WORDS])
    if len(opening) > _TITLE_FALLBACK_CHARS:
        opening = opening[:_TITLE_FALLBACK_CHARS]
    return opening if opening == text else opening.rstrip() + " …"


def _shorten(title: str) -> str:
    # A "title" that is really a whole paragraph would swamp the page.
    if len(title) <= _TITLE_MAX_CHARS:
        return title
    return title[:_TITLE_MAX_CHARS].rsplit(" ", 1)[0] + " …"


def _site(record: dict, url: str | None) -> str:
    sitename = _text(record.get("sitename"))
    if sitename:
        return sitename
    try:
        host = urlsplit(url or "").hostname
    except ValueError:
        host = None
    if host:
        return host.removeprefix("www.")
    return UNKNOWN_SITE


def _language(value: Any) -> str:
    code = _text(value)
    if not code or not _LANG_TAG.match(code):
        return UNDETERMINED
    return code.lower()


@functools.lru_cache(maxsize=256)
def language_name(code: str) -> str | None:
    """The English name of a language code (``"ar"`` -> ``"Arabic"``), if known."""
    if code == UNDETERMINED:
        return "Undetermined"
    try:
        # Babel comes with trafilatura (through courlan); names are a nicety, not a need.
        from babel import Locale
        from babel.core import UnknownLocaleError
    except ImportError:
        return None
    names = Locale("en").languages
    if code in names:  # a bare language: "tl" is Tagalog, not the locale fil_PH
        return names[code]
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _language_label(code: str) -> str:
    name = language_name(code)
    return f"{name} ({code})" if name else code


def _lang_tag(record: dict) -> str:
    for name in ("language_variant", "language"):
        tag = (_text(record.get(name)) or "").replace("_", "-")
        if _LANG_TAG.match(tag):
            return tag
    return UNDETERMINED


def _removed(value: Any) -> Counter:
    counts: Counter = Counter()
    if not isinstance(value, list):
        return counts
    for removal in value:
        rule = _text(removal.get("rule")) if isinstance(removal, dict) else None
        counts[rule or "unnamed rule"] += 1
    return counts


def _article_order(article: DigestArticle) -> tuple:
    # Newest first, undated last: negate the day's ordinal.
    ordinal = dt.date.fromisoformat(article.date).toordinal() if article.date else 0
    return (article.date is None, -ordinal, article.title.casefold(), article.id)


def _group_order(group_by: str, item: tuple[str, list[DigestArticle]]) -> tuple:
    key, articles = item
    if group_by == "date":
        ordinal = dt.date.fromisoformat(key).toordinal() if key != UNDATED else 0
        return (key == UNDATED, -ordinal)
    if group_by == "language":
        return (key == UNDETERMINED, -len(articles), key)
    return (key == UNKNOWN_SITE, key)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _by_count(counts: Counter) -> list[tuple[str, int]]:
    """Most first, ties alphabetical, so output does not depend on input order."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


# --- rendering and writing -------------------------------------------------


def render_json(digest: Digest) -> str:
    """The digest as JSON: the same groups and counts the HTML and Markdown show."""
    data = {
        "group_by": digest.group_by,
        "stats": digest.stats.to_dict(),
        "date_range": list(digest.date_range() or []) or None,
        "groups": [
            {
                "key": group.key,
                "label": group.label,
                "count": len(group.articles),
                "articles": [a.to_dict() for a in group.articles],
            }
            for group in digest.groups
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(digest: Digest, fmt: str) -> str:
    """The digest in ``fmt`` (``"html"``, ``"md"`` or ``"json"``)."""
    if fmt == "html":
        from pipeline.digest_html import render_html

        return render_html(digest)
    if fmt == "md":
        from pipeline.digest_markdown import render_markdown

        return render_markdown(digest)
    if fmt == "json":
        return render_json(digest)
    raise DigestError(f"unknown digest format {fmt!r}: choose html, md or json")


def digest_format(output: Path, fmt: str | None = None) -> str:
    """The format asked for, else the one the output's suffix names."""
    if fmt:
        fmt = {"markdown": "md", "htm": "html"}.get(fmt.lower(), fmt.lower())
        if fmt not in ("html", "md", "json"):
            raise DigestError(f"unknown digest format {fmt!r}: choose html, md or json")
        return fmt
    suffix = Path(output).suffix.lower()
    if suffix not in FORMAT_BY_SUFFIX:
        raise DigestError(
            f"cannot tell the digest format from {str(output)!r}: use a name ending in"
            f" {', '.join(FORMAT_BY_SUFFIX)}, or name the format (html, md, json)"
        )
    return FORMAT_BY_SUFFIX[suffix]


def write_digest(
    inputs: list[Path], output: Path, group_by: str = "site", fmt: str | None = None
) -> DigestStats:
    """Read ``inputs``, group by ``group_by`` and write the digest to ``output``.

    The format comes from ``fmt`` or else from the output's suffix
    (``.html``, ``.md``, ``.json``). The file is replaced whole, never left
    half-written.

    :raises DigestError: unknown format or grouping (checked before any reading).
    :raises OSError: an input cannot be opened, or the output cannot be written.
    :returns: what was read, skipped and written.
    """
    fmt = digest_format(output, fmt)
    if group_by not in GROUP_BY:
        raise DigestError(f"cannot group by {group_by!r}: choose one of {', '.join(GROUP_BY)}")
    digest = load_digest(inputs, group_by)
    _write_atomically(Path(output), render(digest, fmt))
    return digest.stats


def _write_atomically(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(content)
        # mkstemp makes the file private; a digest is meant to be shared.
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
