"""Two wheels of one project compared: the files they install and their core metadata.

Files are compared by name and sha256, except ``*.dist-info/RECORD`` (it lists the others) and
compiled extension modules and shared libraries, whose bytes embed build paths: for those only
presence counts. The commit id that setuptools-scm and hatch-vcs write into version files
(``__commit_id__ = commit_id = 'g1a2b3c4'``) is not compared either: an sdist does not know it.
``METADATA`` is compared field by field, ignoring their order; the ``.dist-info`` and
``.data`` directories are matched whatever version their names carry, so a version mismatch
shows as one metadata difference rather than as every file missing.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import compat32
from pathlib import Path
from typing import Literal

from release_checks.errors import FactError
from release_checks.records import Record

__all__ = ["Difference", "WheelComparison", "compare_wheels", "describe"]

_UNCOMPARED = frozenset({"RECORD", "RECORD.jws", "RECORD.p7s"})
_BINARY = re.compile(r"\.(so|pyd|dll|dylib)(\.[\w.]+)?$")
_COMMIT_ID = re.compile(
    rb"^(?P<lead>[ \t]*(?:__commit_id__[ \t]*=[ \t]*)?commit_id[ \t]*=[ \t]*).*$",
    flags=re.MULTILINE,
)
_SPECIAL_DIR = re.compile(r"^[^/]+\.(?P<kind>dist-info|data)/")
_SHOWN = 100  # characters of a long value shown in a message

DifferenceKind = Literal["only-ours", "only-theirs", "content", "metadata"]


@dataclass(frozen=True, kw_only=True)
class Difference(Record):
    """One difference: a file only one wheel has, a file whose content differs, or a field.

    For content, `where` is the first differing line (``line 3``; empty for binary files) and
    `ours`/`theirs` that line in each wheel; for metadata, `what` is the field and
    `ours`/`theirs` its values, joined by ``; `` when it occurs more than once.
    """

    kind: DifferenceKind
    what: str
    where: str = ""
    ours: str = ""
    theirs: str = ""


@dataclass(frozen=True, kw_only=True)
class WheelComparison(Record):
    """How one wheel (ours) differs from another (theirs), and which tools built them."""

    ours: str
    theirs: str
    differences: tuple[Difference, ...] = ()
    our_generator: str = ""
    their_generator: str = ""

    @property
    def equivalent(self) -> bool:
        """True when the wheels install the same files with the same metadata."""
        return not self.differences


def _key(name: str) -> str:
    """The member name with ``name-version.dist-info/`` (or ``.data/``) made version-free."""
    return _SPECIAL_DIR.sub(lambda match: f"<{match['kind']}>/", name)


def _read_members(path: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(path) as archive:
            return {
                info.filename: archive.read(info)
                for info in archive.infolist()
                if not info.is_dir()
            }
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise FactError(f"{path.name}: not a readable wheel ({error})") from None


def _digest(name: str, data: bytes) -> bytes:
    if name.endswith(".py"):
        data = _COMMIT_ID.sub(rb"\g<lead><commit id>", data)
    return hashlib.sha256(data).digest()


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _content_difference(name: str, ours: bytes, theirs: bytes) -> Difference:
    """Where two files first differ: the line and its two versions (nothing for binary)."""
    try:
        our_lines = ours.decode("utf-8").splitlines()
        their_lines = theirs.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return Difference(kind="content", what=name)
    pairs = zip([*our_lines, ""], [*their_lines, ""], strict=False)
    for number, (our, their) in enumerate(pairs, 1):
        if our != their:
            return Difference(
                kind="content",
                what=name,
                where=f"line {number}",
                ours=_shorten(our),
                theirs=_shorten(their),
            )
    return Difference(kind="content", what=name, where="line endings")


def _fields(data: bytes) -> Counter[tuple[str, str]]:
    message = BytesParser(policy=compat32).parsebytes(data)
    fields: Counter[tuple[str, str]] = Counter(
        (name.title(), " ".join(str(value).split())) for name, value in message.items()
    )
    body = message.get_payload()
    if isinstance(body, str) and body.strip():
        fields["Description", body.strip()] += 1
    return fields


def _metadata_differences(ours: bytes, theirs: bytes) -> list[Difference]:
    """Each core metadata field whose values differ, with the values each wheel has."""
    our_fields, their_fields = _fields(ours), _fields(theirs)
    only_ours, only_theirs = our_fields - their_fields, their_fields - our_fields
    found = []
    for name in sorted({name for name, _ in (*only_ours, *only_theirs)}):
        mine = [value for field, value in only_ours.elements() if field == name]
        other = [value for field, value in only_theirs.elements() if field == name]
        if name == "Description":
            line = _content_difference(name, "\n".join(mine).encode(), "\n".join(other).encode())
            found.append(
                Difference(
                    kind="metadata",
                    what="Description (the long description)",
                    where=line.where,
                    ours=line.ours,
                    theirs=line.theirs,
                )
            )
            continue
        found.append(
            Difference(
                kind="metadata",
                what=name,
                ours="; ".join(_shorten(value) for value in mine),
                theirs="; ".join(_shorten(value) for value in other),
            )
        )
    return found


def _generator(members: Mapping[str, bytes]) -> str:
    """The ``Generator`` line of the wheel's WHEEL file: the backend and its version."""
    for name, data in members.items():
        if _key(name) == "<dist-info>/WHEEL":
            for line in data.decode("utf-8", "replace").splitlines():
                if line.lower().startswith("generator:"):
                    return line.partition(":")[2].strip()
    return ""


def compare_wheels(ours: Path, theirs: Path) -> WheelComparison:
    """Compare wheel `ours` with wheel `theirs`; a FactError when one cannot be read."""
    our_members, their_members = _read_members(ours), _read_members(theirs)
    our_keys = {_key(name): name for name in our_members}
    their_keys = {_key(name): name for name in their_members}
    compared = {
        key
        for key in {*our_keys, *their_keys}
        if not (key.startswith("<dist-info>/") and key.partition("/")[2] in _UNCOMPARED)
    }
    differences = [
        Difference(kind="only-theirs", what=their_keys[key])
        for key in sorted(compared - our_keys.keys())
    ]
    differences += [
        Difference(kind="only-ours", what=our_keys[key])
        for key in sorted(compared - their_keys.keys())
    ]
    for key in sorted(compared & our_keys.keys() & their_keys.keys()):
        mine, other = our_members[our_keys[key]], their_members[their_keys[key]]
        if key == "<dist-info>/METADATA":
            differences += _metadata_differences(mine, other)
        elif not _BINARY.search(key) and _digest(key, mine) != _digest(key, other):
            differences.append(_content_difference(our_keys[key], mine, other))
    return WheelComparison(
        ours=ours.name,
        theirs=theirs.name,
        differences=tuple(differences),
        our_generator=_generator(our_members),
        their_generator=_generator(their_members),
    )


def describe(comparison: WheelComparison, ours: str, theirs: str) -> list[str]:
    """One line per difference, naming the wheels by the labels given (``the tree's wheel``)."""
    lines = []
    for difference in comparison.differences:
        what = difference.what
        if difference.kind == "only-theirs":
            lines.append(f"{what}: only in {theirs}")
        elif difference.kind == "only-ours":
            lines.append(f"{what}: only in {ours}")
        elif difference.kind == "content" and not difference.where:
            lines.append(f"{what}: the content differs (sha256)")
        elif difference.kind == "content":
            lines.append(
                f"{what}: the content differs at {difference.where}: "
                f"`{difference.ours}` in {ours}, `{difference.theirs}` in {theirs}"
            )
        else:
            where = f" at {difference.where}" if difference.where else ""
            our_value = f"`{difference.ours}`" if difference.ours else "nothing"
            their_value = f"`{difference.theirs}`" if difference.theirs else "nothing"
            lines.append(
                f"METADATA {what} differs{where}: {our_value} in {ours}, {their_value} in {theirs}"
            )
    return lines
