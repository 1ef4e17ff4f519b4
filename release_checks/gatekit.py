"""What every gate module shares: failing, skipping with a pointer, per-artifact items.

Gate modules import these; only gates call them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    from packaging.version import Version

    from release_checks.distset import DistSet
    from release_checks.run import ReleaseRun

__all__ = ["artifact_path", "fail", "parametrize_artifacts", "release_version", "undecidable"]

# Fixture names a gate asks for to be run once per artifact of that kind.
_ARTIFACT_PARAMETERS = {
    "artifact": ("sdist", "wheel"),
    "wheel_artifact": ("wheel",),
    "sdist_artifact": ("sdist",),
}


def parametrize_artifacts(metafunc: pytest.Metafunc) -> None:
    """Give a gate one item per artifact: file names with --release-dist, else the kinds.

    A gate takes `artifact` (every file), `wheel_artifact` or `sdist_artifact`; the value is
    what `artifact_path` resolves.
    """
    from release_checks.dists import dist_kind  # noqa: PLC0415
    from release_checks.distset import find_prebuilt  # noqa: PLC0415
    from release_checks.plugin import RUN_KEY  # noqa: PLC0415

    prebuilt = metafunc.config.stash[RUN_KEY].options.release_dist
    found = find_prebuilt(prebuilt).files if prebuilt is not None else []
    for name, kinds in _ARTIFACT_PARAMETERS.items():
        if name in metafunc.fixturenames:
            files = [path.name for path in found if dist_kind(path) in kinds]
            metafunc.parametrize(name, files or list(kinds))


def artifact_path(dists: DistSet, artifact: str) -> Path | None:
    """The file an `artifact` parameter names: "sdist", "wheel" (the first) or a file name."""
    if artifact == "sdist":
        return Path(dists.sdist) if dists.sdist else None
    if artifact == "wheel":
        return Path(dists.wheels[0]) if dists.wheels else None
    return next((path for path in dists.files if path.name == artifact), None)


def fail(message: str) -> NoReturn:
    """Fail a gate with a message and no traceback: what, where, how to fix."""
    __tracebackhide__ = True  # report the gate's line, not this helper's
    pytest.fail(message, pytrace=False)


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
