"""The gates on the dists' sources (issue 3), end to end: sdist vs git, sdist vs tree, dist/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factory import FixtureProject, make_project
from tests.scenarios import (
    INNER_RUN_TIMEOUT,
    Edit,
    Scenario,
    append,
    commit,
    failed,
    gates_shown_failing,
    read_junit,
    replace,
    run_scenario,
    skipped,
    write,
)

SDIST = "test_sdist_matches_git[sdist]"
EQUIVALENT = "test_wheel_equivalent_to_tree_build[wheel]"
DIST_DIR = "test_dist_dir_holds_only_this_release"
BUILT = (SDIST, EQUIVALENT, DIST_DIR)
NO_DIST_DIR = {DIST_DIR: skipped("checks the --release-dist directory")}


def prebuilt_gates(version: str = "1.2.3") -> tuple[str, ...]:
    return (
        f"test_sdist_matches_git[demo-{version}.tar.gz]",
        f"test_wheel_equivalent_to_tree_build[demo-{version}-py3-none-any.whl]",
        DIST_DIR,
    )


def build_into(directory: str, *options: str) -> Edit:
    """Build the project with `python -m build` into `directory`, beside the project."""

    def edit(project: FixtureProject) -> None:
        out_dir = project.root.parent / directory
        subprocess.run(
            [sys.executable, "-m", "build", *options, "--outdir", str(out_dir), str(project.root)],
            check=True,
            capture_output=True,
            timeout=INNER_RUN_TIMEOUT,
        )

    return edit


def tag(name: str) -> Edit:
    return lambda project: project.tag(name)


HATCH_VCS = (
    replace("pyproject.toml", 'requires = ["hatchling"]', 'requires = ["hatchling", "hatch-vcs"]'),
    replace("pyproject.toml", 'version = "1.2.3"', 'dynamic = ["version"]'),
    append(
        "pyproject.toml",
        """
        [tool.hatch.version]
        source = "vcs"

        [tool.hatch.build.hooks.vcs]
        version-file = "src/demo/_version.py"
        """,
    ),
    append(".gitignore", "src/demo/_version.py"),
)
GIT_DESCRIBE_SETUP_PY = """
    import subprocess

    from setuptools import setup


    def git_version():
        try:
            described = subprocess.run(
                ["git", "describe", "--tags"], capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return "0.0.0"
        return described.stdout.strip().removeprefix("v")


    setup(version=git_version())
    """

SCENARIOS = [
    # Healthy: the prebuilt dists of a hatch-vcs project that writes a version file (generated,
    # ignored, carrying a commit id the sdist cannot know) match git, the tree and dist/.
    Scenario(
        id="hatch-vcs-version-file-prebuilt",
        edits=HATCH_VCS,
        prebuilt="built",
        args=("--release-dist={prebuilt}",),
        gates=prebuilt_gates(),
    ),
    # The sdist leaves out a module the wheel needs, and packs an untracked file.
    Scenario(
        id="sdist-drops-a-module-and-packs-an-untracked-file",
        edits=(
            append(
                "pyproject.toml", '[tool.hatch.build.targets.sdist]\nexclude = ["src/demo/cli.py"]'
            ),
        ),
        after_tag=(write("notes.txt", "Remember to update the docs.\n"),),
        gates=BUILT,
        expect={
            SDIST: failed(
                "demo-1.2.3.tar.gz does not match git (build backend: hatchling)",
                "tracked files it lacks:\n    - src/demo/cli.py — in the package `src/demo/`",
                "files it holds that git does not track:\n"
                "    - notes.txt — untracked: not committed, not ignored",
                "add them to `include`, or drop the `exclude` entry that matches them",
                "`[tool.release-checks] sdist-ignore`",
            ),
            EQUIVALENT: failed(
                "demo-1.2.3-py3-none-any.whl, built from the sdist, differs from a wheel built "
                "from the tree:\n  - demo/cli.py: only in the tree's wheel",
                "Files only the tree's wheel has are missing from the sdist (see "
                "test_sdist_matches_git)",
                absent=("notes.txt",),
            ),
            **NO_DIST_DIR,
        },
    ),
    # A build that depends on git: setup.py asks `git describe` for the version, which the
    # sdist (no .git) cannot answer.
    Scenario(
        id="version-from-git-describe",
        backend="setuptools-scm",
        edits=(
            replace("pyproject.toml", ', "setuptools-scm>=8"', ""),
            replace("pyproject.toml", "[tool.setuptools_scm]\n", ""),
            write("setup.py", GIT_DESCRIBE_SETUP_PY),
        ),
        gates=BUILT,
        expect={
            EQUIVALENT: failed(
                "demo-0.0.0-py3-none-any.whl, built from the sdist, differs",
                "METADATA Version differs: `0.0.0` in the sdist's wheel, `1.2.3` in the tree's "
                "wheel",
                "the build reads something the sdist does not carry (git metadata",
            ),
            **NO_DIST_DIR,
        },
    ),
    # dist/ still holds a wheel of the previous release (and a build log): `twine upload
    # dist/*` would send them. The release's own files match git and the tree.
    Scenario(
        id="dist-dir-with-the-previous-release",
        version="1.2.2",
        tag="v1.2.2",
        after_tag=(
            build_into("dist", "--wheel"),
            replace("pyproject.toml", 'version = "1.2.2"', 'version = "1.2.3"'),
            replace("src/demo/__init__.py", '"1.2.2"', '"1.2.3"'),
            commit("Release 1.2.3"),
            tag("v1.2.3"),
            build_into("dist"),
            write("../dist/build.log", "ok\n"),
        ),
        args=("--release-dist=../dist",),
        gates=(
            *prebuilt_gates(),
            "test_wheel_equivalent_to_tree_build[demo-1.2.2-py3-none-any.whl]",
        ),
        expect={
            DIST_DIR: failed(
                "should hold this release's files and nothing else (one sdist and the wheels of "
                "demo 1.2.3): `twine upload",
                "- build.log: not a distribution file; twine stops at it with 'Unknown "
                "distribution format' before uploading anything",
                "- demo-1.2.2-py3-none-any.whl: version 1.2.2, not the release version 1.2.3: "
                "a leftover of an earlier build",
                "build into an empty directory (`rm -rf dist && python -m build`)",
                absent=("demo-1.2.3",),
            ),
            "test_wheel_equivalent_to_tree_build[demo-1.2.2-py3-none-any.whl]": skipped(
                "demo-1.2.2-py3-none-any.whl is not a wheel of this release (1.2.3) — see "
                "test_dist_dir_holds_only_this_release"
            ),
        },
    ),
]


def test_every_gate_fails_with_its_message_somewhere() -> None:
    checked = gates_shown_failing(SCENARIOS)
    assert set(BUILT) <= checked


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
    run_scenario(scenario, pytester, project_root)


# What scenarios cannot show


PROBE = """
import os
from pathlib import Path

from release_checks.plugin import RUN_KEY


def pytest_sessionfinish(session):
    run = session.config.stash.get(RUN_KEY, None)
    if run is None or hasattr(session.config, "workerinput"):
        return
    tree, dists = run.shared_dir / "tree-wheel.json", run.shared_dir / "dists.json"
    if not tree.exists():
        found = "no tree wheel"
    elif tree.stat().st_mtime_ns <= dists.stat().st_mtime_ns:
        found = "built with the dists"
    else:
        found = "built on its own"
    Path(os.environ["PROBE_OUT"]).write_text(found)
"""


@pytest.mark.parametrize(
    ("selection", "expected"),
    [("dists_build", "no tree wheel"), ("dists_build or equivalen", "built with the dists")],
)
def test_the_tree_wheel_comes_with_the_dists_only_when_the_gate_is_selected(
    selection: str,
    expected: str,
    pytester: pytest.Pytester,
    project_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_project(project_root)
    (pytester.path / "tree_probe.py").write_text(PROBE, encoding="utf-8")
    probe_out = pytester.path / "probe.txt"
    report = pytester.path / "report.xml"
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    monkeypatch.setenv("PROBE_OUT", str(probe_out))
    result = pytester.runpytest_subprocess(
        "-p", "tree_probe", "-m", "release", "-n", "2", "-k", selection,
        f"--junit-xml={report}", timeout=INNER_RUN_TIMEOUT,
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    gates = read_junit(report)
    assert "test_dists_build" in gates
    assert (EQUIVALENT in gates) == (expected != "no tree wheel")
    assert probe_out.read_text(encoding="utf-8") == expected


def test_without_git_the_sdist_gate_fails_in_strict_mode(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    project = make_project(project_root)
    shutil.rmtree(project.root / ".git")
    report = pytester.path / "report.xml"
    result = pytester.runpytest_subprocess(
        "-m", "release", "--release-strict", "-k", "sdist_matches_git", f"--junit-xml={report}",
        timeout=INNER_RUN_TIMEOUT,
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    gate = read_junit(report)[SDIST]
    assert gate.outcome == "failed"
    assert f"{project.root} is not a git repository (no .git in it or above it)" in gate.text
    assert "failing instead of skipping: --release-strict" in gate.text
