"""Distribution files: which kind a file is, and its core metadata as the index reads it."""

from __future__ import annotations

import tarfile
import warnings
import zipfile
from pathlib import Path
from typing import Literal

from release_checks.errors import FactError

__all__ = ["DistKind", "dist_kind", "read_metadata_bytes"]

DistKind = Literal["sdist", "wheel"]


def dist_kind(path: Path) -> DistKind | None:
    """Tell an sdist from a wheel by name, as upload tools do; None for anything else."""
    name = path.name
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith((".tar.gz", ".zip")):
        return "sdist"
    return None


def read_metadata_bytes(path: Path) -> bytes:
    """Return the raw core metadata (``PKG-INFO`` or ``METADATA``) of a dist.

    Reads it with pkginfo, the reader twine uses, so every gate sees exactly what an upload
    would send; a corrupt or metadata-less file raises FactError naming the file.
    """
    import pkginfo  # noqa: PLC0415 - pkginfo is only needed once a gate reads a dist

    kind = dist_kind(path)
    if kind is None:
        raise FactError(f"{path.name}: not a distribution file (expected .whl or .tar.gz)")
    reader = pkginfo.Wheel if kind == "wheel" else pkginfo.SDist
    try:
        with warnings.catch_warnings():
            # pkginfo warns about metadata versions newer than it knows; the validity of the
            # metadata is judged by packaging, not by this reader.
            warnings.simplefilter("ignore")
            data: bytes = reader(str(path)).read()
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, tarfile.TarError) as error:
        raise FactError(
            f"{path.name}: cannot read its core metadata ({error}); the file is corrupt or "
            "was not made by a build backend: rebuild it with `python -m build`"
        ) from None
    return data
