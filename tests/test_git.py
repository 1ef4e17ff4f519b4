"""Facts from git, read from real repositories and a real shallow clone."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

from release_checks import git
from release_checks.errors import FactError
from tests.factory import FixtureProject, make_project

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def project(tmp_path: Path) -> FixtureProject:
    """A hatchling project with one commit, tagged `v1.2.3` (annotated)."""
    return make_project(tmp_path / "demo")


def test_is_repository(project: FixtureProject, tmp_path: Path) -> None:
    assert git.is_repository(project.root)
    assert git.is_repository(project.package_dir)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert not git.is_repository(outside)


def test_run_git_failure_is_a_fact_error_with_gits_words(tmp_path: Path) -> None:
    with pytest.raises(FactError) as caught:
        git.run_git(tmp_path, "rev-parse", "HEAD")
    assert str(caught.value).startswith("`git rev-parse HEAD` failed: ")
    assert "not a git repository" in str(caught.value)


def test_head_commit(project: FixtureProject) -> None:
    assert git.head_commit(project.root) == project.git("rev-parse", "HEAD").strip()
    assert len(git.head_commit(project.root)) == 40


def test_head_commit_without_commits(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with pytest.raises(FactError, match="HEAD"):
        git.head_commit(tmp_path)


def test_tags_at_head_lightweight_and_annotated_sorted(project: FixtureProject) -> None:
    project.tag("latest", annotated=False)
    project.tag("1.2.3", annotated=False)
    assert git.tags_at_head(project.root) == ["1.2.3", "latest", "v1.2.3"]
    project.commit("Next")
    assert git.tags_at_head(project.root) == []


def test_release_tags_lists_every_tag_newest_first(project: FixtureProject) -> None:
    project.tag("v2.0", date="2026-06-01T00:00:00+00:00")
    project.tag("v0.9", date="2026-01-01T00:00:00+00:00")
    tags = git.release_tags(project.root)
    assert sorted(tags) == ["v0.9", "v1.2.3", "v2.0"]
    assert tags.index("v2.0") < tags.index("v0.9")


def test_tag_commit_peels_annotated_tags(project: FixtureProject) -> None:
    head = project.git("rev-parse", "HEAD").strip()
    tag_object = project.git("rev-parse", "v1.2.3").strip()
    assert tag_object != head  # annotated: the tag is an object of its own
    assert git.tag_commit(project.root, "v1.2.3") == head
    project.commit("Next")
    project.tag("v1.3.0", annotated=False)
    assert git.tag_commit(project.root, "v1.3.0") == project.git("rev-parse", "HEAD").strip()
    assert git.tag_commit(project.root, "v1.2.3") == head


def test_tag_commit_of_a_missing_tag_is_none(project: FixtureProject) -> None:
    assert git.tag_commit(project.root, "v9.9.9") is None
    assert git.tag_commit(project.root, "main") is None  # a branch, not a tag


def test_is_shallow(project: FixtureProject, tmp_path: Path) -> None:
    project.commit("Second")
    project.commit("Third")
    assert not git.is_shallow(project.root)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{project.root}", str(clone)],
        check=True,
    )
    assert git.is_shallow(clone)
    assert git.head_commit(clone) == git.head_commit(project.root)


def test_is_shallow_outside_a_repository_is_a_fact_error(tmp_path: Path) -> None:
    with pytest.raises(FactError, match="is-shallow-repository"):
        git.is_shallow(tmp_path)


def test_stray_paths_are_untracked_and_ignored_absolute_paths(project: FixtureProject) -> None:
    root = project.root.resolve()
    assert git.stray_paths(project.root) == set()
    project.write("build/lib/demo.py", "x = 1\n")  # ignored directory: reported once
    project.write("scratch/a/b.txt", "notes\n")  # untracked directory: reported once
    project.write("my notes.txt", "spaces\n")
    project.write("ünïcode.txt", "non-ascii\n")
    project.write("src/demo/new.py", "y = 2\n")
    project.write("README.md", "# changed, but tracked\n")
    assert git.stray_paths(project.root) == {
        str(root / "build"),
        str(root / "scratch"),
        str(root / "my notes.txt"),
        str(root / "ünïcode.txt"),
        str(root / "src/demo/new.py"),
    }


def test_stray_paths_from_a_subdirectory_are_limited_to_it(project: FixtureProject) -> None:
    project.write("build/out.txt", "x\n")
    project.write("src/demo/new.py", "y = 2\n")
    assert git.stray_paths(project.root / "src") == {
        str(project.root.resolve() / "src/demo/new.py")
    }


def test_repository_problem_says_which_fix_applies(
    project: FixtureProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert git.repository_problem(project.package_dir) is None
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert git.repository_problem(outside) == (
        f"{outside} is not a git repository (no .git in it or above it)"
    )
    monkeypatch.setenv("PATH", str(outside))
    assert git.repository_problem(project.root) == (
        "git is not installed (or not on PATH), so tags and tracked files cannot be read"
    )
