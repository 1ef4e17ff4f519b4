"""The release report's rendering: order, terminal rows, Markdown, annotations, JSON."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from release_checks.context import TagChoice
from release_checks.gatekit import GateFailure, fail
from release_checks.report import (
    SCHEMA,
    GateResult,
    Location,
    PackageRelease,
    ReleaseReport,
    annotation_lines,
    first_line,
    markdown_summary,
    terminal_rows,
)

SCHEMA_FILE = Path(__file__).parent.parent / "release_checks" / "report.schema.json"
CHANGELOG = "pyproject.toml::test_changelog_has_entry"


def gate(name: str, outcome: str = "passed", **fields: object) -> GateResult:
    return GateResult(nodeid=f"pyproject.toml::{name}", outcome=outcome, **fields)  # type: ignore[arg-type]


DEMO = PackageRelease(
    project="demo",
    version="1.2.3",
    tag=TagChoice(name="v1.2.3", source="at HEAD"),
    dists="built in isolation",
    files=("demo-1.2.3.tar.gz", "demo-1.2.3-py3-none-any.whl"),
)


def report(*gates: GateResult) -> ReleaseReport:
    return ReleaseReport.of([DEMO]).with_gates(gates)


def workspace_report(*gates: GateResult) -> ReleaseReport:
    """Two packages: pkg-a at 1.2.3 (tagged), pkg-b whose version is not known."""
    packages = [
        replace(DEMO, package="pkg-a", project="pkg-a"),
        PackageRelease(
            package="pkg-b", project="pkg-b", version=None, problem="no tag", tag=None, dists=""
        ),
    ]
    return ReleaseReport.of(packages, strict=True).with_gates(gates)


EMPTY_SECTION = gate(
    "test_changelog_has_entry",
    "failed",
    reason="section `## 1.2.3` at CHANGELOG.md line 3 is empty",
    message="section `## 1.2.3` at CHANGELOG.md line 3 is empty\nwrite what changed",
    location=Location(file="CHANGELOG.md", line=3),
)
WAIVED = gate(
    "test_py_typed_shipped[wheel]",
    "waived",
    reason="stubs come later | see #12",
    message="stubs come later | see #12",
    waived="stubs come later | see #12",
)
BUILT = gate("test_dists_build", summary="The sdist and wheel build.")


def test_failed_first_then_waived_and_skipped_then_passed_in_run_order() -> None:
    made = report(
        BUILT,
        gate("test_a", "skipped", reason="no tag"),
        EMPTY_SECTION,
        WAIVED,
        gate("test_b", "error", reason="fixture broke"),
    )

    assert [g.nodeid.split("::")[1] for g in made.gates] == [
        "test_changelog_has_entry",
        "test_b",
        "test_a",
        "test_py_typed_shipped[wheel]",
        "test_dists_build",
    ]
    assert made.counts == {"failed": 1, "error": 1, "waived": 1, "skipped": 1, "passed": 1}
    assert made.outcome == "failed"
    assert made.tally() == "1 failed, 1 error, 1 waived, 1 skipped, 1 passed"
    assert report(BUILT, WAIVED).outcome == "passed"
    assert report().tally() == "no release gates ran"


def test_verdict_says_ready_only_when_a_gate_passed_and_none_failed() -> None:
    assert report(BUILT, WAIVED).verdict() == "ready to publish"
    assert report(BUILT, EMPTY_SECTION).verdict() == "not ready to publish"
    nothing = "no gate passed, so nothing shows the release is ready"
    assert report().verdict() == nothing
    assert report(WAIVED, gate("test_a", "skipped", reason="no tag")).verdict() == nothing


def test_header_names_version_tag_and_dists_with_their_sources() -> None:
    assert report().header() == (
        "demo 1.2.3 · tag v1.2.3 (at HEAD) · dists demo-1.2.3.tar.gz, "
        "demo-1.2.3-py3-none-any.whl — built in isolation"
    )
    unknown = ReleaseReport(
        project="demo", version=None, problem="no tag at HEAD", tag=None, dists="prebuilt"
    )
    assert (
        unknown.header()
        == "demo (version unknown: no tag at HEAD) · no release tag · dists prebuilt"
    )


def test_terminal_rows_say_where_and_why_or_what_was_checked() -> None:
    rows = terminal_rows(report(BUILT, WAIVED, EMPTY_SECTION))

    assert rows == [
        (
            "failed",
            (
                f"FAILED {CHANGELOG} - CHANGELOG.md:3: section `## 1.2.3` at CHANGELOG.md line 3 "
                "is empty"
            ),
        ),
        (
            "waived",
            (
                "WAIVED pyproject.toml::test_py_typed_shipped[wheel] - waived in pyproject.toml: "
                "stubs come later | see #12"
            ),
        ),
        ("passed", "PASSED pyproject.toml::test_dists_build - The sdist and wheel build."),
    ]
    clipped = terminal_rows(report(EMPTY_SECTION), width=40)[0][1]
    assert len(clipped) == 40
    assert clipped.endswith("…")


def test_first_line_skips_blank_lines() -> None:
    assert (
        first_line("\n\n  the release version is 1.2.3  \nmore") == "the release version is 1.2.3"
    )
    assert first_line("") == ""


def test_markdown_table_escapes_pipes_and_html_but_not_code() -> None:
    tricky = gate(
        "test_x",
        "failed",
        reason="expected <sha256> | found `a|b <c>` & more",
        message="line one\n```\nfenced\n```",
    )
    text = markdown_summary(report(BUILT, WAIVED, tricky))

    assert text.startswith("### ❌ Release gates: demo 1.2.3 — 1 failed, 1 waived, 1 passed\n")
    assert "| Outcome | Gate | Reason |\n| --- | --- | --- |\n" in text
    assert (
        r"| ❌ failed | `pyproject.toml::test_x` | expected &lt;sha256&gt; \| found `a\|b <c>` "
        "&amp; more |"
    ) in text
    assert r"waived in pyproject.toml: stubs come later \| see #12 |" in text
    # The full message of a failure follows, in a fence longer than the one it quotes.
    assert (
        "<summary>pyproject.toml::test_x</summary>\n\n````\nline one\n```\nfenced\n```\n````"
        in text
    )
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 4 for row in rows), rows


def test_annotations_carry_the_location_relative_to_the_workspace(tmp_path: Path) -> None:
    project = tmp_path / "repo" / "packages" / "demo"
    made = report(BUILT, WAIVED, EMPTY_SECTION, gate("test_y", "error", message="50% done\r\n"))

    lines = annotation_lines(made, project_root=project, workspace=tmp_path / "repo")

    assert lines == [
        (
            "::error file=packages/demo/CHANGELOG.md,line=3,"
            "title=release gate pyproject.toml%3A%3Atest_changelog_has_entry::"
            "section `## 1.2.3` at CHANGELOG.md line 3 is empty%0Awrite what changed"
        ),
        "::error title=release gate pyproject.toml%3A%3Atest_y::50%25 done%0D%0A",
    ]


def test_annotation_properties_escape_commas_and_colons(tmp_path: Path) -> None:
    odd = gate(
        "test_z[a,b]",
        "failed",
        message="bad",
        location=Location(file="docs/a,b:c.md", line=None),
    )
    (line,) = annotation_lines(report(odd), project_root=tmp_path, workspace=tmp_path)
    assert line == (
        "::error file=docs/a%2Cb%3Ac.md,title=release gate pyproject.toml%3A%3Atest_z[a%2Cb]::bad"
    )


def test_annotation_leaves_out_a_file_outside_the_workspace(tmp_path: Path) -> None:
    outside = gate("test_w", "failed", message="bad", location=Location(file="/etc/x", line=2))
    (line,) = annotation_lines(report(outside), project_root=tmp_path, workspace=tmp_path)
    assert line == "::error title=release gate pyproject.toml%3A%3Atest_w::bad"


def test_json_round_trips_and_matches_the_published_schema() -> None:
    made = report(BUILT, WAIVED, EMPTY_SECTION, gate("test_a", "skipped", reason="no tag"))
    data = json.loads(made.to_json())

    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert data["schema"] == SCHEMA == 1
    assert data["gates"][0]["location"] == {"file": "CHANGELOG.md", "line": 3}
    assert ReleaseReport.from_json(made.to_json()) == made


def test_a_workspace_report_has_every_packages_release() -> None:
    made = workspace_report(gate("test_dists_build[pkg-b]", "failed", reason="no backend"))

    assert made.project == "pkg-a"  # the top-level fields are the first package's
    assert made.headers() == [
        (
            "[pkg-a] pkg-a 1.2.3 · tag v1.2.3 (at HEAD) · dists demo-1.2.3.tar.gz, "
            "demo-1.2.3-py3-none-any.whl — built in isolation"
        ),
        "[pkg-b] pkg-b (version unknown: no tag) · no release tag · dists not built",
    ]
    summary = markdown_summary(made)
    assert "### ❌ Release gates: pkg-a 1.2.3, pkg-b ? — 1 failed" in summary
    assert "\n- [pkg-b] pkg-b (version unknown: no tag) · no release tag" in summary
    data = json.loads(made.to_json())
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert [package["package"] for package in data["packages"]] == ["pkg-a", "pkg-b"]
    assert ReleaseReport.from_json(made.to_json()) == made


def test_a_report_written_before_packages_reads_back() -> None:
    data = json.loads(report(BUILT).to_json())
    del data["packages"]

    old = ReleaseReport.from_dict(data)

    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert old.packages == ()
    assert old.headers() == [report().header()]


def test_a_lone_projects_report_has_one_package_and_one_header() -> None:
    made = report(BUILT)
    assert made.packages == (DEMO,)
    assert made.headers() == [made.header()]


def test_schema_rejects_an_unknown_outcome() -> None:
    data = json.loads(report(BUILT).to_json())
    data["gates"][0]["outcome"] = "flaky"
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError, match="flaky"):
        jsonschema.validate(data, schema)


def test_fail_keeps_the_message_and_carries_the_location() -> None:
    with pytest.raises(pytest.fail.Exception) as caught:
        fail("the changelog is empty", file=Path("CHANGELOG.md"), line=3)

    assert isinstance(caught.value, GateFailure)
    assert caught.value.location == ("CHANGELOG.md", 3)
    assert not caught.value.pytrace
    # pytest shows it exactly as a `pytest.fail` failure
    assert caught.exconly() == "Failed: the changelog is empty"
    with pytest.raises(GateFailure) as plain:
        fail("no location")
    assert plain.value.location is None
