"""The release report as users see it: terminal section, progress, GitHub Actions, JSON file.

One fixture project with three kinds of result: a changelog section left empty (a failure
with a location), a committed token (a failure whose message must mask it), and a waived gate.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from tests.factory import FixtureProject, make_project
from tests.scenarios import INNER_RUN_TIMEOUT
from tests.test_credentials import github

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "release_checks" / "report.schema.json").read_text("utf-8")
)
TOKEN = github(seed="report")
CHANGELOG = (
    "# Changelog\n\n## [1.2.3] - 2026-11-21\n\n## [0.1.0] - 2026-01-01\n\n- First release.\n"
)
WAIVER = "stubs come later | see #12"
USER_TESTS = '''
    import pytest

    @pytest.mark.release
    def test_user_gate(release_wheel):
        """The wheel is a wheel."""
        assert release_wheel.suffix == ".whl"

    def test_ordinary():
        assert True
'''
MARKEXPR = ("-m", "release and not network")
RANK = {"FAILED": 0, "ERROR": 0, "WAIVED": 1, "SKIPPED": 1, "PASSED": 2}


@pytest.fixture
def project(project_root: Path) -> FixtureProject:
    made = make_project(project_root, changelog=CHANGELOG, tag=None)
    made.write("src/demo/client.py", f'"""API client."""\n\nTOKEN = "{TOKEN}"\n')
    made.write("tests/test_user.py", USER_TESTS)
    made.append("pyproject.toml", f'[tool.release-checks.waive]\npy-typed-shipped = "{WAIVER}"\n')
    made.commit("Release 1.2.3")
    made.tag("v1.2.3")
    return made


def section(output: str) -> list[str]:
    """The lines of the "release gates" section of a pytest run's output."""
    after = re.split(r"^=+ release gates =+$", output, flags=re.MULTILINE)[1]
    return re.split(r"^=+ ", after, flags=re.MULTILINE)[0].strip().splitlines()


def check_section(lines: list[str]) -> None:
    """Header first, then every gate worst first, the changelog's location on its row."""
    assert lines[0] == (
        "release-checks: demo 1.2.3 · tag v1.2.3 (at HEAD) · dists demo-1.2.3.tar.gz, "
        "demo-1.2.3-py3-none-any.whl — built in isolation (sdist, then the wheel from the "
        "sdist) into a temporary directory"
    )
    rows = [line for line in lines if line.split(" ")[0] in RANK]
    ranks = [RANK[row.split(" ")[0]] for row in rows]
    assert ranks == sorted(ranks), "\n".join(rows)
    assert rows[0].startswith(
        "FAILED pyproject.toml::test_changelog_has_entry - CHANGELOG.md:3: section "
        "`[1.2.3] - 2026-11-21` at CHANGELOG.md line 3 is empty"
    )
    assert rows[1].startswith("FAILED pyproject.toml::test_no_secrets_shipped[sdist] - ")
    assert rows[3] == (
        f"WAIVED pyproject.toml::test_py_typed_shipped[sdist] - waived in pyproject.toml: {WAIVER}"
    )
    assert "PASSED tests/test_user.py::test_user_gate - The wheel is a wheel." in rows
    assert "PASSED pyproject.toml::test_dists_build - The sdist and wheel build" in "\n".join(rows)
    assert not any("test_ordinary" in line for line in lines)
    (tally,) = [line for line in lines if line.startswith("release gates: ")]
    assert re.fullmatch(
        r"release gates: 3 failed, 2 waived, \d+ skipped, \d+ passed — not ready to publish", tally
    )


def check_json(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    gates = {gate["nodeid"]: gate for gate in data["gates"]}
    first = data["gates"][0]
    assert first["nodeid"] == "pyproject.toml::test_changelog_has_entry"
    assert first["outcome"] == "failed"
    assert first["location"] == {"file": "CHANGELOG.md", "line": 3}
    assert first["summary"] == "The changelog has a section for this version, with real content."
    waived = gates["pyproject.toml::test_py_typed_shipped[wheel]"]
    assert (waived["outcome"], waived["waived"]) == ("waived", WAIVER)
    assert gates["tests/test_user.py::test_user_gate"]["outcome"] == "passed"
    assert "tests/test_user.py::test_ordinary" not in gates
    assert (data["outcome"], data["counts"]["failed"], data["counts"]["waived"]) == ("failed", 3, 2)
    assert data["counts"]["passed"] == sum(g["outcome"] == "passed" for g in data["gates"])
    assert data["tag"] == {"name": "v1.2.3", "source": "at HEAD", "planned": False}
    assert data["files"] == ["demo-1.2.3.tar.gz", "demo-1.2.3-py3-none-any.whl"]


def test_report_in_github_actions(
    pytester: pytest.Pytester, project: FixtureProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = pytester.path / "step-summary.md"
    summary.write_text("## An earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project.root))
    report = pytester.path / "report.json"
    junit = pytester.path / "junit.xml"

    result = pytester.runpytest_subprocess(
        *MARKEXPR, f"--release-report={report}", f"--junit-xml={junit}", timeout=INNER_RUN_TIMEOUT
    )

    output = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, output
    check_section(section(output))
    result.stdout.fnmatch_lines(
        [
            "release-checks: building the sdist, * ... done in * s",
            "release-checks: creating a fresh virtualenv with demo-1.2.3-py3-none-any.whl ...",
            "release-checks: creating a fresh virtualenv with * ... done in * s",
        ]
    )
    annotations = [line for line in output.splitlines() if line.startswith("::error")]
    assert annotations[0] == (
        "::error file=CHANGELOG.md,line=3,title=release gate "
        "pyproject.toml%3A%3Atest_changelog_has_entry::section `[1.2.3] - 2026-11-21` at "
        "CHANGELOG.md line 3 is empty; write what changed in 1.2.3 under it"
    )
    assert annotations[1].startswith(
        "::error title=release gate pyproject.toml%3A%3Atest_no_secrets_shipped[sdist]::"
        "demo-1.2.3.tar.gz ships credentials"
    )
    assert len(annotations) == 3
    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("## An earlier step\n### ❌ Release gates: demo 1.2.3 — 3 failed")
    assert "| Outcome | Gate | Reason |" in markdown
    assert (
        "| ❌ failed | `pyproject.toml::test_changelog_has_entry` | CHANGELOG.md:3: section "
        "`[1.2.3] - 2026-11-21` at CHANGELOG.md line 3 is empty; write what changed in 1.2.3 "
        "under it |"
    ) in markdown
    assert r"| waived in pyproject.toml: stubs come later \| see #12 |" in markdown
    check_json(report)
    # The token is masked everywhere; the report's tags stay out of JUnit XML.
    for text in (output, markdown, report.read_text(encoding="utf-8")):
        assert TOKEN not in text
        assert TOKEN[4:-2] not in text
    assert "<property" not in junit.read_text(encoding="utf-8")


def test_report_under_xdist(pytester: pytest.Pytester, project: FixtureProject) -> None:
    report = pytester.path / "report.json"

    result = pytester.runpytest_subprocess(
        *MARKEXPR, "-n", "2", f"--release-report={report}", timeout=INNER_RUN_TIMEOUT
    )

    output = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED, output
    result.stdout.fnmatch_lines(
        [
            "release-checks: building the sdist, * ... done in * s",
            "release-checks: creating a fresh virtualenv with * ... done in * s",
        ]
    )
    check_section(section(output))
    assert "::error" not in output  # not in GitHub Actions
    check_json(report)  # locations and waivers cross from the workers


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [*MARKEXPR, "--release-report=missing/report.json"],
            (
                "ERROR: --release-report missing/report.json: directory */missing does not exist; "
                "create it first"
            ),
        ),
        ([*MARKEXPR, "--release-report=."], "ERROR: --release-report .: is a directory*"),
        (
            ["--release-report=report.json"],
            "ERROR: --release-report needs a run that selects release gates (`pytest -m release`)",
        ),
    ],
    ids=["missing-directory", "directory", "no-gates"],
)
def test_report_path_problems_are_usage_errors(
    pytester: pytest.Pytester, project_root: Path, args: list[str], message: str
) -> None:
    make_project(project_root)

    result = pytester.runpytest_subprocess(*args, timeout=INNER_RUN_TIMEOUT)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
