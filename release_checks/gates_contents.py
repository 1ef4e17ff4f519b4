"""Release gates (issue 3) on what the artifacts hold: wheel contents, wheel integrity, safety.

Collected through `release_checks.gates`, whose per-artifact parametrization (``wheel_artifact``:
one item per wheel; ``artifact``: one per file) these gates share; plain ``release`` gates.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from release_checks.archives import list_members
from release_checks.errors import FactError
from release_checks.gatekit import artifact_path, fail

if TYPE_CHECKING:
    from release_checks.distset import DistSet
    from release_checks.run import ReleaseRun

__all__ = [
    "test_archive_is_safe_to_extract",
    "test_wheel_filename_matches_metadata",
    "test_wheel_has_no_stray_files",
    "test_wheel_modules_are_importable",
    "test_wheel_record_matches_contents",
    "test_wheel_tags_match_metadata",
]

_MAX_LINES = 15
_RECORD_GATE = "test_wheel_record_matches_contents"


def _bullets(lines: list[str]) -> str:
    shown = [f"  - {line}" for line in lines[:_MAX_LINES]]
    if len(lines) > _MAX_LINES:
        shown.append(f"  … and {len(lines) - _MAX_LINES} more")
    return "\n".join(shown)


def _wheel(dists: DistSet, wheel_artifact: str) -> Path:
    path = artifact_path(dists, wheel_artifact)
    if path is None:
        pytest.skip(
            "there is no wheel among the distributions — see test_wheel_works_in_fresh_venv"
        )
    return path


def _member_names(path: Path) -> list[str]:
    """The wheel's file names; an unreadable wheel skips, pointing at the gate that fails it."""
    try:
        return [member.name for member in list_members(path) if member.kind != "dir"]
    except FactError as error:
        pytest.skip(f"{error} — see {_RECORD_GATE}")


def _dist_name(run: ReleaseRun, path: Path) -> str:
    try:
        return parse_wheel_filename(path.name)[0]
    except InvalidWheelFilename:
        return run.project_name


def _build_backend(run: ReleaseRun) -> str | None:
    """The backend the project builds with, to word the fix (None if pyproject.toml is gone)."""
    from release_checks.errors import ConfigError  # noqa: PLC0415
    from release_checks.project import load_pyproject  # noqa: PLC0415

    try:
        build_system = load_pyproject(run.root).get("build-system")
    except ConfigError:
        return None
    backend = build_system.get("build-backend") if isinstance(build_system, dict) else None
    return backend if isinstance(backend, str) else None


def _package_path(run: ReleaseRun, dist_name: str) -> str:
    """Where the package lives in the source tree, for the fix: ``src/demo`` or ``demo``."""
    module = canonicalize_name(dist_name).replace("-", "_")
    return f"src/{module}" if (run.root / "src" / module).is_dir() else module


def test_wheel_has_no_stray_files(
    release_run: ReleaseRun, release_dists: DistSet, wheel_artifact: str
) -> None:
    """The wheel installs only the library: no bytecode, duplicate entries or repository clutter.

    Checks: no ``.pyc`` or ``__pycache__``; no path stored twice in the zip; no top-level
    ``tests``, ``test``, ``docs``, ``doc``, ``examples``, ``benchmarks``, ``build``, ``dist``,
    ``src``, ``scripts``, ``setup.py``, ``conftest.py``, ``*.egg-info``, virtual environments,
    caches or VCS directories; no files other than modules, stubs and ``.pth`` files at the top
    level of site-packages (a README or LICENSE there). Files under ``.dist-info`` and the
    ``.data`` scripts, headers and data directories are not judged.
    Why: everything at the top level of a wheel lands loose in the user's site-packages, where
    a ``tests`` package or a ``README.md`` overwrites another project's (or is overwritten by
    it), and bytecode built on your machine is at best dead weight.
    Fix: select the packages explicitly in the build backend (the message gives the setting
    for yours); ignore and untrack ``__pycache__/`` and ``*.py[cod]``. The project's own name
    and names matching ``tool.release-checks.allow-top-level`` (glob patterns) are allowed.
    """
    from release_checks.wheel_contents import clutter_findings, report  # noqa: PLC0415

    path = _wheel(release_dists, wheel_artifact)
    dist_name = _dist_name(release_run, path)
    findings = clutter_findings(
        _member_names(path),
        dist_name=dist_name,
        allow_top_level=release_run.config.allow_top_level,
        import_names=release_run.config.import_names,
    )
    if findings:
        fail(
            report(
                f"{path.name} installs files that do not belong in site-packages:",
                findings,
                build_backend=_build_backend(release_run),
                dist_name=dist_name,
                package_path=_package_path(release_run, dist_name),
            )
        )


def test_wheel_modules_are_importable(
    release_run: ReleaseRun, release_dists: DistSet, wheel_artifact: str
) -> None:
    """The wheel's top-level modules are importable, it installs something, none is shadowed.

    Checks: top-level modules and package directories have names that are Python identifiers
    (``my-lib/``, ``my-tool.py`` are not); no ``__init__.py`` at the top level; the wheel
    installs something (a module, data, scripts) or declares dependencies (a meta-package);
    no module ``foo.py`` beside a package ``foo/`` in the same directory.
    Why: such files install without error and then cannot be imported, or one silently hides
    the other: users get an ``ImportError``, or stale code your tests never ran.
    Fix: rename the directory to an identifier, fix the backend's package selection (the
    message gives the setting), delete the module a refactoring left behind.
    """
    from release_checks.wheel_contents import layout_findings, report  # noqa: PLC0415

    path = _wheel(release_dists, wheel_artifact)
    dist_name = _dist_name(release_run, path)
    names = _member_names(path)
    try:
        has_dependencies = bool(release_run.metadata(path).get("requires_dist"))
    except FactError as error:
        pytest.skip(f"{error} — see test_wheel_filename_matches_metadata")
    findings = layout_findings(
        names,
        allow_top_level=release_run.config.allow_top_level,
        has_dependencies=has_dependencies,
    )
    if findings:
        fail(
            report(
                f"{path.name} installs modules that cannot be imported as laid out:",
                findings,
                build_backend=_build_backend(release_run),
                dist_name=dist_name,
                package_path=_package_path(release_run, dist_name),
            )
        )


def test_wheel_record_matches_contents(release_dists: DistSet, wheel_artifact: str) -> None:
    """The wheel's RECORD lists every file with its sha256 and size, and nothing else.

    Checks: every file but RECORD and its signatures has a row; each row's hash (urlsafe
    base64 without padding, sha256 or stronger) and size match the file; no row names a file
    or directory that is not in the archive.
    Why: installers verify files against RECORD and uninstall by it; the index rejects
    wheels whose RECORD does not match their contents. A mismatch means the wheel was changed
    after the build (patched, repacked, repaired) without rewriting RECORD.
    Fix: rebuild with ``python -m build``; a script that changes a built wheel must rewrite
    RECORD (``wheel unpack`` then ``wheel pack`` does).
    """
    from release_checks.wheel_integrity import record_problems  # noqa: PLC0415

    path = _wheel(release_dists, wheel_artifact)
    try:
        problems = record_problems(path)
    except FactError as error:
        fail(str(error))
    if problems:
        fail(
            f"{path.name}: RECORD does not match the files in the wheel:\n"
            + _bullets([problem.message for problem in problems])
            + "\nInstallers verify and uninstall by RECORD, and the index rejects such wheels. "
            "Rebuild with `python -m build`; if a script changes the wheel after the build, it "
            "must rewrite RECORD (`wheel unpack` and `wheel pack` do)."
        )


def test_wheel_filename_matches_metadata(release_dists: DistSet, wheel_artifact: str) -> None:
    """The wheel's file name carries the name and version of its METADATA.

    Checks: the name and version in the file name equal METADATA's ``Name`` and ``Version``
    and the ``.dist-info`` directory's (compared normalised: ``My.Pkg`` is ``my-pkg``, ``1.0``
    is ``1.0.0``); there is exactly one ``.dist-info`` directory, and a ``.data`` directory
    carries the same name and version.
    Why: the index and resolvers pick a wheel by its file name, installers install what the
    metadata says: a wheel renamed to another version installs the old one, and installers
    refuse a wheel whose ``.dist-info`` directory does not match its name.
    Fix: never rename a wheel; bump the version and rebuild.
    """
    from release_checks.wheel_integrity import filename_problems  # noqa: PLC0415

    path = _wheel(release_dists, wheel_artifact)
    try:
        problems = filename_problems(path)
    except FactError as error:
        pytest.skip(f"{error} — see {_RECORD_GATE}")
    if problems:
        fail(
            f"{path.name}: the file name and the metadata inside disagree:\n"
            + _bullets(problems)
            + "\nNever rename a wheel to change its name or version: set the version in the "
            "project and rebuild (`python -m build`)."
        )


def test_wheel_tags_match_metadata(release_dists: DistSet, wheel_artifact: str) -> None:
    """The wheel's tags agree with its WHEEL file, and ``Root-Is-Purelib`` fits them.

    Checks: the file name's tags and build tag equal WHEEL's ``Tag:`` and ``Build:`` lines;
    ``Wheel-Version`` is 1.x; ``Root-Is-Purelib: true`` goes with no ABI tag (``py3-none-any``,
    or ``py3-none-<platform>`` for pure Python that bundles a platform binary) and ``false``
    with an ABI or platform tag.
    Why: installers choose a wheel by the tags in its file name; a wheel renamed to other
    tags (``linux_x86_64`` to ``manylinux_2_17_x86_64`` without auditwheel, say) promises a
    compatibility its build never checked, and users on other systems get a crash on import.
    Fix: retag with ``wheel tags`` (it rewrites WHEEL and the name together) or, for
    manylinux, repair with auditwheel; set the backend's pure/platform flag to match the
    contents.
    """
    from release_checks.wheel_integrity import tag_problems  # noqa: PLC0415

    path = _wheel(release_dists, wheel_artifact)
    try:
        problems = tag_problems(path)
    except FactError as error:
        pytest.skip(f"{error} — see {_RECORD_GATE}")
    if problems:
        fail(
            f"{path.name}: the tags and the WHEEL file disagree:\n"
            + _bullets(problems)
            + "\nRetag a wheel with `wheel tags` (it rewrites WHEEL and the file name "
            "together) or repair it with auditwheel, never by renaming. For `Root-Is-Purelib`, "
            "tell the backend what the wheel holds: a hatchling build hook that ships compiled "
            'code sets `build_data["pure_python"] = False` along with `infer_tag`.'
        )


def test_archive_is_safe_to_extract(release_dists: DistSet, artifact: str) -> None:
    """No member of the sdist or wheel escapes the directory it is unpacked into.

    Checks: no absolute paths, no ``..`` components, no symbolic or hard links whose target
    leaves the archive (for an sdist: its ``name-version/`` top directory, links followed
    through other links as the OS would), no device nodes or FIFOs, and no sdist member
    outside that top directory.
    Why: such members are path traversal: ``tar -xf``, ``unzip`` or ``tarfile`` without its
    data filter write or link files outside the target directory on every machine that
    unpacks your release. (release-checks reads archives without extracting them.)
    Fix: publish what ``python -m build`` makes; a hand-written tar or zip step must store
    relative paths under the top directory and real files instead of links out of the tree.
    """
    from release_checks.archive_safety import unsafe_members_of  # noqa: PLC0415

    path = artifact_path(release_dists, artifact)
    if path is None:
        pytest.skip(f"there is no {artifact} among the distributions")
    try:
        unsafe = unsafe_members_of(path)
    except FactError as error:
        fail(str(error))
    if unsafe:
        fail(
            f"{path.name} has members that are unsafe to extract:\n"
            + _bullets([f"`{member.name}`: {member.reason}" for member in unsafe])
            + "\nPublish the archives `python -m build` makes; a hand-written tar or zip step "
            "must store relative paths under the top directory, and real files instead of "
            "links that point out of the project."
        )
