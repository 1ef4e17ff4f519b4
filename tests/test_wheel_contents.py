"""What a wheel installs: clutter, layout, and the fix in the backend's terms."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from release_checks.wheel_contents import (
    Finding,
    backend_family,
    clutter_findings,
    layout_findings,
    report,
)
from tests.factory import Backend, build_template

DIST_INFO = ("demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/WHEEL", "demo-1.0.dist-info/RECORD")


def checks(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(finding.check, finding.subject) for finding in findings]


def all_findings(
    names: list[str], *, dist_name: str = "demo", allow_top_level: tuple[str, ...] = ()
) -> list[Finding]:
    clutter = clutter_findings(names, dist_name=dist_name, allow_top_level=allow_top_level)
    return clutter + layout_findings(names, allow_top_level=allow_top_level)


# Real builds: nothing to report.


@pytest.mark.parametrize("backend", ["hatchling", "setuptools-scm", "flit"])
def test_real_wheels_are_clean(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> None:
    dists = build_template(tmp_path_factory, backend)
    assert dists.error is None, dists.error
    wheel = Path(dists.wheels[0])
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if not name.endswith("/")]
    assert all_findings(names) == []


# Healthy layouts a popular, well-kept project ships.

HEALTHY = {
    "package with data and stubs": [
        "demo/__init__.py",
        "demo/py.typed",
        "demo/data/defaults.json",
        "demo/templates/base.html",
        "demo/_version.py",
        "demo/core.pyi",
    ],
    "namespace package": ["ns/pkg/__init__.py", "ns/pkg/cli.py"],
    "single module with a path file": ["demo.py", "demo.pth", "_demo_hook.py"],
    "extension modules and vendored libraries": [
        "demo/__init__.py",
        "demo/_speedups.cpython-312-x86_64-linux-gnu.so",
        "demo/_speedups.pyx",
        "demo/_win.cp312-win_amd64.pyd",
        "demo/.dylibs/libz.1.dylib",
        "demo.libs/libopenblas-r0-0cf96a72.so",
        "demo.libs/libz.so",
        "demo.libs/libgfortran-040039e1.so.5.0.0",
        "_cdemo.abi3.so",
        "_cdemo.pxd",
    ],
    "mypyc: source beside its compiled module": [
        "demo/__init__.py",
        "demo/__init__.cpython-312-x86_64-linux-gnu.so",
        "demo/core.py",
        "demo/core.cpython-312-x86_64-linux-gnu.so",
        "3c2bdd4f__mypyc.cpython-312-x86_64-linux-gnu.so",
    ],
    "data, scripts and headers in .data": [
        "demo/__init__.py",
        "demo-1.0.data/scripts/demo-tool",
        "demo-1.0.data/data/share/demo/README.md",
        "demo-1.0.data/headers/demo.h",
        "demo-1.0.data/purelib/demo_extra/__init__.py",
    ],
    "tests inside the package": [
        "demo/__init__.py",
        "demo/tests/__init__.py",
        "demo/tests/test_core.py",
        "demo/tests/data/legacy-1.0/sample.py",
        "demo/tests/data/old.json",
    ],
    "PyInstaller hooks and templates loaded by path": [
        "demo/__init__.py",
        "demo/_pyinstaller/__init__.py",
        "demo/_pyinstaller/hook-demo.py",
        "demo/templates/project/{{ cookiecutter.name }}/__init__.py",
        "demo/templates/project/{{ cookiecutter.name }}/settings.py",
    ],
    "a module beside a data directory of the same name": ["demo.py", "demo/defaults.json"],
    "modules loaded by path from a non-identifier directory": [
        "demo/__init__.py",
        "demo/basis/__init__.py",
        "demo/basis/dyall-basis/__init__.py",
        "demo/basis/dyall-basis/dyall_v2z.py",
    ],
    "a prefix put on sys.path by a .pth file": [
        "cmeel.pth",
        "cmeel.prefix/lib/python3.12/site-packages/demo/__init__.py",
    ],
    "an installed prefix whose site-packages another project's .pth adds": [
        "cmeel.prefix/lib/python3.12/site-packages/demo/__init__.py",
        "cmeel.prefix/lib/python3.12/site-packages/demo/_core.cpython-312-x86_64-linux-gnu.so",
        "cmeel.prefix/lib/libdemo.so",
    ],
    "shared libraries in a directory of any name": ["cmeel.prefix/lib/libz.so", "demo.py"],
}


@pytest.mark.parametrize("names", HEALTHY.values(), ids=HEALTHY.keys())
def test_healthy_layouts_are_not_flagged(names: list[str]) -> None:
    assert all_findings([*names, *DIST_INFO]) == []


def test_a_project_named_like_junk_ships_its_own_package() -> None:
    # pypa/build installs a top-level `build` package; a project named `docs` its `docs`.
    names = ["build/__init__.py", "build/__main__.py", "build-1.0.dist-info/RECORD"]
    assert all_findings(names, dist_name="build") == []
    assert clutter_findings(["docs_tools/__init__.py"], dist_name="x", import_names=["docs"]) == []
    assert clutter_findings(["docs/__init__.py"], dist_name="x", import_names=["docs.sub"]) == []


WITHOUT_MODULES = {
    "stub-only": ["demo-stubs/__init__.pyi", "demo-stubs/core.pyi"],
    "shared libraries and headers only": [
        "nvidia/cu13/lib/libcublas.so.13",
        "nvidia/cu13/include/cublas.h",
    ],
    "a compiled tool as a script": ["py_spy-0.4.2.data/scripts/py-spy"],
    "data files only": ["fonts-1.0.data/data/share/fonts/demo.ttf"],
}


@pytest.mark.parametrize("names", WITHOUT_MODULES.values(), ids=WITHOUT_MODULES.keys())
def test_wheels_without_modules_that_install_something(names: list[str]) -> None:
    assert layout_findings([*names, *DIST_INFO]) == []


def test_meta_packages_install_only_their_dependencies() -> None:
    assert layout_findings(list(DIST_INFO), has_dependencies=True) == []


# Clutter.


def test_bytecode_is_reported_once_with_its_members() -> None:
    names = ["demo/__init__.py", "demo/__pycache__/__init__.cpython-312.pyc", "demo/old.pyc"]
    [finding] = clutter_findings(names, dist_name="demo")
    assert finding.check == "bytecode"
    assert finding.members == ("demo/__pycache__/__init__.cpython-312.pyc", "demo/old.pyc")
    assert finding.describe().startswith(
        "`*.pyc` (2 files: demo/__pycache__/__init__.cpython-312.pyc, demo/old.pyc): "
        "bytecode compiled on the build machine"
    )


def test_a_path_stored_twice_is_reported() -> None:
    names = ["demo/__init__.py", "demo/core.py", "demo/core.py", "demo/", "demo/"]
    [finding] = clutter_findings(names, dist_name="demo")
    assert (finding.check, finding.subject) == ("duplicate", "demo/core.py")
    assert "stored twice in the zip" in finding.why
    [finding] = clutter_findings(["x.py"] * 3, dist_name="demo")
    assert "stored 3 times" in finding.why


@pytest.mark.parametrize(
    ("names", "subject", "what"),
    [
        (["tests/__init__.py", "tests/test_core.py"], "tests/", "a test suite"),
        (["test/test_core.py"], "test/", "a test suite"),
        (["Docs/conf.py"], "Docs/", "documentation sources"),
        (["examples/basic.py"], "examples/", "example code"),
        (["benchmarks/bench_core.py"], "benchmarks/", "benchmarks"),
        (["build/lib/demo/__init__.py"], "build/", "build output"),
        (["src/demo/__init__.py"], "src/", "the source directory itself"),
        (["scripts/release.py"], "scripts/", "repository helper scripts"),
        (["setup.py"], "setup.py", "a project file"),
        (["conftest.py"], "conftest.py", "a project file"),
        (["demo.egg-info/PKG-INFO"], "demo.egg-info/", "setuptools' build metadata"),
        ([".venv/bin/python"], ".venv/", "virtual environment"),
        ([".github/workflows/ci.yml"], ".github/", "version control or CI data"),
        (["demo-1.0.data/purelib/tests/test_x.py"], "tests/", "a test suite"),
    ],
)
def test_repository_clutter_at_the_top_level(names: list[str], subject: str, what: str) -> None:
    [finding] = clutter_findings(["demo/__init__.py", *names], dist_name="demo")
    assert (finding.check, finding.subject) == ("junk", subject)
    assert finding.members == tuple(names)
    assert what in finding.why
    assert "in site-packages, where it collides with any other project" in finding.why


@pytest.mark.parametrize(
    "name", ["README.md", "LICENSE", "CHANGELOG.rst", "requirements.txt", "py.typed", "tox.ini"]
)
def test_stray_files_at_the_top_level(name: str) -> None:
    [finding] = clutter_findings(["demo/__init__.py", name], dist_name="demo")
    assert (finding.check, finding.subject) == ("stray", name)
    assert finding.describe() == (
        f"`{name}`: not a module: it is installed loose in site-packages, where another "
        f"project's `{name}` overwrites it (or it overwrites theirs)"
    )


def test_allow_top_level_takes_glob_patterns() -> None:
    names = ["demo/__init__.py", "scripts/__init__.py", "demo_data.json", "tests/x.py"]
    findings = clutter_findings(names, dist_name="demo", allow_top_level=("scripts", "*.json"))
    assert checks(findings) == [("junk", "tests/")]
    # A module's name matches too: `scripts` allows `scripts.py`.
    assert clutter_findings(["scripts.py"], dist_name="d", allow_top_level=("scripts",)) == []


# Layout.


@pytest.mark.parametrize(
    ("names", "subject", "why"),
    [
        (["my-tool.py"], "my-tool.py", "`my-tool` is not a Python identifier"),
        (["demo.old.py"], "demo.old.py", "`demo.old` is not a Python identifier"),
        (["__init__.py"], "__init__.py", "without its package directory"),
        (["my-lib/__init__.py", "my-lib/core.py"], "my-lib/", "`my-lib` is not a Python"),
        (["demo-1.0/demo/__init__.py"], "demo-1.0/", "`demo-1.0` is not a Python identifier"),
        (["my-lib/_core.abi3.so"], "my-lib/", "`my-lib` is not a Python identifier"),
    ],
)
def test_modules_at_paths_import_cannot_reach(names: list[str], subject: str, why: str) -> None:
    [finding] = layout_findings(names)
    assert (finding.check, finding.subject) == ("unimportable", subject)
    assert why in finding.why


def test_allowed_top_level_names_are_not_judged_for_layout() -> None:
    names = ["demo/__init__.py", "hook-scripts/run.py"]
    assert layout_findings(names, allow_top_level=("hook-*",)) == []


def test_an_empty_wheel_is_reported() -> None:
    names = [*DIST_INFO, "demo-1.0.dist-info/licenses/LICENSE", "demo-1.0.data/"]
    [finding] = layout_findings(names)
    assert finding.check == "empty"
    assert finding.describe().startswith("the wheel installs nothing but its own metadata")


def test_a_module_shadowed_by_a_package() -> None:
    names = ["demo/__init__.py", "demo/utils.py", "demo/utils/__init__.py", "demo/utils/a.py"]
    [finding] = layout_findings(names)
    assert (finding.check, finding.subject) == ("shadowed", "demo/utils.py")
    assert finding.members == ("demo/utils.py", "demo/utils/__init__.py")
    assert "`import demo.utils` finds the package `demo/utils/`" in finding.why


def test_a_namespace_portion_shadowed_by_a_module() -> None:
    [finding] = layout_findings(["ns.py", "ns/pkg/core.py", "ns/core.py"])
    assert (finding.check, finding.subject) == ("shadowed", "ns.py")
    assert "finds the module `ns.py`" in finding.why
    assert "the modules in `ns/` cannot be imported" in finding.why


# The message and its fix.


@pytest.mark.parametrize(
    ("backend", "family"),
    [
        ("hatchling.build", "hatchling"),
        ("setuptools.build_meta", "setuptools"),
        ("setuptools.build_meta:__legacy__", "setuptools"),
        (None, "setuptools"),
        ("flit_core.buildapi", "flit_core"),
        ("pdm.backend", "pdm.backend"),
        ("poetry.core.masonry.api", "poetry.core"),
        ("maturin", "maturin"),
        ("scikit_build_core.build", "scikit_build_core"),
        ("mesonpy", "mesonpy"),
        ("uv_build", "uv_build"),
        ("hatchling_custom.build", None),
        ("my_backend", None),
    ],
)
def test_backend_family(backend: str | None, family: str | None) -> None:
    assert backend_family(backend) == family


def test_report_names_the_backend_setting() -> None:
    findings = clutter_findings(["demo/__init__.py", "tests/t.py", "README.md"], dist_name="demo")
    message = report("HEAD:", findings, build_backend="hatchling.build", dist_name="demo")
    lines = message.splitlines()
    assert lines[0] == "HEAD:"
    assert lines[1].startswith("  - `README.md`: not a module")
    assert lines[2].startswith("  - `tests/` (1 file: tests/t.py): a test suite")
    assert lines[3].startswith(
        "Fix (hatchling): name the packages to ship, "
        '`[tool.hatch.build.targets.wheel] packages = ["demo"]`'
    )
    assert lines[4] == (
        "If a top-level name is meant to be installed, declare it in pyproject.toml: "
        '`[tool.release-checks] allow-top-level = ["name"]` (glob patterns).'
    )
    src = report(
        "H", findings, build_backend="hatchling.build", dist_name="demo", package_path="src/demo"
    )
    assert 'packages = ["src/demo"]' in src
    poetry = report(
        "H",
        findings,
        build_backend="poetry.core.masonry.api",
        dist_name="demo",
        package_path="src/demo",
    )
    assert '`packages = [{ include = "demo", from = "src" }]`' in poetry


@pytest.mark.parametrize(
    ("backend", "text"),
    [
        ("setuptools.build_meta", '`[tool.setuptools.packages.find] where = ["src"]`'),
        (None, "Fix (setuptools): limit package discovery"),
        ("flit_core.buildapi", '`[tool.flit.module] name` (here `"my_demo"`)'),
        ("pdm.backend", '`[tool.pdm.build] includes = ["my_demo"]`'),
        ("poetry.core.masonry.api", '`packages = [{ include = "my_demo" }]`'),
        ("mesonpy", "`install_subdir()` with `exclude_directories:`"),
        ("my_backend", "Fix (my_backend): configure the build backend's package selection"),
    ],
)
def test_report_fix_per_backend(backend: str | None, text: str) -> None:
    findings = clutter_findings(["my_demo/__init__.py", "docs/index.md"], dist_name="my-demo")
    assert text in report("H", findings, build_backend=backend, dist_name="my-demo")


def test_report_fix_for_bytecode_shadowing_and_duplicates() -> None:
    names = [
        "demo/__init__.py",
        "demo/a.pyc",
        "demo/b.py",
        "demo/b.py",
        "demo/c.py",
        "demo/c/__init__.py",
    ]
    findings = clutter_findings(names, dist_name="demo") + layout_findings(names)
    message = report("H", findings, build_backend="setuptools.build_meta", dist_name="demo")
    assert "`global-exclude *.py[cod]` to MANIFEST.in" in message
    assert "Fix: delete the stale module" in message
    assert "the zip holds the same path twice" in message
    assert "allow-top-level" not in message  # nothing at the top level to declare
    hatch = report("H", findings[:1], build_backend="hatchling.build", dist_name="demo")
    assert "hatchling leaves `*.pyc` out unless `artifacts`" in hatch


def test_long_member_lists_are_shortened() -> None:
    names = [f"tests/test_{n}.py" for n in range(10)]
    [finding] = clutter_findings(names, dist_name="demo")
    assert (
        "(10 files: tests/test_0.py, tests/test_1.py, tests/test_2.py, tests/test_3.py, … (6 more))"
        in (finding.describe())
    )


def test_findings_round_trip_through_json() -> None:
    [finding] = clutter_findings(["README.md"], dist_name="demo")
    assert Finding.from_json(finding.to_json()) == finding
