"""Registration hooks: plugins offer backends that stages choose by name in config."""

import pytest

from pipeline.config import Config
from pipeline.document import Document
from pipeline.hookspecs import hookimpl
from pipeline.runner import BackendError, Pipeline

TEXT = (
    "The harbour authority opened a new ferry terminal on Monday after three years of construction.\n"
    "Officials said the terminal would handle two million passengers a year.\n"
    "Local businesses welcomed the opening but warned about traffic on the coast road."
)


def test_newsdigest_language_detectors_offers_a_backend_selected_by_config(pm, register):
    calls = []

    class Always:
        name = "always-pt"

        def detect(self, text, candidates=None):
            calls.append(candidates)
            return [("pt", 0.97)]

    class Plugin:
        @hookimpl
        def newsdigest_language_detectors(self):
            return [Always()]

    register(Plugin(), "always_pt")
    config = Config(stages=["language"], sections={"language": {"backend": "always-pt"}})
    outcome = Pipeline(config, pm).process(Document(id="d", text=TEXT))
    assert outcome.reject is None
    assert (outcome.document.language, outcome.document.language_score) == ("pt", 0.97)
    assert calls, "the configured backend was not called"


def test_newsdigest_summarizers_offers_a_summarizer_selected_by_config(pm, register):
    class LastSentence:
        name = "last"

        def summarize(self, text, language, title, length):
            return [text.splitlines()[-1]]

    class Plugin:
        @hookimpl
        def newsdigest_summarizers(self):
            return [LastSentence()]

    register(Plugin(), "last_sentence")
    config = Config(stages=["summarize"], sections={"summarize": {"algorithm": "last"}})
    outcome = Pipeline(config, pm).process(Document(id="d", text=TEXT, language="en"))
    assert outcome.document.summary == [TEXT.splitlines()[-1]]
    assert outcome.document.metadata["summary_algorithm"] == "last"


def test_unknown_backend_name_lists_the_known_ones(pm):
    pipeline = Pipeline(Config(), pm)
    with pytest.raises(BackendError, match=r"unknown summarizer 'nope' \(known: .*lexrank.*\)"):
        pipeline.backend("summarizers", "nope")
