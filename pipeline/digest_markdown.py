"""Markdown rendering of a :class:`~pipeline.digest.Digest`.

Scraped strings are untrusted: a title like ``[win](javascript:alert(1))``,
``<script>``, ``# big`` or ``a@b.example`` must come out as the same text, not
as a link, raw HTML, a heading or a mail link. :func:`escape_markdown`
backslash-escapes every character CommonMark (and GitHub's autolink
extension) could act on; only :attr:`DigestArticle.link`, already checked to be
``http(s)``, is ever written as a link target.
"""

from __future__ import annotations

import re

from pipeline.digest import Digest, DigestArticle

# Inline syntax anywhere in a string: emphasis, code, links and images, raw
# HTML and autolinks, entities, tables, strikethrough, e-mail autolinks.
_INLINE_ACTIVE = re.compile(r"([\\`*_{}\[\]()<>#+!|~&@])")
# Block syntax that only acts at the start of a line (every scraped string is
# one line, written after our own marker): list items, quotes, rules, setext.
_BLOCK_START = re.compile(r"^([-=>])|^(\d+)([.)])")
# Characters that would end or split a link destination.
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\\": "%5C", '"': "%22"}


def escape_markdown(text: str) -> str:
    """``text`` made inert: it renders as itself, with no markup, link or HTML."""
    text = _INLINE_ACTIVE.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", text)


def _destination(link: str) -> str:
    return "".join(_URL_UNSAFE.get(char, char) for char in link)


def render_markdown(digest: Digest) -> str:
    """The digest as a Markdown document: a contents list, one section per group,
    one sub-section per article, and a closing table of what was stripped."""
    stats = digest.stats
    lines = ["# News digest", "", escape_markdown(digest.overview()), ""]
    if digest.groups:
        lines += ["## Contents", ""]
        lines += [f"- {escape_markdown(group.label)} ({len(group.articles)})" for group in digest.groups]
        lines.append("")
    for group in digest.groups:
        lines += [f"## {escape_markdown(group.label)}", ""]
        for article in group.articles:
            lines += _article(article)
    if stats.removed_by_rule:
        lines += ["## What was stripped", "", "| Rule | Spans |", "| --- | ---: |"]
        for rule, count in sorted(stats.removed_by_rule.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"| {escape_markdown(rule)} | {count} |")
        lines += [f"| **Total** | **{stats.removed_total}** |", ""]
    if stats.skipped_lines:
        lines += [f"_{stats.skipped_lines} input line(s) could not be read and were skipped._", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _article(article: DigestArticle) -> list[str]:
    title = escape_markdown(article.title)
    heading = f"### [{title}]({_destination(article.link)})" if article.link else f"### {title}"
    meta = [article.date or "undated", article.language, article.site]
    if article.removed_total:
        rules = ", ".join(f"{rule} ×{count}" for rule, count in sorted(article.removed_by_rule.items()))
        meta.append(f"{article.removed_total} stripped ({rules})")
    lines = [heading, "", " · ".join(escape_markdown(part) for part in meta), ""]
    if article.url and not article.link:
        lines += [f"Source (not linked): {escape_markdown(article.url)}", ""]
    if article.summary:
        lines += [f"- {escape_markdown(sentence)}" for sentence in article.summary]
    else:
        lines.append("_No summary._")
    lines.append("")
    return lines
