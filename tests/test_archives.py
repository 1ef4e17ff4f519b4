"""The archive view: one listing over zip and tar, never extracting anything."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from release_checks.archives import iter_file_contents, list_members
from release_checks.errors import FactError


def make_tar(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        data = b"print('hi')\n"
        info = tarfile.TarInfo("demo-1.0/demo.py")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("demo-1.0/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../etc/passwd"
        tar.addfile(link)
        fifo = tarfile.TarInfo("demo-1.0/pipe")
        fifo.type = tarfile.FIFOTYPE
        tar.addfile(fifo)
    return path


def test_tar_members_and_kinds(tmp_path: Path) -> None:
    path = make_tar(tmp_path / "demo-1.0.tar.gz")
    kinds = {member.name: (member.kind, member.link_target) for member in list_members(path)}
    assert kinds == {
        "demo-1.0/demo.py": ("file", None),
        "demo-1.0/link": ("symlink", "../../etc/passwd"),
        "demo-1.0/pipe": ("special", None),
    }
    assert [(m.name, data) for m, data in iter_file_contents(path)] == [
        ("demo-1.0/demo.py", b"print('hi')\n")
    ]


def test_zip_members_without_type_bits_are_files(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo/__init__.py", "")
        info = zipfile.ZipInfo("demo/link")
        info.external_attr = (0o120777) << 16  # a symlink
        archive.writestr(info, "../outside")
    members = {member.name: member for member in list_members(path)}
    assert members["demo/__init__.py"].kind == "file"
    assert members["demo/link"].kind == "symlink"
    assert members["demo/link"].link_target == "../outside"
    assert [m.name for m, _ in iter_file_contents(path)] == ["demo/__init__.py"]


def test_corrupt_archive_is_a_fact_error(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    path.write_bytes(b"not a zip")
    with pytest.raises(FactError, match=r"demo-1\.0-py3-none-any\.whl: the archive cannot be read"):
        list_members(path)
