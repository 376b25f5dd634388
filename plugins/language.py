"""Language stage: which language ``document.text`` is in, and on what evidence.

Appeal rules, stemmers, stop words and sentence splitting all follow from
the answer, so a wrong answer is worse than ``"und"`` with a reason. The
stage:

* answers ``"und"`` with ``language_reason`` set when the text is empty,
  has no letters, or is shorter than ``min_chars`` letters;
* runs the configured backend (``backend``, default ``"ensemble"``) on a
  bounded sample of the text (``sample_chars``, taken from four places
  spread over it, URLs and e-mail addresses removed), restricted to
  ``candidates`` (default: :data:`~plugins.language_codes.SUPPORTED_LANGUAGES`;
  ``"all"`` lets the backend answer any language it knows);
* keeps the detector's answer when it is confident (probability at least
  ``confident``); when it is not, weighs the page's declared language
  (``<html lang>``, ``Content-Language``, ``og:locale``, WARC or JSONL
  metadata) as a prior the page is right with probability
  ``declared_weight``, and says which evidence decided in
  ``language_source``: ``"detector"``, ``"declared"`` or
  ``"detector+declared"`` (both point the same way);
* answers ``"und"`` (reason ``"unsure ..."``) when the detector alone
  decides and its best guess is below ``min_score``.

Codes are ISO 639-1 (Norwegian is ``nb``); Chinese's script goes to
``language_variant`` (``zh-cn`` simplified, ``zh-tw`` traditional).

```toml
[language]
backend = "ensemble"        # or "langdetect", "py3langid", "lingua", "lingua-low"
candidates = ["en", "de"]   # or "all"; default: newsdigest's 54 languages
sample_chars = 1000
min_chars = 10
confident = 0.9
min_score = 0.5
use_declared = true
declared_weight = 0.9
```
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.config import ConfigError
from pipeline.document import Document
from pipeline.hookspecs import hookimpl
from plugins.language_codes import (
    SUPPORTED_LANGUAGES,
    chinese_variant,
    normalize_candidates,
    split_code,
)

if TYPE_CHECKING:
    from pipeline.backends import LanguageDetector
    from pipeline.config import Config
    from pipeline.runner import Pipeline

#: Backend used when ``[language] backend`` is not set.
DEFAULT_BACKEND = "ensemble"

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
# Runs of what is not a letter: counting letters as what is left is exact
# and a third cheaper than listing every letter.
_NOT_LETTERS = re.compile(r"[\W\d_]+")
# Han, kana and Hangul: one character carries about as much as a short word.
_SYLLABIC = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SYLLABIC_WEIGHT = 3


@dataclass(frozen=True)
class LanguageOptions:
    """The ``[language]`` options, checked."""

    backend: str = DEFAULT_BACKEND
    candidates: tuple[str, ...] | None = SUPPORTED_LANGUAGES
    sample_chars: int = 1000
    min_chars: int = 10
    confident: float = 0.9
    min_score: float = 0.5
    use_declared: bool = True
    declared_weight: float = 0.9

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> LanguageOptions:
        """Options from a config section; :class:`ConfigError` says what is wrong."""
        unknown = set(section) - set(cls.__dataclass_fields__)
        if unknown:
            raise ConfigError(f"[language]: unknown option(s): {', '.join(sorted(unknown))}")
        options = dict(section)
        candidates = options.get("candidates", SUPPORTED_LANGUAGES)
        if candidates == "all":
            options["candidates"] = None
        elif isinstance(candidates, (list, tuple)) and all(isinstance(c, str) for c in candidates):
            options["candidates"] = normalize_candidates(candidates)
            if not options["candidates"]:
                raise ConfigError("[language] candidates: no valid language code given")
        else:
            raise ConfigError('[language] candidates must be a list of language codes or "all"')
        for key, kind in (("sample_chars", int), ("min_chars", int)):
            if key in options and (not isinstance(options[key], kind) or options[key] < 0):
                raise ConfigError(f"[language] {key} must be a non-negative integer")
        for key in ("confident", "min_score", "declared_weight"):
            if key in options and not (
                isinstance(options[key], (int, float)) and 0 <= options[key] <= 1
            ):
                raise ConfigError(f"[language] {key} must be a number between 0 and 1")
        if not isinstance(options.get("backend", DEFAULT_BACKEND), str):
            raise ConfigError("[language] backend must be a backend name")
        return cls(**options)


@dataclass
class Verdict:
    """What the stage decided, before it is written to the document."""

    language: str
    score: float | None = None
    source: str | None = None
    variant: str | None = None
    reason: str | None = None


@hookimpl(trylast=True)
def newsdigest_detect_language(document: Document, config: Config, pipeline: Pipeline) -> Document:
    options = _options(config.section("language"))
    detector = pipeline.backend("language_detectors", options.backend)
    verdict = decide(document.text or "", document.declared_language, detector, options)
    document.language = verdict.language
    document.language_score = verdict.score
    document.language_source = verdict.source
    document.language_variant = verdict.variant
    document.language_reason = verdict.reason
    return document


#: Checked options by the section's ``repr``: checking the candidate list
#: (54 codes, each parsed) on every document cost a tenth of the stage.
_CHECKED: dict[str, LanguageOptions] = {}


def _options(section: dict[str, Any]) -> LanguageOptions:
    key = repr(section)
    options = _CHECKED.get(key)
    if options is None:
        options = LanguageOptions.from_section(section)
        if len(_CHECKED) > 64:  # configs built on the fly (tests) must not pile up
            _CHECKED.clear()
        _CHECKED[key] = options
    return options


def decide(
    text: str,
    declared: str | None,
    detector: LanguageDetector,
    options: LanguageOptions | None = None,
) -> Verdict:
    """The language of ``text``, weighing ``declared`` when ``detector`` is unsure.

    Never raises on odd text: empty, numeric, emoji-only and garbage input
    come back as ``"und"`` with a reason.
    """
    options = options or LanguageOptions()
    if not text or text.isspace():  # strip() would copy a long text to say the same
        return Verdict("und", reason="empty text")
    sample = sample_text(text, options.sample_chars)
    letters = letter_count(sample)
    if letters < options.min_chars and len(sample) < len(text):
        letters = letter_count(text)  # rare: a long text with almost no letters
    if letters == 0:
        return Verdict("und", reason="no letters")
    if letters < options.min_chars:
        return Verdict(
            "und", reason=f"too short: {letters} letters, min_chars is {options.min_chars}"
        )

    declared_code, declared_variant = split_code(declared) if options.use_declared else (None, None)
    if options.candidates is not None and declared_code not in options.candidates:
        declared_code = None

    probabilities, detected_variant = _merge(detector.detect(sample, options.candidates), options)

    if not probabilities:
        if declared_code:
            return Verdict(
                declared_code,
                None,
                "declared",
                _variant(declared_code, sample, None, declared_variant),
            )
        return Verdict("und", reason=f"{detector.name} could not tell")

    top, top_p = probabilities[0]
    chosen, score = top, top_p
    if declared_code and top_p < options.confident:
        chosen, score = _weigh_declared(probabilities, declared_code, options)

    if chosen == declared_code:
        source = "detector+declared" if chosen == top else "declared"
    else:
        source = "detector"
    if source == "detector" and score < options.min_score:
        return Verdict(
            "und",
            reason=f"unsure: best guess {top} at {top_p:.2f}, min_score is {options.min_score}",
        )
    variant = _variant(chosen, sample, detected_variant.get(chosen), declared_variant)
    return Verdict(chosen, round(score, 4), source, variant)


def letter_count(text: str) -> int:
    """Letters in ``text``, a Han, kana or Hangul character counting as three."""
    letters = len(_NOT_LETTERS.sub("", text))
    if text.isascii():
        return letters
    return letters + (_SYLLABIC_WEIGHT - 1) * len(_SYLLABIC.findall(text))


def sample_text(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, from four places spread over it.

    URLs and e-mail addresses go: they carry no language and every detector
    reads them as English. A text within the limit is used whole; a longer
    one gives four windows centred at 1/8, 3/8, 5/8 and 7/8 of its length,
    cut at spaces, so a long English caption or a foreign quote at the top
    cannot outvote the body. Only the windows are ever scanned, so the cost
    does not grow with the article.
    """
    if limit <= 0 or len(text) <= limit:
        return _clean(text)
    windows = 4
    width = limit // windows
    pieces = []
    for index in range(windows):
        centre = len(text) * (2 * index + 1) // (2 * windows)
        # Half as much again, for what cleaning removes.
        start = max(0, centre - width * 3 // 4)
        piece = _clean(text[start : start + width * 3 // 2])
        # Whole words only: drop the partial words at both cut ends.
        if start > 0 and " " in piece:
            piece = piece.split(" ", 1)[1]
        if len(piece) > width:
            piece = piece[:width]
            if " " in piece:
                piece = piece.rsplit(" ", 1)[0]
        pieces.append(piece)
    return " ".join(piece for piece in pieces if piece)


def _clean(text: str) -> str:
    # Each pattern runs only where it could match (a URL has "://" or
    # "www.", whose last "w." any case-insensitive match contains; an
    # address has "@"): the plain substring tests are a tenth of the scans.
    if "://" in text or "w." in text or "W." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    # str.split() and re's \s agree on what is white space.
    return " ".join(text.split())


def _merge(
    answer: Sequence[tuple[str, float]], options: LanguageOptions
) -> tuple[list[tuple[str, float]], dict[str, str]]:
    """The detector's answer in newsdigest codes: variants folded, non-candidates dropped."""
    totals: dict[str, float] = {}
    variants: dict[str, tuple[float, str]] = {}
    for code, probability in answer:
        language, variant = split_code(code)
        if language is None:
            continue
        if options.candidates is not None and language not in options.candidates:
            continue
        totals[language] = totals.get(language, 0.0) + float(probability)
        if variant and probability > variants.get(language, (-1.0, ""))[0]:
            variants[language] = (float(probability), variant)
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return ranked, {language: variant for language, (_, variant) in variants.items()}


def _weigh_declared(
    probabilities: list[tuple[str, float]], declared: str, options: LanguageOptions
) -> tuple[str, float]:
    """Posterior over the detector's languages with the declared one as a prior.

    The page is taken to be right with probability ``declared_weight``; the
    rest is spread evenly over the other candidates.
    """
    languages = len(options.candidates) if options.candidates is not None else 100
    weight = options.declared_weight
    other = (1.0 - weight) / max(languages - 1, 1)
    posterior = {code: p * (weight if code == declared else other) for code, p in probabilities}
    total = sum(posterior.values())
    if total <= 0:
        return probabilities[0]
    chosen = max(posterior, key=lambda code: (posterior[code], code == declared))
    return chosen, posterior[chosen] / total


def _variant(language: str, sample: str, detected: str | None, declared: str | None) -> str | None:
    if language != "zh":
        return None
    return chinese_variant(sample) or detected or declared
