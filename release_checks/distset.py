"""The set of distribution files a run verifies, built here or handed in prebuilt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from release_checks.dists import dist_kind
from release_checks.records import Record

__all__ = ["DistSet", "find_prebuilt"]


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


def find_prebuilt(directory: Path) -> DistSet:
    """Collect the sdist and wheels in `directory`, the exact files CI will upload."""
    where = str(directory)
    if not directory.is_dir():
        return DistSet(
            where=where,
            error=f"--release-dist {directory}: no such directory; build into it first "
            "(`python -m build --outdir DIR`) or point the option at your dist/ folder",
        )
    files = sorted(path for path in directory.iterdir() if dist_kind(path) and path.is_file())
    sdists = [path for path in files if dist_kind(path) == "sdist"]
    wheels = tuple(str(path) for path in files if dist_kind(path) == "wheel")
    problems = []
    if not files:
        problems.append("it holds no .tar.gz or .whl file")
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
