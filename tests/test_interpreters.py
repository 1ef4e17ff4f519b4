"""Many Pythons: `tool.release-checks.python`, interpreter discovery, one item per interpreter."""

from __future__ import annotations

import os
import platform
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from packaging.tags import compatible_tags, cpython_tags

from release_checks.config import parse_config
from release_checks.errors import ConfigError
from release_checks.interpreters import (
    Interpreter,
    find_interpreter,
    installable_wheel,
    interpreter_id,
    outside_requires_python,
    running_interpreter,
)
from tests.factory import FixtureProject, make_project
from tests.scenarios import (
    INNER_RUN_TIMEOUT,
    Scenario,
    append,
    failed,
    replace,
    run_scenario,
    skipped,
)

GATE = "test_wheel_works_in_fresh_venv"
HERE = f"{sys.version_info.major}.{sys.version_info.minor}"  # "3.11"
MISSING = "3.99"


def python_list(*specs: str) -> str:
    items = ", ".join(f'"{spec}"' for spec in specs)
    return f"[tool.release-checks]\npython = [{items}]\n"


# Config


def test_python_defaults_to_the_running_interpreter() -> None:
    assert parse_config({}).python == ()


def test_python_lists_interpreters_as_written() -> None:
    table = {"python": ["3.12", "3.13t", "pypy3.10", "/opt/python/bin/python3"]}
    config = parse_config({"tool": {"release-checks": table}})
    assert config.python == ("3.12", "3.13t", "pypy3.10", "/opt/python/bin/python3")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3.12", "`tool.release-checks.python` must be a list of interpreters"),
        ([3.12], "as virtualenv's --python takes them"),
        ([""], "must be a list of interpreters"),
        (["-p3.12"], "must be a list of interpreters"),
        ([" 3.12"], "must be a list of interpreters"),
        (["3.12", "3.12"], "`tool.release-checks.python` lists '3.12' twice; keep one"),
    ],
)
def test_python_mistakes_name_the_key(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=None) as raised:
        parse_config({"tool": {"release-checks": {"python": value}}})
    assert message in str(raised.value)


# Facts


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("3.12", "py3.12"),
        ("3.13t", "py3.13t"),
        ("3", "py3"),
        ("pypy3.10", "pypy3.10"),
        ("python3.12", "python3.12"),
        ("/usr/local/bin/python3.12", "python3.12"),
        ("C:\\Python312\\python.exe", "python"),
    ],
)
def test_item_ids_are_readable(spec: str, expected: str) -> None:
    assert interpreter_id(spec) == expected


@pytest.mark.parametrize(
    ("requires", "version", "outside"),
    [
        (">=3.11", "3.10", True),
        (">=3.11", "3.10.13", True),
        (">=3.11", "3.12", False),
        (">=3.11.4", "3.11", False),  # some 3.11.x qualifies: a listed "3.11" may be one
        (">=3.11.4", "3.11.2", True),
        ("<3.13", "3.13t", True),
        ("!=3.12.*", "3.12", True),
        (">=3.12", "3.13.0rc1", False),
        (None, "2.7", False),
        (">=3.11", "pypy3.10", False),  # not a version: not compared
        ("not a specifier", "3.10", False),  # the metadata gates report that
    ],
)
def test_requires_python_excludes(requires: str | None, version: str, outside: bool) -> None:
    assert outside_requires_python(requires, version) is outside


def test_the_wheel_chosen_is_the_one_the_interpreter_installs() -> None:
    pure = "demo-1.0-py3-none-any.whl"
    cp311 = "demo-1.0-cp311-cp311-linux_x86_64.whl"
    cp312 = "demo-1.0-cp312-cp312-linux_x86_64.whl"

    def tags(minor: int) -> list[str]:
        platforms = ["linux_x86_64"]
        found = [*cpython_tags((3, minor), platforms=platforms)]
        found += compatible_tags((3, minor), platforms=platforms)
        return [str(tag) for tag in found]

    assert installable_wheel([cp311, cp312], tags(12)) == Path(cp312)
    assert installable_wheel([cp311, cp312], tags(11)) == Path(cp311)
    assert installable_wheel([cp311], tags(12)) is None
    assert installable_wheel(["not-a-wheel.whl", pure], tags(13)) == Path(pure)


def test_two_spellings_of_the_running_interpreter_are_one_interpreter() -> None:
    by_version = find_interpreter(HERE)
    by_path = find_interpreter(sys.executable)
    running = running_interpreter()
    for found in (by_version, by_path):
        assert found.error is None, found.error
        assert found.version == platform.python_version()
        assert found.tags[0] == running.tags[0]
    assert by_version.key == by_path.key == running.key  # so they share one environment
    assert by_version.label == f"Python {platform.python_version()} ({running.executable})"


def test_a_missing_interpreter_says_so_and_how_to_fix_it() -> None:
    found = find_interpreter(MISSING)
    assert found == Interpreter(spec=MISSING, error=found.error)
    assert found.error is not None
    assert found.error.startswith("Python 3.99 is not installed: virtualenv's interpreter")
    assert found.error.endswith("install it or remove it from tool.release-checks.python")
    assert find_interpreter("no-such-python9").error.startswith(  # type: ignore[union-attr]
        "the interpreter 'no-such-python9' is not installed"
    )


# End to end

SCENARIOS = [
    Scenario(
        id="listed-twice-and-missing",
        edits=(append("pyproject.toml", python_list(HERE, sys.executable, MISSING)),),
        gates=(
            f"{GATE}[py{HERE}]",
            f"{GATE}[{interpreter_id(sys.executable)}]",
            f"{GATE}[py{MISSING}]",
        ),
        expect={
            f"{GATE}[py{MISSING}]": skipped(
                "Python 3.99 is not installed",
                "install it or remove it from tool.release-checks.python",
            )
        },
    ),
    Scenario(
        id="missing-strict",
        edits=(append("pyproject.toml", python_list(MISSING)),),
        args=("--release-strict",),
        gates=(f"{GATE}[py{MISSING}]",),
        expect={
            f"{GATE}[py{MISSING}]": failed(
                "Python 3.99 is not installed",
                "failing instead of skipping: --release-strict",
            )
        },
    ),
    Scenario(
        id="listed-but-outside-requires-python",
        edits=(
            replace("pyproject.toml", 'requires-python = ">=3.11"', 'requires-python = ">=3.12"'),
            append("pyproject.toml", python_list("3.10", HERE)),
        ),
        gates=(f"{GATE}[py3.10]", f"{GATE}[py{HERE}]"),
        expect={
            f"{GATE}[py3.10]": failed(
                "Python 3.10",
                "is outside the wheel's Requires-Python `>=3.12`, so pip will not install",
                "remove it from there, or widen `requires-python` in [project]",
            ),
            f"{GATE}[py{HERE}]": failed(
                f"Python {platform.python_version()} ({running_interpreter().executable}) is "
                "outside the wheel's Requires-Python `>=3.12`",
                f"listed in tool.release-checks.python ({HERE!r})",
            ),
        },
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
    run_scenario(scenario, pytester, project_root)


VENV_PROBE = """
import os
from pathlib import Path

from release_checks.plugin import RUN_KEY


def pytest_sessionfinish(session):
    run = session.config.stash.get(RUN_KEY, None)
    if run is None or hasattr(session.config, "workerinput"):
        return
    venvs = sorted(path.name for path in run.shared_dir.glob("venv-*.json"))
    Path(os.environ["PROBE_OUT"]).write_text("\\n".join(venvs))
"""

USER_GATE = """
import pytest


@pytest.mark.release
def test_user_gate_gets_the_first_interpreter(release_venv):
    done = release_venv.run("python", "-c", "import sys; print(sys.version_info[:2])")
    assert done.stdout.strip() == {expected!r}
"""


def _other_python() -> str | None:
    """An installed CPython other than the running one that supports the template's >=3.11."""
    for version in ("3.12", "3.13", "3.14"):
        if find_interpreter(version).error is None:
            return version
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for version in ("3.12", "3.13", "3.14"):
        for found in sorted(pyenv.glob(f"{version}*/bin/python{version}")):
            if found.is_file():
                return str(found)
    return None


def _pyproject(project: FixtureProject) -> str:
    return (project.root / "pyproject.toml").read_text(encoding="utf-8")


def run_gates(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[pytest.RunResult, dict[str, str], list[str]]:
    """Run the fresh-environment gate (and user gates), with the venv probe as a plugin."""
    (pytester.path / "venv_probe.py").write_text(VENV_PROBE, encoding="utf-8")
    probe_out = pytester.path / "probe.txt"
    report = pytester.path / "report.xml"
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    monkeypatch.setenv("PROBE_OUT", str(probe_out))
    result = pytester.runpytest_subprocess(
        "-p", "venv_probe", "-m", "release", "-k", "fresh_venv or user_gate",
        f"--junit-xml={report}", *args, timeout=INNER_RUN_TIMEOUT,
    )  # fmt: skip
    cases = ET.parse(report).getroot().iter("testcase")  # noqa: S314 - our own file
    outcomes = {
        case.get("name", ""): next(
            (child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed"
        )
        for case in cases
    }
    records = probe_out.read_text(encoding="utf-8").split()
    return result, outcomes, [name for name in records if not name.endswith("-base.json")]


def test_each_interpreter_has_one_environment_shared_by_its_spellings(
    pytester: pytest.Pytester, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(project_root)
    project.write("pyproject.toml", _pyproject(project) + python_list(HERE, "python"))
    project.write("test_user.py", USER_GATE.format(expected=f"({HERE.replace('.', ', ')})"))
    project.commit("Check under two spellings of one Python")
    result, outcomes, venvs = run_gates(pytester, monkeypatch, "-n", "2")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert outcomes == {
        f"{GATE}[py{HERE}]": "passed",
        f"{GATE}[python]": "passed",
        "test_user_gate_gets_the_first_interpreter": "passed",
    }
    assert len(venvs) == 1, venvs


def test_a_second_installed_python_gets_its_own_environment(
    pytester: pytest.Pytester, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _other_python()
    if other is None:
        pytest.skip("no CPython 3.12 or later besides the running one is installed here")
    found = find_interpreter(other)
    assert found.error is None, found.error
    minor = ".".join((found.version or "").split(".")[:2])
    project = make_project(project_root)
    project.write("pyproject.toml", _pyproject(project) + python_list(other, HERE))
    project.write("test_user.py", USER_GATE.format(expected=f"({minor.replace('.', ', ')})"))
    project.commit("Check under two Pythons")
    result, outcomes, venvs = run_gates(pytester, monkeypatch, "-n", "2")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert outcomes == {
        f"{GATE}[{interpreter_id(other)}]": "passed",
        f"{GATE}[py{HERE}]": "passed",
        "test_user_gate_gets_the_first_interpreter": "passed",  # under the first listed
    }
    assert len(venvs) == 2, venvs
    for interpreter in (found, running_interpreter()):  # each made while the dists built
        assert f"creating the fresh virtualenv under {interpreter.label}, meanwhile ... done" in (
            result.stdout.str()
        )
