"""Hangs where no signal reaches it (as a loop inside C code does): only killing the worker stops it."""

import signal
import time

from pipeline.hookspecs import hookimpl
from . import triggered


@hookimpl
def newsdigest_summarize(document):
    if triggered(document):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
    return None
