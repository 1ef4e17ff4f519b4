"""The facts `release-checks init` and `info` fill in: Python, VCS versioning, names, outputs."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from release_checks.errors import ConfigError
from release_checks.release_info import github_output
from release_checks.release_workflow import (
    CHECKER_PYTHONS,
    choose_python,
    find_import_names,
    github_repository,
    uses_vcs_version,
    version_pin,
)
from tests.factory import make_project

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("requires", "wanted", "expected"),
    [
        (None, None, "3.11"),
        (">=3.8", None, "3.11"),
        (">=3.11.4", None, "3.11"),
        (">=3.12", None, "3.12"),
        (">=3.11,!=3.11.*", None, "3.12"),
        ("~=3.13.0", None, "3.13"),
        (">=3.8", "3.14", "3.14"),
    ],
)
def test_choose_python(requires: str | None, wanted: str | None, expected: str) -> None:
    assert choose_python(requires, wanted) == expected


@pytest.mark.parametrize(
    ("requires", "wanted", "message"),
    [
        ("<3.11", None, "excludes every Python the release job can run"),
        ("3.12", None, "is not a version specifier"),
        (">=3.8", "3.10", "--python 3.10: the release job runs pytest-release-checks"),
    ],
)
def test_choose_python_explains_a_dead_end(
    requires: str | None, wanted: str | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        choose_python(requires, wanted)


def test_our_own_python_floor_is_the_first_checker_python() -> None:
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    assert choose_python(pyproject["project"]["requires-python"]) == CHECKER_PYTHONS[0]


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        ("[project]\nversion = '1.0'\n[build-system]\nrequires = ['setuptools-scm']", None),
        (
            (
                "[project]\ndynamic = ['version']\n"
                "[build-system]\nrequires = ['setuptools>=77', 'setuptools_scm[toml]>=8']"
            ),
            "setuptools-scm",
        ),
        (
            (
                "[project]\ndynamic = ['version']\n[build-system]\nrequires = ['hatchling']\n"
                "[tool.hatch.version]\nsource = 'vcs'"
            ),
            "hatch-vcs",
        ),
        (
            (
                "[project]\ndynamic = ['version']\n[build-system]\nrequires = ['pdm-backend']\n"
                "[tool.pdm.version]\nsource = 'scm'"
            ),
            "pdm-backend",
        ),
        (
            "[project]\ndynamic = ['version']\n[build-system]\nrequires = ['flit_core']",
            None,
        ),
        ("[project]\ndynamic = ['version']\n[tool]\nhatch = 'not a table'", None),
    ],
)
def test_uses_vcs_version(pyproject: str, expected: str | None) -> None:
    assert uses_vcs_version(tomllib.loads(pyproject)) == expected


def test_our_own_version_comes_from_git() -> None:
    pyproject = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    assert uses_vcs_version(pyproject) == "hatch-vcs"


def test_import_names(tmp_path: Path) -> None:
    assert find_import_names(tmp_path, "Demo.Tool-x") == ("demo_tool_x",)
    assert find_import_names(tmp_path, "demo", ("configured",)) == ("configured",)
    for package in ("tests", "real_pkg", "docs", "not-a-module"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    assert find_import_names(tmp_path, "demo") == ("real_pkg",)
    (tmp_path / "src/in_src").mkdir(parents=True)
    (tmp_path / "src/in_src/__init__.py").write_text("", encoding="utf-8")
    assert find_import_names(tmp_path, "demo") == ("in_src",)


def test_our_own_import_name() -> None:
    assert find_import_names(REPOSITORY, "pytest-release-checks") == ("release_checks",)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.invalid/acme/demo.git", ("acme", "demo")),
        ("git@example.invalid:acme/demo.tool.git", ("acme", "demo.tool")),
        ("ssh://git@example.invalid/acme/demo/", ("acme", "demo")),
    ],
)
def test_github_repository(tmp_path: Path, url: str, expected: tuple[str, str]) -> None:
    project = make_project(tmp_path)
    assert github_repository(tmp_path) is None
    project.git("remote", "add", "origin", url)
    assert github_repository(tmp_path) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.2.0", "pytest-release-checks==1.2.0"),
        ("1.3.0rc1", "pytest-release-checks==1.3.0rc1"),
        ("0.1.dev32", "pytest-release-checks"),
        ("1.2.0+local", "pytest-release-checks"),
        ("", "pytest-release-checks"),
    ],
)
def test_version_pin(version: str, expected: str) -> None:
    assert version_pin(version) == expected


def test_github_output_uses_a_delimiter_only_for_line_breaks() -> None:
    text = github_output({"name": "demo", "notes": "one\ntwo"})
    first, rest = text.split("\n", 1)
    assert first == "name=demo"
    header, body = rest.split("\n", 1)
    delimiter = header.removeprefix("notes<<")
    assert header.startswith("notes<<")
    assert body == f"one\ntwo\n{delimiter}\n"
