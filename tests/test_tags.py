"""Release tags: prefix and version, release-likeness, PEP 440 advice, version hints."""

from __future__ import annotations

import pytest
from packaging.version import Version

from release_checks.tags import looks_like_release_tag, pep440_problem, split_tag, version_hint


@pytest.mark.parametrize(
    ("tag", "prefix", "parts"),
    [
        ("v1.2.3", None, ("v", "1.2.3")),
        ("V2.0", None, ("V", "2.0")),
        ("1.2.3", None, ("", "1.2.3")),
        ("v1.2.3", "v", ("v", "1.2.3")),
        ("release-1.2", "release-", ("release-", "1.2")),
        ("1.2.3", "", ("", "1.2.3")),
        ("1.2.3", "v", ("", "1.2.3")),
        ("latest", None, ("", "latest")),
        ("version", None, ("", "version")),
        ("v", None, ("", "v")),
    ],
)
def test_split_tag(tag: str, prefix: str | None, parts: tuple[str, str]) -> None:
    assert split_tag(tag, prefix) == parts


@pytest.mark.parametrize(
    ("tag", "prefix"),
    [
        ("v1.2.3", None),
        ("1.2.0b1", None),
        ("V2.0", None),
        ("v1.0.0-beta.1", None),
        ("release-1.2", "release-"),
        ("v1.2.3", "release-"),  # wrong prefix still counts, for the PEP 440 gate to explain
        ("1.2.3", "v"),
    ],
)
def test_release_like_tags(tag: str, prefix: str | None) -> None:
    assert looks_like_release_tag(tag, prefix)


@pytest.mark.parametrize(
    ("tag", "prefix"),
    [
        ("latest", None),
        ("deploy-3", None),
        ("release-candidate", None),
        ("stable", "v"),
        ("vnext", None),
    ],
)
def test_not_release_like_tags(tag: str, prefix: str | None) -> None:
    assert not looks_like_release_tag(tag, prefix)


@pytest.mark.parametrize(
    ("tag", "prefix"),
    [
        ("v1.2.3", None),
        ("1.2.3", None),
        ("V2.0", None),
        ("v1.2.3rc1", None),
        ("v1.2.3.post1", None),
        ("v1.2.3.dev1", None),
        ("v1.2.3", "v"),
        ("release-1.2", "release-"),
        ("1.2.3", ""),
    ],
)
def test_canonical_tags_have_no_problem(tag: str, prefix: str | None) -> None:
    assert pep440_problem(tag, prefix) is None


def test_semver_prerelease_gets_its_canonical_spelling() -> None:
    problem = pep440_problem("v1.0.0-beta.1", None)
    assert problem is not None
    assert "`v1.0.0-beta.1` is not in canonical PEP 440 form" in problem
    assert "tag `v1.0.0b1` instead" in problem


def test_non_version_is_not_pep440() -> None:
    problem = pep440_problem("release-candidate", None)
    assert problem is not None
    assert "`release-candidate` is not a PEP 440 version" in problem
    assert "1.2.3rc1" in problem


def test_local_version_label_is_rejected() -> None:
    problem = pep440_problem("v1.2.3+abc", None)
    assert problem is not None
    assert "local version label `+abc`" in problem
    assert "tag `v1.2.3` instead" in problem


def test_missing_configured_prefix() -> None:
    problem = pep440_problem("1.2.3", "v")
    assert problem is not None
    assert "is written with the prefix 'none', but" in problem
    assert "requires 'v'" in problem
    assert "`tool.release-checks.tag-prefix`" in problem
    assert "tag the release as `v1.2.3`" in problem


@pytest.mark.parametrize(
    ("tag", "prefix", "suggestion"),
    [
        ("V1.2.3", "v", "`v1.2.3`"),
        ("v1.2.3", "release-", "`release-1.2.3`"),
        ("v1.2.3", "", "`1.2.3`"),
    ],
    ids=["capital-v", "v-instead-of-release", "v-when-none-is-required"],
)
def test_other_prefix_is_replaced_not_kept(tag: str, prefix: str, suggestion: str) -> None:
    problem = pep440_problem(tag, prefix)
    assert problem is not None
    assert f"requires {prefix or 'none'!r}" in problem
    assert f"tag the release as {suggestion}" in problem


def test_hint_for_a_dirty_tree() -> None:
    hint = version_hint(Version("1.2.3+d20261121"))
    assert "`.dYYYYMMDD` local part means the build saw uncommitted changes" in hint
    assert "cannot be uploaded" in hint


def test_hint_for_an_untagged_commit() -> None:
    hint = version_hint(Version("1.2.4.dev3+g1234abc"))
    assert "`.devN+g<hash>`" in hint
    assert "fetch-depth: 0" in hint
    assert "uncommitted" not in hint


def test_hint_for_an_untagged_dirty_commit_gives_both() -> None:
    hint = version_hint(Version("1.2.4.dev3+g1234abc.d20261121"))
    dirty, untagged = hint.split("; ")
    assert "uncommitted changes" in dirty
    assert "`.devN+g<hash>`" in untagged


def test_hint_for_another_local_version() -> None:
    assert version_hint(Version("1.2.3+ubuntu1")) == (
        "a local version (`+...`) cannot be uploaded to an index"
    )


@pytest.mark.parametrize("version", ["1.2.3", "1.2.4.dev3", "2.0rc1", "1.0.post2"])
def test_no_hint_for_uploadable_versions(version: str) -> None:
    assert version_hint(Version(version)) == ""


@pytest.mark.parametrize("tag", ["2024.08.30", "v2024.01.05"])
def test_zero_padded_calver_is_accepted(tag: str) -> None:
    assert pep440_problem(tag, None) is None
