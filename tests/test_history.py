"""Release branch and earlier releases, read from real repositories, clones and shallow clones."""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from release_checks import history
from release_checks.config import parse_config
from release_checks.errors import ConfigError
from tests.factory import GIT_IDENTITY, FixtureProject, make_project

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def project(tmp_path: Path) -> FixtureProject:
    """A hatchling project on `main` with one commit, tagged `v1.2.3` (annotated)."""
    return make_project(tmp_path / "demo")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_IDENTITY},
    )
    return done.stdout


def clone(source: Path, target: Path, *options: str) -> FixtureProject:
    """`git clone` of `source` (a file:// URL, so --depth is honoured) into `target`."""
    subprocess.run(
        ["git", "clone", "-q", *options, f"file://{source}", str(target)],
        check=True,
        capture_output=True,
    )
    return FixtureProject(root=target, name="demo", module="demo", package_dir=target / "src")


def ci_checkout(source: Path, target: Path, ref: str, *, depth: int | None) -> Path:
    """What `actions/checkout` does: init, fetch the ref (and branches), detach HEAD at it."""
    target.mkdir()
    git(target, "init", "-q")
    git(target, "remote", "add", "origin", f"file://{source}")
    shallow = [f"--depth={depth}"] if depth else []
    refspecs = (
        [f"+refs/tags/{ref}:refs/tags/{ref}", "+refs/heads/main:refs/remotes/origin/main"]
        if depth
        else ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]
    )
    git(target, "fetch", "-q", *shallow, "origin", *refspecs)
    git(target, "checkout", "-q", "--detach", ref)
    return target


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


# The release branch


def test_fallback_is_main_then_master(project: FixtureProject) -> None:
    branch = history.find_release_branch(project.root, None)
    assert branch.name == "main"
    assert branch.refs == ("refs/heads/main",)
    assert branch.remote is None
    assert branch.source.startswith("by convention")
    project.git("branch", "-m", "main", "master")
    assert history.find_release_branch(project.root, None).refs == ("refs/heads/master",)


def test_fallback_without_either_branch_names_main_with_no_refs(project: FixtureProject) -> None:
    project.git("branch", "-m", "main", "trunk")
    branch = history.find_release_branch(project.root, None)
    assert (branch.name, branch.refs) == ("main", ())


def test_configured_branch_wins(project: FixtureProject) -> None:
    project.git("branch", "1.x")
    branch = history.find_release_branch(project.root, "1.x")
    assert (branch.name, branch.refs) == ("1.x", ("refs/heads/1.x",))
    assert branch.source == "`tool.release-checks.release-branch`"


def test_a_branch_below_the_name_is_not_the_branch(project: FixtureProject) -> None:
    project.git("branch", "-m", "main", "main/old")
    assert history.find_release_branch(project.root, None).refs == ()


def test_remote_default_branch_from_a_clone(project: FixtureProject, tmp_path: Path) -> None:
    project.git("branch", "-m", "main", "develop")
    copy = clone(project.root, tmp_path / "clone")
    branch = history.find_release_branch(copy.root, None)
    assert branch.name == "develop"
    assert branch.remote == "origin"
    assert branch.source == "the default branch of origin"
    assert branch.refs == ("refs/heads/develop", "refs/remotes/origin/develop")


def test_remote_is_the_one_the_branch_tracks(project: FixtureProject, tmp_path: Path) -> None:
    copy = clone(project.root, tmp_path / "clone", "--origin", "upstream")
    copy.git("remote", "add", "origin", f"file://{tmp_path}/nowhere")
    branch = history.find_release_branch(copy.root, None)
    assert branch.remote == "upstream"
    assert branch.refs == ("refs/heads/main", "refs/remotes/upstream/main")


def test_ci_checkout_detached_with_only_the_remote_branch(
    project: FixtureProject, tmp_path: Path
) -> None:
    checkout = ci_checkout(project.root, tmp_path / "ci", "v1.2.3", depth=None)
    branch = history.find_release_branch(checkout, None)
    assert branch.remote == "origin"
    assert branch.refs == ("refs/remotes/origin/main",)  # no origin/HEAD, no local main
    assert branch.source.startswith("by convention")
    assert history.is_on(checkout, head(checkout), "refs/remotes/origin/main")


# On the branch or not


def test_tag_on_a_side_branch_is_not_on_main(project: FixtureProject) -> None:
    project.git("switch", "-q", "-c", "feature")
    project.commit("Feature")
    side = head(project.root)
    project.git("switch", "-q", "main")
    main = head(project.root)
    assert history.is_on(project.root, main, "refs/heads/main")
    assert not history.is_on(project.root, side, "refs/heads/main")
    assert history.branches_containing(project.root, side) == ["feature"]
    assert history.branches_containing(project.root, main) == ["feature", "main"]
    project.git("merge", "-q", "--no-ff", "-m", "Merge", "feature")
    assert history.is_on(project.root, side, "refs/heads/main")


def test_detached_head_and_remote_branches(project: FixtureProject, tmp_path: Path) -> None:
    project.git("switch", "-q", "-c", "feature")
    project.commit("Feature")
    project.tag("v1.3.0")
    checkout = ci_checkout(project.root, tmp_path / "ci", "v1.3.0", depth=None)
    assert not history.is_on(checkout, head(checkout), "refs/remotes/origin/main")
    assert history.branches_containing(checkout, head(checkout)) == ["origin/feature"]


def test_shallow_clone_cuts_the_answer(project: FixtureProject, tmp_path: Path) -> None:
    project.commit("Second")
    project.tag("v1.3.0")
    project.commit("Third")
    checkout = ci_checkout(project.root, tmp_path / "ci", "v1.3.0", depth=1)
    tagged = head(checkout)
    assert history.is_on(project.root, tagged, "refs/heads/main")  # the full answer
    assert not history.is_on(checkout, tagged, "refs/remotes/origin/main")  # cut off
    deeper = ci_checkout(project.root, tmp_path / "ci-deeper", "v1.3.0", depth=2)
    assert history.is_on(deeper, tagged, "refs/remotes/origin/main")


def test_clone_with_depth_one_of_the_branch(project: FixtureProject, tmp_path: Path) -> None:
    project.commit("Second")
    copy = clone(project.root, tmp_path / "clone", "--depth", "1")
    assert history.is_on(copy.root, head(copy.root), "refs/remotes/origin/main")
    assert history.earlier_releases(copy.root, head(copy.root), "v") == []  # tag not fetched


# Earlier releases


def test_earlier_releases_lightweight_and_annotated(project: FixtureProject) -> None:
    first = head(project.root)
    project.commit("Second")
    project.tag("v1.3.0rc1", annotated=False)
    second = head(project.root)
    project.commit("Third")
    found = {r.tag: r for r in history.earlier_releases(project.root, head(project.root), "v")}
    assert set(found) == {"v1.2.3", "v1.3.0rc1"}
    assert found["v1.2.3"].commit == first  # annotated: peeled to the commit
    assert found["v1.3.0rc1"].commit == second
    assert found["v1.3.0rc1"].version == Version("1.3.0rc1")


def test_earlier_releases_keep_the_prefix_and_skip_non_versions(project: FixtureProject) -> None:
    for name in ("latest", "1.0.0", "vendor-1", "v-2", "pkg-b-v9.0", "v9.0-x", "V2.0"):
        project.tag(name, annotated=False)
    tags = [r.tag for r in history.earlier_releases(project.root, head(project.root), "v")]
    assert tags == ["v1.2.3"]
    bare = [r.tag for r in history.earlier_releases(project.root, head(project.root), "")]
    assert bare == ["1.0.0"]
    other = history.earlier_releases(project.root, head(project.root), "pkg-b-v")
    assert [(r.tag, r.version) for r in other] == [("pkg-b-v9.0", Version("9.0"))]


def test_earlier_releases_only_in_the_commits_history(project: FixtureProject) -> None:
    project.git("switch", "-q", "-c", "2.x")
    project.commit("Two")
    project.tag("v2.0.0")
    project.git("switch", "-q", "main")
    project.commit("Fix")
    tags = [r.tag for r in history.earlier_releases(project.root, head(project.root), "v")]
    assert tags == ["v1.2.3"]


def test_two_tags_on_head_are_both_listed(project: FixtureProject) -> None:
    project.tag("v1.2.3rc1", annotated=False)
    releases = history.earlier_releases(project.root, head(project.root), "v")
    assert {(r.tag, r.commit) for r in releases} == {
        ("v1.2.3", head(project.root)),
        ("v1.2.3rc1", head(project.root)),
    }


# The setting


def test_release_branch_setting() -> None:
    def parse(value: object) -> str | None:
        table = {"tool": {"release-checks": {"release-branch": value}}}
        return parse_config(table).release_branch

    assert parse("1.x") == "1.x"
    assert parse("release/2.0") == "release/2.0"
    assert parse_config({}).release_branch is None
    for wrong in ("", "refs/heads/main", "main branch", "-x", "a..b", "main/", 3, ["main"]):
        with pytest.raises(ConfigError) as caught:
            parse(wrong)
        assert "`tool.release-checks.release-branch` must be a branch name such as" in str(
            caught.value
        )
