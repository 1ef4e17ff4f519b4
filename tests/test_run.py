"""`ReleaseRun.prepare`: the background work a whole gate run starts before its gates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from release_checks import background
from release_checks.packages import prebuild
from release_checks.run import ReleaseRun
from release_checks.shared import recorded
from release_checks.venvs import FreshVenv, ProbeReport
from tests.factory import make_project, release_run


def probe_record(run: ReleaseRun) -> ProbeReport | None:
    return recorded(run.shared_dir, f"probe-{run.interpreter().key}", ProbeReport)


def test_the_release_is_installed_and_imported_before_its_gate_asks(tmp_path: Path) -> None:
    run = release_run(make_project(tmp_path / "demo").root, tmp_path / "shared")
    run.want_venv()

    for thread in prebuild([run], workers=1):
        thread.join()

    report = probe_record(run)
    assert report is not None
    assert report.version == "1.2.3"
    assert [outcome.name for outcome in report.imports if outcome.ok] == ["demo"]
    assert run.import_probe() == report  # the gate reads the record


def test_without_the_environment_gate_only_the_dists_are_built(tmp_path: Path) -> None:
    run = release_run(make_project(tmp_path / "demo").root, tmp_path / "shared")

    run.prepare()

    assert run.known_dists() is not None
    assert recorded(run.shared_dir, f"venv-{run.interpreter().key}", FreshVenv) is None
    assert probe_record(run) is None


@pytest.fixture
def cancelled() -> Iterator[None]:
    background.stop(kill=True)
    try:
        yield
    finally:
        background.resume()


@pytest.mark.usefixtures("cancelled")
def test_an_interrupted_run_starts_no_environment(tmp_path: Path) -> None:
    run = release_run(make_project(tmp_path / "demo").root, tmp_path / "shared")
    run.want_venv()

    run.prepare()

    assert run.known_dists() is not None
    assert recorded(run.shared_dir, f"venv-{run.interpreter().key}", FreshVenv) is None
    assert recorded(run.shared_dir, f"venv-{run.interpreter().key}-base", FreshVenv) is None
