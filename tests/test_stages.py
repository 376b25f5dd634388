"""Stage order is data the core owns: built-ins, plugin stages at their anchors, config overrides."""

import pytest

from pipeline.stages import BUILTIN_ORDER, Stage, StageOrderError, resolve_order


def noop(document, config):
    return None


def test_builtin_order():
    assert resolve_order([]) == ["extract", "language", "clean", "summarize"]
    assert tuple(resolve_order([])) == BUILTIN_ORDER


def test_plugin_stage_default_goes_last():
    assert resolve_order([Stage("tag", noop)])[-1] == "tag"


def test_after_and_before_anchors():
    order = resolve_order([Stage("dedupe", noop, after="extract"), Stage("redact", noop, before="summarize")])
    assert order == ["extract", "dedupe", "language", "clean", "redact", "summarize"]


def test_anchor_on_another_plugin_stage():
    stages = [Stage("b", noop, after="a"), Stage("a", noop, after="clean")]
    assert resolve_order(stages) == ["extract", "language", "clean", "a", "b", "summarize"]


def test_ties_broken_by_name_not_declaration_order():
    one = resolve_order([Stage("zeta", noop, after="clean"), Stage("alpha", noop, after="clean")])
    two = resolve_order([Stage("alpha", noop, after="clean"), Stage("zeta", noop, after="clean")])
    assert one == two == ["extract", "language", "clean", "alpha", "zeta", "summarize"]


def test_configured_order_wins_and_may_skip_stages():
    order = resolve_order([Stage("tag", noop)], ["extract", "tag", "language"])
    assert order == ["extract", "tag", "language"]


@pytest.mark.parametrize(
    "extra, configured, message",
    [
        ([Stage("tag", noop, after="nowhere")], None, "anchored to unknown"),
        ([Stage("clean", noop)], None, "declared twice"),
        ([], ["extract", "bogus"], "unknown stage"),
        ([], ["extract", "extract"], "listed twice"),
    ],
)
def test_bad_orders_fail_with_a_reason(extra, configured, message):
    with pytest.raises(StageOrderError, match=message):
        resolve_order(extra, configured)
