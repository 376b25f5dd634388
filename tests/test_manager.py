"""The plugin manager: built-ins, entry points, ad hoc modules, disabling, validation."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from pipeline.config import Config
from pipeline.hookspecs import hookimpl
from pipeline.manager import DEFAULT_PLUGINS, PluginError, describe_plugins, get_plugin_manager

WORDCOUNT = '''
"""Count the words of each cleaned article."""
from pipeline import Stage, hookimpl


def count_words(document, config):
    document.metadata["word_count"] = len((document.text or "").split())
    return document


@hookimpl
def newsdigest_stages():
    return [Stage("wordcount", count_words, after="clean")]
'''


def install_fake_distribution(root, module_source, *, name="nd-wordcount", module="nd_wordcount", ep="wordcount"):
    """A real importable distribution on a path entry: module plus dist-info with an entry point."""
    (root / f"{module}.py").write_text(textwrap.dedent(module_source))
    info = root / f"{name.replace('-', '_')}-1.2.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2\n")
    (info / "entry_points.txt").write_text(f"[newsdigest]\n{ep} = {module}\n")
    return root


def run_cli(args, *, cwd, pythonpath, **env):
    environment = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(pythonpath), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_builtins_are_registered_under_their_module_names(pm):
    names = {name for name, _ in pm.list_name_plugin()}
    assert {path.rsplit(".", 1)[-1] for path in DEFAULT_PLUGINS} <= names


def test_disabled_plugin_is_not_loaded():
    pm = get_plugin_manager(Config(disabled=["summarize"]), entry_points=False)
    assert pm.get_plugin("summarize") is None
    assert pm.get_plugin("extract") is not None


def test_disable_through_environment(monkeypatch):
    monkeypatch.setenv("NEWSDIGEST_DISABLE", "clean, summarize")
    pm = get_plugin_manager(Config(), entry_points=False)
    assert pm.get_plugin("clean") is None and pm.get_plugin("summarize") is None


def test_ad_hoc_module_plugin(tmp_path, monkeypatch):
    (tmp_path / "adhoc_plugin.py").write_text(WORDCOUNT)
    monkeypatch.syspath_prepend(str(tmp_path))
    pm = get_plugin_manager(Config(plugins=["adhoc_plugin"]), entry_points=False)
    [row] = [r for r in describe_plugins(pm) if r["name"] == "adhoc_plugin"]
    assert row == {"name": "adhoc_plugin", "version": None, "origin": "module", "hooks": ["newsdigest_stages"]}


def test_missing_ad_hoc_module_is_a_clear_error():
    with pytest.raises(PluginError, match="cannot import plugin module 'no_such_module_xyz'"):
        get_plugin_manager(Config(plugins=["no_such_module_xyz"]), entry_points=False)


def test_misspelt_hook_fails_at_start_up(tmp_path, monkeypatch):
    (tmp_path / "typo_plugin.py").write_text(
        "from pipeline import hookimpl\n\n@hookimpl\ndef newsdigest_summarise(document):\n    return document\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="newsdigest_summarise"):
        get_plugin_manager(Config(plugins=["typo_plugin"]), entry_points=False)


def test_entry_point_plugin_is_listed_and_its_stage_runs_where_declared(tmp_path):
    install_fake_distribution(tmp_path, WORDCOUNT)
    listed = run_cli(["plugins"], cwd=tmp_path, pythonpath=tmp_path)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert {"name": "wordcount", "version": "1.2", "origin": "nd-wordcount", "hooks": ["newsdigest_stages"]} in data["plugins"]
    assert [s["name"] for s in data["stages"]] == ["extract", "language", "clean", "wordcount", "summarize"]
    assert {"name": "wordcount", "hook": None, "plugin": "wordcount"} in data["stages"]

    records = tmp_path / "in.jsonl"
    records.write_text(json.dumps({"id": "a", "url": "https://example.org/a", "text": "One two three four.\nFive six."}) + "\n")
    out = tmp_path / "out.jsonl"
    ran = run_cli(["run", str(records), "-o", str(out), "--stages", "wordcount,extract"], cwd=tmp_path, pythonpath=tmp_path)
    assert ran.returncode == 0, ran.stderr
    [record] = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["metadata"]["word_count"] == 6


def test_entry_point_plugin_can_be_disabled_or_not_allowed(tmp_path):
    install_fake_distribution(tmp_path, WORDCOUNT)
    for args, env in ((["plugins", "--disable", "wordcount"], {}), (["plugins"], {"NEWSDIGEST_LOAD_PLUGINS": ""})):
        listed = run_cli(args, cwd=tmp_path, pythonpath=tmp_path, **env)
        assert listed.returncode == 0, listed.stderr
        assert "wordcount" not in [p["name"] for p in json.loads(listed.stdout)["plugins"]]


def test_broken_entry_point_names_its_distribution(tmp_path):
    install_fake_distribution(tmp_path, "raise ImportError('missing dependency foo')\n", name="nd-broken", module="nd_broken", ep="broken")
    listed = run_cli(["plugins"], cwd=tmp_path, pythonpath=tmp_path)
    assert listed.returncode == 2
    assert "plugin 'broken' from distribution 'nd-broken' failed to load: missing dependency foo" in listed.stderr


def test_inline_registration_is_undone_after_the_test(pm):
    class Inline:
        @hookimpl
        def newsdigest_stages(self):
            return []

    plugin = Inline()
    pm.register(plugin, name="inline")
    fresh = get_plugin_manager(Config(), entry_points=False)
    assert fresh.get_plugin("inline") is None
