"""Golden end-to-end scenarios: a real project, run through `pytest -m release`.

A scenario is a factory project (backend, edits, git operations) plus command-line arguments,
and the outcome it should give per gate with the key words of its message. Of the gates a
scenario checks (`gates`; None means every gate collected), those it does not list must pass
(with None, a gate may also skip: some apply only to prebuilt dists, for example).
The plugin runs as users run it, in a pytest subprocess, and its JUnit XML report is compared
with the expectation. Test modules hold the scenario tables and call `run_scenario`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from tests.factory import Backend, FixtureProject, make_project

Outcome = Literal["passed", "failed", "skipped", "error"]
Edit = Callable[[FixtureProject], object]

INNER_RUN_TIMEOUT = 600
BUILD_TIMEOUT = 300

GATES = (
    "test_dists_build",
    "test_tag_is_pep440",
    "test_head_carries_tag",
    "test_versions_agree",
    "test_wheel_works_in_fresh_venv",
    "test_metadata_passes_twine_check[sdist]",
    "test_metadata_passes_twine_check[wheel]",
    "test_changelog_has_entry",
)
METADATA_SDIST = "test_metadata_passes_twine_check[sdist]"
METADATA_WHEEL = "test_metadata_passes_twine_check[wheel]"
# The gates that need the dists, and so are skipped when they are not there.
NEED_DISTS = (
    "test_versions_agree",
    "test_wheel_works_in_fresh_venv",
    METADATA_SDIST,
    METADATA_WHEEL,
)

# A pytest-formatted traceback (`>` source line, `E` error lines, `file.py:N: in f` entries),
# or a Python traceback through the plugin's own code. A gate fails with `pytrace=False`, so
# neither belongs in a report; a build backend's traceback quoted in a message is fine.
_TRACEBACK = re.compile(
    r"^(?:E {3}|> {3}|\S+\.py:\d+: in \w+)|File \"[^\"]*release_checks[/\\]\w+\.py\", line",
    re.MULTILINE,
)
_KINDS: dict[str, Outcome] = {"failure": "failed", "error": "error", "skipped": "skipped"}


# Expectations


@dataclass(frozen=True, kw_only=True)
class Expect:
    """One gate's outcome, text its report must contain, and text it must not.

    `bug` marks an expectation the plugin does not meet yet: while it is unmet the scenario
    is an xfail with that reason (every other expectation still holds), and once it is met
    the scenario fails until the mark is removed, like a strict xfail.
    """

    outcome: Outcome
    text: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    bug: str | None = None


def failed(*text: str, absent: tuple[str, ...] = (), bug: str | None = None) -> Expect:
    return Expect(outcome="failed", text=text, absent=absent, bug=bug)


def skipped(*text: str, bug: str | None = None) -> Expect:
    return Expect(outcome="skipped", text=text, bug=bug)


PASSED = Expect(outcome="passed")
# Every gate that needs the dists, skipped with a pointer to the gate that reports the build.
SKIPPED_FOR_BUILD = {gate: skipped("see test_dists_build") for gate in NEED_DISTS}


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A project, how the release is checked, and what each gate should say.

    The template is edited, the edits committed, the result tagged with `tag`, then the
    `after_tag` steps run (more commits, for example). In `args` and in expected text,
    ``{prebuilt}`` is the directory of `prebuilt` dists, ``{head}`` and ``{tagged}`` the
    12-character hashes of HEAD and of the commit `tag` names. Scenarios run offline
    (`markexpr` deselects the gates that query an index) unless they say otherwise.
    """

    id: str
    backend: Backend = "hatchling"
    version: str = "1.2.3"
    changelog: str | None = None
    edits: tuple[Edit, ...] = ()
    tag: str | None = "v1.2.3"
    after_tag: tuple[Edit, ...] = ()
    prebuilt: Literal["built", "empty"] | None = None
    args: tuple[str, ...] = ()
    markexpr: str = "release and not network"
    gates: tuple[str, ...] | None = GATES
    expect: Mapping[str, Expect] = field(default_factory=dict)


# Edits


def write(relative: str, text: str) -> Edit:
    return lambda project: project.write(relative, text)


def replace(relative: str, old: str, new: str) -> Edit:
    def edit(project: FixtureProject) -> None:
        path = project.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{relative} has no {old!r} to replace"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def append(relative: str, text: str) -> Edit:
    def edit(project: FixtureProject) -> None:
        with (project.root / relative).open("a", encoding="utf-8") as file:
            file.write("\n" + textwrap.dedent(text).lstrip("\n"))

    return edit


def remove(relative: str) -> Edit:
    return lambda project: (project.root / relative).unlink()


def commit(message: str = "Fix a bug after the release") -> Edit:
    return lambda project: project.commit(message)


def changelog(*sections: str) -> str:
    """A Keep a Changelog file with the given sections (heading line, then body lines)."""
    return "# Changelog\n\n" + "\n".join(textwrap.dedent(s).strip() + "\n" for s in sections)


# Scenarios

# Running the plugin and reading its report


@dataclass(frozen=True)
class GateReport:
    outcome: Outcome
    text: str


def read_junit(path: Path) -> dict[str, GateReport]:
    """Each gate's outcome and report text (message and body) from a JUnit XML file."""
    reports = {}
    for case in ET.parse(path).getroot().iter("testcase"):  # noqa: S314 - our own file
        assert case.get("classname") == "pyproject.toml", ET.tostring(case, encoding="unicode")
        found = [(_KINDS[child.tag], child) for child in case if child.tag in _KINDS]
        kinds = [kind for kind, _ in found]
        outcome: Outcome = "error" if "error" in kinds else kinds[0] if kinds else "passed"
        text = "\n".join(f"{child.get('message', '')}\n{child.text or ''}" for _, child in found)
        reports[case.get("name", "")] = GateReport(outcome, text)
    return reports


def build_dists_into(project: FixtureProject, out_dir: Path) -> None:
    """Build the project as a release workflow would, into a directory outside it."""
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out_dir), str(project.root)],
        check=True,
        capture_output=True,
        timeout=BUILD_TIMEOUT,
    )


def git_facts(project: FixtureProject, tag: str | None) -> dict[str, str]:
    facts = {"head": project.git("rev-parse", "HEAD").strip()[:12]}
    if tag is not None:
        facts["tagged"] = project.git("rev-parse", f"{tag}^{{commit}}").strip()[:12]
    return facts


def fill(text: str, facts: Mapping[str, str]) -> str:
    for key, value in facts.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def tree_state(project: FixtureProject) -> list[str]:
    """Untracked and ignored files too: a build's leftovers (`*.egg-info/`) are often ignored.

    The inner run's own `.pytest_cache/` is pytest's, not the plugin's, and is left out.
    """
    status = project.git("status", "--porcelain", "--ignored", "--untracked-files=all")
    return [line for line in status.splitlines() if not line[3:].startswith(".pytest_cache/")]


def describe(reports: Mapping[str, GateReport]) -> str:
    """Every gate's outcome and text, for a readable assertion message."""
    return "\n".join(
        f"--- {name}: {report.outcome}\n{textwrap.indent(report.text.strip(), '    ')}"
        for name, report in reports.items()
    )


def mismatches(expected: Expect, report: GateReport, facts: Mapping[str, str]) -> list[str]:
    """How a gate's report differs from its expectation; empty when it meets it."""
    found = [] if report.outcome == expected.outcome else [f"outcome {report.outcome}"]
    found += [f"{t!r} missing" for t in expected.text if fill(t, facts) not in report.text]
    found += [f"{t!r} present" for t in expected.absent if fill(t, facts) in report.text]
    return found


def run_scenario(  # noqa: C901, PLR0912 - one readable checklist of what a run must show
    scenario: Scenario, pytester: pytest.Pytester, project_root: Path
) -> None:
    """Build the scenario's project, run the gates on it, and compare with the expectation.

    `project_root` (tests/conftest.py) is a directory inside pytester's, so the report and
    prebuilt dists written beside it stay out of the project's `git status`; the autouse
    `_no_ci_environment` fixture removes the CI variables the plugin reads.
    """
    project = make_project(
        project_root,
        scenario.backend,
        version=scenario.version,
        tag=None,
        changelog=scenario.changelog,
    )
    for edit in scenario.edits:
        edit(project)
    if scenario.edits:
        project.commit("Edit the template")
    if scenario.tag is not None:
        project.tag(scenario.tag)
    for step in scenario.after_tag:
        step(project)
    facts = git_facts(project, scenario.tag)
    prebuilt = pytester.path / "prebuilt"
    prebuilt.mkdir()
    if scenario.prebuilt == "built":
        build_dists_into(project, prebuilt)
    facts["prebuilt"] = str(prebuilt)
    report_path = pytester.path / "report.xml"
    tree_before = tree_state(project)

    result = pytester.runpytest_subprocess(
        "-m",
        scenario.markexpr,
        f"--junit-xml={report_path}",
        *(fill(arg, facts) for arg in scenario.args),
        timeout=INNER_RUN_TIMEOUT,
    )

    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output, output
    reports = read_junit(report_path)
    details = describe(reports) + "\n--- stdout:\n" + result.stdout.str()
    checked = set(reports) if scenario.gates is None else set(scenario.gates)
    assert checked <= set(reports), details
    known_bugs: list[str] = []
    fixed_bugs: list[str] = []
    for gate, report in reports.items():
        assert report.outcome != "error", f"{gate}: error\n{details}"
        if gate not in checked:
            continue
        if scenario.gates is None and gate not in scenario.expect and report.outcome == "skipped":
            continue  # checking every gate means none may fail; some apply only elsewhere
        expected = scenario.expect.get(gate, PASSED)
        unmet = mismatches(expected, report, facts)
        if expected.bug is None:
            assert not unmet, f"{gate}: {'; '.join(unmet)}\n{details}"
        else:
            (known_bugs if unmet else fixed_bugs).append(f"{gate}: {expected.bug}")
        if report.outcome == "failed":
            assert not _TRACEBACK.search(report.text), f"{gate}: traceback\n{details}"
    assert not _TRACEBACK.search(result.stdout.str()), details
    any_failed = any(report.outcome == "failed" for report in reports.values())
    if scenario.gates is not None and any_failed != any(
        reports[gate].outcome == "failed" for gate in checked
    ):
        return  # another issue's gate failed too; this scenario's gates were checked above
    exit_code = pytest.ExitCode.TESTS_FAILED if any_failed else pytest.ExitCode.OK
    assert result.ret == exit_code, f"exit code {result.ret}\n{details}"
    assert tree_state(project) == tree_before
    assert not fixed_bugs, f"fixed, remove the bug= mark: {fixed_bugs}"
    if known_bugs:
        pytest.xfail("known plugin bug: " + " | ".join(known_bugs))


def gates_shown_failing(scenarios: Iterable[Scenario]) -> set[str]:
    """The gate ids some scenario expects to fail, with the message it must give."""
    return {
        gate
        for scenario in scenarios
        for gate, expected in scenario.expect.items()
        if expected.outcome == "failed" and expected.text and expected.bug is None
    }
