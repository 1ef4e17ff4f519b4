"""Whether an sdist and a wheel of one release describe the same distribution.

An installer picks the wheel where one fits and builds the sdist elsewhere, and tools that read
the sdist's metadata without building (resolvers, the index's project page) trust it; when the
two disagree, users get different dependencies depending on their platform, or a release whose
advertised requirements are not the ones installed.

Compared: the name, the version, `Requires-Dist` (as parsed requirements, in any order),
`Provides-Extra`, `Requires-Python`, and the entry points. A field the sdist marks as
`Dynamic` (core metadata 2.2 and later) may legitimately differ and is not compared. An sdist
has no ``entry_points.txt``: the wheel's entry points are compared with the sdist's
pyproject.toml ``[project.scripts]``, ``[project.gui-scripts]`` and ``[project.entry-points]``,
and only when that file declares at least one of them statically (not in ``[project]
dynamic``); entry points a backend computes are not checked.
"""

from __future__ import annotations

import configparser
import os
import re
import tarfile
import tomllib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from packaging.metadata import RawMetadata, parse_email
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release_checks.dists import read_metadata_bytes
from release_checks.errors import FactError
from release_checks.records import Record

__all__ = ["Disagreement", "compare_dists", "sdist_entry_points", "wheel_entry_points"]

EntryPoints = dict[str, dict[str, str]]

# pyproject.toml's [project] keys for entry points, and the group each one fills.
_ENTRY_POINT_KEYS = {"scripts": "console_scripts", "gui-scripts": "gui_scripts"}


@dataclass(frozen=True, kw_only=True)
class Disagreement(Record):
    """One field on which the sdist and a wheel differ, with the value each one gives.

    For a list field (`Requires-Dist`, `Provides-Extra`) the values are the items only one
    side has; an empty value means nothing, or for a single value the field is absent.
    """

    field: str
    kind: Literal["value", "items", "entry point"]
    sdist: str
    wheel: str

    def describe(self) -> str:
        """The disagreement as a message line: the field, then both values."""
        if self.kind == "items":
            sides = [
                f"only in the {side}: " + ", ".join(f"`{item}`" for item in text.split("\n"))
                for side, text in (("sdist", self.sdist), ("wheel", self.wheel))
                if text
            ]
            return f"{self.field}: " + "; ".join(sides)
        if self.kind == "entry point":
            return (
                f"{self.field}: the sdist's pyproject.toml declares "
                f"{_shown(self.sdist, 'none')}, the wheel's entry_points.txt has "
                f"{_shown(self.wheel, 'none')}"
            )
        return (
            f"{self.field}: the sdist (PKG-INFO) says {_shown(self.sdist, '(none)')}, "
            f"the wheel (METADATA) {_shown(self.wheel, '(none)')}"
        )


def _shown(value: str, missing: str) -> str:
    return f"`{value}`" if value else missing


def compare_dists(sdist: Path, wheel: Path) -> list[Disagreement]:
    """Return how `wheel`'s metadata and entry points differ from `sdist`'s; empty if they agree.

    Unreadable metadata raises FactError (the twine gate reports it).
    """
    source = _parse(sdist)
    built = _parse(wheel)
    dynamic = {field.lower() for field in source.get("dynamic", [])}
    found = []
    for field, compare in _FIELDS:
        if field.lower() not in dynamic:
            found += compare(field, source, built)
    declared = sdist_entry_points(sdist)
    if declared is not None:
        found += _entry_point_disagreements(declared, wheel_entry_points(wheel))
    return found


def _parse(path: Path) -> RawMetadata:
    raw, _ = parse_email(read_metadata_bytes(path))
    return raw


# Core metadata fields


def _same(field: str, sdist: str | None, wheel: str | None) -> list[Disagreement]:
    if sdist == wheel:
        return []
    return [Disagreement(field=field, kind="value", sdist=sdist or "", wheel=wheel or "")]


def _compare_name(field: str, sdist: RawMetadata, wheel: RawMetadata) -> list[Disagreement]:
    ours, theirs = sdist.get("name"), wheel.get("name")
    if ours and theirs and canonicalize_name(ours) == canonicalize_name(theirs):
        return []
    return _same(field, ours, theirs)


def _compare_version(field: str, sdist: RawMetadata, wheel: RawMetadata) -> list[Disagreement]:
    ours, theirs = sdist.get("version"), wheel.get("version")
    try:
        if Version(ours or "") == Version(theirs or ""):
            return []
    except InvalidVersion:
        pass
    return _same(field, ours, theirs)


def _compare_python(field: str, sdist: RawMetadata, wheel: RawMetadata) -> list[Disagreement]:
    ours, theirs = sdist.get("requires_python"), wheel.get("requires_python")
    try:
        if ours and theirs and SpecifierSet(ours) == SpecifierSet(theirs):
            return []
    except InvalidSpecifier:
        pass
    return _same(field, ours, theirs)


def _requirement_key(text: str) -> object:
    """What makes two requirements the same: PEP 508 equality, else the normalized text."""
    try:
        return Requirement(text)
    except InvalidRequirement:
        return " ".join(text.split())


def _compare_set(
    field: str, ours: Iterable[str], theirs: Iterable[str], key: Callable[[str], object]
) -> list[Disagreement]:
    mine = {key(item): item for item in ours}
    built = {key(item): item for item in theirs}
    only_sdist = [item for k, item in mine.items() if k not in built]
    only_wheel = [item for k, item in built.items() if k not in mine]
    if not only_sdist and not only_wheel:
        return []
    return [
        Disagreement(
            field=field, kind="items", sdist="\n".join(only_sdist), wheel="\n".join(only_wheel)
        )
    ]


def _compare_requires(field: str, sdist: RawMetadata, wheel: RawMetadata) -> list[Disagreement]:
    return _compare_set(
        field, sdist.get("requires_dist", []), wheel.get("requires_dist", []), _requirement_key
    )


def _compare_extras(field: str, sdist: RawMetadata, wheel: RawMetadata) -> list[Disagreement]:
    return _compare_set(
        field, sdist.get("provides_extra", []), wheel.get("provides_extra", []), canonicalize_name
    )


_FIELDS: tuple[tuple[str, Callable[[str, RawMetadata, RawMetadata], list[Disagreement]]], ...] = (
    ("Name", _compare_name),
    ("Version", _compare_version),
    ("Requires-Dist", _compare_requires),
    ("Provides-Extra", _compare_extras),
    ("Requires-Python", _compare_python),
)


# Entry points


def _entry_point_disagreements(declared: EntryPoints, built: EntryPoints) -> list[Disagreement]:
    found = []
    for group in sorted(set(declared) | set(built)):
        ours, theirs = declared.get(group, {}), built.get(group, {})
        for name in sorted(set(ours) | set(theirs)):
            mine, wheels = ours.get(name), theirs.get(name)
            if mine is not None and wheels is not None and _squeeze(mine) == _squeeze(wheels):
                continue
            found.append(
                Disagreement(
                    field=f"entry point `{name}` ({group})",
                    kind="entry point",
                    sdist=mine or "",
                    wheel=wheels or "",
                )
            )
    return found


def _squeeze(value: str) -> str:
    return re.sub(r"\s+", "", value)


def sdist_entry_points(sdist: Path) -> EntryPoints | None:
    """The entry points the sdist's pyproject.toml declares statically, or None if it does not.

    None when there is no pyproject.toml or no ``[project]`` table, when it declares none of
    ``scripts``, ``gui-scripts`` and ``entry-points``, or when all those it could declare are
    dynamic. A group listed in ``[project] dynamic`` is left out.
    """
    text = _read_sdist_file(sdist, "pyproject.toml")
    if text is None:
        return None
    try:
        project = tomllib.loads(text.decode("utf-8")).get("project")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(project, dict):
        return None
    keys = (*_ENTRY_POINT_KEYS, "entry-points")
    dynamic = project.get("dynamic", [])
    static = [key for key in keys if key not in dynamic]
    if not static or not any(key in project for key in static):
        return None
    found: EntryPoints = {}
    for key, group in _ENTRY_POINT_KEYS.items():
        if key in static:
            found[group] = _string_table(project.get(key))
    if "entry-points" in static:
        tables = project.get("entry-points")
        for group, table in (tables if isinstance(tables, dict) else {}).items():
            found[str(group)] = _string_table(table)
    return {group: points for group, points in found.items() if points}


def _string_table(table: Any) -> dict[str, str]:  # noqa: ANN401 - any TOML value
    if not isinstance(table, dict):
        return {}
    return {str(name): str(value) for name, value in table.items()}


def wheel_entry_points(wheel: Path) -> EntryPoints:
    """The entry points in a wheel's ``.dist-info/entry_points.txt``; empty if it has none."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = [
                name
                for name in archive.namelist()
                if name.count("/") == 1 and name.endswith(".dist-info/entry_points.txt")
            ]
            text = archive.read(names[0]).decode("utf-8") if names else ""
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as error:
        raise FactError(f"{wheel.name}: cannot read entry_points.txt ({error})") from None
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign] # names are case-sensitive
    try:
        parser.read_string(text)
    except configparser.Error as error:
        raise FactError(
            f"{wheel.name}: entry_points.txt is not valid ({error}); rebuild the wheel"
        ) from None
    return {group: dict(parser.items(group)) for group in parser.sections() if parser.items(group)}


def _read_sdist_file(sdist: Path, relative: str) -> bytes | None:
    """Read ``<top>/relative`` from an sdist without extracting it; None if it is not there."""
    try:
        if sdist.name.endswith(".zip"):
            with zipfile.ZipFile(sdist) as archive:
                names = archive.namelist()
                top = os.path.commonpath(names) if names else ""
                wanted = f"{top}/{relative}"
                return archive.read(wanted) if wanted in names else None
        with tarfile.open(sdist) as tar:
            members = tar.getmembers()
            top = os.path.commonpath([m.name for m in members]) if members else ""
            member = next((m for m in members if m.name == f"{top}/{relative}"), None)
            stream = tar.extractfile(member) if member is not None and member.isfile() else None
            return stream.read() if stream is not None else None
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, tarfile.TarError) as error:
        raise FactError(f"{sdist.name}: the archive cannot be read ({error})") from None
