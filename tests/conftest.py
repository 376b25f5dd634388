"""Shared test fixtures: paths, a fresh plugin manager per test, inline plugin registration."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.manager import get_plugin_manager

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"

needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"labelled data not found at {SHARED_DATA} (present in the project's CI, not in a user's clone)",
)


@pytest.fixture
def pm():
    """A fresh plugin manager with the built-ins and no installed plugins."""
    return get_plugin_manager(Config(), entry_points=False)


@pytest.fixture
def register(pm):
    """Register inline plugins on ``pm`` for one test; unregistered in ``finally``."""
    registered = []

    def _register(plugin: object, name: str) -> object:
        pm.register(plugin, name=name)
        registered.append(plugin)
        return plugin

    try:
        yield _register
    finally:
        for plugin in registered:
            if pm.is_registered(plugin):
                pm.unregister(plugin)
