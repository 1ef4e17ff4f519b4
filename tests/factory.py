"""Small real projects, written into temporary git repositories and built for real.

Each backend family our users rely on has a template: hatchling with a static version,
setuptools with setuptools-scm (version from the git tag), and flit_core (version from
``__version__``). Tests change a template into a defect by writing or overwriting files.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from release_checks.builder import build_dists
from release_checks.config import ReleaseConfig
from release_checks.distset import DistSet
from release_checks.project import load_pyproject, read_project
from release_checks.run import ReleaseRun, RunOptions
from release_checks.shared import once_per_run

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest

Backend = Literal["hatchling", "setuptools-scm", "flit"]

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Release Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.invalid",
    "GIT_COMMITTER_NAME": "Release Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.invalid",
}

# What every template declares, as a well-kept project does: license, authors, classifiers,
# a console script and URLs. Each backend's part goes around it.
_METADATA = """
        requires-python = ">=3.11"{extra}
        license = "MIT"
        license-files = ["LICENSE"]
        authors = [{{{{ name = "Release Tester", email = "tester@example.invalid" }}}}]
        classifiers = [
            "Programming Language :: Python :: 3",
            "Programming Language :: Python :: 3.11",
            "Programming Language :: Python :: 3.12",
        ]

        [project.scripts]
        {{name}} = "{{module}}.cli:main"

        [project.urls]
        Homepage = "https://example.invalid/{{name}}"
        Changelog = "https://example.invalid/{{name}}/blob/main/CHANGELOG.md"
        """


def _template(head: str, *, extra: str = "", tail: str = "        ") -> str:
    """A backend's head, the shared metadata, and the backend's tail, as one template."""
    return head.rstrip(" ") + _METADATA.format(extra=extra).lstrip("\n").rstrip(" ") + tail


_PYPROJECTS: dict[Backend, str] = {
    "hatchling": _template(
        """
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{name}"
        version = "{version}"
        description = "A small project for release-checks' tests"
        readme = "README.md"
        """,
        extra="\n        dependencies = []",
    ),
    "setuptools-scm": _template(
        """
        [build-system]
        requires = ["setuptools>=77", "setuptools-scm>=8"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{name}"
        dynamic = ["version"]
        description = "A small project for release-checks' tests"
        readme = "README.md"
        """,
        tail="""
        [tool.setuptools_scm]
        """,
    ),
    "flit": _template(
        """
        [build-system]
        requires = ["flit_core>=3.12,<4"]
        build-backend = "flit_core.buildapi"

        [project]
        name = "{name}"
        dynamic = ["version", "description"]
        readme = "README.md"
        """
    ),
}

_INIT: dict[Backend, str] = {
    "hatchling": '"""{name}: a test project."""\n\n__version__ = "{version}"\n',
    "setuptools-scm": (
        '"""{name}: a test project."""\n\nfrom importlib.metadata import version\n\n'
        '__version__ = version("{name}")\n'
    ),
    "flit": '"""{name}: a test project."""\n\n__version__ = "{version}"\n',
}

_PACKAGE_DIR: dict[Backend, str] = {
    "hatchling": "src/{module}",
    "setuptools-scm": "src/{module}",
    "flit": "{module}",
}


@dataclass
class FixtureProject:
    """A project on disk, under git, that a test can edit, commit and tag."""

    root: Path
    name: str
    module: str
    package_dir: Path

    def git(self, *args: str, date: str | None = None) -> str:
        """Run git in the project; `date` sets the author and committer (and tagger) date."""
        dates = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        done = subprocess.run(
            ["git", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **GIT_IDENTITY, **dates},
        )
        return done.stdout

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def append(self, relative: str, text: str) -> None:
        """Add `text` at the end of a file (a table to pyproject.toml, say)."""
        path = self.root / relative
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    def commit(self, message: str = "Change") -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def tag(self, name: str, *, annotated: bool = True, date: str | None = None) -> None:
        if annotated:
            self.git("tag", "-a", name, "-m", f"Release {name}", date=date)
        else:
            self.git("tag", name, date=date)

    def status(self) -> str:
        return self.git("status", "--porcelain", "--untracked-files=all")


def make_project(
    root: Path,
    backend: Backend = "hatchling",
    *,
    name: str = "demo",
    version: str = "1.2.3",
    tag: str | None = "v1.2.3",
    changelog: str | None = None,
) -> FixtureProject:
    """Write a healthy project for `backend`, commit it and (unless tag is None) tag it."""
    module = name.replace("-", "_")
    fields = {"name": name, "module": module, "version": version}
    package_dir = root / _PACKAGE_DIR[backend].format(**fields)
    project = FixtureProject(root=root, name=name, module=module, package_dir=package_dir)
    project.write("pyproject.toml", _PYPROJECTS[backend].format(**fields))
    project.write("README.md", f"# {name}\n\nA small project used by release-checks' tests.\n")
    project.write(
        "CHANGELOG.md",
        changelog
        if changelog is not None
        else f"""
        # Changelog

        ## [{version}] - 2026-11-21

        ### Added

        - The `{name}` command.

        ## [0.1.0] - 2026-01-01

        - First release.
        """,
    )
    project.write(".gitignore", "dist/\nbuild/\n*.egg-info/\n__pycache__/\n")
    project.write("LICENSE", "MIT License\n\nCopyright (c) 2026 Release Tester\n")
    init = package_dir / "__init__.py"
    init.parent.mkdir(parents=True, exist_ok=True)
    init.write_text(_INIT[backend].format(**fields), encoding="utf-8")
    (package_dir / "cli.py").write_text(
        f'"""The {name} command."""\n\n\ndef main() -> None:\n    print("{name}")\n',
        encoding="utf-8",
    )
    project.git("init", "-q", "-b", "main")
    project.commit("Initial commit")
    if tag is not None:
        project.tag(tag)
    return project


def release_run(root: Path, shared: Path) -> ReleaseRun:
    """A run of the project at `root` as the plugin makes it, its records in `shared` (new)."""
    shared.mkdir()
    return ReleaseRun(
        project=read_project(root, load_pyproject(root)),
        config=ReleaseConfig(build_timeout=600),
        options=RunOptions(),
        shared_dir=shared,
        environ={},
    )


def run_shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory every xdist worker of this test run shares (the base temp otherwise)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(
    tmp_path_factory: pytest.TempPathFactory, key: str, make: Callable[[Path], FixtureProject]
) -> DistSet:
    """Write the project `make` creates and build it, once per test run across xdist workers.

    `key` names the project shape; every test module asking for the same key shares one
    build (and one failure, if the build fails).
    """
    shared = run_shared_dir(tmp_path_factory)

    def build() -> DistSet:
        project = make(shared / f"{key}-project")
        return build_dists(project.root, shared / f"{key}-dist", timeout=600)

    return once_per_run(shared, f"build-{key}", DistSet, build)


def build_template(tmp_path_factory: pytest.TempPathFactory, backend: Backend) -> DistSet:
    """The healthy `backend` template project, built once per test run."""
    return build_once(tmp_path_factory, f"{backend}-demo", lambda root: make_project(root, backend))
