"""The runner: each stage hook, plugin stages, and failures that name stage, plugin and document."""

from pipeline.config import Config
from pipeline.document import Document, Drop
from pipeline.hookspecs import hookimpl
from pipeline.runner import Pipeline
from pipeline.stages import Stage

ONLY_EXTRACT = Config(stages=["extract"])


def text_document(text="First paragraph here.\nSecond one follows.", **fields):
    return Document(id="doc-1", source="memory:1", text=text, **fields)


def test_newsdigest_extract_plugin_replaces_the_builtin(pm, register):
    class Extractor:
        @hookimpl
        def newsdigest_extract(self, document):
            document.text = "Extracted by the plugin."
            document.title = "Plugin title"
            return document

    register(Extractor(), "my_extractor")
    outcome = Pipeline(ONLY_EXTRACT, pm).process(Document(id="d", html="<html><body><p>x</p></body></html>"))
    assert outcome.reject is None
    assert outcome.document.text == "Extracted by the plugin."
    assert outcome.document.title == "Plugin title"


def test_newsdigest_extract_none_falls_through_to_builtin(pm, register):
    seen = []

    class Observer:
        @hookimpl
        def newsdigest_extract(self, document):
            seen.append(document.id)
            return None

    register(Observer(), "observer")
    html = "<html><head><title>T</title></head><body><article><p>" + "A real sentence of the story. " * 20 + "</p></article></body></html>"
    outcome = Pipeline(ONLY_EXTRACT, pm).process(Document(id="d", html=html))
    assert seen == ["d"]
    assert "A real sentence of the story." in outcome.document.text


def test_newsdigest_extract_plain_text_skips_extraction(pm):
    document = text_document()
    outcome = Pipeline(ONLY_EXTRACT, pm).process(document)
    assert outcome.reject is None and outcome.document.text == document.text


def test_newsdigest_detect_language_plugin_replaces_the_builtin(pm, register):
    class Fixed:
        @hookimpl
        def newsdigest_detect_language(self, document, config):
            document.language, document.language_score, document.language_source = "eo", 1.0, "fixed"
            return document

    register(Fixed(), "fixed_language")
    outcome = Pipeline(Config(stages=["language"]), pm).process(text_document())
    assert (outcome.document.language, outcome.document.language_source) == ("eo", "fixed")


def test_newsdigest_clean_plugin_replaces_the_builtin(pm, register):
    from pipeline.document import Removal

    class Cleaner:
        @hookimpl
        def newsdigest_clean(self, document):
            first, *rest = document.paragraphs
            document.removed.append(Removal(first, "mine.first", "first paragraph", plugin="cleaner"))
            document.text = "\n".join(rest)
            return document

    register(Cleaner(), "cleaner")
    pipeline = Pipeline(Config(stages=["clean"]), pm)
    outcome = pipeline.process(text_document())
    assert outcome.document.text == "Second one follows."
    assert [r.rule for r in outcome.document.removed] == ["mine.first"]
    assert pipeline.stats.cuts_by_rule == {"mine.first": 1}


def test_newsdigest_summarize_plugin_replaces_the_builtin(pm, register):
    class FirstParagraph:
        @hookimpl
        def newsdigest_summarize(self, document, pipeline):
            assert pipeline.config is not None
            document.summary = document.paragraphs[:1]
            return document

    register(FirstParagraph(), "first_paragraph")
    outcome = Pipeline(Config(stages=["summarize"]), pm).process(text_document())
    assert outcome.document.summary == ["First paragraph here."]


def test_newsdigest_stages_adds_a_stage_where_declared(pm, register):
    calls = []

    def tag(document, config):
        calls.append(list(pipeline.order))
        document.metadata["tagged"] = config.section("tag").get("value", "yes")
        return document

    class Tagger:
        @hookimpl
        def newsdigest_stages(self):
            return [Stage("tag", tag, after="extract")]

    register(Tagger(), "tagger")
    pipeline = Pipeline(Config(sections={"tag": {"value": "blue"}}), pm)
    assert pipeline.order == ["extract", "tag", "language", "clean", "summarize"]
    assert pipeline.extra_stages["tag"].plugin == "tagger"
    config = Config(stages=["tag"], sections={"tag": {"value": "blue"}})
    pipeline = Pipeline(config, pm)
    outcome = pipeline.process(text_document())
    assert outcome.document.metadata["tagged"] == "blue"
    assert pipeline.stats.stages["tag"]["forwarded"] == 1


def test_failure_names_stage_plugin_and_document(pm, register):
    class Broken:
        @hookimpl
        def newsdigest_clean(self, document):
            raise ZeroDivisionError("boom")

    register(Broken(), "broken_cleaner")
    pipeline = Pipeline(Config(stages=["clean"]), pm)
    outcome = pipeline.process(text_document())
    reject = outcome.reject
    assert (reject.id, reject.source, reject.stage, reject.plugin) == ("doc-1", "memory:1", "clean", "broken_cleaner")
    assert reject.error == "ZeroDivisionError: boom"
    assert pipeline.stats.stages["clean"]["failed"] == 1 and pipeline.stats.rejects == 1


def test_wrong_return_type_is_a_failure(pm, register):
    class WrongType:
        @hookimpl
        def newsdigest_summarize(self, document):
            return ["not", "a", "document"]

    register(WrongType(), "wrong_type")
    outcome = Pipeline(Config(stages=["summarize"]), pm).process(text_document())
    assert outcome.reject.plugin == "wrong_type"
    assert "returned list, expected Document or None" in outcome.reject.error


def test_drop_rejects_with_reason_and_counts_it(pm, register):
    def gate(document, config):
        raise Drop("too short")

    class Gate:
        @hookimpl
        def newsdigest_stages(self):
            return [Stage("gate", gate)]

    register(Gate(), "gate")
    pipeline = Pipeline(Config(stages=["gate"]), pm)
    outcome = pipeline.process(text_document())
    assert (outcome.reject.stage, outcome.reject.plugin, outcome.reject.error) == ("gate", "gate", "dropped: too short")
    assert pipeline.stats.stages["gate"]["dropped_too_short"] == 1


def test_later_stages_do_not_run_after_a_reject(pm, register):
    ran = []

    class Broken:
        @hookimpl
        def newsdigest_detect_language(self, document):
            raise RuntimeError("no")

        @hookimpl
        def newsdigest_stages(self):
            return [Stage("after", lambda d, c: ran.append(d.id))]

    register(Broken(), "broken")
    outcome = Pipeline(Config(stages=["language", "after"]), pm).process(text_document())
    assert outcome.reject.stage == "language" and ran == []


_COMMENTED_PAGE = (
    "<html><head><title>Council vote</title></head><body><article><h1>Council vote</h1>"
    + "<p>The council voted on Tuesday to extend the tram line to the northern districts by 2030.</p>" * 6
    + "</article><section id='comments' class='comments'><h2>Comments</h2><ul class='commentlist'>"
    "<li class='comment'><p>About time too, the number 7 bus is always full at rush hour.</p></li>"
    "<li class='comment'><p>Who pays for it? The article never says where the money comes from.</p></li>"
    "</ul></section></body></html>"
)


def test_newsdigest_extract_leaves_comments_out_unless_asked(pm):
    default = Pipeline(ONLY_EXTRACT, pm).process(Document(id="d", html=_COMMENTED_PAGE)).document
    assert "tram line" in default.text
    assert "number 7 bus" not in default.text

    asked = Config(stages=["extract"], sections={"extract": {"include_comments": True}})
    with_comments = Pipeline(asked, pm).process(Document(id="d", html=_COMMENTED_PAGE)).document
    article, _, comments = with_comments.text.partition("About time too")
    assert "tram line" in article
    assert "number 7 bus" in comments and "where the money comes from" in comments
