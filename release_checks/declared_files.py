"""Files a project promises to ship: its license texts, and ``py.typed`` when it claims types.

The facts come from three places: the artifact's members, its core metadata (PEP 639
``License-File`` entries, the license expression, the classifiers) and pyproject.toml
(``license-files`` globs, a legacy ``license = {file = ...}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.metadata import RawMetadata

from release_checks import git
from release_checks.archives import list_members
from release_checks.dists import DistKind, dist_kind
from release_checks.errors import FactError
from release_checks.records import Record

__all__ = [
    "ArtifactFiles",
    "DeclaredLicenses",
    "claims_typed",
    "declared_license_files",
    "license_claim",
    "license_text_in_metadata",
    "looks_like_license",
    "missing_py_typed",
    "typed_packages",
]

# SPDX ids whose terms do not ask for the license text to travel with every copy.
_NO_TEXT_NEEDED = frozenset(
    name.casefold() for name in ("0BSD", "CC0-1.0", "MIT-0", "Unlicense", "WTFPL", "CC-PDDC")
)
_OSI = "License :: OSI Approved :: "
_NO_TEXT_CLASSIFIERS = frozenset(
    {
        f"{_OSI}MIT No Attribution License (MIT-0)",
        f"{_OSI}The Unlicense (Unlicense)",
        f"{_OSI}Zero-Clause BSD (0BSD)",
    }
)
_LICENSE_NAME = re.compile(
    r"(?i)^(?:[\w.]+[-_.])?(?:licen[cs]e|copying|copyright|notice|unlicense)s?(?:[-_.][\w.-]*)?$"
)
_LICENSE_DIRS = frozenset({"licenses", "licences", "license_files"})
_CODE_SUFFIXES = (".py", ".pyi", ".pyc", ".so", ".pyd", ".dll", ".dylib")


@dataclass(frozen=True, kw_only=True)
class ArtifactFiles(Record):
    """The regular files of one artifact, and where its license files belong (PEP 639).

    `prefix` is the sdist's ``name-version/`` directory (empty for a wheel), `dist_info` the
    wheel's ``name-version.dist-info/`` directory (None for an sdist).
    """

    kind: DistKind
    names: tuple[str, ...]
    prefix: str = ""
    dist_info: str | None = None

    @classmethod
    def read(cls, artifact: Path) -> ArtifactFiles:
        """List the artifact; a corrupt archive or an unknown file kind is a FactError."""
        kind = dist_kind(artifact)
        if kind is None:
            raise FactError(f"{artifact.name}: not a distribution file (expected .whl or .tar.gz)")
        names = tuple(
            member.name.lstrip("/")
            for member in list_members(artifact)
            if member.kind in ("file", "hardlink")
        )
        if kind == "sdist":
            tops = {name.partition("/")[0] for name in names}
            prefix = f"{tops.pop()}/" if len(tops) == 1 else ""
            return cls(kind=kind, names=names, prefix=prefix)
        # A wheel may vendor other distributions (`pkg/_vendor/x.dist-info/`): only a
        # top-level `.dist-info` is the wheel's own, and the file name tells which.
        tops = {name.partition("/")[0] for name in names}
        infos = sorted(top for top in tops if top.endswith(".dist-info"))
        own = "-".join(artifact.name.split("-")[:2]) + ".dist-info"
        dist_info = own if own in infos else (infos[0] if infos else None)
        return cls(kind=kind, names=names, dist_info=f"{dist_info}/" if dist_info else None)

    def license_location(self, relative: str) -> str:
        """Where PEP 639 puts a license file: ``<top>/<path>``, ``.dist-info/licenses/<path>``."""
        if self.kind == "sdist":
            return f"{self.prefix}{relative}"
        return f"{self.dist_info or '*.dist-info/'}licenses/{relative}"

    def has_license_file(self, relative: str, *, exact: bool) -> bool:
        """Whether the license file `relative` is shipped: at its PEP 639 place when `exact`.

        Otherwise also where older backends put it: any file of that base name in the wheel's
        ``.dist-info`` (``LICENSE``, ``license_files/LICENSE``), or anywhere in the sdist.
        """
        names = set(self.names)
        if self.license_location(relative) in names:
            return True
        if exact:
            return False
        base = PurePosixPath(relative).name
        scope = self.dist_info if self.kind == "wheel" else self.prefix
        return any(
            name.startswith(scope or "") and PurePosixPath(name).name == base for name in names
        )

    def license_like(self) -> list[str]:
        """Members that look like license texts (see `looks_like_license`)."""
        return [name for name in self.names if looks_like_license(name)]

    def installed_files(self) -> Iterator[str]:
        """A wheel's files as installed in site-packages: ``.data/purelib/x`` becomes ``x``."""
        for name in self.names:
            top, _, rest = name.partition("/")
            if top.endswith(".data"):
                scheme, _, installed = rest.partition("/")
                if scheme in ("purelib", "platlib") and installed:
                    yield installed
            elif not top.endswith(".dist-info"):
                yield name


# Licenses


def looks_like_license(path: str) -> bool:
    """LICENSE*, LICENCE*, COPYING*, COPYRIGHT*, NOTICE*, ``*-LICENSE``, or in a licenses dir.

    A ``licenses`` directory is REUSE's ``LICENSES/`` or a wheel's ``.dist-info/licenses/``;
    modules (``license.py``) are code, not license texts.
    """
    parts = PurePosixPath(path)
    if parts.suffix in _CODE_SUFFIXES:
        return False
    return bool(_LICENSE_NAME.match(parts.name)) or any(
        part.lower() in _LICENSE_DIRS for part in parts.parts[:-1]
    )


def _expression_needs_text(expression: str) -> bool:
    """Whether some license of the expression asks for its text; one free choice suffices.

    ``MIT OR CC0-1.0`` lets the user take CC0, so no text is required; ``LicenseRef-*``
    licenses are the project's own and are not judged.
    """
    alternatives = (
        re.split(r"\s+OR\s+", expression, flags=re.IGNORECASE)
        if "(" not in expression
        else [expression]
    )
    for alternative in alternatives:
        words = re.sub(r"\bWITH\s+\S+", " ", alternative, flags=re.IGNORECASE)
        ids = [
            word.removesuffix("+").casefold()
            for word in re.findall(r"[A-Za-z0-9.+:-]+", words)
            if word.upper() not in ("AND", "OR")
        ]
        if all(
            name in _NO_TEXT_NEEDED or name.startswith(("licenseref-", "documentref-"))
            for name in ids
        ):
            return False
    return True


def license_claim(metadata: RawMetadata) -> str | None:
    """The license the metadata names whose terms ask to ship its text, as a phrase; or None.

    The ``License-Expression`` decides when there is one; otherwise an
    ``License :: OSI Approved :: …`` classifier (public-domain-like ones excepted).
    """
    expression = (metadata.get("license_expression") or "").strip()
    if expression:
        return f"License-Expression `{expression}`" if _expression_needs_text(expression) else None
    for classifier in metadata.get("classifiers") or []:
        if classifier.startswith(_OSI) and classifier not in _NO_TEXT_CLASSIFIERS:
            return f"classifier `{classifier}`"
    return None


def _words(text: str) -> str:
    return " ".join(text.split())


def license_text_in_metadata(metadata: RawMetadata, text: str) -> bool:
    """Whether the ``License`` field carries `text` (a legacy ``license = {file = ...}``)."""
    wanted = _words(text)
    return bool(wanted) and wanted in _words(metadata.get("license") or "")


@dataclass(frozen=True, kw_only=True)
class DeclaredLicenses(Record):
    """The license files pyproject.toml names, relative to the project root (posix paths).

    `files` come from ``[project] license-files`` globs, `unmatched` are globs that match no
    file the build could see, `text_file` is a legacy ``license = {file = "..."}``.
    """

    files: tuple[str, ...] = ()
    unmatched: tuple[str, ...] = ()
    text_file: str | None = None


def _visible_files(root: Path) -> set[str] | None:
    """Files git tracks or would track (not ignored); None outside a git work tree."""
    if not git.is_repository(root):
        return None
    try:
        output = git.run_git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    except FactError:
        return None
    return {entry for entry in output.split("\0") if entry}


def _license_globs(project: Mapping[str, Any]) -> list[str]:
    value = project.get("license-files")
    if isinstance(value, dict):  # hatchling's pre-PEP 639 form: {paths = [...], globs = [...]}
        value = [*value.get("paths", []), *value.get("globs", [])]
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def declared_license_files(root: Path, pyproject: Mapping[str, Any]) -> DeclaredLicenses:
    """Expand pyproject.toml's license declarations against the project tree.

    Globs are matched as PEP 639 says (relative to the project root, ``**`` recursive) and
    only against files the build can see: in a git work tree, files not git-ignored.
    """
    table = pyproject.get("project")
    project = table if isinstance(table, dict) else {}
    visible = _visible_files(root)
    files: dict[str, None] = {}
    unmatched = []
    for pattern in _license_globs(project):
        if pattern.startswith("/") or ".." in PurePosixPath(pattern).parts:
            continue  # invalid under PEP 639: the backend refuses to build
        matched = sorted(
            path.relative_to(root).as_posix() for path in root.glob(pattern) if path.is_file()
        )
        matched = [path for path in matched if visible is None or path in visible]
        files.update(dict.fromkeys(matched))
        if not matched:
            unmatched.append(pattern)
    license_value = project.get("license")
    text_file = license_value.get("file") if isinstance(license_value, dict) else None
    return DeclaredLicenses(
        files=tuple(files),
        unmatched=tuple(unmatched),
        text_file=text_file if isinstance(text_file, str) else None,
    )


# py.typed


def claims_typed(metadata: RawMetadata) -> bool:
    """Whether the metadata carries the ``Typing :: Typed`` classifier."""
    return "Typing :: Typed" in (metadata.get("classifiers") or [])


def _is_code(name: str) -> bool:
    return name.endswith((".py", ".pyi", ".so", ".pyd"))


def _regular(directory: str, files: set[str]) -> bool:
    """A regular package: its directory holds an ``__init__`` module (source, stub or binary)."""
    return any(
        name.startswith(f"{directory}/__init__.") and "/" not in name[len(directory) + 1 :]
        for name in files
    )


def _children(directory: str, dirs: Iterable[str]) -> list[str]:
    return sorted(d for d in dirs if PurePosixPath(d).parent.as_posix() == directory)


def typed_packages(wheel: ArtifactFiles) -> list[str]:
    """The installed package directories a typed wheel must mark with ``py.typed`` (PEP 561).

    Each public top-level regular package; for a namespace package (PEP 420), the regular
    packages below it. Single-module distributions cannot carry ``py.typed`` (PEP 561),
    stub-only ``*-stubs`` packages need none and private ``_name`` packages are no API, so
    none of those is listed.
    """
    files = set(wheel.installed_files())
    code_dirs = {
        parent.as_posix()
        for name in files
        if _is_code(name)
        for parent in PurePosixPath(name).parents
        if parent.as_posix() != "."
    }
    needed = []
    pending = sorted(
        d for d in code_dirs if "/" not in d and d.isidentifier() and not d.startswith("_")
    )
    while pending:
        directory = pending.pop(0)
        if _regular(directory, files):
            needed.append(directory)
        else:
            pending.extend(_children(directory, code_dirs))
    return sorted(needed)


def missing_py_typed(artifact: ArtifactFiles, packages: Iterable[str]) -> list[str]:
    """``<package>/py.typed`` for each package with no marker in it, above or below it.

    A marker in a namespace above the package covers it, and so does one in a subpackage:
    the project then types that part only, on purpose (type checkers honour a marker at any
    level). In a wheel the installed paths are checked; in an sdist the package may sit
    anywhere (``src/`` layout, a ``python/`` folder), so the path is matched at any depth.
    """
    if artifact.kind == "wheel":
        markers = [
            f"/{name}"
            for name in artifact.installed_files()
            if PurePosixPath(name).name == "py.typed"
        ]
    else:
        markers = [f"/{name}" for name in artifact.names if PurePosixPath(name).name == "py.typed"]
    missing = []
    for package in packages:
        parents = [p.as_posix() for p in PurePosixPath(package).parents][:-1]
        covered = any(
            marker.endswith(f"/{parent}/py.typed") for parent in parents for marker in markers
        )
        inside = any(f"/{package}/" in marker for marker in markers)
        if not (covered or inside):
            missing.append(f"{package}/py.typed")
    return missing
