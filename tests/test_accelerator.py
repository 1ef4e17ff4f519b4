"""The uv accelerator: chosen as configured, and the same verdicts with it and without it."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from release_checks.accelerator import ENV_VAR, choose_uv, find_uv
from release_checks.builder import build_dists_and_tree_wheel
from release_checks.config import parse_config
from release_checks.errors import ConfigError
from release_checks.venvs import create_base, create_venv, probe
from tests.factory import make_project

UV = find_uv()
needs_uv = pytest.mark.skipif(UV is None, reason="uv is not installed (the `uv` extra)")
ACCELERATORS = [
    pytest.param(None, id="pip"),
    pytest.param(UV, id="uv", marks=needs_uv),
]


def test_none_turns_uv_off_and_the_variable_overrides_the_config() -> None:
    assert choose_uv("none", {}) is None
    assert choose_uv("uv", {ENV_VAR: "none"}) is None
    assert choose_uv("auto", {}) == UV


def test_an_unknown_accelerator_in_the_variable_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"RELEASE_CHECKS_ACCELERATOR='fast' .* auto, uv, none"):
        choose_uv("auto", {ENV_VAR: "fast"})


def test_an_unknown_accelerator_in_the_config_is_refused() -> None:
    table = {"tool": {"release-checks": {"accelerator": "turbo"}}}
    with pytest.raises(ConfigError, match=r"`tool.release-checks.accelerator` must be one of"):
        parse_config(table)


def test_asking_for_uv_without_uv_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uv", None)  # the package is not installed
    monkeypatch.setenv("PATH", "")
    assert find_uv() is None
    assert choose_uv("auto", {}) is None
    with pytest.raises(ConfigError, match=r"pip install 'pytest-release-checks\[uv\]'"):
        choose_uv("uv", {})


def _members(path: str) -> list[str]:
    with zipfile.ZipFile(path) as wheel:
        return sorted(wheel.namelist())


@pytest.mark.parametrize("uv", ACCELERATORS)
def test_build_gives_the_same_dists_either_way(tmp_path: Path, uv: str | None) -> None:
    project = make_project(tmp_path / "demo", "setuptools-scm")
    before = project.status()
    dists, tree = build_dists_and_tree_wheel(
        project.root, tmp_path / "dist", tmp_path / "tree", timeout=600, uv=uv
    )
    assert dists.error is None
    assert tree is not None
    assert tree.error is None
    assert tree.wheel is not None
    assert [Path(path).name for path in dists.files] == [
        "demo-1.2.3.tar.gz",
        "demo-1.2.3-py3-none-any.whl",
    ]
    assert _members(dists.wheels[0]) == _members(tree.wheel)
    assert project.status() == before  # the concurrent tree build left nothing behind


@pytest.mark.parametrize("uv", ACCELERATORS)
def test_a_base_replaces_what_a_broken_off_attempt_left(tmp_path: Path, uv: str | None) -> None:
    """A build that raised is tried again by the next gate; its environment must not clash."""
    left = tmp_path / "venv"
    (left / "bin").mkdir(parents=True)
    (left / "pyvenv.cfg").write_text("home = /nowhere\n", encoding="utf-8")

    base = create_base(left, timeout=300, uv=uv)

    assert base.error is None, base.install_log
    assert Path(base.python).is_file()


@pytest.mark.parametrize("uv", ACCELERATORS)
def test_fresh_venv_installs_and_refuses_the_same_either_way(
    tmp_path: Path, uv: str | None
) -> None:
    project = make_project(tmp_path / "demo")
    dists, _ = build_dists_and_tree_wheel(
        project.root, tmp_path / "dist", tmp_path / "tree", timeout=600, uv=uv
    )
    wheel = Path(dists.wheels[0])
    venv = create_venv(tmp_path / "venv", wheel, has_dependencies=False, timeout=300, uv=uv)
    assert venv.error is None, venv.install_log
    report = probe(venv, "demo", ["demo"])
    assert report.version == "1.2.3"
    assert [outcome.ok for outcome in report.imports] == [True]
    # A dependency that exists on no index: both installers refuse the wheel.
    broken = make_project(tmp_path / "broken", name="broken")
    broken.append("pyproject.toml", "")
    text = (broken.root / "pyproject.toml").read_text(encoding="utf-8")
    (broken.root / "pyproject.toml").write_text(
        text.replace("dependencies = []", 'dependencies = ["no-such-dist-anywhere-x7q"]'),
        encoding="utf-8",
    )
    broken.commit("Depend on nothing that exists")
    built, _ = build_dists_and_tree_wheel(
        broken.root, tmp_path / "dist2", tmp_path / "tree2", timeout=600, uv=uv
    )
    failed = create_venv(
        tmp_path / "venv2", Path(built.wheels[0]), has_dependencies=False, timeout=300, uv=uv
    )
    assert failed.error is not None
    assert failed.error.endswith(" install broken-1.2.3-py3-none-any.whl` failed")
    assert "no-such-dist-anywhere-x7q" in failed.install_log


UNDECLARED = (
    '"""demo: a test project."""\n\nimport no_such_module_x7q  # noqa\n\n__version__ = "1.2.3"\n'
)


@pytest.mark.parametrize("accelerator", ["none", pytest.param("uv", marks=needs_uv)])
@pytest.mark.parametrize("healthy", [True, False], ids=["healthy", "undeclared-import"])
def test_gates_give_the_same_verdicts_either_way(
    pytester: pytest.Pytester,
    project_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    accelerator: str,
    healthy: bool,
) -> None:
    project = make_project(project_root)
    if not healthy:
        (project.package_dir / "__init__.py").write_text(UNDECLARED, encoding="utf-8")
        project.commit("Import a module nothing installs")
        project.git("tag", "-f", "-a", "v1.2.3", "-m", "Release 1.2.3")
    monkeypatch.setenv(ENV_VAR, accelerator)
    result = pytester.runpytest_subprocess(
        "-m", "release and not network", "-p", "no:cacheprovider", "-rA"
    )
    output = result.stdout.str()
    verdict = "PASSED pyproject.toml::test_wheel_works_in_fresh_venv"
    if healthy:
        assert result.ret == 0, output
        assert verdict in output
        assert "creating the fresh virtualenv, meanwhile ... done" in output
        return
    assert result.ret == 1, output
    assert "FAILED pyproject.toml::test_wheel_works_in_fresh_venv" in output
    assert "No module named 'no_such_module_x7q'" in output
    failed = {line.split(" - ")[0] for line in output.splitlines() if line.startswith("FAILED")}
    # the verdicts apart from the venv gate's are the healthy project's
    assert failed == {"FAILED pyproject.toml::test_wheel_works_in_fresh_venv"}


@pytest.mark.parametrize("uv", ACCELERATORS)
def test_a_member_outside_the_environment_is_refused_either_way(
    tmp_path: Path, uv: str | None
) -> None:
    """pip refuses such a wheel; uv would skip the file, so the run refuses it for uv too."""
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/__init__.py", "")
        archive.writestr("../evil.py", "print('outside')\n")
        archive.writestr(
            "demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
        )
        archive.writestr(
            "demo-1.0.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        archive.writestr("demo-1.0.dist-info/RECORD", "")

    venv = create_venv(tmp_path / "venv", wheel, has_dependencies=False, timeout=300, uv=uv)

    assert venv.error is not None
    assert venv.error.endswith(f"pip install {wheel.name}` failed")
    assert "trying to install outside the target directory" in venv.install_log
