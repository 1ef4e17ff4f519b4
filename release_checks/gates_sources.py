"""Release gates (issue 3) on where the dists come from: git, the tree, the dist directory.

Collected through `release_checks.gates`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from release_checks import git
from release_checks.gatekit import artifact_path, fail, release_version, undecidable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from packaging.version import Version

    from release_checks.distset import DistSet
    from release_checks.equivalence import WheelComparison
    from release_checks.run import ReleaseRun

__all__ = [
    "test_dist_dir_holds_only_this_release",
    "test_sdist_matches_git",
    "test_wheel_equivalent_to_tree_build",
]

_LISTED = 25  # lines of a list shown in a message before "and N more"


def _bullets(lines: Sequence[str], indent: str = "  ") -> list[str]:
    shown = [f"{indent}- {line}" for line in lines[:_LISTED]]
    if len(lines) > _LISTED:
        shown.append(f"{indent}  … and {len(lines) - _LISTED} more")
    return shown


def test_sdist_matches_git(
    release_run: ReleaseRun, release_dists: DistSet, sdist_artifact: str
) -> None:
    """The sdist holds the git-tracked files the package needs, and no file git does not track.

    Needed: ``pyproject.toml``, the readme and license files, every tracked file of the package
    directories, the files the backend reads (``setup.py``, ``setup.cfg``, ``MANIFEST.in``,
    ``hatch.toml``...) and the ``backend-path`` directory — and every tracked file when the
    backend's sdist mirrors the repository (hatchling without sdist ``include``/``exclude``
    settings; setuptools with setuptools-scm). Not reported: files the backend generates
    (``PKG-INFO``, ``*.egg-info``, version files), files the project's .gitignore ignores
    (except with flit, which ships the whole package directory), and ``sdist-ignore`` paths.
    Skipped when the project is not a git repository (failed in strict mode).
    Why: a file missing from the sdist is missing for everyone who builds from it — pip on a
    platform without a wheel, distribution packagers; an untracked file (notes, a scratch
    script, a local config) is published by accident.
    Fix: as the message says for the backend: its sdist include/exclude settings,
    MANIFEST.in, or committing / deleting the file; list deliberate differences in
    ``tool.release-checks.sdist-ignore``.
    """
    from release_checks.dists import wheel_import_names  # noqa: PLC0415
    from release_checks.project import load_pyproject  # noqa: PLC0415
    from release_checks.sdist_sources import compare_sdist_with_git, fix_hints  # noqa: PLC0415

    sdist = artifact_path(release_dists, sdist_artifact)
    if sdist is None:
        pytest.skip("there is no sdist among the distributions")
    root = release_run.root
    problem = git.repository_problem(root)
    if problem is not None:
        undecidable(
            release_run, f"{problem}: there is no list of tracked files to compare the sdist with"
        )
    names = wheel_import_names(Path(release_dists.wheels[0])) if release_dists.wheels else []
    result = compare_sdist_with_git(
        root,
        sdist,
        load_pyproject(root),
        ignore=release_run.config.sdist_ignore,
        import_names=names,
    )
    if not result.missing and not result.untracked:
        return
    lines = [f"{sdist.name} does not match git (build backend: {result.backend}):"]
    if result.missing:
        lines.append("  tracked files it lacks:")
        lines += _bullets([f"{item.path} — {item.why}" for item in result.missing], "    ")
    if result.untracked:
        lines.append("  files it holds that git does not track:")
        lines += _bullets([f"{item.path} — {item.why}" for item in result.untracked], "    ")
    hints = fix_hints(result)
    if release_run.options.release_dist is not None:
        hints.insert(0, "a prebuilt sdist may just be stale: rebuild it from this checkout")
    fail("\n".join([*lines, "Fix:", *_bullets(hints)]))


def _skip_other_wheels(wheel: str, tree_wheel: str, version: Version) -> None:
    """Skip a prebuilt wheel of another release or platform: there is nothing to compare."""
    try:
        _, found_version, _, tags = parse_wheel_filename(wheel)
        tree_tags = parse_wheel_filename(tree_wheel)[3]
    except InvalidWheelFilename:
        return
    if found_version != version:
        pytest.skip(
            f"{wheel} is not a wheel of this release ({version}) — see "
            "test_dist_dir_holds_only_this_release"
        )
    if tags != tree_tags:
        pytest.skip(
            f"{wheel} is built for other platforms than this machine's wheel ({tree_wheel}); "
            "compare it where it is built"
        )


def test_wheel_equivalent_to_tree_build(
    release_run: ReleaseRun, release_dists: DistSet, wheel_artifact: str
) -> None:
    """The wheel holds the same files and metadata as a wheel built directly from the tree.

    Compares file names and sha256 (``RECORD`` aside; compiled extensions by name only) and
    ``METADATA`` field by field. The run's wheel is built from the sdist, so a difference
    means the sdist lacks something the build needs, or the build depends on git; with
    ``--release-dist`` the prebuilt wheel is compared, which also catches a stale dist
    directory (a prebuilt wheel for another platform is skipped). The tree's wheel is built
    once per run, in isolation, and only when this gate is selected.
    Why: users who install from the sdist, and every tool that builds from it, get the
    sdist's wheel — not the one your tests and ``pip install .`` saw.
    Fix: make the sdist carry what the build reads (see test_sdist_matches_git); for a
    prebuilt wheel, rebuild the dists from this checkout.
    """
    from release_checks.equivalence import compare_wheels  # noqa: PLC0415

    wheel = artifact_path(release_dists, wheel_artifact)
    if wheel is None:
        pytest.skip(
            "there is no wheel among the distributions — see test_wheel_works_in_fresh_venv"
        )
    tree = release_run.tree_wheel()
    if tree.error is not None or tree.wheel is None:
        fail(
            "building a wheel directly from the tree failed, so there is nothing to compare "
            f"{wheel.name} with; `pip install .` and installs from a git URL build this way:\n"
            f"{tree.error}"
        )
    tree_wheel = Path(tree.wheel)
    prebuilt = release_run.options.release_dist
    if prebuilt is not None:
        _skip_other_wheels(wheel.name, tree_wheel.name, release_version(release_run))
    comparison = compare_wheels(wheel, tree_wheel)
    if not comparison.equivalent:
        fail(_equivalence_message(comparison, wheel.name, prebuilt))


def _equivalence_message(comparison: WheelComparison, wheel: str, prebuilt: Path | None) -> str:
    from release_checks.equivalence import describe  # noqa: PLC0415

    if prebuilt is None:
        header = f"{wheel}, built from the sdist, differs from a wheel built from the tree:"
        differences = describe(comparison, "the sdist's wheel", "the tree's wheel")
        advice = (
            "Files only the tree's wheel has are missing from the sdist (see "
            "test_sdist_matches_git); other differences mean the build reads something the "
            "sdist does not carry (git metadata, an untracked or generated file). Users who "
            "install from the sdist get its wheel: make the sdist carry what the build needs."
        )
    else:
        header = f"{wheel} in {prebuilt} differs from a wheel built now from the tree:"
        differences = describe(comparison, "the prebuilt wheel", "the tree's wheel")
        advice = (
            "The prebuilt wheel is stale or was built from other sources (another commit, "
            "uncommitted changes): rebuild the dists from this checkout "
            "(`rm -rf dist && python -m build`)."
        )
        if comparison.our_generator != comparison.their_generator:
            advice += (
                f" It was built by {comparison.our_generator or 'an unknown tool'}, the tree's "
                f"wheel by {comparison.their_generator or 'an unknown tool'}: another backend "
                "version alone can change the metadata."
            )
    return "\n".join([header, *_bullets(differences), advice])


def test_dist_dir_holds_only_this_release(release_run: ReleaseRun) -> None:
    """The ``--release-dist`` directory holds one sdist and wheels of this release, nothing else.

    Every ``.whl`` and ``.tar.gz`` must carry the project's name and the release version
    (compared as PEP 440 versions, names canonicalized); signatures (``X.asc``) and
    attestations (``X.*.attestation``) of those files are fine; names starting with a dot are
    left out, as the shell's ``*`` leaves them out. Skipped without ``--release-dist``.
    Why: release workflows run ``twine upload dist/*``. A leftover of an earlier version is
    uploaded too, or stops the upload halfway when the index already has it; any other file
    makes twine stop before uploading anything; a missing sdist leaves users without a
    matching wheel, and distribution packagers, nothing to build from.
    Fix: build into an empty directory (``rm -rf dist && python -m build``), or remove the
    files the message names.
    """
    from release_checks.dist_dir import inspect_dist_dir, most_common_name  # noqa: PLC0415

    directory = release_run.options.release_dist
    if directory is None:
        pytest.skip(
            "checks the --release-dist directory; the run's own build directory holds only "
            "this release's files"
        )
    if not directory.is_dir():
        pytest.skip(f"--release-dist {directory} is not a directory — see test_dists_build")
    version = release_version(release_run)
    project = release_run.project.name or most_common_name(directory) or release_run.project_name
    found = inspect_dist_dir(directory, project, version, siblings=release_run.siblings)
    if not (found.sdists or found.wheels or found.strays):
        pytest.skip(f"--release-dist {directory} is empty — see test_dists_build")
    problems = [f"{stray.name}: {stray.why}" for stray in found.strays]
    if not found.sdists:
        problems.append(
            f"there is no sdist of {project} {version}: installers on platforms without a "
            "matching wheel, and distribution packagers, build from it "
            "(`python -m build` makes both)"
        )
    if len(found.sdists) > 1:
        problems.append(
            f"there are {len(found.sdists)} sdists of this release ({', '.join(found.sdists)}); "
            "the index takes one: keep the one `python -m build` makes"
        )
    if problems:
        fail(
            f"{directory} should hold this release's files and nothing else (one sdist and the "
            f"wheels of {project} {version}): `twine upload {directory}/*` uploads all of it.\n"
            + "\n".join(_bullets(problems))
            + "\nFix: build into an empty directory (`rm -rf dist && python -m build`), or "
            "remove the files named."
        )
