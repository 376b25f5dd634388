"""Plugins that misbehave on purpose, loaded with ``--plugin tests.faulty_plugins.NAME``.

Each one misbehaves only on documents whose text contains :data:`TRIGGER`,
so a run over several pages shows whether the others still go through.
"""

#: The word that makes a faulty plugin misbehave.
TRIGGER = "SABOTAGE"


def triggered(document) -> bool:
    """True for the documents a faulty plugin should break."""
    return TRIGGER in (document.text or "")
