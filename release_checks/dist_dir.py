"""What a dist directory holds, file by file, against what ``twine upload DIR/*`` would do.

twine uploads every ``.whl``, ``.tar.gz`` and ``.zip`` it is given, attaches ``X.asc``
signatures and ``X.*.attestation`` files to the distribution ``X``, and stops with "Unknown
distribution format" on anything else — before uploading a single file. The shell's ``*``
does not match names that start with a dot, so those files (such as ``.gitignore``) are left
out here too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from release_checks.dists import dist_name
from release_checks.records import Record

__all__ = ["DistDir", "StrayFile", "inspect_dist_dir", "most_common_name"]

_UNKNOWN = "twine stops at it with 'Unknown distribution format' before uploading anything"
# Extensions of distribution formats the index no longer accepts, and what they are.
_RETIRED = {
    ".egg": "an egg (bdist_egg)",
    ".exe": "a Windows installer (bdist_wininst)",
    ".msi": "a Windows installer (bdist_msi)",
    ".rpm": "an RPM package (bdist_rpm)",
    ".dmg": "a macOS disk image",
}


@dataclass(frozen=True, kw_only=True)
class StrayFile(Record):
    """A file in the directory that is not part of this release, and why."""

    name: str
    why: str


@dataclass(frozen=True, kw_only=True)
class DistDir(Record):
    """The release's sdists and wheels in the directory, and everything else in it."""

    sdists: tuple[str, ...] = ()
    wheels: tuple[str, ...] = ()
    companions: tuple[str, ...] = ()
    strays: tuple[StrayFile, ...] = ()


def _release_file(name: str, project: str, version: Version) -> str | None:
    """Why a distribution file is not one of this release's; None when it is."""
    try:
        if name.endswith(".whl"):
            found_name, found_version, *_ = parse_wheel_filename(name)
        else:
            found_name, found_version = parse_sdist_filename(name)
    except (InvalidWheelFilename, InvalidSdistFilename) as error:
        return (
            f"not a valid distribution file name ({error}); the index rejects it and twine "
            "may stop at it"
        )
    if found_name != canonicalize_name(project):
        return (
            f"a distribution of another project, `{found_name}`: twine would upload it too "
            "(to that project, if your credentials allow it)"
        )
    if found_version != version:
        return (
            f"version {found_version}, not the release version {version}: a leftover of an "
            "earlier build; twine would upload it too — the index refuses a file it already "
            "has (stopping the upload halfway) and publishes one it never got"
        )
    if name.endswith(".zip"):
        return "a .zip sdist: sdists must be .tar.gz (PEP 625), and the index rejects others"
    return None


def _stray_reason(name: str) -> str:
    """Why a file that is no distribution does not belong in the directory."""
    for extension, what in _RETIRED.items():
        if name.endswith(extension):
            return f"{what}, a format the index no longer accepts; {_UNKNOWN}"
    if name.endswith(".metadata"):
        return f"a metadata file (the index extracts its own from each wheel); {_UNKNOWN}"
    return f"not a distribution file; {_UNKNOWN}"


def inspect_dist_dir(
    directory: Path, project: str, version: Version, *, siblings: Collection[str] = ()
) -> DistDir:
    """Sort the directory's entries into this release's files and the ones that do not belong.

    Companions are signatures and attestations of the release's own files; a signature or
    attestation of any other file is a stray. Files of `siblings` (the normalized names of a
    workspace's other packages, which share the directory) and their companions are theirs
    to check, and left out here.
    """
    entries = sorted(path for path in directory.iterdir() if not path.name.startswith("."))
    sdists: list[str] = []
    wheels: list[str] = []
    strays: list[StrayFile] = []
    release: set[str] = set()
    theirs = {path.name for path in entries if siblings and dist_name(path) in siblings}
    entries = [
        path
        for path in entries
        if path.name not in theirs and not any(path.name.startswith(f"{d}.") for d in theirs)
    ]
    for path in entries:
        name = path.name
        if path.is_dir():
            strays.append(StrayFile(name=name, why=f"a directory; {_UNKNOWN}"))
        elif name.endswith((".whl", ".tar.gz", ".zip")):
            problem = _release_file(name, project, version)
            if problem is not None:
                strays.append(StrayFile(name=name, why=problem))
                continue
            release.add(name)
            (wheels if name.endswith(".whl") else sdists).append(name)
    companions = []
    for path in entries:
        name = path.name
        if path.is_dir() or name.endswith((".whl", ".tar.gz", ".zip")):
            continue
        if name.endswith(".asc"):
            kind, belongs = "signature", name.removesuffix(".asc") in release
        elif name.endswith(".attestation"):
            kind, belongs = "attestation", any(name.startswith(f"{dist}.") for dist in release)
        else:
            strays.append(StrayFile(name=name, why=_stray_reason(name)))
            continue
        if belongs:
            companions.append(name)
        else:
            why = f"a {kind} of a file that is not one of this release's: a leftover"
            strays.append(StrayFile(name=name, why=why))
    return DistDir(
        sdists=tuple(sdists),
        wheels=tuple(wheels),
        companions=tuple(companions),
        strays=tuple(sorted(strays, key=lambda stray: stray.name)),
    )


def most_common_name(directory: Path) -> str | None:
    """The project name most distribution files in the directory carry (None if there are none).

    For a project whose name pyproject.toml does not give statically.
    """
    names = []
    for path in directory.iterdir():
        try:
            if path.name.endswith(".whl"):
                names.append(str(parse_wheel_filename(path.name)[0]))
            elif path.name.endswith((".tar.gz", ".zip")):
                names.append(str(parse_sdist_filename(path.name)[0]))
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
    return Counter(sorted(names)).most_common(1)[0][0] if names else None
