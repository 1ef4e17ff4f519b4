"""The manifest of verified files: written by a passing run, checked right before upload."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from release_checks.errors import FactError
from release_checks.manifest import read_manifest, sha256_of, verify_manifest, write_manifest
from tests.factory import make_project
from tests.scenarios import build_dists_into


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    directory = tmp_path / "dist"
    directory.mkdir()
    (directory / "demo-1.2.3.tar.gz").write_bytes(b"sdist bytes")
    (directory / "demo-1.2.3-py3-none-any.whl").write_bytes(b"wheel bytes")
    return directory


def test_written_manifest_verifies_and_sha256sum_agrees(dist: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "release.sha256"
    text = write_manifest(sorted(dist.iterdir()), manifest)

    assert text.splitlines() == [
        f"{sha256_of(dist / 'demo-1.2.3-py3-none-any.whl')}  demo-1.2.3-py3-none-any.whl",
        f"{sha256_of(dist / 'demo-1.2.3.tar.gz')}  demo-1.2.3.tar.gz",
    ]
    assert verify_manifest(manifest, dist) == []
    if shutil.which("sha256sum"):
        check = subprocess.run(
            ["sha256sum", "--check", "--strict", str(manifest)],
            cwd=dist,
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_swapped_missing_and_extra_files_are_refused(dist: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "release.sha256"
    write_manifest(sorted(dist.iterdir()), manifest)
    (dist / "demo-1.2.3-py3-none-any.whl").write_bytes(b"rebuilt wheel")
    (dist / "demo-1.2.3.tar.gz").unlink()
    (dist / "demo-1.2.4-py3-none-any.whl").write_bytes(b"another release")
    (dist / "notes.txt").write_text("not a distribution file", encoding="utf-8")

    problems = verify_manifest(manifest, dist)

    assert len(problems) == 3, problems
    assert problems[0].startswith("demo-1.2.3-py3-none-any.whl: sha256 is ")
    assert "not the file the gates passed" in problems[0]
    assert problems[1] == f"demo-1.2.3.tar.gz: verified, but missing from {dist}"
    assert problems[2].startswith("demo-1.2.4-py3-none-any.whl: in ")
    assert "never verified" in problems[2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "lists no file"),
        ("abc  demo-1.2.3.tar.gz\n", ":1: not a manifest line"),
        (f"{'0' * 64}  ../evil.whl\n", ":1: not a manifest line"),
    ],
    ids=["empty", "short-digest", "path-in-name"],
)
def test_malformed_manifest_names_the_line(tmp_path: Path, text: str, message: str) -> None:
    manifest = tmp_path / "release.sha256"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(FactError, match=message):
        read_manifest(manifest)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "release_checks.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_passing_run_writes_the_manifest_and_the_cli_verifies_it(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    project = make_project(project_root)
    dist = pytester.path / "dist"
    build_dists_into(project, dist)
    manifest = pytester.path / "release.sha256"

    result = pytester.runpytest_subprocess(
        "-m", "release and not network", f"--release-dist={dist}", f"--release-manifest={manifest}"
    )

    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.stdout.fnmatch_lines([f"release-checks: manifest written to {manifest} (2 files)"])
    assert set(read_manifest(manifest)) == {path.name for path in dist.iterdir()}
    verified = _cli("verify-manifest", str(manifest), str(dist), cwd=pytester.path)
    assert verified.returncode == 0, verified.stderr
    assert "holds exactly the files" in verified.stdout

    wheel = next(dist.glob("*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"\0")
    refused = _cli("verify-manifest", str(manifest), str(dist), cwd=pytester.path)
    assert refused.returncode == 1
    assert f"{wheel.name}: sha256 is " in refused.stderr
    assert "Traceback" not in refused.stderr


def test_failing_run_removes_a_stale_manifest(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    project = make_project(project_root, changelog="# Changelog\n")
    dist = pytester.path / "dist"
    build_dists_into(project, dist)
    manifest = pytester.path / "release.sha256"
    manifest.write_text(f"{'0' * 64}  old-1.0.tar.gz\n", encoding="utf-8")

    result = pytester.runpytest_subprocess(
        "-m", "release and not network", f"--release-dist={dist}", f"--release-manifest={manifest}"
    )

    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [f"release-checks: manifest not written to {manifest}: the run did not pass"]
    )
    assert not manifest.exists()


def test_manifest_without_release_dist_is_a_usage_error(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    make_project(project_root)
    result = pytester.runpytest_subprocess("-m", "release", "--release-manifest=out.sha256")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--release-manifest needs --release-dist=DIR*"])
    assert "Traceback" not in result.stderr.str()
