"""Declared files: license files where PEP 639 puts them, license claims, py.typed markers."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path
from typing import cast

import pytest
from packaging.metadata import RawMetadata

from release_checks.declared_files import (
    ArtifactFiles,
    DeclaredLicenses,
    claims_typed,
    declared_license_files,
    license_claim,
    license_text_in_metadata,
    looks_like_license,
    missing_py_typed,
    typed_packages,
)
from release_checks.distset import DistSet
from release_checks.errors import FactError
from tests.factory import FixtureProject, build_once, make_project

TYPED = '    "Programming Language :: Python :: 3.12",\n    "Typing :: Typed",'


def make_typed(root: Path) -> FixtureProject:
    project = make_project(root, tag=None)
    pyproject = (project.root / "pyproject.toml").read_text(encoding="utf-8")
    project.write(
        "pyproject.toml",
        pyproject.replace('    "Programming Language :: Python :: 3.12",', TYPED),
    )
    project.write("src/demo/py.typed", "")
    project.commit("Mark the package as typed")
    project.tag("v1.2.3")
    return project


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> DistSet:
    """A healthy typed hatchling project, built once for the whole run."""
    dists = build_once(tmp_path_factory, "hatchling-typed", make_typed)
    assert dists.error is None, dists.error
    return dists


def make_wheel(path: Path, names: list[str]) -> ArtifactFiles:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "")
    return ArtifactFiles.read(path)


def make_sdist(path: Path, names: list[str]) -> ArtifactFiles:
    with tarfile.open(path, "w:gz") as tar:
        for name in names:
            tar.addfile(tarfile.TarInfo(name), io.BytesIO(b""))
    return ArtifactFiles.read(path)


def test_healthy_build_ships_license_and_marker(typed: DistSet) -> None:
    assert typed.sdist is not None
    sdist = ArtifactFiles.read(Path(typed.sdist))
    wheel = ArtifactFiles.read(Path(typed.wheels[0]))
    assert (sdist.kind, sdist.prefix, sdist.dist_info) == ("sdist", "demo-1.2.3/", None)
    assert (wheel.kind, wheel.prefix, wheel.dist_info) == ("wheel", "", "demo-1.2.3.dist-info/")
    assert sdist.license_location("LICENSE") == "demo-1.2.3/LICENSE"
    assert wheel.license_location("LICENSE") == "demo-1.2.3.dist-info/licenses/LICENSE"
    assert sdist.has_license_file("LICENSE", exact=True)
    assert wheel.has_license_file("LICENSE", exact=True)
    assert wheel.license_like() == ["demo-1.2.3.dist-info/licenses/LICENSE"]
    assert typed_packages(wheel) == ["demo"]
    assert missing_py_typed(wheel, ["demo"]) == []
    assert missing_py_typed(sdist, ["demo"]) == []


def test_artifact_that_is_no_distribution(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(FactError, match=r"notes\.txt: not a distribution file"):
        ArtifactFiles.read(path)


def test_license_file_dropped_from_wheel(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        ["demo/__init__.py", "demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD"],
    )
    assert not wheel.has_license_file("LICENSE", exact=True)
    assert not wheel.has_license_file("LICENSE", exact=False)
    assert wheel.license_like() == []


def test_vendored_distributions_are_not_the_wheels_own(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "tool-2.0-py3-none-any.whl",
        [
            "tool/_vendor/dep-1.0.dist-info/licenses/LICENSE",
            "tool/__init__.py",
            "tool-2.0.dist-info/licenses/LICENSE",
            "tool-2.0.dist-info/licenses/tool/_vendor/dep-1.0.dist-info/licenses/LICENSE",
        ],
    )
    assert wheel.dist_info == "tool-2.0.dist-info/"
    assert wheel.has_license_file("LICENSE", exact=True)
    assert wheel.has_license_file("tool/_vendor/dep-1.0.dist-info/licenses/LICENSE", exact=True)


def test_older_backends_put_license_files_elsewhere(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        ["demo/__init__.py", "demo-1.0.dist-info/LICENSE.txt", "demo-1.0.dist-info/METADATA"],
    )
    assert not wheel.has_license_file("LICENSE.txt", exact=True)
    assert wheel.has_license_file("LICENSE.txt", exact=False)
    assert not wheel.has_license_file("docs/LICENSE.txt", exact=True)
    assert wheel.has_license_file("docs/LICENSE.txt", exact=False)
    sdist = make_sdist(tmp_path / "demo-1.0.tar.gz", ["demo-1.0/PKG-INFO", "demo-1.0/COPYING"])
    assert sdist.has_license_file("COPYING", exact=True)
    assert not sdist.has_license_file("LICENSE", exact=False)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("demo-1.0/LICENSE", True),
        ("demo-1.0/LICENCE.md", True),
        ("demo-1.0/COPYING.LESSER", True),
        ("demo-1.0/NOTICE", True),
        ("demo-1.0/MIT-LICENSE", True),
        ("demo-1.0/LICENSE-APACHE", True),
        ("demo-1.0/LICENSES/Apache-2.0.txt", True),
        ("demo-1.0.dist-info/licenses/docs/terms.txt", True),
        ("demo/license.py", False),
        ("demo/licensing_server.py", False),
        ("demo-1.0/README.md", False),
        ("demo-1.0/docs/licensing.md", False),
    ],
)
def test_license_like_names(path: str, expected: bool) -> None:
    assert looks_like_license(path) is expected


def metadata(**fields: object) -> RawMetadata:
    return cast("RawMetadata", fields)


@pytest.mark.parametrize(
    ("expression", "claim"),
    [
        ("MIT", "License-Expression `MIT`"),
        ("Apache-2.0 WITH LLVM-exception", "License-Expression `Apache-2.0 WITH LLVM-exception`"),
        ("MIT AND CC0-1.0", "License-Expression `MIT AND CC0-1.0`"),
        (
            "(MIT OR CC0-1.0) AND BSD-3-Clause",
            "License-Expression `(MIT OR CC0-1.0) AND BSD-3-Clause`",
        ),
        ("CC0-1.0", None),
        ("Unlicense", None),
        ("0BSD", None),
        ("MIT OR CC0-1.0", None),
        ("LicenseRef-Proprietary", None),
    ],
)
def test_license_expression_claims(expression: str, claim: str | None) -> None:
    assert license_claim(metadata(license_expression=expression)) == claim


def test_license_classifier_claims() -> None:
    mit = "License :: OSI Approved :: MIT License"
    assert license_claim(metadata(classifiers=[mit])) == f"classifier `{mit}`"
    for free in (
        "License :: OSI Approved :: The Unlicense (Unlicense)",
        "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
        "License :: Public Domain",
        "License :: Other/Proprietary License",
        "License :: OSI Approved",
    ):
        assert license_claim(metadata(classifiers=[free])) is None, free
    # The expression decides when there is one.
    assert license_claim(metadata(license_expression="CC0-1.0", classifiers=[mit])) is None
    assert license_claim(metadata()) is None


def test_license_text_in_metadata() -> None:
    text = "MIT License\n\nCopyright (c) 2026 Someone\n"
    assert license_text_in_metadata(
        metadata(license="MIT License\n        Copyright (c) 2026 Someone"), text
    )
    assert not license_text_in_metadata(metadata(license="MIT"), text)
    assert not license_text_in_metadata(metadata(license="MIT"), "")


def test_declared_license_files_follow_git(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", tag=None)
    project.write("LICENSES/Apache-2.0.txt", "Apache License\n")
    project.write("COPYRIGHT.txt", "Copyright me\n")
    project.write(".gitignore", "dist/\nbuild/\n")
    project.write("build/lib/LICENSE", "a copy the build left behind\n")
    project.write("notes/LICENSE", "untracked, but not ignored: the build sees it\n")
    pyproject = {
        "project": {
            "license": {"file": "COPYRIGHT.txt"},
            "license-files": ["LICEN[CS]E*", "LICENSES/*", "**/LICENSE", "NOTICE*", "../x", "/y"],
        }
    }
    assert declared_license_files(project.root, pyproject) == DeclaredLicenses(
        files=("LICENSE", "LICENSES/Apache-2.0.txt", "notes/LICENSE"),
        unmatched=("NOTICE*",),
        text_file="COPYRIGHT.txt",
    )


def test_declared_license_files_outside_git_and_legacy_forms(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text("MIT\n", encoding="utf-8")
    (tmp_path / "AUTHORS").write_text("me\n", encoding="utf-8")
    hatch_table = {"project": {"license-files": {"paths": ["LICENSE"], "globs": ["AUTH*"]}}}
    assert declared_license_files(tmp_path, hatch_table).files == ("LICENSE", "AUTHORS")
    assert declared_license_files(tmp_path, {"project": {"license": "MIT"}}) == DeclaredLicenses()
    assert declared_license_files(tmp_path, {}) == DeclaredLicenses()


def test_claims_typed() -> None:
    assert claims_typed(metadata(classifiers=["Typing :: Typed"]))
    assert not claims_typed(metadata(classifiers=["Typing :: Stubs Only"]))
    assert not claims_typed(metadata())


def test_typed_packages_of_wheel_layouts(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path / "demo-1.0-cp312-cp312-linux_x86_64.whl",
        [
            "demo/__init__.py",
            "demo/py.typed",
            "demo/sub/__init__.py",
            "fast/__init__.cpython-312-x86_64-linux-gnu.so",
            "ns/py.typed",
            "ns/a/__init__.py",
            "ns/deep/b/__init__.pyi",
            "purelibpkg/__init__.py",
            "single.py",
            "demo-stubs/__init__.pyi",
            "demo-1.0.data/purelib/datapkg/__init__.py",
            "_runtime/__init__.py",
            "partly/__init__.py",
            "partly/typed/__init__.py",
            "partly/typed/py.typed",
            "demo-1.0.data/scripts/tool.py",
            "demo-1.0.dist-info/METADATA",
        ],
    )
    assert typed_packages(wheel) == [
        "datapkg",
        "demo",
        "fast",
        "ns/a",
        "ns/deep/b",
        "partly",
        "purelibpkg",
    ]
    assert missing_py_typed(wheel, typed_packages(wheel)) == [
        "datapkg/py.typed",
        "fast/py.typed",
        "purelibpkg/py.typed",
    ]


def test_single_module_and_stub_only_wheels_need_no_marker(tmp_path: Path) -> None:
    single = make_wheel(
        tmp_path / "one-1.0-py3-none-any.whl", ["one.py", "one-1.0.dist-info/RECORD"]
    )
    stubs = make_wheel(
        tmp_path / "demo_stubs-1.0-py3-none-any.whl",
        ["demo-stubs/__init__.pyi", "demo_stubs-1.0.dist-info/RECORD"],
    )
    assert typed_packages(single) == []
    assert typed_packages(stubs) == []


def test_py_typed_in_sdist_layouts(tmp_path: Path) -> None:
    sdist = make_sdist(
        tmp_path / "demo-1.0.tar.gz",
        ["demo-1.0/src/demo/__init__.py", "demo-1.0/src/demo/py.typed", "demo-1.0/ns/a/x.py"],
    )
    assert missing_py_typed(sdist, ["demo", "ns/a", "other"]) == ["ns/a/py.typed", "other/py.typed"]
    flat = make_sdist(tmp_path / "flat-1.0.tar.gz", ["flat-1.0/flat/py.typed"])
    assert missing_py_typed(flat, ["flat"]) == []
