"""The pytest hooks: options, markers, gate collection, selection and the report header.

Importing this module is cheap: plain ``pytest`` runs pay for option parsing and one marker
line; everything else happens only in runs that select release gates.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from release_checks.errors import ConfigError

if TYPE_CHECKING:
    from release_checks.run import ReleaseRun

pytest_plugins = ["release_checks.fixtures"]

RUN_KEY: pytest.StashKey[ReleaseRun] = pytest.StashKey()
_OWNED_DIR_KEY = pytest.StashKey[Path]()
_WORKER_DIR = "release_checks_dir"
# Mark sets the built-in gates carry; `-m` selects gates when it matches one of them.
_GATE_MARKS = ({"release"},)


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
        "--release-strict",
        action="store_true",
        help="fail gates that would otherwise skip for lack of a fact (on in CI tag builds)",
    )


def _selects_gates(config: pytest.Config, pyproject: Path) -> bool:
    """True when `-m` can match a gate, or a gate's node id is named on the command line."""
    markexpr: str = config.option.markexpr
    if markexpr:
        from _pytest.mark.expression import Expression  # noqa: PLC0415

        try:
            expression = Expression.compile(markexpr)
        except Exception:  # noqa: BLE001 - pytest reports a bad -m expression itself
            return False
        return any(
            expression.evaluate(lambda name, /, marks=marks, **kw: name in marks and not kw)
            for marks in _GATE_MARKS
        )
    invocation = config.invocation_params.dir
    return any(
        (invocation / arg.split("::")[0]).resolve() == pyproject
        for arg in getattr(config.option, "file_or_dir", None) or ()
    )


def _project_root(config: pytest.Config) -> Path | None:
    from release_checks.project import find_project_root  # noqa: PLC0415

    if (config.rootpath / "pyproject.toml").is_file():
        return config.rootpath
    return find_project_root(config.invocation_params.dir)


def pytest_configure(config: pytest.Config) -> None:
    """Register markers; when gates are selected, set up the run they share."""
    config.addinivalue_line("markers", "release: a release gate; run them with `pytest -m release`")
    root = _project_root(config)
    if root is None or not _selects_gates(config, (root / "pyproject.toml").resolve()):
        return
    from release_checks.config import parse_config  # noqa: PLC0415
    from release_checks.gates import GATE_IDS  # noqa: PLC0415
    from release_checks.project import load_pyproject, read_project  # noqa: PLC0415
    from release_checks.run import ReleaseRun, RunOptions  # noqa: PLC0415

    try:
        pyproject = load_pyproject(root)
        release_config = parse_config(pyproject, GATE_IDS)
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and _WORKER_DIR in workerinput:
        shared_dir = Path(workerinput[_WORKER_DIR])
    else:
        shared_dir = Path(tempfile.mkdtemp(prefix="release-checks-"))
        config.stash[_OWNED_DIR_KEY] = shared_dir
    release_dist = config.option.release_dist
    config.stash[RUN_KEY] = ReleaseRun(
        project=read_project(root, pyproject),
        config=release_config,
        options=RunOptions(
            release_tag=config.option.release_tag,
            release_dist=(config.invocation_params.dir / release_dist).resolve()
            if release_dist
            else None,
            strict=config.option.release_strict,
        ),
        shared_dir=shared_dir,
    )
    _add_gates_to_args(config, root / "pyproject.toml")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(shared_dir), "release_checks_xdist")


def _add_gates_to_args(config: pytest.Config, pyproject: Path) -> None:
    """Collect pyproject.toml (where the gates live) even when testpaths point elsewhere."""
    invocation = config.invocation_params.dir
    for arg in config.args:
        path = (invocation / arg.split("::")[0]).resolve()
        if path == pyproject.resolve() or pyproject.resolve().is_relative_to(path):
            return
    config.args.append(str(pyproject))


class _XdistHooks:
    """Hands the run's shared directory to every xdist worker."""

    def __init__(self, shared_dir: Path) -> None:
        self.shared_dir = shared_dir

    def pytest_configure_node(self, node: object) -> None:
        node.workerinput[_WORKER_DIR] = str(self.shared_dir)  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's temporary builds and environments, also after a failure or Ctrl-C."""
    owned = config.stash.get(_OWNED_DIR_KEY, None)
    if owned is not None:
        shutil.rmtree(owned, ignore_errors=True)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect the built-in gates as items of the project's pyproject.toml."""
    run = parent.config.stash.get(RUN_KEY, None)
    if run is None or file_path != run.root / "pyproject.toml":
        return None
    from release_checks.collect import GatesFile  # noqa: PLC0415

    return GatesFile.from_parent(parent, path=file_path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a run without ``-m``, deselect release-marked tests the user did not name."""
    if config.option.markexpr:
        return
    named = _named_files_and_nodes(config)
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        wanted = item.get_closest_marker("release") is None or any(
            item.nodeid.startswith(prefix) for prefix in named
        )
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _named_files_and_nodes(config: pytest.Config) -> list[str]:
    """Node-id prefixes of the files and node ids given on the command line (not directories)."""
    named = []
    for arg in getattr(config.option, "file_or_dir", None) or ():
        path_part, separator, rest = arg.partition("::")
        path = (config.invocation_params.dir / path_part).resolve()
        if path.is_file() and path.is_relative_to(config.rootpath):
            named.append(path.relative_to(config.rootpath).as_posix() + separator + rest)
    return named


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Show which release is checked and where its tag and dists come from."""
    run = config.stash.get(RUN_KEY, None)
    if run is None or hasattr(config, "workerinput"):
        return []
    release = run.context(may_build=not config.option.collectonly)
    tag = release.tag
    version = release.version or f"(version unknown: {release.problem or 'not built yet'})"
    lines = [
        f"release-checks: {release.project} {version}",
        f"  tag: {tag.name} ({tag.source})" if tag else "  tag: none found",
        f"  dists: {release.dists}",
    ]
    if run.strict:
        lines.append("  strict: gates that cannot decide fail instead of skipping")
    return lines
