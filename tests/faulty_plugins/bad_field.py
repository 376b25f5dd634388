"""Sets the title to a number in a stage of its own, after clean."""

from pipeline.hookspecs import hookimpl
from pipeline.stages import Stage
from . import triggered


def number_the_title(document, config):
    if triggered(document):
        document.title = 42
    return document


@hookimpl
def newsdigest_stages():
    return [Stage("numbering", number_the_title, after="clean")]
