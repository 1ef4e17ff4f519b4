"""The release report's pytest side: collect gate results, print progress, write the report.

Registered by `release_checks.plugin` only in runs that select release gates. Under xdist a
worker tags each gate's reports (location, waiver, docstring summary) in `user_properties`,
which xdist sends along; the controller takes the tag out again, so JUnit XML and other
reporters never see it, and builds the report from the results.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from release_checks.errors import ReleaseChecksError
from release_checks.gatekit import GateFailure, item_package
from release_checks.progress import ProgressReader
from release_checks.report import (
    GateResult,
    Location,
    Outcome,
    PackageRelease,
    ReleaseReport,
    annotation_lines,
    first_line,
    markdown_summary,
    terminal_rows,
)

if TYPE_CHECKING:
    from release_checks.run import ReleaseRun

__all__ = ["ReleaseReporting", "check_report_path"]

_TAG = "release_checks"
_MARKS = ("release", "published")
_CLIP = 240  # a row's length before -vv; the step summary and the JSON keep everything
_MARKUP = {"failed": "red", "error": "red", "waived": "yellow", "skipped": "yellow"}


def check_report_path(value: Path | None, invocation_dir: Path) -> Path | None:
    """The absolute --release-report path, or a usage error before any gate runs."""
    if value is None:
        return None
    path = invocation_dir / value
    if path.is_dir():
        raise pytest.UsageError(f"--release-report {value}: is a directory; name a file in it")
    if not path.parent.is_dir():
        raise pytest.UsageError(
            f"--release-report {value}: directory {path.parent} does not exist; create it first"
        )
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise pytest.UsageError(f"--release-report {value}: {path} is not writable")
    return path


class ReleaseReporting:
    """Collects each gate's result and reports them: terminal, step summary, annotations, JSON."""

    def __init__(
        self,
        config: pytest.Config,
        runs: dict[str, ReleaseRun],
        root: Path,
        report_path: Path | None,
    ) -> None:
        """`runs` by package id (the first is the repository's); locations are shown from `root`."""
        self.config = config
        self.runs = runs
        self.run = next(iter(runs.values()))
        self.root = root
        self.report_path = report_path
        self.controller = not hasattr(config, "workerinput")
        self.entries: dict[str, _Entry] = {}
        self.positions: dict[str, int] = {}
        self.report: ReleaseReport | None = None
        self.problems: list[str] = []
        self.running: str | None = None  # the test running in this process, if any
        run = self.run  # every package's run writes its steps to the same file
        self.progress = ProgressReader(run.progress.path or run.shared_dir / "progress.jsonl")
        if self.controller:
            for each in runs.values():
                each.progress.listener = self.print_progress  # steps run here print at once

    # Progress

    def print_progress(self) -> None:
        """Print the steps started or finished since the last call, on the controller."""
        lines = self.progress.new_lines()
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if not lines or reporter is None:
            return
        capture = self.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else nullcontext():
            reporter.ensure_newline()
            if reporter._tw.width_of_current_line:  # noqa: SLF001 - after xdist's dots
                reporter.write("\n")
            for line in lines[:-1]:
                reporter.write_line(line)
            step_ended = not lines[-1].endswith(" ...")
            if self.running is None or not reporter.showfspath or not step_ended:
                reporter.write_line(lines[-1])
                return
            # The running gate's result comes next: leave the line open for pytest to end
            # when it writes the gate's (-v) or file's name again, which it does after a
            # line of ours; the file's name is written here, so the dot does not stand alone.
            reporter.write(lines[-1])
            if not reporter.showlongtestinfo:
                reporter.write_fspath_result(self.running, "")

    def pytest_runtest_logstart(self) -> None:
        """Under xdist the controller hears of steps only between reports: look now."""
        if self.controller:
            self.print_progress()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        """Know which test runs in this process (never the case on an xdist controller)."""
        self.running = item.nodeid
        try:
            return (yield)
        finally:
            self.running = None

    # Results, tagged where the gate runs and collected on the controller

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Remember the collection order: the report lists gates in it, whatever ran first."""
        self.positions = {item.nodeid: index for index, item in enumerate(session.items)}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Tag a gate's report with what only this process knows: location, waiver, summary."""
        report = yield
        if any(item.get_closest_marker(mark) for mark in _MARKS):
            run = self.runs.get(item_package(item), self.run)
            tag = {
                "position": self.positions.get(item.nodeid, len(self.positions)),
                "summary": first_line(getattr(getattr(item, "obj", None), "__doc__", "") or ""),
                "waived": self._waiver(item, run) if report.skipped else None,
                "location": self._location(call, run),
            }
            report.user_properties.append((_TAG, tag))
        return report

    @staticmethod
    def _waiver(item: pytest.Item, run: ReleaseRun) -> str | None:
        from release_checks.collect import GatesFile  # noqa: PLC0415
        from release_checks.config import gate_key  # noqa: PLC0415

        if not isinstance(item, pytest.Function) or not isinstance(item.parent, GatesFile):
            return None
        return run.config.waive.get(gate_key(item.originalname))

    def _location(self, call: pytest.CallInfo[None], run: ReleaseRun) -> list[Any] | None:
        """Where the gate's failure points, from the report's root; the gate's is its package's."""
        error = call.excinfo.value if call.excinfo is not None else None
        if not isinstance(error, GateFailure) or error.location is None:
            return None
        file, line = error.location
        path = Path(os.path.normpath(run.root / file))  # an absolute `file` stays as is
        shown = path.relative_to(self.root) if path.is_relative_to(self.root) else path
        return [shown.as_posix(), line]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """On the controller: take the tag out of the report and record the gate's result."""
        if not self.controller:
            return
        self.print_progress()
        tags = [value for name, value in report.user_properties if name == _TAG]
        if not tags:
            return
        report.user_properties[:] = [p for p in report.user_properties if p[0] != _TAG]
        tag = cast("dict[str, Any]", tags[-1])
        entry = self.entries.setdefault(report.nodeid, _Entry(tag["position"]))
        entry.duration += report.duration
        outcome, message = _outcome(report)
        if outcome is None or (entry.result and entry.result.outcome in {"failed", "error"}):
            return  # a passing setup says nothing yet; the first failure is the one to report
        waived = tag["waived"] if outcome == "skipped" else None
        location = tag["location"]
        entry.result = GateResult(
            nodeid=report.nodeid,
            outcome="waived" if waived is not None else outcome,
            reason=first_line(waived or message),
            message=waived or message,
            summary=tag["summary"],
            waived=waived,
            location=Location(file=location[0], line=location[1]) if location else None,
        )

    # The report

    def pytest_sessionfinish(self) -> None:
        """Build the report, then write the JSON file and GitHub's step summary."""
        if not self.controller:
            return
        self.print_progress()
        self.report = self._build_report()
        if self.report_path is not None:
            self._write(self.report_path, self.report.to_json() + "\n", "--release-report")
        summary = self.run.environ.get("GITHUB_STEP_SUMMARY")
        if self._in_github_actions() and summary:
            self._write(Path(summary), markdown_summary(self.report), "GITHUB_STEP_SUMMARY", "a")

    def _build_report(self) -> ReleaseReport:
        from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

        try:
            tool_version = version("pytest-release-checks")
        except PackageNotFoundError:
            tool_version = ""
        report = ReleaseReport.of(
            (_package_release(package, run) for package, run in self.runs.items()),
            tool_version=tool_version,
            strict=self.run.strict,
        )
        ordered = sorted(self.entries.values(), key=lambda entry: entry.position)
        return report.with_gates(
            replace(entry.result, duration=round(entry.duration, 3))
            for entry in ordered
            if entry.result is not None
        )

    def _write(self, path: Path, text: str, what: str, mode: str = "w") -> None:
        try:
            with path.open(mode, encoding="utf-8") as file:
                file.write(text)
        except OSError as error:
            self.problems.append(f"could not write {what} ({path}): {error.strerror or error}")

    def _in_github_actions(self) -> bool:
        return self.run.environ.get("GITHUB_ACTIONS") == "true"

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """The "release gates" section: the release, every gate worst first, the verdict."""
        report = self.report
        if report is None:
            return
        terminalreporter.write_sep("=", "release gates")
        for header in report.headers():
            terminalreporter.write_line(f"release-checks: {header}")
        width = None if terminalreporter.verbosity >= 2 else _CLIP
        for outcome, line in terminal_rows(report, width):
            terminalreporter.write_line(line, **{_MARKUP.get(outcome, "green"): True})
        terminalreporter.write_line(
            f"release gates: {report.tally()} — {report.verdict()}", bold=True
        )
        for problem in self.problems:
            terminalreporter.write_line(f"release-checks: {problem}", red=True)
        if self._in_github_actions():
            workspace = Path(self.run.environ.get("GITHUB_WORKSPACE") or self.root)
            for line in annotation_lines(report, project_root=self.root, workspace=workspace):
                terminalreporter.write_line(line)


def _package_release(package: str, run: ReleaseRun) -> PackageRelease:
    """What the run knows of its release by now; it builds nothing for the report."""
    try:
        release = run.context(may_build=False)
    except ReleaseChecksError as error:
        release, problem = None, str(error)
    dists = run.known_dists()
    return PackageRelease(
        package=package,
        project=release.project if release else run.project_name,
        version=release.version if release else None,
        problem=release.problem if release else problem,
        tag=release.tag if release else None,
        dists=release.dists if release else "",
        files=tuple(path.name for path in dists.files) if dists else (),
    )


class _Entry:
    """A gate's result so far: its place in collection order and time over all phases."""

    def __init__(self, position: int) -> None:
        self.position = position
        self.duration = 0.0
        self.result: GateResult | None = None


def _outcome(report: pytest.TestReport) -> tuple[Outcome | None, str]:
    """What a phase's report says about the gate, and its message; None when nothing new."""
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message.removeprefix("Failed: ") if crash else report.longreprtext
        return ("failed" if report.when == "call" else "error"), message
    if report.skipped:
        if hasattr(report, "wasxfail"):
            return "skipped", f"expected to fail: {report.wasxfail}".rstrip(": ")
        longrepr = report.longrepr
        text = longrepr[2] if isinstance(longrepr, tuple) else report.longreprtext
        return "skipped", text.removeprefix("Skipped: ")
    if report.when == "call":
        return "passed", ""
    return None, ""
