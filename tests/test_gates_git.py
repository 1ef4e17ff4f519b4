"""The git gates (issue 4) end to end; see tests/scenarios.py for the machinery.

Most scenarios select the git gates alone (`-k`): with a static version they need no build.
CI checkouts are made as `actions/checkout` makes them: a fresh repository that fetches the
tag (and, with full history, every branch) from an "origin" and detaches HEAD at the tag.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.factory import FixtureProject, make_project
from tests.scenarios import (
    INNER_RUN_TIMEOUT,
    Edit,
    Scenario,
    append,
    commit,
    failed,
    gates_shown_failing,
    read_junit,
    replace,
    run_scenario,
    skipped,
    write,
)

BRANCH = "test_tag_on_release_branch"
CLEAN = "test_tree_is_clean"
FORWARD = "test_version_moves_forward"
GIT_GATES = (BRANCH, CLEAN, FORWARD)
ONLY_GIT_GATES = ("-k", "tag_on_release_branch or tree_is_clean or version_moves_forward")


def tag(name: str, *, annotated: bool = True) -> Edit:
    return lambda project: project.tag(name, annotated=annotated)


def switch(branch: str) -> Edit:
    """Create `branch` at HEAD and check it out."""
    return lambda project: project.git("switch", "-q", "-c", branch)


def ci_checkout(ref: str, *, depth: int | None, branch: bool = True) -> Edit:
    """Replace the project's repository by a CI checkout of `ref` from an "origin".

    `depth` None is ``fetch-depth: 0`` (every branch and tag, full history); a number
    fetches the tag, and `main` when `branch`, that deep.
    """

    def edit(project: FixtureProject) -> None:
        origin = project.root.parent / "origin.git"
        project.git("clone", "-q", "--bare", str(project.root), str(origin))
        shutil.rmtree(project.root / ".git")
        project.git("init", "-q")
        project.git("remote", "add", "origin", f"file://{origin}")
        refspecs = [f"+refs/tags/{ref}:refs/tags/{ref}"]
        if depth is None:
            refspecs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]
        elif branch:
            refspecs.append("+refs/heads/main:refs/remotes/origin/main")
        shallow = [] if depth is None else [f"--depth={depth}"]
        project.git("fetch", "-q", *shallow, "origin", *refspecs)
        project.git("checkout", "-q", "-f", "--detach", ref)

    return edit


SIDE_BRANCH_RELEASE = (switch("feature"), commit("A feature"), tag("v1.2.3"))
MANY_FILES = tuple(write(f"scratch/note-{n:02}.txt", "x\n") for n in range(30))

SCENARIOS = [
    # Healthy: tagged on main, clean, the first release.
    Scenario(id="healthy", args=ONLY_GIT_GATES, gates=GIT_GATES),
    # The release branch.
    Scenario(
        id="tag-on-side-branch",
        tag=None,
        after_tag=SIDE_BRANCH_RELEASE,
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            BRANCH: failed(
                "tag v1.2.3 (commit {head}) is not on the release branch main (by convention: "
                "no `release-branch` setting and no remote default branch; checked "
                "refs/heads/main): it is on feature.",
                "Fix: merge it into main and tag the merge commit",
                "`git tag -f -a v1.2.3 <commit>`",
                'release-branch = "..."',
            )
        },
    ),
    Scenario(
        id="tag-on-configured-maintenance-branch",
        tag=None,
        after_tag=(
            switch("1.2.x"),
            append("pyproject.toml", '[tool.release-checks]\nrelease-branch = "1.2.x"\n'),
            commit("Release 1.2.3 from the maintenance branch"),
            tag("v1.2.3"),
        ),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
    ),
    Scenario(
        id="untagged-head-on-side-branch",
        tag=None,
        after_tag=(switch("feature"), commit("A feature")),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            BRANCH: skipped("HEAD ({head}) is not on the release branch main", "it is on feature")
        },
    ),
    Scenario(
        id="ci-detached-full-history",
        after_tag=(commit("Start 1.2.4"), ci_checkout("v1.2.3", depth=None)),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
    ),
    Scenario(
        id="ci-detached-full-history-side-branch",
        tag=None,
        after_tag=(*SIDE_BRANCH_RELEASE, ci_checkout("v1.2.3", depth=None)),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            BRANCH: failed(
                "tag v1.2.3 (commit {head}) is not on the release branch main",
                "checked refs/remotes/origin/main): it is on origin/feature.",
            )
        },
    ),
    Scenario(
        id="ci-shallow-clone-history-cut",
        after_tag=(commit("Start 1.2.4"), ci_checkout("v1.2.3", depth=1)),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            BRANCH: failed(
                "whether tag v1.2.3 (commit {tagged}) is on the release branch main (by convention",
                "is unknown: this clone is shallow, and the history it has of "
                "refs/remotes/origin/main does not reach the commit",
                "`git fetch --unshallow --tags`",
                "`actions/checkout` with `fetch-depth: 0`",
            ),
            FORWARD: skipped("this clone is shallow, so earlier release tags may be missing"),
        },
    ),
    Scenario(
        id="ci-shallow-clone-strict",
        after_tag=(ci_checkout("v1.2.3", depth=1),),
        args=(*ONLY_GIT_GATES, "--release-strict"),
        gates=GIT_GATES,
        expect={
            FORWARD: failed(
                "whether 1.2.3 is above all of them is unknown",
                "fetch-depth: 0",
                "failing instead of skipping: --release-strict",
            ),
        },
    ),
    # GitHub's default checkout of a tag build: the tag alone, one commit deep.
    Scenario(
        id="ci-default-checkout-tag-only",
        after_tag=(ci_checkout("v1.2.3", depth=1, branch=False),),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            BRANCH: failed(
                "the release branch main (by convention: no `release-branch` setting and no "
                "remote default branch) is not in this clone, so whether tag v1.2.3 (commit "
                "{tagged}) is on it is unknown. Fetch it (`git fetch origin main`; in GitHub "
                "Actions, `actions/checkout` with `fetch-depth: 0` fetches every branch and tag)"
            ),
            FORWARD: skipped("this clone is shallow"),
        },
    ),
    Scenario(
        id="configured-release-branch-not-in-clone",
        edits=(append("pyproject.toml", '[tool.release-checks]\nrelease-branch = "stable"\n'),),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            BRANCH: failed(
                "the release branch stable (`tool.release-checks.release-branch`) is not in "
                "this clone",
                "`git fetch origin stable`",
                "or name the release branch with `release-branch` in [tool.release-checks]",
            )
        },
    ),
    # The work tree.
    Scenario(
        id="untracked-file",
        after_tag=(write("notes.txt", "Remember to update the docs.\n"),),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            CLEAN: failed(
                "has uncommitted changes; a build from it includes them, but the release tag "
                "does not:\n  - notes.txt: untracked\nFix: commit them, or stash them "
                "(`git stash --include-untracked`); add files that never belong in git to "
                ".gitignore."
            )
        },
    ),
    Scenario(
        id="modified-file",
        after_tag=(append("src/demo/cli.py", "# an uncommitted change\n"),),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            CLEAN: failed(
                "  - src/demo/cli.py: modified\nFix: commit them, or stash them",
                absent=(".gitignore",),
            )
        },
    ),
    Scenario(
        id="many-untracked-files",
        after_tag=MANY_FILES,
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            CLEAN: failed("  - scratch/note-24.txt: untracked\n  … and 5 more", absent=("note-25",))
        },
    ),
    Scenario(
        id="ignored-files",
        after_tag=(write("build/lib/leftover.py", "x = 1\n"), write("dist/old.txt", "x\n")),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
    ),
    # Concurrent workers: setuptools writes `src/demo.egg-info/` (not ignored here) while it
    # builds; the tree is looked at before the build, so the gate never sees it.
    Scenario(
        id="build-leftovers-not-ignored-xdist",
        backend="setuptools-scm",
        edits=(replace(".gitignore", "*.egg-info/\n", ""),),
        args=("-n", "2", "-k", "dists_build or tree_is_clean or wheel_works"),
        gates=("test_dists_build", CLEAN, "test_wheel_works_in_fresh_venv"),
    ),
    # The version's history.
    Scenario(
        id="version-below-an-earlier-release",
        tag="v1.3.0",
        after_tag=(commit("Back to the 1.2 line by mistake"), tag("v1.2.3")),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            FORWARD: failed(
                "version 1.2.3 (tag v1.2.3, at HEAD; commit {head}) does not move forward:\n"
                "  - v1.3.0 (commit {tagged}, in its history): 1.3.0 is higher",
                "the index refuses a version it already has",
                "Fix: release a version above those listed",
            )
        },
    ),
    Scenario(
        id="final-after-its-pre-releases",
        tag="v1.2.3rc1",
        after_tag=(tag("v1.2.3b1", annotated=False), commit("Release"), tag("v1.2.3")),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
    ),
    Scenario(
        id="same-version-re-tagged-on-another-commit",
        version="1.2.0",
        tag="v1.2",
        after_tag=(commit("Fix the release"), tag("v1.2.0")),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            FORWARD: failed("  - v1.2 (commit {tagged}, in its history): the same version, 1.2"),
        },
    ),
    Scenario(
        id="released-version-not-bumped",
        after_tag=(commit(),),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
        expect={
            FORWARD: failed(
                "version 1.2.3 (tag v1.2.3, planned: no release tag at HEAD",
                "  - v1.2.3 already tags another commit, {tagged}",
            ),
        },
    ),
    Scenario(
        id="two-tags-on-head-lightweight-and-annotated",
        tag="v1.2.3",
        after_tag=(tag("v1.2.3rc2", annotated=False), tag("latest", annotated=False)),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
    ),
    Scenario(
        id="two-tags-on-head-the-lower-one-chosen",
        tag="v1.2.3",
        after_tag=(tag("v1.2.3rc2", annotated=False),),
        args=(*ONLY_GIT_GATES, "--release-tag", "v1.2.3rc2"),
        gates=GIT_GATES,
        expect={FORWARD: failed("  - v1.2.3 (the same commit): 1.2.3 is higher")},
    ),
    # A dev build after the last release: setuptools-scm plans 1.2.3.dev1+g<hash>.
    Scenario(
        id="dev-build-after-a-release",
        backend="setuptools-scm",
        tag="v1.2.2",
        after_tag=(commit(),),
        args=ONLY_GIT_GATES,
        gates=GIT_GATES,
    ),
]


def test_every_gate_fails_with_its_message_somewhere() -> None:
    assert set(GIT_GATES) <= gates_shown_failing(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
    run_scenario(scenario, pytester, project_root)


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_without_git_the_git_gates_cannot_decide(
    strict: bool, pytester: pytest.Pytester, project_root: Path
) -> None:
    project = make_project(project_root)
    shutil.rmtree(project.root / ".git")
    report = pytester.path / "report.xml"
    options = ["--release-strict"] if strict else []
    result = pytester.runpytest_subprocess(
        "-m", "release", *ONLY_GIT_GATES, *options, f"--junit-xml={report}",
        timeout=INNER_RUN_TIMEOUT,
    )  # fmt: skip
    gates = read_junit(report)
    assert set(gates) == set(GIT_GATES)
    for gate in gates.values():
        assert gate.outcome == ("failed" if strict else "skipped")
        assert f"{project.root} is not a git repository (no .git in it or above it)" in gate.text
    assert result.ret == (pytest.ExitCode.TESTS_FAILED if strict else pytest.ExitCode.OK)
