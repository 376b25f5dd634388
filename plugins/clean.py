"""Clean stage: strip house promos, appeals and boilerplate, recording every cut.

Rules come from rule packs (TOML, see :mod:`plugins.rule_packs`): the ones
in ``plugins/rules/``, those other plugins offer through
``newsdigest_rule_packs``, and the user's. Options under ``[clean]``:

```toml
[clean]
label_only = false              # true: record cuts in `removed`, keep the text
rules = ["my-rules.toml"]       # extra rule packs
profiles = "profiles.json"      # learned site profiles (newsdigest learn)
builtin = true                  # false: only plugin and user packs
disabled_rules = ["boilerplate.byline"]   # rule names, or pack-name prefixes
appeal_threshold = 4.5

[[clean.patterns]]              # inline line rules (same keys as [[lines]])
name = "house_ad"
pattern = 'Buy the print edition'
reason = "Print-edition advert"

[[clean.cues]]                  # inline appeal cues (same keys as [[cues]])
name = "friends_scheme"
family = "give"
weight = 1.5
terms = ["friends of the ledger"]
```

See ``plugins/rules/README.md`` for the rule-pack format.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.config import ConfigError
from pipeline.document import Document
from pipeline.hookspecs import hookimpl

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.runner import Pipeline
    from plugins.boilerplate_profiles import SiteProfile
    from plugins.cleaner import Cleaner
    from plugins.rule_packs import RulePack

# One cleaner per pipeline: packs are read and compiled once per run, not
# per document, and go away with the pipeline.
_CLEANERS: weakref.WeakKeyDictionary[Any, Cleaner] = weakref.WeakKeyDictionary()
_LEARNED: weakref.WeakKeyDictionary[Any, dict[str, SiteProfile]] = weakref.WeakKeyDictionary()


@hookimpl(trylast=True)
def newsdigest_clean(document: Document, config: Config, pipeline: Pipeline) -> Document:
    if not document.text:
        return document
    from plugins.cleaner import options_flag

    cleaner = cleaner_for(pipeline)
    return cleaner.clean(document, label_only=options_flag(config.section("clean"), "label_only"))


def cleaner_for(pipeline: Pipeline) -> Cleaner:
    """The pipeline's cleaner, built on first use from its config and plugins."""
    cleaner = _CLEANERS.get(pipeline)
    if cleaner is None:
        cleaner = build_cleaner(pipeline.config, pipeline.pm, _LEARNED.get(pipeline))
        _CLEANERS[pipeline] = cleaner
    return cleaner


def use_profiles(pipeline: Pipeline, profiles: dict[str, SiteProfile]) -> None:
    """Make the clean stage of ``pipeline`` apply ``profiles`` (e.g. learnt in a first pass).

    They are added to any profiles file named in config.
    """
    _LEARNED[pipeline] = profiles
    _CLEANERS.pop(pipeline, None)


def build_cleaner(
    config: Config, pm: Any = None, learned: dict[str, SiteProfile] | None = None
) -> Cleaner:
    """A cleaner for ``config``: built-in, plugin and user packs, and profiles."""
    from plugins.boilerplate_profiles import load_profiles, merge_profiles
    from plugins.cleaner import Cleaner, options_flag
    from plugins.rule_packs import (
        RulePackError,
        builtin_pack_paths,
        line_rule,
        load_pack,
        pack_from_dict,
    )

    options = config.section("clean")
    paths: list[Path] = []
    if options_flag(options, "builtin", default=True):
        paths.extend(builtin_pack_paths())
    if pm is not None:
        for offered in pm.hook.newsdigest_rule_packs():
            paths.extend(Path(p) for p in offered or [])
    paths.extend(Path(p) for p in _as_list(options.get("rules")))
    try:
        packs: list[RulePack] = [load_pack(path) for path in paths]
        inline = options.get("patterns") or []
        if inline:
            user = pack_from_dict({"pack": {"name": "user"}}, origin="[clean] patterns")
            user.lines = [line_rule(entry, "user", "[clean] patterns") for entry in inline]
            packs.append(user)
        cues = options.get("cues") or []
        if cues:
            packs.append(pack_from_dict({"pack": {"name": "user"}, "cues": cues}, "[clean] cues"))
    except RulePackError as exc:
        raise ConfigError(str(exc)) from None
    disabled = tuple(_as_list(options.get("disabled_rules")))
    if disabled:
        for pack in packs:
            pack.lines = [r for r in pack.lines if not _disabled(r.name, disabled)]
            pack.cues = [c for c in pack.cues if not _disabled(c.name, disabled)]

    profiles: dict[str, SiteProfile] = {}
    for path in _as_list(options.get("profiles")):
        try:
            profiles = merge_profiles(profiles, load_profiles(path))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"[clean] profiles: cannot read {path}: {exc}") from None
    if learned:
        profiles = merge_profiles(profiles, learned)
    threshold = float(options.get("appeal_threshold", 4.5))
    return Cleaner(packs, profiles, appeal_threshold=threshold)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, Path)):
        return [str(value)]
    return [str(v) for v in value]


def _disabled(name: str, disabled: tuple[str, ...]) -> bool:
    return any(name == d or name.startswith(d + ".") for d in disabled)
