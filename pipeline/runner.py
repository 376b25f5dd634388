"""Runs one document through every stage, in the order the core resolved.

The runner owns what a plugin author should not have to write: calling each
stage's implementations in turn, naming the plugin that failed, turning a
failure into a reject, and counting.

A plugin fails a document when it raises, returns something other than a
:class:`~pipeline.document.Document` or ``None``, puts a value of the wrong
type in a text field, or overruns its share of the time limit. A plugin that
leaves no text in a document that had some is not failing (cutting
everything can be right), but a record without text is of no use to anyone:
the document is rejected as ``dropped: no text left``, naming the stage and
plugin. What happens next to a failure is the ``[run] on_error`` option:
``"skip"`` (the default) writes the reject and goes on; ``"fail"`` stops the
run after writing it (:func:`stop_on_failure`, :class:`RunAborted`).
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from pipeline.config import Config, ConfigError
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


#: What ``[run] on_error`` may say: go on after a failed document, or stop.
ON_ERROR_CHOICES: tuple[str, ...] = ("skip", "fail")

#: Reject stages that are the input's fault, not a plugin's: never a failure.
INPUT_STAGES: frozenset[str] = frozenset({"read"})

#: Share of the run's time limit (``[engine] timeout``) that a document may
#: spend in the pipeline before the runner itself stops it, naming the stage
#: and plugin. The engine's hard limit (killing the worker) comes later and
#: only catches what a signal cannot interrupt (a loop inside C code).
IN_PROCESS_SHARE = 0.8

#: The page :meth:`Pipeline.warm_up` processes: enough text for every stage to run.
_WARM_UP_PAGE = (
    "<html lang=\"en\"><head><title>Warm-up</title></head><body><article>"
    + "".join(
        f"<p>This short paragraph number {n} exists so that every stage loads what it needs"
        " before the first real document arrives. It says nothing else of interest.</p>"
        for n in range(1, 6)
    )
    + "</article></body></html>"
)

#: Stage named in the reject of a document whose record cannot be written.
RECORD_STAGE = "record"

#: Document fields that must hold a string or ``None`` after every stage.
_TEXT_FIELDS: tuple[str, ...] = (
    "text", "title", "author", "date", "sitename", "url", "language", "declared_language",
)


class BackendError(Exception):
    """A backend named in config does not exist; the message lists those that do."""


@dataclass
class Outcome:
    """What became of one input document: a processed document or a reject."""

    document: Document
    reject: Reject | None = None

    @property
    def failed(self) -> bool:
        """True when something broke on this document, as opposed to a reasoned reject.

        A plugin's exception, wrong return type or wrongly typed field, an
        overrun time limit or a dead worker is a failure; a stage's
        :class:`~pipeline.document.Drop` (``"dropped: ..."``, including "no text
        left") and an unreadable input (stage ``read``) are not.
        """
        reject = self.reject
        if reject is None or reject.stage in INPUT_STAGES:
            return False
        return not reject.error.startswith(DROPPED_PREFIX)


#: How the error of a reject made by :class:`~pipeline.document.Drop` starts.
DROPPED_PREFIX = "dropped: "


class StageFailure(Exception):
    """A plugin failed on a document; carries the stage and plugin names."""

    def __init__(self, stage: str, plugin: str, error: str) -> None:
        super().__init__(f"stage {stage!r}, plugin {plugin!r}: {error}")
        self.stage, self.plugin, self.error = stage, plugin, error

    def __reduce__(self) -> tuple:
        # Picklable, so a worker process can hand it to its parent.
        return (type(self), (self.stage, self.plugin, self.error))


class NoTextLeft(Drop):
    """A plugin left no text in a document that had some: a reject naming it.

    Not a failure: cutting everything can be right (a "page" that was only a
    fundraising appeal), so ``on_error = "fail"`` does not stop for it.
    """

    def __init__(self, plugin: str) -> None:
        super().__init__("no text left")
        self.plugin = plugin

    def __reduce__(self) -> tuple:
        return (type(self), (self.plugin,))


class TimeLimitExceeded(Exception):
    """Raised inside a plugin when the document has used its share of the time limit."""


class RunAborted(Exception):
    """The run stopped at a failed document because ``[run] on_error = "fail"``.

    The message names the document, stage and plugin; ``reject`` is the
    reject that was written for it.
    """

    def __init__(self, reject: Reject) -> None:
        plugin = f", plugin {reject.plugin!r}" if reject.plugin else ""
        super().__init__(
            f"run stopped ([run] on_error = \"fail\"): document {reject.id!r}"
            f" ({reject.source}), stage {reject.stage!r}{plugin}: {reject.error}"
        )
        self.reject = reject

    def __reduce__(self) -> tuple:
        return (type(self), (self.reject,))


def on_error(config: Config) -> str:
    """The run's ``[run] on_error`` choice, checked: ``"skip"`` or ``"fail"``."""
    value = config.section("run").get("on_error", "skip")
    if value not in ON_ERROR_CHOICES:
        raise ConfigError(
            f"[run] on_error must be one of {', '.join(ON_ERROR_CHOICES)}, not {value!r}"
        )
    return value


def in_process_time_limit(config: Config) -> float | None:
    """Seconds a document may spend in :meth:`Pipeline.process`, or ``None`` for no limit.

    :data:`IN_PROCESS_SHARE` of ``[engine] timeout`` (the engines' default
    when unset; ``0`` means no limit).
    """
    value = config.section("engine").get("timeout")
    if value is None:
        from pipeline import engines  # engines imports this module

        value = getattr(engines, "DEFAULT_TIMEOUT", None)
    if not value or float(value) <= 0:
        return None
    return float(value) * IN_PROCESS_SHARE


def stop_on_failure(outcomes: Iterable[Outcome], config: Config) -> Iterator[Outcome]:
    """Pass ``outcomes`` through; with ``on_error = "fail"``, stop after the first failure.

    The failed outcome is yielded first, so that its reject is written, then
    :class:`RunAborted` is raised when the next outcome is asked for. Works
    the same over every engine, since it only looks at what engines yield.
    """
    fail = on_error(config) == "fail"
    for outcome in outcomes:
        yield outcome
        if fail and outcome.failed:
            assert outcome.reject is not None
            raise RunAborted(outcome.reject)


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
        on_error(self.config)  # a bad value fails when the pipeline is built
        #: Seconds one document may take here (see :func:`in_process_time_limit`).
        self.time_limit = in_process_time_limit(self.config)

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
        """Run ``document`` through every stage; never raises for a plugin's failure.

        The outcome is the finished document, or a reject naming the stage
        (and, for a failure, the plugin) and the reason.
        """
        stats = self.stats
        stats.documents += 1
        name = self.order[0] if self.order else RECORD_STAGE
        try:
            with _time_limit(self.time_limit):
                for name in self.order:
                    counts = stats.stages[name]
                    counts["total"] += 1
                    started = time.perf_counter()
                    try:
                        document = self._run_stage(name, document)
                    except Drop as drop:
                        counts["dropped"] += 1
                        counts[f"dropped_{_slug(drop.reason)}"] += 1
                        plugin = getattr(drop, "plugin", "")
                        return self._reject(document, name, f"{DROPPED_PREFIX}{drop.reason}", plugin)
                    except StageFailure as failure:
                        counts["failed"] += 1
                        return self._reject(document, name, failure.error, failure.plugin)
                    finally:
                        stats.seconds[name] += time.perf_counter() - started
                    counts["forwarded"] += 1
                name = RECORD_STAGE
                problem = _unwritable(document)
        except TimeLimitExceeded as exc:
            # Fired between two plugin calls, where no plugin is to blame.
            stats.stages[name]["failed"] += 1
            return self._reject(document, name, f"{type(exc).__name__}: {exc}", "")
        if problem:
            # Caught here rather than by the writer, where it would stop the run.
            return self._reject(document, RECORD_STAGE, problem, "")
        stats.records += 1
        stats.languages[document.language or "und"] += 1
        stats.cuts_by_rule.update(removal.rule for removal in document.removed)
        return Outcome(document)

    def warm_up(self) -> None:
        """Run one small page through every stage, so that plugins load their
        libraries and models now rather than inside the first document's time
        limit. Counters are left as they were; a failure here is ignored (the
        same plugin will fail, with a reject, on real documents)."""
        stats, limit = self.stats, self.time_limit
        self.stats, self.time_limit = Stats(), None
        try:
            self.process(Document(id="warm-up", source="warm-up", html=_WARM_UP_PAGE))
        except Exception:  # noqa: BLE001 - warming up must never stop a worker
            pass
        finally:
            self.stats, self.time_limit = stats, limit

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
            result = _call(name, stage.plugin, stage.run, (document, self.config), document)
            return document if result is None else result
        hook = getattr(self.pm.hook, BUILTIN_STAGES[name])
        arguments = {"document": document, "config": self.config, "pipeline": self}
        # pluggy's call order, one implementation at a time, so a failure
        # can name its plugin (pluggy's own call does not say which raised).
        for impl in reversed(hook.get_hookimpls()):
            args = tuple(arguments[arg] for arg in impl.argnames)
            result = _call(name, impl.plugin_name, impl.function, args, document)
            if result is not None:
                if name == "extract" and not _has_text(result):
                    # Extraction exists to give text; none is a failure, not a record.
                    raise StageFailure(name, impl.plugin_name, "returned a document with no text")
                return result
        return document


def _call(
    stage: str, plugin: str, function: Any, args: tuple, document: Document
) -> Document | None:
    had_text = _has_text(document)
    try:
        result = function(*args)
    except Drop as drop:
        drop.plugin = getattr(drop, "plugin", "") or plugin  # the reject names who dropped it
        raise
    except Exception as exc:  # a plugin's bug must cost one document, not the run
        raise StageFailure(stage, plugin, f"{type(exc).__name__}: {exc}") from exc
    if result is not None and not isinstance(result, Document):
        raise StageFailure(
            stage, plugin, f"returned {type(result).__name__}, expected Document or None"
        )
    # Checked here, per implementation, because a plugin may change the
    # document in place and return None: the next one must not take the blame.
    current = document if result is None else result
    problem = _field_problem(current)
    if problem:
        raise StageFailure(stage, plugin, problem)
    if had_text and not _has_text(current):
        raise NoTextLeft(plugin)
    return result


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` in whatever runs after ``seconds``.

    A real-time timer and SIGALRM: only in the main thread, where signals are
    delivered; elsewhere (a thread pool) the engine's limit is the only one.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeLimitExceeded(f"took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    # Whatever timer was running (the host program's, an outer document's)
    # is put back afterwards rather than lost.
    outer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:  # restored even if the timer fires on the way out
            signal.signal(signal.SIGALRM, previous)
            if outer[0]:
                signal.setitimer(signal.ITIMER_REAL, *outer)


def _has_text(document: Document) -> bool:
    return isinstance(document.text, str) and bool(document.text.strip())


def _field_problem(document: Document) -> str | None:
    """Why the document's fields cannot make a record, or ``None``."""
    for name in _TEXT_FIELDS:
        value = getattr(document, name)
        if value is not None and not isinstance(value, str):
            return f"set {name} to {type(value).__name__}, expected str or None"
    if not isinstance(document.summary, list) or not all(
        isinstance(sentence, str) for sentence in document.summary
    ):
        return "set summary to something other than a list of str"
    if not isinstance(document.removed, list):
        return f"set removed to {type(document.removed).__name__}, expected list"
    if not isinstance(document.metadata, dict):
        return f"set metadata to {type(document.metadata).__name__}, expected dict"
    return None


def _unwritable(document: Document) -> str | None:
    """Why the finished document cannot be written as a JSON line, or ``None``.

    A value JSON has no form for (a set, an object, a cycle) that a plugin
    left in ``metadata``. Characters are the writer's business: JSON can
    escape any of them.
    """
    try:
        record = document.to_record()
        # The text is a str (checked after every plugin) and JSON escapes any
        # character, so it cannot be the problem; encoding it here too would
        # double the writer's work on the longest field.
        record["text"] = ""
        json.dumps(record)
    except (TypeError, ValueError) as exc:
        return f"record cannot be written as JSON: {type(exc).__name__}: {exc}"
    return None


def _slug(reason: str) -> str:
    return "_".join(reason.lower().split())[:60]
