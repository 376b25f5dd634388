"""The command line as a user meets it: run, show, plugins, errors and exit status."""

import gzip
import json
import subprocess
import sys

import pytest

from pipeline.cli import _parse_assignment, load_config, build_parser

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the night bus network to three outlying districts, ending a two-year dispute over funding.",
    "Council members said the new routes would begin running in March and would cost about 4 million euros a year, paid from the transport budget.",
    "Residents of the northern districts had campaigned for the service since the last tram line there was closed for repairs in 2022.",
    "The transport authority said it expected around 6,000 passengers a night once all three routes were running at full frequency.",
    "Opposition members abstained, arguing that the money would be better spent on repairing the existing tram line first.",
]


def article_page(title="Night buses to reach outer districts", paragraphs=PARAGRAPHS):
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:site_name" content="Example Courier"></head><body>
<nav><a href="/">Home</a> <a href="/city">City</a></nav>
<article><h1>{title}</h1><p class="byline">By Ana Ruiz</p>{body}</article>
<footer><p>Copyright Example Courier</p></footer></body></html>"""


def newsdigest(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def corpus(tmp_path):
    pages = tmp_path / "pages"
    (pages / "nested").mkdir(parents=True)
    (pages / "story.html").write_text(article_page(), encoding="utf-8")
    with gzip.open(pages / "nested" / "story2.html.gz", "wt", encoding="utf-8") as handle:
        handle.write(article_page(title="Second story"))
    (pages / "notes.txt").write_text("not an input")
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join([
        json.dumps({"id": "plain-1", "url": "https://example.org/plain", "text": "\n".join(PARAGRAPHS)}),
        "{broken json",
        json.dumps({"id": "no-body", "url": "https://example.org/none"}),
    ]) + "\n")
    return tmp_path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_run_accounts_for_every_input(corpus):
    result = newsdigest("run", "pages", "dump.jsonl", "-o", "out/records.jsonl", cwd=corpus)
    assert result.returncode == 0, result.stderr
    records = read_jsonl(corpus / "out/records.jsonl")
    rejects = read_jsonl(corpus / "out/records.rejects.jsonl")
    assert len(records) + len(rejects) == 5
    assert {r["id"] for r in records} >= {"plain-1"}
    assert {(r["stage"], r["id"]) for r in rejects} >= {("read", "no-body")}
    for reject in rejects:
        assert set(reject) == {"id", "source", "stage", "plugin", "error"} and reject["error"]
    for record in records:
        for key in ("id", "url", "source", "title", "author", "date", "sitename", "language",
                    "language_score", "text", "summary", "removed"):
            assert key in record
        assert all(sentence in record["text"] for sentence in record["summary"])
    story = next(r for r in records if r["source"].endswith("story.html"))
    assert story["title"] == "Night buses to reach outer districts"
    assert "night bus network" in story["text"] and "Copyright" not in story["text"]
    stats = json.loads((corpus / "out/records.stats.json").read_text())
    assert stats["documents"] == 5 and stats["records"] == len(records)
    assert "documents:" not in result.stdout and "5 documents" in result.stderr


def test_run_missing_input_is_one_line_and_status_2(tmp_path):
    result = newsdigest("run", "nowhere/", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "newsdigest: error: no such file or directory: nowhere/"
    assert not (tmp_path / "out.jsonl").exists()


def test_bad_option_is_status_2(tmp_path):
    result = newsdigest("run", ".", "-o", "out.jsonl", "--sentences", "0", cwd=tmp_path)
    assert result.returncode == 2 and "must be at least 1" in result.stderr


def test_unknown_stage_is_status_2(corpus):
    result = newsdigest("run", "pages", "-o", "out.jsonl", "--stages", "extract,nope", cwd=corpus)
    assert result.returncode == 2 and "unknown stage(s) in config: nope" in result.stderr


@pytest.mark.parametrize("command", ["run", "show", "plugins", "digest"])
def test_help_on_every_command(command, tmp_path):
    result = newsdigest(command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "usage: newsdigest " + command in result.stdout


def test_show_lays_out_one_article(corpus):
    result = newsdigest("show", "pages/story.html", cwd=corpus)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Night buses to reach outer districts")
    assert "language: en" in out and "Summary" in out and "Removed: " in out
    assert "night bus network" in out


def test_plugins_lists_builtins_and_filters_by_hook(tmp_path):
    result = newsdigest("plugins", "--all", "--hook", "newsdigest_extract", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert [p["name"] for p in data["plugins"]] == ["extract"]
    assert [s["name"] for s in data["stages"]] == ["extract", "language", "clean", "summarize"]


def test_options_override_the_config_file(tmp_path):
    config_file = tmp_path / "newsdigest.toml"
    config_file.write_text('[summarize]\nalgorithm = "lexrank"\nsentences = 5\n[newsdigest]\ndisabled = ["x"]\n')
    args = build_parser().parse_args(["run", "p", "-o", "o.jsonl", "--config", str(config_file), "--sentences", "2",
                                      "--set", "clean.label_only=true", "--set", "clean.site=example.org", "--disable", "y"])
    config = load_config(args)
    assert config.section("summarize") == {"algorithm": "lexrank", "sentences": 2}
    args = build_parser().parse_args(["run", "p", "-o", "o.jsonl", "--config", str(config_file), "--words", "60"])
    assert load_config(args).section("summarize") == {"algorithm": "lexrank", "words": 60}
    assert config.section("clean") == {"label_only": True, "site": "example.org"}
    assert config.disabled == ["x", "y"]


def test_set_values_are_parsed_as_toml():
    assert _parse_assignment("summarize.ratio=0.2") == ("summarize", "ratio", 0.2)
    assert _parse_assignment('language.candidates=["de", "fr"]') == ("language", "candidates", ["de", "fr"])
    with pytest.raises(Exception, match="SECTION.KEY=VALUE"):
        _parse_assignment("nodot=1")


def test_learn_then_run_cuts_what_recurs_across_a_site(tmp_path):
    footer = "Valley Courier is printed every Thursday by the cooperative press on Mill Street in Riverton."
    topics = ["bridge", "school", "market", "library", "harbour", "stadium", "clinic", "museum", "park", "station", "tunnel", "theatre"]
    lines = []
    for n, topic in enumerate(topics):
        body = [f"{p} Residents asked about the {topic} plan ({k})." for k, p in enumerate(PARAGRAPHS)] + [footer]
        html = article_page(title=f"Council backs the {topic} project", paragraphs=body)
        lines.append(json.dumps({"id": f"vc-{n}", "url": f"https://www.valleycourier.example/news/{topic}", "html": html}))
    (tmp_path / "site.jsonl").write_text("\n".join(lines) + "\n")

    learned = newsdigest("learn", "site.jsonl", "-o", "profiles.json", cwd=tmp_path)
    assert learned.returncode == 0, learned.stderr
    profiles = json.loads((tmp_path / "profiles.json").read_text())
    assert list(profiles["sites"]) == ["valleycourier.example"]

    ran = newsdigest("run", "site.jsonl", "-o", "out.jsonl", "--set", "clean.profiles=\"profiles.json\"", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    in_one_run = newsdigest("run", "site.jsonl", "-o", "once.jsonl", "--learn-boilerplate", "--workers", "1", cwd=tmp_path)
    assert in_one_run.returncode == 0, in_one_run.stderr
    assert json.loads((tmp_path / "once.profiles.json").read_text()) == profiles
    records = read_jsonl(tmp_path / "out.jsonl")
    assert len(records) == len(topics)
    assert sorted(records, key=lambda r: r["id"]) == sorted(read_jsonl(tmp_path / "once.jsonl"), key=lambda r: r["id"])
    for record in records:
        assert footer not in record["text"]
        assert [r["rule"] for r in record["removed"] if r["text"] == footer] == ["profile.recurring"]
        topic = topics[int(record["id"][3:])]
        assert record["text"].count(f"Residents asked about the {topic} plan") == len(PARAGRAPHS)
