"""The benchmark's sample projects: the test suite's templates, plus a few shapes of its own."""

from __future__ import annotations

from pathlib import Path

from tests.factory import FixtureProject, make_project

__all__ = ["DEPENDENCIES", "make_packages", "make_samples"]

# Two small pure-Python runtime dependencies, installable from the configured indexes.
DEPENDENCIES = ("six>=1.16", "iniconfig>=2.0")


def _with_dependencies(root: Path) -> FixtureProject:
    """The hatchling template with two runtime dependencies, committed and tagged."""
    project = make_project(root, "hatchling", tag=None)
    listed = ", ".join(f'"{requirement}"' for requirement in DEPENDENCIES)
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text(
        text.replace("dependencies = []", f"dependencies = [{listed}]"), encoding="utf-8"
    )
    project.commit("Depend on two small libraries")
    project.tag("v1.2.3")
    return project


def make_samples(base: Path) -> dict[str, FixtureProject]:
    """The four sample projects of issue 6, each in its own git repository under `base`."""
    return {
        "hatchling": make_project(base / "hatchling", "hatchling"),
        "setuptools-scm": make_project(base / "setuptools-scm", "setuptools-scm"),
        "flit": make_project(base / "flit", "flit"),
        "hatchling+2 deps": _with_dependencies(base / "hatchling-deps"),
    }


def make_packages(root: Path, count: int) -> FixtureProject:
    """One git repository with `count` small hatchling packages under ``packages/``.

    The hook for the many-packages benchmark: each package is the hatchling template (named
    ``pkg-01``, ``pkg-02``, ...), tagged ``pkg-01-v1.2.3`` and so on, and the repository's
    own pyproject.toml lists them as ``tool.release-checks.packages``.
    """
    names = [f"pkg-{number:02d}" for number in range(1, count + 1)]
    for name in names:
        make_project(root / "packages" / name, "hatchling", name=name, tag=None)
    for name in names:  # one repository: drop each template's own
        for inner in (root / "packages" / name / ".git",):
            _remove_tree(inner)
    workspace = FixtureProject(root=root, name="workspace", module="workspace", package_dir=root)
    workspace.write(
        "pyproject.toml",
        '[tool.release-checks]\npackages = ["packages/*"]\n',
    )
    workspace.write(".gitignore", "dist/\nbuild/\n__pycache__/\n")
    workspace.git("init", "-q", "-b", "main")
    workspace.commit("Initial commit")
    for name in names:
        workspace.tag(f"{name}-v1.2.3")
    return workspace


def _remove_tree(path: Path) -> None:
    import shutil  # noqa: PLC0415

    shutil.rmtree(path, ignore_errors=True)
