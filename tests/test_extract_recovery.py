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
