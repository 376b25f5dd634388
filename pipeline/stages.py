"""Stages and their order: data the core owns.

The built-in stages are hooks (:mod:`pipeline.hookspecs`) run in
:data:`BUILTIN_ORDER`. Plugins add stages of their own with
``newsdigest_stages``, each placed ``after`` or ``before`` a named stage.
The user can replace the whole order with ``stages = [...]`` in config.
Ties are broken by stage name, never by install or registration order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.document import Document

#: Built-in stages, in order, with the hook each one calls.
BUILTIN_STAGES: dict[str, str] = {
    "extract": "newsdigest_extract",
    "language": "newsdigest_detect_language",
    "clean": "newsdigest_clean",
    "summarize": "newsdigest_summarize",
}
BUILTIN_ORDER: tuple[str, ...] = tuple(BUILTIN_STAGES)


class StageOrderError(Exception):
    """The stages cannot be put in an order; the message says why."""


@dataclass(frozen=True)
class Stage:
    """A stage a plugin adds to the pipeline.

    :param name: unique stage name, used in config, stats and rejects.
    :param run: ``run(document, config) -> Document | None``; ``None`` means
        the document passes on unchanged.
    :param after: run right after this stage (default: after the last built-in).
    :param before: run right before this stage (instead of ``after``).
    :param plugin: name of the plugin that declared it (filled by the core).
    """

    name: str
    run: Callable[[Document, Config], Document | None]
    after: str | None = None
    before: str | None = None
    plugin: str = ""


def resolve_order(extra: Iterable[Stage], configured: list[str] | None = None) -> list[str]:
    """Names of all stages in the order they run.

    :param extra: stages declared by plugins.
    :param configured: the user's explicit order, if any; it must name only
        known stages, each once, and every built-in stage that is omitted is
        skipped on purpose.
    """
    extra = list(extra)
    known = list(BUILTIN_ORDER) + [stage.name for stage in extra]
    duplicates = {name for name in known if known.count(name) > 1}
    if duplicates:
        raise StageOrderError(f"stage names declared twice: {', '.join(sorted(duplicates))}")
    if configured is not None:
        unknown = [name for name in configured if name not in known]
        if unknown:
            raise StageOrderError(
                f"unknown stage(s) in config: {', '.join(unknown)} (known: {', '.join(known)})"
            )
        if len(set(configured)) != len(configured):
            raise StageOrderError("a stage is listed twice in the configured order")
        return list(configured)

    order = list(BUILTIN_ORDER)
    pending = sorted(extra, key=lambda stage: stage.name)
    while pending:
        placed = False
        for stage in list(pending):
            anchor = stage.before or _after(stage)
            if anchor not in order:
                continue
            index = order.index(anchor)
            if stage.before is None:
                # After the anchor and after stages already placed after it.
                index += 1
                while index < len(order) and _placed_after(order[index], anchor, extra):
                    index += 1
            order.insert(index, stage.name)
            pending.remove(stage)
            placed = True
        if not placed:
            names = ", ".join(f"{s.name} (anchor {s.before or s.after})" for s in pending)
            raise StageOrderError(f"stages anchored to unknown stages: {names}")
    return order


def _placed_after(name: str, anchor: str, extra: list[Stage]) -> bool:
    return any(s.name == name and s.before is None and _after(s) == anchor for s in extra)


def _after(stage: Stage) -> str:
    return stage.after or BUILTIN_ORDER[-1]
