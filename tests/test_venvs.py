"""A fresh virtualenv with a really built wheel in it, and what importing it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_checks.distset import DistSet
from release_checks.venvs import FreshVenv, ImportOutcome, create_venv, probe
from tests.factory import FixtureProject, build_once, make_project

BROKEN_INIT = '''"""A package whose import fails: it needs a module nobody installed."""

import not_installed_dependency
'''


def make_two_packages(root: Path) -> FixtureProject:
    """`demo` imports fine; `broken` does not; two of the three scripts cannot load."""
    project = make_project(root, tag=None)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    scripts = (
        'demo = "demo.cli:main"\n'
        'demo-missing-attr = "demo.cli:nope"\n'
        'demo-missing-module = "demo.gone:main"\n'
    )
    wheel_packages = '\n[tool.hatch.build.targets.wheel]\npackages = ["src/demo", "src/broken"]\n'
    project.write(
        "pyproject.toml", pyproject.replace('demo = "demo.cli:main"\n', scripts) + wheel_packages
    )
    project.write("src/broken/__init__.py", BROKEN_INIT)
    project.commit("Add a broken package and broken scripts")
    project.tag("v1.2.3")
    return project


def make_with_dependency(root: Path) -> FixtureProject:
    """`demo` 1.2.3 requiring a distribution that no index is asked for."""
    project = make_project(root, tag=None)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    project.write(
        "pyproject.toml",
        pyproject.replace("dependencies = []", 'dependencies = ["demo-dependency-nobody-has>=1"]'),
    )
    project.commit("Depend on something")
    project.tag("v1.2.3")
    return project


def built_wheel(dists: DistSet) -> Path:
    assert dists.error is None, dists.error
    (wheel,) = dists.wheels
    return Path(wheel)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_wheel(build_once(tmp_path_factory, "hatchling-two-packages", make_two_packages))


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> FreshVenv:
    path = tmp_path_factory.mktemp("venv") / "env"
    return create_venv(path, wheel, has_dependencies=False, timeout=300)


@pytest.fixture(scope="module")
def wheel_with_dependency(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dists = build_once(tmp_path_factory, "hatchling-with-dependency", make_with_dependency)
    return built_wheel(dists)


def test_create_venv_installs_the_wheel(venv: FreshVenv, wheel: Path) -> None:
    assert venv.error is None, venv.install_log
    assert Path(venv.python).is_file()
    assert Path(venv.python).parent.parent == Path(venv.path)
    assert venv.wheel == str(wheel)
    assert "Successfully installed demo-1.2.3" in venv.install_log


def test_the_installed_command_runs(venv: FreshVenv) -> None:
    done = venv.run("demo")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "demo"


def test_probe_imports_the_installed_release(venv: FreshVenv) -> None:
    report = probe(venv, "demo", ["demo"])
    assert report.version == "1.2.3"
    assert report.version_error is None
    assert report.imports == (ImportOutcome(name="demo", ok=True, version_attr="1.2.3"),)


def test_probe_reports_what_is_missing_and_where(venv: FreshVenv) -> None:
    report = probe(venv, "demo", ["demo", "broken", "never_shipped"])
    demo, broken, never = report.imports
    assert demo.ok
    assert not broken.ok
    assert broken.name == "broken"
    assert broken.missing == "not_installed_dependency"
    assert broken.where == "broken/__init__.py:3"
    assert broken.error == "ModuleNotFoundError: No module named 'not_installed_dependency'"
    assert not never.ok
    assert never.missing == "never_shipped"
    assert never.where is None


def test_probe_loads_every_script_entry_point(venv: FreshVenv) -> None:
    report = probe(venv, "demo", [])
    by_name = {outcome.name: outcome for outcome in report.entry_points}
    assert set(by_name) == {"demo", "demo-missing-attr", "demo-missing-module"}
    assert by_name["demo"] == ImportOutcome(
        name="demo", ok=True, group="console_scripts", value="demo.cli:main"
    )
    missing_attr = by_name["demo-missing-attr"]
    assert not missing_attr.ok
    assert missing_attr.group == "console_scripts"
    assert missing_attr.value == "demo.cli:nope"
    assert missing_attr.error is not None
    assert missing_attr.error.startswith("AttributeError: ")
    assert "nope" in missing_attr.error
    missing_module = by_name["demo-missing-module"]
    assert not missing_module.ok
    assert missing_module.missing == "demo.gone"


def test_probe_of_a_distribution_that_is_not_installed(venv: FreshVenv) -> None:
    report = probe(venv, "not-demo", [])
    assert report.version is None
    assert report.version_error is not None
    assert "not-demo" in report.version_error
    assert report.entry_points == ()


def test_unresolvable_dependency_is_an_install_error(
    tmp_path: Path, wheel_with_dependency: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    venv = create_venv(tmp_path / "env", wheel_with_dependency, has_dependencies=True, timeout=300)
    assert venv.error == f"`pip install {wheel_with_dependency.name}` failed"
    assert "demo-dependency-nobody-has" in venv.install_log


def test_without_dependencies_no_index_is_used(tmp_path: Path, wheel_with_dependency: Path) -> None:
    venv = create_venv(tmp_path / "env", wheel_with_dependency, has_dependencies=False, timeout=300)
    assert venv.error == f"`pip install {wheel_with_dependency.name}` failed"
    assert "demo-dependency-nobody-has" in venv.install_log


def test_virtualenv_failure_is_reported(tmp_path: Path, wheel: Path) -> None:
    blocker = tmp_path / "env"
    blocker.write_text("a file where the environment should go\n", encoding="utf-8")
    venv = create_venv(blocker, wheel, has_dependencies=False, timeout=300)
    assert venv.error is not None
    assert venv.error == "creating the virtualenv failed"
    assert "already exists and is not a directory" in venv.install_log
    assert venv.path == str(blocker)
