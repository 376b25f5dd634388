"""Hook specifications: everything a newsdigest plugin can implement.

Hooks are called with keyword arguments; an implementation may accept any
subset of a hook's arguments. Hooks only grow: arguments are never renamed or
removed.

Stage hooks (the second group) are ``firstresult``: the core calls their
implementations one at a time and stops at the first that returns a
:class:`~pipeline.document.Document`. Built-in implementations are marked
``trylast``, so an installed plugin's implementation runs first and replaces
the default simply by returning a document; returning ``None`` hands the
document on to the next implementation (in the end, the built-in one).

The order in which stages run is not decided by pluggy. It is data the core
owns (:mod:`pipeline.stages`): the built-in order
``extract, language, clean, summarize``, plus stages that plugins declare with
:func:`newsdigest_stages`, each at a position it names and the user can
change in config (``stages = [...]``). ``newsdigest plugins`` prints it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from pipeline.config import Config
    from pipeline.document import Document
    from pipeline.runner import Pipeline
    from pipeline.stages import Stage

hookspec = pluggy.HookspecMarker("newsdigest")
hookimpl = pluggy.HookimplMarker("newsdigest")


# --- Registration: called once per run, when the pipeline is built --------


@hookspec
def newsdigest_stages() -> list[Stage]:
    """Declare stages of the plugin's own, to run beside the built-in ones.

    Each :class:`~pipeline.stages.Stage` names itself, gives the function that
    processes one document (``run(document, config) -> Document | None``) and
    where it goes: ``after="clean"`` or ``before="summarize"`` (default: after
    the last built-in stage). The user may reorder every stage in config.

    :returns: a list of stages; ``None`` or an empty list adds none.
    """


@hookspec
def newsdigest_language_detectors() -> list:
    """Offer language detection backends to the language stage.

    Each object has a ``name`` (chosen with ``[language] backend = "NAME"``)
    and a method ``detect(text, candidates) -> list[tuple[str, float]]`` that
    returns ISO 639-1 codes (script variants such as ``zh-tw`` allowed) with
    probabilities, most likely first; ``candidates`` is ``None`` or the codes
    the user allows.

    :returns: a list of detectors; ``None`` adds none.
    """


@hookspec
def newsdigest_summarizers() -> list:
    """Offer summarisers to the summarize stage.

    Each object has a ``name`` (chosen with ``[summarize] algorithm = "NAME"``
    or ``--algorithm``) and a method
    ``summarize(text, language, title, length) -> list[str]`` returning
    sentences taken verbatim from ``text``; ``length`` is a
    :class:`~pipeline.backends.Length` (sentences, ratio or word budget).

    :returns: a list of summarisers; ``None`` adds none.
    """


@hookspec
def newsdigest_rule_packs() -> list[Path]:
    """Offer rule packs (TOML files) to the clean stage.

    A plugin that ships cleaning rules, for a language or for the sites it
    knows, returns the paths of its TOML files; see ``plugins/rules/`` for
    the format.

    :returns: a list of paths; ``None`` adds none.
    """


@hookspec
def newsdigest_engines() -> list:
    """Offer engines that run the pipeline over many documents.

    Each object has a ``name`` (chosen with ``--engine NAME``); see
    :mod:`pipeline.engines` for the interface.

    :returns: a list of engines; ``None`` adds none.
    """


# --- Stages, in their default order ------------------------------------------


@hookspec(firstresult=True)
def newsdigest_extract(
    document: Document, config: Config, pipeline: Pipeline
) -> Document | None:
    """Extract the article from ``document.html``.

    Fills ``text`` (paragraphs separated by ``"\\n"``) and what metadata the
    page gives: ``title``, ``author``, ``date``, ``sitename``, ``url``,
    ``declared_language``. A document that arrives with ``text`` and no
    ``html`` is already plain text and is returned as it is.

    :param document: the document, with ``html`` or ``text`` set by the input.
    :param config: the run's configuration; options under ``[extract]``.
    :param pipeline: the running :class:`~pipeline.runner.Pipeline`, for
        its plugin manager and backends.
    :returns: the document, or ``None`` to leave it to the next
        implementation. Raise :class:`~pipeline.document.Drop` to reject it
        with a reason (no article found). Stops at first non-None result.
    """


@hookspec(firstresult=True)
def newsdigest_detect_language(
    document: Document, config: Config, pipeline: Pipeline
) -> Document | None:
    """Decide the language of ``document.text``.

    Fills ``language`` (ISO 639-1, ``"und"`` when it cannot tell),
    ``language_score``, ``language_source``, ``language_variant`` and, for
    ``"und"``, ``language_reason``. Never raises on short or empty text.

    :param document: the extracted document.
    :param config: the run's configuration; options under ``[language]``.
    :param pipeline: the running :class:`~pipeline.runner.Pipeline`.
    :returns: the document, or ``None`` to leave it to the next
        implementation. Stops at first non-None result.
    """


@hookspec(firstresult=True)
def newsdigest_clean(
    document: Document, config: Config, pipeline: Pipeline
) -> Document | None:
    """Remove promos, appeals and other boilerplate from ``document.text``.

    Every cut is appended to ``document.removed`` as a
    :class:`~pipeline.document.Removal` with its text, rule and reason.

    :param document: the document, with ``text`` and ``language`` set.
    :param config: the run's configuration; options under ``[clean]``.
    :param pipeline: the running :class:`~pipeline.runner.Pipeline`.
    :returns: the document, or ``None`` to leave it to the next
        implementation. Stops at first non-None result.
    """


@hookspec(firstresult=True)
def newsdigest_summarize(
    document: Document, config: Config, pipeline: Pipeline
) -> Document | None:
    """Write ``document.summary``: sentences taken verbatim from ``text``.

    :param document: the cleaned document.
    :param config: the run's configuration; options under ``[summarize]``.
    :param pipeline: the running :class:`~pipeline.runner.Pipeline`.
    :returns: the document, or ``None`` to leave it to the next
        implementation. Stops at first non-None result.
    """
