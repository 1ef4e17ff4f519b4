"""Fixtures for release gates, built-in and the user's own.

Each is a thin adapter over a fact of the run. When a fact is missing because an earlier step
failed, the fixture skips with a pointer to the gate that reports that failure, so one broken
build gives one failure instead of a cascade of errors.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata
    from packaging.version import Version

    from release_checks.changelog import ChangelogEntry
    from release_checks.config import ReleaseConfig
    from release_checks.context import ReleaseContext, TagChoice
    from release_checks.distset import DistSet
    from release_checks.project import Project
    from release_checks.run import ReleaseRun
    from release_checks.venvs import FreshVenv

__all__ = [
    "release_changelog",
    "release_config",
    "release_context",
    "release_dists",
    "release_metadata",
    "release_project",
    "release_run",
    "release_tag",
    "release_venv",
    "release_version",
    "release_wheel",
]


@pytest.fixture(scope="session")
def release_run(request: pytest.FixtureRequest) -> ReleaseRun:
    """The run's shared facts; only active when the run selects gates (``-m release``).

    In a workspace each package has its own run: gates are parametrized with its id.
    """
    from release_checks.plugin import RUN_KEY, RUNS_KEY  # noqa: PLC0415

    run: ReleaseRun | None = request.config.stash.get(RUN_KEY, None)
    if run is None:
        pytest.skip("release-checks is not active in this run: select it with `-m release`")
    return request.config.stash[RUNS_KEY].get(getattr(request, "param", ""), run)


@pytest.fixture(scope="session")
def release_config(release_run: ReleaseRun) -> ReleaseConfig:
    """The validated ``[tool.release-checks]`` settings."""
    return release_run.config


@pytest.fixture(scope="session")
def release_project(release_run: ReleaseRun) -> Project:
    """Static facts from pyproject.toml: root, name, static version, build backend."""
    return release_run.project


@pytest.fixture(scope="session")
def release_context(release_run: ReleaseRun) -> ReleaseContext:
    """Project, tag (with its source), version and where the dists come from."""
    return release_run.context()


@pytest.fixture(scope="session")
def release_tag(release_context: ReleaseContext) -> TagChoice:
    """The release tag and where it came from; ``.planned`` when it does not exist yet."""
    if release_context.tag is None:
        pytest.skip(f"no release tag: {release_context.problem}")
    return release_context.tag


@pytest.fixture(scope="session")
def release_version(release_context: ReleaseContext) -> Version:
    """The release version (the tag's), as a `packaging.version.Version`."""
    version = release_context.parsed_version
    if version is None:
        pytest.skip(release_context.no_version_reason)
    return version


@pytest.fixture(scope="session")
def release_dists(release_run: ReleaseRun) -> DistSet:
    """The sdist and wheels under test (``.sdist``, ``.wheels``, ``.files``)."""
    dists = release_run.dists()
    if dists.error is not None:
        pytest.skip("the distributions are not available — see test_dists_build")
    return dists


@pytest.fixture(scope="session")
def release_wheel(release_run: ReleaseRun, release_dists: DistSet) -> Path:  # noqa: ARG001
    """The wheel under test that `release_venv`'s interpreter can install."""
    python = release_run.first_python
    missing = release_run.interpreter(python).error
    if missing is not None:
        pytest.skip(f"{missing} — see test_wheel_works_in_fresh_venv")
    wheel = release_run.installable_wheel(python)
    if wheel is None:
        pytest.skip("no wheel installs on this interpreter — see test_wheel_works_in_fresh_venv")
    return wheel


@pytest.fixture(scope="session")
def release_metadata(release_run: ReleaseRun, release_dists: DistSet) -> dict[str, RawMetadata]:
    """Each artifact's core metadata by file name, as `packaging.metadata.RawMetadata`."""
    from release_checks.errors import FactError  # noqa: PLC0415

    try:
        return {path.name: release_run.metadata(path) for path in release_dists.files}
    except FactError as error:
        pytest.skip(f"{error} — see test_metadata_passes_twine_check")


@pytest.fixture(scope="session")
def release_venv(release_run: ReleaseRun, release_wheel: Path) -> FreshVenv:  # noqa: ARG001
    """A fresh virtualenv with the wheel installed; ``.run(*cmd)`` runs commands in it.

    It runs the first interpreter of ``tool.release-checks.python`` (default: the running one),
    and is the very environment the built-in gate checked under it.
    """
    from release_checks.errors import FactError  # noqa: PLC0415

    venv = release_run.venv(release_run.first_python)
    if venv.error is not None:
        pytest.skip("the wheel did not install — see test_wheel_works_in_fresh_venv")
    with suppress(FactError):  # the gate judges the environment before your gates change it
        release_run.import_probe(release_run.first_python)
    return venv


@pytest.fixture(scope="session")
def release_changelog(release_run: ReleaseRun, release_version: Version) -> ChangelogEntry:
    """The changelog section for the release version (``.body`` is its text)."""
    from release_checks.notes import release_notes  # noqa: PLC0415

    verdict = release_notes(release_run.root, release_run.config.changelog, release_version)
    if verdict.entry is None or verdict.problem is not None:
        pytest.skip("no usable changelog entry — see test_changelog_has_entry")
    return verdict.entry
