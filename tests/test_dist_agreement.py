"""`compare_dists`: an sdist and a wheel of one release, field by field."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.metadata import parse_email

from release_checks.dist_agreement import (
    Disagreement,
    compare_dists,
    sdist_entry_points,
    wheel_entry_points,
)
from release_checks.dists import read_metadata_bytes
from release_checks.distset import DistSet
from release_checks.errors import FactError
from tests.factory import Backend, FixtureProject, build_once, make_project

BASE = (
    "Metadata-Version: 2.4",
    "Name: tiny",
    "Version: 1.0",
    "Requires-Python: >=3.11",
    "Requires-Dist: packaging>=24",
    'Requires-Dist: tomli-w; extra == "toml"',
    "Provides-Extra: toml",
)
PYPROJECT = """\
[project]
name = "tiny"
version = "1.0"

[project.scripts]
tiny = "tiny.cli:main"

[project.entry-points."tiny.plugins"]
basic = "tiny.plugins:basic"
"""
ENTRY_POINTS = """\
[console_scripts]
tiny = tiny.cli:main

[tiny.plugins]
basic = tiny.plugins:basic
"""


def sdist(root: Path, *headers: str, pyproject: str | None = PYPROJECT) -> Path:
    """A hand-made sdist: PKG-INFO with `headers` (default BASE), and a pyproject.toml."""
    path = root / "tiny-1.0.tar.gz"
    files = {
        "tiny-1.0/PKG-INFO": "\n".join(headers or BASE) + "\n",
        "tiny-1.0/tiny/__init__.py": "",
    }
    if pyproject is not None:
        files["tiny-1.0/pyproject.toml"] = pyproject
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def wheel(root: Path, *headers: str, entry_points: str | None = ENTRY_POINTS) -> Path:
    """A hand-made wheel: METADATA with `headers` (default BASE), and entry_points.txt."""
    path = root / "tiny-1.0-py3-none-any.whl"
    files = {
        "tiny/__init__.py": "",
        "tiny-1.0.dist-info/METADATA": "\n".join(headers or BASE) + "\n",
        "tiny-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: py3-none-any\n",
    }
    if entry_points is not None:
        files["tiny-1.0.dist-info/entry_points.txt"] = entry_points
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def replaced(old: str, *new: str) -> tuple[str, ...]:
    """BASE with the header line `old` replaced by `new` lines (or dropped)."""
    index = BASE.index(old)
    return (*BASE[:index], *new, *BASE[index + 1 :])


def describe(found: list[Disagreement]) -> list[str]:
    return [disagreement.describe() for disagreement in found]


def test_identical_dists_agree(tmp_path: Path) -> None:
    assert compare_dists(sdist(tmp_path), wheel(tmp_path)) == []


def test_equal_values_written_differently_agree(tmp_path: Path) -> None:
    built = wheel(
        tmp_path,
        "Metadata-Version: 2.4",
        "Name: Tiny",
        "Version: 1.0.0",
        "Requires-Python: >=3.11.0",
        "Provides-Extra: TOML",
        "Requires-Dist: tomli_w ; extra == 'toml'",
        "Requires-Dist: Packaging >= 24.0",
        entry_points="[tiny.plugins]\nbasic = tiny.plugins : basic\n\n"
        "[console_scripts]\ntiny=tiny.cli:main\n",
    )
    assert compare_dists(sdist(tmp_path), built) == []


def test_each_field_reported_with_both_values(tmp_path: Path) -> None:
    built = wheel(
        tmp_path,
        "Metadata-Version: 2.4",
        "Name: tiny-core",
        "Version: 1.0.1",
        "Requires-Python: >=3.10",
        "Requires-Dist: packaging>=24",
        "Requires-Dist: colorama; sys_platform == 'win32'",
        'Requires-Dist: tomli-w; extra == "toml"',
        'Requires-Dist: rich; extra == "cli"',
        "Provides-Extra: toml",
        "Provides-Extra: cli",
    )
    assert describe(compare_dists(sdist(tmp_path), built)) == [
        "Name: the sdist (PKG-INFO) says `tiny`, the wheel (METADATA) `tiny-core`",
        "Version: the sdist (PKG-INFO) says `1.0`, the wheel (METADATA) `1.0.1`",
        (
            "Requires-Dist: only in the wheel: `colorama; sys_platform == 'win32'`, "
            '`rich; extra == "cli"`'
        ),
        "Provides-Extra: only in the wheel: `cli`",
        "Requires-Python: the sdist (PKG-INFO) says `>=3.11`, the wheel (METADATA) `>=3.10`",
    ]


def test_requirements_only_in_the_sdist_and_a_missing_field(tmp_path: Path) -> None:
    built = wheel(
        tmp_path, *replaced("Requires-Dist: packaging>=24", "Requires-Dist: packaging>=25")
    )
    source = sdist(tmp_path, *replaced("Requires-Python: >=3.11"))
    assert describe(compare_dists(source, built)) == [
        "Requires-Dist: only in the sdist: `packaging>=24`; only in the wheel: `packaging>=25`",
        "Requires-Python: the sdist (PKG-INFO) says (none), the wheel (METADATA) `>=3.11`",
    ]


def test_dynamic_fields_may_differ(tmp_path: Path) -> None:
    source = sdist(tmp_path, *BASE, "Dynamic: Requires-Dist", "Dynamic: requires-python")
    built = wheel(
        tmp_path,
        *replaced("Requires-Python: >=3.11", "Requires-Python: >=3.12", "Requires-Dist: rich"),
    )
    assert compare_dists(source, built) == []


def test_entry_points_compared_with_the_sdists_pyproject(tmp_path: Path) -> None:
    built = wheel(
        tmp_path,
        entry_points="[console_scripts]\ntiny = tiny.cli:run\ntiny-admin = tiny.admin:main\n\n"
        "[gui_scripts]\ntiny-gui = tiny.gui:main\n",
    )
    found = compare_dists(sdist(tmp_path), built)
    assert [(d.field, d.sdist, d.wheel) for d in found] == [
        ("entry point `tiny` (console_scripts)", "tiny.cli:main", "tiny.cli:run"),
        ("entry point `tiny-admin` (console_scripts)", "", "tiny.admin:main"),
        ("entry point `tiny-gui` (gui_scripts)", "", "tiny.gui:main"),
        ("entry point `basic` (tiny.plugins)", "tiny.plugins:basic", ""),
    ]
    assert found[1].describe() == (
        "entry point `tiny-admin` (console_scripts): the sdist's pyproject.toml declares "
        "none, the wheel's entry_points.txt has `tiny.admin:main`"
    )


@pytest.mark.parametrize(
    "pyproject",
    [
        None,  # a setup.py project
        '[build-system]\nrequires = ["setuptools"]\n',  # no [project] table
        '[project]\nname = "tiny"\nversion = "1.0"\n',  # none declared: a backend may add them
        PYPROJECT.replace(
            'version = "1.0"', 'version = "1.0"\ndynamic = ["scripts", "entry-points"]'
        ),
        "[project\n",  # unreadable: the build reports it
    ],
    ids=["no-pyproject", "no-project-table", "none-declared", "all-dynamic", "invalid-toml"],
)
def test_entry_points_not_compared_without_static_declaration(
    tmp_path: Path, pyproject: str | None
) -> None:
    source = sdist(tmp_path, pyproject=pyproject)
    assert sdist_entry_points(source) is None
    assert compare_dists(source, wheel(tmp_path, entry_points="[console_scripts]\nx = y:z\n")) == []


def test_a_dynamic_group_is_left_out(tmp_path: Path) -> None:
    pyproject = PYPROJECT.replace('version = "1.0"', 'version = "1.0"\ndynamic = ["entry-points"]')
    assert sdist_entry_points(sdist(tmp_path, pyproject=pyproject)) == {
        "console_scripts": {"tiny": "tiny.cli:main"}
    }


def test_wheel_without_entry_points(tmp_path: Path) -> None:
    assert wheel_entry_points(wheel(tmp_path, entry_points=None)) == {}


def test_invalid_entry_points_txt_is_a_fact_error(tmp_path: Path) -> None:
    built = wheel(tmp_path, entry_points="tiny = no section header\n")
    with pytest.raises(FactError, match=r"entry_points\.txt is not valid"):
        wheel_entry_points(built)


def test_unreadable_sdist_is_a_fact_error(tmp_path: Path) -> None:
    broken = tmp_path / "tiny-1.0.tar.gz"
    broken.write_bytes(b"not a tar file")
    with pytest.raises(FactError, match=r"tiny-1\.0\.tar\.gz: cannot read its core metadata"):
        compare_dists(broken, wheel(tmp_path))
    with pytest.raises(FactError, match=r"tiny-1\.0\.tar\.gz: the archive cannot be read"):
        sdist_entry_points(broken)


def test_disagreement_round_trips_through_json() -> None:
    found = Disagreement(field="Requires-Dist", kind="items", sdist="", wheel="a\nb")
    assert Disagreement.from_json(found.to_json()) == found
    assert found.describe() == "Requires-Dist: only in the wheel: `a`, `b`"


# Real builds


def make_git_dependent(root: Path) -> FixtureProject:
    """setuptools, with a dependency setup.py adds only in a git checkout: dynamic metadata."""
    project = make_project(root, "setuptools-scm", tag=None)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    project.write(
        "pyproject.toml",
        pyproject.replace('dynamic = ["version"]', 'dynamic = ["version", "dependencies"]'),
    )
    project.write(
        "setup.py",
        """
        import os

        from setuptools import setup

        in_checkout = os.path.isdir(".git")
        setup(install_requires=["packaging>=24"] + (["tomli-w"] if in_checkout else []))
        """,
    )
    project.commit("Compute the dependencies")
    project.tag("v1.2.3")
    return project


@pytest.mark.parametrize("backend", ["hatchling", "setuptools-scm", "flit"])
def test_factory_projects_agree(tmp_path_factory: pytest.TempPathFactory, backend: Backend) -> None:
    dists = build_once(
        tmp_path_factory, f"{backend}-demo", lambda root: make_project(root, backend)
    )
    assert dists.error is None, dists.error
    assert dists.sdist is not None
    assert sdist_entry_points(Path(dists.sdist)) == {"console_scripts": {"demo": "demo.cli:main"}}
    assert compare_dists(Path(dists.sdist), Path(dists.wheels[0])) == []


def test_setuptools_marks_computed_dependencies_dynamic(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    dists: DistSet = build_once(tmp_path_factory, "setuptools-git-dependent", make_git_dependent)
    assert dists.error is None, dists.error
    assert dists.sdist is not None
    sdist_requires = parse_email(read_metadata_bytes(Path(dists.sdist)))[0]["requires_dist"]
    wheel_requires = parse_email(read_metadata_bytes(Path(dists.wheels[0])))[0]["requires_dist"]
    assert sdist_requires == ["packaging>=24", "tomli-w"]
    assert wheel_requires == ["packaging>=24"]
    assert compare_dists(Path(dists.sdist), Path(dists.wheels[0])) == []
