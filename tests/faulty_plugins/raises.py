"""Raises in the clean stage."""

from pipeline.hookspecs import hookimpl
from . import triggered


@hookimpl
def newsdigest_clean(document):
    if triggered(document):
        raise RuntimeError("the cleaner fell over")
    return None
