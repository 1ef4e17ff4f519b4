"""Uncommitted changes, read from real repositories: a project and a monorepo package."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from release_checks.worktree import TreeChange, TreeStatus, tree_status
from tests.factory import FixtureProject, make_project

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def project(tmp_path: Path) -> FixtureProject:
    """A hatchling project with one commit; .gitignore ignores dist/, build/ and caches."""
    return make_project(tmp_path / "demo")


def changes(root: Path, **options: Path) -> dict[str, str]:
    status = tree_status(root, **options)
    assert status.error is None
    return {change.path: change.state for change in status.changes}


def test_a_committed_tree_is_clean(project: FixtureProject) -> None:
    assert tree_status(project.root) == TreeStatus(changes=())


def test_untracked_modified_deleted_and_staged(project: FixtureProject) -> None:
    project.write("notes/todo.txt", "ship it\n")
    project.write("my notes.txt", "spaces\n")
    project.write("ünïcode.txt", "non-ascii\n")
    project.append("src/demo/cli.py", "# an edit\n")
    (project.root / "LICENSE").unlink()
    project.write("src/demo/new.py", "x = 1\n")
    project.git("add", "src/demo/new.py")
    project.append("README.md", "more\n")
    project.git("add", "README.md")
    project.append("README.md", "and more\n")
    assert changes(project.root) == {
        "notes/todo.txt": "untracked",  # each file, not just the directory
        "my notes.txt": "untracked",
        "ünïcode.txt": "untracked",
        "src/demo/cli.py": "modified",
        "LICENSE": "deleted",
        "src/demo/new.py": "staged new file",
        "README.md": "staged change, modified",
    }


def test_staged_rename_names_its_source(project: FixtureProject) -> None:
    project.git("mv", "src/demo/cli.py", "src/demo/main.py")
    assert changes(project.root) == {"src/demo/main.py": "staged rename from src/demo/cli.py"}


def test_ignored_files_are_not_changes(project: FixtureProject) -> None:
    project.write("dist/demo-1.2.3.tar.gz", "ignored by .gitignore\n")
    project.write("build/lib/demo/__init__.py", "ignored\n")
    assert changes(project.root) == {}


def test_bytecode_is_not_a_change_even_when_not_ignored(project: FixtureProject) -> None:
    project.write(".gitignore", "")
    project.commit("Ignore nothing")
    project.write("src/demo/__pycache__/cli.cpython-311.pyc", "bytecode\n")
    project.write("tests/old.pyc", "bytecode\n")  # Python writes these on import, this run too
    project.write("tests/test_cli.py", "def test(): pass\n")
    assert changes(project.root) == {"tests/test_cli.py": "untracked"}


def test_the_prebuilt_dist_directory_is_left_out(project: FixtureProject, tmp_path: Path) -> None:
    project.write(".gitignore", "")
    project.commit("Ignore nothing")
    project.write("dist/demo-1.2.3.tar.gz", "the release\n")
    project.write("distribution.txt", "not the dist directory\n")
    assert changes(project.root, exclude=project.root / "dist") == {"distribution.txt": "untracked"}
    assert set(changes(project.root, exclude=tmp_path / "elsewhere")) == {
        "dist/demo-1.2.3.tar.gz",
        "distribution.txt",
    }
    assert len(changes(project.root, exclude=project.root)) == 2  # not the whole project


def test_monorepo_package_sees_only_its_directory(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "repo", name="tools")
    package = make_project(repo.root / "packages" / "demo", tag=None)
    (package.root / ".git").rename(tmp_path / "nested-git")  # one repository, not two
    repo.commit("Add the demo package")
    repo.write("README.md", "# the workspace readme, edited\n")
    repo.write("packages/other/notes.txt", "a neighbour's file\n")
    assert changes(package.root) == {}
    package.write("src/demo/extra.py", "y = 2\n")
    package.append("pyproject.toml", "\n")
    assert changes(package.root) == {
        "src/demo/extra.py": "untracked",
        "pyproject.toml": "modified",
    }


def test_outside_a_repository_the_status_says_why(tmp_path: Path) -> None:
    status = tree_status(tmp_path)
    assert status.changes == ()
    assert status.error is not None
    assert status.error == f"{tmp_path} is not a git repository (no .git in it or above it)"


def test_status_round_trips_through_json() -> None:
    status = TreeStatus(changes=(TreeChange(path="a b/ü.txt", state="untracked"),))
    assert TreeStatus.from_json(status.to_json()) == status
