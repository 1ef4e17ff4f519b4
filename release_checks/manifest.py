"""The manifest of verified artifacts: their names and sha256, checked again before upload.

The gates verify one set of files; a publish job uploads a set of files, often in another job
on another machine. The manifest ties the two: written when the gates pass, verified right
before the upload, so a swapped, rebuilt or added file is refused. It uses the ``sha256sum``
format (``<hex>  <name>``), so ``sha256sum --check --strict`` verifies it too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from release_checks.dists import dist_kind
from release_checks.errors import FactError

__all__ = ["read_manifest", "sha256_of", "verify_manifest", "write_manifest"]

_LINE = re.compile(r"(?P<digest>[0-9a-f]{64}) [ *](?P<name>[^/\\]+)")


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in chunks (wheels can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(files: Iterable[Path], manifest: Path) -> str:
    """Write the manifest of `files` (sorted by name) and return its text."""
    lines = [f"{sha256_of(path)}  {path.name}\n" for path in sorted(files, key=lambda p: p.name)]
    text = "".join(lines)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(text, encoding="utf-8")
    return text


def read_manifest(manifest: Path) -> dict[str, str]:
    """File name → sha256 from a manifest; a FactError names the first line it cannot read."""
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FactError(f"cannot read the manifest {manifest}: {error}") from None
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line.strip())
        if match is None:
            raise FactError(
                f"{manifest}:{number}: not a manifest line (`<sha256>  <file name>`): {line!r}"
            )
        entries[match["name"]] = match["digest"]
    if not entries:
        raise FactError(f"the manifest {manifest} lists no file; write it with a passing run")
    return entries


def verify_manifest(manifest: Path, directory: Path) -> list[str]:
    """What differs between the manifest and the distribution files in `directory`.

    Every listed file must be there with the same sha256, and no other sdist or wheel may be:
    an upload sends the whole directory.
    """
    expected = read_manifest(manifest)
    if not directory.is_dir():
        return [f"{directory}: no such directory"]
    present = {path.name: path for path in directory.iterdir() if path.is_file()}
    problems = []
    for name, digest in sorted(expected.items()):
        path = present.get(name)
        if path is None:
            problems.append(f"{name}: verified, but missing from {directory}")
            continue
        found = sha256_of(path)
        if found != digest:
            problems.append(
                f"{name}: sha256 is {found}, but the verified file had {digest}; this is not "
                "the file the gates passed — rebuild in the gated job, never after it"
            )
    extra = sorted(name for name in present if dist_kind(Path(name)) and name not in expected)
    problems.extend(
        f"{name}: in {directory} but never verified; remove it or run the gates on it"
        for name in extra
    )
    return problems
