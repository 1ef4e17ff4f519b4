"""The sdist against git: real builds pass, hand-made sdists over real repositories fail."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

from release_checks.dists import wheel_import_names
from release_checks.project import load_pyproject
from release_checks.sdist_sources import (
    SdistFile,
    SdistVsGit,
    backend_family,
    compare_sdist_with_git,
    fix_hints,
)
from tests.factory import Backend, FixtureProject, build_once, make_project, run_shared_dir


def make_sdist(
    path: Path, files: Iterable[str], *, contents: Mapping[str, str] | None = None
) -> Path:
    """A gzipped tar with `files` under ``demo-1.2.3/`` (content: the path, or `contents`)."""
    contents = contents or {}
    with tarfile.open(path, "w:gz") as tar:
        for name in sorted({*files, *contents}):
            data = contents.get(name, name).encode()
            info = tarfile.TarInfo(f"demo-1.2.3/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def tracked(project: FixtureProject) -> list[str]:
    return project.git("ls-files").split()


def compare(
    project: FixtureProject,
    files: Iterable[str],
    *,
    ignore: tuple[str, ...] = (),
    contents: Mapping[str, str] | None = None,
) -> SdistVsGit:
    sdist = make_sdist(project.root.parent / "demo-1.2.3.tar.gz", files, contents=contents)
    return compare_sdist_with_git(
        project.root, sdist, load_pyproject(project.root), ignore=ignore, import_names=["demo"]
    )


def paths(found: Iterable[SdistFile]) -> list[str]:
    return [item.path for item in found]


@pytest.fixture
def hatchling(tmp_path: Path) -> FixtureProject:
    return make_project(tmp_path / "demo")


SHAPED = '\n[tool.hatch.build.targets.sdist]\ninclude = ["/src", "/README.md"]\n'


# Real builds of healthy projects: nothing to report


@pytest.mark.parametrize(
    ("backend", "mirrors"), [("hatchling", True), ("setuptools-scm", True), ("flit", False)]
)
def test_real_sdists_match_git(
    backend: Backend, mirrors: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    key = f"{backend}-demo"
    dists = build_once(tmp_path_factory, key, lambda root: make_project(root, backend))
    assert dists.error is None, dists.error
    assert dists.sdist is not None
    root = run_shared_dir(tmp_path_factory) / f"{key}-project"
    result = compare_sdist_with_git(
        root,
        Path(dists.sdist),
        load_pyproject(root),
        import_names=wheel_import_names(Path(dists.wheels[0])),
    )
    assert result == SdistVsGit(backend=backend.removesuffix("-scm"), mirrors=mirrors)


# Tracked files the sdist lacks


def test_hatchling_sdist_mirrors_every_tracked_file(hatchling: FixtureProject) -> None:
    files = [path for path in tracked(hatchling) if path != "CHANGELOG.md"]
    result = compare(hatchling, [*files, "PKG-INFO"])
    assert result.mirrors
    assert result.missing == (
        SdistFile(
            path="CHANGELOG.md",
            why="tracked: hatchling's sdist holds every tracked file that git does not ignore",
        ),
    )
    assert result.untracked == ()
    assert "rebuild it with `python -m build --sdist`" in fix_hints(result)[0]


def test_narrowed_hatchling_sdist_needs_the_package_readme_and_license(
    hatchling: FixtureProject,
) -> None:
    hatchling.append("pyproject.toml", SHAPED)
    hatchling.write("src/demo/data/table.csv", "a,b\n")
    hatchling.commit()
    result = compare(hatchling, ["pyproject.toml", "src/demo/__init__.py", "PKG-INFO"])
    assert not result.mirrors
    assert [(item.path, item.why) for item in result.missing] == [
        ("LICENSE", "a license file (`[project] license-files`)"),
        ("README.md", "the readme (`[project] readme`)"),
        ("src/demo/cli.py", "in the package `src/demo/`"),
        ("src/demo/data/table.csv", "in the package `src/demo/`"),
    ]
    hint = fix_hints(result)[0]
    assert "`[tool.hatch.build.targets.sdist]`" in hint
    assert "add them to `include`" in hint


def test_ignored_deleted_and_sdist_ignore_files_are_not_needed(hatchling: FixtureProject) -> None:
    hatchling.write("src/demo/_generated.py", "x = 1\n")
    hatchling.write("docs/index.md", "# Docs\n")
    hatchling.commit()
    hatchling.append(".gitignore", "src/demo/_generated.py\n")  # tracked, yet ignored
    (hatchling.root / "CHANGELOG.md").unlink()  # deleted in the working tree
    files = {"pyproject.toml", "README.md", "LICENSE", ".gitignore", "src/demo/__init__.py"}
    result = compare(hatchling, [*files, "src/demo/cli.py"], ignore=("docs",))
    assert result.missing == ()


def test_a_tracked_symlink_to_a_directory_is_packed_as_its_files(
    hatchling: FixtureProject,
) -> None:
    hatchling.write("shared/schema.json", "{}\n")
    (hatchling.root / "src/demo/schema").symlink_to("../../shared")
    hatchling.commit()
    files = [path for path in tracked(hatchling) if path != "src/demo/schema"]
    result = compare(hatchling, [*files, "src/demo/schema/schema.json", "PKG-INFO"])
    assert result == SdistVsGit(backend="hatchling", mirrors=True)


def test_submodule_files_count_when_checked_out(tmp_path: Path) -> None:
    library = make_project(tmp_path / "library", name="library", tag=None)
    project = make_project(tmp_path / "demo")
    project.git("-c", "protocol.file.allow=always", "submodule", "add", str(library.root), "vendor")
    project.commit("Vendor the library")
    files = [path for path in tracked(project) if path != "vendor"]  # the submodule's entry
    submodule_files = [f"vendor/{path}" for path in tracked(library)]
    result = compare(project, [*files, *submodule_files[1:], "PKG-INFO"])
    assert paths(result.missing) == [submodule_files[0]]
    project.git("submodule", "deinit", "--force", "vendor")  # not checked out: nothing needed
    assert compare(project, [*files, "PKG-INFO"]).missing == ()


def test_wheel_excludes_and_setuptools_package_settings_leave_files_out(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo", "setuptools-scm")
    project.append(
        "pyproject.toml",
        '\n[tool.setuptools.packages.find]\nwhere = ["src"]\nexclude = ["demo.tests*"]\n',
    )
    project.write("src/demo/tests/test_cli.py", "def test(): pass\n")
    project.write("MANIFEST.in", "prune .github\n")  # excludes: no longer a mirror of git
    project.commit()
    needed = ["pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "src/demo/__init__.py"]
    result = compare(project, needed)
    assert not result.mirrors
    assert paths(result.missing) == ["src/demo/cli.py"]
    assert "add them to MANIFEST.in" in fix_hints(result)[0]


def test_setuptools_scm_leaves_out_export_ignored_files(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo", "setuptools-scm")
    project.write(".gitattributes", ".github/ export-ignore\ndocs/*.png export-ignore\n")
    project.write(".github/workflows/ci.yml", "on: push\n")
    project.write("docs/logo.png", "PNG\n")
    project.write("docs/index.md", "# Docs\n")
    project.commit()
    shipped = [path for path in tracked(project) if path != "docs/index.md"]
    shipped = [path for path in shipped if not path.startswith((".github/", "docs/logo"))]
    result = compare(project, shipped)
    assert result.mirrors
    assert paths(result.missing) == ["docs/index.md"]
    assert "MANIFEST.in and `export-ignore` in .gitattributes" in fix_hints(result)[0]


def test_setuptools_needs_the_files_it_reads(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo", "setuptools-scm")
    project.write("setup.py", "from setuptools import setup\n\nsetup()\n")
    project.write("requirements.txt", "packaging\n")
    project.append(
        "pyproject.toml",
        '\n[tool.setuptools.dynamic]\ndependencies = { file = ["requirements.txt"] }\n',
    )
    project.commit()
    files = [p for p in tracked(project) if p not in ("setup.py", "requirements.txt")]
    result = compare(project, files)
    assert [(item.path, item.why) for item in result.missing] == [
        ("requirements.txt", "read by setuptools (`[tool.setuptools.dynamic]`)"),
        ("setup.py", "read by setuptools"),
    ]


def test_an_in_tree_backend_is_needed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo", "flit")
    text = (project.root / "pyproject.toml").read_text(encoding="utf-8")
    project.write(
        "pyproject.toml",
        text.replace(
            'build-backend = "flit_core.buildapi"',
            'build-backend = "local_backend"\nbackend-path = ["_build"]',
        ),
    )
    project.write("_build/local_backend.py", "from flit_core.buildapi import *\n")
    project.write("_build/unrelated.txt", "notes\n")
    project.commit()
    result = compare(project, ["pyproject.toml", "README.md", "LICENSE", "demo/__init__.py"])
    assert [(item.path, item.why) for item in result.missing] == [
        ("_build/local_backend.py", "the in-tree build backend (`backend-path`)"),
        ("demo/cli.py", "in the package `demo/`"),
    ]
    assert backend_family(load_pyproject(project.root)) == "local_backend"
    assert "check the sdist settings of the build backend `local_backend`" in fix_hints(result)[0]


def test_a_project_in_a_subdirectory_of_the_repository(tmp_path: Path) -> None:
    project = make_project(tmp_path / "repo" / "packages" / "demo")
    (project.root / ".git").rename(tmp_path / "repo" / ".git")
    workspace = FixtureProject(
        root=tmp_path / "repo", name="demo", module="demo", package_dir=project.package_dir
    )
    workspace.write("other/tool.py", "print('not ours')\n")
    workspace.commit("Move into a workspace")
    result = compare(project, [*tracked(project), "PKG-INFO"])
    assert result == SdistVsGit(backend="hatchling", mirrors=True)


# Files in the sdist that git does not track


def test_untracked_files_are_reported_unless_the_project_ignores_them(
    hatchling: FixtureProject,
) -> None:
    hatchling.append(".gitignore", "src/demo/_assets/\n")
    hatchling.commit()
    (hatchling.root / ".git/info/exclude").write_text("scratch.py\n", encoding="utf-8")
    extra = ["notes.txt", "scratch.py", "src/demo/_assets/app.js"]
    result = compare(hatchling, [*tracked(hatchling), "PKG-INFO", *extra])
    assert [(item.path, item.why) for item in result.untracked] == [
        ("notes.txt", "untracked: not committed, not ignored"),
        (
            "scratch.py",
            "ignored only by your own `.git/info/exclude`, not by the project's .gitignore",
        ),
    ]
    hint = fix_hints(result)[0]
    assert hint.startswith("commit the files that belong to the project, delete the stray ones")
    assert "hatchling packs every file (under the sdist's `include` paths, if any) that" in hint


def test_flit_ships_ignored_files_of_the_package(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo", "flit")
    project.append(".gitignore", "*.local\n")
    project.append("pyproject.toml", '\n[tool.flit.sdist]\ninclude = ["docs/*.local"]\n')
    project.commit()
    extra = ["demo/settings.local", "docs/build.local"]
    result = compare(project, [*tracked(project), "PKG-INFO", *extra])
    assert [(item.path, item.why) for item in result.untracked] == [
        (
            "demo/settings.local",
            "ignored by `.gitignore`, but flit ships every file of the package",
        )
    ]
    assert "`[tool.flit.sdist] exclude`" in fix_hints(result)[0]


def test_generated_files_are_accepted(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo", "setuptools-scm")
    project.append("pyproject.toml", 'version_file = "src/demo/_version.py"\n')
    project.commit()
    generated = {
        "PKG-INFO": "Metadata-Version: 2.4\n",
        "setup.cfg": "[egg_info]\ntag_build = \ntag_date = 0\n\n",
        "src/demo.egg-info/SOURCES.txt": "",
        "src/demo/_version.py": "version = '1.2.3'\n",
    }
    result = compare(project, tracked(project), contents=generated)
    assert result == SdistVsGit(backend="setuptools", mirrors=True)


def test_a_setup_cfg_with_settings_is_not_generated(tmp_path: Path) -> None:
    project = make_project(tmp_path / "demo", "setuptools-scm")
    contents = {"setup.cfg": "[metadata]\nname = demo\n\n[egg_info]\ntag_build =\n"}
    result = compare(project, tracked(project), contents=contents)
    assert paths(result.untracked) == ["setup.cfg"]


def test_hatch_vcs_version_files_and_force_included_files_are_accepted(
    hatchling: FixtureProject,
) -> None:
    hatchling.append(
        "pyproject.toml",
        "\n[tool.hatch.build.hooks.vcs]\n"
        'version-file = "src/demo/_version.py"\n'
        "\n[tool.hatch.build.targets.sdist.force-include]\n"
        '"../shared/NOTICE" = "NOTICE"\n',
    )
    hatchling.commit()
    extra = ["src/demo/_version.py", "NOTICE", "PKG-INFO"]
    result = compare(hatchling, [*tracked(hatchling), *extra])
    assert result.untracked == ()


def test_sdist_ignore_covers_both_directions(hatchling: FixtureProject) -> None:
    files = [path for path in tracked(hatchling) if path != "CHANGELOG.md"]
    result = compare(
        hatchling,
        [*files, "PKG-INFO", "build-info/stamp.txt", "notes.txt"],
        ignore=("CHANGELOG.*", "build-info", "*.txt"),
    )
    assert result == SdistVsGit(backend="hatchling", mirrors=True)


def test_the_hint_names_sdist_ignore(hatchling: FixtureProject) -> None:
    result = compare(hatchling, [*tracked(hatchling), "notes.txt"])
    assert fix_hints(result)[-1] == (
        "for a deliberate difference, list the paths (glob patterns) in "
        "`[tool.release-checks] sdist-ignore`"
    )


@pytest.mark.parametrize(
    ("backend", "family"),
    [
        (None, "setuptools"),
        ("setuptools.build_meta:__legacy__", "setuptools"),
        ("hatchling.build", "hatchling"),
        ("flit_core.buildapi", "flit"),
        ("poetry.core.masonry.api", "poetry"),
        ("pdm.backend", "pdm"),
        ("maturin", "maturin"),
        ("scikit_build_core.build", "scikit-build-core"),
        ("mesonpy", "meson-python"),
    ],
)
def test_backend_family(backend: str | None, family: str) -> None:
    system = {"build-backend": backend} if backend else {}
    assert backend_family({"build-system": system}) == family
