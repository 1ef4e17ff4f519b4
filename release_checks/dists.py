"""Distribution files: which kind a file is, and its core metadata as the index reads it."""

from __future__ import annotations

import os
import tarfile
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Literal

from release_checks.errors import FactError

__all__ = ["DistKind", "dist_kind", "dist_name", "read_metadata_bytes", "wheel_import_names"]

DistKind = Literal["sdist", "wheel"]


def dist_kind(path: Path) -> DistKind | None:
    """Tell an sdist from a wheel by name, as upload tools do; None for anything else."""
    name = path.name
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith((".tar.gz", ".zip")):
        return "sdist"
    return None


def dist_name(path: Path) -> str | None:
    """The normalized project name a distribution's file name carries; None if unparsable."""
    from packaging.utils import (  # noqa: PLC0415
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if path.name.endswith(".whl"):
            return str(parse_wheel_filename(path.name)[0])
        return str(parse_sdist_filename(path.name)[0])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def _read_sdist_metadata(path: Path) -> bytes:
    """Read ``<top>/PKG-INFO`` the way upload tools do: one top-level directory, a real file."""
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            top = os.path.commonpath(names) if names else ""
            data = archive.read(f"{top}/PKG-INFO") if f"{top}/PKG-INFO" in names else None
    else:
        with tarfile.open(path, "r:gz") as tar:  # strictly gzip, as upload tools read it
            names = tar.getnames()
            top = os.path.commonpath(names) if names else ""
            member = next((m for m in tar.getmembers() if m.name == f"{top}/PKG-INFO"), None)
            stream = tar.extractfile(member) if member is not None and member.isfile() else None
            data = stream.read() if stream is not None else None
    if top in {"", ".", "/"}:
        raise FactError(
            f"{path.name}: the sdist must hold exactly one top-level directory "
            "(`name-version/`); it holds several entries: rebuild it with `python -m build --sdist`"
        )
    if data is None or b"Metadata-Version" not in data:
        raise FactError(
            f"{path.name}: no valid `{top}/PKG-INFO` (a regular file with a Metadata-Version); "
            "rebuild the sdist with `python -m build --sdist`"
        )
    return data


def read_metadata_bytes(path: Path) -> bytes:
    """Return the raw core metadata (``PKG-INFO`` or ``METADATA``) of a dist.

    Follows the rules of the upload tools, so every gate sees exactly what an upload would
    send; a corrupt or metadata-less file raises FactError naming the file.
    """
    kind = dist_kind(path)
    if kind is None:
        raise FactError(f"{path.name}: not a distribution file (expected .whl or .tar.gz)")
    try:
        if kind == "sdist":
            return _read_sdist_metadata(path)
        import pkginfo  # noqa: PLC0415 - only needed once a gate reads a wheel

        with warnings.catch_warnings():
            # pkginfo warns about metadata versions newer than it knows; the validity of the
            # metadata is judged by packaging, not by this reader.
            warnings.simplefilter("ignore")
            data: bytes = pkginfo.Wheel(str(path)).read()
    except (
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        zipfile.BadZipFile,
        tarfile.TarError,
        zlib.error,
    ) as error:
        raise FactError(
            f"{path.name}: cannot read its core metadata ({error}); the file is corrupt or "
            "was not made by a build backend: rebuild it with `python -m build`"
        ) from None
    return data


_EXTENSION_SUFFIXES = (".so", ".pyd")


def wheel_import_names(path: Path) -> list[str]:
    """The top-level packages and modules a wheel installs: what a user can ``import``.

    Packages, namespace packages and extension modules count; ``.dist-info``, ``.data``,
    ``.pth`` files and names that are not identifiers do not.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
    except (OSError, zipfile.BadZipFile) as error:
        raise FactError(f"{path.name}: not a readable zip archive ({error})") from None
    names = set()
    for member in members:
        top, _, rest = member.partition("/")
        if top.endswith(".data"):
            scheme, _, installed = rest.partition("/")
            if scheme not in ("purelib", "platlib"):
                continue  # scripts, headers and data files are not importable
            top, _, rest = installed.partition("/")
        if top.endswith(".dist-info"):
            continue
        if rest:
            if rest.endswith(".py") or rest.endswith(_EXTENSION_SUFFIXES):
                names.add(top)
        elif top.endswith(".py"):
            names.add(top.removesuffix(".py"))
        elif top.endswith(_EXTENSION_SUFFIXES):
            names.add(top.split(".", 1)[0])
    return sorted(name for name in names if name.isidentifier())
