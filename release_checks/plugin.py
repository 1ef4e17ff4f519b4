"""The pytest hooks: options, markers, gate collection, selection and the report header.

Importing this module is cheap: plain ``pytest`` runs pay for option parsing and one marker
line; everything else happens only in runs that select release gates.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from release_checks.errors import ConfigError, ReleaseChecksError

if TYPE_CHECKING:
    from release_checks.run import ReleaseRun

pytest_plugins = ["release_checks.fixtures"]

RUN_KEY: pytest.StashKey[ReleaseRun] = pytest.StashKey()
# Every package's run by package id; one run under "" unless a workspace lists several packages.
RUNS_KEY: pytest.StashKey[dict[str, ReleaseRun]] = pytest.StashKey()
_GATES_FILE_KEY = pytest.StashKey[Path]()
_BUILDS_KEY = pytest.StashKey[list[threading.Thread]]()
_EARLY_KEY = pytest.StashKey[bool]()  # the builds started before collection
_ASKING_KEY = pytest.StashKey[list[threading.Thread]]()  # the index query meanwhile
_OWNED_DIR_KEY = pytest.StashKey[Path]()
_WORKER_DIR = "release_checks_dir"
_WORKER_ROOT = "release_checks_root"
# Mark sets the built-in gates carry; `-m` selects gates when it matches one of them.
_GATE_MARKS = ({"release"}, {"release", "network"}, {"published", "network"})
# Marks of tests that run only when `-m` (or a node id) asks for them.
_ON_DEMAND_MARKS = ("release", "published")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--release-*`` options."""
    group = parser.getgroup("release-checks", "release gates (pytest -m release)")
    group.addoption(
        "--release-tag",
        metavar="TAG",
        help="the release tag to check (default: a CI tag build, else a tag at HEAD, "
        "else one planned from the built version)",
    )
    group.addoption(
        "--release-dist",
        metavar="DIR",
        type=Path,
        help="verify the prebuilt sdist and wheels in DIR instead of building them",
    )
    group.addoption(
        "--release-package",
        metavar="NAME",
        action="append",
        default=[],
        help="in a workspace (tool.release-checks.packages), check only this package (its "
        "normalized name, or its directory); repeat for several",
    )
    group.addoption(
        "--release-strict",
        action="store_true",
        help="fail gates that would otherwise skip for lack of a fact (on in CI tag builds)",
    )
    group.addoption(
        "--release-manifest",
        metavar="FILE",
        type=Path,
        help="with --release-dist: when no gate fails, write the verified files' names and "
        "sha256 to FILE (sha256sum format) for `release-checks verify-manifest` before upload",
    )
    group.addoption(
        "--release-report",
        metavar="FILE",
        type=Path,
        help="write every gate's outcome, reason and location to FILE as JSON (schema in the "
        "README; release_checks/report.schema.json)",
    )
    group.addoption(
        "--release-index",
        metavar="URL",
        type=_index_url,
        help="the Simple API URL of the package index the network gates ask (default: "
        "tool.release-checks.index, else pip's index-url, else the public index)",
    )
    group.addoption(
        "--release-index-wait",
        metavar="SECONDS",
        type=float,
        default=60.0,
        help="how long the published gates wait for an upload to show on the index (default 60)",
    )


def _index_url(value: str) -> str:
    """Check a --release-index value without echoing it: it may carry a token."""
    import argparse  # noqa: PLC0415

    from release_checks.config import index_url_problem  # noqa: PLC0415

    problem = index_url_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"expected {problem}")
    return value


def _marker_selects_gates(config: pytest.Config) -> bool:
    """True when `-m` picks gates out, as opposed to merely letting them through.

    ``-m release``, ``-m "release and not network"`` and ``-m published`` select gates;
    ``-m "not slow"`` (often set in addopts) matches unmarked tests too, so it must not turn a
    plain run into a release run.
    """
    markexpr: str = config.option.markexpr
    if not markexpr:
        return False
    from _pytest.mark.expression import Expression  # noqa: PLC0415 - pytest's own -m parser

    try:
        expression = Expression.compile(markexpr)
    except Exception:  # noqa: BLE001 - pytest reports a bad -m expression itself
        return False

    def matches(marks: set[str]) -> bool:
        return expression.evaluate(lambda name, /, **kw: name in marks and not kw)

    return not matches(set()) and any(matches(marks) for marks in _GATE_MARKS)


def _arg_path(config: pytest.Config, arg: str) -> Path:
    """The filesystem path of a command-line argument that may carry ``::node`` parts."""
    return (config.invocation_params.dir / arg.partition("::")[0]).resolve()


def _command_line_args(config: pytest.Config) -> list[str]:
    return list(getattr(config.option, "file_or_dir", None) or ())


def _selects_gates(config: pytest.Config, pyproject: Path) -> bool:
    """True when `-m` selects release gates, or a gate's file or node id is named."""
    if _marker_selects_gates(config):
        return True
    return any(_arg_path(config, arg) == pyproject for arg in _command_line_args(config))


def _project_root(config: pytest.Config) -> Path | None:
    """The project being released: the nearest pyproject.toml from where pytest was started.

    In a monorepo that is the package directory, even when the workspace root holds pytest's
    configuration; the controller hands its choice to xdist workers.
    """
    from release_checks.project import find_project_root  # noqa: PLC0415

    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and _WORKER_ROOT in workerinput:
        return Path(workerinput[_WORKER_ROOT])
    return find_project_root(config.invocation_params.dir) or find_project_root(config.rootpath)


def pytest_configure(config: pytest.Config) -> None:
    """Register markers; when gates are selected, set up the run they share."""
    config.addinivalue_line("markers", "release: a release gate; run them with `pytest -m release`")
    config.addinivalue_line(
        "markers", "published: checks a published release; run them with `pytest -m published`"
    )
    config.addinivalue_line(
        "markers", "network: queries a package index; `-m 'release and not network'` skips them"
    )
    root = _project_root(config)
    if root is None or not _selects_gates(config, (root / "pyproject.toml").resolve()):
        if config.option.release_report is not None:
            raise pytest.UsageError(
                "--release-report needs a run that selects release gates (`pytest -m release`)"
            )
        return
    from release_checks import background  # noqa: PLC0415
    from release_checks.packages import make_runs, select_packages  # noqa: PLC0415
    from release_checks.run import RunOptions  # noqa: PLC0415

    background.resume()  # a run before this one in the process may have stopped it
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and _WORKER_DIR in workerinput:
        shared_dir = Path(workerinput[_WORKER_DIR])
    else:
        shared_dir = Path(tempfile.mkdtemp(prefix="release-checks-"))
        config.stash[_OWNED_DIR_KEY] = shared_dir
    release_dist = config.option.release_dist
    options = RunOptions(
        release_tag=config.option.release_tag,
        release_dist=(config.invocation_params.dir / release_dist).resolve()
        if release_dist
        else None,
        strict=config.option.release_strict,
        release_index=config.option.release_index,
        index_wait=config.option.release_index_wait,
    )
    try:
        runs = make_runs(root, options, shared_dir)
        runs = select_packages(runs, config.option.release_package, config.invocation_params.dir)
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[RUNS_KEY] = runs
    config.stash[RUN_KEY] = next(iter(runs.values()))  # the repository's gates run with it
    config.stash[_GATES_FILE_KEY] = root / "pyproject.toml"
    _add_gates_to_args(config, root / "pyproject.toml")
    if config.option.release_manifest is not None and workerinput is None:
        config.pluginmanager.register(_ManifestWriter(config), "release_checks_manifest")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(shared_dir, root), "release_checks_xdist")
    from release_checks.reporting import ReleaseReporting, check_report_path  # noqa: PLC0415

    report_path = check_report_path(config.option.release_report, config.invocation_params.dir)
    reporting = ReleaseReporting(config, runs, root, report_path)
    config.pluginmanager.register(reporting, "release_checks_reporting")
    if _whole_selection(config) and not _is_xdist_controller(config):
        _start_early(config, runs)


def _start_early(config: pytest.Config, runs: dict[str, ReleaseRun]) -> None:
    """Start the builds now, overlapping collection, with what the gates will want of them.

    Only a whole selection knows its gates this early (see `_whole_selection`); a waived
    gate does not run, so its slow step is not wanted.
    """
    for run in runs.values():
        if "wheel_equivalent_to_tree_build" not in run.config.waive:
            run.want_tree_wheel()
        if "wheel_works_in_fresh_venv" not in run.config.waive:
            run.want_venv()
    config.stash[_EARLY_KEY] = True
    _build_in_background(config, list(runs.values()))


def _whole_selection(config: pytest.Config) -> bool:
    """True when `-m` alone picks the gates: no -k, node id, --lf or --deselect narrows them.

    Such a run needs the build, the tree's wheel and the fresh environment for sure, so they
    may start before collection ends; a narrowed run may need none of them.
    """
    option = config.option
    return (
        _marker_selects_gates(config)
        and option.release_dist is None
        and not option.collectonly
        and not option.keyword
        and not getattr(option, "lf", False)
        and not getattr(option, "deselect", None)
        and not any("::" in arg for arg in _command_line_args(config))
    )


def _is_xdist_controller(config: pytest.Config) -> bool:
    """True in the controller of an xdist run, which runs no gates and builds nothing."""
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


def _build_in_background(config: pytest.Config, runs: list[ReleaseRun]) -> None:
    """Start the runs' builds in background threads (see `prebuild`).

    Without xdist this process builds every package; an xdist worker takes every n-th, so
    workers build different packages at once instead of waiting on each other's lock.
    """
    from release_checks.packages import prebuild  # noqa: PLC0415

    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        index, count = int(workerinput["workerid"].removeprefix("gw")), workerinput["workercount"]
        runs = runs[index::count]
    config.stash[_BUILDS_KEY] = prebuild(runs, os.cpu_count() or 1)


def _add_gates_to_args(config: pytest.Config, pyproject: Path) -> None:
    """Collect pyproject.toml (where the gates live) even when testpaths point elsewhere."""
    target = pyproject.resolve()
    for arg in config.args:
        path = _arg_path(config, arg)
        if path == target or target.is_relative_to(path):
            return
    config.args.append(str(pyproject))


class _XdistHooks:
    """Hands the run's shared directory and project root to every xdist worker."""

    def __init__(self, shared_dir: Path, root: Path) -> None:
        self.shared_dir = shared_dir
        self.root = root

    def pytest_configure_node(self, node: object) -> None:
        node.workerinput[_WORKER_DIR] = str(self.shared_dir)  # type: ignore[attr-defined]
        node.workerinput[_WORKER_ROOT] = str(self.root)  # type: ignore[attr-defined]


class _ManifestWriter:
    """Writes the manifest of the verified dists at the end of a run in which no gate failed.

    A stale manifest is removed first, so a failing run never leaves one a publish job could
    trust.
    """

    def __init__(self, config: pytest.Config) -> None:
        if config.option.release_dist is None:
            raise pytest.UsageError(
                "--release-manifest needs --release-dist=DIR: the manifest lists the files "
                "that will be uploaded, so verify those files rather than a temporary build"
            )
        self.path: Path = (config.invocation_params.dir / config.option.release_manifest).resolve()
        self.outcome = ""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as error:
            raise pytest.UsageError(f"--release-manifest {self.path}: {error}") from None

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if exitstatus != pytest.ExitCode.OK:
            self.outcome = f"not written to {self.path}: the run did not pass"
            return
        from release_checks.manifest import write_manifest  # noqa: PLC0415

        runs = session.config.stash[RUNS_KEY].values()
        files = [path for run in runs for path in run.dists().files]
        try:
            write_manifest(files, self.path)
        except OSError as error:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
            self.outcome = f"could not be written to {self.path}: {error}"
            return
        self.outcome = f"written to {self.path} ({len(files)} files)"

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        terminalreporter.write_line(f"release-checks: manifest {self.outcome}")


def pytest_keyboard_interrupt() -> None:
    """Kill the builds and installs running in the background, so Ctrl-C ends the run at once."""
    background = sys.modules.get("release_checks.background")
    if background is not None:  # nothing runs in the background unless it was imported
        background.stop(kill=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The gates are done: background work starts no further step (the one under way ends).

    Under xdist another worker may still wait on that step; a step not started yet is made
    by the gate that asks for it.
    """
    if RUNS_KEY in session.config.stash:
        from release_checks import background  # noqa: PLC0415

        background.stop(kill=False)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's temporary builds and environments, also after a failure or Ctrl-C."""
    for thread in config.stash.get(_BUILDS_KEY, []):
        thread.join()  # a build started in the background ends (another worker may need it)
    for thread in config.stash.get(_ASKING_KEY, []):
        thread.join(timeout=1)  # a query is bounded; an interrupted run need not wait for it
    owned = config.stash.get(_OWNED_DIR_KEY, None)
    if owned is not None:
        shutil.rmtree(owned, ignore_errors=True)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect the built-in gates as items of the project's pyproject.toml."""
    gates_file = parent.config.stash.get(_GATES_FILE_KEY, None)
    if gates_file is None or file_path != gates_file:
        return None
    from release_checks.collect import GatesFile  # noqa: PLC0415

    return GatesFile.from_parent(parent, path=file_path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Unless ``-m`` selects gates, deselect release and published tests the user did not name.

    The fresh-environment gate moves to the end: its wheel installs in the background while
    the quicker gates run (see `ReleaseRun.prepare`).
    """
    if RUNS_KEY in config.stash:
        _fresh_venv_gates_last(items)
    if _marker_selects_gates(config):
        return
    named = _named_files_and_nodes(config)
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        on_demand = any(item.get_closest_marker(mark) for mark in _ON_DEMAND_MARKS)
        wanted = not on_demand or any(item.nodeid.startswith(prefix) for prefix in named)
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _fresh_venv_gates_last(items: list[pytest.Item]) -> None:
    from release_checks.gates import test_wheel_works_in_fresh_venv as venv_gate  # noqa: PLC0415

    last = [item for item in items if getattr(item, "function", None) is venv_gate]
    if last:
        items[:] = [item for item in items if getattr(item, "function", None) is not venv_gate]
        items.extend(last)


def _named_files_and_nodes(config: pytest.Config) -> list[str]:
    """Node-id prefixes of the files and node ids given on the command line (not directories)."""
    named = []
    for arg in _command_line_args(config):
        _, separator, rest = arg.partition("::")
        path = _arg_path(config, arg)
        if path.is_file() and path.is_relative_to(config.rootpath):
            named.append(path.relative_to(config.rootpath).as_posix() + separator + rest)
    return named


def pytest_collection_finish(session: pytest.Session) -> None:
    """Tell the run which of its slow steps the selected gates need, before anything is built.

    The run's one build then brings a wheel built directly from the tree along, the fresh
    virtualenv is created and the index asked while it builds; runs that deselect the gates
    do none of it.
    """
    config = session.config
    runs = config.stash.get(RUNS_KEY, None)
    if runs is None:
        return
    from release_checks.gatekit import item_package  # noqa: PLC0415
    from release_checks.gates import test_wheel_works_in_fresh_venv as venv_gate  # noqa: PLC0415
    from release_checks.gates_index import (  # noqa: PLC0415
        test_version_not_on_index as index_gate,
    )
    from release_checks.gates_sources import (  # noqa: PLC0415
        test_wheel_equivalent_to_tree_build as equivalence_gate,
    )

    asking_index: list[ReleaseRun] = []
    for item in session.items:
        if item.get_closest_marker("skip") is not None:  # waived, or skipped by the user
            continue
        function = getattr(item, "function", None)
        run = runs.get(item_package(item), config.stash[RUN_KEY])
        if function is equivalence_gate:
            run.want_tree_wheel()
        elif function is venv_gate:  # its environment is made while the dists build
            run.want_venv()
        elif function is index_gate:
            asking_index.append(run)
    if config.option.collectonly:
        return
    if (
        len(runs) > 1
        and not config.stash.get(_EARLY_KEY, False)
        and not _is_xdist_controller(config)
    ):
        wanted = {item_package(item) for item in session.items}
        _build_in_background(config, [run for key, run in runs.items() if key in wanted])
    if asking_index and _runs_gates_first(config):
        _ask_index_meanwhile(config, asking_index)


def _runs_gates_first(config: pytest.Config) -> bool:
    """True in the process that should start shared work early: no xdist, or worker gw0."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return not _is_xdist_controller(config)
    return bool(workerinput.get("workerid") == "gw0")


def _ask_index_meanwhile(config: pytest.Config, runs: list[ReleaseRun]) -> None:
    """Ask the index in the background while the dists build: the answer needs no build.

    The gate then reads the record (or waits on the lock of the query under way); a failure
    is recorded for the gate to report.
    """

    def ask() -> None:
        for run in runs:
            try:
                run.index_page()
            except Exception:  # noqa: BLE001, S112 - the gate asking again reports it
                continue

    from release_checks import background  # noqa: PLC0415

    config.stash[_ASKING_KEY] = [background.start(ask, "release-checks-index")]


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Show which release is checked and where its tag and dists come from."""
    runs = config.stash.get(RUNS_KEY, None)
    if runs is None or hasattr(config, "workerinput"):
        return []
    lines = []
    # A workspace's header must not wait for every package's build: only tags and static
    # versions are shown there.
    may_build = not config.option.collectonly and len(runs) == 1
    for run in runs.values():
        try:
            release = run.context(may_build=may_build)
        except ReleaseChecksError as error:
            lines.append(f"release-checks: {run.project_name}: {error}")
            continue
        tag = release.tag
        version = release.version or f"(version unknown: {release.problem or 'not built yet'})"
        lines += [
            f"release-checks: {release.project} {version}",
            f"  tag: {tag.name} ({tag.source})" if tag else "  tag: none found",
            f"  dists: {release.dists}",
        ]
    if config.stash[RUN_KEY].strict:
        lines.append("  strict: gates that cannot decide fail instead of skipping")
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the user's own release tests once per package of a workspace.

    The built-in gates are parametrized by their own module (`release_checks.gates`).
    """
    if metafunc.config.stash.get(RUNS_KEY, None) is None:
        return
    if metafunc.module.__name__ != "release_checks.gates":
        from release_checks.gatekit import parametrize_packages  # noqa: PLC0415

        parametrize_packages(metafunc)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call() -> Generator[None, object, object]:
    """Report a fact that could not be computed as a plain gate failure, not a traceback."""
    try:
        return (yield)
    except ReleaseChecksError as error:
        from release_checks.gatekit import fail  # noqa: PLC0415

        fail(str(error))  # the message alone, without the error it replaces


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup() -> Generator[None, object, object]:
    """The same for the release fixtures, which compute facts during setup."""
    try:
        return (yield)
    except ReleaseChecksError as error:
        from release_checks.gatekit import fail  # noqa: PLC0415

        fail(str(error))  # the message alone, without the error it replaces
