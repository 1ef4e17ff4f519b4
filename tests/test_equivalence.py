"""Comparing two wheels: hand-made ones for each kind of difference, real builds for health."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from release_checks.equivalence import Difference, compare_wheels, describe
from release_checks.errors import FactError
from tests.factory import make_project, release_run

METADATA = (
    "Metadata-Version: 2.4\nName: demo\nVersion: {version}\nSummary: A demo\n"
    "Requires-Dist: packaging\nRequires-Dist: rich\n\n# demo\n\nA small project.\n"
)
Members = dict[str, str | bytes]
BASE: Members = {
    "demo/__init__.py": '__version__ = "1.2.3"\n',
    "demo/cli.py": "def main():\n    print('demo')\n",
    "demo-{version}.dist-info/METADATA": METADATA,
    "demo-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hatchling 1.27.0\n",
    "demo-{version}.dist-info/RECORD": "demo/__init__.py,sha256=abc,20\n",
}


def make_wheel(path: Path, members: Mapping[str, str | bytes], *, version: str = "1.2.3") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            text = data.replace("{version}", version) if isinstance(data, str) else data
            archive.writestr(name.replace("{version}", version), text)
    return path


def wheels(
    tmp_path: Path, ours: Mapping[str, str | bytes], theirs: Mapping[str, str | bytes]
) -> tuple[Path, Path]:
    (tmp_path / "ours").mkdir()
    (tmp_path / "theirs").mkdir()
    return (
        make_wheel(tmp_path / "ours/demo-1.2.3-py3-none-any.whl", ours),
        make_wheel(tmp_path / "theirs/demo-1.2.3-py3-none-any.whl", theirs),
    )


def test_same_files_in_another_order_with_another_record_are_equivalent(tmp_path: Path) -> None:
    reordered = dict(reversed(BASE.items()))
    reordered["demo-{version}.dist-info/RECORD"] = "a different listing\n"
    reordered["demo-{version}.dist-info/METADATA"] = (
        "Metadata-Version: 2.4\nName: demo\nRequires-Dist: rich\nVersion: {version}\n"
        "Requires-Dist: packaging\nSummary: A demo\n\n# demo\n\nA small project.\n"
    )
    comparison = compare_wheels(*wheels(tmp_path, BASE, reordered))
    assert comparison.equivalent
    assert comparison.our_generator == comparison.their_generator == "hatchling 1.27.0"


def test_a_file_only_the_tree_has_and_a_changed_file(tmp_path: Path) -> None:
    ours = {name: data for name, data in BASE.items() if name != "demo/cli.py"}
    ours["demo/__init__.py"] = '__version__ = "0.0.0"\n'
    ours["demo/stray.txt"] = "left over\n"
    comparison = compare_wheels(*wheels(tmp_path, ours, BASE))
    assert comparison.differences == (
        Difference(kind="only-theirs", what="demo/cli.py"),
        Difference(kind="only-ours", what="demo/stray.txt"),
        Difference(
            kind="content",
            what="demo/__init__.py",
            where="line 1",
            ours='__version__ = "0.0.0"',
            theirs='__version__ = "1.2.3"',
        ),
    )
    assert describe(comparison, "the sdist's wheel", "the tree's wheel") == [
        "demo/cli.py: only in the tree's wheel",
        "demo/stray.txt: only in the sdist's wheel",
        (
            'demo/__init__.py: the content differs at line 1: `__version__ = "0.0.0"` in the '
            "sdist's wheel, `__version__ = \"1.2.3\"` in the tree's wheel"
        ),
    ]


def test_metadata_fields_differ(tmp_path: Path) -> None:
    ours = dict(BASE)
    ours["demo-{version}.dist-info/METADATA"] = METADATA.replace(
        "Requires-Dist: rich\n", ""
    ).replace("A small project.", "A tiny project.")
    (tmp_path / "theirs").mkdir()
    (tmp_path / "ours").mkdir()
    mine = make_wheel(tmp_path / "ours/demo-0.0.0-py3-none-any.whl", ours, version="0.0.0")
    other = make_wheel(tmp_path / "theirs/demo-1.2.3-py3-none-any.whl", BASE)
    comparison = compare_wheels(mine, other)
    assert describe(comparison, "ours", "theirs") == [
        (
            "METADATA Description (the long description) differs at line 3: "
            "`A tiny project.` in ours, `A small project.` in theirs"
        ),
        "METADATA Requires-Dist differs: nothing in ours, `rich` in theirs",
        "METADATA Version differs: `0.0.0` in ours, `1.2.3` in theirs",
    ]


def test_commit_ids_and_compiled_extensions_are_not_compared(tmp_path: Path) -> None:
    version_file = "__version__ = version = '1.2.3'\n__commit_id__ = commit_id = {}\n"
    ours: Members = {
        **BASE,
        "demo/_version.py": version_file.format("None"),
        "demo/_speedups.cpython-312-x86_64-linux-gnu.so": b"\x7fELF built in /tmp/a",
    }
    theirs: Members = {
        **BASE,
        "demo/_version.py": version_file.format("'g1a2b3c4'"),
        "demo/_speedups.cpython-312-x86_64-linux-gnu.so": b"\x7fELF built in /home/me",
    }
    assert compare_wheels(*wheels(tmp_path, ours, theirs)).equivalent


def test_a_missing_extension_module_counts(tmp_path: Path) -> None:
    theirs: Members = {**BASE, "demo/_speedups.pyd": b"MZ"}
    comparison = compare_wheels(*wheels(tmp_path, BASE, theirs))
    assert comparison.differences == (Difference(kind="only-theirs", what="demo/_speedups.pyd"),)


def test_binary_content_and_generators(tmp_path: Path) -> None:
    ours: Members = {**BASE, "demo/logo.png": b"\x89PNG\xff\x00"}
    theirs: Members = {
        **BASE,
        "demo/logo.png": b"\x89PNG\xfe\x00",
        "demo-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hatchling 1.33.0\n",
    }
    comparison = compare_wheels(*wheels(tmp_path, ours, theirs))
    assert describe(comparison, "ours", "theirs") == [
        (
            "demo-1.2.3.dist-info/WHEEL: the content differs at line 2: "
            "`Generator: hatchling 1.27.0` in ours, `Generator: hatchling 1.33.0` in theirs"
        ),
        "demo/logo.png: the content differs (sha256)",
    ]
    assert (comparison.our_generator, comparison.their_generator) == (
        "hatchling 1.27.0",
        "hatchling 1.33.0",
    )


def test_an_unreadable_wheel_is_a_fact_error(tmp_path: Path) -> None:
    broken = tmp_path / "demo-1.2.3-py3-none-any.whl"
    broken.write_bytes(b"not a zip")
    with pytest.raises(FactError, match=r"demo-1\.2\.3-py3-none-any\.whl: not a readable wheel"):
        compare_wheels(broken, broken)


# Real builds: the run's wheel against the tree's


def test_a_version_file_project_builds_the_same_wheel_from_sdist_and_tree(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path / "demo", "setuptools-scm", tag=None)
    project.append("pyproject.toml", 'version_file = "src/demo/_version.py"\n')
    project.append(".gitignore", "src/demo/_version.py\n")
    project.commit("Write a version file")
    project.tag("v1.2.3")
    project.write("build/lib/demo/stale.py", "# from an old build\n")  # ignored, the user's
    before = project.git("status", "--porcelain", "--ignored", "--untracked-files=all")
    run = release_run(project.root, tmp_path / "shared")
    run.want_tree_wheel()
    dists = run.dists()
    assert dists.error is None, dists.error
    assert (run.shared_dir / "tree-wheel.json").is_file()  # built with the dists
    tree = run.tree_wheel()
    assert tree.error is None, tree.error
    assert tree.wheel is not None
    comparison = compare_wheels(Path(dists.wheels[0]), Path(tree.wheel))
    assert comparison.equivalent, comparison.differences
    with zipfile.ZipFile(tree.wheel) as archive:
        assert "demo/stale.py" not in archive.namelist()
        assert b"commit_id = 'g" in archive.read("demo/_version.py")
    after = project.git("status", "--porcelain", "--ignored", "--untracked-files=all")
    assert after == before
    assert (project.root / "build/lib/demo/stale.py").read_text() == "# from an old build\n"
    assert sorted(path.name for path in (project.root / "build").rglob("*")) == [
        "demo",
        "lib",
        "stale.py",
    ]


def test_without_the_gate_the_tree_wheel_is_built_only_when_asked(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo")
    run = release_run(project.root, tmp_path / "shared")
    assert run.dists().error is None
    assert not (run.shared_dir / "tree-wheel.json").exists()
    assert not (run.shared_dir / "tree-wheel").exists()
    tree = run.tree_wheel()
    assert tree.wheel is not None
    assert Path(tree.wheel).parent == run.shared_dir / "tree-wheel"
    assert run.tree_wheel() == tree  # once per run: the record is read back
    assert compare_wheels(Path(run.dists().wheels[0]), Path(tree.wheel)).equivalent


def test_a_tree_that_does_not_build_is_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo")
    project.append("pyproject.toml", '\n[tool.hatch.build.targets.wheel]\npackages = "src/demo"\n')
    project.commit()
    run = release_run(project.root, tmp_path / "shared")
    tree = run.tree_wheel()
    assert tree.wheel is None
    assert tree.error is not None
    assert "the build backend failed to build the wheel" in tree.error
    assert "Field `tool.hatch.build.targets.wheel.packages` must be an array" in tree.error
