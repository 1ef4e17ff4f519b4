"""The sdist against git: tracked files it lacks, and files in it that git does not track.

*Needed* tracked files, for every backend: ``pyproject.toml``; the readme and license files
(declared, or the backend's default ``LICEN[CS]E*``/``COPYING*``); every file under the
package directories (found from the wheel's import names, the project name and the backend's
package settings) unless the backend's settings leave it out of the wheel too; the
``backend-path`` directories; and the files the backend reads (setuptools: ``setup.py``,
``setup.cfg``, ``MANIFEST.in``, ``[tool.setuptools.dynamic]`` files; hatchling: ``hatch.toml``,
``hatch_build.py``, ``[tool.hatch.version] path``). Backends whose sdist is meant to mirror the
repository need *every* tracked file: hatchling while the sdist is not narrowed by
``include``/``only-include``/``exclude``, and setuptools with setuptools-scm's file finder
while ``MANIFEST.in`` excludes nothing. Tracked files git's ignore rules match are never
needed (hatchling leaves them out).

*Generated* sdist files that git cannot track are accepted: ``PKG-INFO``, ``*.egg-info/``, a
``setup.cfg`` holding only setuptools' ``[egg_info]`` tags, version files named in
``[tool.setuptools_scm]``, ``[tool.hatch.build.hooks.vcs]`` or ``[tool.pdm.version]``, hatchling
``force-include`` targets, and the ``setup.py`` that poetry-core or hatchling's
``support-legacy`` writes. So are files the project's own ``.gitignore`` files ignore: backends
that honour them ship such files only when told to (hatchling ``artifacts``, ``MANIFEST.in``) —
except flit, which ships every file of the package directory.
"""

from __future__ import annotations

import configparser
import contextlib
import fnmatch
import glob
import tomllib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release_checks import git
from release_checks.archives import iter_file_contents, list_members
from release_checks.records import Record

__all__ = ["SdistFile", "SdistVsGit", "backend_family", "compare_sdist_with_git", "fix_hints"]

_BACKENDS = {
    "hatchling": "hatchling",
    "setuptools": "setuptools",
    "flit_core": "flit",
    "poetry": "poetry",
    "pdm": "pdm",
    "maturin": "maturin",
    "scikit_build_core": "scikit-build-core",
    "mesonpy": "meson-python",
}
# What hatchling leaves out of every build, whatever git says (hatchling.builders.constants).
_HATCH_SKIPPED_DIRS = frozenset(
    {
        "__pycache__",
        ".venv",
        ".git",
        ".hg",
        ".hatch",
        ".tox",
        ".nox",
        ".ruff_cache",
        ".pytest_cache",
        ".mypy_cache",
        ".pixi",
    }
)
_HATCH_SHAPING_KEYS = ("include", "only-include", "exclude", "packages", "sources", "ignore-vcs")
# What setuptools' sdist prunes: its build directory and version-control directories.
_SETUPTOOLS_PRUNED_DIRS = frozenset({"RCS", "CVS", ".svn", ".hg", ".git", ".bzr", "_darcs"})
_DEFAULT_LICENSE_GLOBS = ("LICEN[CS]E*", "COPYING*")
_PACKAGE_ROOTS = ("", "src", "lib", "python")


@dataclass(frozen=True, kw_only=True)
class SdistFile(Record):
    """A path relative to the project root, and why the sdist should (not) hold it."""

    path: str
    why: str


@dataclass(frozen=True, kw_only=True)
class SdistVsGit(Record):
    """How the sdist's files compare with git's: what is missing, what should not be there."""

    backend: str
    mirrors: bool
    missing: tuple[SdistFile, ...] = ()
    untracked: tuple[SdistFile, ...] = ()


def backend_family(pyproject: Mapping[str, Any]) -> str:
    """The build backend's family (``hatchling``, ``flit``...); none declared means setuptools."""
    backend = _table(pyproject, "build-system").get("build-backend")
    if not isinstance(backend, str) or not backend:
        return "setuptools"
    return _BACKENDS.get(backend.split(":")[0].split(".")[0], backend)


# Reading the project's settings


def _table(data: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        value = data.get(key)
        if not isinstance(value, dict):
            return {}
        data = value
    return dict(data)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _clean(path: str) -> str:
    """A relative POSIX path without ``./`` or slashes at either end; the root is ``""``."""
    text = PurePosixPath(path.strip("/") or ".").as_posix()
    return "" if text == "." else text


def _requires(pyproject: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for text in _strings(_table(pyproject, "build-system").get("requires")):
        try:
            names.add(canonicalize_name(Requirement(text).name))
        except InvalidRequirement:
            continue
    return names


def _hatch_builds(root: Path, pyproject: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Hatch's `build` tables: from pyproject.toml and, when there is one, hatch.toml."""
    tables = [_table(pyproject, "tool", "hatch", "build")]
    hatch_toml = root / "hatch.toml"
    if hatch_toml.is_file():
        # hatchling itself reports a broken hatch.toml when it builds
        with contextlib.suppress(tomllib.TOMLDecodeError, UnicodeDecodeError):
            tables.append(_table(tomllib.loads(hatch_toml.read_text("utf-8")), "build"))
    return tables


def _read(path: Path) -> str:
    return path.read_text("utf-8", "replace") if path.is_file() else ""


@dataclass(frozen=True, kw_only=True)
class _Settings:
    """What the backend's settings say about the sdist and the wheel, read once."""

    family: str
    mirrors: bool
    package_roots: tuple[str, ...]
    package_paths: dict[str, str] = field(default_factory=dict)
    wheel_excludes: tuple[str, ...] = ()
    find_excludes: tuple[str, ...] = ()
    listed_packages: tuple[str, ...] | None = None
    generated: tuple[str, ...] = ()
    flit_includes: tuple[str, ...] = ()


def _mirrors(family: str, root: Path, pyproject: Mapping[str, Any]) -> bool:
    """True when the backend's sdist is meant to hold every tracked file, as configured."""
    if family == "hatchling":
        return not any(
            key in table
            for build in _hatch_builds(root, pyproject)
            for table in (build, _table(build, "targets", "sdist"))
            for key in _HATCH_SHAPING_KEYS
        )
    if family != "setuptools" or "setuptools-scm" not in _requires(pyproject):
        return False
    finder = "setuptools_scm" in _table(pyproject, "tool") or "use_scm_version" in _read(
        root / "setup.py"
    )
    manifest_commands = {
        line.split()[0] for line in _read(root / "MANIFEST.in").splitlines() if line.split()
    }
    excludes = {"exclude", "recursive-exclude", "global-exclude", "prune"} & manifest_commands
    return finder and not excludes


def _package_locations(
    tool: Mapping[str, Any], builds: Sequence[Mapping[str, Any]]
) -> tuple[list[str], dict[str, str]]:
    """Directories that hold top-level packages, and packages the settings place by name."""
    roots = list(_PACKAGE_ROOTS)
    placed: dict[str, str] = {}
    for key, value in _table(tool, "setuptools", "package-dir").items():
        if isinstance(value, str) and key:
            placed[key.replace(".", "/")] = value
        elif isinstance(value, str):
            roots.append(value)
    poetry_packages = _table(tool, "poetry").get("packages")
    for entry in poetry_packages if isinstance(poetry_packages, list) else ():
        roots += _strings(entry.get("from") if isinstance(entry, dict) else None)
    roots += _strings(_table(tool, "maturin").get("python-source"))
    roots += _strings(_table(tool, "pdm", "build").get("package-dir"))
    for build in builds:
        for path in _strings(_table(build, "targets", "wheel").get("packages")):
            placed[PurePosixPath(path).name] = path
    return [_clean(path) for path in roots], {name: _clean(path) for name, path in placed.items()}


def _generated_paths(
    tool: Mapping[str, Any], builds: Sequence[Mapping[str, Any]], family: str
) -> list[str]:
    """Files the backend or its plugins write into the sdist (a directory covers its files)."""
    generated = ["PKG-INFO"]
    for build in builds:
        for table in (build, *_table(build, "targets").values()):
            if isinstance(table, dict):
                generated += _strings(_table(table, "hooks", "vcs").get("version-file"))
                generated += [str(path) for path in _table(table, "force-include").values()]
        if _table(build, "targets", "sdist").get("support-legacy") is True:
            generated.append("setup.py")
    scm = _table(tool, "setuptools_scm")
    generated += _strings(scm.get("version_file")) + _strings(scm.get("write_to"))
    for path in _strings(_table(tool, "pdm", "version").get("write_to")):
        generated += [path, f"src/{path}"]
    if family == "poetry":
        generated.append("setup.py")
    return [_clean(path) for path in generated if path]


def _settings(root: Path, pyproject: Mapping[str, Any]) -> _Settings:
    family = backend_family(pyproject)
    tool = _table(pyproject, "tool")
    builds = _hatch_builds(root, pyproject)
    roots, placed = _package_locations(tool, builds)
    wheel_excludes = _strings(_table(tool, "poetry").get("exclude"))
    wheel_excludes += _strings(_table(tool, "pdm", "build").get("excludes"))
    for build in builds:
        wheel_excludes += _strings(build.get("exclude"))
        wheel_excludes += _strings(_table(build, "targets", "wheel").get("exclude"))
    find = _table(tool, "setuptools", "packages", "find")
    listed = _table(tool, "setuptools").get("packages")
    return _Settings(
        family=family,
        mirrors=_mirrors(family, root, pyproject),
        package_roots=tuple(roots),
        package_paths=placed,
        wheel_excludes=tuple(wheel_excludes),
        find_excludes=tuple(_strings(find.get("exclude"))),
        listed_packages=tuple(_strings(listed)) if isinstance(listed, list) else None,
        generated=tuple(_generated_paths(tool, builds, family)),
        flit_includes=tuple(_strings(_table(tool, "flit", "sdist").get("include"))),
    )


# Matching paths


def _matches(path: str, patterns: Iterable[str]) -> bool:
    """True when a glob matches the path, a directory above it, or (without ``/``) a name in it.

    Patterns are relative to the project root; ``*`` also matches ``/`` (fnmatch).
    """
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for pattern in patterns:
        clean = pattern.strip("/")
        candidates = prefixes if "/" in clean else [*prefixes, *parts]
        if clean and any(fnmatch.fnmatchcase(candidate, clean) for candidate in candidates):
            return True
    return False


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(prefix + "/")


def _parents(paths: Iterable[str]) -> set[str]:
    """Every directory that holds one of the paths."""
    found: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        found.update("/".join(parts[: index + 1]) for index in range(len(parts)))
    return found


# Git


def _git_with_input(root: Path, data: Iterable[str], *args: str) -> list[str]:
    """Run git with NUL-separated paths on stdin; exit code 1 ("none matched") is fine."""
    stdin = "".join(f"{item}\0" for item in data)
    return git.run_git(root, *args, stdin=stdin, ok=(0, 1)).split("\0")


def _git_paths(root: Path, *args: str) -> set[str]:
    return {path for path in git.run_git(root, "ls-files", "-z", *args).split("\0") if path}


def _export_ignored(root: Path, paths: Collection[str]) -> set[str]:
    """The paths `git archive` leaves out: ``export-ignore`` on them or on a directory above.

    A directory's attribute does not pass to the files in it, so directories (asked for with
    a trailing ``/``) are checked too, as setuptools-scm's file finder does.
    """
    queries = sorted(paths) + sorted(f"{directory}/" for directory in _parents(paths))
    fields = _git_with_input(root, queries, "check-attr", "-z", "--stdin", "export-ignore")
    triples = zip(fields[0::3], fields[1::3], fields[2::3], strict=False)
    ignored = {path.rstrip("/") for path, _, value in triples if value == "set"}
    return {path for path in paths if any(_under(path, entry) for entry in ignored)}


def _ignore_rules(root: Path, paths: Collection[str]) -> dict[str, str]:
    """The ignore file whose rule ignores each path; paths no rule ignores are left out."""
    if not paths:
        return {}
    fields = _git_with_input(root, sorted(paths), "check-ignore", "-z", "-v", "-n", "--stdin")
    quads = zip(fields[0::4], fields[1::4], fields[2::4], fields[3::4], strict=False)
    return {
        path: source
        for source, _, pattern, path in quads
        if source and pattern and not pattern.startswith("!")
    }


def _own_ignore_file(source: str) -> bool:
    """A `.gitignore` of the repository, unlike `.git/info/exclude` or a global excludes file."""
    return PurePosixPath(source).name == ".gitignore" and not Path(source).is_absolute()


# What the sdist must hold


def _metadata_files(root: Path, project: Mapping[str, Any], family: str) -> dict[str, str]:
    """The readme and license files, with why each one is needed."""
    needed: dict[str, str] = {}
    readme = project.get("readme")
    readme_file = _table(project, "readme").get("file") if isinstance(readme, dict) else readme
    for path in _strings(readme_file):
        needed[path] = "the readme (`[project] readme`)"
    for path in _strings(_table(project, "license").get("file")):
        needed[path] = "the license file (`[project] license`)"
    license_globs = project.get("license-files")
    if license_globs is None and family in ("hatchling", "setuptools", "flit"):
        for entry in root.iterdir():
            if any(fnmatch.fnmatchcase(entry.name, pattern) for pattern in _DEFAULT_LICENSE_GLOBS):
                needed[entry.name] = f"a license file ({family} ships `LICEN[CS]E*`, `COPYING*`)"
    for pattern in _strings(license_globs):
        for path in glob.glob(pattern, root_dir=root, recursive=True):  # noqa: PTH207
            needed[Path(path).as_posix()] = "a license file (`[project] license-files`)"
    return needed


def _backend_files(pyproject: Mapping[str, Any], family: str) -> dict[str, str]:
    """The files the build backend reads besides pyproject.toml, with why."""
    needed: dict[str, str] = {"pyproject.toml": "the project's build configuration"}
    if family == "setuptools":
        needed.update(dict.fromkeys(("setup.py", "setup.cfg", "MANIFEST.in"), "read by setuptools"))
        for value in _table(pyproject, "tool", "setuptools", "dynamic").values():
            entries = [value] if isinstance(value, dict) and "file" in value else []
            if isinstance(value, dict) and "file" not in value:  # optional-dependencies
                entries = [entry for entry in value.values() if isinstance(entry, dict)]
            for entry in entries:
                for path in _strings(entry.get("file")):
                    needed[path] = "read by setuptools (`[tool.setuptools.dynamic]`)"
    if family == "hatchling":
        needed.update(dict.fromkeys(("hatch.toml", "hatch_build.py"), "read by hatchling"))
        for path in _strings(_table(pyproject, "tool", "hatch", "version").get("path")):
            needed[path] = "read by hatchling (`[tool.hatch.version] path`)"
    system = _table(pyproject, "build-system")
    backend = _strings(system.get("build-backend"))
    top = backend[0].split(":")[0].split(".")[0] if backend else ""
    for directory in _strings(system.get("backend-path")) if top else ():
        base = _clean(f"{directory}/{top}")
        needed[f"{base}.py"] = needed[base] = "the in-tree build backend (`backend-path`)"
    return needed


def _package_bases(
    names: Iterable[str], tracked: Collection[str], settings: _Settings
) -> list[str]:
    """Tracked package directories (``src/demo/``) and modules (``demo.py``) of the import names."""
    holders = _parents(tracked)
    found: set[str] = set()
    for name in names:
        if name in settings.package_paths:
            bases = [settings.package_paths[name]]
        else:
            bases = [f"{root}/{name}" if root else name for root in settings.package_roots]
        for base in bases:
            if base in holders:
                found.add(f"{base}/")
            if f"{base}.py" in tracked:
                found.add(f"{base}.py")
    return sorted(found)


def _left_out_of_wheel(path: str, base: str, settings: _Settings) -> bool:
    """True when the backend's settings leave a file of a package out of the wheel too."""
    if _matches(path, settings.wheel_excludes):
        return True
    if settings.family != "setuptools" or base.endswith(".py"):
        return False
    base_dir = base.rstrip("/")
    parent = str(PurePosixPath(path).parent)
    package = PurePosixPath(base_dir).name + parent[len(base_dir) :].replace("/", ".")
    if settings.listed_packages is not None and package not in settings.listed_packages:
        return True
    return any(fnmatch.fnmatchcase(package, pattern) for pattern in settings.find_excludes)


def _mirror_skips(family: str, path: str) -> bool:
    """Tracked files a mirroring backend leaves out by its own rules."""
    parts = PurePosixPath(path).parts
    if family == "hatchling":
        return (
            bool(_HATCH_SKIPPED_DIRS.intersection(parts[:-1]))
            or parts[-1] == ".DS_Store"
            or fnmatch.fnmatchcase(parts[-1], "*.py[cdo]")
            or parts[0] == "dist"
        )
    return parts[0] == "build" or bool(_SETUPTOOLS_PRUNED_DIRS.intersection(parts[:-1]))


def _needed(
    root: Path,
    pyproject: Mapping[str, Any],
    settings: _Settings,
    tracked: Collection[str],
    import_names: Iterable[str],
) -> dict[str, str]:
    """Every tracked file the sdist should hold, with why."""
    family = settings.family
    needed: dict[str, str] = {}
    if settings.mirrors:
        why = f"tracked: {family}'s sdist holds every tracked file that git does not ignore"
        needed.update({path: why for path in tracked if not _mirror_skips(family, path)})
    project = _table(pyproject, "project")
    declared = _metadata_files(root, project, family) | _backend_files(pyproject, family)
    for path, why in declared.items():
        base = _clean(path)
        if base:
            needed.update({file: why for file in tracked if _under(file, base)})
    names = set(import_names)
    if isinstance(project.get("name"), str):
        names.add(canonicalize_name(project["name"]).replace("-", "_"))
    names.update(_strings(_table(pyproject, "tool", "flit", "module").get("name")))
    for base in _package_bases(names, tracked, settings):
        for path in tracked:
            if _under(path, base.rstrip("/")) and not _left_out_of_wheel(path, base, settings):
                needed[path] = f"in the package `{base}`"
    return needed


# What the sdist may hold that git does not track


def _only_egg_info_tags(text: str) -> bool:
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return False
    return parser.sections() == ["egg_info"]


def _sdist_files(sdist: Path) -> tuple[str, set[str]]:
    """The sdist's top directory and the paths of its files below it."""
    files = set()
    tops = set()
    for member in list_members(sdist):
        top, _, rest = member.name.strip("/").partition("/")
        tops.add(top)
        if rest and member.kind != "dir":
            files.add(rest)
    return (tops.pop() if len(tops) == 1 else ""), files


def _generated_setup_cfg(sdist: Path, top: str) -> bool:
    for member, data in iter_file_contents(sdist):
        if member.name.strip("/") == f"{top}/setup.cfg":
            return _only_egg_info_tags(data.decode("utf-8", "replace"))
    return False


def _untracked(
    root: Path, sdist: Path, settings: _Settings, candidates: set[str], top: str
) -> list[SdistFile]:
    """The candidates the backend did not generate and the project does not ignore on purpose."""
    candidates = {
        path
        for path in candidates
        if not any(_under(path, target) for target in settings.generated)
        and not any(part.endswith(".egg-info") for part in path.split("/")[:-1])
    }
    if "setup.cfg" in candidates and _generated_setup_cfg(sdist, top):
        candidates.discard("setup.cfg")
    rules = _ignore_rules(root, candidates)
    found = []
    for path in sorted(candidates):
        source = rules.get(path)
        if source is None:
            why = "untracked: not committed, not ignored"
        elif not _own_ignore_file(source):
            why = f"ignored only by your own `{source}`, not by the project's .gitignore"
        elif settings.family == "flit" and not _matches(path, settings.flit_includes):
            why = f"ignored by `{source}`, but flit ships every file of the package"
        else:
            continue
        found.append(SdistFile(path=path, why=why))
    return found


def compare_sdist_with_git(
    root: Path,
    sdist: Path,
    pyproject: Mapping[str, Any],
    *,
    ignore: Sequence[str] = (),
    import_names: Iterable[str] = (),
) -> SdistVsGit:
    """Compare the sdist's files with what git tracks in `root`, a git work tree.

    `import_names` are the wheel's top-level packages and modules; `ignore` holds the
    ``sdist-ignore`` patterns. Raises FactError when git or the archive cannot be read.
    """
    settings = _settings(root, pyproject)
    tracked = _git_paths(root, "--cached", "--recurse-submodules")
    present = tracked - _git_paths(root, "--deleted")
    present -= _git_paths(root, "--cached", "--ignored", "--exclude-standard")
    # a submodule that is not checked out is a bare directory entry: nothing to pack
    present = {path for path in present if (root / path).is_symlink() or not (root / path).is_dir()}
    if settings.mirrors and settings.family == "setuptools" and present:
        present -= _export_ignored(root, present)
    top, files = _sdist_files(sdist)
    holders = _parents(files)
    missing = [
        SdistFile(path=path, why=why)
        for path, why in sorted(_needed(root, pyproject, settings, present, import_names).items())
        if path not in files
        and path not in holders  # a tracked symlink to a directory, packed as its files
        and not _matches(path, ignore)
    ]
    linked = {path for path in tracked if path in holders}
    candidates = {
        path
        for path in files - tracked
        if not any(_under(path, link) for link in linked) and not _matches(path, ignore)
    }
    return SdistVsGit(
        backend=settings.family,
        mirrors=settings.mirrors,
        missing=tuple(missing),
        untracked=tuple(_untracked(root, sdist, settings, candidates, top)),
    )


# How to fix it

_MISSING_FIX = {
    "hatchling": "hatchling leaves them out because `[tool.hatch.build.targets.sdist]` (or "
    "`[tool.hatch.build]`) `include`, `only-include` or `exclude` says so: add them to "
    "`include`, or drop the `exclude` entry that matches them",
    "setuptools": "setuptools packs only what MANIFEST.in and the package settings name: add "
    "them to MANIFEST.in (`include`, `graft`, `recursive-include`), or let setuptools-scm list "
    "git's files (`setuptools-scm` in `[build-system] requires` and a `[tool.setuptools_scm]` "
    "table)",
    "flit": "flit packs the package, the readme and the license files, and nothing else: add "
    "them with `[tool.flit.sdist] include = [...]`, and check `[tool.flit.sdist] exclude`",
    "poetry": "add them to `[tool.poetry] include`, and check `exclude`",
    "pdm": "add them to `[tool.pdm.build] source-includes`, and check `excludes`",
    "maturin": "add them to `[tool.maturin] include`, and check `exclude`",
    "scikit-build-core": "add them to `[tool.scikit-build] sdist.include`",
}
_MIRROR_SETTINGS = {
    "hatchling": "`[tool.hatch.build]` settings",
    "setuptools": "MANIFEST.in and `export-ignore` in .gitattributes",
}
_UNTRACKED_FIX = {
    "hatchling": "hatchling packs every file (under the sdist's `include` paths, if any) that "
    "the project's .gitignore does not ignore; it reads neither .git/info/exclude nor your "
    "global excludes file",
    "flit": "flit packs every file of the package directory, ignored or not; "
    "`[tool.flit.sdist] exclude` leaves files out",
    "setuptools": "MANIFEST.in `exclude`, `prune` or `global-exclude` leaves files out",
}


def fix_hints(result: SdistVsGit) -> list[str]:
    """How to fix what `compare_sdist_with_git` found, in the terms of the project's backend."""
    family = result.backend
    hints = []
    if result.missing and result.mirrors:
        hints.append(
            f"{family} packs every tracked file that git does not ignore, so this sdist was "
            "built from another state of the tree (a stale or prebuilt file?) or a setting "
            "leaves them out: rebuild it with `python -m build --sdist` and check "
            + _MIRROR_SETTINGS.get(family, "the backend's sdist settings")
        )
    elif result.missing:
        hints.append(
            _MISSING_FIX.get(family, f"check the sdist settings of the build backend `{family}`")
        )
    if result.untracked:
        specific = _UNTRACKED_FIX.get(family)
        hints.append(
            "commit the files that belong to the project, delete the stray ones or ignore them "
            "in .gitignore" + (f"; {specific}" if specific else "")
        )
    hints.append(
        "for a deliberate difference, list the paths (glob patterns) in "
        "`[tool.release-checks] sdist-ignore`"
    )
    return hints
