"""Where a release sits in git history: on the release branch, after the earlier releases.

CI checkouts are often detached and shallow, with the release branch only as a
remote-tracking ref (`origin/main`); every answer here works there, and says when the
history this clone has is too short to give one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from release_checks.git import run_git

__all__ = [
    "EarlierRelease",
    "ReleaseBranch",
    "branches_containing",
    "earlier_releases",
    "find_release_branch",
    "is_on",
]

_FALLBACK_BRANCHES = ("main", "master")


@dataclass(frozen=True, kw_only=True)
class ReleaseBranch:
    """The branch releases are made from, why we think so, and its refs in this clone."""

    name: str
    source: str
    remote: str | None
    refs: tuple[str, ...]
    """`refs/heads/<name>` and `refs/remotes/<remote>/<name>`, those that exist."""


@dataclass(frozen=True, kw_only=True)
class EarlierRelease:
    """A release tag in the history of the release commit."""

    tag: str
    version: Version
    commit: str


def _remote(root: Path) -> str | None:
    """The remote the checked-out branch tracks, else `origin`, else the only remote."""
    branch = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD", ok=(0, 1)).strip()
    if branch:
        tracked = run_git(root, "config", "--get", f"branch.{branch}.remote", ok=(0, 1)).strip()
        if tracked and tracked != ".":  # "." tracks a local branch
            return tracked
    remotes = run_git(root, "remote").split()
    if "origin" in remotes:
        return "origin"
    return remotes[0] if len(remotes) == 1 else None


def _existing_refs(root: Path, name: str, remote: str | None) -> tuple[str, ...]:
    wanted = [f"refs/heads/{name}"] + ([f"refs/remotes/{remote}/{name}"] if remote else [])
    found = set(run_git(root, "for-each-ref", "--format=%(refname)", *wanted).split())
    return tuple(ref for ref in wanted if ref in found)  # a pattern also matches `name/...`


def find_release_branch(root: Path, configured: str | None) -> ReleaseBranch:
    """The configured branch, else the remote's default branch, else `main`, else `master`.

    The remote's default is what `git clone` records as `refs/remotes/<remote>/HEAD`;
    CI checkouts usually lack it, and then the conventional names are tried.
    """
    remote = _remote(root)
    if configured:
        name, source = configured, "`tool.release-checks.release-branch`"
    else:
        default = ""
        if remote:
            head = f"refs/remotes/{remote}/HEAD"
            default = run_git(root, "symbolic-ref", "--quiet", head, ok=(0, 1)).strip()
        if default:
            name = default.removeprefix(f"refs/remotes/{remote}/")
            source = f"the default branch of {remote}"
        else:
            found = [n for n in _FALLBACK_BRANCHES if _existing_refs(root, n, remote)]
            name = found[0] if found else _FALLBACK_BRANCHES[0]
            source = "by convention: no `release-branch` setting and no remote default branch"
    return ReleaseBranch(
        name=name, source=source, remote=remote, refs=_existing_refs(root, name, remote)
    )


def is_on(root: Path, commit: str, ref: str) -> bool:
    """True when `commit` is in the history of `ref` (in a shallow clone: the part it has).

    `git rev-list commit ^ref` lists the commits `ref` lacks: nothing when it has `commit`.
    """
    return not run_git(root, "rev-list", "-n", "1", commit, f"^{ref}", "--").strip()


def branches_containing(root: Path, commit: str) -> list[str]:
    """Short names of the local and remote-tracking branches whose history has `commit`."""
    output = run_git(
        root, "for-each-ref", "--contains", commit, "--format=%(refname)",
        "refs/heads", "refs/remotes",
    )  # fmt: skip
    return [
        ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
        for ref in output.split()
        if not ref.endswith("/HEAD")  # `origin/HEAD` only points at a branch listed anyway
    ]


def earlier_releases(root: Path, commit: str, prefix: str) -> list[EarlierRelease]:
    """Tags `<prefix><PEP 440 version>` in the history of `commit`, lightweight or annotated.

    Tags with another prefix belong to other packages or conventions, and tags that are not
    versions (`latest`, `deploy-3`) are not releases; both are left out.
    """
    output = run_git(
        root, "for-each-ref", "--merged", commit,
        "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)", "refs/tags",
    )  # fmt: skip
    releases = []
    for line in output.splitlines():
        tag, target, peeled = line.split("\0")
        text = tag.removeprefix(prefix)
        if not tag.startswith(prefix) or not text[:1].isdigit():
            continue
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        releases.append(EarlierRelease(tag=tag, version=version, commit=peeled or target))
    return releases
