"""Workflow-safety findings (issue 5): each rule failing and passing, on real YAML files.

A healthy release workflow (tests, build, publish through Trusted Publishing) is edited into
each defect; findings must name the file and the line to change.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from release_checks import ci_commands
from release_checks.workflow_model import load_workflows
from release_checks.workflow_yaml import LineList, LineMap, YamlProblem, load_yaml
from release_checks.workflows import (
    ENVIRONMENT,
    FULL_HISTORY,
    ID_TOKEN_JOB_ONLY,
    NEEDS_TESTS,
    NO_BUILD_IN_PUBLISH,
    NOT_REUSABLE,
    RELEASE_TRIGGERS,
    RULES,
    TRUSTED_PUBLISHING,
    WORKFLOW_VALID,
    Finding,
    check_workflows,
    version_from_vcs,
)

PATH = ".github/workflows/release.yml"

STATIC_VERSION = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo"
version = "1.2.3"
"""

HATCH_VCS = """
[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

[project]
name = "demo"
dynamic = ["version"]

[tool.hatch.version]
source = "vcs"
"""

GOOD = """
name: Release

on:
  push:
    tags: ["v*"]

permissions: {}

jobs:
  tests:
    runs-on: ${{ matrix.os }}
    permissions:
      contents: read
    strategy:
      fail-fast: no
      matrix:
        os: [ubuntu-latest, windows-latest]
        python-version: ["3.11", "3.13"]
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
        with:
          persist-credentials: false
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065  # v5.6.0
        with:
          python-version: ${{ matrix.python-version }}
      - run: |
          python -m pip install -e '.[test]'
          python -m pytest -n 2

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
      - run: python -m pip install build
      - run: python -m build
      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02  # v4.6.2
        with:
          name: dist
          path: dist/

  publish:
    needs: [build]
    runs-on: ubuntu-latest
    environment:
      name: pypi
      url: https://example.invalid/p/demo
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093  # v4.3.0
        with:
          name: dist
          path: dist/
      - name: Publish
        uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4
"""


DOWNLOAD_STEP = (
    "      - uses: actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093  # v4.3.0\n"
    "        with:\n          name: dist\n          path: dist/\n"
)
PUBLISH_ACTION = "pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc"
PUBLISH_USES = f"        uses: {PUBLISH_ACTION}  # v1.12.4\n"


def make_repo(root: Path, workflows: dict[str, str], pyproject: str = STATIC_VERSION) -> Path:
    """A project directory with pyproject.toml and workflow files (dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for name, text in workflows.items():
        path = root / ".github" / "workflows" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def edit(old: str, new: str, text: str = GOOD) -> str:
    assert text.count(old) == 1, f"{old!r} is not in the workflow exactly once"
    return text.replace(old, new)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the `nth` line containing `needle` (-1: the last) in the text."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    hits = [number for number, line in enumerate(lines, 1) if needle in line]
    assert len(hits) >= abs(nth), f"{needle!r} not found {nth} time(s)"
    return hits[nth - 1] if nth > 0 else hits[nth]


def findings(
    tmp_path: Path, text: str, rule: str | None = None, pyproject: str = STATIC_VERSION
) -> list[Finding]:
    root = make_repo(tmp_path / "project", {"release.yml": text}, pyproject)
    found = check_workflows(root)
    return [finding for finding in found if rule is None or finding.rule == rule]


def where(found: list[Finding]) -> list[tuple[str, int]]:
    return [(finding.file, finding.line) for finding in found]


# The healthy workflow


def test_a_healthy_release_workflow_has_no_findings(tmp_path: Path) -> None:
    assert findings(tmp_path, GOOD) == []
    assert findings(tmp_path, GOOD, pyproject=HATCH_VCS) == []


def test_a_project_without_workflows_has_no_findings(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {})
    assert load_workflows(root) == []
    assert check_workflows(root) == []


def test_workflows_without_a_publishing_job_only_need_to_be_valid(tmp_path: Path) -> None:
    ci = edit("      - name: Publish\n", "      - name: Not publishing\n")
    ci = edit(
        "uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc", "run: ls", ci
    )
    ci = edit("permissions: {}", "permissions: write-all", ci)
    root = make_repo(tmp_path, {"ci.yaml": ci, "notes.txt": "not a workflow"})
    assert [workflow.name for workflow in load_workflows(root)] == ["ci.yaml"]
    assert load_workflows(root)[0].publish_jobs() == []
    assert check_workflows(root) == []


def test_findings_round_trip_and_read_like_lint_output(tmp_path: Path) -> None:
    found = findings(tmp_path, edit("    environment:\n      name: pypi\n", "    environment:\n"))
    assert len(found) == 1
    finding = found[0]
    assert Finding.from_json(finding.to_json()) == finding
    assert json.loads(finding.to_json())["rule"] == ENVIRONMENT
    assert str(finding).startswith(f"{PATH}:{line_of(GOOD, '  publish:')}: job `publish` runs")
    assert "; fix: add `environment: pypi`" in str(finding)


def test_findings_come_sorted_by_rule_then_line(tmp_path: Path) -> None:
    text = edit("    environment:\n      name: pypi\n", "    environment:\n")
    text = edit("    needs: [build]\n", "", text)
    text = edit("permissions: {}", "permissions: write-all", text)
    found = findings(tmp_path, text)
    publish = line_of(text, "  publish:")
    assert [(f.rule, f.line) for f in found] == [
        (ID_TOKEN_JOB_ONLY, line_of(text, "write-all")),
        (NEEDS_TESTS, publish),
        (ENVIRONMENT, publish),
    ]
    assert [RULES.index(f.rule) for f in found] == sorted(RULES.index(f.rule) for f in found)


# YAML as GitHub reads it


def test_yaml_keeps_on_and_yes_as_strings_and_records_lines() -> None:
    loaded = load_yaml("on:\n  push:\n    tags: [v*]\nfail-fast: no\nrun: |\n  a\n  b\n")
    assert isinstance(loaded, LineMap)
    assert set(loaded) == {"on", "fail-fast", "run"}
    assert loaded["fail-fast"] == "no"
    assert loaded.line_of("run") == 5
    assert loaded.text_line("run") == 6  # the script starts after the `|`
    tags = loaded["on"]["push"]["tags"]
    assert isinstance(tags, LineList)
    assert tags == ["v*"]
    assert tags.line_at(0) == 3


def test_yaml_merge_keys_and_true_false_still_work() -> None:
    loaded = load_yaml("base: &b {x: true}\njob:\n  <<: *b\n  y: False\n")
    assert isinstance(loaded, LineMap)
    assert loaded["job"] == {"x": True, "y": False}


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("jobs:\n  a:\n    steps:\n    - run: x\n   bad: 1\n", 5, "expected <block end>"),
        ("on: push\njobs: {a: [}\n", 2, "expected the node content"),
        ("a: b: c\n", 1, "mapping values are not allowed here"),
        ("---\na: 1\n---\nb: 2\n", 3, "expected a single document"),
        ("a: 1\nb: \x07\n", 2, "unacceptable character"),
        ("a: !!python/object/apply:os.system [ls]\n", 1, "could not determine a constructor"),
        ("a:\n  ? [x]\n  : y\n", 2, "a mapping key must be a plain value"),
        pytest.param("[" * 1000, 1, "nested too deeply", id="deep-nesting"),
    ],
)
def test_broken_yaml_is_a_problem_at_its_line_never_an_exception(
    text: str, line: int, words: str
) -> None:
    problem = load_yaml(text)
    assert isinstance(problem, YamlProblem)
    assert problem.line == line
    assert words in problem.message


# workflow-valid


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (edit("      fail-fast: no\n", "      fail-fast: no\n     bad: 1\n"), 16, "not valid YAML"),
        ("", 1, "the file is empty"),
        ("- just\n- a list\n", 1, "not a mapping of workflow keys"),
        ("name: x\njobs:\n  a:\n    steps: []\n", 1, "there is no `on:` key"),
        ("on: push\njobs:\n  - a\n", 2, "`jobs` must be a mapping of job ids"),
        ("on: push\njobs:\n  a: 1\n", 3, "job `a` must be a mapping"),
        ("on: push\njobs:\n  a:\n    steps: run\n", 4, "job `a`: `steps` must be a list"),
        ("on: push\njobs:\n  a:\n    steps:\n      - ls\n", 5, "job `a`: a step must be a mapping"),
        (
            "on: push\njobs:\n  a:\n    needs: [b]\n    steps: []\n",
            4,
            "job `a` needs `b`, which this workflow does not define",
        ),
    ],
)
def test_a_workflow_github_cannot_run_is_a_finding_at_its_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    found = findings(tmp_path, text)
    assert where(found) == [(PATH, line)]
    assert found[0].rule == WORKFLOW_VALID
    assert words in found[0].message
    assert "GitHub does not run this workflow as written" in found[0].message


def test_a_workflow_that_is_not_utf8_is_a_finding_at_its_line(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {})
    path = root / ".github" / "workflows" / "release.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"name: x\non: push\n# caf\xe9\n")
    found = check_workflows(root)
    assert [(f.rule, f.file, f.line) for f in found] == [
        (WORKFLOW_VALID, ".github/workflows/release.yaml", 3)
    ]
    assert "not UTF-8" in found[0].message


def test_a_broken_workflow_gets_no_publishing_findings(tmp_path: Path) -> None:
    text = edit("permissions: {}", "permissions: {", GOOD)
    found = findings(tmp_path, text)
    assert [finding.rule for finding in found] == [WORKFLOW_VALID]


# Publishing jobs, however they publish


@pytest.mark.parametrize(
    "script",
    [
        "twine upload dist/*",
        "python -m twine upload --skip-existing dist/*",
        "python3 -m twine upload dist/*",
        "pipx run twine upload dist/*",
        "uv publish",
        "uv publish --trusted-publishing always dist/*",
        "hatch publish",
        "flit publish",
        "poetry publish",
        "pdm publish --no-build",
        "set -e\nls dist\nTWINE_NON_INTERACTIVE=1 \\\n  twine upload dist/*",
        "if [ -d dist ]; then uv publish; fi",
    ],
)
def test_each_upload_command_makes_a_publishing_job(tmp_path: Path, script: str) -> None:
    text = edit(
        PUBLISH_USES,
        "        run: |\n" + textwrap.indent(script, " " * 10) + "\n",
    )
    root = make_repo(tmp_path, {"release.yml": text})
    (workflow,) = load_workflows(root)
    assert [job.id for job in workflow.publish_jobs()] == ["publish"]


@pytest.mark.parametrize(
    "script",
    [
        "pip install twine",
        "echo 'run twine upload later'",
        "# twine upload dist/*",
        "python -m pip install uv && uv pip install .",
        "twine check --strict dist/*",
    ],
)
def test_commands_that_do_not_upload_make_no_publishing_job(tmp_path: Path, script: str) -> None:
    text = edit(
        PUBLISH_USES,
        "        run: " + json.dumps(script) + "\n",
    )
    root = make_repo(tmp_path, {"release.yml": text})
    (workflow,) = load_workflows(root)
    assert workflow.publish_jobs() == []


@pytest.mark.parametrize(
    "uses",
    [
        "pypa/gh-action-pypi-publish@release/v1",
        "pypa/gh-action-pypi-publish@v1.12.4",
        "PyPA/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4",
    ],
)
def test_every_spelling_of_the_publish_action_is_recognised(tmp_path: Path, uses: str) -> None:
    text = edit(
        "pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc  # v1.12.4", uses
    )
    root = make_repo(tmp_path, {"release.yml": text})
    assert [job.id for job in load_workflows(root)[0].publish_jobs()] == ["publish"]
    assert check_workflows(root) == []


# trusted-publishing

PUBLISH_STEP = "      - name: Publish\n"


@pytest.mark.parametrize(
    ("insert", "anchor", "words"),
    [
        (
            "        with:\n          password: ${{ secrets.PYPI_API_TOKEN }}\n",
            "password:",
            "uploads with the secret `PYPI_API_TOKEN` (the `password` input",
        ),
        (
            "        with:\n          user: __token__\n          password: ${{ secrets['P'] }}\n",
            "password:",
            "the secret `P`",
        ),
        (
            "        with:\n          password: pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoaWprbG1u\n",
            "password:",
            "uploads with a credential written into the workflow file",
        ),
        (
            "        with:\n          password: ${{ vars.PYPI_TOKEN }}\n",
            "password:",
            "uploads with `${{ vars.PYPI_TOKEN }}`",
        ),
        (
            "        env:\n          TWINE_PASSWORD: ${{ secrets.PYPI }}\n",
            "TWINE_PASSWORD",
            "gets the secret `PYPI` as `TWINE_PASSWORD` (step-level `env`)",
        ),
    ],
)
def test_a_password_on_the_publish_step_is_a_finding_at_its_line(
    tmp_path: Path, insert: str, anchor: str, words: str
) -> None:
    text = GOOD.rstrip("\n") + "\n" + insert
    found = findings(tmp_path, text, TRUSTED_PUBLISHING)
    assert where(found) == [(PATH, line_of(text, anchor))]
    assert words in found[0].message
    assert "fix: add this workflow as a Trusted Publisher" in found[0].message
    assert "pypi-AgEI" not in found[0].message  # a finding never repeats the credential


@pytest.mark.parametrize(
    ("script", "env", "words"),
    [
        (
            "twine upload -u __token__ -p ${{ secrets.PYPI_TOKEN }} dist/*",
            "",
            "passes the secret `PYPI_TOKEN` on the command line",
        ),
        ("twine upload dist/*", "TWINE_PASSWORD: ${{ secrets.PYPI }}", "as `TWINE_PASSWORD`"),
        ("uv publish", "UV_PUBLISH_TOKEN: ${{ secrets.PYPI }}", "as `UV_PUBLISH_TOKEN`"),
        (
            "poetry publish",
            "POETRY_PYPI_TOKEN_PYPI: ${{ secrets.PYPI }}",
            "as `POETRY_PYPI_TOKEN_PYPI`",
        ),
        ("flit publish", "FLIT_PASSWORD: ${{ secrets.PYPI }}", "as `FLIT_PASSWORD`"),
        ("hatch publish", "HATCH_INDEX_AUTH: ${{ secrets.PYPI }}", "as `HATCH_INDEX_AUTH`"),
        ("pdm publish --no-build", "PDM_PUBLISH_PASSWORD: ${{ secrets.X }}", "the secret `X`"),
        (
            "poetry config pypi-token.pypi ${{ secrets.PYPI_TOKEN }}\npoetry publish",
            "",
            "passes the secret `PYPI_TOKEN` on the command line",
        ),
    ],
)
def test_a_token_for_an_upload_command_is_a_finding(
    tmp_path: Path, script: str, env: str, words: str
) -> None:
    text = edit(
        PUBLISH_USES,
        "        run: |\n" + textwrap.indent(script, " " * 10) + "\n",
    )
    if env:
        text = edit("    permissions:\n      id-token: write\n", f"    env:\n      {env}\n", text)
        text = edit(
            "    environment:\n",
            "    permissions:\n      id-token: write\n    environment:\n",
            text,
        )
    found = findings(tmp_path, text, TRUSTED_PUBLISHING)
    anchor = env.partition(":")[0] if env else "secrets."
    assert where(found) == [(PATH, line_of(text, anchor))]
    assert words in found[0].message
    assert "pypa/gh-action-pypi-publish (or `uv publish`" in found[0].message


def test_a_token_in_the_workflow_env_is_a_finding_at_its_line(tmp_path: Path) -> None:
    text = edit("permissions: {}\n", "permissions: {}\nenv:\n  PYPI_API_TOKEN: ${{ secrets.T }}\n")
    found = findings(tmp_path, text, TRUSTED_PUBLISHING)
    assert where(found) == [(PATH, line_of(text, "PYPI_API_TOKEN"))]
    assert "(workflow-level `env`)" in found[0].message


@pytest.mark.parametrize(
    "insert",
    [
        # Trusted Publishing by hand: a token minted from the OIDC token by an earlier step
        "        env:\n          TWINE_PASSWORD: ${{ steps.mint.outputs.api-token }}\n",
        "        with:\n          password: ${{ steps.mint.outputs.token }}\n",
        # GitHub's own token, and secrets that are not for the index
        (
            "        env:\n          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}\n"
            "          SLACK_WEBHOOK: ${{ secrets.SLACK }}\n"
        ),
        "        with:\n          repository-url: https://example.invalid/legacy/\n",
    ],
)
def test_no_credential_no_finding(tmp_path: Path, insert: str) -> None:
    text = GOOD.rstrip("\n") + "\n" + insert
    assert findings(tmp_path, text) == []


# id-token-job-only


@pytest.mark.parametrize(
    ("top", "words"),
    [
        ("permissions:\n  contents: read\n  id-token: write\n", "`id-token: write` at the"),
        ("permissions: write-all\n", "`permissions: write-all` at the workflow level"),
    ],
)
def test_id_token_at_workflow_level_is_a_finding(tmp_path: Path, top: str, words: str) -> None:
    text = edit("permissions: {}\n", top)
    found = findings(tmp_path, text, ID_TOKEN_JOB_ONLY)
    anchor = "id-token: write" if "id-token" in top else "permissions: write-all"
    assert where(found) == [(PATH, line_of(text, anchor))]
    assert words in found[0].message
    assert "grant `id-token: write` under `permissions:` of `publish` only" in found[0].message


@pytest.mark.parametrize(
    "job",
    [
        "",  # no permissions of its own, none at the top: no id-token
        "    permissions:\n      contents: read\n",
        "    permissions: read-all\n",
        "    permissions:\n      id-token: read\n",
    ],
)
def test_a_publishing_job_without_id_token_is_a_finding(tmp_path: Path, job: str) -> None:
    text = edit("    permissions:\n      id-token: write\n", job)
    found = findings(tmp_path, text, ID_TOKEN_JOB_ONLY)
    anchor = line_of(text, "permissions", -1) if job else line_of(text, "  publish:")
    assert where(found) == [(PATH, anchor)]
    assert "job `publish` is not granted `id-token: write`" in found[0].message


def test_write_all_at_the_job_grants_the_id_token(tmp_path: Path) -> None:
    text = edit("    permissions:\n      id-token: write\n", "    permissions: write-all\n")
    assert findings(tmp_path, text, ID_TOKEN_JOB_ONLY) == []


def test_a_job_that_overrides_workflow_permissions_without_id_token_fails_twice(
    tmp_path: Path,
) -> None:
    text = edit("permissions: {}\n", "permissions:\n  id-token: write\n")
    text = edit("    permissions:\n      id-token: write\n", "    permissions: {}\n", text)
    found = findings(tmp_path, text, ID_TOKEN_JOB_ONLY)
    assert where(found) == [
        (PATH, line_of(text, "id-token: write")),
        (PATH, line_of(text, "permissions: {}")),
    ]


# needs-tests


def test_a_publishing_job_that_needs_nothing_is_a_finding(tmp_path: Path) -> None:
    text = edit("    needs: [build]\n", "")
    found = findings(tmp_path, text, NEEDS_TESTS)
    assert where(found) == [(PATH, line_of(text, "  publish:"))]
    assert "(it needs no job)" in found[0].message


def test_a_build_that_skips_the_tests_is_a_finding_at_needs(tmp_path: Path) -> None:
    text = edit("    needs: tests\n", "")
    found = findings(tmp_path, text, NEEDS_TESTS)
    assert where(found) == [(PATH, line_of(text, "needs: [build]"))]
    assert "it needs `build`, and none of them runs pytest" in found[0].message


@pytest.mark.parametrize(
    "command",
    [
        "python -m pytest -m release --release-dist=dist",
        "pytest",
        "uv run --with pytest-xdist pytest -n auto",
        "tox -e py311",
        "nox -s tests",
        "hatch test",
        "hatch run test:cov",
        "make test",
        "release-checks --release-dist=dist",
        "release-checks run -x",
        "coverage run -m pytest",
    ],
)
def test_each_way_of_running_the_tests_counts(tmp_path: Path, command: str) -> None:
    text = edit("          python -m pytest -n 2\n", f"          {command}\n")
    assert findings(tmp_path, text, NEEDS_TESTS) == []


@pytest.mark.parametrize(
    "command",
    [
        "pip install pytest tox",
        "echo pytest",
        "python -m pip install nox",
        "release-checks notes v1.2.3",
        "release-checks info --dist=dist",
    ],
)
def test_installing_a_test_runner_is_not_running_the_tests(tmp_path: Path, command: str) -> None:
    text = edit("          python -m pytest -n 2\n", f"          {command}\n")
    assert where(findings(tmp_path, text, NEEDS_TESTS)) == [(PATH, line_of(text, "needs: [build]"))]


def test_needs_is_followed_through_several_jobs(tmp_path: Path) -> None:
    text = edit("    needs: tests\n", "    needs: [lint]\n")
    text = edit(
        "  build:\n",
        "  lint:\n    needs: tests\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: ruff check\n\n  build:\n",
        text,
    )
    assert findings(tmp_path, text) == []


def test_needs_cycles_do_not_hang(tmp_path: Path) -> None:
    text = edit("    needs: tests\n", "    needs: [publish]\n")
    found = findings(tmp_path, text, NEEDS_TESTS)
    assert where(found) == [(PATH, line_of(text, "needs: [build]"))]


def test_a_local_reusable_test_workflow_counts_as_the_tests(tmp_path: Path) -> None:
    release = edit(
        "  tests:\n    runs-on: ${{ matrix.os }}\n",
        "  tests:\n    uses: ./.github/workflows/tests.yml\n"
        "  unused:\n    runs-on: ${{ matrix.os }}\n",
    )
    tests = "on:\n  workflow_call:\njobs:\n  unit:\n    steps:\n      - run: pytest\n"
    root = make_repo(tmp_path, {"release.yml": release, "tests.yml": tests})
    assert check_workflows(root) == []
    broken = tests.replace("pytest", "ls")
    root = make_repo(tmp_path / "b", {"release.yml": release, "tests.yml": broken})
    assert [f.rule for f in check_workflows(root)] == [NEEDS_TESTS]


@pytest.mark.parametrize(("job", "passes"), [("tests", True), ("docs", False)])
def test_another_repositorys_reusable_workflow_counts_by_its_name(
    tmp_path: Path, job: str, passes: bool
) -> None:
    text = edit(
        "  tests:\n    runs-on: ${{ matrix.os }}\n",
        f"  {job}:\n    uses: example/shared/.github/workflows/python.yml@v1\n"
        "  unused:\n    runs-on: ${{ matrix.os }}\n",
    )
    text = edit("    needs: tests\n", f"    needs: {job}\n", text)
    assert (findings(tmp_path, text, NEEDS_TESTS) == []) is passes


# no-build-in-publish


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("python -m build\ntwine upload dist/*", "(python -m build)"),
        ("uv build && uv publish", "(uv build)"),
        ("flit publish", "(flit publish (it builds before uploading))"),
        ("pdm publish", "(pdm publish (it builds unless given --no-build))"),
        ("poetry publish --build", "(poetry publish --build)"),
        ("python setup.py sdist bdist_wheel\ntwine upload dist/*", "(python setup.py sdist)"),
    ],
)
def test_a_publishing_job_that_builds_is_a_finding_at_the_build(
    tmp_path: Path, script: str, words: str
) -> None:
    text = edit(
        PUBLISH_USES,
        "        run: |\n" + textwrap.indent(script, " " * 10) + "\n",
    )
    found = findings(tmp_path, text, NO_BUILD_IN_PUBLISH)
    first_command = script.splitlines()[0]
    assert where(found) == [(PATH, line_of(text, first_command, -1))]
    assert f"job `publish` builds the dists it uploads {words}" in found[0].message


def test_the_build_and_inspect_action_in_the_publishing_job_is_a_finding(tmp_path: Path) -> None:
    text = edit(
        DOWNLOAD_STEP,
        "      - uses: hynek/build-and-inspect-python-package@v2\n",
    )
    found = findings(tmp_path, text, NO_BUILD_IN_PUBLISH)
    assert where(found) == [(PATH, line_of(text, "hynek/"))]


def test_a_publishing_job_without_an_artifact_is_a_finding(tmp_path: Path) -> None:
    text = edit(
        DOWNLOAD_STEP,
        "",
    )
    found = findings(tmp_path, text, NO_BUILD_IN_PUBLISH)
    assert where(found) == [(PATH, line_of(text, "  publish:"))]
    assert "uploads dists it neither built nor downloaded" in found[0].message


def test_gh_release_download_is_an_artifact_too(tmp_path: Path) -> None:
    text = edit(
        DOWNLOAD_STEP,
        '      - run: gh release download "$GITHUB_REF_NAME" --dir dist\n',
    )
    assert findings(tmp_path, text) == []


# environment


@pytest.mark.parametrize(
    ("environment", "passes"),
    [
        ("    environment: pypi\n", True),
        ("    environment:\n      name: release\n", True),
        ("    environment: ''\n", False),
        ("    environment:\n      url: https://example.invalid\n", False),
        ("", False),
    ],
)
def test_the_publishing_job_runs_in_an_environment(
    tmp_path: Path, environment: str, passes: bool
) -> None:
    text = edit(
        "    environment:\n      name: pypi\n      url: https://example.invalid/p/demo\n",
        environment,
    )
    found = findings(tmp_path, text, ENVIRONMENT)
    assert where(found) == ([] if passes else [(PATH, line_of(text, "  publish:"))])


# release-triggers


@pytest.mark.parametrize(
    "on",
    [
        "on:\n  release:\n    types: [published]\n",
        "on: workflow_dispatch\n",
        "on: [release, workflow_dispatch]\n",
        "on:\n  push:\n    tags-ignore: ['*-dev']\n",
        '"on":\n  push:\n    tags: ["v*"]\n',
    ],
)
def test_tags_releases_and_manual_runs_are_release_triggers(tmp_path: Path, on: str) -> None:
    text = edit('on:\n  push:\n    tags: ["v*"]\n', on)
    assert findings(tmp_path, text) == []


@pytest.mark.parametrize(
    ("on", "anchor", "words"),
    [
        ("on: [push, pull_request]\n", "on: [", "runs on `pull_request`"),
        ("on:\n  pull_request_target:\n", "pull_request_target", "a pull request from any fork"),
        ("on:\n  push:\n    tags: ['v*']\n  pull_request:\n", "pull_request:", "`pull_request`"),
    ],
)
def test_pull_request_triggers_are_findings_even_with_a_guard(
    tmp_path: Path, on: str, anchor: str, words: str
) -> None:
    text = edit('on:\n  push:\n    tags: ["v*"]\n', on)
    text = edit(
        "    needs: [build]\n", "    needs: [build]\n    if: github.ref_type == 'tag'\n", text
    )
    found = findings(tmp_path, text, RELEASE_TRIGGERS)
    assert (PATH, line_of(text, anchor)) in where(found)
    assert any(words in finding.message for finding in found)


@pytest.mark.parametrize(
    ("on", "anchor", "words"),
    [
        ("on: push\n", "on: push", "runs on pushes to branches"),
        ("on:\n  push:\n    branches: [main]\n    tags: ['v*']\n", "push:", "pushes to branches"),
        ("on:\n  schedule:\n    - cron: '0 3 * * *'\n", "schedule:", "runs on `schedule`"),
    ],
)
def test_other_triggers_are_findings_unless_the_job_is_limited_to_tags(
    tmp_path: Path, on: str, anchor: str, words: str
) -> None:
    text = edit('on:\n  push:\n    tags: ["v*"]\n', on)
    found = findings(tmp_path, text, RELEASE_TRIGGERS)
    assert where(found) == [(PATH, line_of(text, anchor))]
    assert words in found[0].message
    assert "restrict `publish` with `if: startsWith(github.ref, 'refs/tags/')`" in found[0].message
    for guard in (
        "    if: startsWith(github.ref, 'refs/tags/')\n",
        "    if: github.event_name == 'release'\n",
    ):
        guarded = edit("    needs: [build]\n", "    needs: [build]\n" + guard, text)
        assert findings(tmp_path / "g", guarded, RELEASE_TRIGGERS) == []
    on_step = edit(PUBLISH_STEP, PUBLISH_STEP + "        if: github.ref_type == 'tag'\n", text)
    assert findings(tmp_path / "s", on_step, RELEASE_TRIGGERS) == []


# not-reusable


def test_publishing_from_a_reusable_workflow_is_a_finding(tmp_path: Path) -> None:
    text = edit('on:\n  push:\n    tags: ["v*"]\n', "on:\n  workflow_call:\n  workflow_dispatch:\n")
    found = findings(tmp_path, text)
    assert [(f.rule, f.line) for f in found] == [(NOT_REUSABLE, line_of(text, "workflow_call"))]
    assert "the workflow is reusable (`on: workflow_call`) and job `publish` publishes" in (
        found[0].message
    )


# full-history


def test_a_shallow_checkout_feeding_the_build_is_a_finding_when_git_sets_the_version(
    tmp_path: Path,
) -> None:
    text = edit("          fetch-depth: 0\n", "")
    found = findings(tmp_path, text, FULL_HISTORY, pyproject=HATCH_VCS)
    assert where(found) == [(PATH, line_of(text, "actions/checkout", 2))]
    assert "job `build` builds (python -m build) from a shallow checkout" in found[0].message
    assert "the default `fetch-depth: 1`" in found[0].message
    assert '([tool.hatch.version] source = "vcs")' in found[0].message
    assert findings(tmp_path / "static", text, FULL_HISTORY) == []  # static version: no finding


def test_a_depth_other_than_zero_is_a_finding_at_its_line(tmp_path: Path) -> None:
    text = edit("          fetch-depth: 0\n", "          fetch-depth: 50\n")
    found = findings(tmp_path, text, FULL_HISTORY, pyproject=HATCH_VCS)
    assert where(found) == [(PATH, line_of(text, "fetch-depth: 50"))]


@pytest.mark.parametrize(
    "depth", ["          fetch-depth: '0'\n", "          fetch-depth: ${{ inputs.depth }}\n"]
)
def test_depth_zero_as_text_or_an_expression_passes(tmp_path: Path, depth: str) -> None:
    text = edit("          fetch-depth: 0\n", depth)
    assert findings(tmp_path, text, FULL_HISTORY, pyproject=HATCH_VCS) == []


def test_checkouts_of_other_repositories_or_after_the_build_do_not_count(tmp_path: Path) -> None:
    text = edit(
        "      - run: python -m build\n",
        "      - uses: actions/checkout@v4\n        with:\n          repository: example/docs\n"
        "      - run: python -m build\n      - uses: actions/checkout@v4\n",
    )
    assert findings(tmp_path, text, FULL_HISTORY, pyproject=HATCH_VCS) == []


def test_jobs_the_publishing_job_does_not_need_are_not_checked(tmp_path: Path) -> None:
    text = edit("  build:\n", "  docs:\n    steps:\n      - uses: actions/checkout@v4\n"
                "      - run: python -m build\n\n  build:\n")  # fmt: skip
    assert findings(tmp_path, text, FULL_HISTORY, pyproject=HATCH_VCS) == []


@pytest.mark.parametrize(
    ("pyproject", "expected"),
    [
        (STATIC_VERSION, None),
        (HATCH_VCS, '[tool.hatch.version] source = "vcs"'),
        (
            (
                '[build-system]\nrequires = ["setuptools>=77", "setuptools-scm>=8"]\n'
                '[project]\nname = "d"\ndynamic = ["version"]\n'
            ),
            "setuptools-scm in build-system.requires",
        ),
        (
            (  # setuptools-scm as a file finder only
                '[build-system]\nrequires = ["setuptools", "setuptools_scm"]\n'
                '[project]\nname = "d"\nversion = "1.0"\n'
            ),
            None,
        ),
        ('[project]\nname = "d"\n[tool.setuptools_scm]\n', "[tool.setuptools_scm] in pyproject"),
        ('[tool.pdm.version]\nsource = "scm"\n', '[tool.pdm.version] source = "scm"'),
        (
            '[build-system]\nrequires = ["poetry-core", "Poetry-Dynamic-Versioning>=1"]\n',
            "poetry-dynamic-versioning in build-system.requires",
        ),
        (
            '[build-system]\nrequires = ["versioningit ~= 3.0", "not a requirement!"]\n',
            "versioningit",
        ),
        ("[broken", None),
    ],
)
def test_version_from_vcs(tmp_path: Path, pyproject: str, expected: str | None) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    found = version_from_vcs(tmp_path)
    assert found == expected if expected is None else expected in (found or "")


# Where the workflows are


def test_in_a_monorepo_the_workflows_are_those_at_the_repository_root(tmp_path: Path) -> None:
    top = make_repo(tmp_path / "repo", {"release.yml": GOOD})
    package = make_repo(top / "packages" / "demo", {"ignored.yml": "not: [valid"}, HATCH_VCS)
    subprocess.run(["git", "init", "-q", str(top)], check=True, capture_output=True)
    assert [workflow.path for workflow in load_workflows(package)] == [PATH]
    text = edit("          fetch-depth: 0\n", "")
    (top / PATH).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    found = check_workflows(package)  # the package's pyproject.toml says the version is git's
    assert [(f.rule, f.file) for f in found] == [(FULL_HISTORY, PATH)]


# Shell commands


@pytest.mark.parametrize(
    ("script", "publish", "build", "test"),
    [
        ("python -m twine upload dist/*", "twine upload", None, None),
        ("twine --verbose upload dist/*", "twine upload", None, None),
        ("uv run --with twine twine upload dist/*", "twine upload", None, None),
        ("/opt/py/bin/python3.12 -I -m build --sdist", None, "python -m build", None),
        ("uvx --from build pyproject-build", None, "python -m build", None),
        ("pipx run build", None, "python -m build", None),
        ("hatch build -t wheel", None, "hatch build", None),
        ("cibuildwheel --output-dir wheelhouse", None, "cibuildwheel", None),
        ("pip wheel --no-deps -w dist .", None, "pip wheel", None),
        ("pdm publish", "pdm publish", "pdm publish (it builds unless given --no-build)", None),
        ("FOO=1 env BAR=2 pytest -x", None, None, "pytest"),
        ("python -mpytest", None, None, "pytest"),
        ("xvfb-run -a python -m pytest", None, None, "pytest"),
        ("pdm run test", None, None, "test"),
        ("python -m unittest discover", None, None, "unittest"),
        ("just check", None, None, "just check"),
        ("pip install build twine pytest", None, None, None),
        ('echo "unclosed', None, None, None),
    ],
)
def test_commands_are_recognised_by_the_tool_they_run(
    script: str, publish: str | None, build: str | None, test: str | None
) -> None:
    (command,) = ci_commands.commands(script)
    assert ci_commands.publish_command(command) == publish
    assert ci_commands.build_command(command) == build
    assert ci_commands.test_command(command) == test


def test_scripts_are_cut_into_commands_with_their_lines() -> None:
    script = "set -e  # strict\n\npython -m build && \\\n  twine upload dist/* ; ls | wc -l\n"
    found = [(command.offset, command.words[0]) for command in ci_commands.commands(script)]
    assert found == [(0, "set"), (2, "build"), (2, "twine"), (2, "ls"), (2, "wc")]
    assert ci_commands.commands("python -c 'import build'\n# pytest\n") == []


def test_a_workflow_wide_problem_is_one_finding_naming_every_publishing_job(
    tmp_path: Path,
) -> None:
    publish = GOOD[GOOD.index("  publish:\n") :]
    text = GOOD + "\n" + publish.replace("  publish:\n", "  publish-test:\n")
    text = edit('on:\n  push:\n    tags: ["v*"]\n', "on: [push, pull_request]\n", text)
    text = edit(
        "permissions: {}\n", "permissions: {}\nenv:\n  TWINE_PASSWORD: ${{ secrets.T }}\n", text
    )
    found = findings(tmp_path, text)
    assert [(f.rule, f.line) for f in found] == [
        (TRUSTED_PUBLISHING, line_of(text, "TWINE_PASSWORD")),
        (RELEASE_TRIGGERS, line_of(text, "on: [")),
        (RELEASE_TRIGGERS, line_of(text, "on: [")),
    ]
    assert (
        "jobs `publish`, `publish-test` get the secret `T` as `TWINE_PASSWORD`" in found[0].message
    )
    assert "and jobs `publish`, `publish-test` publish on every such run" in found[1].message
    assert "`pull_request` and jobs `publish`, `publish-test` publish from it" in found[2].message
