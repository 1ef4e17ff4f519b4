"""The built-in release gates: each one a test, its docstring its documentation.

Collected under the project's pyproject.toml (see `release_checks.collect`) and selected with
``pytest -m release``. A failing gate says what it expected, what it found, where, and how to
fix it — without a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release_checks import git
from release_checks.gatekit import (
    artifact_path,
    fail,
    parametrize_artifacts,
    parametrize_interpreters,
    parametrize_workflows,
    release_version,
    undecidable,
)
from release_checks.tags import pep440_problem, version_hint

if TYPE_CHECKING:
    from release_checks.distset import DistSet
    from release_checks.interpreters import Interpreter
    from release_checks.run import ReleaseRun
    from release_checks.venvs import ProbeReport


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize per-artifact gates by file name (prebuilt) or by kind (built here).

    Per-workflow gates get one item per file of ``.github/workflows``; the fresh-environment
    gate one per interpreter of ``tool.release-checks.python``.
    """
    parametrize_artifacts(metafunc)
    parametrize_workflows(metafunc)
    parametrize_interpreters(metafunc)


@pytest.fixture(scope="session")
def release_python() -> str | None:
    """The interpreter a gate runs under when none is listed: None, the running one."""
    return None


def test_dists_build(release_run: ReleaseRun) -> None:
    """The sdist and wheel build (or, with ``--release-dist``, are present and readable).

    Why: every other gate inspects these files. The wheel is built from the sdist, as
    ``python -m build`` does, so a file missing from the sdist breaks this gate, not your users.
    Fix: the message carries the build backend's own output; reproduce with ``python -m build``.
    """
    dists = release_run.dists()
    if dists.error is not None:
        fail(dists.error)


def test_tag_is_pep440(release_run: ReleaseRun) -> None:
    """The release tag, less its prefix, is a canonical PEP 440 version.

    Why: installers order versions by PEP 440; a SemVer tag such as ``v1.0.0-beta.1`` becomes
    ``1.0.0b1`` on the index and no longer matches the tag, and a local version (``+abc``)
    cannot be uploaded at all.
    Fix: re-tag with the spelling the message gives; ``tool.release-checks.tag-prefix`` pins
    the prefix (``"v"`` or ``""``) when the project wants one form only.
    """
    release = release_run.context()
    if release.tag is None:
        pytest.skip(f"no release tag to check: {release.problem}")
    version = release.parsed_version
    if release.tag.planned and version is not None and version.local is not None:
        prefix = release.tag.name.removesuffix(str(release.version))
        undecidable(
            release_run,
            f"there is no release tag at HEAD, and the build's version {version} has a local "
            f"part the index rejects: {version_hint(version)}. Tag HEAD with the version to "
            f"release, for example `git tag -a {prefix}{version.base_version}`.",
        )
    problem = pep440_problem(release.tag.name, release_run.config.tag_prefix)
    if problem is not None:
        fail(f"{problem} (tag source: {release.tag.source})")


def test_head_carries_tag(release_run: ReleaseRun) -> None:
    """The release tag exists and points at the commit being checked (HEAD).

    Why: the dists are built from HEAD; if the tag names another commit, what you publish is
    not what the tag says. Skipped while the tag is only planned, failed in strict mode.
    Fix: tag HEAD (``git tag -a vX.Y.Z -m "Release X.Y.Z"``), or check out the tag; in CI
    fetch tags and history (``actions/checkout`` with ``fetch-depth: 0``).
    """
    release = release_run.context()
    root = release_run.root
    if release.tag is None:
        pytest.skip(f"no release tag to check: {release.problem}")
    tag = release.tag
    problem = git.repository_problem(root)
    if problem is not None:
        undecidable(release_run, problem)
    tagged = git.tag_commit(root, tag.name)
    if tag.planned and tagged is not None:
        fail(
            f"version {release.version} was already tagged: {tag.name} is commit "
            f"{tagged[:12]}, but HEAD is {git.head_commit(root)[:12]}. Bump the version for "
            "this release (or check out the tag to re-check the released commit)."
        )
    if tag.planned:
        version = release.parsed_version
        if version is None or version.local is not None:
            undecidable(
                release_run,
                f"there is no release tag at HEAD and the build's version {release.version} "
                "is not one to tag — see test_tag_is_pep440",
            )
        undecidable(
            release_run,
            f"tag {tag.name} does not exist yet ({tag.source}); when ready: "
            f"git tag -a {tag.name} -m 'Release {release.version}' && git push origin {tag.name}",
        )
    if tagged is None:
        shallow = (
            " This is a shallow clone: fetch tags (`fetch-depth: 0`)."
            if git.is_shallow(root)
            else ""
        )
        fail(
            f"tag {tag.name} ({tag.source}) does not exist in this clone; create it with "
            f"`git tag -a {tag.name}` or fetch it with `git fetch --tags`.{shallow}"
        )
    head = git.head_commit(root)
    if tagged != head:
        fail(
            f"tag {tag.name} ({tag.source}) points at commit {tagged[:12]}, but HEAD is "
            f"{head[:12]}; the dists are built from HEAD. Check out the tag "
            f"(`git checkout {tag.name}`) or, if the tag is wrong and unpublished, move it."
        )


def _static_version_line(root: Path) -> int | None:
    for number, line in enumerate((root / "pyproject.toml").read_text("utf-8").splitlines(), 1):
        if line.replace(" ", "").startswith("version="):
            return number
    return None


def test_versions_agree(release_run: ReleaseRun, release_dists: DistSet) -> None:
    """The sdist's and every wheel's metadata version equal the tag's version (PEP 440 equality).

    Why: a tag that says 1.2.3 over dists that say 1.2.2 publishes the wrong thing, and VCS
    versioning produces ``1.2.3.dev4+g1234abc`` versions when the tag is missing or the tree
    is dirty.
    Fix: bump the version where the project keeps it (the message says where), or tag the
    right commit; commit or stash local changes before building.
    """
    expected = release_version(release_run)
    release = release_run.context()
    tag = release.tag.name if release.tag else "?"
    source = release.tag.source if release.tag else "?"
    wrong = []
    hints = set()
    for path in release_dists.files:
        field = "METADATA" if path.suffix == ".whl" else "PKG-INFO"
        found = release_run.metadata(path).get("version", "")
        try:
            agrees = Version(found) == expected
            hint = version_hint(Version(found))
        except InvalidVersion:
            agrees, hint = False, ""
        if not agrees:
            wrong.append(f"  {path.name} ({field} Version): {found or '(missing)'}")
            if hint:
                hints.add(hint)
    if wrong:
        where, line = "", None
        if release_run.project.static_version is not None:
            line = _static_version_line(release_run.root)
            where = (
                "\nThe version is set statically at pyproject.toml"
                + (f" line {line}" if line else "")
                + f" ({release_run.project.static_version}): change it there or re-tag."
            )
        fail(
            f"the release version is {expected} (from tag {tag}, {source}), "
            "but the dists say otherwise:\n"
            + "\n".join(wrong)
            + "".join(f"\nHint: {hint}" for hint in sorted(hints))
            + where,
            file="pyproject.toml" if line else None,
            line=line,
        )


def _probe_problems(
    report: ProbeReport, dist_name: str, expected: Version, names: list[str]
) -> list[str]:
    problems = []
    for outcome in (*report.imports, *report.entry_points):
        if outcome.ok:
            continue
        what = (
            f"entry point `{outcome.name} = {outcome.value}` ({outcome.group})"
            if outcome.group
            else f"`import {outcome.name}`"
        )
        where = f" at {outcome.where}" if outcome.where else ""
        hint = ""
        missing = (outcome.missing or "").partition(".")[0]
        if missing and missing not in names:
            hint = (
                f"\n    `{missing}` is not installed with the wheel: if the package needs it, "
                "declare it in [project] dependencies; if it is optional, import it lazily"
            )
        problems.append(f"{what} failed{where}: {outcome.error}{hint}")
    if report.version is None:
        problems.append(
            f"importlib.metadata finds no distribution {dist_name!r}: {report.version_error}"
        )
        return problems
    installed = Version(report.version)
    if installed != expected:
        problems.append(
            f"importlib.metadata.version({dist_name!r}) is {installed}, not the release "
            f"version {expected} — see test_versions_agree"
        )
    own_modules = [
        outcome
        for outcome in report.imports
        if len(report.imports) == 1
        or canonicalize_name(outcome.name) == canonicalize_name(dist_name)
    ]
    for outcome in own_modules:  # a vendored top-level module may carry its own __version__
        try:
            stale = outcome.version_attr is not None and Version(outcome.version_attr) != installed
        except InvalidVersion:
            stale = True
        if stale:
            problems.append(
                f"{outcome.name}.__version__ is {outcome.version_attr!r}, but the installed "
                f"metadata says {installed}: a hard-coded __version__ was left behind; derive "
                f"it with importlib.metadata.version({dist_name!r}) or let the backend write it"
            )
    return problems


def _interpreter(run: ReleaseRun, dists: DistSet, python: str | None) -> tuple[Interpreter, Path]:
    """The interpreter to check under and the wheel for it, or the gate's skip or failure."""
    from release_checks.interpreters import outside_requires_python  # noqa: PLC0415

    interpreter = run.interpreter(python)
    wheel = run.installable_wheel(python) if interpreter.error is None else None
    requires = run.metadata(wheel or Path(dists.wheels[0])).get("requires_python")
    if outside_requires_python(requires, interpreter.version or interpreter.spec):
        where = (
            f"listed in tool.release-checks.python ({python!r}); remove it from there, or widen "
            "`requires-python` in [project] if the project does support it"
            if python is not None
            else "running these checks; run them under a Python the project supports"
        )
        fail(
            f"{interpreter.label} is outside the wheel's Requires-Python `{requires}`, so pip "
            f"will not install the wheel there. It is {where}."
        )
    if interpreter.error is not None:
        undecidable(run, interpreter.error)
    if wheel is None:
        wheel_names = ", ".join(Path(path).name for path in dists.wheels)
        on = "this interpreter" if python is None else interpreter.label
        undecidable(
            run,
            f"none of the wheels ({wheel_names}) installs on {on}; run the gates on a machine "
            "each wheel targets (for example one CI job per platform)",
        )
    return interpreter, wheel


def test_wheel_works_in_fresh_venv(
    release_run: ReleaseRun, release_dists: DistSet, release_python: str | None
) -> None:
    """The wheel installs into a fresh virtualenv, imports, and reports the release version.

    Checks: ``pip install`` of the wheel with its dependencies (from your configured index)
    succeeds; every import name imports (default: the wheel's top-level packages and modules,
    or ``tool.release-checks.import-names``); ``importlib.metadata.version()`` and any
    ``__version__`` equal the release version; every console and GUI script entry point loads.
    Runs once per interpreter of ``tool.release-checks.python`` (``[py3.12]``; default: the
    running interpreter), each with the wheel its tags install; a listed interpreter that is
    not installed skips (fails with ``--release-strict``), one outside the wheel's
    Requires-Python fails.
    Why: tests run against the source tree, users run the wheel. An undeclared dependency, a
    module left out of the wheel or a stale ``__version__`` only shows up here.
    Fix: declare missing dependencies in ``[project] dependencies``; include missing modules
    in the wheel; fix entry points in ``[project.scripts]``.
    """
    if not release_dists.wheels:
        fail(
            f"there is no wheel among the distributions in {release_dists.where}; build one "
            "(`python -m build`) — installers fall back to building the sdist on every install"
        )
    interpreter, wheel = _interpreter(release_run, release_dists, release_python)
    venv = release_run.venv(release_python)
    if venv.error is not None:
        fail(f"{venv.error}:\n{venv.install_log}")
    dist_name, names = release_run.probe_names(wheel)
    if not names and not dist_name.endswith(("-stubs", "_stubs")):  # stubs are not imported
        fail(
            f"{wheel.name} installs no importable package or module; check the build backend's "
            "package discovery (for example `[tool.hatch.build.targets.wheel] packages`)"
        )
    expected = release_version(release_run)
    report = release_run.import_probe(release_python)
    problems = _probe_problems(report, dist_name, expected, names)
    if problems:
        under = f" ({interpreter.label})" if release_python is not None else ""
        fail(
            f"{wheel.name} in a fresh virtualenv{under}:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def _readme_file(root: Path) -> str | None:
    """The file ``[project] readme`` names: the long description, line for line."""
    from release_checks.project import load_pyproject  # noqa: PLC0415

    readme = load_pyproject(root).get("project", {}).get("readme")
    name = readme.get("file") if isinstance(readme, dict) else readme
    return name if isinstance(name, str) and (root / name).is_file() else None


def test_metadata_passes_twine_check(
    release_run: ReleaseRun, release_dists: DistSet, artifact: str
) -> None:
    """The artifact's metadata gets the verdict ``twine check --strict`` would give: pass.

    Checks: the core metadata is valid; ``Description-Content-Type`` is set; the long
    description exists and, for reStructuredText, renders on the index.
    Why: the index rejects invalid metadata at upload time, and shows a broken or raw README
    as your project page.
    Fix: as the message says — usually ``readme = "README.md"`` in ``[project]`` or fixing
    the reStructuredText at the line named.
    """
    from release_checks.metadata_check import check_metadata  # noqa: PLC0415

    path = artifact_path(release_dists, artifact)
    if path is None:
        pytest.skip(f"there is no {artifact} among the distributions")
    problems = check_metadata(path)
    if problems:
        line = next((problem.line for problem in problems if problem.line), None)
        fail(
            "twine check --strict would fail:\n"
            + "\n".join(f"  - {problem.message}" for problem in problems),
            file=_readme_file(release_run.root) if line else None,
            line=line,
        )


def test_changelog_has_entry(release_run: ReleaseRun) -> None:
    """The changelog has a section for this version, with real content.

    Reads Keep a Changelog, ``## v1.2.3``, ``1.2.3 (date)``, ``Version 1.2.3``, towncrier and
    reStructuredText headings; versions match by PEP 440 equality. An "Unreleased" section
    does not count for a release (it does for a ``.devN`` build), and neither does an empty
    section or a placeholder such as "TBD".
    Why: users and downstream packagers read the changelog to decide whether to upgrade.
    Fix: add or fill the section; point ``tool.release-checks.changelog`` at the file if it
    is not found; ``release-checks notes VERSION`` prints what was found.
    """
    from release_checks.notes import release_notes  # noqa: PLC0415

    version = release_version(release_run)
    verdict = release_notes(release_run.root, release_run.config.changelog, version)
    if verdict.problem is not None:
        fail(verdict.problem, file=verdict.path, line=verdict.line)


# Gates kept in their own modules are collected from this module's namespace.
from release_checks.gates_contents import *  # noqa: E402, F403
from release_checks.gates_git import *  # noqa: E402, F403
from release_checks.gates_index import *  # noqa: E402, F403
from release_checks.gates_metadata import *  # noqa: E402, F403
from release_checks.gates_published import *  # noqa: E402, F403
from release_checks.gates_shipped import *  # noqa: E402, F403
from release_checks.gates_sources import *  # noqa: E402, F403
from release_checks.gates_workflows import *  # noqa: E402, F403
