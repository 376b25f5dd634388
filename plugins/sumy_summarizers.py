"""Every sumy algorithm, selectable by name, on newsdigest's own sentences.

sumy's ``Tokenizer`` needs NLTK's ``punkt_tab`` data (a separate download)
and optional packages for several languages, so the document handed to sumy
is built here from :mod:`plugins.sentences`: one sumy paragraph per text
paragraph, the title (when known) as a heading, and a tokenizer object with
``to_sentences``/``to_words``. Stemming is NLTK's Snowball through sumy
where it has one for the language (lower-casing otherwise), stop words are
sumy's lists where it ships one (none otherwise).

Names: ``lexrank``, ``textrank``, ``lsa``, ``luhn``, ``kl``, ``sumbasic``,
``reduction``, ``edmundson``. LexRank, TextRank and LSA need NumPy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pipeline.backends import Length
from pipeline.hookspecs import hookimpl

#: newsdigest name -> (sumy module, class name).
ALGORITHMS: dict[str, tuple[str, str]] = {
    "lexrank": ("sumy.summarizers.lex_rank", "LexRankSummarizer"),
    "textrank": ("sumy.summarizers.text_rank", "TextRankSummarizer"),
    "lsa": ("sumy.summarizers.lsa", "LsaSummarizer"),
    "luhn": ("sumy.summarizers.luhn", "LuhnSummarizer"),
    "kl": ("sumy.summarizers.kl", "KLSummarizer"),
    "sumbasic": ("sumy.summarizers.sum_basic", "SumBasicSummarizer"),
    "reduction": ("sumy.summarizers.reduction", "ReductionSummarizer"),
    "edmundson": ("sumy.summarizers.edmundson", "EdmundsonSummarizer"),
}

#: Edmundson's key method needs "bonus" words; without a title, the
#: article's most frequent content words stand in, as in Edmundson (1969).
KEY_WORDS = 10


class SumySummarizer:
    """One sumy algorithm behind newsdigest's summariser interface."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._module, self._class = ALGORITHMS[name]

    def summarize(
        self, text: str, language: str | None, title: str | None, length: Length
    ) -> list[str]:
        from plugins.sentences import SumyTokenizer, split_sentences, words

        tokenizer = SumyTokenizer(language)
        paragraphs = [split_sentences(line, language) for line in (text or "").split("\n")]
        sentences = [sentence for paragraph in paragraphs for sentence in paragraph]
        if not sentences:
            return []
        document = _document(paragraphs, title, tokenizer)
        word_counts = [len(words(sentence, language)) for sentence in sentences]
        summarizer = self._build(language, title, sentences)
        picked = summarizer(document, _LengthCount(length, word_counts))
        # sumy returns its Sentence objects in text order; their text is ours, verbatim.
        return [str(sentence) for sentence in picked]

    def _build(self, language: str | None, title: str | None, sentences: Sequence[str]):
        import importlib

        from plugins.sentences import stemmer, stop_words, words

        stem = stemmer(language)
        stops = stop_words(language)
        cls = getattr(importlib.import_module(self._module), self._class)
        if self.name != "edmundson":
            summarizer = cls(stem)
            if hasattr(summarizer, "stop_words"):
                summarizer.stop_words = stops
        else:
            # Cue words (bonus/stigma lists) exist for no language here, so
            # Edmundson runs on its key, title and location methods.
            summarizer = cls(
                stem, cue_weight=0.0, key_weight=1.0, title_weight=1.0, location_weight=1.0
            )
            source = [title] if title else sentences
            counts = Counter(
                word.lower()
                for sentence in source
                for word in words(sentence, language)
                if word.lower() not in stops and not word.isdigit()
            )
            summarizer.bonus_words = [word for word, _ in counts.most_common(KEY_WORDS)] or ["\0"]
            # sumy refuses an empty null-word list; a word no text contains stands in.
            summarizer.null_words = stops or {"\0"}
        return summarizer


class _LengthCount:
    """sumy's "count" hook: gets sentences best first, returns those that fit ``length``."""

    def __init__(self, length: Length, word_counts: list[int]) -> None:
        self.length = length
        self.word_counts = word_counts

    def __call__(self, infos):
        from plugins.summarize import take

        keep = set(take((info.order for info in infos), self.word_counts, self.length))
        return [info for info in infos if info.order in keep]


def _document(paragraphs: list[list[str]], title: str | None, tokenizer):
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    built = [[Sentence(sentence, tokenizer) for sentence in sentences] for sentences in paragraphs]
    built = [sentences for sentences in built if sentences]
    if title and title.strip() and built:
        # A heading is read by Edmundson's title method (and counted in
        # sumy's document words) but is never itself a summary sentence.
        built[0].insert(0, Sentence(title, tokenizer, is_heading=True))
    return ObjectDocumentModel([Paragraph(sentences) for sentences in built])


@hookimpl
def newsdigest_summarizers() -> list:
    return [SumySummarizer(name) for name in ALGORITHMS]
