"""Meta-tests: every hook is tested by name and documented in the README with its signature.

``python tests/test_docs.py --write`` regenerates the README's hook reference
from the docstrings in ``pipeline/hookspecs.py``.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import hookspecs  # noqa: E402

BEGIN, END = "<!-- hook-reference:begin -->", "<!-- hook-reference:end -->"


def hooks() -> list[tuple[str, object]]:
    """Hook specs in the order the spec file declares them."""
    found = [(n, f) for n, f in vars(hookspecs).items() if n.startswith("newsdigest_") and inspect.isfunction(f)]
    return sorted(found, key=lambda item: item[1].__code__.co_firstlineno)


def render_hook_reference() -> str:
    parts = [BEGIN]
    for name, function in hooks():
        signature = str(inspect.signature(function)).replace("'", "")
        doc = inspect.cleandoc(function.__doc__ or "")
        parts.append(f"### `{name}{signature}`\n\n{doc}\n")
    parts.append(END)
    return "\n".join(parts)


def test_every_hook_has_a_test_named_after_it():
    test_sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    untested = [name for name, _ in hooks() if not re.search(rf"def test_{name}(_|\b)", test_sources)]
    assert not untested, f"hooks without a test named for them: {untested}"


def test_every_hook_is_documented_in_the_readme_as_in_its_docstring():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render_hook_reference() in readme, "README hook reference is stale: run python tests/test_docs.py --write"


def test_every_hook_docstring_has_the_house_parts():
    for name, function in hooks():
        doc = function.__doc__ or ""
        assert doc.strip().splitlines()[0].endswith("."), name
        assert ":returns:" in doc, name
        spec = getattr(function, "newsdigest_spec", {})
        if spec.get("firstresult"):
            assert "Stops at first non-None result." in doc, name
        for parameter in inspect.signature(function).parameters:
            assert f":param {parameter}:" in doc, f"{name} does not document {parameter}"


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    readme_path = ROOT / "README.md"
    readme = readme_path.read_text(encoding="utf-8")
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    readme_path.write_text(readme[:start] + render_hook_reference() + readme[end:], encoding="utf-8")
