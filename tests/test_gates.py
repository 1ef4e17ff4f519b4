"""Golden end-to-end tests: each scenario is a real project, run through `pytest -m release`.

A scenario is a factory project (backend, edits, git operations) plus command-line arguments,
and the outcome it should give per gate with the key words of its message. Gates a scenario
does not list must pass. The plugin runs as users run it, in a pytest subprocess, and its
JUnit XML report is compared with the expectation.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
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
    12-character hashes of HEAD and of the commit `tag` names.
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
    gates: tuple[str, ...] = GATES
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


PREVIOUS_RELEASE = "## [1.2.2] - 2026-01-01\n\n- First release."
RST_README = "Demo\n====\n\nA small project.\n\nSee foo_ for details.\n"  # error at line 6
WRONG_LICENSE = replace("pyproject.toml", "\nreadme = ", '\nlicense = "MIT License"\nreadme = ')


# Scenarios

SCENARIOS = [
    # Healthy projects, one per backend family: every gate passes.
    Scenario(id="healthy-hatchling"),
    Scenario(id="healthy-setuptools-scm", backend="setuptools-scm"),
    Scenario(id="healthy-flit", backend="flit"),
    Scenario(id="healthy-flit-xdist", backend="flit", args=("-n", "2")),
    # Tags and versions.
    Scenario(
        id="scm-commits-after-last-tag",
        backend="setuptools-scm",
        tag="v1.2.2",
        after_tag=(commit(),),
        expect={
            "test_tag_is_pep440": skipped(
                "there is no release tag at HEAD, and the build's version 1.2.3.dev1+g",
                "has a local part the index rejects",
                "a `.devN+g<hash>` version means the build ran on a commit without a release tag",
                "for example `git tag -a v1.2.3`",
            ),
            "test_head_carries_tag": skipped("is not one to tag — see test_tag_is_pep440"),
        },
    ),
    Scenario(
        id="scm-commits-after-last-tag-strict",
        backend="setuptools-scm",
        tag="v1.2.2",
        after_tag=(commit(),),
        args=("--release-strict",),
        expect={
            "test_tag_is_pep440": failed(
                "has a local part the index rejects", "git tag -a v1.2.3`"
            ),
            "test_head_carries_tag": failed(
                "is not one to tag — see test_tag_is_pep440",
                "failing instead of skipping: --release-strict",
                absent=("git tag -a v1.2.3.dev1+g",),
            ),
        },
    ),
    Scenario(
        id="hatchling-not-tagged-yet",
        tag=None,
        expect={
            "test_head_carries_tag": skipped("tag v1.2.3 does not exist yet", "git tag -a v1.2.3")
        },
    ),
    Scenario(
        id="semver-prerelease-tag",
        version="1.0.0b1",
        tag="v1.0.0-beta.1",
        expect={
            "test_tag_is_pep440": failed(
                "tag `v1.0.0-beta.1` is not in canonical PEP 440 form", "tag `v1.0.0b1` instead"
            )
        },
    ),
    Scenario(
        id="release-tag-behind-head",
        after_tag=(commit(),),
        args=("--release-tag", "v1.2.3"),
        expect={
            "test_head_carries_tag": failed(
                "tag v1.2.3 (--release-tag) points at commit {tagged}", "HEAD is {head}"
            )
        },
    ),
    Scenario(
        id="released-version-not-bumped",
        after_tag=(commit(),),
        expect={
            "test_head_carries_tag": failed(
                "version 1.2.3 was already tagged: v1.2.3 is commit {tagged}",
                "HEAD is {head}",
                "Bump the version",
            ),
        },
    ),
    Scenario(
        id="release-tag-option-typo",
        args=("--release-tag", "v9.9.9"),
        expect={
            "test_head_carries_tag": failed(
                "tag v9.9.9 (--release-tag) does not exist in this clone", "git fetch --tags"
            ),
            "test_versions_agree": failed("the release version is 9.9.9"),
            "test_wheel_works_in_fresh_venv": failed(
                "is 1.2.3, not the release version 9.9.9 — see test_versions_agree"
            ),
            "test_changelog_has_entry": failed("CHANGELOG.md has no section for 9.9.9"),
        },
    ),
    Scenario(
        id="scm-tagged-but-dirty-tree",
        backend="setuptools-scm",
        after_tag=(append("src/demo/cli.py", "# an uncommitted change\n"),),
        expect={
            "test_versions_agree": failed(
                "the release version is 1.2.3 (from tag v1.2.3, at HEAD)",
                "(PKG-INFO Version): 1.2.4.dev0+g",
                "the `.dYYYYMMDD` local part means the build saw uncommitted changes",
            ),
            "test_wheel_works_in_fresh_venv": failed("not the release version 1.2.3"),
        },
    ),
    Scenario(
        id="static-version-not-bumped-to-tag",
        version="1.2.4",
        expect={
            "test_versions_agree": failed(
                "the release version is 1.2.3 (from tag v1.2.3, at HEAD)",
                "demo-1.2.4.tar.gz (PKG-INFO Version): 1.2.4",
                "demo-1.2.4-py3-none-any.whl (METADATA Version): 1.2.4",
                "set statically at pyproject.toml line 7 (1.2.4)",
            ),
            "test_wheel_works_in_fresh_venv": failed(
                "importlib.metadata.version('demo') is 1.2.4, not the release version 1.2.3",
                absent=("a hard-coded __version__ was left behind",),
            ),
            "test_changelog_has_entry": failed("CHANGELOG.md has no section for 1.2.3"),
        },
    ),
    # The wheel in a fresh virtualenv.
    Scenario(
        id="undeclared-dependency",
        edits=(
            write(
                "src/demo/__init__.py",
                '"""demo: a test project."""\n\nimport tomli_w\n\n__version__ = "1.2.3"\n',
            ),
        ),
        expect={
            "test_wheel_works_in_fresh_venv": failed(
                "`import demo` failed at demo/__init__.py:3: "
                "ModuleNotFoundError: No module named 'tomli_w'",
                "`tomli_w` is not installed with the wheel",
                "declare it in [project] dependencies",
            )
        },
    ),
    Scenario(
        id="package-prints-on-import",
        edits=(
            write(
                "src/demo/__init__.py",
                '"""demo."""\n\nprint("loading demo")\n\n__version__ = "1.2.3"\n',
            ),
        ),
    ),
    Scenario(
        id="stale-dunder-version",
        edits=(replace("src/demo/__init__.py", '"1.2.3"', '"1.2.2"'),),
        expect={
            "test_wheel_works_in_fresh_venv": failed(
                "demo.__version__ is '1.2.2', but the installed metadata says 1.2.3",
                "hard-coded __version__",
            )
        },
    ),
    Scenario(
        id="console-script-names-missing-function",
        edits=(replace("pyproject.toml", '"demo.cli:main"', '"demo.cli:run"'),),
        expect={
            "test_wheel_works_in_fresh_venv": failed(
                "entry point `demo = demo.cli:run` (console_scripts) failed", "AttributeError"
            )
        },
    ),
    Scenario(
        id="wheel-ships-no-package",
        edits=(
            append(
                "pyproject.toml", '[tool.hatch.build.targets.wheel]\npackages = ["src/missing"]'
            ),
        ),
        expect={
            "test_wheel_works_in_fresh_venv": failed(
                "demo-1.2.3-py3-none-any.whl installs no importable package or module"
            )
        },
    ),
    # Metadata as the index judges it.
    Scenario(
        id="rst-readme-does-not-render",
        edits=(
            write("README.rst", RST_README),
            replace("pyproject.toml", 'readme = "README.md"', 'readme = "README.rst"'),
        ),
        expect={
            METADATA_SDIST: failed(
                "demo-1.2.3.tar.gz: the long description does not render as reStructuredText",
                "README line 6: Error: Unknown target name",
            ),
            METADATA_WHEEL: failed(
                "demo-1.2.3-py3-none-any.whl: the long description does not render",
                "README line 6: Error: Unknown target name",
            ),
        },
    ),
    Scenario(
        id="no-readme",
        edits=(replace("pyproject.toml", 'readme = "README.md"\n', ""),),
        expect={
            artifact: failed(
                "`Description-Content-Type` is missing",
                "the long description is missing",
                'readme = "README.md"',
            )
            for artifact in (METADATA_SDIST, METADATA_WHEEL)
        },
    ),
    # The changelog.
    Scenario(
        id="changelog-unreleased-not-renamed",
        changelog=changelog("## [Unreleased]\n\n- The `demo` command.", PREVIOUS_RELEASE),
        expect={
            "test_changelog_has_entry": failed(
                "CHANGELOG.md has no section for 1.2.3",
                "`[1.2.2] - 2026-01-01` (line 7)",
                "Rename `[Unreleased]` (line 3) to 1.2.3",
            )
        },
    ),
    Scenario(
        id="changelog-no-section",
        changelog=changelog(PREVIOUS_RELEASE),
        expect={
            "test_changelog_has_entry": failed(
                "CHANGELOG.md has no section for 1.2.3",
                "version headings found: `[1.2.2] - 2026-01-01` (line 3)",
                "Add a section such as `1.2.3 - YYYY-MM-DD`",
            )
        },
    ),
    Scenario(
        id="changelog-empty-section",
        changelog=changelog("## [1.2.3] - 2026-11-21\n\n### Added", PREVIOUS_RELEASE),
        expect={
            "test_changelog_has_entry": failed(
                "section `[1.2.3] - 2026-11-21` at CHANGELOG.md line 3 is empty"
            )
        },
    ),
    Scenario(
        id="changelog-placeholder",
        changelog=changelog("## [1.2.3] - 2026-11-21\n\nTBD", PREVIOUS_RELEASE),
        expect={"test_changelog_has_entry": failed("holds only a placeholder ('TBD')")},
    ),
    Scenario(
        id="no-changelog",
        edits=(remove("CHANGELOG.md"),),
        expect={
            "test_changelog_has_entry": failed(
                "no changelog found: looked for CHANGELOG/CHANGES/HISTORY/NEWS",
                "in the project root and docs/",
                "[tool.release-checks.waive]",
            )
        },
    ),
    Scenario(
        id="no-changelog-waived",
        edits=(
            remove("CHANGELOG.md"),
            append(
                "pyproject.toml",
                '[tool.release-checks.waive]\nchangelog-has-entry = "notes live on GitHub"',
            ),
        ),
        expect={
            "test_changelog_has_entry": skipped("waived in pyproject.toml: notes live on GitHub")
        },
    ),
    # The build.
    Scenario(
        id="build-fails-invalid-license",
        edits=(WRONG_LICENSE,),
        expect={
            "test_dists_build": failed(
                "the build backend failed to build the sdist",
                "Invalid license expression: 'MIT License'",
                "python -m build --sdist",
            ),
            **SKIPPED_FOR_BUILD,
        },
    ),
    Scenario(
        id="build-backend-typo",
        edits=(replace("pyproject.toml", '"hatchling.build"', '"hatchling.buildd"'),),
        expect={
            "test_dists_build": failed(
                "the build backend `hatchling.buildd` (pyproject.toml `[build-system] "
                "build-backend`) cannot be imported",
                "No module named 'hatchling.buildd'",
            ),
            **SKIPPED_FOR_BUILD,
        },
    ),
    Scenario(
        id="untagged-scm-build-fails",
        backend="setuptools-scm",
        tag=None,
        edits=(WRONG_LICENSE,),
        expect={
            "test_dists_build": failed(
                "the build backend failed to build the sdist", "`project.license`"
            ),
            "test_tag_is_pep440": skipped("see test_dists_build"),
            "test_head_carries_tag": skipped("see test_dists_build"),
            "test_changelog_has_entry": skipped("see test_dists_build"),
            **SKIPPED_FOR_BUILD,
        },
    ),
    # Prebuilt dists (--release-dist).
    Scenario(
        id="prebuilt-dists",
        prebuilt="built",
        # `=`: given as two words, pytest takes an absolute DIR outside the project for a
        # path argument and moves the rootdir up to a common ancestor of both.
        args=("--release-dist={prebuilt}",),
        gates=(
            "test_dists_build",
            "test_tag_is_pep440",
            "test_head_carries_tag",
            "test_versions_agree",
            "test_wheel_works_in_fresh_venv",
            "test_metadata_passes_twine_check[demo-1.2.3-py3-none-any.whl]",
            "test_metadata_passes_twine_check[demo-1.2.3.tar.gz]",
            "test_changelog_has_entry",
        ),
    ),
    Scenario(
        id="prebuilt-dir-empty",
        prebuilt="empty",
        args=("--release-dist={prebuilt}",),
        expect={
            "test_dists_build": failed("--release-dist", "it holds no .tar.gz or .whl file"),
            **SKIPPED_FOR_BUILD,
        },
    ),
]


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


def test_every_gate_fails_with_its_message_somewhere() -> None:
    checked = {
        gate
        for scenario in SCENARIOS
        for gate, expected in scenario.expect.items()
        if expected.outcome == "failed" and expected.text and expected.bug is None
    }
    assert set(GATES) <= checked


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
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
        "release",
        f"--junit-xml={report_path}",
        *(fill(arg, facts) for arg in scenario.args),
        timeout=INNER_RUN_TIMEOUT,
    )

    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output, output
    reports = read_junit(report_path)
    details = describe(reports) + "\n--- stdout:\n" + result.stdout.str()
    assert sorted(reports) == sorted(scenario.gates), details
    known_bugs: list[str] = []
    fixed_bugs: list[str] = []
    for gate, report in reports.items():
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
    exit_code = pytest.ExitCode.TESTS_FAILED if any_failed else pytest.ExitCode.OK
    assert result.ret == exit_code, f"exit code {result.ret}\n{details}"
    assert tree_state(project) == tree_before
    assert not fixed_bugs, f"fixed, remove the bug= mark: {fixed_bugs}"
    if known_bugs:
        pytest.xfail("known plugin bug: " + " | ".join(known_bugs))
