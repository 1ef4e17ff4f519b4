"""Members of an sdist or wheel that would escape the directory they are unpacked into.

Judged from the member list alone (see `release_checks.archives`); nothing is extracted. What
counts as an escape follows tarfile's ``data`` extraction filter: absolute names, ``..``
components, links whose target leaves the archive, device nodes and FIFOs. For an sdist the
boundary is its single top directory (``name-version/``), which is what tools unpack and build.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from release_checks.archives import Member, list_members
from release_checks.dists import dist_kind
from release_checks.records import Record

__all__ = ["UnsafeMember", "sdist_top_directory", "unsafe_members", "unsafe_members_of"]

# Links followed while resolving one target, as the OS limits them (ELOOP).
_MAX_LINK_HOPS = 40
_DRIVE = re.compile(r"^[A-Za-z]:")
_SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


@dataclass(frozen=True, kw_only=True)
class UnsafeMember(Record):
    """A member that escapes on extraction: its stored name and why it is dangerous."""

    name: str
    reason: str


def _parts(name: str) -> list[str]:
    """Path components as an extractor sees them: both slashes separate, `.` is dropped."""
    return [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]


def _is_absolute(name: str) -> bool:
    return name.startswith(("/", "\\")) or bool(_DRIVE.match(name))


def sdist_top_directory(filename: str, members: Sequence[Member]) -> str | None:
    """The directory an sdist's members must live in: ``name-version`` from the file name.

    When no member uses that directory, the most common first component stands in for it
    (a misnamed top directory is the metadata gates' concern, not a safety problem).
    """
    stem = next(
        (filename[: -len(suffix)] for suffix in _SDIST_SUFFIXES if filename.endswith(suffix)),
        filename,
    )
    firsts = Counter(parts[0] for parts in map(_parts, (m.name for m in members)) if parts)
    if not firsts:
        return None
    if stem in firsts:
        return stem
    return firsts.most_common(1)[0][0]


def _resolve(
    parts: list[str], links: Mapping[str, str], hops: int = 0
) -> tuple[list[str] | None, bool]:
    """Resolve archive path components through the archive's own symlinks, like the OS would.

    Returns the resolved components (None when the path leaves the archive root) and whether
    the link budget ran out. Lexical normalisation alone is not enough: ``a/link/..`` is not
    ``a`` when ``link`` points elsewhere.
    """
    resolved: list[str] = []
    for part in parts:
        if part == "..":
            if not resolved:
                return None, False
            resolved.pop()
            continue
        resolved.append(part)
        target = links.get("/".join(resolved))
        if target is None:
            continue
        if hops >= _MAX_LINK_HOPS:
            return None, True
        if _is_absolute(target):
            return None, False
        base = resolved[:-1]
        outcome, looped = _resolve([*base, *_parts(target)], links, hops + 1)
        if outcome is None:
            return None, looped
        resolved = outcome
    return resolved, False


def _within(parts: list[str] | None, top: str | None) -> bool:
    if parts is None:
        return False
    return top is None or (bool(parts) and parts[0] == top)


def _link_problem(member: Member, links: Mapping[str, str], top: str | None) -> str | None:
    target = member.link_target or ""
    where = f"the sdist's top directory `{top}/`" if top else "the archive"
    kind = "symbolic link" if member.kind == "symlink" else "hard link"
    if _is_absolute(target):
        return (
            f"a {kind} to the absolute path `{target}`: once extracted, it points out of "
            f"{where}, and whatever is written through it lands there"
        )
    if member.kind == "symlink":
        # A symlink's target is relative to the directory holding it.
        start = _parts(member.name)[:-1]
        resolved, looped = _resolve([*start, *_parts(target)], links)
    else:
        # A tar hard link names another member by its path from the archive root.
        resolved, looped = _resolve(_parts(target), links)
    if looped:
        return (
            f"a {kind} to `{target}` that goes round a loop of links inside the archive: "
            "nothing can tell where it ends up once extracted"
        )
    if not _within(resolved, top):
        return (
            f"a {kind} to `{target}`, which leaves {where}: once extracted, it reaches files "
            "outside the unpacked project, and whatever is written through it lands there"
        )
    return None


def unsafe_members(members: Sequence[Member], *, top: str | None = None) -> list[UnsafeMember]:
    """The members that would escape the extraction directory (or `top`, an sdist's directory).

    Each is reported once, with the first reason that applies, in stored order.
    """
    links = {
        "/".join(_parts(m.name)): m.link_target or ""
        for m in members
        if m.kind == "symlink" and m.link_target is not None
    }
    found = []
    for member in members:
        parts = _parts(member.name)
        reason = None
        if _is_absolute(member.name):
            reason = (
                "an absolute path, which a naive extractor writes to that place on the user's "
                "machine instead of into the target directory"
            )
        elif ".." in parts:
            reason = (
                "a `..` component, so an extractor without a filter writes it outside the "
                "target directory (path traversal)"
            )
        elif top is not None and parts and parts[0] != top:
            reason = (
                f"outside the sdist's top directory `{top}/`: installers and build tools "
                "unpack the sdist and build in that directory, so this member lands beside "
                "the project, wherever the sdist is unpacked"
            )
        elif member.kind in ("symlink", "hardlink"):
            reason = _link_problem(member, links, top)
        elif member.kind == "special":
            reason = (
                "a special file (device node or FIFO): extracting it creates a device or a "
                "pipe on the user's machine; no Python project needs one"
            )
        if reason is not None:
            found.append(UnsafeMember(name=member.name, reason=reason))
    return found


def unsafe_members_of(path: Path) -> list[UnsafeMember]:
    """Read an sdist or wheel's members and judge them; an unreadable archive is a FactError."""
    members = list_members(path)
    top = sdist_top_directory(path.name, members) if dist_kind(path) == "sdist" else None
    return unsafe_members(members, top=top)
