"""Tell a listing page from an article, and find its cards.

A front page, a section page, a blog index or a newsletter archive is a
series of cards: a headline linked to another page, and under it an excerpt
(a standfirst, the post's first lines, the issue's summary). On such a page
the extractor keeps some excerpts and drops others, those written inside
the card's link and the cards past the last block it kept; they are the
page's content all the same. :mod:`plugins.extract_recovery` puts them back
when :func:`listing_cards` finds the page is a listing.

The extractor's output is taken to come from a listing when

- most of it (:data:`MIN_CARD_SHARE` of its characters, counting the short
  lines no block is matched to) sits in cards, at least :data:`MIN_CARDS`
  of them, linked to as many different pages; a card is the nearest
  element around a kept block that holds a headline (an ``<h1>``..``<h6>``
  or ``<header>`` with a link in or around it), and the headline links of
  one page only; its excerpt is one or two kept blocks
  (:data:`MAX_EXCERPT_BLOCKS`);
- no element holds an article body: no card, and no parent of kept
  paragraphs, holds :data:`MAX_BODY_SHARE` of the output's characters;
- the page does not say it is an article (``og:type`` ``article``, or a
  JSON-LD ``Article``, ``NewsArticle``, ``BlogPosting``...). Round-ups,
  product lists and year-in-review pieces are built of exactly such cards
  (a linked ``<h2>`` and a paragraph per item); they are articles, and
  their own metadata says so.

On the 709 WCXB development articles, 6 pages have the cards and shares of
a listing: 5 round-ups and "best of" lists that declare themselves
articles, and a directory page (alternatives to a product) taken for a
listing, whose text does not change. None of the 709 changes even without
the metadata test. The test costs a look at the kept blocks' parents on
most pages, and a walk over the page's headings on the few whose kept text
is spread over many small containers (54 of the 709): about 0.03 ms a page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

#: Fewest cards, linked to as many different pages, that make a listing.
MIN_CARDS = 3
#: Least share of the kept text that must sit in cards.
MIN_CARD_SHARE = 0.6
#: Most blocks of kept text (paragraphs) a card's excerpt has.
MAX_EXCERPT_BLOCKS = 2
#: A card or a paragraphs' container holding this share of the kept text is an article body.
MAX_BODY_SHARE = 0.5
#: How far above a headline's link its card may be (``<article><header><h2><a>``: three).
HEADLINE_REACH = 6
#: How far above a block's element its card may be (``<article><div><div><p>``: three).
CARD_REACH = 4
#: Headline elements: the headings, and ``<header>`` (a card's title is often a link in one).
HEADLINE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "header")
#: JSON-LD types (and their endings) of a page that is one piece of writing.
ARTICLE_TYPE_ENDINGS = ("Article", "BlogPosting", "LiveBlogPosting", "Report")

#: Marks an element holding the headlines of more than one page.
_MANY = object()


class ListingCards:
    """The cards of a listing page: which card (if any) a block of text belongs to."""

    def __init__(self, href_under: dict[Any, Any], headline_elements: list[Any]) -> None:
        # For each element above a headline link: the link's target, or _MANY.
        self._href_under = href_under
        self._headline_elements = headline_elements
        self._headlines: set[str] | None = None
        self._card_of: dict[Any, Any] = {}

    @property
    def headlines(self) -> set[str]:
        """The headlines' texts, lower-cased with spaces evened out."""
        if self._headlines is None:
            texts = (" ".join(element.text_content().lower().split()) for element in self._headline_elements)
            self._headlines = {text for text in texts if text}
        return self._headlines

    def card_of(self, element: Any) -> Any | None:
        """The card holding ``element`` (the element of a block of text), or ``None``."""
        try:
            return self._card_of[element]
        except KeyError:
            card = self._card_of[element] = _card(element, self._href_under)
            return card

    def card_of_text(self, element: Any, text: str) -> Any | None:
        """The card holding ``text``, a line of ``element``'s own text.

        A card written as one link sitting straight in the list's container
        (``<main><a href><h2>..</h2><p>..</p></a>..``) has its text read as
        the container's own, so the card is then the link holding the text.
        """
        card = self.card_of(element)
        if card is not None or self._href_under.get(element) is not _MANY:
            return card
        for link in element.iter("a"):
            if link in self._href_under and text in " ".join(link.text_content().split()):
                return self.card_of(link)
        return None

    def href(self, card: Any) -> str:
        """Where the card's headline links to."""
        return self._href_under[card]


def listing_cards(tree: Any, kept: Sequence[tuple[Any, int]], output_chars: int = 0) -> ListingCards | None:
    """The page's cards when the extractor's output reads as a listing, else ``None``.

    :param tree: the parsed page.
    :param kept: the element and the length of each block of text the
        extractor kept, in document order.
    :param output_chars: the length of the extractor's whole output, when it
        holds more than these blocks (short lines: a poem, a list); shares
        are of the larger of the two.
    :returns: the cards, or ``None`` for an article (or too little kept text to tell).
    """
    total = max(output_chars, sum(chars for _, chars in kept))
    if len(kept) < MIN_CARDS or not total:
        return None
    # An article's paragraphs share a parent, a listing's excerpts (a paragraph
    # or two) each sit in a card of their own: this rules out 12 articles in
    # 13 before any search.
    by_parent: dict[Any, list[int]] = {}
    for element, chars in kept:
        parent = element.getparent()
        if parent in by_parent:
            by_parent[parent].append(chars)
        else:
            by_parent[parent] = [chars]
    if len(by_parent) < MIN_CARDS or max(map(sum, by_parent.values())) >= MAX_BODY_SHARE * total:
        return None
    if sum(sum(group) for group in by_parent.values() if len(group) <= MAX_EXCERPT_BLOCKS) < MIN_CARD_SHARE * total:
        return None
    href_under, headline_elements = _headline_links(tree)
    if not href_under:
        return None
    cards = ListingCards(href_under, headline_elements)
    in_card: dict[Any, int] = {}
    for element, chars in kept:
        card = cards.card_of(element)
        if card is not None:
            in_card[card] = in_card.get(card, 0) + chars
    if sum(in_card.values()) < MIN_CARD_SHARE * total or max(in_card.values()) >= MAX_BODY_SHARE * total:
        return None
    if len({cards.href(card) for card in in_card}) < MIN_CARDS:
        return None
    if declares_article(tree):
        return None
    return cards


def declares_article(tree: Any) -> bool:
    """Whether the page's metadata calls it an article (Open Graph type, JSON-LD type)."""
    for value in tree.xpath("//meta[@property='og:type']/@content"):
        if str(value).strip().lower().startswith("article"):
            return True
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        if any(_is_article_type(kind) for kind in _top_level_types(data)):
            return True
    return False


def _top_level_types(data: Any) -> list[Any]:
    """The ``@type`` of each JSON-LD object at the top (or in the ``@graph``), not of what they hold.

    A listing's JSON-LD may describe its cards (an ``ItemList`` of
    ``NewsArticle``); only what the page itself is counts.
    """
    items = data if isinstance(data, list) else [data]
    types: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        graph = item.get("@graph")
        for node in [item, *(graph if isinstance(graph, list) else [])]:
            if isinstance(node, dict):
                kind = node.get("@type")
                types.extend(kind if isinstance(kind, list) else [kind])
    return types


def _is_article_type(kind: Any) -> bool:
    return isinstance(kind, str) and kind.endswith(ARTICLE_TYPE_ENDINGS)


def _headline_links(tree: Any) -> tuple[dict[Any, Any], list[Any]]:
    """For each element up to :data:`HEADLINE_REACH` above a headline link, where the links under it lead.

    A headline link is a link in a heading (``<h2><a href>``) or around one
    (a card written as one link, ``<a href><h2>..</h2><p>..</p></a>``);
    links within the page (``#top``) and scripts are not headlines.
    """
    href_under: dict[Any, Any] = {}
    headlines: list[Any] = []
    seen: set[Any] = set()
    for heading in tree.iter(*HEADLINE_TAGS):
        if heading.tag == "header" and next(heading.iter(*HEADLINE_TAGS[:-1]), None) is not None:
            continue  # its heading is the headline (the header's first link may be the date's or a tag's)
        link = _link_of(heading)
        if link is None or link in seen:
            continue
        seen.add(link)
        href = link.get("href", "").strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        headlines.append(heading)
        element, steps = link, 0
        while element is not None and steps <= HEADLINE_REACH:
            known = href_under.get(element)
            if known is None:
                href_under[element] = href
            elif known is not _MANY and known != href:
                href_under[element] = _MANY
            element = element.getparent()
            steps += 1
    return href_under, headlines


def _link_of(heading: Any) -> Any | None:
    """The link in a headline element, or around it (up to three levels up)."""
    link = heading.find(".//a[@href]")
    if link is not None:
        return link
    element = heading.getparent()
    for _ in range(3):
        if element is None:
            return None
        if element.tag == "a" and element.get("href"):
            return element
        element = element.getparent()
    return None


def _card(element: Any, href_under: dict[Any, Any]) -> Any | None:
    """The nearest element around ``element`` holding headline links, if they all lead to one page."""
    for _ in range(CARD_REACH + 1):
        if element is None:
            return None
        href = href_under.get(element)
        if href is not None:
            return None if href is _MANY else element
        element = element.getparent()
    return None
