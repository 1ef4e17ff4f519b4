"""The set of distribution files a run verifies, built here or handed in prebuilt."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from release_checks.archives import iter_file_contents
from release_checks.dists import dist_kind, dist_name
from release_checks.errors import FactError
from release_checks.records import Record

__all__ = ["DistSet", "check_readable", "find_prebuilt"]


@dataclass(frozen=True, kw_only=True)
class DistSet(Record):
    """The sdist and wheels of this release, or why there are none."""

    where: str
    sdist: str | None = None
    wheels: tuple[str, ...] = ()
    error: str | None = None

    @property
    def files(self) -> list[Path]:
        """Every artifact, sdist first, as the upload would send them."""
        return [Path(p) for p in (self.sdist, *self.wheels) if p]


def find_prebuilt(directory: Path, *, name: str | None = None) -> DistSet:
    """Collect the sdist and wheels in `directory`, the exact files CI will upload.

    `name` (normalized) keeps one project's files, in a directory a workspace's packages share.
    """
    where = str(directory)
    if not directory.is_dir():
        return DistSet(
            where=where,
            error=f"--release-dist {directory}: no such directory; build into it first "
            "(`python -m build --outdir DIR`) or point the option at your dist/ folder",
        )
    files = sorted(
        path
        for path in directory.iterdir()
        if dist_kind(path) and path.is_file() and (name is None or dist_name(path) == name)
    )
    sdists = [path for path in files if dist_kind(path) == "sdist"]
    wheels = tuple(str(path) for path in files if dist_kind(path) == "wheel")
    problems = []
    if not files:
        problems.append(f"it holds no .tar.gz or .whl file{f' of {name}' if name else ''}")
    if len(sdists) > 1:
        names = ", ".join(path.name for path in sdists)
        problems.append(f"it holds {len(sdists)} sdists ({names}); keep only this release's")
    if problems:
        return DistSet(
            where=where,
            error=f"--release-dist {directory}: " + "; ".join(problems),
        )
    return DistSet(
        where=where,
        sdist=str(sdists[0]) if sdists else None,
        wheels=wheels,
    )


def check_readable(dists: DistSet) -> DistSet:
    """`dists`, or a set whose error names the first file that cannot be read to its end.

    A truncated download or a half-copied file would otherwise fail every gate that opens it,
    each with the same words; read through once, it fails test_dists_build alone.
    """
    if dists.error is not None:
        return dists
    for path in dists.files:
        try:
            for _ in iter_file_contents(path):
                pass
        except FactError as error:
            return replace(
                dists, sdist=None, wheels=(), error=f"--release-dist {dists.where}: {error}"
            )
    return dists
