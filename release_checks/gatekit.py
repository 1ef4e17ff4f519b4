"""What every gate module shares: failing, skipping with a pointer, per-artifact items.

Gate modules import these; only gates call them.
"""

from __future__ import annotations

from os import PathLike, fspath
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest
from _pytest.outcomes import Failed  # pytest.fail.Exception, spelt so mypy sees a class

if TYPE_CHECKING:
    from packaging.version import Version

    from release_checks.distset import DistSet
    from release_checks.run import ReleaseRun

__all__ = [
    "GateFailure",
    "artifact_path",
    "fail",
    "item_package",
    "parametrize_artifacts",
    "parametrize_interpreters",
    "parametrize_packages",
    "parametrize_workflows",
    "release_version",
    "undecidable",
    "unparametrized",
]

# Fixture names a gate asks for to be run once per artifact of that kind.
_ARTIFACT_PARAMETERS = {
    "artifact": ("sdist", "wheel"),
    "wheel_artifact": ("wheel",),
    "sdist_artifact": ("sdist",),
}


def _artifact_values(run: ReleaseRun, kinds: tuple[str, ...]) -> list[str]:
    """The package's files of `kinds` with --release-dist (by name), else the kinds."""
    from release_checks.dists import dist_kind  # noqa: PLC0415

    found = run.prebuilt().files if run.options.release_dist is not None else []
    return [path.name for path in found if dist_kind(path) in kinds] or list(kinds)


def parametrize_artifacts(metafunc: pytest.Metafunc) -> None:
    """Give a gate one item per artifact: file names with --release-dist, else the kinds.

    A gate takes `artifact` (every file), `wheel_artifact` or `sdist_artifact`; the value is
    what `artifact_path` resolves. In a workspace each package gets its own items, with the
    package's id in front (``[pkg-a-sdist]``); see `parametrize_packages`.
    """
    parametrize_packages(metafunc)


def parametrize_packages(metafunc: pytest.Metafunc) -> None:
    """One item per package of a workspace (``[pkg-a]``), and per artifact of each package.

    `release_run` is parametrized indirectly with the package's id; a lone package keeps
    unadorned ids. Per-workflow gates check the repository, not a package, so they get one
    item (their `release_run` is the first package's).
    """
    from release_checks.plugin import RUNS_KEY  # noqa: PLC0415

    runs = metafunc.config.stash[RUNS_KEY]
    per_package = list(runs) != [""] and "release_run" in metafunc.fixturenames
    if any(name in metafunc.fixturenames for name in _WORKFLOW_PARAMETERS):
        per_package = False
    artifact = next((name for name in _ARTIFACT_PARAMETERS if name in metafunc.fixturenames), None)
    if artifact is None:
        if per_package:
            metafunc.parametrize("release_run", list(runs), indirect=True, scope="session")
        return
    kinds = _ARTIFACT_PARAMETERS[artifact]
    if not per_package:
        metafunc.parametrize(artifact, _artifact_values(next(iter(runs.values())), kinds))
        return
    pairs = [(key, value) for key, run in runs.items() for value in _artifact_values(run, kinds)]
    metafunc.parametrize(
        ("release_run", artifact),
        pairs,
        indirect=["release_run"],
        ids=[f"{key}-{value}" for key, value in pairs],
    )


def item_package(item: pytest.Item) -> str:
    """The id of the package a gate item checks ("" when the run has one package)."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    key = params.get("release_run", "")
    return key if isinstance(key, str) else ""


def parametrize_interpreters(metafunc: pytest.Metafunc) -> None:
    """Give a gate taking `release_python` one item per ``tool.release-checks.python`` entry.

    Ids read ``[py3.12]``; with no list the gate keeps its plain id and `release_python` is
    None (the running interpreter).
    """
    from release_checks.interpreters import interpreter_id  # noqa: PLC0415
    from release_checks.plugin import RUN_KEY  # noqa: PLC0415

    if "release_python" not in metafunc.fixturenames:
        return
    specs = metafunc.config.stash[RUN_KEY].config.python
    if specs:
        metafunc.parametrize("release_python", specs, ids=[interpreter_id(s) for s in specs])


# Fixture names a gate asks for to be run once per workflow file; no file, no item.
_WORKFLOW_PARAMETERS = ("workflow_file", "publish_workflow")


def parametrize_workflows(metafunc: pytest.Metafunc) -> None:
    """Give a gate one item per workflow file: `workflow_file` (each) or `publish_workflow`.

    `publish_workflow` takes the files with a job that uploads to an index. Without such
    files the gate is not parametrized, and `unparametrized` drops it from collection
    (pytest would turn an empty parameter list into a skip).
    """
    from release_checks.plugin import RUN_KEY  # noqa: PLC0415

    names = [name for name in _WORKFLOW_PARAMETERS if name in metafunc.fixturenames]
    if not names:
        return
    workflows = metafunc.config.stash[RUN_KEY].workflows
    for name in names:
        files = [w.name for w in workflows if name == "workflow_file" or w.publish_jobs()]
        if files:
            metafunc.parametrize(name, files)


def unparametrized(node: pytest.Item | pytest.Collector) -> bool:
    """True for a per-workflow gate that got no workflow file: it is not collected."""
    if not isinstance(node, pytest.Function) or hasattr(node, "callspec"):
        return False
    return any(name in node.fixturenames for name in _WORKFLOW_PARAMETERS)


def artifact_path(dists: DistSet, artifact: str) -> Path | None:
    """The file an `artifact` parameter names: "sdist", "wheel" (the first) or a file name."""
    if artifact == "sdist":
        return Path(dists.sdist) if dists.sdist else None
    if artifact == "wheel":
        return Path(dists.wheels[0]) if dists.wheels else None
    return next((path for path in dists.files if path.name == artifact), None)


class GateFailure(Failed):
    """A gate's failure that also knows the file and line at fault, for CI annotations.

    A subclass of pytest's own failure outcome, so pytest reports it exactly like
    ``pytest.fail`` (named alike, as ``Failed: message``); the plugin copies `location` into
    the test report.
    """

    __module__ = "builtins"
    __qualname__ = "Failed"

    def __init__(self, message: str, location: tuple[str, int | None] | None) -> None:
        super().__init__(message, pytrace=False)
        self.location = location


def fail(
    message: str, *, file: str | PathLike[str] | None = None, line: int | None = None
) -> NoReturn:
    """Fail a gate with a message and no traceback: what, where, how to fix.

    `file` (absolute, or relative to the project root) and `line` (1-based) say where the
    defect is, when that is known; the message should still name it for terminal readers.
    """
    __tracebackhide__ = True  # report the gate's line, not this helper's
    location = (fspath(file), line) if file is not None else None
    # `from None`: called while handling a FactError, pytest would print that error and
    # "During handling of the above exception..." before the message.
    raise GateFailure(message, location) from None


def release_version(run: ReleaseRun) -> Version:
    """The release version, or a skip that points at the gate reporting why there is none."""
    __tracebackhide__ = True
    release = run.context()
    if release.parsed_version is None:
        pytest.skip(release.no_version_reason)
    return release.parsed_version


def undecidable(run: ReleaseRun, reason: str) -> NoReturn:
    """Skip when a fact is missing, but fail in strict mode, where a skip could hide a defect."""
    __tracebackhide__ = True
    if run.strict:
        fail(f"{reason} (failing instead of skipping: --release-strict or a CI tag build)")
    pytest.skip(reason)
