"""Bad input, one test per case: a clear gate failure, a skip or a usage error, never a crash.

Every case runs the plugin as users do (a pytest subprocess in a real project) and checks,
besides its own outcome and message, what every run must show: no INTERNALERROR and no
traceback, an end within a bound, the project tree exactly as it was (every file's bytes
and mode, and `git status`), and nothing left in the temporary directory. The last test
presses Ctrl-C during a build.

The artifact cases (corrupt wheel, wheel without METADATA, truncated sdist, `../` member) doctor
copies of one build of the hatchling template (`build_template`), shared with other modules.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factory import FixtureProject, build_template, make_project
from tests.scenarios import _TRACEBACK, GateReport, describe, read_junit, tree_state
from tests.test_credentials import github

WHEEL = "demo-1.2.3-py3-none-any.whl"
SDIST = "demo-1.2.3.tar.gz"
# A whole run on a loaded two-core machine; a hang shows up as a pytester timeout.
RUN_BOUND = 240.0
# The gates that cost most (a fresh virtualenv, a second wheel built from the tree): cases
# about git and tags deselect them, since nothing there depends on them; changelog cases
# select the changelog gate alone.
LEAN = (
    "--deselect=pyproject.toml::test_wheel_works_in_fresh_venv",
    "--deselect=pyproject.toml::test_wheel_equivalent_to_tree_build",
)
# Python's report of an exception raised while another was handled: noise for the user.
_CHAINED = "During handling of the above exception"
# Directories of the project that git, pytest and its plugins write on their own.
_NOT_OURS = (".git", ".pytest_cache", ".benchmarks")


# Running the gates and checking what every run must show


@dataclass(frozen=True)
class InnerRun:
    """An inner `pytest -m release` run: exit code, output and each gate's JUnit report."""

    ret: int
    stdout: str
    stderr: str
    reports: dict[str, GateReport]

    def details(self) -> str:
        return f"{describe(self.reports)}\n--- stdout:\n{self.stdout}\n--- stderr:\n{self.stderr}"


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every path under `root` with its mode and content hash (or link target).

    `.git/` is git's own (a `git status` refreshes its index); `.pytest_cache/` and the empty
    `.benchmarks/` belong to pytest and pytest-benchmark, not to the plugin: all are left out.
    """
    found = {}
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [name for name in subdirs if name not in _NOT_OURS]
        for name in (*subdirs, *files):
            path = Path(directory, name)
            mode = path.lstat().st_mode
            if path.is_symlink():
                content = str(path.readlink())
            elif path.is_file():
                content = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                content = ""
            found[path.relative_to(root).as_posix()] = (mode, content)
    return found


@dataclass(frozen=True)
class TreeState:
    files: dict[str, tuple[int, str]]
    git: list[str] | None

    @classmethod
    def of(cls, root: Path) -> TreeState:
        in_git = (root / ".git").exists()
        project = FixtureProject(root=root, name="demo", module="demo", package_dir=root)
        return cls(files=snapshot(root), git=tree_state(project) if in_git else None)


def temp_dir() -> Path:
    return Path(os.environ["TMPDIR"])


def left_in_temp_dir() -> list[str]:
    return sorted(path.name for path in temp_dir().iterdir())


@pytest.fixture(autouse=True)
def _inner_temp_dir(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """A TMPDIR of its own for the inner runs, so what they leave behind can be seen."""
    tmp = pytester.path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))


def run_gates(
    pytester: pytest.Pytester,
    root: Path,
    *args: str,
    markexpr: str = "release and not network",
    wrap: tuple[str, ...] = (),
    bound: float = RUN_BOUND,
) -> InnerRun:
    """Run `pytest -m release` in `root` and check what every run must show, whatever the case.

    `wrap` is a command prefix the inner pytest runs under (a mount namespace, say).
    """
    before = TreeState.of(root)
    report = pytester.path / "report.xml"
    report.unlink(missing_ok=True)
    pytest_args = ("-m", markexpr, f"--junit-xml={report}", *args)
    started = time.monotonic()
    if wrap:
        basetemp = pytester.path / "basetemp"
        command = (*wrap, sys.executable, "-m", "pytest", f"--basetemp={basetemp}")
        result = pytester.run(*command, *pytest_args, timeout=bound)
    else:
        result = pytester.runpytest_subprocess(*pytest_args, timeout=bound)
    elapsed = time.monotonic() - started
    run = InnerRun(
        ret=result.ret,
        stdout=result.stdout.str(),
        stderr=result.stderr.str(),
        reports=read_junit(report) if report.exists() else {},
    )
    output = run.stdout + run.stderr
    assert elapsed < bound, f"took {elapsed:.0f} s\n{run.details()}"
    assert "INTERNALERROR" not in output, run.details()
    assert not _TRACEBACK.search(output), run.details()
    assert _CHAINED not in output, run.details()
    for gate, gate_report in run.reports.items():
        assert not _TRACEBACK.search(gate_report.text), f"{gate}: traceback\n{run.details()}"
        assert _CHAINED not in gate_report.text, f"{gate}: chained exception\n{run.details()}"
    after = TreeState.of(root)
    changed = sorted(set(before.files.items()) ^ set(after.files.items()))
    assert after == before, f"the run changed the tree: {changed}, {after.git}\n{run.details()}"
    assert left_in_temp_dir() == [], f"left in TMPDIR\n{run.details()}"
    return run


def expect_gates(
    run: InnerRun,
    *,
    failed: Mapping[str, tuple[str, ...]] | None = None,
    skipped: Mapping[str, tuple[str, ...]] | None = None,
    passed: tuple[str, ...] = (),
) -> None:
    """The named gates fail or skip with these words, or pass; no other gate fails."""
    failed = failed or {}
    expected = {
        **{gate: ("failed", text) for gate, text in failed.items()},
        **{gate: ("skipped", text) for gate, text in (skipped or {}).items()},
        **dict.fromkeys(passed, ("passed", ())),
    }
    for gate, (outcome, texts) in expected.items():
        assert gate in run.reports, f"{gate} did not run\n{run.details()}"
        report = run.reports[gate]
        assert report.outcome == outcome, f"{gate}: {report.outcome}\n{run.details()}"
        for text in texts:
            assert text in report.text, f"{gate}: {text!r} missing\n{run.details()}"
    others = [
        gate
        for gate, report in run.reports.items()
        if report.outcome in ("failed", "error") and gate not in failed
    ]
    assert not others, f"unexpected failures: {others}\n{run.details()}"
    exit_code = pytest.ExitCode.TESTS_FAILED if failed else pytest.ExitCode.OK
    assert run.ret == exit_code, f"exit code {run.ret}\n{run.details()}"


SKIPPED_FOR_BUILD = ("the distributions are not available — see test_dists_build",)


def expect_build_failure(run: InnerRun, *text: str) -> None:
    """test_dists_build fails with `text`; every gate that needs the dists skips, pointing at it."""
    expect_gates(run, failed={"test_dists_build": text})
    assert any(
        report.outcome == "skipped" and SKIPPED_FOR_BUILD[0] in report.text
        for report in run.reports.values()
    ), run.details()


# pyproject.toml


def test_malformed_pyproject_is_a_usage_error_naming_the_line(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    project = make_project(project_root)
    project.append("pyproject.toml", '\n[tool.release-checks]\ntag-prefix = "v\n')

    run = run_gates(pytester, project_root)

    # pytest reads pyproject.toml for its own configuration first, and says where it broke.
    assert run.ret == pytest.ExitCode.USAGE_ERROR, run.details()
    assert "pyproject.toml: Illegal character '\\n' (at line 29, column 16)" in run.stderr


def test_no_project_table(pytester: pytest.Pytester, project_root: Path) -> None:
    project = make_project(project_root, tag=None)
    pyproject = (project_root / "pyproject.toml").read_text(encoding="utf-8")
    project.write("pyproject.toml", pyproject.partition("[project]")[0])
    project.commit("Lose the [project] table")
    project.tag("v1.2.3")

    run = run_gates(pytester, project_root)

    expect_build_failure(
        run,
        "the build backend failed to build the sdist",
        "Missing `project` metadata table",
        "python -m build --sdist",
    )


def test_dynamic_version_not_bumped(pytester: pytest.Pytester, project_root: Path) -> None:
    project = make_project(project_root, tag=None)
    project.write(
        "pyproject.toml",
        (project_root / "pyproject.toml")
        .read_text(encoding="utf-8")
        .replace('version = "1.2.3"', 'dynamic = ["version"]')
        + '\n[tool.hatch.version]\npath = "src/demo/__init__.py"\n',
    )
    project.write("src/demo/__init__.py", '"""demo."""\n\n__version__ = "1.2.2"\n')
    project.commit("Take the version from __version__, which was not bumped")
    project.tag("v1.2.3")

    run = run_gates(pytester, project_root, *LEAN)

    expect_gates(
        run,
        failed={
            "test_versions_agree": (
                "the release version is 1.2.3 (from tag v1.2.3, at HEAD), but the dists say",
                "demo-1.2.2.tar.gz (PKG-INFO Version): 1.2.2",
                "demo-1.2.2-py3-none-any.whl (METADATA Version): 1.2.2",
            )
        },
    )


# git


def test_not_a_git_repository(pytester: pytest.Pytester, project_root: Path) -> None:
    make_project(project_root, tag=None)
    shutil.rmtree(project_root / ".git")

    run = run_gates(pytester, project_root, *LEAN)

    reason = f"{project_root} is not a git repository"
    expect_gates(
        run,
        skipped={"test_head_carries_tag": (reason,), "test_sdist_matches_git[sdist]": (reason,)},
        passed=("test_dists_build", "test_versions_agree", "test_changelog_has_entry"),
    )
    assert "tag: v1.2.3 (planned" in run.stdout


def test_git_not_installed(pytester: pytest.Pytester, project_root: Path) -> None:
    make_project(project_root)
    bin_dir = pytester.path / "bin-without-git"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    # The inner run only: the checks around it use git.
    run = run_gates(pytester, project_root, *LEAN, wrap=("/usr/bin/env", f"PATH={bin_dir}"))

    reason = "git is not installed (or not on PATH)"
    expect_gates(
        run,
        skipped={"test_head_carries_tag": (reason,), "test_sdist_matches_git[sdist]": (reason,)},
        passed=("test_dists_build", "test_versions_agree", "test_changelog_has_entry"),
    )
    assert f"tag: v1.2.3 (planned from the built version: {reason}" in run.stdout, run.details()


def test_shallow_clone_in_a_tag_build(
    pytester: pytest.Pytester, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = make_project(pytester.path / "origin")
    origin.commit("A commit after the tag")
    subprocess.run(
        ["git", "clone", "-q", "--depth=1", "--no-tags", origin.root.as_uri(), str(project_root)],
        check=True,
    )
    # What a tag build with `actions/checkout`'s default fetch-depth of 1 looks like.
    monkeypatch.setenv("GITHUB_REF_TYPE", "tag")
    monkeypatch.setenv("GITHUB_REF_NAME", "v1.2.3")

    run = run_gates(pytester, project_root, *LEAN)

    expect_gates(
        run,
        failed={
            "test_head_carries_tag": (
                "tag v1.2.3 (GitHub Actions tag build) does not exist in this clone",
                "This is a shallow clone: fetch tags (`fetch-depth: 0`).",
            ),
        },
    )


def test_detached_head_at_the_tag(pytester: pytest.Pytester, project_root: Path) -> None:
    project = make_project(project_root)
    project.write("NOTES.md", "Work after the release.\n")
    project.commit("After the release")
    project.git("checkout", "-q", "v1.2.3")

    run = run_gates(pytester, project_root, *LEAN)

    expect_gates(run, passed=("test_head_carries_tag", "test_versions_agree"))
    assert "tag: v1.2.3 (at HEAD)" in run.stdout


def test_no_tags_at_all(pytester: pytest.Pytester, project_root: Path) -> None:
    make_project(project_root, tag=None)

    run = run_gates(pytester, project_root, *LEAN)

    expect_gates(
        run,
        skipped={
            "test_head_carries_tag": (
                "tag v1.2.3 does not exist yet (planned: no release tag at HEAD",
                "git tag -a v1.2.3 -m 'Release 1.2.3' && git push origin v1.2.3",
            )
        },
        passed=("test_tag_is_pep440", "test_versions_agree", "test_changelog_has_entry"),
    )


@pytest.mark.parametrize("annotated", [False, True], ids=["lightweight", "annotated"])
def test_lightweight_and_annotated_tags_are_both_release_tags(
    pytester: pytest.Pytester, project_root: Path, annotated: bool
) -> None:
    # setuptools-scm reads the version from the tag too (`git describe --tags`).
    project = make_project(project_root, "setuptools-scm", tag=None)
    project.tag("v1.2.3", annotated=annotated)

    run = run_gates(pytester, project_root, *LEAN)

    expect_gates(run, passed=("test_head_carries_tag", "test_versions_agree"))
    assert "release-checks: demo 1.2.3\n  tag: v1.2.3 (at HEAD)" in run.stdout


def test_two_release_tags_on_head(pytester: pytest.Pytester, project_root: Path) -> None:
    project = make_project(project_root)
    project.tag("v1.2.4")

    run = run_gates(pytester, project_root, *LEAN)

    expect_gates(
        run,
        failed={
            "test_versions_agree": (
                "the release version is 1.2.4 (from tag v1.2.4, at HEAD; also at HEAD: v1.2.3)",
                "demo-1.2.3.tar.gz (PKG-INFO Version): 1.2.3",
            ),
            "test_changelog_has_entry": ("CHANGELOG.md has no section for 1.2.4",),
        },
    )


# The changelog


def _with_changelog(root: Path, data: bytes) -> None:
    project = make_project(root, tag=None)
    (root / "CHANGELOG.md").write_bytes(data)
    project.commit("Change the changelog")
    project.tag("v1.2.3")


def test_changelog_not_utf8(pytester: pytest.Pytester, project_root: Path) -> None:
    _with_changelog(project_root, "# Changelog\n\n## 1.2.3\n\n- Café support.\n".encode("cp1252"))

    run = run_gates(pytester, project_root, "-k", "changelog")

    expect_gates(
        run,
        failed={
            "test_changelog_has_entry": (
                "CHANGELOG.md is not valid UTF-8: byte 0xe9 at line 5, column 6;",
                "re-save it as UTF-8",
            )
        },
    )


def test_changelog_empty(pytester: pytest.Pytester, project_root: Path) -> None:
    _with_changelog(project_root, b"")

    run = run_gates(pytester, project_root, "-k", "changelog")

    expect_gates(
        run,
        failed={
            "test_changelog_has_entry": (
                "CHANGELOG.md is empty: add a section for 1.2.3",
                "1.2.3 - YYYY-MM-DD",
            )
        },
    )


def test_changelog_huge(pytester: pytest.Pytester, project_root: Path) -> None:
    lines = ["# Changelog", "", "## [1.2.3] - 2026-11-21", "", "- The `demo` command."]
    for number in range(100_000, 0, -1):
        lines += ["", f"## [0.{number}.0] - 2020-01-01", "", f"- Change number {number}."]
    _with_changelog(project_root, "\n".join(lines).encode())
    assert (project_root / "CHANGELOG.md").stat().st_size > 5_000_000

    started = time.monotonic()
    run = run_gates(pytester, project_root, "-k", "changelog")

    expect_gates(run, passed=("test_changelog_has_entry",))
    assert time.monotonic() - started < 60


# Prebuilt artifacts


@pytest.fixture
def doctored(
    tmp_path_factory: pytest.TempPathFactory, pytester: pytest.Pytester, project_root: Path
) -> Path:
    """The tagged hatchling template in `project_root`, and a copy of its build to doctor."""
    make_project(project_root)
    built = build_template(tmp_path_factory, "hatchling")
    assert built.error is None, built.error
    out = pytester.path / "dist"
    out.mkdir()
    for path in built.files:
        shutil.copy(path, out)
    return out


def test_corrupt_wheel_zip(pytester: pytest.Pytester, project_root: Path, doctored: Path) -> None:
    wheel = doctored / WHEEL
    wheel.write_bytes(wheel.read_bytes()[:-200])  # the central directory is at the end

    run = run_gates(pytester, project_root, f"--release-dist={doctored}")

    expect_build_failure(
        run,
        f"--release-dist {doctored}: {WHEEL}: the archive cannot be read (File is not a zip "
        "file); it is corrupt or truncated: rebuild it with `python -m build`",
    )


def test_wheel_without_metadata(
    pytester: pytest.Pytester, project_root: Path, doctored: Path
) -> None:
    """A readable zip that lost its METADATA: the gates that need it say so, without a chain."""
    wheel = doctored / WHEEL
    with zipfile.ZipFile(wheel) as archive:
        members = {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if not info.filename.endswith("/METADATA")
        }
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)

    run = run_gates(pytester, project_root, f"--release-dist={doctored}", *LEAN)

    unreadable = f"{WHEEL}: cannot read its core metadata (No METADATA in archive"
    expect_gates(
        run,
        failed={
            "test_versions_agree": (unreadable, "rebuild it with `python -m build`"),
            f"test_metadata_passes_twine_check[{WHEEL}]": (unreadable,),
            f"test_wheel_filename_matches_metadata[{WHEEL}]": (
                "`demo-1.2.3.dist-info/METADATA` is missing: the wheel has no core metadata",
            ),
            f"test_wheel_record_matches_contents[{WHEEL}]": (
                "RECORD lists `demo-1.2.3.dist-info/METADATA`, which is not in the archive",
            ),
        },
    )


def test_truncated_sdist(pytester: pytest.Pytester, project_root: Path, doctored: Path) -> None:
    sdist = doctored / SDIST
    sdist.write_bytes(sdist.read_bytes()[: sdist.stat().st_size // 2])

    run = run_gates(pytester, project_root, f"--release-dist={doctored}")

    expect_build_failure(
        run,
        f"--release-dist {doctored}: {SDIST}: the archive cannot be read (Compressed file ended "
        "before the end-of-stream marker was reached); it is corrupt or truncated",
    )


def test_wheel_member_with_dotdot_in_its_path(
    pytester: pytest.Pytester, project_root: Path, doctored: Path
) -> None:
    with zipfile.ZipFile(doctored / WHEEL, "a") as archive:
        archive.writestr("../evil.py", "print('written outside site-packages')\n")

    run = run_gates(pytester, project_root, f"--release-dist={doctored}")

    expect_gates(
        run,
        failed={
            f"test_archive_is_safe_to_extract[{WHEEL}]": (
                f"{WHEEL} has members that are unsafe to extract:",
                (
                    "`../evil.py`: a `..` component, so an extractor without a filter writes it "
                    "outside the target directory (path traversal)"
                ),
            ),
            f"test_wheel_record_matches_contents[{WHEEL}]": (
                "`../evil.py` is in the archive but not in RECORD",
            ),
            f"test_wheel_modules_are_importable[{WHEEL}]": ("`..` is not a Python identifier",),
            f"test_wheel_equivalent_to_tree_build[{WHEEL}]": (
                "../evil.py: only in the prebuilt wheel",
            ),
            "test_wheel_works_in_fresh_venv": (
                f"pip install {WHEEL}` failed",  # `pip` or, accelerated, `uv pip`
                "trying to install outside the target directory",
            ),
        },
    )


@pytest.mark.parametrize("state", ["empty", "missing"])
def test_release_dist_directory_empty_or_missing(
    pytester: pytest.Pytester, project_root: Path, state: str
) -> None:
    make_project(project_root)
    dist = pytester.path / "dist"
    if state == "empty":
        dist.mkdir()
    problem = "it holds no .tar.gz or .whl file" if state == "empty" else "no such directory"

    run = run_gates(pytester, project_root, f"--release-dist={dist}")

    expect_build_failure(run, f"--release-dist {dist}: {problem}")


# The build backend


def _in_tree_backend(root: Path, code: str, *, build_timeout: int | None = None) -> None:
    """A tagged project built by `backend.py` in `_build/` (PEP 517 `backend-path`)."""
    project = make_project(root, tag=None)
    pyproject = (
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n\n'
        '[project]\nname = "demo"\nversion = "1.2.3"\n'
    )
    if build_timeout is not None:
        pyproject += f"\n[tool.release-checks]\nbuild-timeout = {build_timeout}\n"
    project.write("pyproject.toml", pyproject)
    project.write("_build/backend.py", code)
    project.commit("Build with an in-tree backend")
    project.tag("v1.2.3")


def test_build_backend_missing(pytester: pytest.Pytester, project_root: Path) -> None:
    project = make_project(project_root, tag=None)
    project.write(
        "pyproject.toml",
        '[build-system]\nrequires = []\nbuild-backend = "demo_backend"\n\n'
        '[project]\nname = "demo"\nversion = "1.2.3"\n',
    )
    project.commit("Name a backend nothing installs")
    project.tag("v1.2.3")

    run = run_gates(pytester, project_root)

    expect_build_failure(
        run,
        "the build backend `demo_backend` (pyproject.toml `[build-system] build-backend`) "
        "cannot be imported: ModuleNotFoundError: No module named 'demo_backend'",
        "that `[build-system] requires` installs it",
    )


CRASHES = {
    "raises": (
        'def build_sdist(sdist_directory, config_settings=None):\n    raise RuntimeError("boom")\n',
        ("the build backend failed to build the sdist", "RuntimeError: boom"),
    ),
    "killed-by-a-signal": (
        (
            "import os, signal\n\n"
            "def build_sdist(sdist_directory, config_settings=None):\n"
            '    print("compiling", flush=True)\n'
            "    os.kill(os.getpid(), signal.SIGSEGV)\n"
        ),
        ("the build backend crashed (killed by SIGSEGV) while building the sdist", "compiling"),
    ),
}


@pytest.mark.parametrize("crash", CRASHES)
def test_build_backend_crashes(pytester: pytest.Pytester, project_root: Path, crash: str) -> None:
    code, text = CRASHES[crash]
    _in_tree_backend(project_root, code)

    run = run_gates(pytester, project_root)

    expect_build_failure(run, *text, "Reproduce it with `python -m build --sdist`.")


# A backend that never finishes: it starts a child of its own too, so the whole process group
# must go. It writes both process ids outside the tree once it is building.
HANGING_BACKEND = """
import os, pathlib, subprocess, sys, time

def build_sdist(sdist_directory, config_settings=None):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    marker = pathlib.Path(os.environ["HANGING_BACKEND_PIDS"])
    marker.write_text(f"{os.getpid()} {child.pid}")
    print("building for ever", flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """A process that still runs (a zombie waiting for a parent that is gone does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.fixture
def backend_pids(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = pytester.path / "backend-pids"
    monkeypatch.setenv("HANGING_BACKEND_PIDS", str(path))
    return path


def test_build_that_hangs_stops_at_the_timeout(
    pytester: pytest.Pytester, project_root: Path, backend_pids: Path
) -> None:
    _in_tree_backend(project_root, HANGING_BACKEND, build_timeout=5)

    run = run_gates(pytester, project_root, bound=90)

    expect_build_failure(
        run,
        "building the sdist did not finish within 5 s; raise `tool.release-checks.build-timeout` "
        "if the build is just slow",
        "building for ever",
    )
    pids = [int(pid) for pid in backend_pids.read_text(encoding="utf-8").split()]
    assert not [pid for pid in pids if _alive(pid)]


# The network


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("strict", [False, True], ids=["local", "strict"])
def test_no_network(pytester: pytest.Pytester, project_root: Path, strict: bool) -> None:
    make_project(project_root)
    index = f"http://127.0.0.1:{_closed_port()}/simple/"
    args = [f"--release-index={index}", *(["--release-strict"] if strict else [])]

    run = run_gates(pytester, project_root, *args, markexpr="release and network")

    reason: tuple[str, ...] = (
        (
            "cannot tell whether 1.2.3 is already on the index: could not read the page of demo "
            f"on {index} (from --release-index): connection failed"
        ),
        "Connection refused",
    )
    if strict:
        reason = (*reason, "(failing instead of skipping: --release-strict or a CI tag build)")
        expect_gates(run, failed={"test_version_not_on_index": reason})
    else:
        expect_gates(run, skipped={"test_version_not_on_index": reason})


# The file system


def _read_only_runner(root: Path) -> tuple[str, ...]:
    """A command prefix under which `root` cannot be written, or () if permissions do that.

    Root ignores permissions, so as root the inner pytest runs in a mount namespace of its own
    with the project bind-mounted read-only. Without that possibility it runs as root anyway,
    and the tree snapshot still shows that nothing was written.
    """
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(root)], check=True)
        return ()
    if (
        shutil.which("unshare") is None
        or subprocess.run(["unshare", "-m", "true"], check=False).returncode
    ):
        return ()
    remount = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    return ("unshare", "-m", "sh", "-c", remount, str(root))


@pytest.fixture
def read_only_project(project_root: Path) -> Iterator[tuple[str, ...]]:
    make_project(project_root)
    yield _read_only_runner(project_root)
    subprocess.run(["chmod", "-R", "u+w", str(project_root)], check=True)


def test_read_only_project_directory(
    pytester: pytest.Pytester, project_root: Path, read_only_project: tuple[str, ...]
) -> None:
    if read_only_project:
        probe = subprocess.run(
            [*read_only_project, "touch", str(project_root / "probe")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert "Read-only file system" in probe.stderr

    run = run_gates(pytester, project_root, wrap=read_only_project)

    expect_gates(
        run,
        passed=(
            "test_dists_build",
            "test_sdist_matches_git[sdist]",
            "test_wheel_works_in_fresh_venv",
        ),
    )


@pytest.mark.usefixtures("project_root")  # for its HOME and CI settings
def test_paths_with_spaces_and_non_ascii_characters(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    dist = pytester.path / "dist dir ø"
    dist.mkdir()
    for path in build_template(tmp_path_factory, "hatchling").files:
        shutil.copy(path, dist)
    root = pytester.path / "my projects é" / "prøject ünï"
    root.mkdir(parents=True)
    make_project(root)
    monkeypatch.chdir(root)
    tmp = pytester.path / "tmp dir ö"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))

    built = run_gates(pytester, root)
    prebuilt = run_gates(pytester, root, f"--release-dist={dist}", *LEAN)

    expect_gates(built, passed=("test_dists_build", "test_wheel_works_in_fresh_venv"))
    expect_gates(prebuilt, passed=("test_dists_build", "test_dist_dir_holds_only_this_release"))


# Secrets


def test_secret_in_an_artifact_is_never_printed_in_full(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    token = github(seed="bad-input")
    project = make_project(project_root, tag=None)
    project.write("src/demo/client.py", f'"""API client."""\n\nTOKEN = "{token}"\n')
    project.commit("Hard-code a token")
    project.tag("v1.2.3")
    report = pytester.path / "report.json"

    run = run_gates(pytester, project_root, "-v", "-rA", f"--release-report={report}", *LEAN)

    expect_gates(
        run,
        failed={
            f"test_no_secrets_shipped[{kind}]": ("a GitHub personal access token (ghp_…",)
            for kind in ("sdist", "wheel")
        },
    )
    shown = run.stdout + run.stderr + report.read_text(encoding="utf-8")
    shown += (pytester.path / "report.xml").read_text(encoding="utf-8")
    assert token[4:-2] not in shown


# Ctrl-C


@pytest.mark.parametrize("target", ["process", "process-group"])
def test_ctrl_c_during_the_build_cleans_up(
    pytester: pytest.Pytester, project_root: Path, backend_pids: Path, target: str
) -> None:
    """SIGINT to pytest alone (`kill -INT`), or to its process group, as a terminal sends it."""
    _in_tree_backend(project_root, HANGING_BACKEND)
    before = TreeState.of(project_root)
    log_path = pytester.path / "inner.log"
    with log_path.open("w") as log:
        inner = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-m", "release"],
            cwd=project_root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + RUN_BOUND
        while not backend_pids.exists() and inner.poll() is None:
            assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")
            time.sleep(0.1)
        assert inner.poll() is None, log_path.read_text(encoding="utf-8")
        assert [name for name in left_in_temp_dir() if name.startswith("release-checks-")]
        if target == "process":
            inner.send_signal(signal.SIGINT)
        else:
            os.killpg(inner.pid, signal.SIGINT)
        interrupted = time.monotonic()
        ret = inner.wait(timeout=60)
        took = time.monotonic() - interrupted
    finally:
        if inner.poll() is None:
            os.killpg(inner.pid, signal.SIGKILL)
            inner.wait()

    output = log_path.read_text(encoding="utf-8")
    assert ret == pytest.ExitCode.INTERRUPTED, output
    assert took < 30, output
    assert "KeyboardInterrupt" in output
    assert "INTERNALERROR" not in output
    assert not _TRACEBACK.search(output), output
    assert left_in_temp_dir() == [], output
    pids = [int(pid) for pid in backend_pids.read_text(encoding="utf-8").split()]
    assert not [pid for pid in pids if _alive(pid)]
    assert TreeState.of(project_root) == before
