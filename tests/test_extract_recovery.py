"""Recovery of article prose the extractor dropped (plugins/extract_recovery.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from lxml import etree

from plugins.extract_recovery import normalise, recover

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "extract"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def parse(html: str | bytes):
    from trafilatura.utils import load_html

    return load_html(html)


def page(body: str, body_class: str = "") -> str:
    return f'<html><head><title>t</title></head><body class="{body_class}">{body}</body></html>'


LEAD = "Councillors voted nine to two on Tuesday evening to approve the new ferry timetable for the winter season."
P1 = "The new timetable adds an early crossing at 6.15am on weekdays and removes the late Sunday service."
P2 = "Commuters had asked for the earlier boat for years, saying the first crossing arrived too late."
P3 = "The operator said it would publish the full timetable on its website next week for all to read."


def lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


# --- what comes back -------------------------------------------------------


def test_text_written_straight_into_the_container_comes_back_before_the_first_paragraph():
    tree = parse(page(f"<h1>Ferry timetable</h1><div>{LEAD}<p>{P1}</p><p>{P2}</p></div>"))
    assert lines(recover(tree, f"{P1}\n{P2}")) == [LEAD, P1, P2]


def test_a_block_dropped_between_kept_paragraphs_comes_back_in_document_order():
    tree = parse(page(f"<article><p>{P1}</p><blockquote>{LEAD}</blockquote><p>{P2}</p><p>{P3}</p></article>"))
    assert lines(recover(tree, f"{P1}\n{P2}\n{P3}")) == [P1, LEAD, P2, P3]


def test_a_summary_list_between_the_headline_and_the_body_comes_back():
    summary = "Der Stadtrat hat am Dienstag mit großer Mehrheit neue Radwege entlang der Ringstraße beschlossen."
    tree = parse(
        page(
            '<p class="tagline">Die Zeitung für die ganze Region, jeden Tag neu und immer aktuell für Sie.</p>'
            f"<h1>Radwege</h1><ul><li>{summary}</li></ul><p>{P1}</p><p>{P2}</p>"
        )
    )
    # Before the <h1> is the site's chrome, not the article.
    assert lines(recover(tree, f"{P1}\n{P2}")) == [summary, P1, P2]


def test_only_the_missing_lines_of_a_partly_kept_block_come_back():
    tree = parse(page(f"<div>{LEAD}<br>{P1}<p>{P2}</p><p>{P3}</p></div>"))
    assert lines(recover(tree, f"{P1}\n{P2}\n{P3}")) == [LEAD, P1, P2, P3]


def test_a_furniture_class_on_a_wrapper_of_the_article_does_not_block_recovery():
    body = f'<div class="layout with-sidebar"><div class="post">{LEAD}<p>{P1}</p><p>{P2}</p></div></div>'
    assert lines(recover(parse(page(body, "has-sidebar nav-open")), f"{P1}\n{P2}")) == [LEAD, P1, P2]


def test_words_split_by_stray_control_characters_still_match_the_extractors_text():
    # A mis-decoded page has C1 controls inside words; trafilatura drops them.
    broken = P1.replace("weekdays", "week\x80\x99days")
    tree = parse(page(f"<article><p>{broken}</p><p>{P2}</p></article>"))
    text = f"{P1.replace('weekdays', 'weekdays')}\n{P2}"
    assert recover(tree, text) == text


# --- what stays out --------------------------------------------------------


@pytest.mark.parametrize(
    "dropped",
    [
        '<div class="newsletter-signup"><p>Sign up to our morning newsletter and get the harbour news before the boat leaves.</p></div>',
        '<aside><p>This is an aside about something else entirely, written at length for the sidebar.</p></aside>',
        '<p style="display: none">This paragraph is hidden by the page and should never come back as article text.</p>',
        '<p hidden>This paragraph is hidden by the page and should never come back as article text either.</p>',
        '<p>Read next: <a href="/a">Ferry fares to rise in spring after fuel costs climb again this year</a>.</p>',
        "<p>Ferry fares to rise in spring</p>",
        "<p>Ferry fares rise again in the spring and the summer and the autumn and the winter</p>",
        "<pre>for crossing in timetable: print(crossing, 'leaves at', crossing.time) # one per line.</pre>",
        '<form><p>Thank you! Please check your inbox now for your welcome email from the newsroom.</p></form>',
    ],
    ids=["furniture-class", "aside", "display-none", "hidden", "links", "short", "no-sentence-end", "code", "form"],
)
def test_furniture_links_fragments_and_hidden_text_stay_out(dropped: str):
    tree = parse(page(f"<article><p>{P1}</p>{dropped}<p>{P2}</p></article>"))
    text = f"{P1}\n{P2}"
    assert recover(tree, text) == text


def test_nothing_after_the_last_kept_block_comes_back():
    comment = "I have taken that ferry every day for twenty years and the early boat is long overdue, frankly."
    tree = parse(page(f"<article><p>{P1}</p><p>{P2}</p></article><div><p>{comment}</p></div>"))
    assert recover(tree, f"{P1}\n{P2}") == f"{P1}\n{P2}"


def test_a_page_with_fewer_than_two_kept_blocks_is_left_as_it_is():
    tree = parse(page(f"<div>{LEAD}<p>{P1}</p></div>"))
    assert recover(tree, P1) == P1
    assert recover(tree, "") == ""
    assert recover(None, P1) == P1


def test_recovery_is_idempotent_and_leaves_the_tree_alone():
    tree = parse(page(f"<h1>Ferry</h1><div>{LEAD}<p>{P1}</p><blockquote>{P3}</blockquote><p>{P2}</p></div>"))
    before = etree.tostring(tree)
    once = recover(tree, f"{P1}\n{P2}")
    assert lines(once) == [LEAD, P1, P3, P2]
    assert recover(tree, once) == once
    assert etree.tostring(tree) == before


def test_normalise_keeps_words_only():
    assert normalise("“We  listened,” said\u00a0the CHAIR—again.") == "we listened said the chair again"
    assert normalise("zâ\x80\x99s") == normalise("zâs")


# --- with trafilatura, on fixture pages -----------------------------------


def extract(path: Path) -> tuple[object, str]:
    from trafilatura import bare_extraction

    tree = parse(path.read_bytes())
    result = bare_extraction(tree, with_metadata=False, include_tables=True, include_comments=False)
    return tree, result.text


@pytest.mark.parametrize(
    "name, must_have, must_not_have",
    [
        (
            "lead_in_div",
            [LEAD, "“We listened to the people who actually use the boats every morning,”"],
            ["Sign up to our morning newsletter", "Ferry fares to rise", "hidden by the page", "twenty years", "Copyright", "since 1921"],
        ),
        (
            "summary_list",
            ["Der Stadtrat hat am Dienstag mit großer Mehrheit neue Radwege", "Die Opposition kritisierte"],
            ["Fahrradstellplätze", "Von Anna Beispiel"],
        ),
    ],
)
def test_fixture_pages_get_their_lead_back_and_nothing_else(name, must_have, must_not_have):
    tree, text = extract(FIXTURES / f"{name}.html")
    recovered = recover(tree, text)
    for snippet in must_have:
        assert snippet in recovered
    for snippet in must_not_have:
        assert snippet not in recovered
    # Every line the extractor gave is still there, in the same order, once.
    kept = lines(text)
    assert [line for line in lines(recovered) if line in kept] == kept
    assert len(lines(recovered)) == len(set(lines(recovered)))


# --- on the shared labelled pages -----------------------------------------


@pytest.mark.skipif(not (SHARED / "appeals" / "labels.jsonl").is_file(), reason="shared data not available")
def test_recovery_keeps_more_article_sentences_on_the_appeal_pages_and_loses_none():
    from trafilatura import bare_extraction

    labels = [json.loads(line) for line in (SHARED / "appeals" / "labels.jsonl").open(encoding="utf-8")]
    before = after = total = 0
    for label in labels:
        if not label["must_keep"]:
            continue
        tree = parse(gzip.decompress((SHARED / "appeals" / label["page"]).read_bytes()))
        result = bare_extraction(tree, url=label.get("url"), with_metadata=False, include_comments=False)
        text = result.text if result is not None else ""
        plain, recovered = normalise(text), normalise(recover(tree, text))
        for sentence in label["must_keep"]:
            total += 1
            before += normalise(sentence) in plain
            after += normalise(sentence) in recovered
            assert normalise(sentence) in recovered or normalise(sentence) not in plain
    assert after >= before + 5, (before, after, total)


def test_a_repeat_of_the_lead_further_down_does_not_stretch_the_article():
    appeal = "If you liked this article, please support the author with a small donation today."
    tree = parse(
        page(
            f"<article><p>{P1}</p><p>{P2}</p></article>"
            f"<div><p>{appeal}</p></div>"
            f'<div class="teasers"><p>{P1}</p></div>'
        )
    )
    assert recover(tree, f"{P1}\n{P2}") == f"{P1}\n{P2}"


def test_paragraphs_inside_an_inline_element_are_lines_of_their_own():
    # Sloppy markup: <span><p>..</p><p>..</p></span>. Each paragraph must line up
    # with its own output line, or a kept paragraph would come back glued to the next.
    tree = parse(page(f"<article><span><p>{P1}</p><p>{LEAD}</p><p>{P2}</p></span></article>"))
    assert lines(recover(tree, f"{P1}\n{P2}")) == [P1, LEAD, P2]


# --- sentences written as links ---------------------------------------------

LINKED = "Nothing rhymes with the word orange, and about one in six words in the language has no rhyme at all."


def test_a_long_sentence_written_as_a_link_among_the_kept_lines_comes_back():
    # A digest's items, one per line, the whole of one item's sentence a link.
    tree = parse(page(f'<div class="digest">{P1}<hr><a href="/q/1">{LINKED}</a><hr>{P2}</div>'))
    assert lines(recover(tree, f"{P1}\n{P2}")) == [P1, LINKED, P2]


def test_a_linked_sentence_in_a_card_of_its_own_stays_out():
    # The same sentence as the deck of a teaser card between the article's paragraphs.
    card = f'<div class="card"><h3><a href="/q/1">Orange</a></h3><a href="/q/1">{LINKED}</a></div>'
    tree = parse(page(f"<article><p>{P1}</p>{card}<p>{P2}</p></article>"))
    assert recover(tree, f"{P1}\n{P2}") == f"{P1}\n{P2}"


@pytest.mark.parametrize(
    "teaser",
    [
        # a headline: no full stop
        '<a href="/1">Ferry operator confirms early crossing will run every weekday from next month on</a>',
        # a question headline
        '<a href="/2">Will the new early crossing really be enough for the commuters who asked for it?</a>',
        # cut short
        '<a href="/3">The operator said it would publish the full timetable on its website next week and...</a>',
        # Title Case, with a full stop
        '<a href="/4">Why The Early Ferry Is The Best Thing To Happen To Island Commuters In Years.</a>',
        # short
        '<a href="/5">Ferry fares go up again next spring.</a>',
        # a label
        'Read next: <a href="/6">the council has approved the new winter timetable for the island ferry.</a>',
    ],
    ids=["headline", "question", "ellipsis", "title-case", "short", "label"],
)
def test_teaser_links_between_kept_paragraphs_stay_out(teaser: str):
    # Set in the element that holds the kept lines, where a linked sentence would come back.
    tree = parse(page(f"<div>{P1}<hr>{teaser}<hr>{P2}</div>"))
    text = f"{P1}\n{P2}"
    assert recover(tree, text) == text


def test_a_linked_sentence_outside_the_article_stays_out():
    tree = parse(page(f'<article><p>{P1}</p><p>{P2}</p></article><div><a href="/q">{LINKED}</a></div>'))
    assert recover(tree, f"{P1}\n{P2}") == f"{P1}\n{P2}"


# --- how the page is read ----------------------------------------------------


def test_text_after_a_comment_or_inside_inline_markup_is_part_of_its_line():
    tree = parse(
        page(
            f"<article><p>{P1}</p>"
            "<blockquote>Councillors voted <!-- fixed -->nine to two<br>on <b>Tuesday <i>evening</i></b> "
            "to approve the <span>new <a href='/t'>ferry timetable</a></span> for the winter.</blockquote>"
            f"<p>{P2}</p></article>"
        )
    )
    assert lines(recover(tree, f"{P1}\n{P2}")) == [
        P1,
        "on Tuesday evening to approve the new ferry timetable for the winter.",
        P2,
    ]


def test_works_on_a_tree_from_a_plain_lxml_html_parser():
    # Elements of the default class lookup (no form-element subclasses), as a faster page parser makes them.
    from lxml import etree
    from lxml.html import (
        HtmlComment,
        HtmlElement,
        HtmlEntity,
        HTMLParser,
        HtmlProcessingInstruction,
    )

    parser = HTMLParser()
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
        )
    )
    html = page(f'<h1>Ferry</h1><div>{LEAD}<!-- x --><form><p>{P3}</p></form><p>{P1}</p><p>{P2}</p></div>')
    tree = etree.fromstring(html, parser)
    assert lines(recover(tree, f"{P1}\n{P2}")) == [LEAD, P1, P2]


# --- the title right above the body --------------------------------------------


def test_a_title_that_reads_as_a_sentence_right_above_the_body_comes_back():
    title = 'Video of "Ferry Night": the crew who kept the island connected all winter!'
    body = f'<div class="post"><h3 class="post-title">{title}</h3><div class="post-body"><p>{P1}</p><p>{P2}</p></div></div>'
    assert lines(recover(parse(page(body)), f"{P1}\n{P2}")) == [title, P1, P2]


@pytest.mark.parametrize(
    "heading",
    [
        "<h3>Ferry timetable for the winter season approved by the council</h3>",  # a headline, no sentence end
        "<h2>Why the ferry?</h2>",  # too short
        "<h3>Why The Early Ferry Is The Best Thing To Happen To Island Commuters In Years?</h3>",  # Title Case
        "<h3>Have a question? The ferry timetable for the winter season, explained</h3>",  # a sentence, then a headline
    ],
)
def test_a_headline_above_the_body_stays_out(heading: str):
    tree = parse(page(f"<div>{heading}<div><p>{P1}</p><p>{P2}</p></div></div>"))
    assert recover(tree, f"{P1}\n{P2}") == f"{P1}\n{P2}"


def test_a_sentence_heading_further_up_the_page_stays_out():
    heading = "<h3>Our readers tell us every week what they think of the ferries and the fares!</h3>"
    tables = "<p>Tide tables for the harbour, updated daily by the harbour master</p>"
    tree = parse(page(f"<div>{heading}{tables}</div><div><p>{P1}</p><p>{P2}</p></div>"))
    assert recover(tree, f"{P1}\n{P2}") == f"{P1}\n{P2}"


# --- listing pages -------------------------------------------------------------

LISTING = ROOT / "fixtures" / "listing"


def extracted(name: str) -> tuple[object, str]:
    return extract(LISTING / f"{name}.html")


def assert_extractor_lines_kept(text: str, recovered: str) -> None:
    """Every line the extractor gave is still there, in the same order, and no line is there twice."""
    kept = lines(text)
    assert [line for line in lines(recovered) if line in kept] == kept
    assert len(lines(recovered)) == len(set(lines(recovered)))


def test_a_blog_index_gets_back_its_featured_post_written_as_one_link():
    tree, text = extracted("blog_index")
    featured = "The riding school at the end of the lane delivered a ton of fresh manure"
    assert featured not in text, "the premise: trafilatura drops the card, which is all link text"
    recovered = recover(tree, text)
    assert lines(recovered)[0].startswith(featured)  # before the first kept excerpt, as on the page
    assert len(lines(recovered)) == len(lines(text)) + 1
    # The sidebar, the footer, the tagline and the headlines stay out.
    for left_out in ("I have rented plot 27", "All words and photographs", "Notes from plot 27", "Building a hotbed"):
        assert left_out not in recovered
    assert_extractor_lines_kept(text, recovered)
    assert recover(tree, text, listing=False) == text


def test_a_newsletter_archive_gets_back_the_linked_cards_after_the_last_kept_block():
    tree, text = extracted("newsletter_archive")
    tiles = [
        "Last year the project took in eleven thousand dollars from sponsors for the first time.",
        "The email arrives on a Friday night and says your parser can be made to read past the end of a buffer.",
        "Removing an old function breaks somebody's build no matter how long you warned them.",
    ]
    assert not any(tile in text for tile in tiles), "the premise: trafilatura drops the linked cards"
    recovered = recover(tree, text)
    new_lines = [line for line in lines(recovered) if line not in lines(text)]
    assert len(new_lines) == 3
    assert all(line.startswith(tile) for line, tile in zip(new_lines, tiles))  # in page order
    assert lines(recovered)[-3:] == new_lines  # after the last issue the extractor kept
    assert "Issue 208" not in recovered  # headlines are not excerpts
    assert_extractor_lines_kept(text, recovered)


def test_an_article_keeps_its_story_grid_out_even_with_long_linked_excerpts():
    tree, text = extracted("article_with_story_grid")
    assert recover(tree, text) == text
    # Also when the extractor took the one teaser that is not a link: the body still dominates.
    library = "From next month the library will open on Saturday afternoons and two evenings a week"
    page_text = etree.tostring(tree, method="text", encoding="unicode")
    teaser = next(line.strip() for line in page_text.split("\n") if line.strip().startswith(library))
    with_teaser = f"{text}\n{teaser}"
    assert recover(tree, with_teaser) == with_teaser


SECTION_LEAD = "A ten-year survey by three universities measured every glacier in the range from the air and on foot"
SECTION_LATEST = [
    "Ecologists counted bees in allotments, parks and back gardens in four cities over two summers",
    "The team behind the experiment say the result matters less for the length of the run",
    "Genomes from eleven burials in a high valley share ancestry with groups on both sides of the range",
    "A trial in twenty secondary schools that moved the first lesson to half past nine found pupils slept longer",
]
SECTION_EXPLAINERS = [
    "High pressure parks itself over a region, pushes the air down and lets it bake for days on end.",
    "Before a jab reaches a clinic it goes through three phases of trials",
    "Sunlight bounces off the molecules of the air, and the short blue waves bounce the most",
]


def page_lines(tree, starts: list[str]) -> list[str]:
    """The page's lines (as the recovery reads them) that start with each of ``starts``."""
    from plugins.extract_recovery import _blocks

    texts = [block.text for block in _blocks(tree)]
    return [next(text for text in texts if text.startswith(start)) for start in starts]


def test_a_section_front_gets_back_the_cards_the_extractor_left_out():
    tree = parse((LISTING / "section_front.html").read_bytes())
    # As an extractor that stopped at the first container would have it.
    kept = page_lines(tree, [SECTION_LEAD, *SECTION_LATEST])
    recovered = recover(tree, "\n".join(kept))
    assert lines(recovered) == kept + page_lines(tree, SECTION_EXPLAINERS)
    # The most-read aside, the newsletter promo, the footer and the headlines stay out.
    for left_out in ("Rail strike called off", "Our free science newsletter", "Courier Media Limited", "What is a heat dome"):
        assert left_out not in recovered


def test_a_section_front_the_extractor_kept_whole_gains_nothing_twice():
    tree, text = extracted("section_front")
    assert all(start in text for start in [SECTION_LEAD, *SECTION_LATEST, *SECTION_EXPLAINERS])
    assert recover(tree, text) == text


def test_the_listing_mode_can_be_turned_off():
    tree = parse((LISTING / "section_front.html").read_bytes())
    kept = "\n".join(page_lines(tree, [SECTION_LEAD, *SECTION_LATEST]))
    assert recover(tree, kept, listing=False) == kept


def test_the_extract_stage_has_a_listing_option():
    from pipeline import Config, Pipeline
    from pipeline.document import Document

    html = (LISTING / "blog_index.html").read_bytes()
    featured = "The riding school at the end of the lane delivered a ton of fresh manure"

    def text(**extract):
        pipeline = Pipeline(Config(stages=["extract"], sections={"extract": extract}))
        return pipeline.process(Document(id="blog", html=html)).document.text

    assert featured in text()
    assert featured not in text(listing=False)
    assert featured not in text(recovery=False)


def roundup(head: str = "", cards: int = 4, grid: bool = True) -> str:
    """A page of cards (a linked ``<h2>`` and a paragraph each), then a grid of teasers written as links."""
    items = "".join(
        f'<section class="item"><h2><a href="/items/{n}/">Item {n}</a></h2>'
        f"<p>Item number {n} is described here in a sentence of a decent length, long enough to be prose.</p></section>"
        for n in range(cards)
    )
    teasers = "".join(
        f'<div class="cell"><a href="/more/{n}/"><h3>More {n}</h3><p>Teaser number {n} is written here as a'
        f" whole sentence inside a link, long enough to be an excerpt.</p></a></div>"
        for n in range(3)
    )
    return (
        f'<html><head><title>t</title>{head}</head><body><main><h1>Things</h1>{items}'
        f'{f"<div class=grid>{teasers}</div>" if grid else ""}</main></body></html>'
    )


def item_text(cards: int = 4) -> str:
    return "\n".join(
        f"Item number {n} is described here in a sentence of a decent length, long enough to be prose." for n in range(cards)
    )


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:type" content="article">',
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle"}</script>',
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": ["BlogPosting"]}]}</script>',
        '<script type="application/ld+json">[{"@type": "Organization"}, {"@type": "Article"}]</script>',
    ],
    ids=["og-article", "ld-news-article", "ld-graph", "ld-list"],
)
def test_a_page_of_cards_that_says_it_is_an_article_is_an_article(head: str):
    # A round-up or a product list has the very shape of a listing; its metadata tells them apart.
    tree = parse(roundup(head))
    assert recover(tree, item_text()) == item_text()


@pytest.mark.parametrize(
    "head",
    [
        "",
        '<meta property="og:type" content="website">',
        (
            '<script type="application/ld+json">{"@type": "CollectionPage", "mainEntity": {"@type": "ItemList",'
            ' "itemListElement": [{"@type": "NewsArticle"}]}}</script>'
        ),
        '<script type="application/ld+json">{"@type": "NewsArticle",</script>',
    ],
    ids=["nothing", "og-website", "ld-item-list", "broken-json"],
)
def test_a_page_of_cards_that_does_not_say_it_is_an_article_is_a_listing(head: str):
    tree = parse(roundup(head))
    teasers = [f"Teaser number {n} is written here as a whole sentence inside a link, long enough to be an excerpt." for n in range(3)]
    assert lines(recover(tree, item_text())) == lines(item_text()) + teasers


def test_two_cards_are_not_a_listing():
    intro = "An introduction to the two items below, in a sentence about as long as each of theirs."
    tree = parse(roundup(cards=2).replace("<h1>Things</h1>", f"<h1>Things</h1><div><p>{intro}</p></div>"))
    text = f"{intro}\n{item_text(2)}"
    assert recover(tree, text) == text


def test_an_article_whose_title_links_to_itself_is_one_card_not_a_listing():
    # Every paragraph in a <div> of its own, and the title a link: the article is one
    # card holding most of the text, whatever the teasers beside it.
    body = "".join(f"<div><p>{paragraph}</p></div>" for paragraph in (LEAD, P1, P2, P3))
    story = f'<article><h1><a href="/ferry/">Ferry</a></h1>{body}</article>'
    html = roundup(cards=3).replace("<h1>Things</h1>", story)
    text = "\n".join([LEAD, P1, P2, P3, *lines(item_text(3))])
    assert recover(parse(html), text) == text


def test_an_article_body_among_cards_is_not_a_listing():
    # The same cards, but most of the kept text is one body of paragraphs.
    body = "".join(f"<p>{paragraph}</p>" for paragraph in (LEAD, P1, P2, P3) * 2)
    html = roundup().replace("<h1>Things</h1>", f'<h1>Things</h1><div class="body">{body}</div>')
    text = "\n".join([*(LEAD, P1, P2, P3) * 2, *lines(item_text())])
    tree = parse(html)
    assert recover(tree, text) == text


@pytest.mark.parametrize(
    "linked",
    [
        "Why The Early Ferry Is The Best Thing To Happen To Island Commuters In Years.",  # Title Case
        "Ferry operator confirms early crossing will run every weekday from next month on",  # no sentence end
        "Read more: the council has approved the new winter timetable for the island ferry.",  # a label
        "Ferry fares go up again next spring.",  # short
    ],
    ids=["title-case", "no-end", "label", "short"],
)
def test_headline_like_link_text_in_a_listings_card_stays_out(linked: str):
    html = roundup(grid=False).replace("</main>", f'<div class="cell"><a href="/x/"><h3>X</h3><p>{linked}</p></a></div></main>')
    tree = parse(html)
    assert recover(tree, item_text()) == item_text()


def test_a_cards_headline_that_reads_as_a_sentence_is_not_its_excerpt():
    headline = "Is this the end of the early ferry as we know it, or only the start of something better?"
    card = f'<div class="cell"><a href="/x/"><h3>{headline}</h3></a></div>'
    tree = parse(roundup(grid=False).replace("</main>", f"{card}</main>"))
    assert recover(tree, item_text()) == item_text()


def test_an_excerpt_among_the_headlines_of_several_pages_is_not_a_card():
    # Text straight in a container of many cards belongs to none of them.
    stray = "This sentence sits in the container of all the cards rather than in any one card of them."
    tree = parse(roundup(grid=False).replace("</main>", f"<hr>{stray}</main>"))
    assert recover(tree, item_text()) == item_text()


def test_listing_recovery_is_idempotent_and_leaves_the_tree_alone():
    tree = parse((LISTING / "section_front.html").read_bytes())
    before = etree.tostring(tree)
    kept = "\n".join(page_lines(tree, [SECTION_LEAD, *SECTION_LATEST]))
    once = recover(tree, kept)
    assert once != kept
    assert recover(tree, once) == once
    assert etree.tostring(tree) == before


def test_declares_article_reads_open_graph_and_json_ld():
    from plugins.listing_pages import declares_article

    assert declares_article(parse(roundup('<meta property="og:type" content="article:post">')))
    assert not declares_article(parse(roundup('<script type="application/ld+json">not json</script>')))
    assert not declares_article(parse(roundup('<script type="application/ld+json">{"@type": "ItemList"}</script>')))


@pytest.mark.skipif(not (SHARED / "appeals" / "labels.jsonl").is_file(), reason="shared data not available")
def test_listing_mode_on_the_shared_pages_changes_listings_only():
    """The appeal pages' listings get their cards back; a sample of the 709 WCXB articles is left as it was."""
    from trafilatura import bare_extraction

    labels = [json.loads(line) for line in (SHARED / "appeals" / "labels.jsonl").open(encoding="utf-8")]
    pages = [(SHARED / "appeals" / label["page"], label) for label in labels]
    truth = SHARED / "extraction" / "truth.jsonl"
    if truth.is_file():
        ids = [json.loads(line)["id"] for line in truth.open(encoding="utf-8")]
        pages += [(SHARED / "extraction" / "pages" / f"{page_id}.html.gz", None) for page_id in ids[::5]]
    listings_changed = 0
    for path, label in pages:
        tree = parse(gzip.decompress(path.read_bytes()))
        result = bare_extraction(tree, url=label and label.get("url"), with_metadata=False, include_comments=False)
        text = result.text if result is not None else ""
        recovered, without = recover(tree, text), recover(tree, text, listing=False)
        if label is None or "listing" not in label["note"]:
            assert recovered == without, path.name
            continue
        listings_changed += recovered != without
        plain = normalise(recovered)
        for sentence in label["must_keep"]:
            assert normalise(sentence) in plain, (path.name, sentence)
    assert listings_changed >= 1
