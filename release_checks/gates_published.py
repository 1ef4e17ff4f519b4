"""Post-publish gates (issue 4): ``pytest -m published``, collected through `release_checks.gates`.

Not release gates: they run after the upload, on the index the release went to, and check
that what was tested is what was published.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from release_checks.gatekit import fail, release_version, undecidable

if TYPE_CHECKING:
    from packaging.version import Version

    from release_checks.index import IndexPage
    from release_checks.run import ReleaseRun

__all__ = [
    "test_published_files_match",
    "test_published_release_installs",
    "test_published_version_listed",
]

pytestmark = [pytest.mark.published, pytest.mark.network]

_SEE_LISTED = "see test_published_version_listed"


def _local_files(run: ReleaseRun) -> list[Path]:
    """The artifacts that were (to be) uploaded: the --release-dist files, or a build."""
    dists = run.dists()
    if dists.error is not None:
        fail(f"the local artifacts to compare with the index are not available: {dists.error}")
    return dists.files


def _published_page(run: ReleaseRun, version: Version) -> IndexPage:
    """The index page after waiting for the upload to show, or a skip (fail if strict)."""
    __tracebackhide__ = True
    page = run.published_page(version, [path.name for path in _local_files(run)])
    if page.error is not None:
        undecidable(run, f"cannot check the published release: {page.error}")
    return page


def test_published_version_listed(release_run: ReleaseRun) -> None:
    """The index lists the release version, with at least one file that is not yanked.

    The index is asked again for up to ``--release-index-wait`` seconds (default 60), with
    caches told to revalidate, until it shows the version and every local artifact: indexes
    and their mirrors take a moment to show an upload.
    Why: an upload that failed, went to another index (a test index, a wrong repository URL)
    or was yanked leaves users on the previous version.
    Fix: upload the files (``twine upload dist/*``); point ``--release-index`` at the index
    you uploaded to; for a slow mirror, raise ``--release-index-wait``.
    """
    version = release_version(release_run)
    page = _published_page(release_run, version)
    if not page.listed:
        fail(
            f"{page.index} has no project {page.project} at all, so not {version}, after "
            f"waiting {release_run.options.index_wait:g} s: upload the files (`twine upload "
            "dist/*`), or point --release-index at the index you uploaded to"
        )
    files = page.files_of(version)
    if not files and not page.lists_version(version):
        others = sorted({file.version for file in page.files if file.version}, reverse=True)
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        fail(
            f"{page.project} {version} is not on {page.index} after waiting "
            f"{release_run.options.index_wait:g} s (versions there: {shown or 'none'}). Upload "
            "the files (`twine upload dist/*`), point --release-index at the index you uploaded "
            "to, or for a slow index raise --release-index-wait."
        )
    if files and all(file.yanked for file in files):
        reasons = {file.yanked_reason for file in files if file.yanked_reason}
        why = f" ({'; '.join(sorted(reasons))})" if reasons else ""
        fail(
            f"every file of {page.project} {version} on {page.index} is yanked{why}: installers "
            "skip it unless pinned with ==. Un-yank it on the index if the yank was a mistake."
        )


def test_published_files_match(release_run: ReleaseRun) -> None:
    """Every local artifact is on the index, with the same sha256: what was tested was published.

    The local artifacts are the ``--release-dist`` files (give the directory you uploaded),
    else a fresh build, which matches only when the build backend is byte-reproducible.
    Why: a rebuild between the checks and the upload, or a file uploaded from another job,
    publishes bytes nobody tested; a file missing from the index means users on some
    platforms build from the sdist or get nothing.
    Fix: upload the missing files (``twine upload --skip-existing dist/*``). For a different
    sha256, compare with the files you uploaded (``--release-dist``); if the index really
    holds other bytes, yank the release and publish a new version from the tested files.
    """
    from release_checks.index import file_sha256  # noqa: PLC0415

    version = release_version(release_run)
    page = _published_page(release_run, version)
    if not page.listed or not page.lists_version(version):
        pytest.skip(f"{version} is not on the index — {_SEE_LISTED}")
    problems = []
    for path in _local_files(release_run):
        remote = page.find(path.name)
        digest = file_sha256(path)
        if remote is None:
            problems.append(f"  - {path.name}: not on the index")
        elif remote.sha256 is None:
            problems.append(f"  - {path.name}: the index gives no sha256 for it to compare")
        elif remote.sha256 != digest:
            problems.append(f"  - {path.name}: sha256 {remote.sha256} on the index, {digest} here")
    if problems:
        rebuilt = (
            ""
            if release_run.options.release_dist
            else (
                "\nThe local files were built for this run: unless the build is byte-reproducible, "
                "pass the files you uploaded with --release-dist."
            )
        )
        fail(
            f"the index {page.index} does not hold the tested files of {page.project} "
            f"{version}:\n" + "\n".join(problems) + rebuilt + "\nUpload missing files with "
            "`twine upload --skip-existing`; if the index holds other bytes, yank the release "
            "and publish a new version from the tested files."
        )


def test_published_release_installs(release_run: ReleaseRun) -> None:
    """``pip install NAME==VERSION`` from the index works in a fresh virtualenv, and imports.

    Checks: the release alone installs from the index (``--no-deps``, so no other index can
    supply it); its dependencies install from your usual pip configuration (a test index
    rarely has them); every import name imports; ``importlib.metadata.version()`` and
    ``__version__`` equal the release version.
    Why: the index serves files your users resolve by name and version; a wrong
    ``Requires-Python``, a missing wheel or a broken upload only shows up this way.
    Fix: as the message says; pip's output is quoted.
    """
    from release_checks.dists import wheel_import_names  # noqa: PLC0415
    from release_checks.gates import _probe_problems  # noqa: PLC0415 - shared with the wheel gate
    from release_checks.index import redact_text  # noqa: PLC0415
    from release_checks.venvs import probe  # noqa: PLC0415

    version = release_version(release_run)
    page = _published_page(release_run, version)
    if not page.listed or not page.lists_version(version):
        pytest.skip(f"{version} is not on the index — {_SEE_LISTED}")
    local = _local_files(release_run)
    has_dependencies = any(release_run.metadata(path).get("requires_dist") for path in local)
    venv = release_run.published_venv(version, has_dependencies)
    if venv.error is not None:
        log = redact_text(venv.install_log, release_run.index_url.url)
        fail(f"{venv.error} ({page.index}):\n{log}")
    wheel = next((path for path in local if path.suffix == ".whl"), None)
    names = list(release_run.config.import_names) or (wheel_import_names(wheel) if wheel else [])
    dist_name = release_run.project_name
    problems = _probe_problems(probe(venv, dist_name, names), dist_name, version, names)
    if problems:
        fail(
            f"{dist_name}=={version} installed from {page.index}:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )
