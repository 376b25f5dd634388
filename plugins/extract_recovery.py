"""Recover article prose that the extractor dropped.

trafilatura decides block by block what is article, and some real article
text falls through: text written straight into a ``<div>`` before its first
``<p>``, a standfirst or a bullet-point summary set apart from the body, a
short forum post without a ``<p>``, a caption inside a list. This module
walks the parsed page once, lines each block of text up against the
extractor's output, and puts back the blocks that

- sit where the article is: between the first and the last block the
  extractor kept (in document order), between the page's ``<h1>`` and the
  first kept block (where standfirsts and summaries are), or in the same
  element as the first or last kept block (text before a container's first
  ``<p>`` or after its last);
- read as prose: at least 25 characters and 8 words, a sentence end, at
  most a quarter of the text in links;
- are not inside page furniture (navigation, header, footer, asides, forms,
  comment threads, share bars, related-story lists).

Recovered text is inserted at its place in document order, one block per
line like the extractor's own output. Everything recovered then goes
through the clean stage like the rest of the text, so an appeal that comes
back with it is still stripped.

A block of the page "was kept" when its text is found in the output,
lower-cased and with spaces evened out; text with non-ASCII characters is
compared by its words only, since the extractor drops stray control
characters (the bytes of a mis-decoded page). A block that matches an
output line earlier than one already passed is a repeat (a teaser of the
lead further down) and does not stretch the article's span.

The cost is one walk over the tree and a substring search per block of 25
characters or more: some 2-4 ms on a typical news page, 5-10% of
trafilatura's own time. With fewer than two kept blocks there is no
"between" and the text is returned as it is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from functools import lru_cache
from typing import Any

#: Elements that start a new block of text; everything else is inline.
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption"
    " figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary"
    " table tbody td tfoot th thead tr ul".split()
)
#: Elements whose whole subtree is never article prose.
SKIP_TAGS = frozenset(
    "aside button code footer form head header iframe input label nav noscript object option"
    " pre script select style svg template textarea".split()
)
#: Words of class/id names (split at spaces, ``-`` and ``_``) that mark page
#: furniture; a block inside such an element is left alone.
FURNITURE_WORDS = frozenset(
    "comment comments commentlist reply respond share sharing social related recommended promo"
    " newsletter subscribe subscription signup sidebar widget footer nav navbar menu breadcrumb"
    " breadcrumbs cookie consent advert advertisement ad ads sponsor sponsored popup modal banner"
    " author bio byline tag tags paywall donate donation membership"
    " disclaimer disclosure affiliate alert notice toast success error fail form cta tooltip".split()
)
_NAME_SEPARATORS = str.maketrans("-_", "  ")
_FURNITURE_ROLES = frozenset(("navigation", "banner", "contentinfo", "complementary", "menu"))
#: A sentence end: stop, question or exclamation mark, possibly followed by a closing quote or bracket.
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’»“)\]]*)(?:\s|$)")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WORD = re.compile(r"\w+")
#: Removed before words are cut out: soft hyphens, zero-width characters and C1
#: controls break a word in the page where the extractor's output has it whole.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\x80-\x9f]")

#: Fewest words a recovered block has.
MIN_WORDS = 8
#: Most of a recovered block's characters that may be link text.
MAX_LINK_SHARE = 0.25
#: Shortest block text that counts as found in the output (shorter ones match anywhere).
MIN_ANCHOR_CHARS = 25
#: How many blocks before the first kept one the headline (``<h1>``) may be.
HEADLINE_REACH = 40
#: Fewest kept blocks the extractor must have found for "between" to mean anything.
MIN_KEPT_BLOCKS = 2


def recover(tree: Any, text: str, *, min_words: int = MIN_WORDS, max_link_share: float = MAX_LINK_SHARE) -> str:
    """``text`` (the extractor's output for the page ``tree``) with dropped article prose put back.

    :param tree: the page as parsed by lxml (``trafilatura.utils.load_html``);
        read, never changed.
    :param text: what the extractor kept, one block per line.
    :param min_words: fewest words a block needs to be put back.
    :param max_link_share: most of a block's text that may sit in links.
    :returns: the text with recovered blocks inserted in document order, or
        ``text`` itself when nothing was recovered.
    """
    if not text or tree is None:
        return text
    lines = text.split("\n")
    output = _Output(lines)
    blocks = _blocks(tree)
    # Which blocks the extractor kept, and on which output line each one is.
    kept_at = [output.line_of(block.text) if len(block.text) >= MIN_ANCHOR_CHARS else None for block in blocks]
    # The extractor keeps document order, so a block matching an earlier line
    # than one already passed is a repeat (the lead again in a teaser further
    # down), not the article going on: it must not stretch the article's span.
    furthest = -1
    for i, line in enumerate(kept_at):
        if line is not None:
            if line < furthest:
                kept_at[i] = None
            else:
                furthest = line
    kept_indexes = [i for i, line in enumerate(kept_at) if line is not None]
    if len(kept_indexes) < MIN_KEPT_BLOCKS:
        return text
    first, last = kept_indexes[0], kept_indexes[-1]
    # A furniture class on a wrapper of the kept text (``<body class="has-sidebar">``)
    # says nothing; only furniture holding little of the kept text is skipped.
    holders = Counter(marker for i in kept_indexes for marker in blocks[i].furniture)
    holds_kept = {marker for marker, count in holders.items() if 2 * count >= len(kept_indexes)}
    start = _start(blocks, first)
    end = _end(blocks, last)
    inserts: dict[int, list[str]] = {}
    previous_line = -1
    for i in range(start, end + 1):
        block = blocks[i]
        if kept_at[i] is not None:
            previous_line = max(previous_line, kept_at[i])
            continue
        if (
            block.link_share > max_link_share
            or any(marker not in holds_kept for marker in block.furniture)
            or not _is_prose(block.text, min_words)
        ):
            continue
        if output.line_of(block.text) is not None:
            continue  # already there (a repeat of a kept block, or recovered just now)
        inserts.setdefault(previous_line, []).append(block.text)
        output.add(block.text)
    if not inserts:
        return text
    out: list[str] = list(inserts.get(-1, []))
    for index, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(index, []))
    return "\n".join(out)


def normalise(text: str) -> str:
    """Text as compared with the extractor's output: its words, lower case, one space apart.

    Words only, because the extractor rewrites what lies between them: it
    drops control characters (the stray bytes of a mis-decoded page) and
    evens out spaces.
    """
    text = text.lower()
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
    return " ".join(_WORD.findall(text))


class _Block:
    """One line of a page's text: part of an element's own text (not that of nested blocks)."""

    __slots__ = ("text", "link_share", "furniture", "heading", "owner")

    def __init__(self, text: str, link_share: float, furniture: tuple[int, ...], heading: int, owner: Any) -> None:
        self.text = text
        self.link_share = link_share
        self.furniture = furniture
        self.heading = heading
        self.owner = owner


def _start(blocks: list[_Block], first: int) -> int:
    """Where the article starts: after its headline, or with the text of the first kept block's container."""
    start = first
    for i in range(first - 1, max(-1, first - 1 - HEADLINE_REACH), -1):
        if blocks[i].heading == 1:
            start = i + 1
            break
    containers = _containers(blocks[first].owner)
    while start > 0 and blocks[start - 1].owner in containers:
        start -= 1
    return start


def _end(blocks: list[_Block], last: int) -> int:
    """Where the article ends: the last kept block, or the text of its container after it."""
    containers = _containers(blocks[last].owner)
    end = last
    while end + 1 < len(blocks) and blocks[end + 1].owner in containers:
        end += 1
    return end


def _containers(owner: Any) -> tuple[Any, ...]:
    """A kept block's element and its parent: their own text belongs with the kept block."""
    parent = owner.getparent()
    return (owner,) if parent is None else (owner, parent)


def _blocks(tree: Any) -> list[_Block]:
    """The page's text blocks in document order (skipping what is never prose)."""
    root = tree.find(".//body")
    if root is None:
        root = tree
    blocks: list[_Block] = []
    _walk(root, (), blocks)
    return blocks


def _walk(element: Any, furniture: tuple[int, ...], blocks: list[_Block]) -> None:
    """Append the blocks of ``element``'s subtree to ``blocks``, in document order."""
    tag = element.tag
    if tag in SKIP_TAGS:
        return
    keys = element.keys()
    if keys:  # most elements have no attributes at all; the rest are looked at once here
        if _is_hidden(element, keys):
            return
        if _is_furniture(element, keys):
            furniture = (*furniture, id(element))
    heading = _heading(tag) if tag[:1] == "h" else 0
    text = element.text
    parts: list[str] = [text] if text else []
    link_chars = 0
    for child in element:
        child_tag = child.tag
        if child_tag.__class__ is not str:  # a comment or processing instruction
            pass
        elif child_tag in BLOCK_TAGS or child_tag in SKIP_TAGS:
            if parts:
                _add_blocks(element, "".join(parts), link_chars, furniture, heading, blocks)
                parts, link_chars = [], 0
            _walk(child, furniture, blocks)
        elif child_tag == "br":
            parts.append("\n")
        else:
            inline, links = _inline_text(child)
            if inline:
                parts.append(inline)
                link_chars += links
        tail = child.tail
        if tail:
            parts.append(tail)
    if parts:
        _add_blocks(element, "".join(parts), link_chars, furniture, heading, blocks)


def _add_blocks(
    owner: Any, text: str, link_chars: int, furniture: tuple[int, ...], heading: int, blocks: list[_Block]
) -> None:
    """One block per line (``<br>``) of a run of ``owner``'s own text.

    Lines shorter than :data:`MIN_ANCHOR_CHARS` are neither anchors nor
    prose worth recovering, so only a headline among them is kept (it marks
    where the article starts); most of a page's lines are such crumbs.
    """
    if len(text) < MIN_ANCHOR_CHARS and heading != 1:
        return
    if heading != 1 and len(text.strip()) < MIN_ANCHOR_CHARS:
        return  # the indentation of pretty-printed markup
    segments = [segment for segment in (" ".join(line.split()) for line in text.split("\n")) if segment]
    share = link_chars / max(1, sum(map(len, segments)))
    for segment in segments:
        if len(segment) >= MIN_ANCHOR_CHARS or heading == 1:
            blocks.append(_Block(segment, share, furniture, heading, owner))


def _inline_text(element: Any) -> tuple[str, int]:
    """Text of an inline element (``br`` as a newline) and how much of it is link text."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in SKIP_TAGS or not tag:
        return "", 0
    if tag == "br":
        return "\n", 0
    parts = [element.text or ""]
    links = 0
    for child in element:
        inline, child_links = _inline_text(child)
        if child.tag in BLOCK_TAGS:
            # A paragraph inside a link or a <span> (sloppy, but common) is still a line of its own.
            inline = f"\n{inline}\n"
        parts.append(inline)
        links += child_links
        parts.append(child.tail or "")
    text = "".join(parts)
    if tag == "a":
        links = len(text.strip())
    return text, links


def _heading(tag: str) -> int:
    return int(tag[1]) if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit() else 0


def _is_furniture(element: Any, keys: list[str]) -> bool:
    """Whether the element's class, id or ARIA role marks it as page furniture."""
    for name in ("class", "id"):
        if name in keys and _furniture_names(element.get(name)):
            return True
    return "role" in keys and element.get("role") in _FURNITURE_ROLES


@lru_cache(maxsize=4096)
def _furniture_names(names: str) -> bool:
    # Class names repeat across a site's pages and within a page: worth remembering.
    return not FURNITURE_WORDS.isdisjoint(names.lower().translate(_NAME_SEPARATORS).split())


def _is_hidden(element: Any, keys: list[str]) -> bool:
    """Whether the page hides the element (form messages, collapsed menus, templates)."""
    if "hidden" in keys or ("aria-hidden" in keys and element.get("aria-hidden") == "true"):
        return True
    return "style" in keys and _HIDDEN_STYLE.search(element.get("style")) is not None


class _Output:
    """The extractor's output, searchable line by line.

    Text is compared lower-cased with spaces evened out; text holding
    characters the extractor drops (C1 controls of a mis-decoded page, soft
    hyphens, zero-width characters) is compared by its words only.
    """

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.plain = "\n".join(" ".join(line.lower().split()) for line in lines)
        self.plain_starts = _line_starts(self.plain)
        self._words: str | None = None
        self._words_starts: list[int] = []

    def line_of(self, text: str, words: bool = False) -> int | None:
        """The output line holding ``text``, or ``None``."""
        if words or _INVISIBLE.search(text):
            if self._words is None:
                self._words = "\n".join(normalise(line) for line in self.lines)
                self._words_starts = _line_starts(self._words)
            haystack, starts, probe = self._words, self._words_starts, normalise(text)
        else:
            # Page text comes with its spaces already evened out (see _add_blocks).
            haystack, starts, probe = self.plain, self.plain_starts, text.lower()
        position = haystack.find(probe[:200]) if probe else -1
        if position < 0:
            return None
        return bisect_right(starts, position) - 1

    def add(self, text: str) -> None:
        """Count ``text`` as part of the output from now on (a recovered block, appended as a last line)."""
        self.lines = [*self.lines, text]
        self.plain_starts.append(len(self.plain) + 1)
        self.plain += "\n" + " ".join(text.lower().split())
        if self._words is not None:
            self._words_starts.append(len(self._words) + 1)
            self._words += "\n" + normalise(text)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def _is_prose(text: str, min_words: int) -> bool:
    if len(_WORD.findall(text)) < min_words:
        return False
    return _SENTENCE_END.search(text) is not None
