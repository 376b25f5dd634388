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

The summary is drawn from the text's **opening**: whole paragraphs up to
:data:`OPENING_CHARS` characters (about 35 sentences of news), or twelve
times the summary's own length when that is more; centrality is measured
against that opening. From the ninth sentence on, the prior gives a
sentence under a tenth of the lead's weight, from the sixteenth on under a
hundredth, so the rest of a long text changed which sentences were picked
only through the centroid, while it made up most of the cost (splitting,
tokenising and stemming every sentence). On the texts of the 709 WCXB
pages (12,600 characters on average) the openings hold 38% of the text,
the summariser takes half the time (2.5 ms a text instead of 5.0), and 98
of 707 summaries change, among their lead sentences. CNN/DailyMail's
articles (3,500 characters) fit in the window; cut to their first 1,000 to
4,000 characters, their summaries' ROUGE moves by at most half a point
either way, about one standard error, and stays above Lead-3's. A summary
by ratio needs every sentence and sees the whole text.

Sentences are then picked greedily (maximal marginal relevance): each
candidate's score is discounted by its similarity to what is already chosen,
so the summary does not say the same thing twice (news copy often repeats
its lead in a caption), and a near-copy of a chosen sentence is never
taken. The lazy variant of the greedy pick re-scores only the candidates
that reach the top, which keeps long texts and large ratios cheap.

Cost: tokens become term ids through one per-language dictionary, the
tf-idf arithmetic runs on numpy arrays (adding the same numbers in the same
order as a sentence-by-sentence loop, so scores are equal to the bit), and
a sentence's form is only looked at when its score's upper bound reaches
the top of the greedy pick.
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

#: The opening a summary is drawn from: at least this many characters (whole paragraphs) ...
OPENING_CHARS = 5000
#: ... and at least this many times the summary's expected length, counted
#: as :data:`CHARS_PER_SENTENCE` a sentence or :data:`CHARS_PER_WORD` a word.
OPENING_SHARE = 12
CHARS_PER_SENTENCE = 140
CHARS_PER_WORD = 6

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
        from plugins.sentences import SENTENCE_BREAK, sentences_and_words, words
        from plugins.summarize import Budget

        text = text or ""
        window, inside = opening(text, length)
        sentences, tokens = sentences_and_words(window, language)
        if inside:
            if len(sentences) > 1:
                # The window ends inside a paragraph: its last sentence may be cut short.
                sentences.pop()
                del tokens[len(tokens) - 1 - tokens[::-1].index(SENTENCE_BREAK) :]
            else:
                sentences, tokens = sentences_and_words(text, language)
        if not sentences:
            return []
        vocabulary = _vocabulary(language)
        ids, title_ids = vocabulary.ids(tokens, words(title, language) if title else [])
        article = _Article(ids, len(sentences), len(vocabulary.terms))
        title_terms = set(title_ids)
        title_terms.discard(_STOP)
        scores = _Scores(sentences, article, article.shared(title_terms) if title_terms else None)
        chosen = _greedy_pick(scores, article.vector, Budget(length, article.word_counts))
        return [sentences[index] for index in chosen]


def opening(text: str, length: Length) -> tuple[str, bool]:
    """The opening of ``text`` that a summary of ``length`` is drawn from, and
    whether it ends inside a paragraph (its last sentence may be cut short).

    Whole paragraphs, up to the end of the one that crosses the window; a
    paragraph that runs on past half a window more is cut at the window. A
    summary by ratio needs every sentence: its opening is the whole text.
    """
    if length.ratio is not None:
        return text, False
    if length.words is not None:
        expected = length.words * CHARS_PER_WORD
    else:
        expected = (length.sentences or 0) * CHARS_PER_SENTENCE
    window = max(OPENING_CHARS, OPENING_SHARE * expected)
    if len(text) <= window:
        return text, False
    end = text.find("\n", window, window + window // 2)
    if end >= 0:
        return text[:end], False
    return text[:window], True


#: Term ids that are not terms: a stop word, and the break between two sentences.
_STOP = -1
_BREAK = -2
#: Most tokens remembered per language by :class:`_Vocabulary` (about 18 MB):
#: past it, the vocabulary starts again; a worker keeps up to
#: :data:`_MAX_LANGUAGES` of them, so its memory stays bounded on any corpus.
_MAX_KNOWN_TERMS = 100_000
_MAX_LANGUAGES = 8


class _Vocabulary:
    """Token as written -> the id of its stemmed term (:data:`_STOP` for a stop word), per language.

    News text repeats its words, so one dictionary look-up per token
    replaces lower-casing, the stop-word test and stemming; ids, unlike the
    stems themselves, let numpy do the rest.
    """

    def __init__(self, language: str | None) -> None:
        from plugins.sentences import SENTENCE_BREAK, stemmer, stop_words

        self.stem = stemmer(language)
        self.stops = stop_words(language)
        self.known: dict[str, int] = {}
        self.terms: dict[str, int] = {}
        self.fresh = {SENTENCE_BREAK: _BREAK}
        self.known.update(self.fresh)

    def ids(self, tokens: list[str], title: list[str]):
        """The term id of each token of the text (an array) and of the title (a list)."""
        import numpy as np

        known = self.known
        try:
            return (
                np.array(list(map(known.__getitem__, tokens)), dtype=np.int64),
                list(map(known.__getitem__, title)),
            )
        except KeyError:
            pass
        new = set(tokens).union(title).difference(known)
        if len(known) + len(new) > _MAX_KNOWN_TERMS:
            # Forget everything, never part: ids must stay one-to-one with terms.
            known = self.known = dict(self.fresh)
            self.terms = {}
            new = set(tokens).union(title).difference(known)
        for token in new:
            lower = token.lower()
            if lower in self.stops:
                known[token] = _STOP
            else:
                known[token] = self.terms.setdefault(self.stem(lower), len(self.terms))
        return (
            np.array(list(map(known.__getitem__, tokens)), dtype=np.int64),
            list(map(known.__getitem__, title)),
        )


@lru_cache(maxsize=_MAX_LANGUAGES)
def _vocabulary(language: str | None) -> _Vocabulary:
    return _Vocabulary(language)


class _Article:
    """The sentences' tf-idf vectors, scaled to unit length, and their centroid.

    idf is over the article's own sentences. The arithmetic is done on
    arrays, one (sentence, term) pair per row, in the order a sentence-by-
    sentence loop over each sentence's terms (in order of first use) takes
    them, and every sum is a sequential one (``np.add.at``, ``sum``), so
    that the numbers are those of that loop, to the last bit.

    :param found: the term id of every token of the text (an array),
        :data:`_STOP` for a stop word, :data:`_BREAK` between two sentences.
    :param total: the number of sentences.
    :param vocabulary: an id larger than any in ``ids``.
    """

    def __init__(self, found, total: int, vocabulary: int) -> None:
        import numpy as np

        is_break = found == _BREAK
        edges = np.flatnonzero(is_break).tolist()
        edges.append(len(found))
        #: The words in each sentence.
        self.word_counts: list[int] = [
            end - start - 1 for start, end in zip([-1, *edges], edges)
        ]
        content = found >= 0
        sentence_of = np.cumsum(is_break)[content]
        width = max(vocabulary, 1)
        keys, first, counts = np.unique(
            sentence_of * width + found[content], return_index=True, return_counts=True
        )
        order = np.argsort(first)  # the keys are distinct: no ties to break
        keys = keys[order]
        #: Per (sentence, term) pair: sentences in order, terms by first use in the sentence.
        self.sentence = keys // width
        self.term = keys % width
        # Terms renumbered 0..n-1 (``local``); each one's first pair (``first``)
        # orders them as the text first uses them, the order the centroid sums in.
        terms, first, local = np.unique(self.term, return_index=True, return_inverse=True)
        local = local.reshape(-1)
        frequency = np.bincount(local, minlength=len(terms))
        distinct = np.unique(frequency)
        idf_of = np.zeros(int(distinct[-1]) + 1 if len(distinct) else 1)
        idf_of[distinct] = [math.log((total + 1) / (count + 0.5)) for count in distinct.tolist()]
        weights = counts[order] * idf_of[frequency][local]
        norm_sq = np.zeros(total)
        np.add.at(norm_sq, self.sentence, weights * weights)
        self.unit = weights / np.sqrt(norm_sq)[self.sentence]
        centroid = np.zeros(len(terms))
        np.add.at(centroid, local, self.unit)
        squares = (centroid * centroid)[np.argsort(first)]
        self.centroid_norm_sq = sum(squares.tolist())
        self.centroid_of_pair = centroid[local]
        #: Where each sentence's pairs start and end.
        self.bounds: list[int] = np.searchsorted(self.sentence, np.arange(total + 1)).tolist()
        self.total = total
        self._vectors: dict[int, dict[int, float]] = {}

    def vector(self, index: int) -> dict[int, float]:
        """Sentence ``index``'s unit vector, term -> weight, terms in order of first use."""
        try:
            return self._vectors[index]
        except KeyError:
            start, end = self.bounds[index], self.bounds[index + 1]
            found = self._vectors[index] = dict(
                zip(self.term[start:end].tolist(), self.unit[start:end].tolist())
            )
            return found

    def centrality(self):
        """Each sentence's cosine with the rest of the article (the centroid less itself)."""
        import numpy as np

        dot = np.zeros(self.total)
        np.add.at(dot, self.sentence, self.unit * self.centroid_of_pair)
        # rest = C - v, so v.rest = v.C - 1 and |rest|^2 = |C|^2 - 2 v.C + 1.
        rest_sq = self.centroid_norm_sq - 2 * dot + 1
        usable = (np.diff(self.bounds) > 0) & (rest_sq > 1e-12)
        centrality = np.zeros(self.total)
        centrality[usable] = (dot[usable] - 1) / np.sqrt(rest_sq[usable])
        return np.maximum(centrality, 0.0)

    def shared(self, title_terms: set[int]):
        """Each sentence's share of the title's (distinct) terms."""
        import numpy as np

        matches = np.zeros(len(self.term), dtype=bool)
        for term in title_terms:
            matches |= self.term == term
        found = np.bincount(self.sentence[matches], minlength=self.total)
        return found / len(title_terms)


class _Scores:
    """Each sentence's score; the form factor (quotations) is looked at only when asked.

    :attr:`bounds` holds an upper bound of each score that needs no look at
    the sentence's text, so the greedy pick scores only what reaches the top.
    """

    def __init__(self, sentences: list[str], article: _Article, shared) -> None:
        import numpy as np

        self.sentences = sentences
        word_counts = article.word_counts
        counts = np.array(word_counts, dtype=np.float64)
        median = sorted(word_counts)[len(word_counts) // 2] or 1
        # The same products, in the same order, as the score of one sentence
        # written out; a factor that does not apply is a product by 1.0, exact.
        base = _priors(len(sentences)) * (BASE_WEIGHT + article.centrality())
        base = base * np.where(counts > median, median / np.maximum(counts, 1), 1.0)
        base = base * np.where(counts < SHORT_SHARE * median, SHORT_FACTOR, 1.0)
        self.base: list[float] = base.tolist()
        self.title = None if shared is None else (1.0 + TITLE_WEIGHT * shared).tolist()
        # The form factor is at most 1, the title's at most 1 + TITLE_WEIGHT,
        # and rounding is monotonic, so these bound the scores exactly.
        self.bounds: list[float] = (
            self.base if shared is None else (base * (1.0 + TITLE_WEIGHT)).tolist()
        )

    def score(self, index: int) -> float:
        score = self.base[index]
        if _is_quotation(self.sentences[index]):
            score *= QUOTE_FACTOR
        if self.title is not None:
            score *= self.title[index]
        return score


#: The position prior of the first sentences, grown as longer texts come.
_PRIORS: list[float] = []


def _priors(count: int):
    """The position prior of each of the first ``count`` sentences."""
    import numpy as np

    while len(_PRIORS) < count:
        index = len(_PRIORS)
        _PRIORS.append(1.0 / (1.0 + (max(0, index - LEAD_PLATEAU) / PRIOR_SCALE) ** PRIOR_POWER))
    return np.array(_PRIORS[:count])


def _is_quotation(sentence: str) -> bool:
    """Whether ``sentence`` is (part of) someone's quoted words."""
    if sentence[0] in _QUOTES:
        return True
    closing = _QUOTE_CLOSE.search(sentence)
    if closing is None:
        return False
    opening = _QUOTE_OPEN.search(sentence)
    return opening is None or opening.start() > closing.start()


def _greedy_pick(scores: _Scores, vector, budget) -> list[int]:
    """Pick best first, each discounted by its similarity to those already picked (lazy MMR).

    A candidate's value only falls as the summary grows, so a stale value is
    an upper bound: re-score the top of the heap until it stays on top. A
    sentence starts on the heap at its score's upper bound (seen = -1) and
    is scored when it first reaches the top.
    Returns the chosen indices in text order.
    """
    heap = [(-bound, index, -1) for index, bound in enumerate(scores.bounds)]
    heapq.heapify(heap)
    picked = budget.chosen
    score = {}
    closeness: dict[int, float] = {}
    while heap and not budget.full:
        _, index, seen = heapq.heappop(heap)
        if seen < 0:
            score[index] = scores.score(index)
            closeness[index] = 0.0
            heapq.heappush(heap, (-score[index], index, 0))
            continue
        if seen < len(picked):
            near = closeness[index]
            mine = vector(index)
            if mine:
                for other in picked[seen:]:
                    near = max(near, _dot(mine, vector(other)))
            closeness[index] = near
            if near >= NEAR_DUPLICATE:
                continue
            value = score[index] * (1.0 - REDUNDANCY * near)
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
