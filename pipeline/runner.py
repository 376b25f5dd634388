"""Runs one document through every stage, in the order the core resolved.

The runner owns what a plugin author should not have to write: calling each
stage's implementations in turn, naming the plugin that failed, turning a
failure into a reject, and counting.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from pipeline.config import Config
from pipeline.document import Document, Drop, Reject
from pipeline.manager import PluginManager, get_plugin_manager
from pipeline.stages import BUILTIN_STAGES, Stage, resolve_order
from pipeline.stats import Stats

#: Registration hooks whose results are backends chosen by name.
BACKEND_HOOKS: dict[str, str] = {
    "language_detectors": "newsdigest_language_detectors",
    "summarizers": "newsdigest_summarizers",
    "engines": "newsdigest_engines",
}


class BackendError(Exception):
    """A backend named in config does not exist; the message lists those that do."""


@dataclass
class Outcome:
    """What became of one input document: a processed document or a reject."""

    document: Document
    reject: Reject | None = None


class StageFailure(Exception):
    """A plugin failed on a document; carries the stage and plugin names."""

    def __init__(self, stage: str, plugin: str, error: str) -> None:
        super().__init__(f"stage {stage!r}, plugin {plugin!r}: {error}")
        self.stage, self.plugin, self.error = stage, plugin, error


class Pipeline:
    """The stages of a run, resolved once, applied to one document at a time.

    :param config: the run's configuration (default: none).
    :param pm: a plugin manager (default: :func:`~pipeline.manager.get_plugin_manager`).
    """

    def __init__(self, config: Config | None = None, pm: PluginManager | None = None) -> None:
        self.config = config or Config()
        self.pm = pm or get_plugin_manager(self.config)
        self.extra_stages = {stage.name: stage for stage in self._declared_stages()}
        self.order = resolve_order(self.extra_stages.values(), self.config.stages)
        self._backends: dict[str, dict[str, Any]] = {}
        self.stats = Stats()

    def _declared_stages(self) -> Iterator[Stage]:
        for impl in self.pm.hook.newsdigest_stages.get_hookimpls():
            for stage in impl.function() or []:
                yield replace(stage, plugin=impl.plugin_name)

    def backends(self, kind: str) -> dict[str, Any]:
        """Backends of one kind (``language_detectors``, ``summarizers``, ``engines``) by name."""
        if kind not in self._backends:
            found: dict[str, Any] = {}
            hook = getattr(self.pm.hook, BACKEND_HOOKS[kind])
            for impl in reversed(hook.get_hookimpls()):
                for backend in impl.function() or []:
                    found.setdefault(backend.name, backend)
            self._backends[kind] = found
        return self._backends[kind]

    def backend(self, kind: str, name: str) -> Any:
        """One backend by name; :class:`BackendError` lists the known ones."""
        found = self.backends(kind)
        if name not in found:
            known = ", ".join(sorted(found)) or "none"
            raise BackendError(f"unknown {kind[:-1].replace('_', ' ')} {name!r} (known: {known})")
        return found[name]

    def process(self, document: Document) -> Outcome:
        """Run ``document`` through every stage; never raises for a plugin's failure."""
        stats = self.stats
        stats.documents += 1
        for name in self.order:
            counts = stats.stages[name]
            counts["total"] += 1
            started = time.perf_counter()
            try:
                document = self._run_stage(name, document)
            except Drop as drop:
                counts["dropped"] += 1
                counts[f"dropped_{_slug(drop.reason)}"] += 1
                return self._reject(document, name, f"dropped: {drop.reason}", "")
            except StageFailure as failure:
                counts["failed"] += 1
                return self._reject(document, name, failure.error, failure.plugin)
            finally:
                stats.seconds[name] += time.perf_counter() - started
            counts["forwarded"] += 1
        stats.records += 1
        stats.languages[document.language or "und"] += 1
        stats.cuts_by_rule.update(removal.rule for removal in document.removed)
        return Outcome(document)

    def process_many(self, documents: Iterable[Document]) -> Iterator[Outcome]:
        """Process documents one after another, in this process."""
        for document in documents:
            yield self.process(document)

    def _reject(self, document: Document, stage: str, error: str, plugin: str) -> Outcome:
        self.stats.rejects += 1
        self.stats.rejects_by_stage[stage] += 1
        return Outcome(document, Reject(document.id, document.source, stage, error, plugin))

    def _run_stage(self, name: str, document: Document) -> Document:
        if name in self.extra_stages:
            stage = self.extra_stages[name]
            result = _call(name, stage.plugin, stage.run, (document, self.config))
            return document if result is None else result
        hook = getattr(self.pm.hook, BUILTIN_STAGES[name])
        arguments = {"document": document, "config": self.config, "pipeline": self}
        # pluggy's call order, one implementation at a time, so a failure
        # can name its plugin (pluggy's own call does not say which raised).
        for impl in reversed(hook.get_hookimpls()):
            args = tuple(arguments[arg] for arg in impl.argnames)
            result = _call(name, impl.plugin_name, impl.function, args)
            if result is not None:
                return result
        return document


def _call(stage: str, plugin: str, function: Any, args: tuple) -> Document | None:
    try:
        result = function(*args)
    except Drop:
        raise
    except Exception as exc:  # a plugin's bug must cost one document, not the run
        raise StageFailure(stage, plugin, f"{type(exc).__name__}: {exc}") from exc
    if result is not None and not isinstance(result, Document):
        raise StageFailure(
            stage, plugin, f"returned {type(result).__name__}, expected Document or None"
        )
    return result


def _slug(reason: str) -> str:
    return "_".join(reason.lower().split())[:60]
