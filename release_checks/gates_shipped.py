"""Release gates (issue 3) on what the artifacts ship: no secrets, and the files they promise.

Collected through `release_checks.gates`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pytest

from release_checks.credentials import Finding, scan_artifact
from release_checks.declared_files import (
    ArtifactFiles,
    claims_typed,
    declared_license_files,
    license_claim,
    license_text_in_metadata,
    looks_like_license,
    missing_py_typed,
    typed_packages,
)
from release_checks.dists import dist_kind
from release_checks.errors import FactError
from release_checks.gatekit import artifact_path, fail
from release_checks.project import load_pyproject

if TYPE_CHECKING:
    from packaging.metadata import RawMetadata

    from release_checks.distset import DistSet
    from release_checks.run import ReleaseRun

__all__ = ["test_license_files_shipped", "test_no_secrets_shipped", "test_py_typed_shipped"]

_LISTED = 20  # findings shown in one message; the rest are counted


def _artifact(release_dists: DistSet, artifact: str) -> Path:
    __tracebackhide__ = True
    path = artifact_path(release_dists, artifact)
    if path is None:
        pytest.skip(f"there is no {artifact} among the distributions")
    return path


def _files(path: Path) -> ArtifactFiles:
    __tracebackhide__ = True
    try:
        return ArtifactFiles.read(path)
    except FactError as error:
        fail(str(error))


def _metadata(release_run: ReleaseRun, path: Path) -> RawMetadata:
    __tracebackhide__ = True
    try:
        return release_run.metadata(path)
    except FactError as error:
        pytest.skip(f"{error} — see test_metadata_passes_twine_check")


def _backend(root: Path) -> str:
    """The build backend's family: hatchling, setuptools, flit, pdm, poetry, maturin, other."""
    system = load_pyproject(root).get("build-system")
    backend = system.get("build-backend") if isinstance(system, dict) else None
    if not isinstance(backend, str):
        return "setuptools"  # what installers assume without a [build-system] table
    for family, module in (
        ("hatchling", "hatchling."),
        ("setuptools", "setuptools."),
        ("flit", "flit_core."),
        ("pdm", "pdm.backend"),
        ("poetry", "poetry.core."),
        ("maturin", "maturin"),
    ):
        if backend.startswith(module):
            return family
    return "other"


# No secrets shipped


def _project_path(root: Path, kind: str, path: str) -> str:
    """The project file an artifact path comes from (a wheel's `demo/x` is often `src/demo/x`)."""
    if kind == "sdist":
        return path
    for candidate in (path, f"src/{path}"):
        if (root / candidate).is_file():
            return candidate
    return path


def _exclude_hint(backend: str, kind: str, paths: list[str]) -> str:  # noqa: PLR0911 - a table
    quoted = ", ".join(f'"{path}"' for path in paths)
    if backend == "hatchling":
        anchored = ", ".join(f'"/{path}"' for path in paths)
        return (
            "hatchling leaves git-ignored files out of both artifacts: `git rm --cached` the "
            f"file and add it to .gitignore, or exclude it: `[tool.hatch.build] exclude = "
            f"[{anchored}]`"
        )
    if backend == "setuptools" and kind == "sdist":
        return (
            "with setuptools-scm every git-tracked file goes into the sdist: `git rm --cached` "
            "the file and add it to .gitignore; otherwise drop it from MANIFEST.in "
            f"(`exclude {' '.join(paths)}`)"
        )
    if backend == "setuptools":
        names = ", ".join(f'"{PurePosixPath(path).name}"' for path in paths)
        return (
            "move the file out of the package, or exclude it from the package data: "
            f'`[tool.setuptools.exclude-package-data] "*" = [{names}]`'
        )
    if backend == "flit":
        if kind == "sdist":
            return f"`[tool.flit.sdist] exclude = [{quoted}]`"
        return "flit ships every file in the package directory: move the file out of it"
    setting = {
        "pdm": "[tool.pdm.build] excludes",
        "poetry": "[tool.poetry] exclude",
        "maturin": "[tool.maturin] exclude",
    }.get(backend)
    if setting is not None:
        return f"`{setting} = [{quoted}]`"
    return "use your build backend's exclude setting, or move the file out of the project"


def _ignore_patterns(root: Path, kind: str, findings: list[Finding]) -> list[str]:
    """The member paths to ignore, in both artifacts: ``src/demo/x`` ships as ``demo/x``."""
    patterns: dict[str, None] = {}
    for finding in findings:
        patterns[finding.path] = None
        if kind == "wheel":
            patterns[_project_path(root, kind, finding.path)] = None
        elif finding.path.startswith("src/"):
            patterns[finding.path.removeprefix("src/")] = None
    return list(patterns)


def _is_secret_file(finding: Finding) -> bool:
    """A file that is a secret as a whole (by name, or a key file), not a value in a file."""
    return finding.line is None or (
        finding.kind.startswith("a private key") and not finding.path.endswith(".py")
    )


def _secrets_message(path: Path, findings: list[Finding], root: Path, backend: str) -> str:
    kind = dist_kind(path) or "wheel"
    lines = [f"{path.name} ships credentials — anyone who downloads it can read them:"]
    for finding in findings[:_LISTED]:
        where = finding.member if finding.line is None else f"{finding.member} line {finding.line}"
        value = f" ({finding.masked})" if finding.masked else ""
        lines.append(f"  - {where}: {finding.kind}{value}")
    if len(findings) > _LISTED:
        lines.append(f"  … and {len(findings) - _LISTED} more")
    lines.append(
        "Treat every credential listed as leaked: revoke or rotate it now (a committed one "
        "also lives on in the git history, and an uploaded release cannot be taken back)."
    )
    files = [_project_path(root, kind, f.path) for f in findings if _is_secret_file(f)]
    values = [
        _project_path(root, kind, f.path)
        for f in findings
        if not _is_secret_file(f) and _project_path(root, kind, f.path) not in files
    ]
    if files:
        shown = list(dict.fromkeys(files))[:3]
        lines.append(
            f"Delete the secret files and keep them out of the {kind}: "
            f"{_exclude_hint(backend, kind, shown)}."
        )
    if values:
        lines.append(
            f"Remove the values from {', '.join(dict.fromkeys(values))}: read them at run time "
            "from an environment variable or a secret store."
        )
    ignore = ", ".join(f'"{path}"' for path in _ignore_patterns(root, kind, findings))
    lines.append(
        "Only fake credentials for tests? Exclude the files from this check with "
        f"`secrets-ignore = [{ignore}]` under [tool.release-checks]."
    )
    return "\n".join(lines)


def test_no_secrets_shipped(release_run: ReleaseRun, release_dists: DistSet, artifact: str) -> None:
    """No file of the artifact is or holds a credential (the value is masked in the report).

    Checks every file of the sdist or wheel, whether git tracks it or not: secret files by
    name (``.env`` — but not ``.env.example``/``.sample``/``.template`` —, ``.pypirc``,
    ``.netrc``, ``.git-credentials``, SSH keys ``id_rsa``/``id_ed25519``…), and in every text
    file private keys (``-----BEGIN … PRIVATE KEY-----`` with a key body) and tokens of a
    known shape: PyPI and TestPyPI API tokens, GitHub ``ghp_``/``gho_``/``ghu_``/``ghs_``/
    ``ghr_``/``github_pat_`` tokens, AWS access key ids and secret keys, Slack, GitLab, npm
    and Stripe live tokens. A token counts only with its exact length and a random-looking
    body, so placeholders in documentation (``ghp_xxxx…``, ``AKIAIOSFODNN7EXAMPLE``) pass.
    Why: everything in a published artifact is public for good; a leaked token is found by
    scanners within minutes.
    Fix: revoke or rotate the credential, delete the file or the value, and keep it out of
    the artifact (the message gives your backend's exclude setting). Files with fake test
    credentials: ``tool.release-checks.secrets-ignore`` (fnmatch globs on the path inside
    the artifact, without the sdist's ``name-version/`` directory; ``*`` matches ``/`` too).
    """
    path = _artifact(release_dists, artifact)
    try:
        findings = scan_artifact(path, release_run.config.secrets_ignore)
    except FactError as error:
        fail(str(error))
    if findings:
        fail(_secrets_message(path, findings, release_run.root, _backend(release_run.root)))


# License files shipped


_PEP639_BACKENDS = (
    "PEP 639; hatchling>=1.27, setuptools>=77 and flit_core>=3.12 ship what it matches in "
    "both the sdist and the wheel"
)
_REBUILD_FIX = (
    "the file was dropped after the build, or the backend does not follow PEP 639: rebuild "
    "with `python -m build` from a clean checkout, and make any tool that rewrites the "
    "artifact (repair, re-tag, re-zip) keep the license files"
)


def _declared_problems(
    files: ArtifactFiles, metadata: RawMetadata, root: Path, pyproject: Mapping[str, Any]
) -> list[str]:
    """Problems with what pyproject.toml declares: globs, listed files, a legacy license file."""
    declared = declared_license_files(root, pyproject)
    problems = [
        f"`license-files` pattern `{pattern}` in pyproject.toml matches no file the build "
        "can see (git-ignored files do not count): fix the pattern or commit the file"
        for pattern in declared.unmatched
    ]
    entries = set(metadata.get("license_files") or [])
    problems += [
        f"`{relative}` (pyproject.toml `license-files`) is not in the {files.kind}: "
        "require a build backend that supports PEP 639 `license-files` "
        "(hatchling>=1.27, setuptools>=77, flit_core>=3.12), and check that no "
        "include/exclude setting leaves it out"
        for relative in declared.files
        if relative not in entries and not files.has_license_file(relative, exact=False)
    ]
    text_file = declared.text_file
    if text_file is not None and not files.has_license_file(text_file, exact=False):
        try:
            text = (root / text_file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        if not license_text_in_metadata(metadata, text):
            problems.append(
                f'`{text_file}` (pyproject.toml `license = {{file = "{text_file}"}}`) is '
                f"neither in the {files.kind} nor its text in the License field: use "
                f'`license = "<SPDX expression>"` and `license-files = ["{text_file}"]` '
                "(PEP 639)"
            )
    return problems


def _root_licenses(root: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in root.iterdir() if looks_like_license(entry.name))
    except OSError:
        return []


def _ships_license_text(release_run: ReleaseRun, path: Path) -> bool:
    """A license-like file in the artifact, or a License field that holds a license's text."""
    try:
        if ArtifactFiles.read(path).license_like():
            return True
        return len((release_run.metadata(path).get("license") or "").split()) >= 40
    except FactError:
        return False


def _license_fix(found: list[str]) -> str:
    if not found:
        return (
            "commit the license text (for example `LICENSE`) at the project root and declare "
            'it in [project]: `license-files = ["LICENSE"]`'
        )
    names = ", ".join(found)
    globs = ", ".join(f'"{name}"' for name in found)
    verb, pronoun = ("is", "it") if len(found) == 1 else ("are", "them")
    return (
        f"{names} {verb} in the project: declare {pronoun} in [project]: "
        f"`license-files = [{globs}]`"
    )


def test_license_files_shipped(
    release_run: ReleaseRun, release_dists: DistSet, artifact: str
) -> None:
    """The artifact ships the license files its metadata and pyproject.toml declare.

    Checks: every PEP 639 ``License-File`` of the metadata (Metadata-Version 2.4 and later)
    is in the artifact where PEP 639 puts it (wheel: ``*.dist-info/licenses/<path>``, sdist:
    ``<name-version>/<path>``); every file pyproject.toml declares (``license-files`` globs,
    a legacy ``license = {file = "..."}`` unless its text is in the License field) is in the
    artifact; and a project whose License-Expression or OSI classifier names a license
    ships a license file (or the text in the License field) in at least one artifact (not
    needed for CC0-1.0, Unlicense, 0BSD, MIT-0, WTFPL and ``LicenseRef-*``).
    Why: MIT, BSD, Apache-2.0 and most other licenses require their text to travel with
    every copy; downstream packagers and compliance scanners reject a release without it.
    Fix: commit the license text (``LICENSE``) and declare it: ``license-files =
    ["LICENSE"]`` in ``[project]``, with a backend that supports PEP 639.
    """
    path = _artifact(release_dists, artifact)
    files = _files(path)
    metadata = _metadata(release_run, path)
    version = metadata.get("metadata_version") or "1.0"
    pep639 = tuple(int(part) for part in version.split(".")[:2] if part.isdigit()) >= (2, 4)
    field = "METADATA" if files.kind == "wheel" else "PKG-INFO"
    problems = [
        f"`{entry}` ({field} License-File) is not at {files.license_location(entry)}: "
        + _REBUILD_FIX
        for entry in metadata.get("license_files") or []
        if not files.has_license_file(entry, exact=pep639)
    ]
    root = release_run.root
    problems += _declared_problems(files, metadata, root, load_pyproject(root))
    claim = None if problems else license_claim(metadata)  # one explanation is enough
    if claim is not None and not any(
        _ships_license_text(release_run, other) for other in release_dists.files
    ):
        names = ", ".join(other.name for other in release_dists.files)
        problems.append(
            f"the metadata names the {claim}, but no artifact holds a license file ({names}): "
            f"{_license_fix(_root_licenses(root))} ({_PEP639_BACKENDS})"
        )
    if problems:
        fail(
            f"{path.name} does not ship its license files:\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )


# py.typed shipped


def _package_dir(root: Path, package: str) -> str:
    for candidate in (f"src/{package}", package):
        if (root / candidate).is_dir():
            return candidate
    return package


def _py_typed_fix(backend: str, package: str) -> str:
    name = package.replace("/", ".")
    return {
        "hatchling": "hatchling ships every file inside the package unless git ignores it",
        "setuptools": (
            "setuptools>=69 ships `py.typed` as package data by default; with an older one or "
            "`include-package-data = false`, add `[tool.setuptools.package-data] "
            f'{name} = ["py.typed"]`'
        ),
        "flit": "flit ships every file inside the package directory",
        "pdm": "pdm-backend ships every file inside the package directory",
        "poetry": "poetry ships every file inside the package unless git ignores it",
        "maturin": "maturin ships every file of the Python package",
    }.get(backend, "make sure your build backend includes it as package data")


def _py_typed_message(path: Path, missing: list[str], root: Path, backend: str) -> str:
    lines = [f"{path.name} claims `Typing :: Typed`, but a package in it has no `py.typed` marker:"]
    for marker in missing:
        package = marker.removesuffix("/py.typed")
        source = f"{_package_dir(root, package)}/py.typed"
        action = (
            f"{source} exists but is not shipped: commit it and check it is not git-ignored"
            if (root / source).is_file()
            else f"create the empty file {source} and commit it"
        )
        lines.append(f"  - {marker} is missing: {action}; {_py_typed_fix(backend, package)}")
    lines.append(
        "Without it, type checkers ignore the annotations of the installed package (PEP 561): "
        "its users get no types."
    )
    return "\n".join(lines)


def _wheel_packages(release_dists: DistSet) -> list[str]:
    packages: dict[str, None] = {}
    for wheel in release_dists.wheels:
        packages.update(dict.fromkeys(typed_packages(_files(Path(wheel)))))
    return list(packages)


def test_py_typed_shipped(release_run: ReleaseRun, release_dists: DistSet, artifact: str) -> None:
    """A project that claims ``Typing :: Typed`` ships ``py.typed`` in every package.

    Checks, when the metadata has the ``Typing :: Typed`` classifier: every public top-level
    package of the wheel holds ``py.typed`` (or a subpackage does, for a project that types
    a part on purpose; for a namespace package, every package below it), and the sdist
    holds the same markers, so wheels built from it are typed too. Single-module
    distributions (PEP 561 cannot mark them), stub-only ``*-stubs`` packages and private
    ``_name`` packages are exempt.
    Why: the classifier promises types, but type checkers only read an installed package's
    annotations when ``py.typed`` is next to its ``__init__.py`` (PEP 561).
    Fix: create an empty ``py.typed`` in the package and commit it; most backends ship it
    as is, setuptools before 69 needs it in ``package-data``.
    """
    path = _artifact(release_dists, artifact)
    if not claims_typed(_metadata(release_run, path)):
        return
    files = _files(path)
    if files.kind == "wheel":
        missing = missing_py_typed(files, typed_packages(files))
    elif release_dists.wheels:
        missing = missing_py_typed(files, _wheel_packages(release_dists))
    else:  # no wheel to learn the packages from: any marker will do
        has_package = any(name.endswith("/__init__.py") for name in files.names)
        has_marker = any(PurePosixPath(name).name == "py.typed" for name in files.names)
        missing = ["<package>/py.typed"] if has_package and not has_marker else []
    if missing:
        fail(_py_typed_message(path, missing, release_run.root, _backend(release_run.root)))
