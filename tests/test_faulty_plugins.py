"""Faulty plugins: one raises, one hangs, one returns the wrong type, one empties the document.

Each costs the document it broke, never the run; the reject names the stage,
the plugin and the document; ``--on-error fail`` (``[run] on_error``) stops
the run after writing that reject, and ``--resume`` then finishes it.

The plugins live in ``tests/faulty_plugins/`` and misbehave only on
documents containing the word SABOTAGE. In-process tests register them on a
fresh plugin manager; command-line tests load them with ``--plugin``.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hostile import STORY, article_html
from pipeline.config import Config, ConfigError
from pipeline.document import Document, Reject
from pipeline.engines import SerialEngine
from pipeline.hookspecs import hookimpl
from pipeline.runner import Pipeline, RunAborted, StageFailure, stop_on_failure
from pipeline.stats import Stats
from faulty_plugins import bad_field, empties, hangs, raises, wrong_type  # tests/ is on sys.path

ROOT = Path(__file__).resolve().parents[1]
NEWSDIGEST = Path(sys.executable).with_name("newsdigest")
SABOTAGED = STORY[:2] + ["Nobody has proved any SABOTAGE of the old sea wall, the mayor said."] + STORY[2:]


def good(n: int = 1) -> Document:
    return Document(id=f"good-{n}", source=f"memory:good-{n}", text="\n".join(STORY))


def bad() -> Document:
    return Document(id="bad-1", source="memory:bad-1", text="\n".join(SABOTAGED))


@pytest.fixture
def pipeline_with(pm, register):
    """A pipeline with one faulty plugin registered, warmed up on a good document."""

    def build(plugin, name: str, **sections) -> Pipeline:
        register(plugin, name)
        pipeline = Pipeline(Config(sections=sections), pm)
        assert pipeline.process(good(0)).reject is None  # models loaded before any clock runs
        return pipeline

    return build


@pytest.mark.parametrize(
    "module, name, stage, error, failed",
    [
        (raises, "raises", "clean", "RuntimeError: the cleaner fell over", True),
        (wrong_type, "wrong_type", "language", "returned dict, expected Document or None", True),
        (bad_field, "bad_field", "numbering", "set title to int, expected str or None", True),
        # Emptying may be right (a "page" that was all appeal): rejected with a reason, not a failure.
        (empties, "empties", "clean", "dropped: no text left", False),
    ],
)
def test_a_faulty_plugin_costs_one_document_and_is_named(pipeline_with, module, name, stage, error, failed):
    pipeline = pipeline_with(module, name)
    before, broken, after = (pipeline.process(doc) for doc in (good(1), bad(), good(2)))
    assert before.reject is None and after.reject is None
    reject = broken.reject
    assert (reject.id, reject.source, reject.stage, reject.plugin) == ("bad-1", "memory:bad-1", stage, name)
    assert error in reject.error
    assert broken.failed is failed and not before.failed


def test_a_hanging_plugin_is_stopped_at_its_share_of_the_time_limit(pipeline_with):
    pipeline = pipeline_with(hangs, "hangs", engine={"timeout": 1.5})
    handler = signal.getsignal(signal.SIGALRM)
    outcome = pipeline.process(bad())
    assert (outcome.reject.stage, outcome.reject.plugin) == ("summarize", "hangs")
    assert outcome.reject.error == "TimeLimitExceeded: took longer than 1.2 s"
    # The timer is gone and the handler restored: nothing fires later.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler
    assert pipeline.process(good(3)).reject is None


def test_empty_text_from_the_input_is_a_reasoned_reject_not_a_failure():
    outcome = Pipeline(Config(stages=["extract", "language"])).process(
        Document(id="e", source="e", text="  \n ")
    )
    assert outcome.reject.stage == "extract" and outcome.reject.error == "dropped: empty text"
    assert not outcome.failed


def test_a_record_that_cannot_be_written_is_rejected_not_written(pm, register):
    class Hoarder:
        @hookimpl
        def newsdigest_summarize(self, document):
            document.metadata["seen"] = {1, 2}  # a set: not JSON
            return None

    register(Hoarder(), "hoarder")
    outcome = Pipeline(Config(), pm).process(good())
    assert outcome.reject.stage == "record" and "JSON" in outcome.reject.error


def test_on_error_skip_goes_on_and_fail_stops_after_the_failed_document():
    documents = [good(1), bad(), good(2)]
    skip = Config(plugins=["faulty_plugins.raises"])
    outcomes = list(stop_on_failure(SerialEngine().run(skip, iter(documents), Stats()), skip))
    assert [(o.document.id, o.failed) for o in outcomes] == [("good-1", False), ("bad-1", True), ("good-2", False)]

    fail = Config(plugins=["faulty_plugins.raises"], sections={"run": {"on_error": "fail"}})
    seen = []
    with pytest.raises(RunAborted) as aborted:
        for outcome in stop_on_failure(SerialEngine().run(fail, iter(documents), Stats()), fail):
            seen.append(outcome.document.id)
    assert seen == ["good-1", "bad-1"]  # the failed document's reject is handed out first
    message = str(aborted.value)
    assert "'bad-1'" in message and "stage 'clean'" in message and "plugin 'faulty_plugins.raises'" in message


def test_drops_and_unreadable_inputs_do_not_stop_a_failing_run():
    fail = Config(sections={"run": {"on_error": "fail"}})
    inputs = [Reject("broken:1", "broken:1", "read", "invalid JSON"), Document(id="e", source="e", text=" ")]
    outcomes = list(stop_on_failure(SerialEngine().run(fail, iter(inputs), Stats()), fail))
    assert [o.reject.stage for o in outcomes] == ["read", "extract"]


def test_a_bad_on_error_value_is_refused_when_the_pipeline_is_built():
    with pytest.raises(ConfigError, match="on_error"):
        Pipeline(Config(sections={"run": {"on_error": "ignore"}}))


def test_failures_cross_process_boundaries():
    failure = pickle.loads(pickle.dumps(StageFailure("clean", "raises", "RuntimeError: x")))
    assert (failure.stage, failure.plugin, failure.error) == ("clean", "raises", "RuntimeError: x")
    aborted = pickle.loads(pickle.dumps(RunAborted(Reject("d", "s", "clean", "boom", "raises"))))
    assert aborted.reject.plugin == "raises" and "plugin 'raises'" in str(aborted)


# --- The same, from the command line -----------------------------------------


@pytest.fixture
def pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a_good.html").write_text(article_html(), encoding="utf-8")
    (folder / "b_sabotaged.html").write_text(article_html(SABOTAGED), encoding="utf-8")
    (folder / "c_good.html").write_text(article_html(STORY[::-1]), encoding="utf-8")
    return folder


def newsdigest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # so that --plugin tests.faulty_plugins.X imports
    return subprocess.run([str(NEWSDIGEST), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def outputs(folder: Path) -> tuple[list[dict], list[dict]]:
    def lines(path: Path) -> list[dict]:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    return lines(folder / "out.jsonl"), lines(folder / "out.rejects.jsonl")


def names(rows: list[dict]) -> list[str]:
    return sorted(Path(row["source"]).name for row in rows)


@pytest.mark.parametrize(
    "plugin, stage, error",
    [
        ("raises", "clean", "RuntimeError: the cleaner fell over"),
        ("wrong_type", "language", "returned dict"),
        ("empties", "clean", "dropped: no text left"),
        ("hangs", "summarize", "TimeLimitExceeded: took longer than 2.4 s"),
    ],
)
def test_cli_skips_the_broken_document_and_names_stage_plugin_document(pages, plugin, stage, error):
    result = newsdigest("run", "pages", "-o", "out.jsonl", "--workers", "1", "--timeout", "3",
                        "--plugin", f"tests.faulty_plugins.{plugin}", cwd=pages.parent)
    assert result.returncode == 0, result.stderr
    records, rejects = outputs(pages.parent)
    assert names(records) == ["a_good.html", "c_good.html"]
    [reject] = rejects
    assert Path(reject["id"]).name == "b_sabotaged.html"
    assert (reject["stage"], reject["plugin"]) == (stage, f"tests.faulty_plugins.{plugin}")
    assert error in reject["error"]


def test_cli_kills_a_plugin_hung_beyond_signals_at_the_time_limit(pages):
    result = newsdigest("run", "pages", "-o", "out.jsonl", "--workers", "1", "--timeout", "3",
                        "--plugin", "tests.faulty_plugins.hangs_in_c", cwd=pages.parent)
    assert result.returncode == 0, result.stderr
    records, rejects = outputs(pages.parent)
    assert names(records) == ["a_good.html", "c_good.html"]
    [reject] = rejects
    assert Path(reject["id"]).name == "b_sabotaged.html"
    assert reject["stage"] == "timeout" and "3 s" in reject["error"]


def test_cli_on_error_fail_stops_then_resume_finishes_the_job(pages):
    folder = pages.parent
    result = newsdigest("run", "pages", "-o", "out.jsonl", "--workers", "1", "--on-error", "fail",
                        "--plugin", "tests.faulty_plugins.raises", cwd=folder)
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("newsdigest: error: run stopped")
    assert "b_sabotaged.html" in message and "stage 'clean'" in message
    assert "plugin 'tests.faulty_plugins.raises'" in message and "Traceback" not in result.stderr
    records, rejects = outputs(folder)  # readable as they are
    assert "b_sabotaged.html" in names(rejects)

    result = newsdigest("run", "pages", "-o", "out.jsonl", "--workers", "1", "--resume",
                        "--plugin", "tests.faulty_plugins.raises", cwd=folder)
    assert result.returncode == 0, result.stderr
    records, rejects = outputs(folder)
    assert names(records) == ["a_good.html", "c_good.html"] and names(rejects) == ["b_sabotaged.html"]
    stats = json.loads((folder / "out.stats.json").read_text(encoding="utf-8"))
    assert (stats["documents"], stats["records"], stats["rejects"]) == (3, 2, 1)


def test_cli_refuses_an_unknown_on_error_value(pages):
    result = newsdigest("run", "pages", "-o", "out.jsonl", "--set", "run.on_error=ignore", cwd=pages.parent)
    assert result.returncode == 2 and "on_error" in result.stderr
