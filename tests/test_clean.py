"""The clean stage: promo and appeal stripping, the audit of every cut, rule packs."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from pathlib import Path

import pytest

from pipeline.config import Config, ConfigError
from pipeline.document import Document
from pipeline.hookspecs import hookimpl
from pipeline.runner import Pipeline
from plugins import clean as clean_plugin
from plugins import rule_packs
from plugins.appeal_scoring import AppealScorer, _CueIndex, fold, has_term, words_of
from plugins.clean import build_cleaner
from plugins.line_rules import _LEAD, LineMatcher, _first_pairs
from plugins.rule_packs import RulePackError, builtin_pack_paths, load_pack, pack_from_dict

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "fixtures" / "pages"
CASES = json.loads((ROOT / "fixtures" / "clean" / "cases.json").read_text(encoding="utf-8"))[
    "cases"
]
SHARED = ROOT.parent / "shared" / "data"
needs_shared = pytest.mark.skipif(
    not (SHARED / "appeals" / "labels.jsonl").is_file(),
    reason=f"shared labelled data not found at {SHARED}",
)


def normalise(text: str) -> str:
    """The shared appeals README's normalisation (NFKC, lower, quotes and dashes, spaces)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub("[‘’‚‛′`´]", "'", re.sub("[“”„‟″«»]", '"', re.sub("[‐‑‒–—―−]", "-", text)))
    text = re.sub("[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    return " ".join(text.split())


def _expected(name: str) -> dict:
    return json.loads((PAGES / "expected" / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def html_pipeline() -> Pipeline:
    return Pipeline(Config(stages=["extract", "language", "clean"]))


def _clean_text(text: str, language: str = "en", url: str | None = None, **options) -> Document:
    pipeline = Pipeline(Config(stages=["clean"], sections={"clean": options}))
    outcome = pipeline.process(Document(id="t", text=text, language=language, url=url))
    assert outcome.reject is None, outcome.reject
    return outcome.document


# --- the fixture pages -------------------------------------------------------


def test_globalpost_page_loses_promos_and_appeal_and_keeps_the_news(html_pipeline):
    expected = _expected("globalpost_syria")
    html = (PAGES / "globalpost_syria.html").read_bytes()
    outcome = html_pipeline.process(Document(id="gp", html=html))
    assert outcome.reject is None
    document = outcome.document
    for snippet in expected["must_remove"]:
        assert snippet not in document.text
    for paragraph in expected["must_keep"]:
        assert paragraph in document.text
    assert "More from GlobalPost" not in document.text
    assert "would you consider making a gift" not in document.text
    assert "617 victims of torture" in document.text
    for start, rule in expected["removed_rules"].items():
        cut = [r for r in document.removed if r.text.startswith(start)]
        assert len(cut) == 1, start
        assert cut[0].rule.startswith(rule)
        assert cut[0].plugin == "clean" and cut[0].reason and 0.0 <= cut[0].score <= 1.0


def test_donation_news_page_comes_through_whole(html_pipeline):
    expected = _expected("donation_news")
    html = (PAGES / "donation_news.html").read_bytes()
    document = html_pipeline.process(Document(id="dn", html=html)).document
    assert document.removed == []
    for paragraph in expected["must_keep"]:
        assert paragraph in document.text


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_cases_in_four_languages(case):
    document = _clean_text("\n".join(case["paragraphs"]), case["language"], case["url"])
    kept = document.text.split("\n")
    for i in case["must_remove"]:
        assert case["paragraphs"][i] not in kept, (i, case["paragraphs"][i])
    for i in case["must_keep"]:
        assert case["paragraphs"][i] in kept, (i, case["paragraphs"][i])
    assert sorted(r.text for r in document.removed) == sorted(
        case["paragraphs"][i] for i in case["must_remove"]
    )


@needs_shared
def test_seed_article_from_shared_data():
    seed = (SHARED / "seed" / "globalpost-syria.txt").read_text(encoding="utf-8").strip()
    document = _clean_text(seed, url="https://www.globalpost.com/dispatch/news/syria")
    assert "More from GlobalPost" not in document.text
    assert "would you consider making a gift" not in document.text
    assert "Avaaz, the activist group, said that in addition to the 617 victims" in document.text
    rules = {r.text[:25]: r.rule for r in document.removed}
    assert rules["More from GlobalPost: Act"] == "promo.more_from"
    assert rules["The story you just read i"].startswith("appeals.en.")
    assert len(document.removed) == 3


# --- the hook, what each cut records, label-only mode, run summary ------------


class _OwnCleaner:
    def __init__(self, hand_on: bool) -> None:
        self.hand_on = hand_on

    @hookimpl
    def newsdigest_clean(self, document):
        if self.hand_on:
            return None
        document.text = document.text.upper()
        return document


def test_newsdigest_clean(pm, register):
    """The built-in is trylast: a plugin's implementation replaces it or hands on to it."""
    text = "The council met.\nRead more: Another story"
    register(_OwnCleaner(hand_on=True), "passes")
    handed_on = Pipeline(Config(stages=["clean"]), pm=pm).process(Document(id="a", text=text))
    assert handed_on.document.text == "The council met."
    register(_OwnCleaner(hand_on=False), "replaces")
    replaced = Pipeline(Config(stages=["clean"]), pm=pm).process(Document(id="b", text=text))
    assert replaced.document.text == text.upper()
    assert replaced.document.removed == []


def test_label_only_records_cuts_and_keeps_text():
    text = "\n".join(CASES[0]["paragraphs"])
    document = _clean_text(text, url=CASES[0]["url"], label_only=True)
    assert document.text == text
    assert document.metadata["clean_labelled"] is True
    assert len(document.removed) == len(CASES[0]["must_remove"])


def test_label_only_accepts_a_command_line_string():
    document = _clean_text("Read more: Another story\nNews.", label_only="true")
    assert "Read more" in document.text and document.removed


def test_run_summary_counts_cuts_per_rule():
    pipeline = Pipeline(Config(stages=["clean"]))
    for n in range(3):
        pipeline.process(
            Document(id=str(n), text=f"Fact number {n} is here.\nRead more: Story {n}")
        )
    assert pipeline.stats.cuts_by_rule["promo.read_more"] == 3


def test_document_of_nothing_but_boilerplate_is_dropped_with_a_reason():
    pipeline = Pipeline(Config(stages=["clean"]))
    outcome = pipeline.process(Document(id="x", text="Advertisement\nRead more: Elsewhere"))
    assert outcome.reject is not None
    assert "boilerplate" in outcome.reject.error


def test_empty_text_passes_untouched():
    pipeline = Pipeline(Config(stages=["clean"]))
    document = Document(id="x", text="")
    assert clean_plugin.newsdigest_clean(document, pipeline.config, pipeline) is document
    assert document.removed == []


# --- the appeal scorer: position, blocks, sentences, third parties ------------


NEWS = [
    "The city council approved a new budget on Tuesday after months of debate.",
    "Spending on roads rises by 8 percent, while the parks department faces cuts.",
    "The mayor said the plan balanced competing demands from every district.",
    "Opposition members argued that the cuts fell hardest on poorer neighbourhoods.",
    "A final vote on the capital plan is scheduled for next month.",
]


def test_third_party_call_to_give_stays():
    text = "\n".join(NEWS + ["Please donate any amount possible to the victims of the fire."])
    assert _clean_text(text).removed == []


def test_weaker_neighbours_of_an_appeal_go_with_it():
    assert (
        _clean_text("\n".join(NEWS + ["Membership brings you early access to events."])).removed
        == []
    )
    block = [
        "Our newsroom is funded by readers like you.",
        "Membership brings you early access to events.",
    ]
    document = _clean_text("\n".join(NEWS + block))
    assert [r.text for r in document.removed] == block
    assert document.removed[1].reason.startswith("next to an appeal")


def test_only_the_appeal_sentence_of_a_long_paragraph_goes():
    long_news = " ".join(NEWS * 4)
    appeal = "If you value our journalism, please make a donation to our nonprofit newsroom today."
    document = _clean_text(long_news + " " + appeal)
    assert document.text.strip() == long_news
    assert [r.text for r in document.removed] == [appeal]


def test_tail_needs_less_evidence_than_the_middle():
    scorer_text = "Enjoyed this? Membership keeps our site going."
    middle = _clean_text("\n".join(NEWS[:2] + [scorer_text] + NEWS[2:] * 3))
    end = _clean_text("\n".join(NEWS * 2 + [scorer_text]))
    assert scorer_text in middle.text
    assert scorer_text not in end.text


def test_reported_speech_is_news():
    quote = (
        '"Every donation counts and we need your help," said Ana Ruiz, '
        "who directs the shelter's fundraising."
    )
    assert _clean_text("\n".join(NEWS + [quote])).removed == []


def test_site_name_counts_as_the_publisher_speaking():
    line = "Harbourview Daily depends on donations: give $8 a month."
    text = "\n".join(NEWS * 2 + [line])
    own = _clean_text(text, url="https://www.harbourviewdaily.example/a")
    assert line not in own.text
    assert "self (name)" in own.removed[0].reason
    other = _clean_text(text, url="https://www.otherpaper.example/a")
    assert other.removed == []


def test_terms_match_whole_words_only():
    folded = fold("Don’t donate to the London fund; donations closed.")
    assert has_term(folded, "don") == -1
    assert has_term(folded, "donate") != -1
    assert has_term(folded, "donation*") != -1
    assert "don't" in words_of(folded)


def test_scorer_marks_publisher_and_core():
    scorer = AppealScorer([c for p in map(load_pack, builtin_pack_paths()) for c in p.cues])
    pronouns_only = scorer.score("We think you will love our new design.")
    assert not pronouns_only.core
    appeal = scorer.score("Please support our journalism with a donation.")
    assert appeal.core and appeal.publisher and appeal.value >= 4.5


# --- rule packs: built-in, user's, plugin-shipped, host-keyed -----------------


def test_builtin_packs_load_and_combine():
    packs = [load_pack(path) for path in builtin_pack_paths()]
    names = {p.name for p in packs}
    assert {"promo", "boilerplate", "appeals.en", "appeals.de", "appeals.fr", "appeals.es"} <= names
    matcher = LineMatcher([rule for p in packs for rule in p.lines])
    assert (
        matcher.match("More from GlobalPost: A headline", 5, 10, "en", None).name
        == "promo.more_from"
    )
    assert (
        matcher.match("Lesen Sie auch: Ein Artikel", 5, 10, "de", None).name == "promo.more_from_de"
    )
    assert matcher.match("The council met on Tuesday.", 5, 10, "en", None) is None


def test_line_rule_conditions_length_and_position():
    rule = pack_from_dict(
        {"lines": [{"name": "by", "pattern": "by ", "where": "head", "max_words": 4}]}, "t"
    ).lines[0]
    matcher = LineMatcher([rule])
    assert matcher.match("By Jane Doe", 0, 20, "en", None) is rule
    assert matcher.match("By Jane Doe", 15, 20, "en", None) is None
    assert matcher.match("By the river the town grew fast", 0, 20, "en", None) is None


def _builtin_line_rules():
    return [rule for path in builtin_pack_paths() for rule in load_pack(path).lines]


def test_first_character_dispatch_matches_the_plain_alternation():
    rules = _builtin_line_rules()
    matcher = LineMatcher(rules)
    lines = [
        "© 2024 Example Media",
        "5 min read",
        "12/03/2024 by Jane Doe",
        "Photo: Reuters",
        "Sign up for our newsletter",
        "Advertisement",
        "Share this article",
        "» Read more: x",
        "RSVP for our panel",
        "Tags: climate, energy",
        "Ordinary sentence about the weather.",
        "Email: newsroom@example.org",
        "¿Sabías que...?",
        "Également à lire",
    ]
    for line in lines:
        found = matcher.match(line, 1, 3, None, None)
        plain = next(
            (
                r
                for r in rules
                if r.pattern.match(line.lstrip("» ")) and len(line.split()) <= r.max_words
            ),
            None,
        )
        assert (found and found.name) == (plain and plain.name), line


def _rule_by_rule(matcher, line, index, count, language):
    """Reference for LineMatcher.match: each rule of the line's first-character group, in order."""
    stripped = _LEAD.sub("", line)
    if not stripped:
        return None
    words = len(stripped.split())
    group = matcher._groups.get(stripped[0].lower()) or matcher._groups.get("")
    for rule in list(group or ()) + matcher.gated:
        if rule.contains and not any(lit in stripped.lower() for lit in rule.contains):
            continue
        if rule.pattern.match(stripped) and LineMatcher._applies(
            rule, words, index, count, language, None
        ):
            return rule
    return None


def test_dispatch_by_first_characters_matches_trying_every_rule():
    rules = _builtin_line_rules()
    matcher = LineMatcher(rules)
    lines = [
        "Share this article",
        "SHARE THIS ARTICLE",
        "ſhare this article",  # long s: "s" ignoring case, but not a dispatch key
        "Read more: x",
        "- Read more: x",
        "|  Advertisement",
        "Síguenos en Twitter",
        "SÍGUENOS",
        "© 2024 Example Media",
        "(c) 2024 Example Media",
        "5 min read",
        "٣ min read",
        "Sign up for our newsletter to get the news in your inbox",
        "By submitting you agree to our terms",
        "Lesen Sie auch: Ein Artikel",
        "À lire aussi : un article",
        "The council met on Tuesday.",
        "Th",
        "T",
        "İstanbul news",
    ]
    for line in lines:
        for index, count in ((0, 10), (5, 10), (9, 10)):
            for language in ("en", None, "fr"):
                expected = _rule_by_rule(matcher, line, index, count, language)
                found = matcher.match(line, index, count, language, None)
                folded = fold(line)
                with_gated = matcher.match(
                    line, index, count, language, None, folded, matcher.gated_for(folded)
                )
                assert found is expected, (line, index, language)
                assert with_gated is expected, (line, index, language)


def test_first_pairs_read_from_patterns():
    assert _first_pairs(re.compile(r"share(?: this)?", re.IGNORECASE)) == {"sh"}
    assert _first_pairs(re.compile(r"(?:e-?mail|phone)\s*:", re.IGNORECASE)) == {"e-", "em", "ph"}
    assert _first_pairs(re.compile(r"x*yz", re.IGNORECASE)) == {"xx", "xy", "yz"}
    assert _first_pairs(re.compile(r"[A-C]x", re.IGNORECASE)) == {"ax", "bx", "cx"}
    # a non-ASCII letter that matches an ASCII one, ignoring case, is kept as that
    assert _first_pairs(re.compile("ſt", re.IGNORECASE)) == {"st"}
    assert _first_pairs(re.compile("síguenos|sh", re.IGNORECASE)) == {"sh"}
    # unknown: a match may end after one character, or starts with anything
    assert _first_pairs(re.compile("a|bc", re.IGNORECASE)) is None
    assert _first_pairs(re.compile(".b", re.IGNORECASE)) is None


def test_gated_rules_keep_only_the_literals_in_the_text():
    rule = pack_from_dict(
        {"lines": [{"name": "g", "pattern": ".*sign up", "contains": ["sign up", "inbox"]}]}, "t"
    ).lines[0]
    matcher = LineMatcher([rule])
    assert matcher.gated_for("nothing here\nat all") == []
    assert matcher.gated_for("first\nplease sign up now") == [(rule, ("sign up",))]
    assert matcher.match("Please sign up now", 0, 2, None, None, "please sign up now") is rule


def test_candidate_scan_lists_every_candidate_line():
    scorer = AppealScorer(
        [c for p in map(load_pack, builtin_pack_paths()) for c in p.cues]
        + pack_from_dict(
            {"cues": [{"name": "p", "family": "give", "terms": ["donat*", "support our w*"]}]},
            "t",
        ).cues
    )
    lines = [
        "Please donate today.",
        "_your support matters",  # after an underscore: still a word start for phrases
        "donate_ now",
        "x'donate",
        "Don't donate to the London fund.",
        "Apóyanos con una donación.",
        "This story is reader-supported.",
        "Donations are welcome; donating helps.",
        "Support our work, please.",
        "SUPPORT OUR WORKERS",
        "The council met on Tuesday to discuss the budget.",
        "Farmers brought their produce to the market.",
        "",
        "Unterstützen Sie unseren Journalismus: Werden Sie Mitglied!",
    ]
    folded = fold("\n".join(lines))
    listed = set(scorer.candidate_lines(folded))
    for number, line in enumerate(folded.split("\n")):
        if scorer.is_candidate(line, words_of(line)):
            assert number in listed, line
    # the scan does rule lines out: plain news is not listed
    assert 10 not in listed and 11 not in listed and 12 not in listed


def test_cue_index_passes_over_only_cues_that_cannot_match():
    scorer = AppealScorer([c for p in map(load_pack, builtin_pack_paths()) for c in p.cues])
    paragraphs = [
        "Please support our journalism with a donation of $5 a month.",
        "Sign up for our newsletter to get updates in your inbox.",
        "The charity said donations rose by 20 percent, according to its report.",
        "We need your help: become a member today!",
        "Werden Sie Mitglied und unterstützen Sie unabhängigen Journalismus.",
        "The council met on Tuesday.",
    ]
    for language in ("en", None, "de"):
        index = _CueIndex(scorer._cues_for(language))
        for paragraph in paragraphs:
            folded = fold(paragraph)
            words = words_of(folded)
            possible = index.possible(words)
            for compiled in scorer._cues_for(language):
                if compiled.matches(folded, words, paragraph):
                    assert compiled in possible, (compiled.cue.name, paragraph)
            order = [scorer._cues_for(language).index(c) for c in possible]
            assert order == sorted(order)


def test_inline_user_pattern_from_config():
    document = _clean_text(
        "\n".join(NEWS + ["Buy the print edition at your newsagent."]),
        patterns=[{"name": "print_ad", "pattern": "buy the print edition", "reason": "Print ad"}],
    )
    assert document.removed[0].rule == "user.print_ad"
    assert document.removed[0].reason == "Print ad"


def test_user_rule_pack_file_and_disabled_rules(tmp_path):
    pack = tmp_path / "mine.toml"
    pack.write_text(
        "[pack]\nname = \"mine\"\n[[lines]]\nname = \"teaser\"\npattern = '''coming up next'''\n",
        encoding="utf-8",
    )
    text = "\n".join(NEWS + ["Coming up next: the weather", "Read more: Elsewhere"])
    document = _clean_text(text, rules=[str(pack)], disabled_rules=["promo"])
    assert [r.rule for r in document.removed] == ["mine.teaser"]
    assert "Read more: Elsewhere" in document.text


def test_bad_rule_pack_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[lines]]\nname = "x"\npattern = "(unclosed"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.toml"):
        build_cleaner(Config(sections={"clean": {"rules": [str(bad)]}}))
    capturing = tmp_path / "cap.toml"
    capturing.write_text('[[lines]]\nname = "x"\npattern = "(a|b)"\n', encoding="utf-8")
    with pytest.raises(RulePackError, match="capturing"):
        load_pack(capturing)


class _PackPlugin:
    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def newsdigest_rule_packs(self):
        return [self.path]


def test_newsdigest_rule_packs(tmp_path, pm, register):
    """A plugin ships a pack keyed by host: it applies to that site only."""
    pack = tmp_path / "site.toml"
    pack.write_text(
        '[pack]\nname = "example_site"\nhosts = ["example.com"]\n'
        "[[lines]]\nname = \"kicker\"\npattern = '''the briefing\\b'''\n",
        encoding="utf-8",
    )
    register(_PackPlugin(pack), "site_rules")
    pipeline = Pipeline(Config(stages=["clean"]), pm=pm)
    text = "\n".join(NEWS + ["The Briefing: three things to know"])
    on_site = pipeline.process(
        Document(id="a", text=text, url="https://news.example.com/x")
    ).document
    elsewhere = pipeline.process(Document(id="b", text=text, url="https://other.org/x")).document
    assert [r.rule for r in on_site.removed] == ["example_site.kicker"]
    assert elsewhere.removed == []


def test_packs_are_read_once_per_pipeline(monkeypatch):
    calls = []
    real = rule_packs.load_pack

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(rule_packs, "load_pack", counting)
    pipeline = Pipeline(Config(stages=["clean"]))
    for n in range(4):
        pipeline.process(Document(id=str(n), text="News of the day.\nRead more: x"))
    assert len(calls) == len(builtin_pack_paths())
    Pipeline(Config(stages=["clean"])).process(Document(id="y", text="News.\nRead more: y"))
    assert len(calls) == 2 * len(builtin_pack_paths())


# --- the shared labelled appeal pages ----------------------------------------


@needs_shared
def test_shared_appeal_pages_meet_the_targets(html_pipeline):
    removed = total = lost = 0
    for line in (SHARED / "appeals" / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        html = gzip.decompress((SHARED / "appeals" / label["page"]).read_bytes())
        outcome = html_pipeline.process(Document(id=label["id"], html=html, url=label["url"]))
        cleaned = normalise(outcome.document.text or "")
        total += len(label["must_remove"])
        removed += sum(normalise(s) not in cleaned for s in label["must_remove"])
        # Sentences the extractor kept must survive cleaning.
        extracted = normalise(
            " ".join([outcome.document.text or ""] + [r.text for r in outcome.document.removed])
        )
        lost += sum(
            normalise(s) in extracted and normalise(s) not in cleaned for s in label["must_keep"]
        )
    assert removed / total >= 0.95
    assert lost == 0
