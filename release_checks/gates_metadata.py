"""Release gates (issue 3), collected through `release_checks.gates`.

The metadata as the index will take and show it, and the sdist and wheel telling the same story.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from release_checks.errors import FactError
from release_checks.gatekit import artifact_path, fail, undecidable

if TYPE_CHECKING:
    from release_checks.distset import DistSet
    from release_checks.index_rules import IndexProblem
    from release_checks.run import ReleaseRun

__all__ = ["test_metadata_fits_index", "test_sdist_and_wheel_agree"]

_SEE_TWINE = "see test_metadata_passes_twine_check"


def test_metadata_fits_index(
    release_run: ReleaseRun, release_dists: DistSet, artifact: str
) -> None:
    """The index accepts the artifact's metadata and shows it as meant: what twine check misses.

    Checks: ``Description-Content-Type`` has only parameters the index reads, and matches the
    long description (Markdown declared as reStructuredText or plain text, or
    reStructuredText declared as Markdown, is shown raw or garbled even when it renders);
    every classifier exists and is not deprecated; ``Requires-Python`` is present and admits
    every ``Programming Language :: Python :: X.Y`` classifier; the project has URLs, each a
    web address with a label of at most 32 characters; no dependency is a direct URL or a
    local path; ``License-Expression`` is canonical SPDX; the version has no local segment
    (``+...``); the summary fits in 512 characters. A field packaging rejects outright is
    left to test_metadata_passes_twine_check.
    Why: the index refuses such an upload, after the tag is pushed, or publishes a project
    page that shows raw markup, wrong Python support or no links.
    Fix: as each finding says, at the pyproject.toml key it names.
    """
    from release_checks.index_rules import index_problems  # noqa: PLC0415
    from release_checks.metadata_check import check_metadata  # noqa: PLC0415

    path = artifact_path(release_dists, artifact)
    if path is None:
        pytest.skip(f"there is no {artifact} among the distributions")
    twine_codes = {problem.code for problem in check_metadata(path)}
    if "unreadable" in twine_codes:
        pytest.skip(f"the core metadata of {path.name} cannot be read — {_SEE_TWINE}")
    problems = index_problems(
        release_run.metadata(path), rst_renders="render-error" not in twine_codes
    )
    problems = _leave_planned_local_version(release_run, path, problems)
    if problems:
        fail(
            f"{path.name}: the index would refuse or mis-show its metadata:\n"
            + "\n".join(_finding(problem) for problem in problems)
        )


def _leave_planned_local_version(
    release_run: ReleaseRun, path: Path, problems: list[IndexProblem]
) -> list[IndexProblem]:
    """Drop a local version built between releases: test_tag_is_pep440 reports that one.

    With no release tag at HEAD, a VCS version such as ``1.2.4.dev1+g1234abc`` is what every
    checkout between releases builds; it is no defect of the metadata.
    """
    if not any(problem.code == "local-version" for problem in problems):
        return problems
    release = release_run.context()
    if release.tag is not None and not release.tag.planned:
        return problems
    rest = [problem for problem in problems if problem.code != "local-version"]
    if not rest:
        version = release_run.metadata(path).get("version")
        undecidable(
            release_run,
            f"{path.name} has the local version {version}, which the index rejects, and there "
            "is no release tag at HEAD — see test_tag_is_pep440",
        )
    return rest


def _finding(problem: IndexProblem) -> str:
    where = " Where it comes from: see test_versions_agree." if problem.field == "Version" else ""
    return f"  - {problem.field} (pyproject.toml: {problem.key}):\n    {problem.message}{where}"


def test_sdist_and_wheel_agree(release_run: ReleaseRun, release_dists: DistSet) -> None:
    """The sdist and every wheel declare the same name, version, dependencies and entry points.

    Compares each wheel's ``METADATA`` with the sdist's ``PKG-INFO``: name, version,
    ``Requires-Dist`` (as parsed requirements, in any order), ``Provides-Extra``,
    ``Requires-Python``; fields the sdist marks ``Dynamic`` may differ and are skipped. The
    sdist has no entry_points.txt, so the wheel's entry points are compared with the sdist's
    pyproject.toml ``[project.scripts]``, ``[project.gui-scripts]`` and
    ``[project.entry-points]`` when it declares them statically.
    Why: users who install the sdist (no wheel for their platform) get a different package
    than users of the wheel, and tools that read the sdist's metadata without building it
    resolve the wrong dependencies.
    Fix: build both from the same tree in one step (``python -m build`` makes the wheel from
    the sdist); declare dependencies statically in ``[project]`` with environment markers
    instead of computing them in ``setup.py``, or list the field in ``[project] dynamic``.
    """
    from release_checks.dist_agreement import compare_dists  # noqa: PLC0415

    if release_dists.sdist is None:
        pytest.skip("there is no sdist among the distributions, so nothing to compare")
    if not release_dists.wheels:
        pytest.skip(
            "there is no wheel among the distributions — see test_wheel_works_in_fresh_venv"
        )
    sdist = Path(release_dists.sdist)
    reports = []
    for wheel in map(Path, release_dists.wheels):
        try:
            found = compare_dists(sdist, wheel)
        except FactError as error:
            pytest.skip(f"{error} — {_SEE_TWINE}")
        if found:
            reports.append(
                f"{sdist.name} and {wheel.name} disagree:\n"
                + "\n".join(f"  - {disagreement.describe()}" for disagreement in found)
            )
    if reports:
        fail("\n".join(reports) + "\n" + _agreement_fix(release_run))


def _agreement_fix(release_run: ReleaseRun) -> str:
    if release_run.options.release_dist is not None:
        return (
            f"The files in {release_run.options.release_dist} were not built from the same "
            "source: rebuild them together from the release tag with `python -m build`, which "
            "makes the wheel from the sdist."
        )
    return (
        "The wheel was built from this sdist, so the build depends on something outside the "
        "sdist's metadata (a setup.py that reads git, the environment or the build machine). "
        "Declare the values statically in pyproject.toml `[project]`, with environment markers "
        "for platform-specific dependencies, or list the field in `[project] dynamic` so the "
        "sdist marks it `Dynamic`."
    )
