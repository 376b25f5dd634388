"""Lead-N ("lead"): the first sentences of the text, the baseline for news summarisers."""

from __future__ import annotations

from pipeline.backends import Length
from pipeline.hookspecs import hookimpl


class LeadSummarizer:
    """The text's first sentences, as many as ``length`` allows."""

    name = "lead"

    def summarize(
        self, text: str, language: str | None, title: str | None, length: Length
    ) -> list[str]:
        from plugins.sentences import sentence_words, split_sentences
        from plugins.summarize import take

        sentences = split_sentences(text or "", language)
        word_counts = list(map(len, sentence_words(sentences, language)))
        # In order, stopping at the first sentence that overflows a word
        # budget: a lead is a prefix of the text, never a selection.
        chosen = []
        for index in take(range(len(sentences)), word_counts, length):
            if index != len(chosen):
                break
            chosen.append(index)
        return [sentences[index] for index in chosen]


@hookimpl
def newsdigest_summarizers() -> list:
    return [LeadSummarizer()]
