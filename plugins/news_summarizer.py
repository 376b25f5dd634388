"""newsdigest's own news summariser ("news"): Lead-3's position bias, plus centrality.

News puts what matters first, which is why Lead-3 is hard to beat; but the
first sentences are not always the best: a long scene-setting sentence, a
quotation, a short teaser or a caption can sit among them, while a sentence
just after them states the story. Each sentence is scored as

    position prior x (c + centrality) x length factor x form factors x title boost

* **position prior**: flat over the first two sentences, then falling as
  ``1 / (1 + ((i - 1) / 3) ** 3)``, so the lead is favoured but the fourth or
  fifth sentence can win on merit;
* **centrality**: cosine between the sentence's tf-idf vector (stemmed, stop
  words out, idf over the article's own sentences) and the rest of the
  article's; O(words), so a 2,000-sentence text costs milliseconds, unlike
  LexRank's sentence-by-sentence matrix;
* **length**: sentences longer than the article's median are discounted in
  proportion (ROUGE, and readers, pay for every word), sentences under a
  third of the median (teasers, captions, datelines) heavily;
* **form**: a sentence that opens a quotation, or closes one it did not
  open (the tail of a quote the splitter cut at an inner full stop), is
  someone speaking in the story, rarely its gist;
* **title**: when the document has a title, sentences sharing its content
  words gain up to half again.

Sentences are then picked greedily (maximal marginal relevance): each
candidate's score is discounted by its similarity to what is already chosen,
so the summary does not say the same thing twice (news copy often repeats
its lead in a caption), and a near-copy of a chosen sentence is never
taken. The lazy variant of the greedy pick re-scores only the candidates
that reach the top, which keeps long texts and large ratios cheap.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from functools import lru_cache

from pipeline.backends import Length
from pipeline.hookspecs import hookimpl

#: Sentences at the head of the text that share the top prior.
LEAD_PLATEAU = 1
#: Scale and steepness of the prior's fall after the plateau.
PRIOR_SCALE = 3.0
PRIOR_POWER = 3.0
#: Weight every sentence has before centrality is added.
BASE_WEIGHT = 0.2
#: Redundancy discount: score x (1 - REDUNDANCY x similarity to the summary).
REDUNDANCY = 0.6
#: Similarity at which a sentence repeats one already chosen: it is never picked.
NEAR_DUPLICATE = 0.9
#: Below this share of the median sentence length, a sentence is a fragment.
SHORT_SHARE = 0.35
SHORT_FACTOR = 0.3
#: A sentence that opens with a quotation mark or closes a quotation it did not open.
QUOTE_FACTOR = 0.5
#: Largest gain from sharing the title's content words.
TITLE_WEIGHT = 0.5

_QUOTES = "\"'“‘«„‚‹「『"
# A quotation closing after its last word, and one opening before a word.
_QUOTE_CLOSE = re.compile(r"[,.?!…][\"”’'»」』]")
_QUOTE_OPEN = re.compile(r"(?:^|[\s(\[—–-])[\"“‘'«„「『]")


class NewsSummarizer:
    """Position prior x centrality, length-aware, redundancy-free; see the module doc."""

    name = "news"

    def summarize(
        self, text: str, language: str | None, title: str | None, length: Length
    ) -> list[str]:
        from plugins.sentences import split_sentences, stemmer, stop_words, words
        from plugins.summarize import Budget

        sentences = split_sentences(text or "", language)
        if not sentences:
            return []
        stem = stemmer(language)
        stops = stop_words(language)
        known = _known_terms(language)
        tokens = [words(sentence, language) for sentence in sentences]
        word_counts = [len(found) for found in tokens]
        terms = [_content_terms(found, stem, stops, known) for found in tokens]
        vectors = _unit_tfidf(terms)
        scores = _scores(sentences, word_counts, terms, vectors)
        if title:
            title_terms = set(_content_terms(words(title, language), stem, stops, known))
            if title_terms:
                for index, found in enumerate(terms):
                    shared = len(title_terms.intersection(found)) / len(title_terms)
                    scores[index] *= 1.0 + TITLE_WEIGHT * shared
        chosen = _greedy_pick(scores, vectors, Budget(length, word_counts))
        return [sentences[index] for index in chosen]


#: Most tokens remembered per language by :func:`_known_terms`.
_MAX_KNOWN_TERMS = 200_000


@lru_cache(maxsize=64)
def _known_terms(language: str | None) -> dict[str, str | None]:
    """Token as written -> its stemmed term, or ``None`` for a stop word, per language.

    News text repeats its words, so one dictionary look-up per token
    replaces lower-casing, the stop-word test and the stemmer's own cache.
    """
    return {}


def _content_terms(
    tokens: list[str], stem, stops: frozenset[str], known: dict[str, str | None]
) -> list[str]:
    found = []
    for token in tokens:
        try:
            term = known[token]
        except KeyError:
            lower = token.lower()
            term = None if lower in stops else stem(lower)
            if len(known) >= _MAX_KNOWN_TERMS:
                known.clear()
            known[token] = term
        if term is not None:
            found.append(term)
    return found


def _unit_tfidf(terms: list[list[str]]) -> list[dict[str, float]]:
    """Each sentence's tf-idf vector, scaled to unit length; idf over the article's sentences."""
    total = len(terms)
    document_frequency: Counter[str] = Counter()
    for found in terms:
        document_frequency.update(set(found))
    idf = {
        term: math.log((total + 1) / (count + 0.5)) for term, count in document_frequency.items()
    }
    vectors = []
    for found in terms:
        vector = {term: count * idf[term] for term, count in Counter(found).items()}
        norm = math.sqrt(sum(weight * weight for weight in vector.values()))
        vectors.append({t: w / norm for t, w in vector.items()} if norm > 0 else {})
    return vectors


def _scores(
    sentences: list[str],
    word_counts: list[int],
    terms: list[list[str]],
    vectors: list[dict[str, float]],
) -> list[float]:
    centroid: Counter[str] = Counter()
    for vector in vectors:
        centroid.update(vector)
    centroid_norm_sq = sum(weight * weight for weight in centroid.values())
    median = sorted(word_counts)[len(word_counts) // 2] or 1
    scores = []
    for index, vector in enumerate(vectors):
        # Cosine with the rest of the article (the centroid minus this sentence):
        # rest = C - v, so v.rest = v.C - 1 and |rest|^2 = |C|^2 - 2 v.C + 1.
        centrality = 0.0
        if vector:
            dot = sum(weight * centroid[term] for term, weight in vector.items())
            rest_sq = centroid_norm_sq - 2 * dot + 1
            if rest_sq > 1e-12:
                centrality = max(0.0, (dot - 1) / math.sqrt(rest_sq))
        prior = 1.0 / (1.0 + (max(0, index - LEAD_PLATEAU) / PRIOR_SCALE) ** PRIOR_POWER)
        score = prior * (BASE_WEIGHT + centrality)
        count = word_counts[index]
        if count > median:
            score *= median / count
        if count < SHORT_SHARE * median:
            score *= SHORT_FACTOR
        if _is_quotation(sentences[index]):
            score *= QUOTE_FACTOR
        scores.append(score)
    return scores


def _is_quotation(sentence: str) -> bool:
    """Whether ``sentence`` is (part of) someone's quoted words."""
    if sentence[0] in _QUOTES:
        return True
    closing = _QUOTE_CLOSE.search(sentence)
    if closing is None:
        return False
    opening = _QUOTE_OPEN.search(sentence)
    return opening is None or opening.start() > closing.start()


def _greedy_pick(scores: list[float], vectors: list[dict[str, float]], budget) -> list[int]:
    """Pick best first, each discounted by its similarity to those already picked (lazy MMR).

    A candidate's value only falls as the summary grows, so a stale value is
    an upper bound: re-score the top of the heap until it stays on top.
    Returns the chosen indices in text order.
    """
    heap = [(-score, index, 0) for index, score in enumerate(scores)]
    heapq.heapify(heap)
    picked = budget.chosen
    closeness = [0.0] * len(scores)
    while heap and not budget.full:
        _, index, seen = heapq.heappop(heap)
        if seen < len(picked):
            vector = vectors[index]
            if vector:
                for other in picked[seen:]:
                    closeness[index] = max(closeness[index], _dot(vector, vectors[other]))
            if closeness[index] >= NEAR_DUPLICATE:
                continue
            value = scores[index] * (1.0 - REDUNDANCY * closeness[index])
            heapq.heappush(heap, (-value, index, len(picked)))
            continue
        # Refused (too long for what is left of a word budget): it never fits later either.
        budget.offer(index)
    return sorted(picked)


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())


@hookimpl
def newsdigest_summarizers() -> list:
    return [NewsSummarizer()]
