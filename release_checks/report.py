"""The release report: every gate's outcome, rendered for a terminal, CI and other tools.

Pure: the plugin (`release_checks.reporting`) fills a `ReleaseReport` from pytest's reports;
this module only orders and renders it. The JSON form is versioned (`SCHEMA`) and described
by ``report.schema.json`` beside this file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import Literal

from release_checks.context import TagChoice
from release_checks.records import Record

__all__ = [
    "OUTCOMES",
    "SCHEMA",
    "GateResult",
    "Location",
    "PackageRelease",
    "Release",
    "ReleaseReport",
    "annotation_lines",
    "first_line",
    "markdown_summary",
    "terminal_rows",
]

SCHEMA = 1
Outcome = Literal["failed", "error", "skipped", "waived", "passed"]
# Report order: what blocks the release first, then what was not checked, then the rest.
OUTCOMES: tuple[Outcome, ...] = ("failed", "error", "waived", "skipped", "passed")
_RANK = {"failed": 0, "error": 0, "waived": 1, "skipped": 1, "passed": 2}
_MARKDOWN_OUTCOME = {
    "failed": "❌ failed",
    "error": "❌ error",
    "waived": "⚪ waived",
    "skipped": "⏭️ skipped",
    "passed": "✅ passed",
}


@dataclass(frozen=True, kw_only=True)
class Location(Record):
    """Where a failure's cause is: a path relative to the project root (or absolute), a line."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, kw_only=True)
class GateResult(Record):
    """One gate (or release-marked test) and how it ended.

    `message` is the full failure text or skip reason, `reason` its first line; `summary`
    is the first line of the gate's docstring, which says what a passing gate checked.
    """

    nodeid: str
    outcome: Outcome
    reason: str = ""
    message: str = ""
    summary: str = ""
    waived: str | None = None
    location: Location | None = None
    duration: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Release(Record):
    """A release as the run knows it: version, tag and dists, and where they come from."""

    project: str
    version: str | None
    problem: str | None = None
    tag: TagChoice | None
    dists: str
    files: tuple[str, ...] = ()

    def header(self) -> str:
        """One line: project, version, tag and its source, dists and their source."""
        version = self.version or f"(version unknown: {self.problem or 'not built'})"
        tag = f"tag {self.tag.name} ({self.tag.source})" if self.tag else "no release tag"
        files = ", ".join(self.files)
        dists = f"dists {files} — {self.dists}" if files else f"dists {self.dists or 'not built'}"
        return f"{self.project} {version} · {tag} · {dists}"


@dataclass(frozen=True, kw_only=True)
class PackageRelease(Release):
    """One package's release; `package` is its id in a workspace (``[pkg-a]`` in node ids)."""

    package: str = ""


@dataclass(frozen=True, kw_only=True)
class ReleaseReport(Release):
    """A run's release, the source of its tag and dists, and every gate's result, worst first.

    Its release fields are the first package's; `packages` has every package's (one entry
    for a lone project; none in a report written before there were packages).
    """

    schema: int = SCHEMA
    tool_version: str = ""
    strict: bool = False
    outcome: Literal["passed", "failed"] = "passed"
    counts: dict[str, int] = field(default_factory=dict)
    gates: tuple[GateResult, ...] = ()
    packages: tuple[PackageRelease, ...] = ()

    @classmethod
    def of(
        cls, packages: Iterable[PackageRelease], *, tool_version: str = "", strict: bool = False
    ) -> ReleaseReport:
        """A report over `packages` (at least one) with no gate results yet."""
        packages = tuple(packages)
        first = {f.name: getattr(packages[0], f.name) for f in fields(Release)}
        return cls(**first, tool_version=tool_version, strict=strict, packages=packages)

    def with_gates(self, gates: Iterable[GateResult]) -> ReleaseReport:
        """The report over `gates` (in run order), sorted worst first, with its counts."""
        ordered = tuple(sorted(gates, key=lambda gate: _RANK[gate.outcome]))
        tally = Counter(gate.outcome for gate in ordered)
        counts: dict[str, int] = {outcome: tally[outcome] for outcome in OUTCOMES}
        failed = counts["failed"] or counts["error"]
        return replace(self, gates=ordered, counts=counts, outcome="failed" if failed else "passed")

    def headers(self) -> list[str]:
        """The header of each package: one line for a lone project, one per package else."""
        if len(self.packages) > 1:
            return [f"[{package.package}] {package.header()}" for package in self.packages]
        return [self.header()]

    def verdict(self) -> str:
        """Whether the gates show the release ready; a run in which no gate passed shows nothing."""
        if self.outcome == "failed":
            return "not ready to publish"
        if not self.counts.get("passed"):
            return "no gate passed, so nothing shows the release is ready"
        return "ready to publish"

    def tally(self) -> str:
        """``2 failed, 1 waived, 20 passed``: the non-zero counts in report order."""
        parts = [f"{self.counts[o]} {o}" for o in OUTCOMES if self.counts.get(o)]
        return ", ".join(parts) or "no release gates ran"


def first_line(text: str) -> str:
    """The first non-blank line of a message, stripped: a one-line reason."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _why(gate: GateResult) -> str:
    """The one-line reason a row shows: where and why, or what a passing gate checked."""
    if gate.outcome == "waived":
        return f"waived in pyproject.toml: {gate.waived}"
    reason = gate.reason or gate.summary
    return f"{gate.location}: {reason}" if gate.location else reason


def _clip(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def terminal_rows(report: ReleaseReport, width: int | None = None) -> list[tuple[Outcome, str]]:
    """Each gate's line, ``FAILED nodeid - where: why``, clipped to `width`, with its outcome."""
    return [
        (gate.outcome, _clip(f"{gate.outcome.upper()} {gate.nodeid} - {_why(gate)}", width))
        for gate in report.gates
    ]


# Markdown (GitHub's step summary)

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def _cell(text: str) -> str:
    """Text safe in a GFM table cell: pipes escaped, one line, no raw HTML outside code."""
    text = " ".join(text.split()).replace("|", r"\|")
    pieces = []
    position = 0
    for span in _CODE_SPAN.finditer(text):
        pieces.append(_html_escape(text[position : span.start()]))
        pieces.append(span.group(0))
        position = span.end()
    pieces.append(_html_escape(text[position:]))
    return "".join(pieces)


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fence(text: str) -> str:
    """A code fence longer than any backtick run in `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def markdown_summary(report: ReleaseReport) -> str:
    """A Markdown section: headline, release facts, a table of gates, failures in full."""
    mark = "❌" if report.outcome == "failed" else "✅"
    version = report.version or "(version unknown)"
    title = f"{_cell(report.project)} {_cell(version)}"
    if len(report.packages) > 1:
        title = ", ".join(f"{_cell(p.project)} {_cell(p.version or '?')}" for p in report.packages)
    lines = [
        f"### {mark} Release gates: {title} — {report.tally()}",
        "",
        *(
            f"- {_cell(line)}" if len(report.packages) > 1 else _cell(line)
            for line in report.headers()
        ),
        "",
        "| Outcome | Gate | Reason |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {_MARKDOWN_OUTCOME[gate.outcome]} | `{_cell(gate.nodeid)}` | {_cell(_why(gate))} |"
        for gate in report.gates
    ]
    for gate in report.gates:
        if gate.outcome in {"failed", "error"} and gate.message:
            fence = _fence(gate.message)
            lines += [
                "",
                f"<details><summary>{_html_escape(gate.nodeid)}</summary>",
                "",
                fence,
                gate.message,
                fence,
                "",
                "</details>",
            ]
    return "\n".join(lines) + "\n"


# GitHub Actions workflow commands


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_lines(report: ReleaseReport, *, project_root: Path, workspace: Path) -> list[str]:
    """An ``::error`` line per failed gate, with ``file=`` and ``line=`` where known.

    GitHub wants the file relative to the repository's checkout (`workspace`); a file
    outside it is left out rather than pointing at the wrong place.
    """
    lines = []
    for gate in report.gates:
        if gate.outcome not in {"failed", "error"}:
            continue
        properties = []
        if gate.location is not None:
            path = (project_root / gate.location.file).resolve()
            if path.is_relative_to(workspace.resolve()):
                relative = PurePosixPath(path.relative_to(workspace.resolve()).as_posix())
                properties.append(f"file={_escape_property(str(relative))}")
                if gate.location.line:
                    properties.append(f"line={gate.location.line}")
        properties.append(f"title={_escape_property(f'release gate {gate.nodeid}')}")
        message = gate.message or gate.reason
        lines.append(f"::error {','.join(properties)}::{_escape_data(message)}")
    return lines
