"""The plugin as users run it: selection, node ids, xdist, the console script, the header."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factory import FixtureProject, make_project
from tests.pypiserver import LocalIndex

# Built-in gate items on a tagged factory project built here: all pass but one, which checks a
# --release-dist directory and so skips. Update when a gate is added.
GATES = 30
SKIPPED = 1
# Post-publish gates: collected, but deselected by `-m release`.
PUBLISHED = 3

USER_GATES = """
    import pytest

    @pytest.mark.release
    def test_user_gate_sees_the_wheel(release_wheel):
        assert release_wheel.suffix == ".whl"

    @pytest.mark.release
    def test_user_gate_runs_the_command(release_venv):
        assert release_venv.run("demo").stdout.strip() == "demo"

    def test_ordinary():
        assert True
"""


@pytest.fixture
def project(project_root: Path, local_index: LocalIndex) -> FixtureProject:
    """A healthy hatchling project with two user gates and one ordinary test.

    Its index is an empty local one, so the network gate passes without leaving the machine.
    """
    made = make_project(project_root)
    made.append("pyproject.toml", f'\n[tool.release-checks]\nindex = "{local_index.url}"\n')
    made.write("tests/test_user.py", USER_GATES)
    made.commit("Add tests")
    made.git("tag", "-f", "-a", "v1.2.3", "-m", "Release 1.2.3")
    return made


def test_plain_pytest_runs_no_release_gate(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, deselected=2)
    assert "pyproject.toml" not in result.stdout.str().split("collected")[-1]
    assert "release-checks:" not in result.stdout.str()


def test_release_marker_runs_gates_and_user_gates(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    result = pytester.runpytest_subprocess("-m", "release", "-v")
    result.assert_outcomes(passed=GATES + 2, skipped=SKIPPED, deselected=1 + PUBLISHED)
    result.stdout.fnmatch_lines(
        [
            "release-checks: demo 1.2.3",
            "  tag: v1.2.3 (at HEAD)",
            "*pyproject.toml::test_versions_agree PASSED*",
            "*pyproject.toml::test_metadata_passes_twine_check?sdist? PASSED*",
            "*tests/test_user.py::test_user_gate_runs_the_command PASSED*",
        ]
    )
    ran = [line for line in result.stdout.lines if line.endswith("]") and "::" in line]
    # the wheel installs in the background while the quicker gates run
    assert "::test_wheel_works_in_fresh_venv PASSED" in ran[-1]


@pytest.mark.parametrize(
    ("args", "passed"),
    [
        (["-m", "release and not network"], GATES + 1),  # less version_not_on_index
        (["-m", "release", "-k", "changelog"], 1),
        (["pyproject.toml::test_changelog_has_entry"], 1),
        (["-m", "not release"], 1),
    ],
    ids=["marker-expression", "keyword", "node-id", "not-release"],
)
def test_selection_composes(
    pytester: pytest.Pytester, project: FixtureProject, args: list[str], passed: int
) -> None:
    result = pytester.runpytest_subprocess(*args)
    assert result.parseoutcomes()["passed"] == passed
    assert result.ret == 0


PUBLISHED_USER_TEST = """
    import pytest

    @pytest.mark.published
    def test_user_checks_the_published_release():
        assert True
"""


def test_published_tests_run_only_when_asked_for(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    project.write("tests/test_published.py", PUBLISHED_USER_TEST)
    project.commit("Add a post-publish check")

    plain = pytester.runpytest_subprocess("-q")
    plain.assert_outcomes(passed=1, deselected=3)
    asked = pytester.runpytest_subprocess("-m", "published", "-k", "user", "-v")

    asked.stdout.fnmatch_lines(["*test_user_checks_the_published_release PASSED*"])
    assert asked.parseoutcomes()["passed"] == 1
    assert "test_user_gate" not in asked.stdout.str()


def test_last_failed_reruns_only_the_failed_gate(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    project.write("CHANGELOG.md", "# Changelog\n\n## 0.1.0\n\n- First.\n")
    project.commit("Forget the changelog")
    project.git("tag", "-f", "-a", "v1.2.3", "-m", "Release 1.2.3")
    first = pytester.runpytest_subprocess("-m", "release", "-k", "not user")
    first.assert_outcomes(passed=GATES - 1, failed=1, skipped=SKIPPED, deselected=3 + PUBLISHED)

    again = pytester.runpytest_subprocess("-m", "release", "--lf", "-v")

    outcomes = again.parseoutcomes()
    assert outcomes["failed"] == 1
    assert "passed" not in outcomes
    again.stdout.fnmatch_lines(["*pyproject.toml::test_changelog_has_entry FAILED*"])


def test_disabling_the_plugin_removes_the_gates(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    result = pytester.runpytest_subprocess("-p", "no:release_checks", "-m", "release", "--co", "-q")
    assert "pyproject.toml::" not in result.stdout.str()


LOGGING_BACKEND = """
    import os

    from hatchling import build as _hatchling
    from hatchling.build import *  # noqa: F403 - the other hooks, unchanged


    def _log(hook):
        with open(os.environ["RELEASE_CHECKS_BUILD_LOG"], "a") as log:
            log.write(hook + "\\n")


    def build_sdist(sdist_directory, config_settings=None):
        _log("build_sdist")
        return _hatchling.build_sdist(sdist_directory, config_settings)


    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        _log("build_wheel")
        return _hatchling.build_wheel(wheel_directory, config_settings, metadata_directory)
"""


def test_xdist_run_builds_once(
    pytester: pytest.Pytester,
    project: FixtureProject,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = tmp_path / "build.log"
    monkeypatch.setenv("RELEASE_CHECKS_BUILD_LOG", str(log))
    project.write("_backend/logging_backend.py", LOGGING_BACKEND)
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'build-backend = "hatchling.build"',
            'build-backend = "logging_backend"\nbackend-path = ["_backend"]',
        ),
        encoding="utf-8",
    )
    project.commit("Log every build")
    project.git("tag", "-f", "-a", "v1.2.3", "-m", "Release 1.2.3")

    result = pytester.runpytest_subprocess("-m", "release", "-n", "2", "-p", "no:benchmark")

    result.assert_outcomes(passed=GATES + 2, skipped=SKIPPED)
    # One sdist, its wheel, and the wheel built straight from the tree that the equivalence
    # gate compares it with: each once for the whole run, whichever worker asked first.
    assert sorted(log.read_text().split()) == ["build_sdist", "build_wheel", "build_wheel"]


def test_console_script_runs_gates_without_the_test_dependencies(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    project.write("conftest.py", "import a_test_only_dependency_that_is_not_installed\n")
    project.write("tests/test_needs_more.py", "import another_missing_module\n")
    project.append("pyproject.toml", '\n[tool.pytest.ini_options]\naddopts = "--cov=demo"\n')
    project.commit("Test-only dependencies")
    project.git("tag", "-f", "-a", "v1.2.3", "-m", "Release 1.2.3")
    script = Path(sys.executable).with_name("release-checks")

    done = subprocess.run(
        [str(script), "-q"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{GATES} passed, {SKIPPED} skipped" in done.stdout


def test_notes_prints_the_changelog_section(project: FixtureProject) -> None:
    script = Path(sys.executable).with_name("release-checks")

    done = subprocess.run(
        [str(script), "notes", "v1.2.3"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "### Added\n\n- The `demo` command.\n"


def test_notes_for_a_missing_version_says_what_exists(project: FixtureProject) -> None:
    script = Path(sys.executable).with_name("release-checks")

    done = subprocess.run(
        [str(script), "notes", "9.9"], cwd=project.root, capture_output=True, text=True, check=False
    )

    assert done.returncode == 1
    assert "CHANGELOG.md has no section for 9.9" in done.stderr
    assert "`[1.2.3] - 2026-11-21` (line 3)" in done.stderr


def test_unknown_config_key_is_a_usage_error(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    project.append("pyproject.toml", 'changelg = "NEWS.md"\n')  # in the fixture's table

    result = pytester.runpytest_subprocess("-m", "release")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*unknown key `tool.release-checks.changelg`; did you mean `changelog`?*"]
    )


def test_run_leaves_the_tree_as_it_found_it(
    pytester: pytest.Pytester, project_root: Path, local_index: LocalIndex
) -> None:
    project = make_project(project_root, "setuptools-scm")
    project.append("pyproject.toml", f'\n[tool.release-checks]\nindex = "{local_index.url}"\n')
    project.write(".gitignore", "")  # so a left-behind *.egg-info would show as untracked
    project.commit("Ignore nothing")
    project.git("tag", "-f", "-a", "v1.2.3", "-m", "Release 1.2.3")
    before = project.git("status", "--porcelain", "--ignored", "--untracked-files=all")

    result = pytester.runpytest_subprocess("-m", "release", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=GATES, skipped=SKIPPED)
    assert project.git("status", "--porcelain", "--ignored", "--untracked-files=all") == before


def test_help_lists_the_options_in_a_project(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    result = pytester.runpytest_subprocess("--help")

    assert result.ret == 0
    result.stdout.fnmatch_lines(["*--release-tag=TAG*", "*--release-dist=DIR*"])


def test_marker_expression_in_addopts_does_not_select_gates(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    project.append("pyproject.toml", '\n[tool.pytest.ini_options]\naddopts = ["-m", "not slow"]\n')

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=1, deselected=2)
    assert "release-checks:" not in result.stdout.str()


def test_monorepo_package_is_the_project(pytester: pytest.Pytester, project_root: Path) -> None:
    (project_root / "pyproject.toml").write_text(
        '[project]\nname = "workspace"\nversion = "0"\n\n[tool.pytest.ini_options]\n',
        encoding="utf-8",
    )
    package = make_project(project_root / "packages" / "demo")
    os.chdir(package.root)

    result = pytester.runpytest_subprocess("-m", "release", "-k", "changelog or versions")

    result.stdout.fnmatch_lines(["release-checks: demo 1.2.3", "*2 passed*"])


def test_misspelt_table_name_is_a_usage_error(
    pytester: pytest.Pytester, project: FixtureProject
) -> None:
    project.append("pyproject.toml", '\n[tool.release_checks]\ntag-prefix = "v"\n')

    result = pytester.runpytest_subprocess("-m", "release")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "`[tool.release_checks]` is not read; did you mean `[tool.release-checks]`" in (
        result.stderr.str()
    )


def test_a_waived_environment_gate_makes_no_environment(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    """The background work is for the gates that run: a waived one wants no virtualenv."""
    made = make_project(project_root)
    made.append(
        "pyproject.toml",
        '\n[tool.release-checks.waive]\nwheel-works-in-fresh-venv = "checked in the docs job"\n',
    )
    made.commit("Waive the environment gate")
    made.git("tag", "-f", "-a", "v1.2.3", "-m", "Release 1.2.3")

    result = pytester.runpytest_subprocess("-m", "release and not network", "-rs")  # no index

    result.assert_outcomes(passed=GATES - 2, skipped=SKIPPED + 1, deselected=1 + PUBLISHED)
    output = result.stdout.str()
    assert "waived in pyproject.toml: checked in the docs job" in output
    assert "virtualenv" not in output.replace("test_wheel_works_in_fresh_venv", "")


USER_GATE_BREAKING_THE_ENVIRONMENT = """
import pytest


@pytest.mark.release
def test_user_gate_removes_the_package(release_venv):
    code = "import demo, pathlib, shutil; shutil.rmtree(pathlib.Path(demo.__file__).parent)"
    assert release_venv.run("python", "-c", code).returncode == 0
"""


def test_a_user_gate_cannot_change_what_the_environment_gate_judges(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    """The built-in gate runs last, but judges the environment as the wheel installed it."""
    made = make_project(project_root)
    made.write("tests/test_user.py", USER_GATE_BREAKING_THE_ENVIRONMENT)
    made.commit("A user gate that changes the environment")
    made.git("tag", "-f", "-a", "v1.2.3", "-m", "Release 1.2.3")

    result = pytester.runpytest_subprocess("-m", "release", "-k", "fresh_venv or user_gate", "-v")

    result.assert_outcomes(passed=2)
    lines = [line for line in result.stdout.lines if " PASSED" in line]
    assert "test_user_gate_removes_the_package" in lines[0]
    assert "test_wheel_works_in_fresh_venv" in lines[1]
