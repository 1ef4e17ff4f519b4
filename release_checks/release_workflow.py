"""The release workflow ``release-checks init`` writes into a project, filled in for it.

The template (``templates/release.yml``) is this project's own release pipeline with the
project's distribution name, Python version, environment and import names put in. Its
placeholders are ``@NAME@`` tokens, because GitHub's ``${{ }}`` expressions fill the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release_checks.errors import ConfigError

__all__ = [
    "CHECKER_PYTHONS",
    "WORKFLOW_PATH",
    "WorkflowSettings",
    "choose_python",
    "find_import_names",
    "github_repository",
    "next_steps",
    "render_workflow",
    "settings_for",
    "uses_vcs_version",
    "version_pin",
    "write_workflow",
]

WORKFLOW_PATH = ".github/workflows/release.yml"
# Python versions GitHub's runners offer that pytest-release-checks itself runs on: the gate
# job installs it next to the project, so the job's Python must suit both.
CHECKER_PYTHONS = ("3.11", "3.12", "3.13", "3.14")
_ENVIRONMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PLACEHOLDER = re.compile(r"@[A-Z_]+@")
# Build-backend plugins and tool tables that take the version from git tags.
_VCS_REQUIREMENTS = (
    "setuptools-scm",
    "hatch-vcs",
    "versioningit",
    "flit-scm",
    "poetry-dynamic-versioning",
    "dunamai",
    "uv-dynamic-versioning",
)
_VCS_TABLES = ("setuptools_scm", "setuptools-scm", "versioningit", "poetry-dynamic-versioning")
# Directories a project holds that are not the package it ships.
_NOT_PACKAGES = frozenset({"tests", "test", "testing", "docs", "doc", "examples", "benchmarks"})


@dataclass(frozen=True, kw_only=True)
class WorkflowSettings:
    """What differs between one project's release workflow and another's."""

    name: str
    python: str
    environment: str = "pypi"
    import_names: tuple[str, ...]
    changelog: str | None = None
    vcs_version: str | None = None
    checker: str = "pytest-release-checks"


def render_workflow(settings: WorkflowSettings) -> str:
    """The workflow text for `settings`; every placeholder is filled or the line dropped."""
    if not _ENVIRONMENT.fullmatch(settings.environment):
        raise ConfigError(
            f"environment name {settings.environment!r}: use letters, digits, `.`, `-` and `_`"
        )
    template = resources.files("release_checks").joinpath("templates", "release.yml")
    fetch_depth = (
        f"          fetch-depth: 0  # {settings.vcs_version} reads the version from git tags"
        if settings.vcs_version
        else None
    )
    values = {
        "@NAME@": settings.name,
        "@PYTHON@": settings.python,
        "@ENVIRONMENT@": settings.environment,
        "@CHECKER@": settings.checker,
        "@IMPORTS@": ", ".join(settings.import_names),
        "@CHANGELOG@": settings.changelog or "CHANGELOG.md",
    }
    lines = []
    for line in template.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.strip() == "@FETCH_DEPTH@":
            if fetch_depth is not None:
                lines.append(fetch_depth + "\n")
            continue
        lines.append(_PLACEHOLDER.sub(lambda match: values[match.group()], line))
    return "".join(lines)


def choose_python(requires_python: str | None, wanted: str | None = None) -> str:
    """The Python for the workflow's jobs: `wanted`, else the lowest one the project supports.

    The lowest supported version is the one most likely to expose a too-new API in the wheel;
    `setup-python` installs its newest patch release, so that is the one compared.
    """
    try:
        specifier = SpecifierSet(requires_python or "")
    except InvalidSpecifier:
        raise ConfigError(
            f"pyproject.toml: `requires-python = {requires_python!r}` is not a version "
            "specifier; fix it, or choose the version with `--python 3.12`"
        ) from None
    if wanted is not None:
        if wanted not in CHECKER_PYTHONS:
            raise ConfigError(
                f"--python {wanted}: the release job runs pytest-release-checks, which needs "
                f"one of {', '.join(CHECKER_PYTHONS)}"
            )
        return wanted
    for candidate in CHECKER_PYTHONS:
        if specifier.contains(Version(f"{candidate}.99"), prereleases=True):
            return candidate
    raise ConfigError(
        f"pyproject.toml: `requires-python = {requires_python!r}` excludes every Python the "
        f"release job can run ({', '.join(CHECKER_PYTHONS)}); choose one with `--python`"
    )


def uses_vcs_version(pyproject: Mapping[str, Any]) -> str | None:
    """The plugin that reads the version from git tags (so the build needs them), or None."""
    dynamic = _table(pyproject, "project").get("dynamic", [])
    if not isinstance(dynamic, list) or "version" not in dynamic:
        return None
    build = pyproject.get("build-system")
    requires = build.get("requires", []) if isinstance(build, dict) else []
    for requirement in requires if isinstance(requires, list) else []:
        name = re.split(r"[\s<>=!~;\[(@]", str(requirement).strip(), maxsplit=1)[0]
        if canonicalize_name(name) in _VCS_REQUIREMENTS:
            return str(canonicalize_name(name))
    tool = _table(pyproject, "tool")
    for table in _VCS_TABLES:
        if table in tool:
            return table
    if _table(tool, "hatch", "version").get("source") == "vcs":
        return "hatch-vcs"
    if _table(tool, "pdm", "version").get("source") == "scm":
        return "pdm-backend"
    return None


def _table(data: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    """The nested table at `keys`, or an empty one when any level is missing or not a table."""
    for key in keys:
        value = data.get(key)
        data = value if isinstance(value, dict) else {}
    return data


def find_import_names(root: Path, name: str, configured: tuple[str, ...] = ()) -> tuple[str, ...]:
    """What the test-index check imports: configured names, packages in src/ or the root.

    Falls back to the distribution name with `-` and `.` made `_`, the usual module name.
    """
    if configured:
        return configured
    for folder in (root / "src", root):
        found = sorted(
            entry.name
            for entry in _entries(folder)
            if entry.name.isidentifier()
            and entry.name not in _NOT_PACKAGES
            and (entry / "__init__.py").is_file()
        )
        if found:
            return tuple(found)
    return (re.sub(r"[-.]+", "_", name).lower(),)


def _entries(folder: Path) -> list[Path]:
    try:
        return [entry for entry in folder.iterdir() if entry.is_dir()]
    except OSError:
        return []


def version_pin(version: str) -> str:
    """The requirement the gate job installs: this very version when the index can have it."""
    try:
        parsed = Version(version)
    except InvalidVersion:
        return "pytest-release-checks"
    if parsed.is_devrelease or parsed.local is not None:
        return "pytest-release-checks"
    return f"pytest-release-checks=={parsed}"


def settings_for(
    root: Path,
    pyproject: Mapping[str, Any],
    *,
    python: str | None = None,
    environment: str = "pypi",
    checker_version: str = "",
) -> WorkflowSettings:
    """Fill the settings in from the project's pyproject.toml, config and files."""
    from release_checks.changelog import find_changelog  # noqa: PLC0415
    from release_checks.config import parse_config  # noqa: PLC0415
    from release_checks.errors import FactError  # noqa: PLC0415

    project = _table(pyproject, "project")
    name = project.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(
            "pyproject.toml has no `[project] name`; the release workflow needs the "
            "distribution name"
        )
    requires_python = project.get("requires-python")
    config = parse_config(pyproject)
    try:
        changelog = find_changelog(root, config.changelog)
    except FactError:
        changelog = None
    return WorkflowSettings(
        name=name,
        python=choose_python(requires_python if isinstance(requires_python, str) else None, python),
        environment=environment,
        import_names=find_import_names(root, name, config.import_names),
        changelog=(
            changelog.relative_to(root).as_posix()
            if changelog and changelog.is_relative_to(root)
            else None
        ),
        vcs_version=uses_vcs_version(pyproject),
        checker=version_pin(checker_version),
    )


def github_repository(root: Path) -> tuple[str, str] | None:
    """Owner and name of the repository `origin` points at, when it can be read."""
    from release_checks.errors import FactError  # noqa: PLC0415
    from release_checks.git import run_git  # noqa: PLC0415

    try:
        url = run_git(root, "remote", "get-url", "origin").strip()
    except FactError:
        return None
    match = _REMOTE.search(url)
    return (match["owner"], match["repo"]) if match else None


_REMOTE = re.compile(r"[/:](?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")


def next_steps(settings: WorkflowSettings, repository: tuple[str, str] | None) -> str:
    """What to set up by hand before the first release, with the values that must match."""
    owner, repo = repository or ("<your GitHub user or organisation>", "<your repository>")
    lines = [
        "Next steps, before the first release:",
        '- On the index, add a Trusted Publisher (a "pending" one for a new project) with:',
        f"    project name:  {settings.name}",
        f"    owner:         {owner}",
        f"    repository:    {repo}",
        f"    workflow:      {Path(WORKFLOW_PATH).name}",
        f"    environment:   {settings.environment}",
        "  and the same on the test index with the environment `testpypi`.",
        (
            f"- In the repository's settings, create the environments `{settings.environment}` "
            "(with required reviewers, deployments from `v*` tags only) and `testpypi`."
        ),
        (
            "- Set the repository variables TEST_INDEX_UPLOAD_URL (the test index's legacy upload "
            "URL, as given in its docs) and TEST_INDEX_SIMPLE_URL (its simple index URL)."
        ),
        (
            f"- The test-index job imports {', '.join(settings.import_names)}; edit the workflow "
            "if that is not your package."
        ),
    ]
    if settings.changelog is None:
        lines.append(
            "- Add a changelog (CHANGELOG.md): the release notes are its section for the version."
        )
    lines.append(
        f"- Commit {WORKFLOW_PATH}, then release: "
        'git tag -a v1.2.0 -m "Release 1.2.0" && git push origin v1.2.0'
    )
    return "\n".join(lines) + "\n"


def write_workflow(start: Path, *, python: str | None, environment: str) -> str:
    """Write the workflow into the project at or above `start`; return what to do next.

    An existing workflow file is never replaced: it may hold the user's own changes.
    """
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    from release_checks.project import find_project_root, load_pyproject  # noqa: PLC0415

    root = find_project_root(start)
    if root is None:
        raise ConfigError(f"no pyproject.toml in {start} or a parent directory")
    target = root / WORKFLOW_PATH
    if target.exists():
        raise ConfigError(
            f"{target} already exists; not overwriting it. Move it away to write a fresh one, "
            "then carry your changes over"
        )
    try:
        own_version = version("pytest-release-checks")
    except PackageNotFoundError:
        own_version = ""
    settings = settings_for(
        root,
        load_pyproject(root),
        python=python,
        environment=environment,
        checker_version=own_version,
    )
    text = render_workflow(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return f"Wrote {WORKFLOW_PATH} for {settings.name} (Python {settings.python}).\n" + next_steps(
        settings, github_repository(root)
    )
