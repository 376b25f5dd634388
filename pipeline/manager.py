"""The plugin manager: built-ins, installed entry points, ad hoc modules.

Nothing is loaded at import time; :func:`get_plugin_manager` builds a fresh
manager each time it is called.
"""

from __future__ import annotations

import importlib
import os
from importlib import metadata
from typing import Any

import pluggy

from pipeline import hookspecs
from pipeline.config import Config

#: Entry-point group that installed plugins register under.
ENTRY_POINT_GROUP = "newsdigest"

#: Built-in plugins, registered under the last part of their module path,
#: exactly as an installed plugin would be.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "plugins.extract",
    "plugins.language",
    "plugins.langdetect_detector",
    "plugins.py3langid_detector",
    "plugins.lingua_detector",
    "plugins.ensemble_detector",
    "plugins.clean",
    "plugins.summarize",
    "plugins.sumy_summarizers",
    "plugins.lead_summarizer",
    "plugins.news_summarizer",
    "plugins.dask_engine",
)


class PluginError(Exception):
    """A plugin could not be loaded or is malformed; the message names it."""


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, plus where each plugin came from."""

    def __init__(self) -> None:
        super().__init__("newsdigest")
        #: plugin name -> (version, origin), origin is "builtin", the
        #: distribution name, or "module".
        self.origins: dict[str, tuple[str | None, str]] = {}


def get_plugin_manager(config: Config | None = None, *, entry_points: bool = True) -> PluginManager:
    """Build a manager with every plugin that ``config`` allows.

    Plugins named in ``config.disabled`` or in the comma-separated
    ``NEWSDIGEST_DISABLE`` variable are not loaded. When
    ``NEWSDIGEST_LOAD_PLUGINS`` is set, only the installed plugins it names
    are loaded (an empty value loads none); built-ins are unaffected.
    """
    config = config or Config()
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for name in set(config.disabled) | _env_names("NEWSDIGEST_DISABLE"):
        pm.set_blocked(name)

    version = _own_version()
    for path in DEFAULT_PLUGINS:
        name = path.rsplit(".", 1)[-1]
        if not pm.is_blocked(name):
            pm.register(importlib.import_module(path), name=name)
            pm.origins[name] = (version, "builtin")

    if entry_points:
        _load_entry_points(pm)

    for path in config.plugins:
        if pm.is_blocked(path) or pm.has_plugin(path):
            continue
        try:
            module = importlib.import_module(path)
        except Exception as exc:
            raise PluginError(f"cannot import plugin module {path!r}: {exc}") from exc
        pm.register(module, name=path)
        pm.origins[path] = (getattr(module, "__version__", None), "module")

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(str(exc)) from exc
    return pm


def _load_entry_points(pm: PluginManager) -> None:
    allowed = os.environ.get("NEWSDIGEST_LOAD_PLUGINS")
    allow = None if allowed is None else _env_names("NEWSDIGEST_LOAD_PLUGINS")
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if pm.is_blocked(ep.name) or pm.has_plugin(ep.name):
            continue
        if allow is not None and ep.name not in allow:
            continue
        dist = ep.dist.name if ep.dist else "unknown distribution"
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(
                f"plugin {ep.name!r} from distribution {dist!r} failed to load: {exc}"
            ) from exc
        try:
            pm.register(plugin, name=ep.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"plugin {ep.name!r} from distribution {dist!r}: {exc}") from exc
        pm.origins[ep.name] = (ep.dist.version if ep.dist else None, dist)


def describe_plugins(pm: PluginManager, *, include_builtins: bool = False) -> list[dict[str, Any]]:
    """Name, version, origin and implemented hooks of each registered plugin."""
    rows = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:  # a blocked name
            continue
        version, origin = pm.origins.get(name, (None, "registered"))
        if origin == "builtin" and not include_builtins:
            continue
        hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or [])
        rows.append({"name": name, "version": version, "origin": origin, "hooks": hooks})
    return rows


def _env_names(variable: str) -> set[str]:
    return {name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()}


def _own_version() -> str | None:
    try:
        return metadata.version("newsdigest")
    except metadata.PackageNotFoundError:
        return None
