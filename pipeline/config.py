"""Run configuration: a TOML file, overridden by command-line options.

```toml
[newsdigest]
stages = ["extract", "language", "clean", "summarize"]   # order; optional
disabled = ["some_plugin"]                               # plugins not to load
plugins = ["mypackage.myplugin"]                         # modules to load ad hoc

[summarize]          # one table per stage or plugin, read by that plugin
algorithm = "news"
sentences = 3
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Config file read from the working directory when ``--config`` is not given.
DEFAULT_CONFIG_FILE = "newsdigest.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message says why, in one line."""


def read_toml(path: str | Path, kind: str, error: type[Exception]) -> dict[str, Any]:
    """Parse a TOML file; a missing or malformed file raises ``error`` naming ``kind`` and path."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{kind} not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{kind} {path} is not valid TOML: {exc}") from None


@dataclass
class Config:
    """What a run was asked to do.

    :param stages: explicit stage order, or ``None`` for the resolved default.
    :param disabled: names of plugins not to load.
    :param plugins: module paths to load as plugins, beside entry points.
    :param sections: per-stage or per-plugin option tables, by name.
    """

    stages: list[str] | None = None
    disabled: list[str] = field(default_factory=list)
    plugins: list[str] = field(default_factory=list)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        """Options of one stage or plugin (an empty dict when none are set)."""
        return self.sections.get(name, {})

    def set(self, section: str, key: str, value: Any) -> None:
        """Set one option, as a command-line flag does."""
        self.sections.setdefault(section, {})[key] = value

    @classmethod
    def load(cls, path: str | Path | None = None) -> Config:
        """Read ``path``, or ``newsdigest.toml`` in the working directory if it exists."""
        if path is None:
            path = Path(DEFAULT_CONFIG_FILE)
            if not path.is_file():
                return cls()
        data = read_toml(path, "config file", ConfigError)
        return cls.from_dict(data, origin=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "config") -> Config:
        """Build a config from parsed TOML."""
        core = dict(data.get("newsdigest", {}))
        unknown = set(core) - {"stages", "disabled", "plugins"}
        if unknown:
            raise ConfigError(f"{origin}: unknown [newsdigest] keys: {', '.join(sorted(unknown))}")
        for key in ("stages", "disabled", "plugins"):
            value = core.get(key)
            if value is not None and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                raise ConfigError(f"{origin}: [newsdigest] {key} must be a list of strings")
        sections = {k: dict(v) for k, v in data.items() if k != "newsdigest" and isinstance(v, dict)}
        return cls(
            stages=core.get("stages"),
            disabled=list(core.get("disabled", [])),
            plugins=list(core.get("plugins", [])),
            sections=sections,
        )
