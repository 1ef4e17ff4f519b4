"""Which tag names the release, which prefix a planned tag gets, and the resolved context."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from release_checks.context import (
    ReleaseContext,
    TagChoice,
    choose_tag,
    planned_prefix,
    resolve_context,
)
from tests.factory import FixtureProject, make_project

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

NO_CI: dict[str, str] = {}


@pytest.fixture
def untagged(tmp_path: Path) -> FixtureProject:
    """A committed hatchling project without any tag."""
    return make_project(tmp_path / "demo", tag=None)


class TestChooseTag:
    def test_option_wins_over_everything(self, untagged: FixtureProject) -> None:
        untagged.tag("v1.2.3")
        environ = {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v9.0.0"}
        assert choose_tag(untagged.root, "v2.0.0", environ, None) == TagChoice(
            name="v2.0.0", source="--release-tag"
        )

    def test_option_needs_no_repository(self, tmp_path: Path) -> None:
        assert choose_tag(tmp_path, "1.0", NO_CI, None) == TagChoice(
            name="1.0", source="--release-tag"
        )

    def test_github_tag_build(self, untagged: FixtureProject) -> None:
        untagged.tag("v1.2.3")
        environ = {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "v1.2.4"}
        assert choose_tag(untagged.root, None, environ, None) == TagChoice(
            name="v1.2.4", source="GitHub Actions tag build"
        )

    @pytest.mark.parametrize(
        "environ",
        [
            {"GITHUB_REF_TYPE": "branch", "GITHUB_REF_NAME": "main"},
            {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": ""},
            {"GITHUB_REF_NAME": "v9.0.0"},
        ],
        ids=["branch-build", "empty-ref-name", "no-ref-type"],
    )
    def test_other_ci_builds_fall_back_to_head(
        self, untagged: FixtureProject, environ: dict[str, str]
    ) -> None:
        untagged.tag("v1.2.3")
        assert choose_tag(untagged.root, None, environ, None) == TagChoice(
            name="v1.2.3", source="at HEAD"
        )

    @pytest.mark.parametrize("annotated", [True, False], ids=["annotated", "lightweight"])
    def test_one_release_tag_at_head(self, untagged: FixtureProject, annotated: bool) -> None:
        untagged.tag("v1.2.3", annotated=annotated)
        assert choose_tag(untagged.root, None, NO_CI, None) == TagChoice(
            name="v1.2.3", source="at HEAD"
        )

    def test_two_release_tags_the_higher_version_wins(self, untagged: FixtureProject) -> None:
        untagged.tag("v1.10.0")
        untagged.tag("v1.9.0", annotated=False)  # sorts after v1.10.0 as text
        choice = choose_tag(untagged.root, None, NO_CI, None)
        assert choice == TagChoice(name="v1.10.0", source="at HEAD; also at HEAD: v1.9.0")

    def test_a_pre_release_loses_to_the_final_release(self, untagged: FixtureProject) -> None:
        untagged.tag("v2.0.0rc1")
        untagged.tag("v2.0.0")
        choice = choose_tag(untagged.root, None, NO_CI, None)
        assert choice is not None
        assert choice.name == "v2.0.0"
        assert "v2.0.0rc1" in choice.source

    def test_non_release_tags_are_ignored(self, untagged: FixtureProject) -> None:
        untagged.tag("latest", annotated=False)
        untagged.tag("v1.2.3")
        untagged.tag("deploy-prod", annotated=False)
        assert choose_tag(untagged.root, None, NO_CI, None) == TagChoice(
            name="v1.2.3", source="at HEAD"
        )

    def test_only_a_non_release_tag_is_no_tag(self, untagged: FixtureProject) -> None:
        untagged.tag("latest", annotated=False)
        assert choose_tag(untagged.root, None, NO_CI, None) is None

    def test_no_tag_at_head(self, untagged: FixtureProject) -> None:
        untagged.tag("v1.2.3")
        untagged.commit("After the release")
        assert choose_tag(untagged.root, None, NO_CI, None) is None

    def test_not_a_repository(self, tmp_path: Path) -> None:
        assert choose_tag(tmp_path, None, NO_CI, None) is None

    def test_configured_prefix(self, untagged: FixtureProject) -> None:
        untagged.tag("release-1.2.3")
        assert choose_tag(untagged.root, None, NO_CI, "release-") == TagChoice(
            name="release-1.2.3", source="at HEAD"
        )


class TestPlannedPrefix:
    def test_configured_prefix_wins(self, tmp_path: Path) -> None:
        assert planned_prefix(tmp_path, "release-") == "release-"
        assert planned_prefix(tmp_path, "") == ""

    def test_inferred_from_a_bare_tag(self, untagged: FixtureProject) -> None:
        untagged.tag("1.0.0")
        untagged.commit("After 1.0.0")
        assert planned_prefix(untagged.root, None) == ""

    @pytest.mark.parametrize(
        ("older", "newer", "prefix"),
        [("v0.9.0", "1.0.0", ""), ("0.9.0", "v1.0.0", "v"), ("V0.9.0", "V1.0.0", "V")],
    )
    def test_inferred_from_the_newest_release_tag(
        self, untagged: FixtureProject, older: str, newer: str, prefix: str
    ) -> None:
        untagged.tag(older, date="2026-01-01T00:00:00+00:00")
        untagged.tag(newer, date="2026-06-01T00:00:00+00:00")
        assert planned_prefix(untagged.root, None) == prefix

    def test_non_release_tags_are_skipped(self, untagged: FixtureProject) -> None:
        untagged.tag("1.0.0", date="2026-01-01T00:00:00+00:00")
        untagged.tag("nightly", date="2026-06-01T00:00:00+00:00")
        assert planned_prefix(untagged.root, None) == ""

    def test_default_without_tags(self, untagged: FixtureProject) -> None:
        assert planned_prefix(untagged.root, None) == "v"

    def test_default_outside_a_repository(self, tmp_path: Path) -> None:
        assert planned_prefix(tmp_path, None) == "v"


def never_built() -> str | None:
    raise AssertionError("the version must come from the tag, without building")


def built(version: str | None) -> Callable[[], str | None]:
    def build() -> str | None:
        return version

    return build


class TestResolveContext:
    def test_a_known_tag_gives_the_version_without_building(self, tmp_path: Path) -> None:
        tag = TagChoice(name="v1.2.3", source="at HEAD")
        context = resolve_context(
            root=tmp_path,
            project="demo",
            tag=tag,
            prefix=None,
            built_version=never_built,
            dists="built here",
        )
        assert context == ReleaseContext(
            project="demo", tag=tag, version="1.2.3", dists="built here", problem=None
        )
        assert context.parsed_version == Version("1.2.3")

    def test_a_configured_prefix_is_stripped(self, tmp_path: Path) -> None:
        tag = TagChoice(name="release-2.0", source="--release-tag")
        context = resolve_context(
            root=tmp_path,
            project="demo",
            tag=tag,
            prefix="release-",
            built_version=never_built,
            dists="dist/",
        )
        assert context.version == "2.0"

    def test_a_tag_without_a_version_has_no_parsed_version(self, tmp_path: Path) -> None:
        tag = TagChoice(name="release-candidate", source="--release-tag")
        context = resolve_context(
            root=tmp_path,
            project="demo",
            tag=tag,
            prefix=None,
            built_version=never_built,
            dists="dist/",
        )
        assert context.version == "release-candidate"
        assert context.parsed_version is None

    def test_no_tag_plans_one_from_the_built_version(self, untagged: FixtureProject) -> None:
        untagged.tag("1.0.0")
        untagged.commit("After 1.0.0")
        context = resolve_context(
            root=untagged.root,
            project="demo",
            tag=None,
            prefix=None,
            built_version=built("1.1.0"),
            dists="built here",
        )
        assert context.tag is not None
        assert context.tag.name == "1.1.0"
        assert context.tag.planned
        assert "planned" in context.tag.source
        assert context.version == "1.1.0"
        assert context.problem is None

    def test_planned_tag_uses_the_configured_prefix(self, untagged: FixtureProject) -> None:
        context = resolve_context(
            root=untagged.root,
            project="demo",
            tag=None,
            prefix="release-",
            built_version=built("0.3.0"),
            dists="built here",
        )
        assert context.tag is not None
        assert context.tag.name == "release-0.3.0"

    def test_planned_tag_defaults_to_v(self, untagged: FixtureProject) -> None:
        context = resolve_context(
            root=untagged.root,
            project="demo",
            tag=None,
            prefix=None,
            built_version=built("0.1.0"),
            dists="built here",
        )
        assert context.tag == TagChoice(
            name="v0.1.0",
            source="planned: no release tag at HEAD, made from the built version",
            planned=True,
        )

    def test_no_tag_and_no_built_version_points_at_the_build_gate(
        self, untagged: FixtureProject
    ) -> None:
        context = resolve_context(
            root=untagged.root,
            project="demo",
            tag=None,
            prefix=None,
            built_version=built(None),
            dists="built here",
        )
        assert context.tag is None
        assert context.version is None
        assert context.parsed_version is None
        assert context.problem is not None
        assert "test_dists_build" in context.problem
