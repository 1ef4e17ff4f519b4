"""Release gates (issue 4) on git: the tag's branch, the work tree, the version's history.

Collected through `release_checks.gates`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import pytest

from release_checks import git, history
from release_checks.gatekit import fail, release_version, undecidable
from release_checks.tags import split_tag

if TYPE_CHECKING:
    from collections.abc import Sequence

    from release_checks.context import TagChoice
    from release_checks.run import ReleaseRun

pytestmark = pytest.mark.release

__all__ = ["test_tag_on_release_branch", "test_tree_is_clean", "test_version_moves_forward"]

_LISTED = 25  # lines of a list shown in a message before "and N more"
_FULL_HISTORY = (
    "fetch full history (`git fetch --unshallow --tags`; in GitHub Actions, "
    "`actions/checkout` with `fetch-depth: 0`)"
)


def _bullets(lines: Sequence[str]) -> str:
    shown = [f"  - {line}" for line in lines[:_LISTED]]
    if len(lines) > _LISTED:
        shown.append(f"  … and {len(lines) - _LISTED} more")
    return "\n".join(shown)


def _release_commit(run: ReleaseRun, tag: TagChoice) -> str:
    """The commit being released: the tag's, or HEAD while the tag is only planned."""
    root = run.root
    problem = git.repository_problem(root)
    if problem is not None:
        undecidable(run, problem)
    commit = git.head_commit(root) if tag.planned else git.tag_commit(root, tag.name)
    if commit is None:
        pytest.skip(f"tag {tag.name} is not in this clone — see test_head_carries_tag")
    return commit


def _off_branch(run: ReleaseRun, tag: TagChoice, message: str) -> NoReturn:
    """Fail; only skip while the tag is planned: pull requests run on merge commits."""
    __tracebackhide__ = True
    if tag.planned:
        undecidable(run, message)
    fail(message)


def test_tag_on_release_branch(release_run: ReleaseRun) -> None:
    """The tagged commit is on the release branch (in its history).

    The release branch is ``tool.release-checks.release-branch``, else the remote's default
    branch (``refs/remotes/origin/HEAD``, as ``git clone`` records it), else ``main``, else
    ``master``; the local branch and the remote-tracking one (``origin/main``, all a CI
    checkout has) both count. Works on a detached HEAD. While the tag is only planned, HEAD
    is checked, and a miss is a skip (a failure in strict mode): pull requests are checked
    on merge commits that no branch has yet.
    Why: a tag on a side branch publishes code the release branch does not have; the next
    release from the branch silently drops it again.
    Fix: merge into the release branch and tag there; a maintenance branch names itself in
    its own pyproject.toml (``release-branch = "1.x"``). In a shallow clone, fetch full
    history (``fetch-depth: 0``): the answer may lie in the part that is cut off.
    """
    release = release_run.context()
    if release.tag is None:
        pytest.skip(f"no release tag to check: {release.problem}")
    tag = release.tag
    commit = _release_commit(release_run, tag)
    root = release_run.root
    branch = history.find_release_branch(root, release_run.config.release_branch)
    what = f"HEAD ({commit[:12]})" if tag.planned else f"tag {tag.name} (commit {commit[:12]})"
    if not branch.refs:
        remote = branch.remote or "origin"
        _off_branch(
            release_run,
            tag,
            f"the release branch {branch.name} ({branch.source}) is not in this clone, so "
            f"whether {what} is on it is unknown. Fetch it (`git fetch {remote} "
            f"{branch.name}`; in GitHub Actions, `actions/checkout` with `fetch-depth: 0` "
            "fetches every branch and tag), or name the release branch with `release-branch` "
            "in [tool.release-checks].",
        )
    if any(history.is_on(root, commit, ref) for ref in branch.refs):
        return
    refs = ", ".join(branch.refs)
    if git.is_shallow(root):
        _off_branch(
            release_run,
            tag,
            f"whether {what} is on the release branch {branch.name} ({branch.source}) is "
            f"unknown: this clone is shallow, and the history it has of {refs} does not reach "
            f"the commit. To decide, {_FULL_HISTORY}.",
        )
    elsewhere = history.branches_containing(root, commit)
    found = f"it is on {', '.join(elsewhere)}" if elsewhere else "no branch contains it"
    _off_branch(
        release_run,
        tag,
        f"{what} is not on the release branch {branch.name} ({branch.source}; checked "
        f"{refs}): {found}. A release tagged off the branch publishes code that "
        f"{branch.name} does not have.\nFix: merge it into {branch.name} and tag the merge "
        f"commit (a tag not pushed yet can be moved: `git tag -f -a {tag.name} <commit>`); if "
        "releases are made from this branch, say so in its pyproject.toml: `release-branch = "
        '"..."` in [tool.release-checks].',
    )


def test_tree_is_clean(release_run: ReleaseRun) -> None:
    """No tracked file in the project is changed, and no file is untracked and not ignored.

    Only the project's directory counts (a package in a monorepo is not held up by its
    neighbours). Bytecode caches and the ``--release-dist`` directory are left out. The
    tree is looked at before this run builds anything.
    Why: the tag names a commit, but a build from this tree includes the uncommitted
    changes, and a backend may pack an untracked file: what is published is then in no
    commit anyone can check out (a VCS version gets a ``.dYYYYMMDD`` part, too).
    Fix: commit the changes or stash them (``git stash --include-untracked``); files that
    never belong in git (build output, editor files) go in .gitignore.
    """
    status = release_run.tree_status()
    if status.error is not None:
        undecidable(release_run, status.error)
    if not status.changes:
        return
    lines = [f"{change.path}: {change.state}" for change in status.changes]
    untracked = any(change.state == "untracked" for change in status.changes)
    fail(
        f"the work tree of {release_run.root} has uncommitted changes; a build from it "
        "includes them, but the release tag does not:\n"
        + _bullets(lines)
        + "\nFix: commit them, or stash them (`git stash --include-untracked`)"
        + ("; add files that never belong in git to .gitignore." if untracked else ".")
    )


def test_version_moves_forward(release_run: ReleaseRun) -> None:
    """The version is higher (PEP 440 order) than every earlier release tag.

    Earlier: the tags in the history of the release commit with the release tag's prefix
    whose rest is a version (``v1.2.0``, ``v1.3.0rc1``; not ``latest``, not ``pkg-b-1.0``);
    so a maintenance release (1.9.5 on a 1.x branch after 2.0.0 on main) is fine. A final
    release after its own pre-releases is fine; a ``.devN`` build planned after ``v1.2.3``
    as ``1.3.0.dev4`` is fine. An equal version fails when it tags another commit, and so
    does the release tag's own name on another commit. In a shallow clone, whose tags may
    be missing, a pass is a skip (a failure in strict mode).
    Why: installers pick the highest version, so a lower one never reaches users who
    upgrade, and the index refuses a version it already has.
    Fix: release a version above the highest one listed; a wrong tag that was never pushed
    can be deleted (``git tag -d TAG``).
    """
    release = release_run.context()
    if release.tag is None:
        pytest.skip(f"no release tag to check: {release.problem}")
    tag = release.tag
    version = release_version(release_run)
    commit = _release_commit(release_run, tag)
    root = release_run.root
    prefix = split_tag(tag.name, release_run.config.tag_prefix)[0]
    problems = []
    same_name = git.tag_commit(root, tag.name)
    if same_name is not None and same_name != commit:
        problems.append(f"{tag.name} already tags another commit, {same_name[:12]}")
    for earlier in history.earlier_releases(root, commit, prefix):
        if earlier.tag == tag.name:
            continue
        where = (
            "the same commit"
            if earlier.commit == commit
            else f"commit {earlier.commit[:12]}, in its history"
        )
        if earlier.version > version:
            problems.append(f"{earlier.tag} ({where}): {earlier.version} is higher")
        elif earlier.version == version and earlier.commit != commit:
            problems.append(f"{earlier.tag} ({where}): the same version, {earlier.version}")
    if problems:
        fail(
            f"version {version} (tag {tag.name}, {tag.source}; commit {commit[:12]}) does not "
            "move forward:\n"
            + _bullets(problems)
            + "\nInstallers pick the highest version, so a lower one never reaches users who "
            "upgrade, and the index refuses a version it already has.\nFix: release a "
            "version above those listed; a wrong tag that was never pushed can be deleted "
            "(`git tag -d TAG`)."
        )
    if git.is_shallow(root):
        undecidable(
            release_run,
            f"this clone is shallow, so earlier release tags may be missing and whether "
            f"{version} is above all of them is unknown; {_FULL_HISTORY}",
        )
