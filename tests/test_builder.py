"""Real isolated builds: an sdist, a wheel from it, an untouched tree, and failures as text."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from release_checks.builder import build_dists
from release_checks.distset import DistSet
from tests.factory import FixtureProject, build_once, make_project

IN_TREE = """
    [build-system]
    requires = {requires}
    build-backend = "{module}"
    backend-path = ["_backend"]
    """

BROKEN_BACKEND = """
    from pathlib import Path


    def build_sdist(sdist_directory, config_settings=None):
        Path("_version.py").write_text("version = '1.0'\\n")  # left behind in the tree
        print("BROKEN-BACKEND: cannot work out the version", flush=True)
        raise RuntimeError("no version found")
    """

WHEEL_FAILS_BACKEND = """
    import io
    import tarfile
    from pathlib import Path

    PKG_INFO = b"Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n"


    def build_sdist(sdist_directory, config_settings=None):
        with tarfile.open(Path(sdist_directory) / "demo-1.0.tar.gz", "w:gz") as sdist:
            for name in ("pyproject.toml", "_backend/wheel_fails.py"):
                sdist.add(name, arcname=f"demo-1.0/{name}")
            info = tarfile.TarInfo("demo-1.0/PKG-INFO")
            info.size = len(PKG_INFO)
            sdist.addfile(info, io.BytesIO(PKG_INFO))
        return "demo-1.0.tar.gz"


    def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
        print("WHEEL-BACKEND: no C compiler found", flush=True)
        raise RuntimeError("no compiler")
    """

SLOW_BACKEND = """
    import os
    import time
    from pathlib import Path


    def build_sdist(sdist_directory, config_settings=None):
        Path(os.environ["SLOW_BACKEND_PID_FILE"]).write_text(str(os.getpid()))
        print("SLOW-BACKEND: started", flush=True)
        time.sleep(120)
        return "never.tar.gz"
    """


def backend_project(
    root: Path, module: str, source: str | None, *, requires: str = "[]", git: bool = True
) -> FixtureProject:
    """A project whose build backend is `source`, kept in the tree as `_backend/<module>.py`."""
    project = FixtureProject(root=root, name="demo", module="demo", package_dir=root)
    project.write("pyproject.toml", IN_TREE.format(requires=requires, module=module))
    if source is not None:
        project.write(f"_backend/{module}.py", source)
    else:
        (root / "_backend").mkdir()
    if git:
        project.git("init", "-q", "-b", "main")
        project.write(".gitignore", "dist/\n")
        project.commit()
    return project


def tree_state(root: Path) -> list[str]:
    """Every path under `root` outside `.git`, to show a build left nothing behind."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if ".git" not in path.relative_to(root).parts
    )


@pytest.fixture(scope="module")
def hatchling_build(tmp_path_factory: pytest.TempPathFactory) -> DistSet:
    """The healthy hatchling project `demo` 1.2.3, built once for the whole run."""
    return build_once(tmp_path_factory, "hatchling-demo", make_project)


def test_hatchling_builds_an_sdist_and_a_wheel(hatchling_build: DistSet) -> None:
    assert hatchling_build.error is None
    assert hatchling_build.sdist is not None
    assert Path(hatchling_build.sdist).name == "demo-1.2.3.tar.gz"
    assert [Path(wheel).name for wheel in hatchling_build.wheels] == ["demo-1.2.3-py3-none-any.whl"]
    assert all(path.is_file() for path in hatchling_build.files)
    out_dir = Path(hatchling_build.sdist).parent
    assert sorted(path.name for path in out_dir.iterdir()) == [
        "demo-1.2.3-py3-none-any.whl",
        "demo-1.2.3.tar.gz",
    ]


def test_setuptools_scm_build_leaves_the_tree_as_found(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo", "setuptools-scm")
    project.write("notes.txt", "untracked, the user's own\n")
    project.write("build/keep.txt", "ignored, the user's own\n")
    before = project.git("status", "--porcelain", "--ignored")
    dists = build_dists(project.root, tmp_path / "out", timeout=600)
    assert dists.error is None
    assert dists.where == str(project.root)
    assert dists.sdist is not None
    assert Path(dists.sdist).name == "demo-1.2.3.tar.gz"  # version from the v1.2.3 tag
    assert [Path(wheel).name for wheel in dists.wheels] == ["demo-1.2.3-py3-none-any.whl"]
    # setuptools writes src/demo.egg-info into the tree while building the sdist
    assert project.git("status", "--porcelain", "--ignored") == before
    assert not (project.package_dir.parent / "demo.egg-info").exists()
    assert (project.root / "build/keep.txt").is_file()
    assert (project.root / "notes.txt").is_file()


@pytest.mark.parametrize("git", [True, False], ids=["git-tree", "plain-tree"])
def test_backend_failure_is_reported_with_its_output(tmp_path: Path, git: bool) -> None:
    project = backend_project(tmp_path / "demo", "broken_backend", BROKEN_BACKEND, git=git)
    before = tree_state(project.root)
    dists = build_dists(project.root, tmp_path / "out", timeout=120)
    assert dists.error is not None
    assert dists.sdist is None
    assert dists.wheels == ()
    assert "the build backend failed to build the sdist" in dists.error
    assert "BROKEN-BACKEND: cannot work out the version" in dists.error
    assert "RuntimeError: no version found" in dists.error
    assert dists.error.endswith("Reproduce it with `python -m build --sdist`.")
    assert tree_state(project.root) == before


def test_missing_backend_is_reported(tmp_path: Path) -> None:
    project = backend_project(tmp_path / "demo", "no_such_backend_module", None)
    dists = build_dists(project.root, tmp_path / "out", timeout=120)
    assert dists.error is not None
    assert "no_such_backend_module" in dists.error
    assert "Reproduce it with `python -m build --sdist`." in dists.error


def test_wheel_failure_names_the_wheel_step(tmp_path: Path) -> None:
    project = backend_project(tmp_path / "demo", "wheel_fails", WHEEL_FAILS_BACKEND)
    dists = build_dists(project.root, tmp_path / "out", timeout=120)
    assert dists.error is not None
    assert "the build backend failed to build the wheel" in dists.error
    assert "WHEEL-BACKEND: no C compiler found" in dists.error
    assert "Reproduce it with `python -m build --wheel`." in dists.error


def test_uninstallable_build_requirement(tmp_path: Path) -> None:
    missing = (tmp_path / "nowhere" / "demo-helper").as_uri()
    project = backend_project(
        tmp_path / "demo",
        "broken_backend",
        BROKEN_BACKEND,
        requires=f'["demo-helper @ {missing}"]',
    )
    dists = build_dists(project.root, tmp_path / "out", timeout=120)
    assert dists.error is not None
    assert dists.error.startswith(
        "installing the build requirements for the sdist failed; check `[build-system] requires`"
    )
    assert "nowhere/demo-helper" in dists.error
    assert "BROKEN-BACKEND" not in dists.error  # the backend never ran


def test_a_hanging_build_is_stopped_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "backend.pid"
    monkeypatch.setenv("SLOW_BACKEND_PID_FILE", str(pid_file))
    project = backend_project(tmp_path / "demo", "slow_backend", SLOW_BACKEND)
    started = time.monotonic()
    dists = build_dists(project.root, tmp_path / "out", timeout=3)
    elapsed = time.monotonic() - started
    assert elapsed < 30
    assert dists.error is not None
    assert "building the sdist did not finish within 3 s" in dists.error
    assert "`tool.release-checks.build-timeout`" in dists.error
    assert "SLOW-BACKEND: started" in dists.error
    backend_pid = int(pid_file.read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):
        os.kill(backend_pid, 0)
