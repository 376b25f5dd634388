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
from collections.abc import Callable, Iterator
from functools import lru_cache

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
    spans: list[tuple[int, int]] = []
    position = 0
    for line in text.split("\n"):
        for start, end in _paragraph_spans(line, _base(language)):
            spans.append((position + start, position + end))
        position += len(line) + 1
    return spans


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """The sentences of ``text``: verbatim, stripped substrings, in order."""
    return [text[start:end] for start, end in sentence_spans(text, language)]


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


def _cuts(line: str, language: str) -> Iterator[int]:
    """Offsets where a sentence ends in one paragraph."""
    script = _script(line)
    if script == "cjk":
        # CJK full stops need no space; Latin-script passages inside still
        # break the Latin way, so merge both kinds of cut.
        cuts = {m.end() for m in _CJK_END.finditer(line)}
        cuts.update(_latin_cuts(line, language))
        yield from sorted(cuts)
    elif script == "spaceless":
        yield from _spaceless_cuts(line)
    elif script == "uncased":
        yield from (m.end() for m in _OTHER_END.finditer(line))
    else:
        yield from _latin_cuts(line, language)


def _script(line: str) -> str:
    """The writing system that decides how a paragraph splits, from a sample."""
    sample = line[:400]
    if sample.isascii():
        return "cased"  # ASCII letters are all cased (and no letter at all means cased too)
    # Only the non-ASCII characters need the per-character look: a Python
    # loop over every character of every paragraph cost more than the rest
    # of the summariser together.
    counts = {"cjk": 0, "spaceless": 0, "uncased": 0, "cased": len(_ASCII_LETTERS.findall(sample))}
    for char in _NON_ASCII.findall(sample):
        if not char.isalpha():
            continue
        code = ord(char)
        if 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF:
            counts["cjk"] += 1
        elif 0x0E00 <= code <= 0x0EFF:  # Thai, Lao
            counts["spaceless"] += 1
        elif char.lower() != char.upper():
            counts["cased"] += 1
        else:
            counts["uncased"] += 1
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else "cased"


def _latin_cuts(line: str, language: str) -> Iterator[int]:
    titles = _TITLES.get(language, frozenset()) | _ANY_TITLES
    abbreviations = _ABBREVIATIONS.get(language, frozenset())
    starters = _sentence_starters(language)
    pattern = _GREEK_END if language == "el" else _LATIN_END
    for match in pattern.finditer(line):
        end = match.end()
        following = _next_word(line, end)
        if not following:
            continue  # the paragraph's end is a break anyway
        first = following[0]
        if first.islower():
            continue
        # Only a bare period is ambiguous; "!", "?", "..." and a period
        # inside closing quotes end the sentence when a capital follows.
        if match.group() == "." and not _period_ends_sentence(
            line, match.start(), following, language, titles, abbreviations, starters
        ):
            continue
        yield end


def _period_ends_sentence(
    line: str,
    dot: int,
    following: str,
    language: str,
    titles: frozenset[str],
    abbreviations: frozenset[str],
    starters: frozenset[str],
) -> bool:
    """Whether the single period at ``dot`` ends a sentence, from the words around it."""
    word_start = dot
    while word_start > 0 and not line[word_start - 1].isspace():
        word_start -= 1
    word = line[word_start:dot].lstrip(_OPENERS)
    if not word:
        return True
    lower = word.lower()
    next_word = following.lower().strip(_OPENERS + ".,;:")
    # A stop word after the period shows a new sentence, but a single letter
    # ("K." in "J. K. Rowling") is another initial.
    starts_sentence = len(next_word) > 1 and next_word in starters
    if lower in titles:
        return False
    if lower in _NUMBER_ABBREVIATIONS and following[0].isdigit():
        return False
    if lower in abbreviations:
        return starts_sentence
    if len(word) == 1 and word.isalpha():
        # An initial ("J. K. Rowling", "А. С. Пушкин") unless a common word follows.
        return starts_sentence
    if "." in word and all(part.isalpha() and len(part) <= 3 for part in word.split(".")):
        # Dotted abbreviations (U.S., a.m., Ph.D) end a sentence only before
        # a word that usually starts one.
        return starts_sentence
    if word.isdigit():
        if language in _ORDINAL_DOT and len(word) <= 2:
            return starts_sentence
        return True
    if following[0].isdigit() and word.isalpha() and len(word) <= 3 and word[0].isupper():
        return False  # "Abs. 2", "Nr. 5", "Fig. 3"
    return True


def _next_word(line: str, position: int) -> str:
    rest = line[position : position + 40].lstrip()
    rest = rest.lstrip(_OPENERS)
    return rest.split(None, 1)[0] if rest.split(None, 1) else ""


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
            if len(cache) > 200_000:
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
