"""Recover article prose that the extractor dropped.

trafilatura decides block by block what is article, and some real article
text falls through: text written straight into a ``<div>`` before its first
``<p>``, a standfirst or a bullet-point summary set apart from the body, a
short forum post without a ``<p>``, a caption inside a list. This module
walks the parsed page once, lines each block of text up against the
extractor's output, and puts back the blocks that

- sit where the article is: between the first and the last block the
  extractor kept (in document order), between the page's ``<h1>`` and the
  first kept block (where standfirsts and summaries are), in a heading
  right above the first kept block (the title, when it is written as a
  sentence), or in the same element as the first or last kept block (text
  before a container's first ``<p>`` or after its last);
- read as prose: at least 25 characters and 8 words, a sentence end, at
  most a quarter of the text in links; or, if mostly links, a statement
  of at least 12 words ending in a full stop, neither in Title Case nor
  after a label such as "Read next:" (a newsletter's or digest's item
  written as a linked sentence, where a related-stories list has
  headlines, questions and "read more" links);
- are not inside page furniture (navigation, header, footer, asides, forms,
  comment threads, share bars, related-story lists).

On a listing page (a front page, a section page, a blog index, a
newsletter archive: see :mod:`plugins.listing_pages` for how one is told
from an article) the cards' excerpts are the page's content wherever they
are: written inside the card's link, before the first or after the last
block the extractor kept. There, a block also comes back when it is prose
in a card (the nearest element around it holding a headline that links to
one page), is not the card's headline, and, if written as a link, reads as
an excerpt rather than a headline (:func:`_is_linked_excerpt`); furniture
stays out as everywhere. On an article nothing changes: a "related posts"
grid with long excerpts written as links under the story is not content.
Measured on the shared labelled pages: the 709 WCXB articles come out
identical with and without the mode; of the 57 appeal pages, three are
listings and one gains text (the Stack Overflow blog's front page: 22
excerpts, among them its newsletter cards after the last kept block), which
takes the keep rate from 0.984 to 0.994. The test costs about 0.03 ms a
page (the headline search runs on one page in thirteen).

Recovered text is inserted at its place in document order, one block per
line like the extractor's own output; a listing's cards after the last kept
block go after the output's last line. Everything recovered then goes
through the clean stage like the rest of the text, so an appeal that comes
back with it is still stripped.

A block of the page "was kept" when its text is found in the output,
lower-cased and with spaces evened out; text with non-ASCII characters is
compared by its words only, since the extractor drops stray control
characters (the bytes of a mis-decoded page). A block that matches an
output line earlier than one already passed is a repeat (a teaser of the
lead further down) and does not stretch the article's span.

The cost is one pass of lxml's tree walker and a substring search per
block of 25 characters or more: about 1.7 ms of CPU on an average news
page (the walk half of it), some 5% of trafilatura's own time. With fewer
than two kept blocks there is no "between" and the text is returned as it
is.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from functools import lru_cache
from itertools import accumulate
from typing import Any

from plugins.listing_pages import ListingCards, listing_cards

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
#: A statement's end: one full stop (not an ellipsis, which cuts a teaser short),
#: possibly followed by a closing quote or bracket, at the end of the text.
_STATEMENT_END = re.compile(r"(?<![.])\.[\"'”’»)\]]*$")
#: A label before a colon in the first few words: "Read next:", "More from the Courier:".
_LABEL = re.compile(r"^\W*(?:[\w'’]+[ \-]){0,3}[\w'’]+\s*:\s")
#: How an excerpt ends: as a sentence, or cut short with an ellipsis ("...", "[…]").
_EXCERPT_END = re.compile(r"(?:[.!?…][\"'”’»)\]]*|\[(?:…|\.\.\.)\])$")
#: A sentence end at the very end of the text.
_FINAL_SENTENCE_END = re.compile(r"[.!?][\"'”’»)\]]*$")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_WORD = re.compile(r"\w+")
#: Removed before words are cut out: soft hyphens, zero-width characters and C1
#: controls break a word in the page where the extractor's output has it whole.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\x80-\x9f]")

#: Fewest words a recovered block has.
MIN_WORDS = 8
#: Most of a recovered block's characters that may be link text.
MAX_LINK_SHARE = 0.25
#: Fewest words a block mostly in links needs to be put back: a statement this
#: long is a sentence of the article written as a link (a newsletter's items),
#: not a headline or a "read more".
MIN_LINKED_PROSE_WORDS = 12
#: Shortest block text that counts as found in the output (shorter ones match anywhere).
MIN_ANCHOR_CHARS = 25
#: How many blocks before the first kept one the headline (``<h1>``) may be.
HEADLINE_REACH = 40
#: Fewest kept blocks the extractor must have found for "between" to mean anything.
MIN_KEPT_BLOCKS = 2


def recover(
    tree: Any,
    text: str,
    *,
    min_words: int = MIN_WORDS,
    max_link_share: float = MAX_LINK_SHARE,
    listing: bool = True,
) -> str:
    """``text`` (the extractor's output for the page ``tree``) with dropped article prose put back.

    :param tree: the page as parsed by lxml (``trafilatura.utils.load_html``);
        read, never changed.
    :param text: what the extractor kept, one block per line.
    :param min_words: fewest words a block needs to be put back.
    :param max_link_share: most of a block's text that may sit in links
        (unless the block is a long linked sentence, see :func:`_is_linked_prose`).
    :param listing: on a listing page (:func:`plugins.listing_pages.listing_cards`),
        also put back the cards' excerpts anywhere on the page, even written as links.
    :returns: the text with recovered blocks inserted in document order, or
        ``text`` itself when nothing was recovered.
    """
    if not text or tree is None:
        return text
    output = _Output(text)
    lines = output.lines[:]  # the extractor's lines: ``output`` grows as blocks are recovered
    blocks = _blocks(tree)
    # Which blocks the extractor kept, and on which output line each one is.
    line_of = output.line_of
    kept_at = [line_of(block.text) if len(block.text) >= MIN_ANCHOR_CHARS else None for block in blocks]
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
    furniture = _Furniture()
    holds_kept: set[Any] | None = None
    kept_owners: set[Any] | None = None
    start = _start(blocks, first)
    end = _end(blocks, last)
    cards = _listing_cards(tree, blocks, kept_indexes, len(text) - len(lines) + 1) if listing else None
    inserts: dict[int, list[str]] = {}
    previous_line = -1
    for i in range(len(blocks)) if cards is not None else range(start, end + 1):
        block = blocks[i]
        if kept_at[i] is not None:
            previous_line = max(previous_line, kept_at[i])
            continue
        if not start <= i <= end:
            # Outside the article's range, only a listing's excerpts, in cards of their own.
            if cards is None or not _is_excerpt(block, cards, min_words, max_link_share):
                continue
        elif block.link_share > max_link_share:
            # Mostly links: only a long linked sentence set among the kept text itself
            # (a digest's items); decks of teaser cards sit in containers of their own,
            # and are content only on a listing page.
            if kept_owners is None:
                kept_owners = {blocks[k].owner for k in kept_indexes}
            if not (block.owner in kept_owners and _is_linked_prose(block.text)) and not (
                cards is not None and _is_excerpt(block, cards, min_words, max_link_share)
            ):
                continue
        if not _is_prose(block.text, min_words):
            continue
        markers = furniture(block.frame)
        if markers:
            if holds_kept is None:
                # A furniture class on a wrapper of the kept text (``<body class="has-sidebar">``)
                # says nothing; only furniture holding little of the kept text is skipped.
                holders = Counter(marker for k in kept_indexes for marker in furniture(blocks[k].frame))
                holds_kept = {marker for marker, count in holders.items() if 2 * count >= len(kept_indexes)}
            if any(marker not in holds_kept for marker in markers):
                continue
        if output.line_of(block.text) is not None:
            continue  # already there (a repeat of a kept block, or recovered just now)
        # A listing's cards after the last kept block go after the output's last
        # line too (a short "More issues" line kept with that block comes first).
        at = previous_line if i <= end else len(lines) - 1
        inserts.setdefault(at, []).append(block.text)
        output.add(block.text)
    if not inserts:
        return text
    out: list[str] = list(inserts.get(-1, []))
    for index, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(index, []))
    return "\n".join(out)


def _listing_cards(tree: Any, blocks: list[_Block], kept_indexes: list[int], chars: int) -> ListingCards | None:
    """The page's cards if what the extractor kept (``chars`` long) is a listing's excerpts.

    See :mod:`plugins.listing_pages`.
    """
    return listing_cards(tree, [(blocks[k].owner, len(blocks[k].text)) for k in kept_indexes], chars)


def _is_excerpt(block: _Block, cards: ListingCards, min_words: int, max_link_share: float) -> bool:
    """Whether a block of a listing page is a card's excerpt: prose in a card, not its headline.

    Written inside the card's link, it must also read as prose rather than
    a headline (:func:`_is_linked_excerpt`).
    """
    if block.heading or not _is_prose(block.text, min_words):
        return False
    if block.link_share > max_link_share and not _is_linked_excerpt(block.text):
        return False
    if " ".join(block.text.lower().split()) in cards.headlines:
        return False
    return cards.card_of_text(block.owner, block.text) is not None


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

    __slots__ = ("frame", "heading", "link_share", "owner", "text")

    def __init__(self, text: str, link_share: float, heading: int, frame: _Frame) -> None:
        self.text = text
        self.link_share = link_share
        self.heading = heading
        self.owner = frame[0]
        #: The block element holding the text, under the block elements around it (see :class:`_Furniture`).
        self.frame = frame


#: A block element and the frame of the block element it is in (``None`` for the walk's root).
_Frame = tuple[Any, Any]


class _Furniture:
    """The furniture elements around a block: what marks it as navigation, a share bar, a comment...

    Worked out on demand and remembered per element, since only the blocks
    the extractor kept and the candidates for recovery need it, a fraction
    of a page's elements.
    """

    def __init__(self) -> None:
        # By the frame's id, with the frame itself so that the id stays its own.
        self._known: dict[int, tuple[_Frame, tuple[Any, ...]]] = {}

    def __call__(self, frame: _Frame) -> tuple[Any, ...]:
        """The marked elements among the frame's element and its block ancestors, outermost first."""
        known = self._known
        entry = known.get(id(frame))
        if entry is not None:
            return entry[1]
        unknown: list[_Frame] = []
        while frame is not None and id(frame) not in known:
            unknown.append(frame)
            frame = frame[1]
        furniture = () if frame is None else known[id(frame)][1]
        for frame in reversed(unknown):
            element = frame[0]
            keys = element.keys()
            if keys and _is_furniture(element, keys):
                furniture = (*furniture, element)
            known[id(frame)] = (frame, furniture)
        return furniture


def _start(blocks: list[_Block], first: int) -> int:
    """Where the article starts: after its headline, or with the text of the first kept block's container.

    A heading right above the first kept block is the article's own title
    (a blog's ``<h3 class="post-title">``): when it is written as a
    sentence rather than a headline, it is in the range too.
    """
    start = first
    for i in range(first - 1, max(-1, first - 1 - HEADLINE_REACH), -1):
        if blocks[i].heading == 1:
            start = i + 1
            break
    if start == first and first > 0 and blocks[first - 1].heading and _is_sentence(blocks[first - 1].text):
        start = first - 1
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


# What a tag is to the walk in :func:`_blocks` (any other tag is inline text).
_BREAK, _NEVER_PROSE, _NEVER_PROSE_BLOCK, _BLOCK, _LINK_TAG = range(5)
_TAG_KINDS: dict[str, int] = {
    **dict.fromkeys(BLOCK_TAGS, _BLOCK),
    **dict.fromkeys(SKIP_TAGS, _NEVER_PROSE),
    **dict.fromkeys(SKIP_TAGS & BLOCK_TAGS, _NEVER_PROSE_BLOCK),
    "br": _BREAK,
    "a": _LINK_TAG,
}
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
# What an open element is to the walk, remembered until its end.
_OWNER = 0  # a block whose own text is read: its runs become blocks
_SKIPPED = 1  # at block level and not walked into (never prose, hidden, a <br>): only its tail counts
_INLINE = 2  # inline, inside a run: its text and its tail go into the run
_INLINE_BLOCK = 3  # a block element inside an inline one: a line of its own within the run
_LINK = 4  # the outermost link of a run: its text counts as link text


def _blocks(tree: Any) -> list[_Block]:
    """The page's text blocks in document order (skipping what is never prose).

    A block element's own text is its text, the text of its inline children
    (a block element inside an inline one is a line of its own) and their
    tails, up to its next block child: one run, cut into lines at ``<br>``.
    A page has some 500 elements outside its scripts, forms and navigation,
    so this is one pass of lxml's walker rather than a Python recursion,
    with whatever is never prose skipped whole, and furniture classes looked
    up later, only for the blocks that need them (:class:`_Furniture`).
    """
    from lxml import etree

    root = tree.find(".//body")
    if root is None:
        root = tree
    blocks: list[_Block] = []
    keys = root.keys()
    if root.tag in SKIP_TAGS or (keys and _is_hidden(root, keys)):
        return blocks
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    skip_subtree = walker.skip_subtree
    next(walker)  # the root's start, read here: whatever its tag, its text is a block's
    # The run being read: the frame of the block element it belongs to, its
    # pieces of text, how many of their characters are link text and its
    # heading level; ``outer`` holds the runs of the enclosing blocks.
    frame: _Frame = (root, None)
    text = root.text
    parts: list[str] = [text] if text else []
    link_chars = 0
    heading = _heading(root.tag)
    outer: list[tuple[_Frame, list[str], int, int]] = []
    open_kinds: list[int] = [_OWNER]
    push, pop = open_kinds.append, open_kinds.pop
    inline_depth = 0  # open inline elements: inside one, no element starts a block
    link_start = -1  # where in ``parts`` the outermost open link's text starts
    for event, element in walker:
        if event == "start":
            tag = element.tag
            tag_kind = _TAG_KINDS.get(tag)
            if inline_depth:
                inline_depth += 1
                if tag_kind is None:
                    push(_INLINE)
                elif tag_kind == _LINK_TAG:
                    if link_start < 0:
                        link_start = len(parts)
                        push(_LINK)
                    else:
                        push(_INLINE)
                elif tag_kind == _BLOCK:
                    parts.append("\n")
                    push(_INLINE_BLOCK)
                else:  # never prose, or <br>: nothing inside counts
                    skip_subtree()
                    if tag_kind == _NEVER_PROSE:
                        push(_INLINE)
                    else:
                        parts.append("\n")
                        push(_INLINE_BLOCK if tag_kind == _NEVER_PROSE_BLOCK else _INLINE)
                    continue
            elif tag_kind is None:
                inline_depth = 1
                push(_INLINE)
            elif tag_kind == _LINK_TAG:
                inline_depth = 1
                link_start = len(parts)
                push(_LINK)
            elif tag_kind == _BREAK:
                skip_subtree()
                parts.append("\n")
                push(_SKIPPED)
                continue
            else:  # a block child: the run so far is complete
                if parts:
                    run = parts[0] if len(parts) == 1 else "".join(parts)
                    if len(run) >= MIN_ANCHOR_CHARS or heading == 1:
                        _add_blocks(run, link_chars, heading, frame, blocks)
                    parts, link_chars = [], 0
                if tag_kind != _BLOCK:
                    skip_subtree()
                    push(_SKIPPED)
                    continue
                keys = element.keys()
                if keys and _is_hidden(element, keys):
                    skip_subtree()
                    push(_SKIPPED)
                    continue
                outer.append((frame, parts, link_chars, heading))
                frame, parts, link_chars = (element, frame), [], 0
                heading = _HEADINGS.get(tag, 0)
                push(_OWNER)
            text = element.text
            if text:
                parts.append(text)
        elif event == "end":
            open_kind = pop()
            if open_kind == _OWNER:
                if parts:
                    run = parts[0] if len(parts) == 1 else "".join(parts)
                    if len(run) >= MIN_ANCHOR_CHARS or heading == 1:
                        _add_blocks(run, link_chars, heading, frame, blocks)
                if not outer:
                    break  # the root's end: its tail is not its text
                frame, parts, link_chars, heading = outer.pop()
            elif open_kind != _SKIPPED:
                inline_depth -= 1
                if open_kind == _INLINE_BLOCK:
                    parts.append("\n")
                elif open_kind == _LINK:
                    link_chars += len("".join(parts[link_start:]).strip())
                    link_start = -1
            tail = element.tail
            if tail:
                parts.append(tail)
        else:  # a comment or processing instruction: not text, but its tail is
            tail = element.tail
            if tail:
                parts.append(tail)
    return blocks


def _add_blocks(text: str, link_chars: int, heading: int, frame: _Frame, blocks: list[_Block]) -> None:
    """One block per line (``<br>``) of a run of the frame's element's own text.

    Lines shorter than :data:`MIN_ANCHOR_CHARS` are neither anchors nor
    prose worth recovering, so only a headline among them is kept (it marks
    where the article starts); most of a page's lines are such crumbs.
    """
    if heading != 1 and (len(text) < MIN_ANCHOR_CHARS or len(text.strip()) < MIN_ANCHOR_CHARS):
        return  # a crumb, or the indentation of pretty-printed markup
    if "\n" in text:
        segments = [segment for segment in map(_even_spaces, text.split("\n")) if segment]
    else:
        # Only spaces, none doubled (white space other than the space is not printable): as even as it gets.
        segment = text.strip() if "  " not in text and text.isprintable() else _even_spaces(text)
        segments = [segment] if segment else []
    share = link_chars / max(1, sum(map(len, segments)))
    for segment in segments:
        if len(segment) >= MIN_ANCHOR_CHARS or heading == 1:
            blocks.append(_Block(segment, share, heading, frame))


def _even_spaces(line: str) -> str:
    return " ".join(line.split())


def _heading(tag: str) -> int:
    return int(tag[1]) if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit() else 0


def _is_furniture(element: Any, keys: list[str]) -> bool:
    """Whether the element's class, id or ARIA role marks it as page furniture."""
    for name in ("class", "id"):
        if name in keys and _furniture_names(element.get(name)):
            return True
    return "role" in keys and element.get("role") in _FURNITURE_ROLES


@lru_cache(maxsize=16384)
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

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        plain_lines = [_evened_line(line) for line in text.lower().split("\n")]
        self.plain = "\n".join(plain_lines)
        self.plain_starts = [0, *accumulate(len(line) + 1 for line in plain_lines)]
        self.plain_starts.pop()
        self._words: str | None = None
        self._words_starts: list[int] = []

    def line_of(self, text: str, words: bool = False) -> int | None:
        """The output line holding ``text`` (its first 200 characters), or ``None``."""
        if words or (not text.isascii() and _INVISIBLE.search(text)):
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
        self.lines.append(text)
        self.plain_starts.append(len(self.plain) + 1)
        self.plain += "\n" + " ".join(text.lower().split())
        if self._words is not None:
            self._words_starts.append(len(self._words) + 1)
            self._words += "\n" + normalise(text)


def _evened_line(line: str) -> str:
    """``" ".join(line.split())``, without the splitting for a line that is even already.

    White space other than the space is not printable, so a printable line
    without two spaces in a row or one at either end is left as it is (most
    of the extractor's lines are); a few non-printable characters that are
    not white space (a soft hyphen) only send a line the slow way round.
    """
    if "  " not in line and line[:1] != " " and line[-1:] != " " and line.isprintable():
        return line
    return " ".join(line.split())


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


def _is_sentence(text: str) -> bool:
    """Whether a heading is written as a sentence: it ends as one and is not in Title Case."""
    return _FINAL_SENTENCE_END.search(text) is not None and not _in_title_case(text)


def _in_title_case(text: str) -> bool:
    """Whether at least half of the words of ``text`` are capitalised, as in a headline."""
    words = text.split()
    return 2 * sum(1 for word in words if word[:1].isupper()) >= len(words)


def _is_linked_prose(text: str) -> bool:
    """Whether a block that is mostly link text still reads as a sentence of the article.

    Headlines (of related stories, of teaser cards) do not end in a full
    stop, or are short, or capitalise most words, or follow a label ("Read
    next: ..."); teasers cut short end in an ellipsis. What is left is a
    statement of :data:`MIN_LINKED_PROSE_WORDS` words or more that the page
    happens to link.
    """
    if _STATEMENT_END.search(text) is None or _LABEL.match(text):
        return False
    return len(text.split()) >= MIN_LINKED_PROSE_WORDS and _is_sentence(text)


def _is_linked_excerpt(text: str) -> bool:
    """Whether a card's text written as a link is its excerpt rather than its headline.

    An excerpt is one or more sentences of :data:`MIN_LINKED_PROSE_WORDS`
    words or more, ending as a sentence does or cut short with an ellipsis,
    not in Title Case and not after a label ("Read more: ...").
    """
    if _LABEL.match(text) or len(text.split()) < MIN_LINKED_PROSE_WORDS:
        return False
    return _EXCERPT_END.search(text) is not None and not _in_title_case(text)
