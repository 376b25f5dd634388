"""Sentence splitting and word tokenising for every language, without data files.

Every summariser shares these so that "a sentence" means the same thing to
Lead-3, to sumy's algorithms and to newsdigest's own summariser. NLTK's
Punkt models (``punkt_tab``) are a separate download that a plain
``pip install`` does not bring, so splitting is rule-based:

* cased alphabetic scripts (Latin, Cyrillic, Greek, Armenian, Georgian):
  a break after ``. ! ? …`` (and closing quotes or brackets) before
  whitespace, unless the next word starts in lower case; after a bare
  period, not after a title (``Dr.``, ``Mme.``) or "No." before a number,
  and after an initial (``J. K. Rowling``), a dotted or listed abbreviation
  (``U.S.``, ``Inc.``, ``z.B.``) or an ordinal (German ``3. Oktober``) only
  when the next word is one that starts sentences (a stop word: "The",
  "Der");
* uncased scripts with their own full stops (Arabic ``؟ ۔``, Devanagari and
  Bengali ``। ॥``, Ethiopic ``።``, Myanmar ``။``, Khmer ``។``): a break
  after them, and after ``. ! ?`` before whitespace;
* Chinese, Japanese: a break after ``。！？`` (and their closing brackets),
  with or without a following space;
* Thai, Lao: no sentence punctuation is used; a space between two runs of
  the script marks a phrase or sentence end, so the text breaks there, short
  pieces being merged so that a "sentence" is never a lone word.

A sentence never spans paragraphs (``"\\n"``), and every sentence is a
verbatim, stripped substring of the text.

Words are runs of letters, marks and digits (``regex``'s Unicode classes, so
Devanagari vowel signs stay inside their word); scripts written without
spaces fall back to characters (Han) or character bigrams (kana, Thai, Lao,
Khmer, Myanmar), which is what similarity measures need.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Literal, NamedTuple, overload

import regex

#: ISO 639-1 code -> the language name sumy and NLTK's Snowball use.
SUMY_LANGUAGES: dict[str, str] = {
    "ar": "arabic",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "he": "hebrew",
    "hu": "hungarian",
    "it": "italian",
    "ja": "japanese",
    "ko": "korean",
    "nl": "dutch",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sk": "slovak",
    "sv": "swedish",
    "th": "thai",
    "tr": "turkish",
    "uk": "ukrainian",
    "zh": "chinese",
}

# --- Sentences ----------------------------------------------------------------

_CLOSERS = "\"'”’»)]}›」』）】〕"
_OPENERS = "\"'“‘«([{‹「『（【〔¿¡"
# A terminator run, its closing quotes/brackets, then whitespace or the end.
# French sets a (narrow) space before a closing guillemet: « Bonjour. »
_CLOSING = r"(?:[" + re.escape(_CLOSERS) + r"]|[\u00a0\u202f ][»›](?=\s|$))*"
_LATIN_END = re.compile(r"[.!?‽…։]+" + _CLOSING + r"(?=\s|$)")
# Armenian ends sentences with "։" (U+0589); Greek writes its question mark as ";" (or U+037E).
_GREEK_END = re.compile(r"(?:[.!?‽…;;]+)" + _CLOSING + r"(?=\s|$)")
# Full stops of scripts that need no following space (CJK) or that are unambiguous.
_CJK_END = re.compile(r"[。！？!?．][" + re.escape(_CLOSERS) + r"]*")
_OTHER_END = re.compile(r"(?:[।॥؟۔።፧။၊។៕։܀]|[.!?‽…]+(?=\s|$))[" + re.escape(_CLOSERS) + r"]*")
_SPACE_SCRIPTLESS = re.compile(r"\s+")
_ASCII_LETTERS = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Characters below which a Thai/Lao piece is a phrase, not a sentence.
_MIN_SPACELESS_SENTENCE = 40

# Titles, which stand before a name: a period after one never ends a sentence.
_TITLES: dict[str, frozenset[str]] = {
    "en": frozenset(
        "mr mrs ms messrs dr prof gen sen rep gov lt col capt cpt sgt spc cpl pvt maj adm"
        " cmdr cdr rev hon supt insp det st mt ft fr".split()
    ),
    "de": frozenset("hr hrn fr dr prof st".split()),
    "fr": frozenset("mm mme mmes mlle mlles dr pr me st ste".split()),
    "es": frozenset("sr sra srta sres dr dra ud uds lic ing prof".split()),
    "it": frozenset("sig sigg dott prof avv ing on".split()),
    "pt": frozenset("sr sra srta dr dra prof eng".split()),
    "nl": frozenset("dhr mevr mr dr ir prof drs ing".split()),
    "ru": frozenset("проф акад др".split()),
    "uk": frozenset("ім вул просп бул пров пл проф".split()),
    "pl": frozenset("dr prof ul św".split()),
    "cs": frozenset("prof ing mgr judr mudr ul".split()),
    "tr": frozenset("dr prof doç yrd av".split()),
}
# Titles understood in any language.
_ANY_TITLES = frozenset("dr prof".split())
# Other abbreviations: a period after one ends a sentence only when the next
# word is one that usually starts a sentence ("... in the U.S. The ...").
_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "no nos vol vols fig figs art pp ch sec e.g i.e viz cf approx est dept univ ave blvd"
        " rd hwy inc ltd co corp jr bros jan feb mar apr jun jul aug sep sept oct nov dec vs v"
        " etc al".split()
    ),
    "de": frozenset(
        "nr bzw z.b u.a d.h z.t u.u vgl ca evtl ggf inkl usw bspw abs art"
        " jan feb märz apr jun jul aug sep sept okt nov dez".split()
    ),
    "fr": frozenset("no n° cf av env etc".split()),
    "es": frozenset("no núm pág av avda etc".split()),
    "it": frozenset("sig.ra dott.ssa n pag ecc".split()),
    "pt": frozenset("nº pág av etc".split()),
    "nl": frozenset("nr blz bijv o.a d.w.z m.a.w etc".split()),
    "ru": frozenset("г гг т.е т.д т.п т.к им ул стр см тыс млн млрд руб долл".split()),
    "uk": frozenset("див тис млн млрд грн".split()),
    "pl": frozenset("np tzw godz tys mln mld ok nr al pl".split()),
    "cs": frozenset("např tzv atd apod resp mil tis".split()),
    "el": frozenset("π.χ κ.α κ.λπ κ.τ.λ λ.χ δηλ βλ σελ κεφ αρ".split()),
    "sv": frozenset("bl.a t.ex dvs s.k m.m osv nr ca".split()),
    "da": frozenset("bl.a f.eks dvs hhv nr ca mv osv".split()),
    "no": frozenset("bl.a f.eks dvs nr ca mv osv".split()),
    "tr": frozenset("no".split()),
}
# Abbreviations of "number": never a break before a digit ("No. 5").
_NUMBER_ABBREVIATIONS = frozenset("no nos nr n núm nº".split())
# Languages that write ordinals as "3." ("am 3. Oktober").
_ORDINAL_DOT = frozenset("de da no nb nn fi cs sk pl hu sl hr sr bs et lv lt is tr".split())


def sentence_spans(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of each sentence of ``text``, in order.

    Sentences are stripped of surrounding whitespace and never cross a
    ``"\\n"``; empty text gives an empty list.
    """
    if not text:
        return []
    return _spans(text, _base(language), _characters(text))


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """The sentences of ``text``: verbatim, stripped substrings, in order."""
    return [text[start:end] for start, end in sentence_spans(text, language)]


def sentences_and_words(text: str, language: str | None = None) -> tuple[list[str], list[str]]:
    """:func:`split_sentences` and the flat :func:`sentence_words` of them, in one go.

    Both look at which characters the text holds; this looks once.
    """
    if not text:
        return [], []
    characters = _characters(text)
    sentences = [text[start:end] for start, end in _spans(text, _base(language), characters)]
    return sentences, _flat_words(sentences, language, characters)


def _characters(text: str) -> set[str]:
    """The distinct non-ASCII characters of ``text``."""
    return set() if text.isascii() else set(_NON_ASCII.findall(text))


def _spans(text: str, language: str, characters: set[str]) -> list[tuple[int, int]]:
    if all(_char_class(char) in (None, "cased") for char in characters):
        # No paragraph can be in another script class than cased (see
        # _script), so one pass over the whole text replaces one per
        # paragraph, whose set-up cost more than the splitting; paragraph
        # ends are cuts like any other.
        return _pieces(text, sorted(_latin_cuts(text, _latin_rules(language)) + _newlines(text)))
    spans: list[tuple[int, int]] = []
    position = 0
    for line in text.split("\n"):
        for start, end in _paragraph_spans(line, language):
            spans.append((position + start, position + end))
        position += len(line) + 1
    return spans


def _base(language: str | None) -> str:
    return (language or "und").lower().replace("_", "-").split("-")[0]


def _paragraph_spans(line: str, language: str) -> Iterator[tuple[int, int]]:
    start = 0
    for cut in _cuts(line, language):
        yield from _stripped(line, start, cut)
        start = cut
    yield from _stripped(line, start, len(line))


def _stripped(line: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def _pieces(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """The stripped, non-empty stretches of ``text`` between sorted ``cuts``."""
    spans = []
    start = 0
    cuts.append(len(text))
    for end in cuts:
        if end > start:
            left = text[start:end].lstrip()
            if left:
                first = end - len(left)
                spans.append((first, first + len(left.rstrip())))
            start = end
    return spans


_NEWLINE = re.compile("\n")


def _newlines(text: str) -> list[int]:
    return [match.start() for match in _NEWLINE.finditer(text)]


def _cuts(line: str, language: str) -> Iterator[int]:
    """Offsets where a sentence ends in one paragraph."""
    script = _script(line)
    if script == "cjk":
        # CJK full stops need no space; Latin-script passages inside still
        # break the Latin way, so merge both kinds of cut.
        cuts = {m.end() for m in _CJK_END.finditer(line)}
        cuts.update(_latin_cuts(line, _latin_rules(language)))
        yield from sorted(cuts)
    elif script == "spaceless":
        yield from _spaceless_cuts(line)
    elif script == "uncased":
        yield from (m.end() for m in _OTHER_END.finditer(line))
    else:
        yield from _latin_cuts(line, _latin_rules(language))


#: Non-ASCII character -> the script class :func:`_script` counts it in (``None``: not a letter).
_CHAR_CLASSES: dict[str, str | None] = {}


def _char_class(char: str) -> str | None:
    try:
        return _CHAR_CLASSES[char]
    except KeyError:
        pass
    found: str | None
    code = ord(char)
    if not char.isalpha():
        found = None
    elif 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF:
        found = "cjk"
    elif 0x0E00 <= code <= 0x0EFF:  # Thai, Lao
        found = "spaceless"
    elif char.lower() != char.upper():
        found = "cased"
    else:
        found = "uncased"
    if len(_CHAR_CLASSES) > 100_000:
        _CHAR_CLASSES.clear()
    _CHAR_CLASSES[char] = found
    return found


def _script(line: str) -> str:
    """The writing system that decides how a paragraph splits, from a sample."""
    sample = line[:400]
    if sample.isascii():
        return "cased"  # ASCII letters are all cased (and no letter at all means cased too)
    # Only the non-ASCII characters need the per-character look, once per
    # distinct character: a Python loop over every character of every
    # paragraph cost more than the rest of the summariser together.
    counts = {"cjk": 0, "spaceless": 0, "uncased": 0, "cased": 0}
    for char, count in Counter(_NON_ASCII.findall(sample)).items():
        found = _char_class(char)
        if found is not None:
            counts[found] += count
    if not (counts["cjk"] or counts["spaceless"] or counts["uncased"]):
        return "cased"  # whatever the ASCII letters, no other class has a vote
    counts["cased"] += len(_ASCII_LETTERS.findall(sample))
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else "cased"


class _LatinRules(NamedTuple):
    """What splitting a cased language needs, built once per language."""

    pattern: re.Pattern[str]
    titles: frozenset[str]
    abbreviations: frozenset[str]
    starters: frozenset[str]
    ordinal_dot: bool
    #: Word before a period -> what the period after it means (see _period_rule).
    period_rules: dict[str, tuple[int, bool]]


@lru_cache(maxsize=64)
def _latin_rules(language: str) -> _LatinRules:
    return _LatinRules(
        _GREEK_END if language == "el" else _LATIN_END,
        _TITLES.get(language, frozenset()) | _ANY_TITLES,
        _ABBREVIATIONS.get(language, frozenset()),
        _sentence_starters(language),
        language in _ORDINAL_DOT,
        {},
    )


def _latin_cuts(text: str, rules: _LatinRules) -> list[int]:
    """Cuts in cased text: one paragraph, or many (no cut is made at a paragraph's end)."""
    cuts = []
    known_rules = rules.period_rules
    for match in rules.pattern.finditer(text):
        end = match.end()
        following = None
        first = text[end + 1 : end + 2]
        if text[end : end + 1] != " " or not first or first.isspace() or first in _OPENERS:
            following = _next_word(text, end)
            if not following:
                continue  # the paragraph's end is a break anyway
            first = following[0]
        # (Otherwise the next word starts right after one space, with ``first``.)
        if first.islower():
            continue
        # Only a bare period is ambiguous; "!", "?", "..." and a period
        # inside closing quotes end the sentence when a capital follows.
        if match.start() == end - 1 and text[end - 1] == ".":
            word = _word_before(text, end - 1)
            try:
                rule, not_before_digit = known_rules[word]
            except KeyError:
                if len(known_rules) > 50_000:
                    known_rules.clear()
                rule, not_before_digit = known_rules[word] = _period_rule(word, rules)
            if rule:
                if rule == _NOT_AN_END or (not_before_digit and first.isdigit()):
                    continue
                # An end only before a word that usually starts a sentence; a
                # single letter ("K." in "J. K. Rowling") is another initial.
                if following is None:
                    following = _next_word(text, end)
                next_word = following.lower().strip(_OPENERS + ".,;:")
                if not (len(next_word) > 1 and next_word in rules.starters):
                    continue
            elif not_before_digit and first.isdigit():
                continue
        cuts.append(end)
    return cuts


def _next_word(text: str, position: int) -> str:
    """The word after ``position``: in the same paragraph, within 40 characters."""
    rest = text[position : position + 40].partition("\n")[0].lstrip().lstrip(_OPENERS).split(None, 1)
    return rest[0] if rest else ""


# What a single period after a word means, whatever follows it.
_AN_END = 0
_NOT_AN_END = 1
_AN_END_BEFORE_A_STARTER = 2


def _period_rule(word: str, rules: _LatinRules) -> tuple[int, bool]:
    """What a period after ``word`` means, and whether it is no end before a digit."""
    word = word.lstrip(_OPENERS)
    if not word:
        return _AN_END, False
    lower = word.lower()
    if lower in rules.titles:
        return _NOT_AN_END, False
    number = lower in _NUMBER_ABBREVIATIONS  # "No. 5"
    if lower in rules.abbreviations:
        return _AN_END_BEFORE_A_STARTER, number
    if len(word) == 1 and word.isalpha():
        # An initial ("J. K. Rowling", "А. С. Пушкин") unless a common word follows.
        return _AN_END_BEFORE_A_STARTER, number
    if "." in word and all(part.isalpha() and len(part) <= 3 for part in word.split(".")):
        # Dotted abbreviations (U.S., a.m., Ph.D) end a sentence only before
        # a word that usually starts one.
        return _AN_END_BEFORE_A_STARTER, number
    if word.isdigit():
        if rules.ordinal_dot and len(word) <= 2:
            return _AN_END_BEFORE_A_STARTER, number
        return _AN_END, number
    # "Abs. 2", "Nr. 5", "Fig. 3"
    return _AN_END, number or (word.isalpha() and len(word) <= 3 and word[0].isupper())


def _word_before(text: str, end: int) -> str:
    """The run of non-space characters that ends at ``end``."""
    window = text[max(0, end - 48) : end]
    if not window or window[-1].isspace():
        return ""
    word = window.rsplit(None, 1)[-1]
    if len(word) < len(window) or end <= 48:
        return word
    start = end - 48  # a word longer than the window: look further back
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


def _spaceless_cuts(line: str) -> Iterator[int]:
    """Thai and Lao: break at spaces (and at ``. ! ?``), merging pieces shorter than a clause."""
    last = 0
    candidates = [m.start() for m in _SPACE_SCRIPTLESS.finditer(line)]
    candidates += [m.end() for m in _OTHER_END.finditer(line)]
    for cut in sorted(set(candidates)):
        if cut - last >= _MIN_SPACELESS_SENTENCE:
            yield cut
            last = cut


@lru_cache(maxsize=64)
def _sentence_starters(language: str) -> frozenset[str]:
    """Words that, capitalised after a period, show that a sentence began."""
    return stop_words(language)


# --- Words ------------------------------------------------------------------

# Inner apostrophes, hyphens and dots stay inside a word: "don't", "U.S", "3.5".
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’.\-][\p{L}\p{M}\p{N}]+)*")
# Scripts written without spaces between words: Han characters are words
# enough; kana, Thai, Lao, Khmer and Myanmar runs become character bigrams.
_SPACELESS_RUN = regex.compile(
    r"(\p{Han}|[\p{Hiragana}ー]+|[\p{Katakana}ー]+|\p{Thai}+|\p{Lao}+|\p{Khmer}+|\p{Myanmar}+)"
)


def words(sentence: str, language: str | None = None) -> list[str]:
    """The words of ``sentence``, in order, as written (not lower-cased).

    Scripts written without spaces give characters (Han) or character
    bigrams (kana, Thai, Lao, Khmer, Myanmar); Hangul words are spaced.
    """
    tokens = _WORD.findall(sentence)
    if sentence.isascii():
        return tokens  # no spaceless script: every token is a word as it stands
    found: list[str] = []
    for token in tokens:
        if token.isascii() or not _SPACELESS_RUN.search(token):
            found.append(token)
            continue
        for piece in _SPACELESS_RUN.split(token):
            if (
                len(piece) > 2
                and _SPACELESS_RUN.fullmatch(piece)
                and not regex.match(r"\p{Han}", piece)
            ):
                found.extend(piece[i : i + 2] for i in range(len(piece) - 1))
            elif piece:
                found.append(piece)
    return found


# The same words with ``re``, which is faster than ``regex`` at this; ``\w``
# differs from the letters, marks and digits above only in ``_``, in marks and
# in characters the two modules' Unicode versions disagree on, so it is used
# only on text whose every non-ASCII character both classify alike. Neither
# part of a word can give back characters to what follows it, so possessive
# repeats find the same words with less bookkeeping.
_WORD_FAST = re.compile(r"[^\W_]++(?:['’.\-][^\W_]++)*+")
_WORD_FAST_NO_UNDERSCORE = re.compile(r"\w++(?:['’.\-]\w++)*+")
_WORD_CHAR = regex.compile(r"[\p{L}\p{M}\p{N}]")
_WORD_CHAR_FAST = re.compile(r"[^\W_]")
#: Non-ASCII character -> whether ``_WORD_FAST`` sees it as ``_WORD`` does.
_FAST_AGREES: dict[str, bool] = {}
#: What :func:`sentence_words` puts between two sentences' words when asked
#: for one flat list (no word contains it).
SENTENCE_BREAK = "\n"


@overload
def sentence_words(
    sentences: list[str], language: str | None = ..., *, flat: Literal[False] = ...
) -> list[list[str]]: ...


@overload
def sentence_words(
    sentences: list[str], language: str | None = ..., *, flat: Literal[True]
) -> list[str]: ...


def sentence_words(
    sentences: list[str], language: str | None = None, *, flat: bool = False
) -> list[list[str]] | list[str]:
    """:func:`words` of each sentence, in one go (what a summariser tokenises a text with).

    :param flat: give one list instead, the sentences' words in order with
        :data:`SENTENCE_BREAK` between two sentences (one pass of the
        pattern over the joined sentences is faster than one per sentence).
    """
    joined = "".join(sentences)
    if flat:
        return _flat_words(sentences, language, _characters(joined))
    finder = _finder(joined, _characters(joined))
    if finder is None:
        return [words(sentence, language) for sentence in sentences]
    return list(map(finder.findall, sentences))


def _finder(text: str, characters: set[str]) -> re.Pattern[str] | regex.Pattern[str] | None:
    """The pattern that finds :func:`words` in ``text``, ``None`` when some
    need :func:`words`' handling of scripts written without spaces.

    ``characters`` holds (at least) the non-ASCII characters of ``text``.
    """
    if characters:
        if _SPACELESS_RUN.search("".join(characters)):
            return None
        if not all(_fast_agrees(char) for char in characters):
            return _WORD
    # No token needs breaking up: the words are the tokens as found.
    return _WORD_FAST if "_" in text else _WORD_FAST_NO_UNDERSCORE


def _flat_words(sentences: list[str], language: str | None, characters: set[str]) -> list[str]:
    joined = SENTENCE_BREAK.join(sentences)
    finder = _finder(joined, characters)
    if finder is not None and joined.count(SENTENCE_BREAK) == len(sentences) - 1:
        # A break is found as a word of its own ("\n" first: it is the cheaper try).
        return _BREAK_OR_WORD[finder].findall(joined)
    tokens: list[str] = []
    for index, sentence in enumerate(sentences):
        if index:
            tokens.append(SENTENCE_BREAK)
        tokens.extend(words(sentence, language) if finder is None else finder.findall(sentence))
    return tokens


_BREAK_OR_WORD: dict[re.Pattern[str] | regex.Pattern[str], re.Pattern[str] | regex.Pattern[str]] = {
    _WORD: regex.compile("\n|" + _WORD.pattern),
    _WORD_FAST: re.compile("\n|" + _WORD_FAST.pattern),
    _WORD_FAST_NO_UNDERSCORE: re.compile("\n|" + _WORD_FAST_NO_UNDERSCORE.pattern),
}


def _fast_agrees(char: str) -> bool:
    try:
        return _FAST_AGREES[char]
    except KeyError:
        pass
    agrees = (_WORD_CHAR_FAST.match(char) is None) == (_WORD_CHAR.match(char) is None)
    if len(_FAST_AGREES) > 100_000:
        _FAST_AGREES.clear()
    _FAST_AGREES[char] = agrees
    return agrees


# --- Language resources -------------------------------------------------------


def sumy_language(language: str | None) -> str | None:
    """sumy's name for an ISO 639-1 code, or ``None`` when sumy has nothing for it."""
    return SUMY_LANGUAGES.get(_base(language))


@lru_cache(maxsize=64)
def stop_words(language: str | None) -> frozenset[str]:
    """sumy's stop words for the language (lower-case), empty when it ships none.

    Read from sumy's data files directly: ``sumy.utils`` would import
    ``requests`` and ``pycountry`` on the first document of every worker.
    """
    name = sumy_language(language)
    if name is None:
        return frozenset()
    from importlib import resources

    try:
        data = (resources.files("sumy") / "data" / "stopwords" / f"{name}.txt").read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return frozenset()
    return frozenset(word.strip().lower() for word in data.splitlines() if word.strip())


@lru_cache(maxsize=64)
def stemmer(language: str | None) -> Callable[[str], str]:
    """A stemming function for the language: sumy's (NLTK Snowball and its own), else lower-casing.

    sumy's Greek and Polish stemmers need optional packages; without them
    (or for a language sumy has no stemmer for) words are only lower-cased.
    Results are memoised per language, since Snowball costs microseconds a
    word and news text repeats its words.
    """
    stem: Callable[[str], str] = str.lower
    name = sumy_language(language)
    if name is not None:
        from sumy.nlp.stemmers import Stemmer

        try:
            candidate = Stemmer(name)
            candidate("probe")  # the optional-package stemmers fail only when called
            stem = candidate
        except (LookupError, ValueError, ImportError):
            pass
    cache: dict[str, str] = {}

    def cached(word: str) -> str:
        try:
            return cache[word]
        except KeyError:
            if len(cache) > 100_000:  # some MB per language, whatever the corpus
                cache.clear()
            result = cache[word] = stem(word.lower())
            return result

    return cached


class SumyTokenizer:
    """sumy's tokenizer interface (``to_sentences``, ``to_words``) over these rules."""

    def __init__(self, language: str | None) -> None:
        self.iso = _base(language)
        self.language = sumy_language(language) or "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph, self.iso))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence, self.iso))
