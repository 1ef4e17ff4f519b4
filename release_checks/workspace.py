"""A workspace: one repository whose root pyproject.toml lists several packages to release.

``[tool.release-checks] packages = ["packages/*", "tools/cli"]`` at the root names package
directories (globs allowed); each has its own pyproject.toml and is checked as its own
release. A package's ``[tool.release-checks]`` table is laid over the root's key by key, so the
root holds what all packages share (``release-branch``, ``index``, ``waive``) and each package
what is its own (``tag-prefix``, ``changelog``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from release_checks.errors import ConfigError

__all__ = ["Member", "find_members", "find_workspace_table", "merged_pyproject", "package_id"]

_KEY = "tool.release-checks.packages"


@dataclass(frozen=True, kw_only=True)
class Member:
    """One package of the workspace: its id (for test ids), directory and parsed pyproject."""

    id: str
    root: Path
    pyproject: dict[str, Any]


def _table(pyproject: Mapping[str, Any]) -> dict[str, Any]:
    tool = pyproject.get("tool")
    table = tool.get("release-checks") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else {}


def package_dirs(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    """The directories `patterns` match under `root`, in order, each holding a pyproject.toml.

    A pattern matching nothing, or a directory without pyproject.toml, is a ConfigError: a
    package silently left out would go unchecked. Files and hidden directories are passed over.
    """
    where = root / "pyproject.toml"
    found: list[Path] = []
    for pattern in patterns:
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            raise ConfigError(
                f"{where}: `{_KEY}` entry {pattern!r} must be a path relative to the workspace "
                "root, inside it"
            )
        matches = sorted(
            path
            for path in ([root] if pattern in (".", "./") else root.glob(pattern))
            if path.is_dir() and not path.name.startswith(".")
        )
        if not matches:
            raise ConfigError(
                f"{where}: `{_KEY}` entry {pattern!r} matches no directory under {root}; "
                "fix the path or glob, or remove the entry"
            )
        for path in matches:
            if not (path / "pyproject.toml").is_file():
                raise ConfigError(
                    f"{where}: `{_KEY}` entry {pattern!r} matches {path}, which has no "
                    "pyproject.toml; narrow the glob or give the package one"
                )
            if path.resolve() not in found:
                found.append(path.resolve())
    return found


def package_id(directory: Path, pyproject: Mapping[str, Any]) -> str:
    """The package's id in test ids: its normalized distribution name, else its directory's."""
    project = pyproject.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return canonicalize_name(name if isinstance(name, str) and name else directory.name)


def merged_pyproject(
    root_pyproject: Mapping[str, Any], pyproject: Mapping[str, Any], where: Path
) -> dict[str, Any]:
    """The package's pyproject with the root's ``[tool.release-checks]`` keys under its own."""
    own = _table(pyproject)
    if "packages" in own:
        raise ConfigError(
            f"{where}: `{_KEY}` belongs in the workspace root's pyproject.toml only; "
            "remove it here (workspaces do not nest)"
        )
    shared = {key: value for key, value in _table(root_pyproject).items() if key != "packages"}
    tool = pyproject.get("tool")
    tool = dict(tool) if isinstance(tool, dict) else {}
    tool["release-checks"] = {**shared, **own}
    return {**pyproject, "tool": tool}


def find_members(
    root: Path, root_pyproject: Mapping[str, Any], patterns: tuple[str, ...]
) -> list[Member]:
    """The workspace's packages, each with its merged configuration; ids must be unique."""
    from release_checks.project import load_pyproject  # noqa: PLC0415

    members: list[Member] = []
    for directory in package_dirs(root, patterns):
        own = root_pyproject if directory == root.resolve() else load_pyproject(directory)
        pyproject = merged_pyproject(root_pyproject, own, directory / "pyproject.toml")
        member = Member(id=package_id(directory, own), root=directory, pyproject=pyproject)
        twin = next((other for other in members if other.id == member.id), None)
        if twin is not None:
            raise ConfigError(
                f"{root / 'pyproject.toml'}: `{_KEY}` lists two packages named {member.id!r} "
                f"({twin.root} and {directory}); each package needs its own name"
            )
        members.append(member)
    return members


def find_workspace_table(package_root: Path) -> tuple[Path, dict[str, Any]] | None:
    """The workspace root above `package_root` whose ``packages`` list it, with its pyproject.

    So a package checked from its own directory gets the settings the root shares with it.
    The search stops at the repository's top (a directory holding ``.git``).
    """
    from release_checks.project import load_pyproject  # noqa: PLC0415

    here = package_root.resolve()
    for directory in here.parents:
        if (directory / "pyproject.toml").is_file():
            pyproject = load_pyproject(directory)
            patterns = _table(pyproject).get("packages")
            if isinstance(patterns, list) and all(isinstance(p, str) for p in patterns):
                try:
                    if here in package_dirs(directory, tuple(patterns)):
                        return directory, pyproject
                except ConfigError:
                    return None  # reported when the workspace itself is checked
        if (directory / ".git").exists():
            return None
    return None
