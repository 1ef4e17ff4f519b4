"""The release being checked: which tag, which version, and where each came from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from release_checks import git
from release_checks.errors import FactError
from release_checks.records import Record
from release_checks.tags import looks_like_release_tag, split_tag

__all__ = ["ReleaseContext", "TagChoice", "choose_tag", "planned_prefix"]


@dataclass(frozen=True, kw_only=True)
class TagChoice(Record):
    """A release tag and the reason we believe it names this release."""

    name: str
    source: str
    planned: bool = False


@dataclass(frozen=True, kw_only=True)
class ReleaseContext(Record):
    """Everything the header shows and the gates compare against."""

    project: str
    tag: TagChoice | None
    version: str | None
    dists: str
    problem: str | None = None

    @property
    def no_version_reason(self) -> str:
        """Why `parsed_version` is None, pointing at the gate that reports the cause."""
        if self.tag is None:
            return self.problem or "there is no release tag"
        return "the release tag carries no PEP 440 version — see test_tag_is_pep440"

    @property
    def parsed_version(self) -> Version | None:
        """The release version, or None when the tag does not carry a valid one."""
        try:
            return Version(self.version) if self.version else None
        except InvalidVersion:
            return None


def choose_tag(
    root: Path,
    option: str | None,
    environ: Mapping[str, str],
    prefix: str | None,
    *,
    own_prefix_only: bool = False,
) -> TagChoice | None:
    """Find the release tag without building: the option, a CI tag build, or a tag at HEAD.

    With `own_prefix_only` (a workspace package with a ``tag-prefix``) tags without that
    prefix belong to other packages of the repository and are passed over, wherever they
    come from.
    """

    def own(tag: str) -> bool:
        return not (own_prefix_only and prefix) or tag.startswith(prefix)

    if option and own(option):
        return TagChoice(name=option, source="--release-tag")
    ci_tag = environ.get("GITHUB_REF_NAME", "")
    if environ.get("GITHUB_REF_TYPE") == "tag" and ci_tag and own(ci_tag):
        return TagChoice(name=ci_tag, source="GitHub Actions tag build")
    try:
        at_head = [
            tag
            for tag in git.tags_at_head(root)
            if looks_like_release_tag(tag, prefix) and own(tag)
        ]
    except FactError:
        return None
    if not at_head:
        return None
    best = max(at_head, key=lambda tag: _sort_key(tag, prefix))
    others = [tag for tag in at_head if tag != best]
    source = "at HEAD" + (f"; also at HEAD: {', '.join(others)}" if others else "")
    return TagChoice(name=best, source=source)


def _sort_key(tag: str, prefix: str | None) -> tuple[bool, bool, Version | None, str]:
    """Prefer tags with the configured prefix, then valid versions, then the highest."""
    has_prefix = prefix is None or tag.startswith(prefix)
    try:
        return (has_prefix, True, Version(split_tag(tag, prefix)[1]), tag)
    except InvalidVersion:
        return (has_prefix, False, None, tag)


def planned_prefix(root: Path, prefix: str | None) -> str:
    """The prefix a tag for this release would get: configured, else the newest tag's, else v."""
    if prefix is not None:
        return prefix
    try:
        for tag in git.release_tags(root):
            if looks_like_release_tag(tag, None):
                return split_tag(tag, None)[0]
    except FactError:
        pass
    return "v"


def resolve_context(  # noqa: PLR0913 - keyword-only, each one a distinct fact
    *,
    root: Path,
    project: str,
    tag: TagChoice | None,
    prefix: str | None,
    built_version: Callable[[], str | None],
    dists: str,
) -> ReleaseContext:
    """Settle tag and version; with no tag, plan one from the version the build produces."""
    if tag is not None:
        return ReleaseContext(
            project=project, tag=tag, version=split_tag(tag.name, prefix)[1], dists=dists
        )
    version = built_version()
    if version is None:
        return ReleaseContext(
            project=project,
            tag=None,
            version=None,
            dists=dists,
            problem="no tag at HEAD and the build produced no version — see test_dists_build",
        )
    unreadable = git.repository_problem(root)  # then "no tag at HEAD" would mislead
    planned = TagChoice(
        name=f"{planned_prefix(root, prefix)}{version}",
        source=f"planned from the built version: {unreadable}"
        if unreadable is not None
        else "planned: no release tag at HEAD, made from the built version",
        planned=True,
    )
    return ReleaseContext(project=project, tag=planned, version=version, dists=dists)
