"""One `ReleaseRun` per package: a lone project, or each package a workspace lists.

Knows nothing of pytest. Each package's run has its own subdirectory of the run's shared
directory, so its facts (and their locks) are its own: building one package never waits on
another's lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from release_checks import background
from release_checks.errors import ConfigError, ReleaseChecksError
from release_checks.run import ReleaseRun, RunOptions
from release_checks.workspace import Member, find_members, find_workspace_table, merged_pyproject

__all__ = ["make_runs", "prebuild", "select_packages"]


def _members(root: Path) -> list[Member]:
    """The packages to check from `root`: the workspace's, or `root` alone.

    A package checked from its own directory still gets the settings of a workspace root
    above it that lists it.
    """
    from release_checks.config import parse_config  # noqa: PLC0415
    from release_checks.project import load_pyproject  # noqa: PLC0415

    pyproject = load_pyproject(root)
    patterns = parse_config(pyproject).packages
    if patterns:
        return find_members(root, pyproject, patterns)
    workspace = find_workspace_table(root)
    if workspace is not None:
        pyproject = merged_pyproject(workspace[1], pyproject, root / "pyproject.toml")
    return [Member(id="", root=root, pyproject=pyproject)]


def make_runs(root: Path, options: RunOptions, shared_dir: Path) -> dict[str, ReleaseRun]:
    """A run per package, by package id; a single package (or lone project) is under ""."""
    from release_checks.config import parse_config  # noqa: PLC0415
    from release_checks.project import read_project  # noqa: PLC0415

    members = _members(root)
    many = len(members) > 1
    runs: dict[str, ReleaseRun] = {}
    for member in members:
        try:
            config = parse_config(member.pyproject)
        except ConfigError as error:
            where = member.root / "pyproject.toml"
            raise ConfigError(f"{where}: {error}".replace(": pyproject.toml:", ":")) from None
        key = member.id if many else ""
        own_dir = shared_dir / key if many else shared_dir
        own_dir.mkdir(exist_ok=True)
        runs[key] = ReleaseRun(
            project=read_project(member.root, member.pyproject),
            config=config,
            options=options,
            shared_dir=own_dir,
            package=key,
            siblings=tuple(canonicalize_name(other.id) for other in members if other is not member)
            if many
            else (),
            progress_path=shared_dir / "progress.jsonl",
        )
    return runs


def select_packages(
    runs: dict[str, ReleaseRun], wanted: Sequence[str], invocation_dir: Path
) -> dict[str, ReleaseRun]:
    """The runs `--release-package` names, by normalized name or directory; all without it."""
    if not wanted:
        return runs
    chosen: dict[str, ReleaseRun] = {}
    for name in wanted:
        directory = (invocation_dir / name).resolve()
        key = next(
            (
                key
                for key, run in runs.items()
                if key == canonicalize_name(name) or run.root.resolve() == directory
            ),
            None,
        )
        if key is None:
            valid = ", ".join(key or run.project_name for key, run in runs.items())
            raise ConfigError(f"--release-package {name}: no such package here; packages: {valid}")
        chosen[key] = runs[key]
    return chosen


def prebuild(runs: Iterable[ReleaseRun], workers: int) -> list[threading.Thread]:
    """Prepare the runs in background threads, `workers` at a time, without waiting.

    Each run builds its dists, then fills the fresh virtualenvs its gates want (see
    `ReleaseRun.prepare`). Builds and installs are subprocesses, so threads overlap them
    with each other and with the gates; the gates then find the records
    (or wait on the lock of the one being built). A failure is recorded for its gate to
    report; anything else is left for the gate to meet again. Join the threads returned
    before the run's shared directory goes.
    """
    pending = list(runs)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not pending:
                    return
                run = pending.pop(0)
            try:
                run.prepare()
            except ReleaseChecksError:
                continue
            except Exception:  # noqa: BLE001, S112 - the gate computing it reports it
                continue

    return [
        background.start(work, "release-checks-build")
        for _ in range(max(1, min(workers, len(pending))))
    ]
