"""Release gates (issue 4) that ask the package index, collected through `release_checks.gates`.

Marked ``network`` too: ``pytest -m "release and not network"`` runs the gates offline.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from release_checks.gatekit import fail, release_version, undecidable

if TYPE_CHECKING:
    from packaging.version import Version

    from release_checks.index import IndexFile
    from release_checks.run import ReleaseRun

__all__ = ["test_version_not_on_index"]

pytestmark = [pytest.mark.release, pytest.mark.network]


def test_version_not_on_index(release_run: ReleaseRun) -> None:
    """The release version is not on the package index yet, and no file name of it is taken.

    Checks the project's page on the index (``--release-index``, else
    ``tool.release-checks.index``, else pip's ``index-url``, else the public index) through the
    Simple Repository API: it has no file of this version (PEP 440 equality, so 1.0 is 1.0.0;
    a yanked file counts, yanking frees nothing) and no file named like one of the artifacts,
    however spelt (``Foo_Bar-1.0.tar.gz`` is ``foo_bar-1.0.tar.gz``). A project the index does
    not know yet passes. An index that cannot be reached (after a few retries, within about
    30 s) skips the gate, and fails it under ``--release-strict`` or in a CI tag build.
    Why: an index never takes a version or a file name twice, not even after it was deleted;
    the upload fails after the tag is pushed, or half-way, leaving a release made of two builds.
    Fix: bump the version and tag it anew. When the files there are this very build (same
    sha256) from an upload that stopped half-way, upload the rest with
    ``twine upload --skip-existing`` and check with ``pytest -m published``.
    """
    version = release_version(release_run)
    page = release_run.index_page()
    if page.error is not None:
        undecidable(
            release_run, f"cannot tell whether {version} is already on the index: {page.error}"
        )
    if not page.listed:
        return
    dists = release_run.dists()
    local = [] if dists.error is not None else dists.files
    taken = {file.filename: file for file in page.files_of(version)}
    taken.update({file.filename: file for path in local if (file := page.find(path.name))})
    if not taken and not page.lists_version(version):
        return
    lines, identical = _describe_taken(list(taken.values()), local)
    if not lines:  # listed among the versions, without a file
        deleted = "its files were deleted, and the version stays taken"
        lines = [
            f"  - {version} is among the versions it lists (PEP 700), without a file: {deleted}"
        ]
    advice = (
        "An index never takes a file name twice, not even after a delete or a yank, and a "
        f"published version is no place for another build. Bump the version (for example to "
        f"{_next_version(version)}) and tag it."
    )
    if identical and len(identical) == len(local):
        advice += (
            "\nEvery local file is on the index already, identical: this build is published. "
            "Check it with `pytest -m published`; there is nothing left to upload."
        )
    elif identical:
        advice += (
            "\nThe files marked identical are this very build: if its upload stopped half-way, "
            "upload the rest with `twine upload --skip-existing` and check the release with "
            "`pytest -m published`."
        )
    fail(
        f"{page.project} {version} is already on the index {page.index}:\n"
        + "\n".join(lines)
        + "\n"
        + advice
    )


def _describe_taken(taken: list[IndexFile], local: list[Path]) -> tuple[list[str], list[Path]]:
    """One line per file on the index, saying which local file it clashes with and how.

    Also gives the local files the index already holds byte for byte.
    """
    from release_checks.index import file_sha256  # noqa: PLC0415

    lines = []
    identical = []
    for file in sorted(taken, key=lambda file: file.filename):
        note = f" (yanked{': ' + file.yanked_reason if file.yanked_reason else ''})"
        line = f"  - {file.filename}{note if file.yanked else ''}"
        clash = next((path for path in local if _same_file_name(path.name, file)), None)
        if clash is not None:
            same = (
                "your file of that name"
                if clash.name == file.filename
                else (f"your {clash.name}, spelt differently")
            )
            digest = file_sha256(clash)
            if file.sha256 == digest:
                line += f": {same}, identical (sha256 {digest})"
                identical.append(clash)
            elif file.sha256 is not None:
                line += f": {same}, with other contents (sha256 {file.sha256} there, {digest} here)"
            else:
                line += f": {same}"
        lines.append(line)
    return lines, identical


def _same_file_name(name: str, file: IndexFile) -> bool:
    from release_checks.index import filename_key  # noqa: PLC0415

    return name == file.filename or filename_key(name) == filename_key(file.filename)


def _next_version(version: Version) -> str:
    """The version one step on, in the same series: 1.2.3 → 1.2.4, 2.0rc1 → 2.0rc2."""
    return re.sub(r"\d+$", lambda match: str(int(match.group()) + 1), version.public)
