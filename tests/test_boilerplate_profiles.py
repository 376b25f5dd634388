"""Site profiles: boilerplate learnt from many pages of one site, saved, reused."""

from __future__ import annotations

import json
import random

import pytest

from pipeline.config import Config, ConfigError
from pipeline.document import Document
from pipeline.runner import Pipeline
from plugins.boilerplate_profiles import (
    SiteProfile,
    document_host,
    learn_profiles,
    load_profiles,
    merge_profiles,
    normalise,
    save_profiles,
)
from plugins.clean import use_profiles

HOST = "daily.example"
# Recurring lines that no built-in rule knows: only learning can find them.
FOOTER = "Corrections and clarifications go to the standards desk at Daily Example."
SIGN_OFF = "The Daily Example team wishes you a pleasant weekend."
WORDS = [
    "council",
    "river",
    "bridge",
    "school",
    "budget",
    "police",
    "harbour",
    "election",
    "farmers",
    "market",
    "storm",
    "hospital",
    "museum",
    "railway",
    "teachers",
    "mayor",
    "court",
    "housing",
    "energy",
    "festival",
    "library",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    return " ".join(words).capitalize() + "."


def _site(pages: int = 40, seed: int = 7) -> list[Document]:
    """A generated site: every page its own story, with the site's recurring furniture."""
    rng = random.Random(seed)
    documents = []
    for n in range(pages):
        body = [" ".join(_sentence(rng) for _ in range(3)) for _ in range(rng.randint(4, 9))]
        if n % 2 == 0:
            body.append(SIGN_OFF)
        body.append(FOOTER)
        body.append(f"© {2015 + n % 10} Daily Example Media Group")
        if n < 3:  # a quote that a few follow-up stories repeat: not boilerplate
            body.insert(1, "“We will rebuild the bridge by spring,” the mayor said on Monday.")
        documents.append(
            Document(id=f"d{n}", url=f"https://www.{HOST}/news/{n}", text="\n".join(body))
        )
    for n in range(3):  # a small second site, too few pages to learn from
        documents.append(
            Document(id=f"o{n}", url="https://other.example/p", text=f"{FOOTER}\nStory {n}.")
        )
    documents.append(Document(id="nourl", text=FOOTER))
    return documents


def test_learns_recurring_paragraphs_not_articles():
    profiles = learn_profiles(_site())
    assert set(profiles) == {HOST}
    profile = profiles[HOST]
    assert profile.documents == 40
    assert profile.paragraphs[normalise(FOOTER)] == 40
    assert profile.paragraphs[normalise(SIGN_OFF)] == 20
    # Years differ from page to page; digits are normalised away.
    assert profile.paragraphs[normalise("© 2019 Daily Example Media Group")] == 40
    assert (
        normalise("“We will rebuild the bridge by spring,” the mayor said on Monday.")
        not in profile.paragraphs
    )
    assert len(profile.paragraphs) == 3


def test_thresholds_are_documents_and_share():
    documents = _site()
    assert learn_profiles(documents, min_documents=50) == {}
    strict = learn_profiles(documents, min_share=0.6)[HOST]
    assert normalise(SIGN_OFF) not in strict.paragraphs
    loose = learn_profiles(documents, min_documents=3, min_share=0.05)[HOST]
    assert any("rebuild the bridge" in p for p in loose.paragraphs)


def test_save_and_load_round_trip(tmp_path):
    profiles = learn_profiles(_site())
    path = tmp_path / "profiles.json"
    save_profiles(profiles, path)
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == 1
    assert load_profiles(path) == profiles
    (tmp_path / "bad.json").write_text('{"sites": {}}', encoding="utf-8")
    with pytest.raises(ValueError):
        load_profiles(tmp_path / "bad.json")


def test_clean_stage_applies_a_saved_profile(tmp_path):
    path = tmp_path / "profiles.json"
    save_profiles(learn_profiles(_site()), path)
    pipeline = Pipeline(Config(stages=["clean"], sections={"clean": {"profiles": str(path)}}))
    story = "A brand new story about the harbour festival and its fireworks."
    text = f"{story}\n{SIGN_OFF}\n{FOOTER}\n© 2031 Daily Example Media Group"
    document = pipeline.process(Document(id="new", url=f"https://{HOST}/n", text=text)).document
    assert document.text == story
    assert document.metadata["site_profile"] == HOST
    assert {r.rule for r in document.removed} == {"profile.recurring"}
    assert "of 40 documents from daily.example" in document.removed[0].reason
    other = pipeline.process(
        Document(id="o", url="https://elsewhere.example/n", text=text)
    ).document
    assert "site_profile" not in other.metadata
    assert FOOTER in other.text


def test_profiles_learnt_in_a_first_pass_can_be_handed_to_a_pipeline():
    pipeline = Pipeline(Config(stages=["clean"]))
    text = f"Fresh story about the school budget.\n{FOOTER}"
    before = pipeline.process(Document(id="a", url=f"https://{HOST}/a", text=text)).document
    assert FOOTER in before.text
    use_profiles(pipeline, learn_profiles(_site()))
    after = pipeline.process(Document(id="b", url=f"https://{HOST}/b", text=text)).document
    assert FOOTER not in after.text
    assert pipeline.stats.cuts_by_rule["profile.recurring"] == 1


def test_unreadable_profile_file_is_a_config_error(tmp_path):
    pipeline = Pipeline(
        Config(stages=["clean"], sections={"clean": {"profiles": str(tmp_path / "missing.json")}})
    )
    outcome = pipeline.process(Document(id="x", text="Some news."))
    assert outcome.reject is not None and "profiles" in outcome.reject.error
    with pytest.raises(ConfigError):
        from plugins.clean import build_cleaner

        build_cleaner(pipeline.config)


def test_merge_keeps_the_profile_learnt_from_more_documents():
    small = SiteProfile(HOST, 10, {"a": 10})
    large = SiteProfile(HOST, 50, {"b": 40})
    assert merge_profiles({HOST: small}, {HOST: large})[HOST] is large
    assert merge_profiles({HOST: large}, {HOST: small})[HOST] is large


def test_document_host():
    assert (
        document_host(Document(id="x", url="https://www.Daily.Example:8080/a")) == "daily.example"
    )
    assert document_host(Document(id="x")) is None
    assert document_host(Document(id="x", url="not a url")) is None


def test_normalise_strips_edges_collapses_spaces_and_digits():
    assert normalise("  —© 2024  Daily\u00a0Example!— ") == "0 daily example"
    assert normalise("*** Read   more ***") == "read more"
    assert normalise("_x_") == "x"
    assert normalise(" — * — ") == ""
    assert normalise("") == ""
    assert normalise("ﬁne 12 345\n") == "fine 0 0"


def test_normalise_matches_the_plain_regex_definition():
    import re
    import unicodedata

    def plain(paragraph: str) -> str:
        text = unicodedata.normalize("NFKC", paragraph).lower()
        text = re.sub(r"\d+", "0", text)
        return re.sub(r"^[\W_]+|[\W_]+$", "", re.sub(r"\s+", " ", text)).strip()

    pieces = [" ", "\n", "\t", "\u00a0", "\u3000", "_", "-", "—", "*", "a", "Z", "1", "٣", "é"]
    pieces += ["ﬁ", "ͺ", "İ", "'", "!", "x", "ab", "«", "»"]
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        assert normalise(text) == plain(text), repr(text)
