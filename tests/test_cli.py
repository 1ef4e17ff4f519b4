"""`release-checks info` and `release-checks init`, run as a user runs them on real projects."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factory import build_template, make_project, run_shared_dir

PRE_RELEASE_CHANGELOG = """
# Changelog

## [Unreleased]

## [1.3.0] - 2026-12-01

### Added

- The `--fast` option.

## [1.2.0] - 2026-11-21

### Fixed

- A crash on empty input.
"""


def release_checks(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the console script's code in a subprocess, outside any CI environment."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    return subprocess.run(
        [sys.executable, "-m", "release_checks.cli", *args],
        cwd=cwd,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


# info


def test_info_prints_the_release_at_the_tag(tmp_path: Path) -> None:
    make_project(tmp_path, version="1.2.0", tag="v1.2.0")
    done = release_checks(tmp_path, "info")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "name=demo\nversion=1.2.0\ntag=v1.2.0\nprerelease=false\n"
    assert "tag v1.2.0 (at HEAD)" in done.stderr


def test_info_marks_a_pre_release_tag(tmp_path: Path) -> None:
    make_project(tmp_path, version="1.3.0rc1", tag="v1.3.0rc1")
    done = release_checks(tmp_path, "info")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "name=demo\nversion=1.3.0rc1\ntag=v1.3.0rc1\nprerelease=true\n"


def test_info_writes_step_outputs_in_github_actions(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", version="1.3.0rc1", tag=None)
    output = tmp_path / "github-output"
    output.write_text("earlier=kept\n", encoding="utf-8")
    done = release_checks(
        project.root,
        "info",
        env={
            "GITHUB_OUTPUT": str(output),
            "GITHUB_REF_TYPE": "tag",
            "GITHUB_REF_NAME": "v1.3.0rc1",
        },
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert output.read_text(encoding="utf-8") == (
        "earlier=kept\nname=demo\nversion=1.3.0rc1\ntag=v1.3.0rc1\nprerelease=true\n"
    )
    assert "GitHub Actions tag build" in done.stderr


def test_info_plans_the_tag_of_an_untagged_static_version(tmp_path: Path) -> None:
    make_project(tmp_path, version="1.2.0", tag=None)
    done = release_checks(tmp_path, "info")
    assert done.returncode == 0, done.stderr
    assert "tag=v1.2.0\n" in done.stdout
    assert "planned" in done.stderr


def test_info_reads_the_version_from_built_dists(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The setuptools-scm template has no static version: without --dist it would need a build.
    dists = build_template(tmp_path_factory, "setuptools-scm")
    assert dists.sdist is not None, dists.error
    project = run_shared_dir(tmp_path_factory) / "setuptools-scm-demo-project"
    done = release_checks(project, "info", f"--dist={Path(dists.sdist).parent}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "name=demo\nversion=1.2.3\ntag=v1.2.3\nprerelease=false\n"


def test_info_says_what_is_wrong_with_an_empty_dist_dir(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", version="1.2.0", tag="v1.2.0")
    (tmp_path / "empty").mkdir()
    done = release_checks(project.root, "info", "--dist", str(tmp_path / "empty"))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "holds no .tar.gz or .whl file" in done.stderr
    assert "Traceback" not in done.stderr


def test_info_refuses_a_tag_that_is_no_version(tmp_path: Path) -> None:
    make_project(tmp_path, version="1.2.0", tag=None)
    done = release_checks(tmp_path, "info", "--tag=v1.2.x")
    assert done.returncode == 1
    assert "`1.2.x` (from --release-tag) is not a PEP 440 version" in done.stderr


# notes (the release body)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("v1.2.0", "### Fixed\n\n- A crash on empty input.\n"),
        ("v1.3.0rc1", "### Added\n\n- The `--fast` option.\n"),  # the final release's section
    ],
)
def test_notes_prints_the_section_of_a_release(tmp_path: Path, tag: str, expected: str) -> None:
    make_project(tmp_path, version="1.3.0rc1", tag=tag, changelog=PRE_RELEASE_CHANGELOG)
    done = release_checks(tmp_path, "notes", tag)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected


# init


def test_init_writes_a_release_workflow_for_the_project(tmp_path: Path) -> None:
    project = make_project(tmp_path, "setuptools-scm", name="demo-tool")
    project.git("remote", "add", "origin", "https://example.invalid/acme/demo-tool.git")
    done = release_checks(tmp_path, "init")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / ".github/workflows/release.yml").read_text(encoding="utf-8")
    assert not re.search(r"@[A-Z_]+@", text), "a placeholder is left"
    assert '"$NAME==$VERSION"' in text
    assert 'python-version: "3.11"' in text
    assert "environment: pypi\n" in text
    assert "fetch-depth: 0  # setuptools-scm reads the version from git tags" in text
    assert 'python -c "import demo_tool"' in text
    assert "/blob/$TAG/CHANGELOG.md" in text
    for line in ("owner:         acme", "repository:    demo-tool", "workflow:      release.yml"):
        assert line in done.stdout
    assert "environment:   pypi" in done.stdout


def test_init_fills_in_the_options(tmp_path: Path) -> None:
    make_project(tmp_path)
    done = release_checks(tmp_path, "init", "--python=3.13", "--environment=release")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / ".github/workflows/release.yml").read_text(encoding="utf-8")
    assert text.count('python-version: "3.13"') == 3
    assert "environment: release\n" in text
    # A static version needs no history to build; the gate job still fetches it all.
    assert text.count("fetch-depth: 0") == 1
    assert "<your repository>" in done.stdout  # no remote to read it from


def test_init_picks_the_lowest_python_the_project_supports(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    pyproject = project.root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('">=3.11"', '">=3.12.1"'), encoding="utf-8")
    done = release_checks(tmp_path, "init")
    assert done.returncode == 0, done.stderr
    workflow = (tmp_path / ".github/workflows/release.yml").read_text(encoding="utf-8")
    assert workflow.count('python-version: "3.12"') == 3


def test_init_refuses_to_overwrite_a_workflow(tmp_path: Path) -> None:
    make_project(tmp_path)
    existing = tmp_path / ".github/workflows/release.yml"
    existing.parent.mkdir(parents=True)
    existing.write_text("name: mine\n", encoding="utf-8")
    done = release_checks(tmp_path, "init")
    assert done.returncode == 1
    assert f"{existing} already exists; not overwriting it" in done.stderr
    assert existing.read_text(encoding="utf-8") == "name: mine\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--python=3.9"], "--python 3.9: the release job runs pytest-release-checks"),
        (["--environment=my env"], "environment name 'my env'"),
    ],
)
def test_init_rejects_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    make_project(tmp_path)
    done = release_checks(tmp_path, "init", *args)
    assert done.returncode == 1
    assert message in done.stderr
    assert not (tmp_path / ".github").exists()


def test_init_needs_a_distribution_name(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[build-system]\nrequires = []\n", encoding="utf-8")
    done = release_checks(tmp_path, "init")
    assert done.returncode == 1
    assert "pyproject.toml has no `[project] name`" in done.stderr
