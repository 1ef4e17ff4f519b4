"""The ``[tool.release-checks]`` table: parsed, type-checked, with near-miss suggestions."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from release_checks.errors import ConfigError
from release_checks.gate_ids import GATE_IDS
from release_checks.records import Record

__all__ = [
    "DEFAULT_BUILD_TIMEOUT",
    "ReleaseConfig",
    "gate_key",
    "index_url_problem",
    "parse_config",
]

DEFAULT_BUILD_TIMEOUT = 600.0
_TOOL = "release-checks"
_TABLE = f"tool.{_TOOL}"


@dataclass(frozen=True, kw_only=True)
class ReleaseConfig(Record):
    """The user's settings; every field has a default that suits a typical project."""

    tag_prefix: str | None = None
    release_branch: str | None = None
    changelog: str | None = None
    import_names: tuple[str, ...] = ()
    allow_top_level: tuple[str, ...] = ()
    sdist_ignore: tuple[str, ...] = ()
    secrets_ignore: tuple[str, ...] = ()
    waive: dict[str, str] = field(default_factory=dict)
    build_timeout: float = DEFAULT_BUILD_TIMEOUT
    index: str | None = None
    python: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    accelerator: str = "auto"


def gate_key(name: str) -> str:
    """Normalise a gate name as written in config (`changelog-has-entry`) to its id."""
    return name.replace("-", "_").removeprefix("test_")


def _expect(key: str, value: object, check: Callable[[Any], bool], wanted: str) -> None:
    if not check(value):
        name = f"{_TABLE}.{key}" if key else _TABLE
        raise ConfigError(
            f"pyproject.toml: `{name}` must be {wanted}, got {value!r} ({type(value).__name__})"
        )


def _near_miss(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean `{close[0]}`? " if close else ""


def _is_module_list(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, str) and all(part.isidentifier() for part in item.split("."))
        for item in value
    )


def _parse_waive(table: object) -> dict[str, str]:
    _expect("waive", table, lambda v: isinstance(v, dict), "a table of gate = reason")
    waive: dict[str, str] = {}
    assert isinstance(table, dict)  # noqa: S101 - narrowed by _expect
    for name, reason in table.items():
        gate = gate_key(name)
        if gate in waive:
            raise ConfigError(
                f"pyproject.toml: `{_TABLE}.waive` names the gate `{gate}` twice; keep one entry"
            )
        if gate not in GATE_IDS:
            valid = ", ".join(sorted(GATE_IDS))
            raise ConfigError(
                f"pyproject.toml: `{_TABLE}.waive.{name}` names no built-in gate; "
                f"{_near_miss(gate, GATE_IDS)}valid gates: {valid}"
            )
        _expect(
            f"waive.{name}",
            reason,
            lambda v: isinstance(v, str) and bool(v.strip()),
            "the written reason for waiving it (a non-empty string)",
        )
        waive[gate] = reason.strip()
    return waive


_KEYS = (
    "tag-prefix",
    "release-branch",
    "changelog",
    "import-names",
    "allow-top-level",
    "sdist-ignore",
    "secrets-ignore",
    "waive",
    "build-timeout",
    "index",
    "python",
    "accelerator",
    "packages",
)
_PATTERN_LISTS = ("allow-top-level", "sdist-ignore", "secrets-ignore")


_INDEX_URL = "an http(s) URL of the index's Simple API, such as https://host/simple/"


def index_url_problem(url: str) -> str | None:
    """What `url` should be when it cannot be a package index's Simple API URL, else None."""
    from urllib.parse import urlsplit  # noqa: PLC0415

    try:
        parts = urlsplit(url)
    except ValueError:
        return _INDEX_URL
    return None if parts.scheme in ("http", "https") and parts.hostname else _INDEX_URL


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item for item in value)


_BRANCH_NAME = 'a branch name such as "main" (without `refs/heads/` or a remote\'s name)'
# What `git check-ref-format --branch` refuses, less the rarities.
_NOT_BRANCH = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|^[-/.]|/\.|[/.]$|\.lock$|^refs/")


def _is_branch_name(value: object) -> bool:
    return value is None or (
        isinstance(value, str) and bool(value) and not _NOT_BRANCH.search(value)
    )


_PYTHON = (
    'a list of interpreters as virtualenv\'s --python takes them: "3.12", "3.13t", '
    '"pypy3.10", "python3.12" or a path'
)


def _parse_python(value: object) -> tuple[str, ...]:
    """The interpreters the fresh-environment gate runs under; none listed: the running one."""
    _expect(
        "python",
        value,
        lambda v: _is_str_list(v) and not any(item.strip() != item or item[0] == "-" for item in v),
        _PYTHON,
    )
    assert isinstance(value, list)  # noqa: S101 - narrowed by _expect
    for item in value:
        if value.count(item) > 1:
            raise ConfigError(f"pyproject.toml: `{_TABLE}.python` lists {item!r} twice; keep one")
    return tuple(value)


def parse_config(pyproject: Mapping[str, Any]) -> ReleaseConfig:
    """Validate ``[tool.release-checks]``; any mistake is a ConfigError naming the key."""
    tool = pyproject.get("tool")
    tool = tool if isinstance(tool, dict) else {}
    for name in tool:
        if name != _TOOL and difflib.get_close_matches(name, [_TOOL], cutoff=0.85):
            raise ConfigError(
                f"pyproject.toml: `[tool.{name}]` is not read; did you mean "
                "`[tool.release-checks]` (with a hyphen)?"
            )
    table = tool.get("release-checks", {})
    _expect("", table, lambda v: isinstance(v, dict), "a table")
    for key in table:
        if key not in _KEYS:
            raise ConfigError(
                f"pyproject.toml: unknown key `{_TABLE}.{key}`; {_near_miss(key, _KEYS)}"
                f"valid keys: {', '.join(_KEYS)}"
            )
    prefix = table.get("tag-prefix")
    _expect("tag-prefix", prefix, lambda v: v is None or isinstance(v, str), "a string")
    branch = table.get("release-branch")
    _expect("release-branch", branch, _is_branch_name, _BRANCH_NAME)
    changelog = table.get("changelog")
    _expect(
        "changelog", changelog, lambda v: v is None or (isinstance(v, str) and v != ""), "a path"
    )
    patterns = {key: table.get(key, []) for key in _PATTERN_LISTS}
    for key, value in patterns.items():
        _expect(key, value, _is_str_list, "a list of names or glob patterns")
    names = table.get("import-names", [])
    _expect("import-names", names, _is_module_list, "a list of importable module names")
    timeout = table.get("build-timeout", DEFAULT_BUILD_TIMEOUT)
    _expect(
        "build-timeout",
        timeout,
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and bool(v > 0),
        "a positive number of seconds",
    )
    index = table.get("index")
    _expect(
        "index",
        index,
        lambda v: v is None or (isinstance(v, str) and index_url_problem(v) is None),
        _INDEX_URL,
    )
    accelerator = table.get("accelerator", "auto")
    _expect(
        "accelerator",
        accelerator,
        lambda v: v in ("auto", "uv", "none"),
        'one of "auto" (uv when installed), "uv" or "none" (pip)',
    )
    packages = table.get("packages", [])
    _expect("packages", packages, _is_str_list, 'a list of package directories or globs ("libs/*")')
    return ReleaseConfig(
        tag_prefix=prefix,
        release_branch=branch,
        changelog=changelog,
        import_names=tuple(names),
        allow_top_level=tuple(patterns["allow-top-level"]),
        sdist_ignore=tuple(patterns["sdist-ignore"]),
        secrets_ignore=tuple(patterns["secrets-ignore"]),
        waive=_parse_waive(table.get("waive", {})),
        build_timeout=float(timeout),
        index=index,
        python=_parse_python(table.get("python", [])),
        accelerator=accelerator,
        packages=tuple(packages),
    )
