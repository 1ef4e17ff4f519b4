"""Uncommitted changes in the project's part of the git work tree.

A release is a commit: whatever the tree adds to it (an edit, a new file the backend picks
up) is built and published but belongs to no tag. Only the project's directory counts, so
a package in a monorepo is not held up by its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from release_checks import git
from release_checks.errors import FactError
from release_checks.records import Record

__all__ = ["TreeChange", "TreeStatus", "tree_status"]

_STAGED = {
    "M": "staged change",
    "T": "staged type change",
    "A": "staged new file",
    "D": "staged deletion",
    "R": "staged rename",
    "C": "staged copy",
}
_UNSTAGED = {"M": "modified", "T": "type changed", "D": "deleted"}
_UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}
# Python writes bytecode caches on import, this very pytest run included (conftest.py,
# collected test modules); build backends leave them out of the dists.
_BYTECODE_DIR = "__pycache__"
_BYTECODE_SUFFIXES = (".pyc", ".pyo")


@dataclass(frozen=True, kw_only=True)
class TreeChange(Record):
    """One path git reports as changed, relative to the project root."""

    path: str
    state: str


@dataclass(frozen=True, kw_only=True)
class TreeStatus(Record):
    """The uncommitted changes, or why git could not list them."""

    changes: tuple[TreeChange, ...] = ()
    error: str | None = None


def _describe(code: str, source: str | None) -> str:
    if code == "??":
        return "untracked"
    if code in _UNMERGED:
        return "unmerged (a merge conflict)"
    states = []
    if code[0] in _STAGED:
        states.append(_STAGED[code[0]] + (f" from {source}" if source else ""))
    if code[1] in _UNSTAGED:
        states.append(_UNSTAGED[code[1]])
    return ", ".join(states) or f"changed (git status {code!r})"


def _is_bytecode(path: str) -> bool:
    return _BYTECODE_DIR in path.split("/") or path.endswith(_BYTECODE_SUFFIXES)


def tree_status(root: Path, *, exclude: Path | None = None) -> TreeStatus:
    """Tracked files changed (staged or not) and untracked, non-ignored files under `root`.

    Paths under `exclude` (the directory of prebuilt dists under test) and bytecode caches
    are left out. Never raises: outside a repository the status carries the error.
    """
    try:
        prefix = git.run_git(root, "rev-parse", "--show-prefix").strip()
        output = git.run_git(
            root, "--no-optional-locks", "status", "--porcelain=v1", "-z",
            "--untracked-files=all", "--", ".",
        )  # fmt: skip
    except FactError as error:
        return TreeStatus(error=git.repository_problem(root) or str(error))
    skipped = _relative(exclude, root) if exclude is not None else None
    fields = iter(output.split("\0"))
    changes = []
    for entry in fields:
        if not entry:
            continue
        code, path = entry[:2], entry[3:].removeprefix(prefix)
        source = next(fields, "").removeprefix(prefix) if code[0] in "RC" else None
        if _is_bytecode(path) or (skipped is not None and f"{path}/".startswith(skipped)):
            continue
        changes.append(TreeChange(path=path, state=_describe(code, source)))
    return TreeStatus(changes=tuple(changes))


def _relative(directory: Path, root: Path) -> str | None:
    """`directory` as a `posix/path/` prefix relative to `root`, or None if outside it."""
    try:
        relative = directory.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return f"{relative.as_posix()}/" if relative.parts else None
