"""Facts from git: the commit at HEAD, its tags, and which files the build added."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from release_checks.errors import FactError

__all__ = [
    "head_commit",
    "is_repository",
    "is_shallow",
    "release_tags",
    "repository_problem",
    "run_git",
    "stray_paths",
    "tag_commit",
    "tags_at_head",
]

_TIMEOUT = 60


def run_git(root: Path, *args: str, stdin: str | None = None, ok: tuple[int, ...] = (0,)) -> str:
    """Run git in `root` and return its output; any failure is a FactError with git's words.

    `ok` lists the exit codes that are answers, not failures (1 for "nothing matched", say).
    """
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
            encoding="utf-8",
            errors="replace",
        )
    except FileNotFoundError:
        raise FactError("git is not installed (or not on PATH); install git") from None
    except subprocess.TimeoutExpired:
        raise FactError(f"`git {' '.join(args)}` did not finish in {_TIMEOUT} s") from None
    if done.returncode not in ok:
        message = done.stderr.strip().splitlines()
        raise FactError(f"`git {' '.join(args)}` failed: {message[-1] if message else '?'}")
    return done.stdout


def is_repository(root: Path) -> bool:
    """True when `root` is inside a git work tree (False when git itself is missing)."""
    return repository_problem(root) is None


def repository_problem(root: Path) -> str | None:
    """Why git cannot answer for `root`, or None when it can.

    A missing git and a directory outside any repository need different fixes, so a gate
    that skips for either says which one it is.
    """
    try:
        if run_git(root, "rev-parse", "--is-inside-work-tree").strip() == "true":
            return None
    except FactError as error:
        if shutil.which("git") is None:
            return "git is not installed (or not on PATH), so tags and tracked files cannot be read"
        if "not a git repository" not in str(error):
            return f"git cannot read {root}: {error}"
    return f"{root} is not a git repository (no .git in it or above it)"


def head_commit(root: Path) -> str:
    """The full hash of HEAD; a FactError in a repository without commits."""
    return run_git(root, "rev-parse", "--verify", "HEAD^{commit}").strip()


def tags_at_head(root: Path) -> list[str]:
    """Every tag (lightweight or annotated) that points at HEAD, sorted by name."""
    return sorted(run_git(root, "tag", "--points-at", "HEAD").split())


def release_tags(root: Path) -> list[str]:
    """All tags, newest first by the date of the tag (or its commit)."""
    return run_git(root, "tag", "--list", "--sort=-creatordate").split()


def tag_commit(root: Path, tag: str) -> str | None:
    """The commit a tag points at, or None when this clone has no such tag."""
    try:
        return run_git(
            root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}"
        ).strip()
    except FactError:
        return None


def is_shallow(root: Path) -> bool:
    """True in a shallow clone, where history (and often tags) are missing."""
    return run_git(root, "rev-parse", "--is-shallow-repository").strip() == "true"


def stray_paths(root: Path) -> set[str]:
    """Absolute untracked and ignored paths under `root`, as git reports them.

    Taken before and after a build, the difference is what the build backend left in the
    user's tree (for example setuptools' ``*.egg-info``), which we then remove.
    """
    top = Path(run_git(root, "rev-parse", "--show-toplevel").strip())
    output = run_git(
        root, "status", "--porcelain=v1", "-z", "--ignored", "--untracked-files=normal", "."
    )
    entries = output.split("\0")
    return {str(top / entry[3:]) for entry in entries if entry[:3] in ("?? ", "!! ")}
