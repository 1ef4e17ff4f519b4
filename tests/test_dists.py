"""Distribution files: their kind, their core metadata, the names a wheel installs."""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from release_checks.dists import dist_kind, read_metadata_bytes, wheel_import_names
from release_checks.distset import DistSet, check_readable, find_prebuilt
from release_checks.errors import FactError
from tests.factory import build_once, make_project

METADATA = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DistSet:
    """The healthy hatchling project `demo` 1.2.3, built once for the whole run."""
    dists = build_once(tmp_path_factory, "hatchling-demo", make_project)
    assert dists.error is None, dists.error
    return dists


@pytest.fixture
def wheel(built: DistSet) -> Path:
    return Path(built.wheels[0])


@pytest.fixture
def sdist(built: DistSet) -> Path:
    assert built.sdist is not None
    return Path(built.sdist)


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def make_tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("demo-1.2.3-py3-none-any.whl", "wheel"),
        ("demo-1.2.3-cp311-cp311-manylinux_2_17_x86_64.whl", "wheel"),
        ("demo-1.2.3.tar.gz", "sdist"),
        ("demo-1.2.3.zip", "sdist"),
        ("demo-1.2.3.tar.bz2", None),
        ("demo-1.2.3-py3.11.egg", None),
        ("demo-1.2.3.tar", None),
        ("README.md", None),
        ("whl", None),
    ],
)
def test_dist_kind(name: str, kind: str | None) -> None:
    assert dist_kind(Path("dist") / name) == kind


class TestReadMetadata:
    def test_real_wheel(self, wheel: Path) -> None:
        data = read_metadata_bytes(wheel)
        assert data.startswith(b"Metadata-Version: ")
        assert b"\nName: demo\n" in data
        assert b"\nVersion: 1.2.3\n" in data

    def test_real_sdist(self, sdist: Path) -> None:
        data = read_metadata_bytes(sdist)
        assert data.startswith(b"Metadata-Version: ")
        assert b"\nName: demo\n" in data
        assert b"\nVersion: 1.2.3\n" in data

    def test_zip_sdist(self, tmp_path: Path) -> None:
        path = make_zip(
            tmp_path / "demo-1.0.zip", {"demo-1.0/PKG-INFO": METADATA, "demo-1.0/a.py": b""}
        )
        assert read_metadata_bytes(path) == METADATA

    @pytest.mark.parametrize("name", ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"])
    def test_garbage_file(self, tmp_path: Path, name: str) -> None:
        path = tmp_path / name
        path.write_bytes(b"this is not an archive\n" * 10)
        with pytest.raises(FactError) as caught:
            read_metadata_bytes(path)
        assert str(caught.value).startswith(f"{name}: cannot read its core metadata")
        assert "rebuild it with `python -m build`" in str(caught.value)

    @pytest.mark.parametrize("which", ["wheel", "sdist"])
    def test_truncated_real_dist(
        self, tmp_path: Path, which: str, wheel: Path, sdist: Path
    ) -> None:
        real = wheel if which == "wheel" else sdist
        cut = tmp_path / real.name
        cut.write_bytes(real.read_bytes()[: real.stat().st_size // 2])
        with pytest.raises(FactError) as caught:
            read_metadata_bytes(cut)
        assert str(caught.value).startswith(f"{real.name}: ")

    def test_wheel_without_metadata(self, tmp_path: Path) -> None:
        path = make_zip(tmp_path / "demo-1.0-py3-none-any.whl", {"demo/__init__.py": b""})
        with pytest.raises(FactError, match=r"^demo-1\.0-py3-none-any\.whl: "):
            read_metadata_bytes(path)

    def test_sdist_without_pkg_info(self, tmp_path: Path) -> None:
        path = make_tar_gz(
            tmp_path / "demo-1.0.tar.gz",
            {"demo-1.0/pyproject.toml": b"", "demo-1.0/demo.py": b""},
        )
        with pytest.raises(FactError) as caught:
            read_metadata_bytes(path)
        assert "demo-1.0.tar.gz: no valid `demo-1.0/PKG-INFO`" in str(caught.value)

    def test_sdist_with_several_top_level_entries(self, tmp_path: Path) -> None:
        path = make_tar_gz(
            tmp_path / "demo-1.0.tar.gz", {"demo-1.0/PKG-INFO": METADATA, "PKG-INFO": METADATA}
        )
        with pytest.raises(FactError, match="exactly one top-level directory"):
            read_metadata_bytes(path)

    def test_sdist_pkg_info_without_metadata_version(self, tmp_path: Path) -> None:
        path = make_tar_gz(
            tmp_path / "demo-1.0.tar.gz",
            {"demo-1.0/PKG-INFO": b"Name: demo\n", "demo-1.0/demo.py": b""},
        )
        with pytest.raises(FactError, match="Metadata-Version"):
            read_metadata_bytes(path)

    def test_not_a_dist(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.txt"
        path.write_text("hello\n", encoding="utf-8")
        with pytest.raises(FactError, match=r"^notes\.txt: not a distribution file"):
            read_metadata_bytes(path)

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(FactError, match=r"^gone-1\.0\.tar\.gz: "):
            read_metadata_bytes(tmp_path / "gone-1.0.tar.gz")


class TestWheelImportNames:
    def test_real_wheel(self, wheel: Path) -> None:
        assert wheel_import_names(wheel) == ["demo"]

    @pytest.mark.parametrize(
        ("members", "names"),
        [
            (["pkg/__init__.py", "pkg/sub/mod.py"], ["pkg"]),
            (["single.py"], ["single"]),
            (["ns/sub/mod.py"], ["ns"]),  # namespace package: no __init__.py
            (["fast.cpython-311-x86_64-linux-gnu.so"], ["fast"]),
            (["limited.abi3.so"], ["limited"]),
            (["win.cp311-win_amd64.pyd"], ["win"]),
            (["cpkg/_speed.cpython-311-x86_64-linux-gnu.so"], ["cpkg"]),
            (["b.py", "a/__init__.py", "a/x.py"], ["a", "b"]),
        ],
        ids=[
            "package",
            "module",
            "namespace",
            "extension",
            "abi3-extension",
            "windows-extension",
            "extension-in-package",
            "sorted-unique",
        ],
    )
    def test_importable_names(self, tmp_path: Path, members: list[str], names: list[str]) -> None:
        path = make_zip(tmp_path / "x-1.0-py3-none-any.whl", dict.fromkeys(members, b""))
        assert wheel_import_names(path) == names

    def test_metadata_data_and_other_files_are_ignored(self, tmp_path: Path) -> None:
        members = [
            "demo/__init__.py",
            "demo-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/licenses/helper.py",
            "demo-1.0.data/scripts/tool.py",
            "demo-1.0.data/data/share/demo/example.py",
            "demo.pth",
            "README.txt",
            "assets/logo.png",
            "not-an-identifier/__init__.py",
            "demo-stubs/__init__.pyi",
        ]
        path = make_zip(tmp_path / "demo-1.0-py3-none-any.whl", dict.fromkeys(members, b""))
        assert wheel_import_names(path) == ["demo"]

    def test_purelib_and_platlib_data_are_importable(self, tmp_path: Path) -> None:
        members = [
            "demo/__init__.py",
            "demo-1.0.data/purelib/extra/__init__.py",
            "demo-1.0.data/platlib/fast.cpython-311-x86_64-linux-gnu.so",
        ]
        path = make_zip(tmp_path / "demo-1.0-py3-none-any.whl", dict.fromkeys(members, b""))
        assert wheel_import_names(path) == ["demo", "extra", "fast"]

    def test_unreadable_wheel(self, tmp_path: Path) -> None:
        path = tmp_path / "demo-1.0-py3-none-any.whl"
        path.write_bytes(b"not a zip")
        with pytest.raises(FactError, match=r"^demo-1\.0-py3-none-any\.whl: not a readable zip"):
            wheel_import_names(path)


class TestFindPrebuilt:
    def test_missing_directory(self, tmp_path: Path) -> None:
        missing = tmp_path / "dist"
        dists = find_prebuilt(missing)
        assert dists.where == str(missing)
        assert dists.error is not None
        assert f"--release-dist {missing}: no such directory" in dists.error
        assert dists.files == []

    def test_a_file_is_not_a_directory(self, tmp_path: Path) -> None:
        not_dir = tmp_path / "demo-1.0.tar.gz"
        not_dir.write_bytes(b"")
        dists = find_prebuilt(not_dir)
        assert dists.error is not None
        assert "no such directory" in dists.error

    def test_empty_directory(self, tmp_path: Path) -> None:
        dists = find_prebuilt(tmp_path)
        assert dists.error == f"--release-dist {tmp_path}: it holds no .tar.gz or .whl file"

    def test_only_other_files(self, tmp_path: Path) -> None:
        (tmp_path / "demo-1.0.egg").write_bytes(b"")
        (tmp_path / "SHA256SUMS").write_text("", encoding="utf-8")
        (tmp_path / "x-1.0-py3-none-any.whl").mkdir()  # a directory, not a file
        dists = find_prebuilt(tmp_path)
        assert dists.error is not None
        assert "it holds no .tar.gz or .whl file" in dists.error

    def test_two_sdists(self, tmp_path: Path) -> None:
        for name in ("demo-1.1.tar.gz", "demo-1.0.tar.gz", "demo-1.1-py3-none-any.whl"):
            (tmp_path / name).write_bytes(b"")
        dists = find_prebuilt(tmp_path)
        assert dists.error == (
            f"--release-dist {tmp_path}: it holds 2 sdists (demo-1.0.tar.gz, demo-1.1.tar.gz); "
            "keep only this release's"
        )
        assert dists.sdist is None
        assert dists.wheels == ()

    def test_sdist_and_wheels(self, tmp_path: Path) -> None:
        for name in (
            "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "demo-1.0.tar.gz",
            "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
            "notes.txt",
        ):
            (tmp_path / name).write_bytes(b"")
        dists = find_prebuilt(tmp_path)
        assert dists == DistSet(
            where=str(tmp_path),
            sdist=str(tmp_path / "demo-1.0.tar.gz"),
            wheels=(
                str(tmp_path / "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
                str(tmp_path / "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
            ),
        )
        assert dists.files[0].name == "demo-1.0.tar.gz"

    def test_wheels_only(self, tmp_path: Path) -> None:
        (tmp_path / "demo-1.0-py3-none-any.whl").write_bytes(b"")
        dists = find_prebuilt(tmp_path)
        assert dists.error is None
        assert dists.sdist is None
        assert dists.wheels == (str(tmp_path / "demo-1.0-py3-none-any.whl"),)

    def test_real_build_output(self, built: DistSet) -> None:
        assert built.sdist is not None
        dists = find_prebuilt(Path(built.sdist).parent)
        assert dists.error is None
        assert dists.sdist == built.sdist
        assert dists.wheels == built.wheels


class TestCheckReadable:
    def test_readable_dists_are_returned_as_they_are(self, built: DistSet) -> None:
        assert check_readable(built) == built

    @pytest.mark.parametrize("kind", ["wheel", "sdist"])
    def test_a_truncated_file_fails_the_set(
        self, built: DistSet, tmp_path: Path, kind: str
    ) -> None:
        for path in built.files:
            shutil.copy(path, tmp_path)
        broken = next(path for path in tmp_path.iterdir() if dist_kind(path) == kind)
        broken.write_bytes(broken.read_bytes()[: broken.stat().st_size // 2])

        dists = check_readable(find_prebuilt(tmp_path))

        assert dists.files == []
        assert dists.error is not None
        assert dists.error.startswith(
            f"--release-dist {tmp_path}: {broken.name}: the archive cannot be read ("
        )
        assert "it is corrupt or truncated" in dists.error

    def test_an_error_is_kept(self, tmp_path: Path) -> None:
        empty = find_prebuilt(tmp_path)
        assert check_readable(empty) == empty
