"""The langdetect backend (``[language] backend = "langdetect"``), built in.

langdetect, used the usual way, is random: each call samples n-grams with a
generator seeded from the global ``DetectorFactory.seed`` (unseeded by
default), so the same text can get different answers on different runs. It
also raises on text without features and reads its profiles in directory
order. This backend drives langdetect's ``Detector`` directly:

* its own factory, profiles loaded in sorted file order, built once per
  process (about 1 s) and shared;
* a fixed seed on every detector, so every call in every process walks the
  same n-grams: the answer depends on the text alone;
* candidates applied as a prior in which every other language has zero
  probability (langdetect's ``set_prior_map``), so they can never win;
* no exception escapes: no features means an empty answer.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.hookspecs import hookimpl

#: Seed given to every detector; any fixed value makes langdetect deterministic.
SEED = 0

#: Probabilities below this are noise; they are left out of the answer.
_FLOOR = 1e-4

#: langdetect's profile names for newsdigest's codes, where they differ.
_PROFILE_NAMES: dict[str, tuple[str, ...]] = {"nb": ("no",), "zh": ("zh-cn", "zh-tw")}


class LangdetectDetector:
    """langdetect 1.0.9, deterministic and candidate-aware."""

    name = "langdetect"

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self._factory: Any = None
        self._lock = threading.Lock()

    @property
    def languages(self) -> tuple[str, ...]:
        """newsdigest codes this backend can answer (``nb``, ``zh``, ...)."""
        names = self._load().get_lang_list()
        return tuple(sorted({_newsdigest_code(name) for name in names}))

    def _load(self) -> Any:
        with self._lock:
            if self._factory is None:
                from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

                factory = DetectorFactory()
                # Sorted, so the language index (and float sums over it) is
                # the same on every file system.
                profiles = sorted(Path(PROFILES_DIRECTORY).iterdir())
                factory.load_json_profile(
                    [path.read_text(encoding="utf-8") for path in profiles if path.is_file()]
                )
                factory.set_seed(self.seed)
                self._factory = factory
            return self._factory

    def detect(self, text: str, candidates: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """langdetect's probabilities, most likely first; ``[]`` when it cannot tell.

        Codes are as langdetect writes them except Norwegian (``nb``), so
        Chinese keeps its variant (``zh-cn``, ``zh-tw``).
        """
        from langdetect.lang_detect_exception import LangDetectException

        factory = self._load()
        detector = factory.create()
        if candidates is not None:
            allowed = {name for code in candidates for name in _PROFILE_NAMES.get(code, (code,))}
            prior = {name: 1.0 for name in factory.get_lang_list() if name in allowed}
            if not prior:
                return []
            detector.set_prior_map(prior)
        try:
            detector.append(text)
            detector.get_probabilities()
        except LangDetectException:
            return []
        # The whole distribution, not get_probabilities()'s cut at 0.1: the
        # language stage weighs a declared language that is the second choice.
        found = sorted(
            (
                (name, p)
                for name, p in zip(factory.get_lang_list(), detector.langprob)
                if p >= _FLOOR
            ),
            key=lambda item: (-item[1], item[0]),
        )
        return [(_newsdigest_code(name, keep_variant=True), float(p)) for name, p in found]


def _newsdigest_code(name: str, keep_variant: bool = False) -> str:
    if name == "no":
        return "nb"
    if name.startswith("zh") and not keep_variant:
        return "zh"
    return name


_DETECTOR = LangdetectDetector()


@hookimpl(trylast=True)
def newsdigest_language_detectors() -> list:
    return [_DETECTOR]
