"""The members of a wheel or sdist, read without ever extracting them.

One view over zip and tar, so gates that inspect contents (junk, secrets, unsafe paths,
declared files) do not each re-implement archive handling.
"""

from __future__ import annotations

import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from release_checks.errors import FactError
from release_checks.records import Record

__all__ = ["Member", "iter_file_contents", "list_members"]

# What a corrupt or truncated archive raises while being read (a bad deflate stream, say).
_ARCHIVE_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    zipfile.BadZipFile,
    tarfile.TarError,
    zlib.error,
)

MemberKind = Literal["file", "dir", "symlink", "hardlink", "special"]


@dataclass(frozen=True, kw_only=True)
class Member(Record):
    """One archive entry: its stored name, what it is, its size and a link's target."""

    name: str
    kind: MemberKind
    size: int
    link_target: str | None = None


def _is_tar(path: Path) -> bool:
    return path.name.endswith((".tar.gz", ".tgz", ".tar"))


def _zip_kind(info: zipfile.ZipInfo) -> MemberKind:
    mode = info.external_attr >> 16
    if info.is_dir():
        return "dir"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # type bits are optional
        return "special"
    return "file"


def _tar_kind(info: tarfile.TarInfo) -> MemberKind:
    if info.isfile():
        return "file"
    if info.isdir():
        return "dir"
    if info.issym():
        return "symlink"
    if info.islnk():
        return "hardlink"
    return "special"


def _unreadable(path: Path, error: Exception) -> FactError:
    return FactError(
        f"{path.name}: the archive cannot be read ({error}); it is corrupt or truncated: "
        "rebuild it with `python -m build`"
    )


def list_members(path: Path) -> list[Member]:
    """Every entry of the archive, in stored order; a corrupt archive is a FactError."""
    try:
        if _is_tar(path):
            with tarfile.open(path) as tar:
                return [
                    Member(
                        name=info.name,
                        kind=_tar_kind(info),
                        size=info.size,
                        link_target=info.linkname if info.issym() or info.islnk() else None,
                    )
                    for info in tar.getmembers()
                ]
        with zipfile.ZipFile(path) as archive:
            members = []
            for info in archive.infolist():
                kind = _zip_kind(info)
                target = archive.read(info).decode(errors="replace") if kind == "symlink" else None
                members.append(
                    Member(name=info.filename, kind=kind, size=info.file_size, link_target=target)
                )
            return members
    except _ARCHIVE_ERRORS as error:
        raise _unreadable(path, error) from None


def iter_file_contents(path: Path) -> Iterator[tuple[Member, bytes]]:
    """Each regular file with its bytes, one at a time: a large archive is never all in memory."""
    try:
        if _is_tar(path):
            with tarfile.open(path) as tar:
                for entry in tar:
                    stream = tar.extractfile(entry) if entry.isfile() else None
                    if stream is not None:
                        yield Member(name=entry.name, kind="file", size=entry.size), stream.read()
            return
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if _zip_kind(info) == "file":
                    member = Member(name=info.filename, kind="file", size=info.file_size)
                    yield member, archive.read(info)
    except _ARCHIVE_ERRORS as error:
        raise _unreadable(path, error) from None
