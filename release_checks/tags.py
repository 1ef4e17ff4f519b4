"""Release tags: their prefix, their version, and how a tag should have been spelled."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

__all__ = ["looks_like_release_tag", "pep440_problem", "split_tag", "version_hint"]

_ACCEPTED_PREFIXES = ("v", "V", "")


def split_tag(tag: str, prefix: str | None) -> tuple[str, str]:
    """Split a tag into (prefix, version text); with no configured prefix `v` is optional."""
    prefixes = (prefix,) if prefix is not None else _ACCEPTED_PREFIXES
    for candidate in prefixes:
        rest = tag.removeprefix(candidate)
        if tag.startswith(candidate) and rest[:1].isdigit():
            return candidate, rest
    return "", tag


def looks_like_release_tag(tag: str, prefix: str | None) -> bool:
    """True for tags meant as releases (`v1.2`, `1.2.0b1`), not `latest` or `deploy-3`.

    A tag with the wrong prefix still counts, so the PEP 440 gate can say what is wrong with it.
    """
    return any(split_tag(tag, candidate)[1][:1].isdigit() for candidate in (prefix, None))


def pep440_problem(tag: str, prefix: str | None) -> str | None:
    """Say what is wrong with a release tag's version, or None when it is canonical PEP 440.

    Zero-padded CalVer numbers (`2024.08.30`) are accepted: they compare equal to the
    canonical form and are a widespread, deliberate convention.
    """
    used_prefix, text = split_tag(tag, prefix)
    written_prefix = _LEADING_NON_DIGITS.match(tag).group()  # type: ignore[union-attr]
    if prefix is not None and written_prefix != prefix:
        return (
            f"tag `{tag}` is written with the prefix {written_prefix or 'none'!r}, but "
            f"`tool.release-checks.tag-prefix` requires {prefix or 'none'!r}; tag the release as "
            f"`{prefix}{split_tag(tag, None)[1]}`"
        )
    try:
        version = Version(text)
    except InvalidVersion:
        return (
            f"tag `{tag}`: `{text}` is not a PEP 440 version, so installers cannot order it; "
            "use a version such as 1.2.3, 1.2.3rc1, 1.2.3.post1 or 1.2.3.dev1"
        )
    if version.local is not None:
        return (
            f"tag `{tag}` has a local version label `+{version.local}`; the index rejects "
            f"local versions: tag `{used_prefix}{version.public}` instead"
        )
    if str(version) != text and _NUMBER_LEADING_ZEROS.sub("", text) != str(version):
        return (
            f"tag `{tag}` is not in canonical PEP 440 form; the index and installers will call "
            f"it `{version}`: tag `{used_prefix}{version}` instead"
        )
    return None


_DIRTY_DATE = re.compile(r"(^|\.)d\d{8}$")
_LEADING_NON_DIGITS = re.compile(r"\D*")
# CalVer tags such as `2024.08.30` keep zero padding; PEP 440 compares them as 2024.8.30.
_NUMBER_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")


def version_hint(version: Version) -> str:
    """Explain how a VCS-versioning backend produces a dev, local or dirty version."""
    hints = []
    if version.local is not None and _DIRTY_DATE.search(version.local):
        hints.append(
            "the `.dYYYYMMDD` local part means the build saw uncommitted changes: "
            "commit or stash them"
        )
    if version.dev is not None and version.local is not None:
        hints.append(
            "a `.devN+g<hash>` version means the build ran on a commit without a release tag: "
            "tag the commit (and in CI check out full history with tags, `fetch-depth: 0`)"
        )
    elif version.local is not None:
        hints.append("a local version (`+...`) cannot be uploaded to an index")
    return "; ".join(hints)
