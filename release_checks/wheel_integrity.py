"""Whether a wheel is internally consistent, as the wheel specification defines it.

Three facts: the RECORD manifest against the archive (every file listed, with its sha256 and
size, and nothing listed that is not there); the file name's name and version against
METADATA and the ``.dist-info`` directory; the file name's tags against the WHEEL file (and
``Root-Is-Purelib`` against the tags). Nothing is extracted; files are hashed as they are
read from the zip.
"""

from __future__ import annotations

import base64
import csv
import email.parser
import hashlib
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.metadata import parse_email
from packaging.tags import Tag, parse_tag
from packaging.utils import (
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from release_checks.errors import FactError
from release_checks.records import Record

__all__ = [
    "RecordProblem",
    "dist_info_directory",
    "filename_problems",
    "record_problems",
    "tag_problems",
]

RecordProblemKind = Literal[
    "no-record", "malformed", "unlisted", "missing", "directory", "no-hash", "hash", "size"
]

# Files RECORD does not list: itself and its signatures (wheel spec, "The .dist-info directory").
_UNRECORDED = ("RECORD", "RECORD.jws", "RECORD.p7s")
# Digests the wheel specification rules out as too weak.
_WEAK_HASHES = ("md5", "sha1")
_CHUNK = 1 << 20
# What reading a damaged or unusual zip raises (bad CRC, bad deflate data, unknown method).
_UNREADABLE = (OSError, EOFError, ValueError, NotImplementedError, zipfile.BadZipFile, zlib.error)


@dataclass(frozen=True, kw_only=True)
class RecordProblem(Record):
    """One way RECORD and the archive disagree: which member, and what is wrong."""

    kind: RecordProblemKind
    member: str
    message: str


def _corrupt(path: Path, error: Exception) -> FactError:
    return FactError(
        f"{path.name}: the wheel cannot be read ({error}); it is corrupt or truncated: "
        "rebuild it with `python -m build --wheel`"
    )


def _split_dist_info(directory: str) -> tuple[NormalizedName, Version | None]:
    """Name and version of a ``name-version.dist-info`` (or ``.data``) directory."""
    stem = directory.removesuffix(".dist-info").removesuffix(".data")
    name, _, version = stem.rpartition("-")
    try:
        return canonicalize_name(name), Version(version)
    except InvalidVersion:
        return canonicalize_name(name), None


def dist_info_directory(filename: str, names: Iterable[str]) -> str | None:
    """The wheel's ``.dist-info`` directory: the one named after the wheel, else the only one."""
    found = sorted({name.split("/", 1)[0] for name in names if "/" in name})
    candidates = [top for top in found if top.endswith(".dist-info")]
    try:
        wanted_name, wanted_version, _, _ = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return candidates[0] if len(candidates) == 1 else None
    for candidate in candidates:
        name, version = _split_dist_info(candidate)
        if name == wanted_name and version == wanted_version:
            return candidate
    return candidates[0] if len(candidates) == 1 else None


def _digest(algorithm: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    digest = hashlib.new(algorithm)
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.digest()


def _check_row(
    name: str, hash_field: str, size_field: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo
) -> RecordProblem | None:
    """Compare one RECORD row with the file it names."""
    if not hash_field or not size_field:
        missing = " and ".join(
            field for field, value in (("hash", hash_field), ("size", size_field)) if not value
        )
        return RecordProblem(
            kind="no-hash",
            member=name,
            message=f"`{name}`: RECORD gives no {missing} (only RECORD itself may go without)",
        )
    algorithm, _, recorded = hash_field.partition("=")
    if (
        algorithm in _WEAK_HASHES
        or algorithm.startswith("shake_")  # variable-length digests, no fixed value to record
        or algorithm not in hashlib.algorithms_guaranteed
    ):
        return RecordProblem(
            kind="hash",
            member=name,
            message=f"`{name}`: RECORD hashes it with `{algorithm}`; the wheel specification "
            "asks for sha256 (or a stronger hashlib algorithm)",
        )
    digest = _digest(algorithm, archive, info)
    actual = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    if recorded != actual:
        if recorded.rstrip("=") == actual:
            detail = "the value is padded with `=`; RECORD uses urlsafe base64 without padding"
        elif recorded.lower() == digest.hex():
            detail = "the value is hexadecimal; RECORD uses urlsafe base64 without padding"
        else:
            detail = f"the file's {algorithm} is {actual}, RECORD says {recorded}"
        return RecordProblem(
            kind="hash",
            member=name,
            message=f"`{name}`: content does not match RECORD — {detail}",
        )
    if size_field != str(info.file_size):
        return RecordProblem(
            kind="size",
            member=name,
            message=f"`{name}`: the file has {info.file_size} bytes, RECORD says {size_field}",
        )
    return None


def _read_rows(
    path: Path, archive: zipfile.ZipFile, record: str
) -> tuple[dict[str, tuple[str, str]], list[RecordProblem]]:
    try:
        text = archive.read(record).decode("utf-8")
    except UnicodeDecodeError as error:
        problem = RecordProblem(
            kind="malformed", member=record, message=f"`{record}` is not UTF-8 ({error})"
        )
        return {}, [problem]
    except _UNREADABLE as error:
        raise _corrupt(path, error) from None
    rows: dict[str, tuple[str, str]] = {}
    problems = []
    for number, row in enumerate(csv.reader(text.splitlines()), 1):
        if not row:
            continue
        if len(row) != 3:
            problems.append(
                RecordProblem(
                    kind="malformed",
                    member=record,
                    message=f"`{record}` line {number} has {len(row)} fields, not 3 "
                    "(path, hash, size)",
                )
            )
            continue
        rows[row[0]] = (row[1], row[2])
    return rows, problems


def record_problems(path: Path) -> list[RecordProblem]:
    """Every disagreement between the wheel's RECORD and its files; a corrupt zip is a FactError.

    Checks that each file (but RECORD and its signatures) is listed with a hash and size that
    match, and that each listed path is a file in the archive. Directory entries in the zip
    need no row.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            names = [info.filename for info in archive.infolist()]
            dist_info = dist_info_directory(path.name, names)
            if dist_info is None or f"{dist_info}/RECORD" not in names:
                where = f"`{dist_info}/RECORD`" if dist_info else "a `.dist-info/RECORD`"
                return [
                    RecordProblem(
                        kind="no-record",
                        member=f"{dist_info}/RECORD" if dist_info else "RECORD",
                        message=f"the wheel has no {where}: installers cannot tell what it "
                        "installs, and uninstalling it leaves files behind",
                    )
                ]
            rows, problems = _read_rows(path, archive, f"{dist_info}/RECORD")
            unrecorded = {f"{dist_info}/{name}" for name in _UNRECORDED}
            present = set()
            for info in infos:
                name = info.filename
                present.add(name)
                if name in unrecorded:
                    continue
                if name not in rows:
                    problems.append(
                        RecordProblem(
                            kind="unlisted",
                            member=name,
                            message=f"`{name}` is in the archive but not in RECORD",
                        )
                    )
                    continue
                problem = _check_row(name, *rows[name], archive, info)
                if problem is not None:
                    problems.append(problem)
    except _UNREADABLE as error:
        raise _corrupt(path, error) from None
    for name in rows:
        if name in present or name in unrecorded:
            continue
        directory = name.endswith("/") or any(other.startswith(name + "/") for other in present)
        problems.append(
            RecordProblem(
                kind="directory" if directory else "missing",
                member=name,
                message=f"RECORD lists the directory `{name}`; it lists files only"
                if directory
                else f"RECORD lists `{name}`, which is not in the archive",
            )
        )
    return problems


def _read_text(archive: zipfile.ZipFile, name: str) -> str | None:
    try:
        return archive.read(name).decode("utf-8", errors="replace")
    except KeyError:
        return None


def _tag_list(tags: Iterable[Tag]) -> str:
    return ", ".join(sorted(str(tag) for tag in tags))


def _dist_info_problems(filename: str, names: Sequence[str]) -> list[str]:
    name, version, _, _ = parse_wheel_filename(filename)
    tops = sorted({n.split("/", 1)[0] for n in names if "/" in n})
    infos = [top for top in tops if top.endswith(".dist-info")]
    if not infos:
        return ["the wheel has no `.dist-info` directory: it has no metadata to install"]
    if len(infos) > 1:
        return [
            (
                f"the wheel has {len(infos)} `.dist-info` directories ({', '.join(infos)}); "
                "installers refuse a wheel with more than one"
            )
        ]
    problems = []
    info_name, info_version = _split_dist_info(infos[0])
    if info_name != name or info_version != version:
        problems.append(
            f"its metadata directory `{infos[0]}` does not match the file name's "
            f"`{name}` {version}: installers look for `{name.replace('-', '_')}-{version}"
            ".dist-info`"
        )
    problems.extend(
        f"its data directory `{top}` does not match `{infos[0]}`: installers do not "
        "recognise it and install it as a plain directory in site-packages"
        for top in tops
        if top.endswith(".data") and _split_dist_info(top) != (info_name, info_version)
    )
    return problems


def _metadata_problems(filename: str, metadata: str | None, where: str) -> list[str]:
    name, version, _, _ = parse_wheel_filename(filename)
    if metadata is None:
        return [f"`{where}` is missing: the wheel has no core metadata"]
    raw, _ = parse_email(metadata)
    problems = []
    meta_name = raw.get("name")
    if meta_name is None:
        problems.append(f"`{where}` has no `Name`")
    elif canonicalize_name(meta_name) != name:
        problems.append(
            f"the file name says the project is `{name}`, `{where}` says `Name: {meta_name}`"
        )
    meta_version = raw.get("version")
    try:
        agrees = meta_version is not None and Version(meta_version) == version
    except InvalidVersion:
        agrees = False
    if meta_version is None:
        problems.append(f"`{where}` has no `Version`")
    elif not agrees:
        problems.append(
            f"the file name says version {version}, `{where}` says `Version: {meta_version}`: "
            "installers trust the metadata and the index trusts the file name, so the "
            "wheel installs a different version than the one users asked for"
        )
    return problems


def _wheel_file_problems(filename: str, text: str | None, where: str) -> list[str]:
    _, _, build, tags = parse_wheel_filename(filename)
    if text is None:
        return [f"`{where}` is missing: installers need it to know how to install the wheel"]
    wheel = email.parser.Parser().parsestr(text)
    problems = []
    wheel_version = (wheel.get("Wheel-Version") or "").strip()
    if wheel_version.partition(".")[0] != "1":
        problems.append(
            f"`{where}` says `Wheel-Version: {wheel_version or '(missing)'}`; installers "
            "understand version 1.x of the wheel format"
        )
    listed: set[Tag] = set()
    for line in wheel.get_all("Tag") or []:
        listed.update(parse_tag(line.strip()))
    if not listed:
        problems.append(
            f"`{where}` has no `Tag:` lines; the file name's tags are {_tag_list(tags)}"
        )
    elif listed != tags:
        problems.append(
            f"the file name's tags ({_tag_list(tags)}) differ from the `Tag:` lines in "
            f"`{where}` ({_tag_list(listed)}): the wheel was renamed after the build, and "
            "installers choose wheels by file name, so it promises a compatibility the build "
            "never claimed (such as `linux_x86_64` renamed to `manylinux` without auditwheel)"
        )
    recorded_build = (wheel.get("Build") or "").strip()
    named_build = "".join(str(part) for part in build)
    if recorded_build != named_build:
        problems.append(
            f"the file name's build tag is `{named_build or '(none)'}`, `{where}` says "
            f"`Build: {recorded_build or '(none)'}`"
        )
    purelib = (wheel.get("Root-Is-Purelib") or "").strip().lower()
    compiled = sorted(str(tag) for tag in tags if tag.abi != "none")
    platform_specific = sorted(str(t) for t in tags if t.abi != "none" or t.platform != "any")
    if purelib not in ("true", "false"):
        problems.append(
            f"`{where}` says `Root-Is-Purelib: {purelib or '(missing)'}`; it must be true or false"
        )
    elif purelib == "true" and compiled:
        problems.append(
            f"`{where}` says `Root-Is-Purelib: true` (pure Python), but the tags "
            f"({', '.join(compiled)}) name a Python ABI, which only compiled extension modules "
            "have: they belong in platlib (`Root-Is-Purelib: false`)"
        )
    elif purelib == "false" and not platform_specific:
        problems.append(
            f"`{where}` says `Root-Is-Purelib: false` (compiled code), but every tag is "
            f"`none-any` ({_tag_list(tags)}): a pure-Python wheel sets `Root-Is-Purelib: "
            "true`, a compiled one carries its ABI and platform tags"
        )
    return problems


def _invalid_name(filename: str) -> list[str]:
    try:
        parse_wheel_filename(filename)
    except InvalidWheelFilename as error:
        return [
            (
                f"the file name is not a valid wheel name ({error}); wheels are named "
                "`{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`"
            )
        ]
    return []


def _read_dist_info(path: Path, member: str) -> tuple[list[str], str | None, str | None]:
    """The archive's names, its ``.dist-info`` directory, and one file in it (None if absent)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            dist_info = dist_info_directory(path.name, names)
            text = _read_text(archive, f"{dist_info}/{member}") if dist_info else None
    except _UNREADABLE as error:
        raise _corrupt(path, error) from None
    return names, dist_info, text


def filename_problems(path: Path) -> list[str]:
    """How the wheel's file name disagrees with its metadata; a corrupt zip is a FactError.

    The name and version must match METADATA's and the ``.dist-info`` directory's (compared
    normalised: ``My.Pkg`` is ``my-pkg``, ``1.0`` is ``1.0.0``); there must be one
    ``.dist-info`` directory, and a ``.data`` directory must carry the same name and version.
    """
    invalid = _invalid_name(path.name)
    if invalid:
        return invalid
    names, dist_info, metadata = _read_dist_info(path, "METADATA")
    problems = _dist_info_problems(path.name, names)
    if dist_info is not None:
        problems += _metadata_problems(path.name, metadata, f"{dist_info}/METADATA")
    return problems


def tag_problems(path: Path) -> list[str]:
    """How the wheel's tags disagree with its WHEEL file; a corrupt zip is a FactError.

    The file name's tags and build tag must equal WHEEL's ``Tag:`` and ``Build:`` lines,
    ``Wheel-Version`` must be 1.x, and ``Root-Is-Purelib`` must fit the tags: ``true`` goes
    with no ABI tag (``py3-none-any``, or ``py3-none-<platform>`` for pure Python bundling a
    platform binary), ``false`` with an ABI or platform tag. Without a valid file name or a
    ``.dist-info`` directory there is nothing to compare (`filename_problems` reports those).
    """
    if _invalid_name(path.name):
        return []
    _, dist_info, wheel = _read_dist_info(path, "WHEEL")
    if dist_info is None:
        return []
    return _wheel_file_problems(path.name, wheel, f"{dist_info}/WHEEL")
