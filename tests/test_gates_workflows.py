"""The workflow-safety gates (issue 5), end to end: real projects with real workflow files.

The scenarios select the workflow gates with ``-k`` (nothing is built: these gates read
files only). Each finding must come back as ``file:line: what; fix: how``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.factory import GIT_IDENTITY, make_project
from tests.scenarios import (
    INNER_RUN_TIMEOUT,
    Scenario,
    append,
    failed,
    gates_shown_failing,
    read_junit,
    replace,
    run_scenario,
    skipped,
    write,
)

ONLY_WORKFLOW_GATES = ("-k", "workflow or publish")
RELEASE = ".github/workflows/release.yml"


def publish_gates(workflow: str) -> tuple[str, ...]:
    names = (
        "uses_trusted_publishing",
        "id_token_only_at_job",
        "needs_tests",
        "does_not_build",
        "runs_in_environment",
        "triggered_by_release",
        "not_in_reusable_workflow",
        "checkout_full_history",
    )
    return tuple(f"test_publish_{name}[{workflow}]" for name in names)


def valid(workflow: str) -> str:
    return f"test_workflow_is_valid[{workflow}]"


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The line of the `nth` line with `needle` in a workflow as the scenario writes it."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return [number for number, line in enumerate(lines, 1) if needle in line][nth - 1]


HATCH_VCS = (
    replace("pyproject.toml", 'requires = ["hatchling"]', 'requires = ["hatchling", "hatch-vcs"]'),
    replace("pyproject.toml", 'version = "1.2.3"', 'dynamic = ["version"]'),
    append("pyproject.toml", '[tool.hatch.version]\nsource = "vcs"\n'),
)

GOOD_RELEASE = """
    name: Release

    on:
      release:
        types: [published]

    permissions: {}

    jobs:
      tests:
        runs-on: ubuntu-latest
        permissions:
          contents: read
        strategy:
          matrix:
            python-version: ["3.11", "3.12"]
        steps:
          - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
            with:
              persist-credentials: false
          - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0
            with:
              python-version: ${{ matrix.python-version }}
          - run: python -m pip install -e . pytest && python -m pytest

      build:
        needs: tests
        runs-on: ubuntu-latest
        permissions:
          contents: read
        steps:
          - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
            with:
              fetch-depth: 0
              persist-credentials: false
          - run: |
              python -m pip install build pytest-release-checks
              python -m build
              python -m pytest -m release --release-dist=dist
          - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02  # v4.6.2
            with:
              name: dist
              path: dist/

      publish:
        needs: build
        runs-on: ubuntu-latest
        environment: pypi
        permissions:
          id-token: write
        steps:
          - uses: actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093  # v4.3.0
            with:
              name: dist
              path: dist/
          - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4
    """

CI = """
    name: CI
    on: [push, pull_request]
    permissions:
      contents: read
    jobs:
      tests:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: python -m pip install -e . pytest && python -m pytest
    """

# The workflow many projects started from: one job, a token, every push.
LEGACY_UPLOAD = """
    name: Upload Python Package

    on: [push, pull_request]

    permissions: write-all

    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: actions/setup-python@v5
            with:
              python-version: "3.x"
          - run: |
              python -m pip install build twine
              python -m build
          - name: Publish
            env:
              TWINE_USERNAME: __token__
              TWINE_PASSWORD: ${{ secrets.PYPI_API_TOKEN }}
            run: twine upload dist/*
    """

# A reusable workflow that builds, tests and publishes; the release workflow calls it.
REUSABLE_PUBLISH = textwrap.dedent(GOOD_RELEASE).replace(
    "on:\n  release:\n    types: [published]\n", "on:\n  workflow_call:\n"
)
CALLER = """
    name: Release
    on:
      push:
        tags: ["v*"]
    permissions: {}
    jobs:
      release:
        uses: ./.github/workflows/publish.yml
        permissions:
          contents: read
          id-token: write
    """

BROKEN = """
    name: Release
    on:
      push:
        tags: ["v*"]
    jobs:
      publish:
        runs-on: ubuntu-latest
        steps:
          - uses: pypa/gh-action-pypi-publish@release/v1
         with:
            verbose: true
    """


def at(text: str, needle: str, path: str = RELEASE) -> str:
    return f"{path}:{line_of(text, needle)}: "


SCENARIOS = [
    # A release workflow as the gates want it, beside a CI workflow that publishes nothing
    # (only checked to be valid, though it runs on pull requests).
    Scenario(
        id="healthy-release-workflow",
        edits=(
            *HATCH_VCS,
            write(RELEASE, GOOD_RELEASE),
            write(".github/workflows/ci.yaml", CI),
        ),
        args=ONLY_WORKFLOW_GATES,
        gates=(valid("ci.yaml"), valid("release.yml"), *publish_gates("release.yml")),
    ),
    # The same workflow for a project with a static version: history does not matter.
    Scenario(
        id="healthy-release-workflow-static-version",
        edits=(write(RELEASE, GOOD_RELEASE),),
        args=ONLY_WORKFLOW_GATES,
        gates=(valid("release.yml"), *publish_gates("release.yml")),
        expect={
            "test_publish_checkout_full_history[release.yml]": skipped(
                "the version does not come from git"
            )
        },
    ),
    # Build and upload with a token in one job, on every push and pull request.
    Scenario(
        id="token-upload-on-every-push",
        edits=(*HATCH_VCS, write(RELEASE, LEGACY_UPLOAD)),
        args=ONLY_WORKFLOW_GATES,
        gates=(valid("release.yml"), *publish_gates("release.yml")),
        expect={
            "test_publish_uses_trusted_publishing[release.yml]": failed(
                "release.yml publishes with a password or token, not through Trusted Publishing",
                at(LEGACY_UPLOAD, "TWINE_PASSWORD")
                + "job `deploy` gets the secret `PYPI_API_TOKEN` as `TWINE_PASSWORD` "
                "(step-level `env`)",
                "fix: add this workflow as a Trusted Publisher",
            ),
            "test_publish_id_token_only_at_job[release.yml]": failed(
                at(LEGACY_UPLOAD, "write-all") + "`permissions: write-all` at the workflow level",
                "fix: remove it there",
            ),
            "test_publish_needs_tests[release.yml]": failed(
                at(LEGACY_UPLOAD, "deploy:")
                + "job `deploy` does not need a job that runs the tests",
            ),
            "test_publish_does_not_build[release.yml]": failed(
                at(LEGACY_UPLOAD, "python -m build")
                + "job `deploy` builds the dists it uploads (python -m build)",
                "fix: build in a job of its own",
            ),
            "test_publish_runs_in_environment[release.yml]": failed(
                at(LEGACY_UPLOAD, "deploy:") + "job `deploy` runs in no deployment",
                "fix: add `environment: pypi`",
            ),
            "test_publish_triggered_by_release[release.yml]": failed(
                at(LEGACY_UPLOAD, "on: [")
                + "the workflow runs on `pull_request` and job `deploy` publishes from it",
                at(LEGACY_UPLOAD, "on: [") + "the workflow runs on pushes to branches",
            ),
            "test_publish_checkout_full_history[release.yml]": failed(
                at(LEGACY_UPLOAD, "actions/checkout")
                + "job `deploy` builds (python -m build) from a shallow checkout",
                "fix: set `fetch-depth: 0`",
            ),
        },
    ),
    # Publishing from a reusable workflow: everything else is right.
    Scenario(
        id="publish-from-reusable-workflow",
        edits=(
            *HATCH_VCS,
            write(".github/workflows/publish.yml", REUSABLE_PUBLISH),
            write(RELEASE, CALLER),
        ),
        args=ONLY_WORKFLOW_GATES,
        gates=(valid("release.yml"), valid("publish.yml"), *publish_gates("publish.yml")),
        expect={
            "test_publish_not_in_reusable_workflow[publish.yml]": failed(
                at(REUSABLE_PUBLISH, "workflow_call", ".github/workflows/publish.yml")
                + "the workflow is reusable (`on: workflow_call`) and job `publish` publishes",
                "fix: move the publishing job into the top-level workflow",
            ),
        },
    ),
    # A release workflow GitHub cannot parse: one failure at the line, nothing else.
    Scenario(
        id="broken-release-workflow",
        edits=(write(RELEASE, BROKEN),),
        args=ONLY_WORKFLOW_GATES,
        gates=(valid("release.yml"),),
        expect={
            valid("release.yml"): failed(
                "release.yml is not a workflow GitHub can run",
                at(BROKEN, "with:") + "not valid YAML",
            )
        },
    ),
]


def test_every_gate_fails_with_its_message_somewhere() -> None:
    checked = gates_shown_failing(SCENARIOS)
    names = {gate.partition("[")[0] for gate in checked}
    assert names == {gate.partition("[")[0] for gate in publish_gates("x")} | {
        "test_workflow_is_valid"
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
    run_scenario(scenario, pytester, project_root)


# What scenarios cannot show: which items exist


def collected(pytester: pytest.Pytester, *args: str) -> list[str]:
    result = pytester.runpytest_subprocess(
        "-m", "release", "--collect-only", "-q", *ONLY_WORKFLOW_GATES, *args,
        timeout=INNER_RUN_TIMEOUT,
    )  # fmt: skip
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    return [line for line in result.stdout.lines if line.startswith("pyproject.toml::")]


def test_a_project_without_workflows_has_no_workflow_gate_items(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    make_project(project_root)
    assert collected(pytester) == []


def test_a_broken_workflow_gets_only_the_validity_item(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    project = make_project(project_root)
    project.write(RELEASE, BROKEN)
    project.write(".github/workflows/ci.yml", CI)
    assert collected(pytester) == [
        "pyproject.toml::test_workflow_is_valid[ci.yml]",
        "pyproject.toml::test_workflow_is_valid[release.yml]",
    ]


def test_in_a_monorepo_the_workflows_at_the_repository_root_are_checked(
    pytester: pytest.Pytester, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = make_project(project_root / "packages" / "demo", tag=None)
    for edit in HATCH_VCS:
        edit(package)
    shutil.rmtree(package.root / ".git")
    workflow = project_root / RELEASE
    workflow.parent.mkdir(parents=True)
    shallow = textwrap.dedent(GOOD_RELEASE).lstrip("\n").replace("          fetch-depth: 0\n", "")
    workflow.write_text(shallow, encoding="utf-8")
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "-m", "Monorepo"],
        ["tag", "-a", "v1.2.3", "-m", "Release 1.2.3"],
    ):
        subprocess.run(
            ["git", *args],
            cwd=project_root,
            check=True,
            capture_output=True,
            env={**os.environ, **GIT_IDENTITY},
        )
    monkeypatch.chdir(package.root)
    report = pytester.path / "report.xml"
    result = pytester.runpytest_subprocess(
        "-m", "release", *ONLY_WORKFLOW_GATES, f"--junit-xml={report}", timeout=INNER_RUN_TIMEOUT
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    gates = read_junit(report)
    assert set(gates) == {valid("release.yml"), *publish_gates("release.yml")}
    failures = {name: gate for name, gate in gates.items() if gate.outcome != "passed"}
    assert list(failures) == ["test_publish_checkout_full_history[release.yml]"]
    build_checkout = line_of(shallow, "actions/checkout@", 2)
    assert (
        f"{RELEASE}:{build_checkout}: job `build` builds (python -m build) from a shallow checkout"
        in failures["test_publish_checkout_full_history[release.yml]"].text
    )
