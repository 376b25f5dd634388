"""Language codes as newsdigest writes them: ISO 639-1, lower case.

Detectors and pages spell languages many ways (``no``, ``nb-NO``, ``zh-Hant``,
``iw``, ``deu``, ``en_US``). Everything the language stage reads goes through
:func:`split_code` so that ``document.language`` is always a bare ISO 639-1
code and a script variant (only Chinese has one that matters downstream:
``zh-cn`` for simplified, ``zh-tw`` for traditional characters) goes to
``document.language_variant``.

Norwegian is written ``nb`` (Bokmål): it is what langdetect's ``no`` profile
and lingua's model were trained on, and what the evaluation data uses; ``no``
is accepted everywhere as an alias.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The languages newsdigest claims: the 55 profiles of langdetect (the
#: design's reference detector), with ``no`` written ``nb`` and ``zh-cn`` and
#: ``zh-tw`` folded into ``zh``. The language stage restricts every backend
#: to these unless ``[language] candidates`` says otherwise: downstream
#: stages (appeal rules, stemmers, stop words) are written for this set, and
#: a smaller candidate set makes every detector more accurate.
SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et",
    "fa", "fi", "fr", "gu", "he", "hi", "hr", "hu", "id", "it", "ja", "kn", "ko",
    "lt", "lv", "mk", "ml", "mr", "nb", "ne", "nl", "pa", "pl", "pt", "ro", "ru",
    "sk", "sl", "so", "sq", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur",
    "vi", "zh",
)  # fmt: skip

#: Codes that are spelt differently by some source, mapped to newsdigest's.
_ALIASES: dict[str, str] = {
    "no": "nb",  # macro-language; the profiles are Bokmål
    "iw": "he",  # pre-1989 ISO code, still in old Java/Android locales
    "in": "id",
    "ji": "yi",
    "fil": "tl",
    # ISO 639-2/3 codes that pages and WARC headers sometimes carry.
    "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es",
    "ita": "it", "por": "pt", "nld": "nl", "dut": "nl", "rus": "ru", "zho": "zh",
    "chi": "zh", "jpn": "ja", "ara": "ar", "pol": "pl", "tur": "tr", "swe": "sv",
    "nob": "nb", "nor": "nb", "dan": "da", "fin": "fi", "ukr": "uk", "ces": "cs",
    "cze": "cs", "kor": "ko", "hin": "hi", "vie": "vi", "ell": "el", "gre": "el",
    "heb": "he", "hun": "hu", "ron": "ro", "rum": "ro", "bul": "bg", "cat": "ca",
    "fas": "fa", "per": "fa", "ind": "id",
}  # fmt: skip

#: Subtags that mean simplified or traditional Chinese characters.
_CHINESE_VARIANTS: dict[str, str] = {
    "cn": "zh-cn", "sg": "zh-cn", "my": "zh-cn", "hans": "zh-cn",
    "tw": "zh-tw", "hk": "zh-tw", "mo": "zh-tw", "hant": "zh-tw",
}  # fmt: skip

#: Declared values that name no language at all.
_NOT_A_LANGUAGE = frozenset({"und", "mul", "zxx", "mis", "x-default", "xx", "c"})


def split_code(code: str | None) -> tuple[str | None, str | None]:
    """``(language, variant)`` for any spelling of a language tag.

    ``"en-US"`` gives ``("en", None)``, ``"zh_Hant_TW"`` gives
    ``("zh", "zh-tw")``, ``"no"`` gives ``("nb", None)``; a value that is not
    a language tag (``"und"``, ``"x-default"``, ``""``, ``None``, garbage)
    gives ``(None, None)``.
    """
    if not code:
        return None, None
    tag = code.strip().lower().replace("_", "-")
    if tag in _NOT_A_LANGUAGE:
        return None, None
    parts = [part for part in tag.split("-") if part]
    if not parts or not parts[0].isascii() or not parts[0].isalpha():
        return None, None
    base = _ALIASES.get(parts[0], parts[0])
    if len(base) != 2:
        return None, None
    variant = None
    if base == "zh":
        for subtag in parts[1:]:
            if subtag in _CHINESE_VARIANTS:
                variant = _CHINESE_VARIANTS[subtag]
                break
    return base, variant


def normalize_candidates(codes: Iterable[str] | None) -> tuple[str, ...] | None:
    """Candidate codes as sorted, de-duplicated ISO 639-1 codes (``None`` stays ``None``)."""
    if codes is None:
        return None
    found = {split_code(code)[0] for code in codes}
    return tuple(sorted(code for code in found if code))


# A few hundred characters are written differently in simplified and
# traditional Chinese; these are among the most frequent in news text. Each
# string lists one side of the same pairs, in the same order.
_SIMPLIFIED = (
    "这们国说会时个来为对发经过还进长门问间关开东车书学实体现电动种样当没与业从头见观产区华报"
    "让认记议论语读话请谁该调应总线给结统组级纪约红网党难际陆万亿价众传伤无气爱边达运选钱铁银"
    "队阳风飞马鱼鸟龙齐岁历员图团处备复夺奋妇买卖亲热闻乐导协单厂广庆张强归录态怀战护择损据"
    "获节药虽觉设证评识诉责赛转轻较办务劳势医华县变号听启围块坚场坏声岛师带帮库应张"
)
_TRADITIONAL = (
    "這們國說會時個來為對發經過還進長門問間關開東車書學實體現電動種樣當沒與業從頭見觀產區華報"
    "讓認記議論語讀話請誰該調應總線給結統組級紀約紅網黨難際陸萬億價眾傳傷無氣愛邊達運選錢鐵銀"
    "隊陽風飛馬魚鳥龍齊歲歷員圖團處備復奪奮婦買賣親熱聞樂導協單廠廣慶張強歸錄態懷戰護擇損據"
    "獲節藥雖覺設證評識訴責賽轉輕較辦務勞勢醫華縣變號聽啟圍塊堅場壞聲島師帶幫庫應張"
)
# Characters that happen to be the same on both sides are dropped, so they
# count for neither script.
_PAIRS = [(s, t) for s, t in zip(_SIMPLIFIED, _TRADITIONAL) if s != t]
_SIMPLIFIED_ONLY = frozenset(s for s, _ in _PAIRS)
_TRADITIONAL_ONLY = frozenset(t for _, t in _PAIRS)


def chinese_variant(text: str) -> str | None:
    """``"zh-cn"`` or ``"zh-tw"`` when the text's characters clearly say which, else ``None``.

    Counts characters written only in simplified or only in traditional
    form; a clear majority (three to one) decides, so a simplified article
    quoting a Taiwanese name does not flip.
    """
    simplified = traditional = 0
    for char in text:
        if char in _SIMPLIFIED_ONLY:
            simplified += 1
        elif char in _TRADITIONAL_ONLY:
            traditional += 1
    if simplified + traditional < 2:
        return None
    if simplified >= 3 * traditional:
        return "zh-cn"
    if traditional >= 3 * simplified:
        return "zh-tw"
    return None
