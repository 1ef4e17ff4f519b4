"""`[tool.release-checks]`: defaults, valid values, and a sentence for every mistake."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from release_checks.config import DEFAULT_BUILD_TIMEOUT, ReleaseConfig, gate_key, parse_config
from release_checks.errors import ConfigError


def parse(table: object) -> ReleaseConfig:
    return parse_config({"tool": {"release-checks": table}})


def config_error(table: object) -> str:
    with pytest.raises(ConfigError) as caught:
        parse(table)
    return str(caught.value)


@pytest.mark.parametrize(
    "pyproject",
    [{}, {"project": {"name": "demo"}}, {"tool": {"ruff": {}}}, {"tool": {"release-checks": {}}}],
    ids=["empty", "no-tool", "other-tool", "empty-table"],
)
def test_defaults_without_settings(pyproject: dict[str, Any]) -> None:
    assert parse_config(pyproject) == ReleaseConfig(
        tag_prefix=None,
        changelog=None,
        import_names=(),
        waive={},
        build_timeout=DEFAULT_BUILD_TIMEOUT,
    )
    assert DEFAULT_BUILD_TIMEOUT == 600.0


def test_every_key_with_a_valid_value() -> None:
    config = parse(
        {
            "tag-prefix": "release-",
            "changelog": "docs/changes.md",
            "import-names": ["demo", "demo_extra"],
            "waive": {"changelog-has-entry": "  notes live on the website  "},
            "build-timeout": 30,
        }
    )
    assert config == ReleaseConfig(
        tag_prefix="release-",
        changelog="docs/changes.md",
        import_names=("demo", "demo_extra"),
        waive={"changelog_has_entry": "notes live on the website"},
        build_timeout=30.0,
    )
    assert isinstance(config.build_timeout, float)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"tag-prefix": ""}, ReleaseConfig(tag_prefix="")),
        ({"tag-prefix": "v"}, ReleaseConfig(tag_prefix="v")),
        ({"import-names": []}, ReleaseConfig()),
        ({"build-timeout": 0.5}, ReleaseConfig(build_timeout=0.5)),
        ({"waive": {}}, ReleaseConfig()),
    ],
    ids=["empty-prefix", "v-prefix", "no-import-names", "fractional-timeout", "empty-waive"],
)
def test_edge_values_are_valid(table: dict[str, Any], expected: ReleaseConfig) -> None:
    assert parse(table) == expected


def test_unknown_key_names_it_the_valid_keys_and_the_near_miss() -> None:
    message = config_error({"changelg": "CHANGES.md"})
    assert "`tool.release-checks.changelg`" in message
    assert "did you mean `changelog`?" in message
    assert (
        "valid keys: tag-prefix, release-branch, changelog, import-names, allow-top-level, "
        "sdist-ignore, secrets-ignore, waive, build-timeout, index" in message
    )


def test_underscore_spelling_suggests_the_dashed_key() -> None:
    message = config_error({"tag_prefix": "v"})
    assert "unknown key `tool.release-checks.tag_prefix`" in message
    assert "did you mean `tag-prefix`?" in message


def test_unknown_key_without_a_near_miss_only_lists_the_valid_keys() -> None:
    message = config_error({"zzz": 1})
    assert "`tool.release-checks.zzz`" in message
    assert "did you mean" not in message
    assert "valid keys:" in message


@pytest.mark.parametrize(
    ("key", "value", "got"),
    [
        ("tag-prefix", 1, "got 1 (int)"),
        ("tag-prefix", ["v"], "got ['v'] (list)"),
        ("changelog", "", "got '' (str)"),
        ("changelog", True, "got True (bool)"),
        ("import-names", "demo", "got 'demo' (str)"),
        ("import-names", ["demo", 3], "got ['demo', 3] (list)"),
        ("import-names", [""], "got [''] (list)"),
        ("build-timeout", "60", "got '60' (str)"),
        ("build-timeout", True, "got True (bool)"),
        ("build-timeout", 0, "got 0 (int)"),
        ("build-timeout", -5.0, "got -5.0 (float)"),
        ("waive", ["dists_build"], "got ['dists_build'] (list)"),
        ("waive", "dists_build", "got 'dists_build' (str)"),
    ],
)
def test_wrong_type_names_the_key_and_what_it_got(key: str, value: object, got: str) -> None:
    message = config_error({key: value})
    assert message.startswith(f"pyproject.toml: `tool.release-checks.{key}` must be ")
    assert got in message


def test_table_that_is_not_a_table_names_the_table() -> None:
    message = config_error(["tag-prefix"])
    assert "`tool.release-checks` must be a table" in message
    assert "got ['tag-prefix'] (list)" in message


def test_waive_of_an_unknown_gate_suggests_the_near_miss() -> None:
    message = config_error({"waive": {"changelog-has-entyr": "reason"}})
    assert "`tool.release-checks.waive.changelog-has-entyr` names no built-in gate" in message
    assert "did you mean `changelog_has_entry`?" in message
    assert "valid gates: archive_is_safe_to_extract, changelog_has_entry, " in message


def test_the_built_in_gates_are_the_default_waive_names() -> None:
    table = {"tool": {"release-checks": {"waive": {"wheel-works-in-fresh-venv": "no wheel"}}}}
    assert parse_config(table).waive == {"wheel_works_in_fresh_venv": "no wheel"}
    table = {"tool": {"release-checks": {"waive": {"no-such-gate": "why"}}}}
    with pytest.raises(ConfigError, match="valid gates: archive_is_safe_to_extract, "):
        parse_config(table)


def test_checking_the_config_does_not_import_the_gates() -> None:
    """A gate run parses its config before it builds; importing the gates would delay that."""
    code = (
        "import sys\n"
        "from release_checks.config import parse_config\n"
        "table = {'waive': {'dists-build': 'prebuilt elsewhere'}}\n"
        "assert parse_config({'tool': {'release-checks': table}}).waive\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pytest', 'release_checks.gates'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_waive_of_an_unrelated_name_has_no_suggestion() -> None:
    message = config_error({"waive": {"coverage": "reason"}})
    assert "names no built-in gate" in message
    assert "did you mean" not in message


@pytest.mark.parametrize("reason", ["", "   ", 1, None, ["why"]])
def test_waive_needs_a_written_reason(reason: object) -> None:
    message = config_error({"waive": {"dists-build": reason}})
    assert "`tool.release-checks.waive.dists-build` must be the written reason" in message
    assert f"got {reason!r} ({type(reason).__name__})" in message


@pytest.mark.parametrize(
    "written",
    [
        "changelog_has_entry",
        "changelog-has-entry",
        "test_changelog_has_entry",
        "test_changelog-has-entry",
    ],
)
def test_waive_accepts_dashes_underscores_and_the_test_prefix(written: str) -> None:
    assert parse({"waive": {written: "published elsewhere"}}).waive == {
        "changelog_has_entry": "published elsewhere"
    }


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("versions-agree", "versions_agree"),
        ("test_versions_agree", "versions_agree"),
        ("test-versions-agree", "versions_agree"),
        ("versions_agree", "versions_agree"),
        ("latest_test_run", "latest_test_run"),
    ],
)
def test_gate_key(name: str, key: str) -> None:
    assert gate_key(name) == key


@pytest.mark.parametrize(
    "tool",
    [
        {"release_checks": {"tag-prefix": "v"}},
        {"release-checks": {}, "release_checks": {"tag-prefix": "v"}},
        {"release-check": {}},
    ],
    ids=["underscore", "beside-the-right-one", "singular"],
)
def test_misspelt_table_is_named(tool: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"`\[tool\.release.check.*\]` is not read; did you mean"):
        parse_config({"tool": tool})


def test_other_tools_tables_are_left_alone() -> None:
    other_tools: dict[str, object] = {"tool": {"release": {}, "semantic_release": {}}}
    assert parse_config(other_tools) == ReleaseConfig()
