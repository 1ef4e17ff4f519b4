"""What pyproject.toml says about the project being released."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release_checks.errors import ConfigError
from release_checks.records import Record

__all__ = ["Project", "find_project_root", "load_pyproject", "read_project"]


@dataclass(frozen=True, kw_only=True)
class Project(Record):
    """The static facts of the project; dynamic ones come from the build."""

    root: str
    name: str | None
    static_version: str | None
    dynamic: tuple[str, ...]


def find_project_root(start: Path) -> Path | None:
    """Return the nearest directory at or above `start` that has a pyproject.toml."""
    for directory in (start, *start.parents):
        if (directory / "pyproject.toml").is_file():
            return directory
    return None


def load_pyproject(root: Path) -> dict[str, Any]:
    """Parse pyproject.toml; a syntax error becomes a ConfigError that names the line."""
    path = root / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}; fix the syntax there") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not valid UTF-8 (byte {error.start}); TOML files must be UTF-8"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None


def read_project(root: Path, pyproject: dict[str, Any]) -> Project:
    """Extract the facts the gates need from a parsed pyproject.toml."""
    table = pyproject.get("project")
    project = table if isinstance(table, dict) else {}
    dynamic = project.get("dynamic", [])
    version = project.get("version")
    name = project.get("name")
    return Project(
        root=str(root),
        name=name if isinstance(name, str) else None,
        static_version=version if isinstance(version, str) else None,
        dynamic=tuple(str(field) for field in dynamic) if isinstance(dynamic, list) else (),
    )
