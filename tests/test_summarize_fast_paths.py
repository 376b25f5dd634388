"""The summariser's fast paths give what the plain, sentence-by-sentence code gives.

The splitter runs over a whole cased text at once, words are found in one
pass over the joined sentences, and the news summariser scores with numpy
and picks lazily; each is checked here against a straightforward version
(the splitter's own per-paragraph path, :func:`words` per sentence, and a
dictionary-based, eager re-statement of the news summariser's definition).
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plugins.news_summarizer as news
import plugins.sentences as sentences_module
from pipeline.backends import Length
from plugins.sentences import (
    SENTENCE_BREAK,
    sentence_spans,
    sentence_words,
    sentences_and_words,
    split_sentences,
    stemmer,
    stop_words,
    words,
)
from plugins.summarize import Budget

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "summaries"
ARTICLE = json.loads((FIXTURES / "article-en.json").read_text(encoding="utf-8"))
LANGUAGES = json.loads((FIXTURES / "languages.json").read_text(encoding="utf-8"))
LANGUAGE_TEXTS = [
    (code, case["joiner"].join(case["sentences"])) for code, case in LANGUAGES["split"].items()
]
ARTICLES = [
    (row["lang"], row["text"])
    for row in map(json.loads, (ROOT / "fixtures" / "language" / "articles.jsonl").open())
]
LENGTHS = (
    Length(),
    Length(sentences=1),
    Length(sentences=6),
    Length(sentences=None, ratio=0.4),
    Length(sentences=None, words=40),
    Length(sentences=None, words=5),
)

# Pieces that exercise the splitter's rules and the word pattern's edges.
PIECES = [
    *"Mr. Dr. No. 5 3. Oktober J. K. U.S. The the Der Inc. Fig. e.g. z.B. a.m. Ph.D. St.".split(),
    *"said. growth, economy; “Yes.” (The « Bonjour. » don't don’t 3.5% well-known".split(),
    *"snake_case naïve Ωmega ΑΒΓ; Москва. г. Häuser ❤️ e\u0301te \u00a0 \u202f…".split(),
    "x" * 60 + ".",
    "!",
    "?",
    "...",
    "\n",
    "\n\n",
]
CASED_SCRIPTS = [piece for piece in PIECES if not any(ord(c) > 0x2FFF for c in piece)]


def _text(draw_pieces: list[str]) -> str:
    return " ".join(draw_pieces)


texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=60).map(_text)
mixed_texts = st.lists(
    st.sampled_from([*PIECES, "北京时间。", "ありました！", "ภาษาไทย", "العربية؟", "हिन्दी।"]),
    min_size=1,
    max_size=40,
).map(_text)


# --- Splitting ------------------------------------------------------------------


def per_paragraph_spans(text: str, language: str | None) -> list[tuple[int, int]]:
    """The splitter's paragraph-by-paragraph path, for every paragraph."""
    spans = []
    position = 0
    base = sentences_module._base(language)
    for line in text.split("\n"):
        for start, end in sentences_module._paragraph_spans(line, base):
            spans.append((position + start, position + end))
        position += len(line) + 1
    return spans


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, language=st.sampled_from(["en", "de", "el", "fr", "ru", None]))
def test_whole_text_split_equals_paragraph_by_paragraph(text, language):
    assert sentence_spans(text, language) == per_paragraph_spans(text, language)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=mixed_texts, language=st.sampled_from(["en", "zh", "th", None]))
def test_mixed_scripts_split_paragraph_by_paragraph(text, language):
    assert sentence_spans(text, language) == per_paragraph_spans(text, language)


@pytest.mark.parametrize("language, text", [*LANGUAGE_TEXTS, *ARTICLES])
def test_fixture_texts_split_as_paragraph_by_paragraph(language, text):
    assert sentence_spans(text, language) == per_paragraph_spans(text, language)


def test_a_period_rule_is_remembered_per_language_not_across():
    # "3." is an ordinal in German (no break before a non-starter), a number in English.
    text = "Es war am 3. Oktober so. Alles gut."
    assert split_sentences(text, "de") == ["Es war am 3. Oktober so.", "Alles gut."]
    assert split_sentences(text, "en") == ["Es war am 3.", "Oktober so.", "Alles gut."]
    assert split_sentences(text, "de") == ["Es war am 3. Oktober so.", "Alles gut."]


# --- Words ------------------------------------------------------------------------


def flat(per_sentence: list[list[str]]) -> list[str]:
    found: list[str] = []
    for index, tokens in enumerate(per_sentence):
        if index:
            found.append(SENTENCE_BREAK)
        found.extend(tokens)
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(texts, mixed_texts))
def test_sentence_words_equal_words_of_each_sentence(text):
    found = split_sentences(text, "en")
    expected = [words(sentence, "en") for sentence in found]
    assert sentence_words(found, "en") == expected
    assert sentence_words(found, "en", flat=True) == flat(expected)
    assert sentences_and_words(text, "en") == (found, flat(expected))


@pytest.mark.parametrize(
    "sentence",
    [
        "snake_case and plain_words stay apart",  # "_" is no letter
        "e\u0301te\u0301 with combining marks",  # marks stay inside words
        "I ❤️ it, she ☺︎ it",  # variation selectors are marks
        "प्रधानमंत्री ने कहा",
        "北京时间 and ありました",
        "a line\nbreak inside one sentence",
    ],
)
def test_sentence_words_on_characters_the_fast_pattern_does_not_know(sentence):
    found = [sentence, "Plain second sentence."]
    expected = [words(sentence), words(found[1])]
    assert sentence_words(found) == expected
    assert sentence_words(found, flat=True) == flat(expected)


# --- The news summariser -------------------------------------------------------------


def reference_news(text: str, language: str | None, title: str | None, length: Length):
    """The news summariser's definition, sentence by sentence, with an eager greedy pick."""
    window, inside = news.opening(text, length)
    found = split_sentences(window, language)
    if inside:
        found = found[:-1] if len(found) > 1 else split_sentences(text, language)
    if not found:
        return []
    stem, stops = stemmer(language), stop_words(language)

    def content(tokens):
        return [stem(t.lower()) for t in tokens if t.lower() not in stops]

    tokens = [words(sentence, language) for sentence in found]
    counts = [len(t) for t in tokens]
    terms = [content(t) for t in tokens]
    total = len(terms)
    frequency: Counter[str] = Counter()
    for sentence_terms in terms:
        frequency.update(set(sentence_terms))
    idf = {t: math.log((total + 1) / (c + 0.5)) for t, c in frequency.items()}
    vectors = []
    for sentence_terms in terms:
        vector = {t: c * idf[t] for t, c in Counter(sentence_terms).items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        vectors.append({t: w / norm for t, w in vector.items()} if norm > 0 else {})
    centroid: Counter[str] = Counter()
    for vector in vectors:
        centroid.update(vector)
    centroid_sq = sum(w * w for w in centroid.values())
    median = sorted(counts)[total // 2] or 1
    scores = []
    for index, vector in enumerate(vectors):
        centrality = 0.0
        if vector:
            dot = sum(w * centroid[t] for t, w in vector.items())
            rest = centroid_sq - 2 * dot + 1
            if rest > 1e-12:
                centrality = max(0.0, (dot - 1) / math.sqrt(rest))
        score = 1.0 / (1.0 + (max(0, index - 1) / 3.0) ** 3.0) * (0.2 + centrality)
        if counts[index] > median:
            score *= median / counts[index]
        if counts[index] < 0.35 * median:
            score *= 0.3
        if news._is_quotation(found[index]):
            score *= 0.5
        scores.append(score)
    title_terms = set(content(words(title, language))) if title else set()
    if title_terms:
        for index, sentence_terms in enumerate(terms):
            scores[index] *= 1.0 + 0.5 * len(title_terms & set(sentence_terms)) / len(title_terms)
    budget = Budget(length, counts)
    closeness = [0.0] * total
    left = set(range(total))
    while left and not budget.full:
        best = max(left, key=lambda i: (scores[i] * (1.0 - 0.6 * closeness[i]), -i))
        left.discard(best)
        if budget.offer(best):
            for other in list(left):
                if vectors[other]:
                    near = news._dot(vectors[other], vectors[best])
                    closeness[other] = max(closeness[other], near)
                if closeness[other] >= 0.9:
                    left.discard(other)
    return [found[index] for index in sorted(budget.chosen)]


SUMMARIZER = news.NewsSummarizer()


@pytest.mark.parametrize("length", LENGTHS)
def test_news_equals_its_reference_on_fixtures(length):
    cases = [("en", ARTICLE["text"], ARTICLE["title"]), ("en", ARTICLE["text"], None)]
    cases += [(code, text, "A title") for code, text in [*LANGUAGE_TEXTS, *ARTICLES]]
    for language, text, title in cases:
        expected = reference_news(text, language, title, length)
        assert SUMMARIZER.summarize(text, language, title, length) == expected, language


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chosen=st.lists(st.integers(0, 10_000), min_size=1, max_size=40),
    length=st.sampled_from(LENGTHS),
    with_title=st.booleans(),
)
def test_news_equals_its_reference_on_shuffled_sentences(chosen, length, with_title):
    # Real sentences in a new order and mix: ties, repeats and near-copies included.
    pool = split_sentences(ARTICLE["text"], "en")
    picked = [pool[i % len(pool)] for i in chosen]
    text = " ".join(picked[: len(picked) // 2]) + "\n" + " ".join(picked[len(picked) // 2 :])
    title = picked[0] if with_title else None
    assert SUMMARIZER.summarize(text, "en", title, length) == reference_news(
        text, "en", title, length
    )


def test_news_summaries_survive_the_vocabulary_being_forgotten(monkeypatch):
    texts_ = [ARTICLE["text"], *(text for _, text in LANGUAGE_TEXTS)]
    expected = [SUMMARIZER.summarize(text, "en", ARTICLE["title"], Length()) for text in texts_]
    monkeypatch.setattr(news, "_MAX_KNOWN_TERMS", 50)
    news._vocabulary.cache_clear()
    try:
        again = [SUMMARIZER.summarize(text, "en", ARTICLE["title"], Length()) for text in texts_]
    finally:
        news._vocabulary.cache_clear()
    assert again == expected


def test_news_scores_large_ratio_texts_like_the_reference():
    rng = random.Random(7)
    pool = split_sentences(ARTICLE["text"], "en")
    text = "\n".join(" ".join(rng.choice(pool) for _ in range(5)) for _ in range(40))
    length = Length(sentences=None, ratio=0.5)
    assert SUMMARIZER.summarize(text, "en", None, length) == reference_news(
        text, "en", None, length
    )
