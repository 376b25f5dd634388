"""The summarize stage, its summarisers and the shared sentence splitter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.backends import Length
from pipeline.config import Config
from pipeline.document import Document
from pipeline.hookspecs import hookimpl
from pipeline.runner import Pipeline
import plugins.news_summarizer as news
from plugins.news_summarizer import NewsSummarizer
from plugins.sentences import sentence_spans, split_sentences, stemmer, stop_words, words
from plugins.summarize import length_from, sentence_count, take

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "summaries"
SHARED_SUMMARIES = ROOT.parent / "shared" / "data" / "summaries" / "cnndm-dev.jsonl"
SUMY_NAMES = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "reduction", "edmundson")
ALL_NAMES = ("news", "lead", *SUMY_NAMES)

NEWS = NewsSummarizer()
ARTICLE = json.loads((FIXTURES / "article-en.json").read_text(encoding="utf-8"))
LANGUAGES = json.loads((FIXTURES / "languages.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(Config(stages=["summarize"]))


@pytest.fixture(scope="module")
def backends(pipeline):
    return pipeline.backends("summarizers")


def assert_extract(text: str, summary: list[str]) -> None:
    """Every sentence is a verbatim substring of ``text``, within one paragraph, in text order."""
    position = 0
    for sentence in summary:
        assert sentence and sentence == sentence.strip()
        assert "\n" not in sentence
        found = text.find(sentence, position)
        assert found >= 0, f"not verbatim or out of order: {sentence!r}"
        position = found + len(sentence)


def text_of(code: str) -> str:
    case = LANGUAGES["split"][code]
    return case["joiner"].join(case["sentences"])


# --- Registration and the stage ----------------------------------------------


def test_every_summarizer_is_registered(backends):
    assert set(ALL_NAMES) <= set(backends)
    for name in ALL_NAMES:
        assert backends[name].name == name


def test_newsdigest_summarizers(pm):
    offered = [s for found in pm.hook.newsdigest_summarizers() for s in found or []]
    assert sorted(s.name for s in offered) == sorted(ALL_NAMES)
    for summarizer in offered:
        summary = summarizer.summarize(ARTICLE["text"], "en", ARTICLE["title"], Length())
        assert len(summary) == 3
        assert_extract(ARTICLE["text"], summary)


def test_newsdigest_summarize(pm, register):
    config = Config(stages=["summarize"], sections={"summarize": {"algorithm": "lead"}})
    pipeline = Pipeline(config, pm=pm)
    document = Document(id="a", text=ARTICLE["text"], language="en")
    result = pm.hook.newsdigest_summarize(document=document, config=config, pipeline=pipeline)
    assert result.summary == split_sentences(ARTICLE["text"], "en")[:3]
    assert result.metadata["summary_algorithm"] == "lead"

    class Mine:
        @hookimpl
        def newsdigest_summarize(self, document):
            document.summary = ["mine"]
            return document

    # The built-in is trylast: an installed implementation replaces it.
    register(Mine(), "mine")
    outcome = Pipeline(config, pm=pm).process(Document(id="b", text=ARTICLE["text"]))
    assert outcome.document.summary == ["mine"]
    assert "summary_algorithm" not in outcome.document.metadata


def test_stage_uses_news_and_three_sentences_by_default(pipeline):
    document = Document(id="a", text=ARTICLE["text"], title=ARTICLE["title"], language="en")
    outcome = pipeline.process(document)
    assert outcome.reject is None
    assert outcome.document.metadata["summary_algorithm"] == "news"
    assert len(outcome.document.summary) == 3
    assert_extract(ARTICLE["text"], outcome.document.summary)


@pytest.mark.parametrize("name", ["lead", "lexrank", "edmundson"])
def test_stage_picks_configured_algorithm_and_length(name):
    config = Config(
        stages=["summarize"], sections={"summarize": {"algorithm": name, "sentences": 2}}
    )
    outcome = Pipeline(config).process(Document(id="a", text=ARTICLE["text"], language="en"))
    assert outcome.document.metadata["summary_algorithm"] == name
    assert len(outcome.document.summary) == 2


def test_stage_word_budget_wins_over_ratio_and_sentences():
    options = {"algorithm": "news", "sentences": 5, "ratio": 0.9, "words": 30}
    config = Config(stages=["summarize"], sections={"summarize": options})
    summary = Pipeline(config).process(Document(id="a", text=ARTICLE["text"])).document.summary
    assert summary
    assert sum(len(words(sentence)) for sentence in summary) <= 30


def test_unknown_algorithm_is_a_reject_naming_the_known_ones():
    config = Config(stages=["summarize"], sections={"summarize": {"algorithm": "nope"}})
    outcome = Pipeline(config).process(Document(id="a", text=ARTICLE["text"]))
    assert outcome.reject is not None
    assert "nope" in outcome.reject.error and "lexrank" in outcome.reject.error


@pytest.mark.parametrize("text", [None, "", "   \n \n"])
def test_stage_on_empty_text_gives_empty_summary(pipeline, text):
    outcome = pipeline.process(Document(id="a", text=text))
    assert outcome.reject is None
    assert outcome.document.summary == []


def test_length_from_options():
    assert length_from({}) == Length(sentences=3)
    assert length_from({"sentences": 5}) == Length(sentences=5)
    assert length_from({"sentences": 5, "ratio": 0.2}) == Length(sentences=None, ratio=0.2)
    assert length_from({"ratio": 0.2, "words": 50}) == Length(sentences=None, words=50)
    for bad in ({"ratio": 0}, {"ratio": 1.5}, {"words": 0}, {"sentences": -1}):
        with pytest.raises(ValueError):
            length_from(bad)


def test_sentence_count_and_take():
    assert sentence_count(Length(sentences=3), 2) == 2
    assert sentence_count(Length(sentences=None, ratio=0.25), 10) == 3  # 2.5 rounds up
    assert sentence_count(Length(sentences=None, ratio=0.01), 10) == 1
    assert sentence_count(Length(sentences=None, words=10), 10) is None
    assert take([3, 0, 1, 2], [5, 5, 5, 5], Length(sentences=2)) == [0, 3]
    # A sentence that overflows the budget is skipped; a later one may fit.
    assert take([0, 1, 2], [6, 8, 3], Length(sentences=None, words=10)) == [0, 2]
    assert take([0], [20], Length(sentences=None, words=10)) == []


# --- Every summariser, on the fixture article ---------------------------------


@pytest.mark.parametrize("name", ALL_NAMES)
@pytest.mark.parametrize(
    "length, expected",
    [
        (Length(sentences=3), 3),
        (Length(sentences=1), 1),
        (Length(sentences=50), None),  # more than the text has: all of it
        (Length(sentences=None, ratio=0.25), None),
        (Length(sentences=None, words=45), None),
    ],
    ids=["3", "1", "50", "ratio", "words"],
)
def test_summarizer_on_fixture(backends, name, length, expected):
    text, title = ARTICLE["text"], ARTICLE["title"]
    summary = backends[name].summarize(text, "en", title, length)
    assert_extract(text, summary)
    total = len(split_sentences(text, "en"))
    if expected is not None:
        assert len(summary) == expected
    elif length.sentences == 50:
        assert len(summary) == total
    elif length.ratio is not None:
        assert len(summary) == round(0.25 * total)
    else:
        assert 1 <= len(summary) and sum(len(words(s)) for s in summary) <= 45


def test_lead_is_the_first_sentences():
    text = ARTICLE["text"]
    lead = Pipeline().backend("summarizers", "lead")
    assert lead.summarize(text, "en", None, Length(sentences=3)) == split_sentences(text, "en")[:3]
    # A word budget keeps a prefix: it stops at the first sentence that does not fit.
    first = split_sentences(text, "en")[0]
    assert lead.summarize(
        text, "en", None, Length(sentences=None, words=len(words(first)) + 3)
    ) == [first]


def test_news_prefers_informative_sentences_over_quotes_and_fragments(backends):
    text = "\n".join(
        [
            "Breaking.",
            '"It was like a nightmare," said one witness.',
            "A fire destroyed the old paper mill in Lowbridge on Sunday,"
            " forcing 200 people from their homes.",
            "Firefighters from three counties fought the fire at the paper mill for nine hours.",
            "The cause of the fire at the mill is not yet known, police said.",
            "The mill had been empty since 1998.",
        ]
    )
    summary = backends["news"].summarize(text, "en", None, Length(sentences=2))
    assert summary[0].startswith("A fire destroyed")
    assert "Breaking." not in summary and not summary[1].startswith('"')


def test_news_title_steers_towards_its_subject(backends):
    text = " ".join(
        [
            "The city council met on Tuesday to discuss several matters.",
            "Members approved a new budget for the parks department.",
            "They also voted to rename the central library after a local poet.",
            "The meeting ended shortly after nine o'clock.",
        ]
    )
    length = Length(sentences=1)
    without = backends["news"].summarize(text, "en", None, length)
    with_title = backends["news"].summarize(text, "en", "Library renamed after local poet", length)
    assert with_title == ["They also voted to rename the central library after a local poet."]
    assert without != with_title


def test_news_does_not_repeat_itself(backends):
    lead = "The central bank raised interest rates by half a point to 5.25 per cent on Thursday."
    text = "\n".join(
        [
            lead,
            "Economists had expected a smaller rise of a quarter point.",
            lead,  # a caption repeating the lead, as news pages often do
            "Mortgage lenders said they would pass the rise on to borrowers next month.",
        ]
    )
    summary = backends["news"].summarize(text, "en", None, Length(sentences=2))
    assert summary.count(lead) == 1


def test_sumy_does_not_need_punkt_data(backends, monkeypatch):
    import nltk

    def refuse(*args, **kwargs):
        raise AssertionError("nltk data must not be needed")

    monkeypatch.setattr(nltk, "sent_tokenize", refuse)
    monkeypatch.setattr(nltk, "word_tokenize", refuse)
    monkeypatch.setattr(nltk.tokenize, "PunktTokenizer", refuse, raising=False)
    for name in SUMY_NAMES:
        assert backends[name].summarize(ARTICLE["text"], "en", ARTICLE["title"], Length())


# --- Languages ----------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(LANGUAGES["split"]))
def test_sentences_split_in_every_language(code):
    case = LANGUAGES["split"][code]
    assert split_sentences(text_of(code), code) == case["sentences"]


@pytest.mark.parametrize("code", sorted(LANGUAGES["unsplit"]))
def test_thai_and_lao_fall_back_to_spaces(code):
    # No sentence punctuation: spaces end phrases, and phrases shorter than
    # a clause are kept with their neighbours.
    text = LANGUAGES["unsplit"][code]
    sentences = split_sentences(text, code)
    assert " ".join(sentences) == text
    assert len(sentences) == {"th": 3, "lo": 1}[code]


LANGUAGE_CASES = [
    *((code, text_of(code)) for code in sorted(LANGUAGES["split"])),
    *sorted(LANGUAGES["unsplit"].items()),
    ("und", text_of("en")),
    (None, text_of("de")),
    ("zh-tw", text_of("zh")),
    ("xx", "Whatever this is. It has two sentences."),
]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_summarizer_in_every_language(backends, name):
    for code, text in LANGUAGE_CASES:
        for length in (
            Length(sentences=2),
            Length(sentences=None, ratio=0.5),
            Length(sentences=None, words=12),
        ):
            summary = backends[name].summarize(text, code, "A title", length)
            assert_extract(text, summary)
            if length.sentences:
                assert summary, (code, name)


def test_words_keep_marks_and_split_spaceless_scripts():
    assert words("प्रधानमंत्री ने कहा") == ["प्रधानमंत्री", "ने", "कहा"]
    assert words("U.S. growth was 3.5% and don't") == [
        "U.S",
        "growth",
        "was",
        "3.5",
        "and",
        "don't",
    ]
    assert words("北京时间") == ["北", "京", "时", "间"]
    assert words("ありました") == ["あり", "りま", "まし", "した"]
    assert words("서울에서 회의가") == ["서울에서", "회의가"]
    assert words("...!!") == []


def test_language_resources():
    assert "the" in stop_words("en") and stop_words("xx") == frozenset()
    assert stemmer("en")("Running") == "run"
    assert stemmer("de")("Häuser") == stemmer("de")("häuser")
    assert stemmer(None)("Word") == "word"


# --- The splitter's rules -----------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Mr. Smith went to Washington. He stayed.",
            ["Mr. Smith went to Washington.", "He stayed."],
        ),
        ("J. K. Rowling wrote it. Readers agreed.", ["J. K. Rowling wrote it.", "Readers agreed."]),
        ("It grew 3.5 per cent. That was fast.", ["It grew 3.5 per cent.", "That was fast."]),
        ("He lives in the U.S. The move was hard.", ["He lives in the U.S.", "The move was hard."]),
        ("The U.S. Army said so.", ["The U.S. Army said so."]),
        ("He said: 'Go home.' Then he left.", ["He said: 'Go home.'", "Then he left."]),
        ('"Is it over?" she asked.', ['"Is it over?" she asked.']),
        ("Wait... what? Yes!", ["Wait... what?", "Yes!"]),
        (
            "They play on No. 5 court. No. He did not.",
            ["They play on No. 5 court.", "No.", "He did not."],
        ),
        ("Army Spc. Caleb Barnes was charged.", ["Army Spc. Caleb Barnes was charged."]),
        ("it starts lower. and ends lower.", ["it starts lower. and ends lower."]),
        ("No full stop at the end", ["No full stop at the end"]),
    ],
)
def test_english_rules(text, expected):
    assert split_sentences(text, "en") == expected


def test_sentences_never_cross_paragraphs_and_are_stripped():
    text = "  First paragraph without a stop\nSecond one. Third one!  \n\n  \nLast"
    spans = sentence_spans(text, "en")
    assert [text[a:b] for a, b in spans] == [
        "First paragraph without a stop",
        "Second one.",
        "Third one!",
        "Last",
    ]
    assert sentence_spans("", "en") == [] and split_sentences(" \n ", "en") == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            list("ab AZ.!?\"'“”«»\n。！？।؟ไทย中文 Дж.") + ["Mr.", "U.S.", "...", "3.5"]
        ),
        max_size=120,
    ).map("".join),
    st.sampled_from(["en", "de", "zh", "th", "ar", "hi", "ru", None]),
)
def test_any_text_splits_into_verbatim_sentences(text, language):
    position = 0
    for start, end in sentence_spans(text, language):
        assert position <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and "\n" not in piece
        position = end
    assert_extract(text, NEWS.summarize(text, language, None, Length()))


# --- Long texts ---------------------------------------------------------------


def long_story(paragraphs: int) -> str:
    """The fixture article's paragraphs, repeated with a round number, at least ``paragraphs`` of them."""
    base = ARTICLE["text"].split("\n")
    return "\n".join(
        f"{line[:-1]} (part {i}){line[-1]}" if line[-1:] == "." else line
        for i in range(paragraphs // len(base) + 1)
        for line in base
    )


def test_two_thousand_sentences_complete(backends):
    text = long_story(1100)
    assert len(split_sentences(text, "en")) >= 2000
    for name in ("news", "lead"):
        for length in (
            Length(),
            Length(sentences=None, ratio=0.1),
            Length(sentences=None, words=200),
        ):
            summary = backends[name].summarize(text, "en", ARTICLE["title"], length)
            assert summary
            assert_extract(text, summary)


@pytest.fixture
def split_lengths(monkeypatch):
    """The length of every text the news summariser hands to the splitter."""
    import plugins.sentences as sentences_module

    seen: list[int] = []
    split = sentences_module.sentences_and_words

    def recording(text, language=None):
        seen.append(len(text))
        return split(text, language)

    monkeypatch.setattr(sentences_module, "sentences_and_words", recording)
    return seen


def test_news_reads_only_the_opening_of_a_long_text(split_lengths):
    text = long_story(400)
    assert len(text) > 5 * news.OPENING_CHARS
    summary = NEWS.summarize(text, "en", ARTICLE["title"], Length())
    window, inside = news.opening(text, Length())
    assert not inside and text[len(window)] == "\n"  # whole paragraphs
    assert news.OPENING_CHARS <= len(window) < 1.5 * news.OPENING_CHARS
    assert split_lengths == [len(window)]
    assert summary == NEWS.summarize(window, "en", ARTICLE["title"], Length())
    assert_extract(window, summary)


def test_the_opening_grows_with_the_summary_and_a_ratio_reads_everything(split_lengths):
    text = long_story(400)
    three = news.opening(text, Length())[0]
    assert len(news.opening(text, Length(sentences=10))[0]) >= 12 * 10 * news.CHARS_PER_SENTENCE > len(three)
    assert len(news.opening(text, Length(sentences=None, words=400))[0]) >= 12 * 400 * news.CHARS_PER_WORD
    summary = NEWS.summarize(text, "en", None, Length(sentences=None, ratio=0.2))
    assert split_lengths == [len(text)]
    assert text.find(summary[-1]) > len(three)  # a fifth of the text reaches past any opening
    assert news.opening("short\ntext", Length()) == ("short\ntext", False)


def test_an_opening_inside_a_paragraph_drops_its_cut_sentence(monkeypatch):
    sentences = [f"Sentence number {i} tells the council story at some length today." for i in range(40)]
    text = " ".join(sentences)  # one paragraph, as many scraped texts are
    monkeypatch.setattr(news, "OPENING_CHARS", 150)
    monkeypatch.setattr(news, "OPENING_SHARE", 0)
    window, inside = news.opening(text, Length())
    assert inside and window == text[:150] and not window.endswith(".")
    summary = NEWS.summarize(text, "en", None, Length())
    assert summary == sentences[:2]  # the third, cut at the window, is not a sentence


def test_a_window_with_no_whole_sentence_falls_back_to_the_text(monkeypatch):
    text = "A sentence that runs on " + "and on " * 100 + "until it ends."
    monkeypatch.setattr(news, "OPENING_CHARS", 100)
    monkeypatch.setattr(news, "OPENING_SHARE", 0)
    assert news.opening(text, Length())[1]
    assert NEWS.summarize(text, "en", None, Length()) == [text]


# --- Quality gate on the shared data --------------------------------------------


@pytest.mark.shared_data
@pytest.mark.skipif(not SHARED_SUMMARIES.is_file(), reason="../shared/data/summaries is absent")
def test_default_beats_lead3_on_shared_dev_set(backends):
    pytest.importorskip("rouge_score", reason="rouge-score (bench/test extra) is not installed")
    import sys

    sys.path.insert(0, str(ROOT))
    try:
        from bench.summarize import load, rouge
    finally:
        sys.path.remove(str(ROOT))

    rows = load(SHARED_SUMMARIES)
    references = [row["reference"] for row in rows]
    scores = {}
    for name in ("news", "lead"):
        summaries = [backends[name].summarize(row["article"], "en", None, Length()) for row in rows]
        for row, summary in zip(rows, summaries):
            assert_extract(row["article"], summary)
        scores[name] = rouge(references, summaries)
    assert all(news >= lead for news, lead in zip(scores["news"], scores["lead"])), scores
    # Lead-3 with this splitter stays within half a point of Punkt's (40.7/17.9/36.8).
    assert all(abs(a - b) < 0.5 for a, b in zip(scores["lead"], (40.7, 17.9, 36.8))), scores


def test_summary_does_not_repeat_the_headline():
    from pipeline.config import Config
    from pipeline.document import Document
    from pipeline.runner import Pipeline

    title = "Harbour ferry terminal opens after three years of work"
    body = [
        "The harbour authority opened its new ferry terminal on Monday after three years of construction.",
        "Officials said the terminal would handle two million passengers a year by 2027.",
        "Local shops welcomed the opening but warned about traffic on the coast road.",
        "The old terminal will be turned into a market hall next spring.",
    ]
    document = Document(id="d", text="\n".join([title, *body]), title=title, language="en")
    outcome = Pipeline(Config(stages=["summarize"], sections={"summarize": {"algorithm": "lead"}})).process(document)
    assert outcome.document.summary == body[:3]
