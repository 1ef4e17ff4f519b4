"""What a wheel installs into site-packages, and what does not belong there.

Pure facts over a wheel's member names (read with `release_checks.archives`): compiled
bytecode, entries stored twice, repository clutter and stray files at the top level of
site-packages, top-level modules whose names cannot be imported, a wheel that installs
nothing, and a module left beside a package of the same name; plus the fix in the terms of the
project's build backend.
Files under ``name.data/purelib/`` and ``name.data/platlib/`` count as top level, as installed.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from packaging.utils import canonicalize_name

from release_checks.records import Record

__all__ = [
    "JUNK_TOP_LEVEL",
    "Finding",
    "backend_family",
    "clutter_findings",
    "layout_findings",
    "report",
]

Check = Literal["bytecode", "duplicate", "junk", "stray", "unimportable", "empty", "shadowed"]

# Top-level names that are a repository's furniture, not a library: glob patterns (matched
# lower-case against a directory's name, a file's name and a module's name) and what they are.
# A project that really ships one declares it in `tool.release-checks.allow-top-level`.
JUNK_TOP_LEVEL: tuple[tuple[tuple[str, ...], str], ...] = (
    (("tests", "test"), "a test suite"),
    (("docs", "doc"), "documentation sources"),
    (("examples", "example"), "example code"),
    (("benchmarks",), "benchmarks"),
    (("build", "dist"), "build output from an earlier build"),
    (("src",), "the source directory itself (the packages in it belong at the top level)"),
    (("scripts",), "repository helper scripts"),
    (("setup.py", "conftest.py", "noxfile.py"), "a project file for building or testing"),
    (("*.egg-info",), "setuptools' build metadata from the source tree"),
    (
        (".venv", "venv", ".tox", ".nox", ".eggs", "htmlcov"),
        "a local virtual environment or tool directory",
    ),
    ((".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"), "a tool's cache"),
    ((".git", ".hg", ".svn", ".github", ".gitlab", ".circleci"), "version control or CI data"),
    ((".idea", ".vscode"), "editor settings"),
)

# Files at the top level of site-packages that are not stray: modules and stubs, path
# configuration, Cython declarations for top-level extension modules, and shared libraries
# (some Windows and vendored builds place them beside the extension modules that load them).
_TOP_LEVEL_OK = (".py", ".pyi", ".pth", ".pxd", ".pyx", ".pxi", ".so", ".pyd", ".dll", ".dylib")
_SHARED_LIBRARY = re.compile(r"\.so(\.\d+)+$")
# An extension module: `name.so`, `name.pyd`, or with one platform tag between the two
# (`name.cpython-312-x86_64-linux-gnu.so`, `name.abi3.so`, `name.cp312-win_amd64.pyd`).
_EXTENSION = re.compile(r"^(?P<module>[^.]+)(\.[^.]+)?\.(so|pyd)$")
# Directories of vendored native libraries (auditwheel, delvewheel, delocate).
_LIBRARY_DIRS = (".libs", ".dylibs")
_BYTECODE_SUFFIXES = (".pyc", ".pyo")
_SHOWN = 4


@dataclass(frozen=True, kw_only=True)
class Finding(Record):
    """One defect in what a wheel installs: the check, what it is about, the members, why."""

    check: Check
    subject: str
    members: tuple[str, ...]
    why: str

    def describe(self) -> str:
        """One report line: the subject, the members when they say more, and why it matters."""
        if self.check == "empty":
            return self.why
        shown = ""
        if self.members and self.members != (self.subject,):
            names = ", ".join(self.members[:_SHOWN])
            more = f", … ({len(self.members) - _SHOWN} more)" if len(self.members) > _SHOWN else ""
            count = len(self.members)
            shown = f" ({count} file{'s' if count > 1 else ''}: {names}{more})"
        return f"`{self.subject}`{shown}: {self.why}"


@dataclass(frozen=True)
class _Installed:
    """A file as installed: its path relative to site-packages, and its name in the wheel."""

    path: str
    member: str

    @property
    def parts(self) -> list[str]:
        return self.path.split("/")


def _installed_path(member: str) -> str | None:
    """Where a member lands relative to site-packages; None for metadata, scripts and data."""
    top, _, rest = member.partition("/")
    if top.endswith(".dist-info"):
        return None
    if top.endswith(".data"):
        scheme, _, installed = rest.partition("/")
        return installed if scheme in ("purelib", "platlib") and installed else None
    return member


def _library(names: Iterable[str]) -> list[_Installed]:
    files = []
    for name in names:
        path = _installed_path(name)
        if path and not path.endswith("/"):
            files.append(_Installed(path=path, member=name))
    return files


def _module_name(filename: str) -> str | None:
    """The module a file defines (`x.py`, an extension module), or None for other files."""
    if filename.endswith(".py"):
        return filename.removesuffix(".py")
    match = _EXTENSION.match(filename)
    return match["module"] if match else None


def _is_python_code(filename: str) -> bool:
    """A module Python itself would import: source, or an extension module with its ABI tag.

    A plain ``libz.so`` is a shared library that happens to share the suffix, not evidence.
    """
    match = _EXTENSION.match(filename)
    return filename.endswith((".py", ".pyd")) or bool(match and match.group(2))


def _is_bytecode(member: str) -> bool:
    return member.endswith(_BYTECODE_SUFFIXES) or "__pycache__" in member.split("/")


def _junk_kind(name: str, *, is_dir: bool) -> str | None:
    keys = {name.lower()}
    if not is_dir and name.endswith(".py"):
        keys.add(name.removesuffix(".py").lower())
    for patterns, what in JUNK_TOP_LEVEL:
        for pattern in patterns:
            if pattern.endswith(".py") and is_dir:
                continue
            if any(fnmatchcase(key, pattern) for key in keys):
                return what
    return None


def _is_allowed(name: str, allowed: Collection[str], own_names: Collection[str]) -> bool:
    """Declared by the project: its own import names or an `allow-top-level` pattern."""
    stem = name.removesuffix(".py")
    if canonicalize_name(stem) in own_names:
        return True
    return any(fnmatchcase(name, p) or fnmatchcase(stem, p) for p in allowed)


def _own_names(dist_name: str, import_names: Iterable[str]) -> set[str]:
    return {
        canonicalize_name(dist_name),
        *(canonicalize_name(n.split(".")[0]) for n in import_names),
    }


def _by_top_level(files: Iterable[_Installed]) -> dict[str, list[_Installed]]:
    tops: dict[str, list[_Installed]] = defaultdict(list)
    for file in files:
        tops[file.parts[0]].append(file)
    return tops


def _is_top_level_ok(name: str) -> bool:
    return name.endswith(_TOP_LEVEL_OK) or bool(_SHARED_LIBRARY.search(name))


def clutter_findings(
    names: Sequence[str],
    *,
    dist_name: str,
    allow_top_level: Collection[str] = (),
    import_names: Collection[str] = (),
) -> list[Finding]:
    """Bytecode, entries stored twice, repository clutter and stray files at the top level.

    `names` are the wheel's member names (files; directory entries are ignored). The project's
    own name and import names, and names matching `allow_top_level`, are never clutter.
    """
    findings = []
    bytecode = tuple(name for name in names if _is_bytecode(name) and not name.endswith("/"))
    if bytecode:
        findings.append(
            Finding(
                check="bytecode",
                subject="*.pyc",
                members=bytecode,
                why="bytecode compiled on the build machine: installers compile for the user's "
                "Python themselves, and a `.pyc` without its source is even importable on its own",
            )
        )
    for name, count in Counter(n for n in names if not n.endswith("/")).items():
        if count > 1:
            findings.append(
                Finding(
                    check="duplicate",
                    subject=name,
                    members=(name,),
                    why=f"stored {'twice' if count == 2 else f'{count} times'} in the zip: "
                    "installers disagree on which copy wins, so users may not get the file "
                    "you tested",
                )
            )
    own = _own_names(dist_name, import_names)
    for top, files in sorted(_by_top_level(_library(names)).items()):
        is_dir = any(len(file.parts) > 1 for file in files)
        members = tuple(file.member for file in files if not _is_bytecode(file.member))
        if not members or _is_allowed(top, allow_top_level, own):
            continue
        what = _junk_kind(top, is_dir=is_dir)
        if what is not None:
            installed = (
                f"a top-level `{top}` directory"
                if is_dir
                else f"a top-level module `{top.removesuffix('.py')}`"
                if top.endswith(".py")
                else f"`{top}`"
            )
            findings.append(
                Finding(
                    check="junk",
                    subject=f"{top}/" if is_dir else top,
                    members=members,
                    why=f"{what}, installed as {installed} in site-packages, where it collides "
                    "with any other project that ships the same name",
                )
            )
        elif not is_dir and not _is_top_level_ok(top):
            findings.append(
                Finding(
                    check="stray",
                    subject=top,
                    members=members,
                    why="not a module: it is installed loose in site-packages, where another "
                    f"project's `{top}` overwrites it (or it overwrites theirs)",
                )
            )
    return findings


def _is_template(part: str) -> bool:
    """A cookiecutter/Jinja template directory shipped as data: `{{ cookiecutter.name }}`."""
    return "{{" in part or "{%" in part


def _unimportable(files: Sequence[_Installed], allowed: Collection[str]) -> list[Finding]:
    """Top-level modules and directories of modules whose names `import` cannot spell.

    Only the top level is judged: inside a package, projects load modules by path (basis-set
    tables, PyInstaller hooks, project templates). Directories that a ``.pth`` file may put on
    ``sys.path`` are not judged either: any directory when the wheel has a top-level ``.pth``,
    and modules under a ``site-packages`` directory of an installed prefix.
    """
    findings = []
    path_files = any(len(f.parts) == 1 and f.path.endswith(".pth") for f in files)
    for top, group in sorted(_by_top_level(files).items()):
        if _is_allowed(top, allowed, ()) or _is_template(top):
            continue
        if all(len(file.parts) == 1 for file in group):  # a file at the top level
            module = _module_name(top)
            if module in ("__init__", "__main__"):
                why = (
                    "a package's file installed at the top level of site-packages without its "
                    "package directory: it belongs inside the package"
                )
            elif module is not None and top.endswith(".py") and not module.isidentifier():
                why = f"`{module}` is not a Python identifier, so `import` cannot reach it"
            else:
                continue
            findings.append(Finding(check="unimportable", subject=top, members=(top,), why=why))
            continue
        modules = tuple(
            f.member
            for f in group
            if _is_python_code(f.parts[-1]) and "site-packages" not in f.parts
        )
        exempt = path_files or top.endswith(("-stubs", *_LIBRARY_DIRS))
        if modules and not top.isidentifier() and not exempt:
            findings.append(
                Finding(
                    check="unimportable",
                    subject=f"{top}/",
                    members=modules,
                    why=f"holds Python modules, but `{top}` is not a Python identifier, so "
                    "`import` cannot reach them",
                )
            )
    return findings


def _shadowed(files: Sequence[_Installed]) -> list[Finding]:
    """`foo.py` beside a `foo/` package (or namespace portion) in the same directory."""
    modules: dict[str, _Installed] = {}
    subpackages: dict[str, list[_Installed]] = defaultdict(list)
    for file in files:
        parent, name = "/".join(file.parts[:-1]), file.parts[-1]
        if name.endswith(".py"):
            modules[f"{parent}/{name.removesuffix('.py')}".lstrip("/")] = file
        if len(file.parts) > 1 and _module_name(name) is not None:
            subpackages[parent].append(file)
    findings = []
    for path, module in sorted(modules.items()):
        inside = subpackages.get(path)
        if not inside:
            continue
        regular = any(_module_name(f.parts[-1]) == "__init__" for f in inside)
        dotted = path.replace("/", ".")
        why = (
            f"`import {dotted}` finds the package `{path}/` (a package wins over a module), "
            f"so `{module.path}` is dead code, usually left behind when the module became a package"
            if regular
            else f"`import {dotted}` finds the module `{module.path}` (a module wins over a "
            f"namespace package), so the modules in `{path}/` cannot be imported"
        )
        first = min(inside, key=lambda file: file.path)
        findings.append(
            Finding(
                check="shadowed",
                subject=module.path,
                members=(module.member, first.member),
                why=why,
            )
        )
    return findings


def layout_findings(
    names: Sequence[str],
    *,
    allow_top_level: Collection[str] = (),
    has_dependencies: bool = False,
) -> list[Finding]:
    """Modules users cannot import as laid out, an empty wheel, and modules shadowed by packages.

    A wheel without modules is fine when it installs something else (a stub-only ``*-stubs``
    package, data files, shared libraries, scripts) or declares dependencies (a
    meta-package); one that installs nothing but its metadata and needs nothing is empty.
    """
    files = _library(names)
    findings = _unimportable(files, allow_top_level)
    installs_something = bool(files) or any(
        name.split("/", 1)[0].endswith(".data") and not name.endswith("/") for name in names
    )
    if not installs_something and not has_dependencies:
        findings.append(
            Finding(
                check="empty",
                subject="the wheel",
                members=(),
                why="the wheel installs nothing but its own metadata: no module, no data, no "
                "script, and it declares no dependencies; the build's package selection found "
                "nothing to ship",
            )
        )
    findings += _shadowed(files)
    return findings


# The build backends whose configuration the fix names, by the module they are imported from.
_FAMILIES = (
    "hatchling",
    "setuptools",
    "flit_core",
    "pdm.backend",
    "poetry.core",
    "maturin",
    "scikit_build_core",
    "mesonpy",
    "uv_build",
)
_SELECT_HINTS = {
    "hatchling": "name the packages to ship, `[tool.hatch.build.targets.wheel] packages = "
    '["{package}"]`, and take everything else out of its `include`, `force-include` and '
    "`artifacts` (license files go in `[project] license-files`)",
    "setuptools": "limit package discovery to your packages: `[tool.setuptools.packages.find] "
    'where = ["src"]` (src layout) or `exclude = ["tests*", "docs*"]`; in setup.cfg, '
    "`packages = find:` with `[options.packages.find] exclude = tests*`; drop non-module "
    "files from `py-modules` and `data-files`",
    "flit_core": "flit installs the one module or package named by `[tool.flit.module] name` "
    '(here `"{module}"`): move what should not be installed out of it',
    "pdm.backend": 'name what to ship, `[tool.pdm.build] includes = ["{package}"]`, and '
    'exclude the rest with `excludes = ["tests"]`',
    "poetry.core": 'name what to ship, `packages = [{{ include = "{module}"{poetry_from} }}]` '
    "in `[tool.poetry]`, and exclude the rest with `exclude = [...]`",
    "maturin": "point `[tool.maturin] python-source` at the directory that holds only your "
    "package, and exclude the rest with `exclude = [...]`",
    "scikit_build_core": 'name the packages, `[tool.scikit-build] wheel.packages = ["{package}"]`, '
    "and exclude the rest with `wheel.exclude = [...]`",
    "mesonpy": "install only your package from meson.build (`py.install_sources()`, "
    "`install_subdir()` with `exclude_directories:`)",
    "uv_build": 'set `[tool.uv.build-backend] module-name = "{module}"` and exclude the rest '
    "with `wheel-exclude = [...]`",
}
_DEFAULT_SELECT = "configure the build backend's package selection to ship only your packages"
_BYTECODE_HINTS = {
    "hatchling": "hatchling leaves `*.pyc` out unless `artifacts`, `force-include` or a build "
    "hook brings them in: narrow that pattern; ignore `__pycache__/` and `*.py[cod]` in "
    ".gitignore",
    "setuptools": "setuptools ships the files git tracks (with setuptools-scm) or MANIFEST.in "
    "includes as package data: `git rm -r --cached` the compiled files, ignore `__pycache__/` "
    "and `*.py[cod]` in .gitignore, and add `global-exclude *.py[cod]` to MANIFEST.in",
}
_DEFAULT_BYTECODE = (
    "delete them from the source tree (`git rm -r --cached` if git tracks them), ignore "
    "`__pycache__/` and `*.py[cod]` in .gitignore, and build from a clean checkout"
)


def backend_family(build_backend: str | None) -> str | None:
    """The backend family whose settings a fix names; no backend declared means setuptools."""
    if not build_backend:
        return "setuptools"
    for family in _FAMILIES:
        if build_backend == family or build_backend.startswith((f"{family}.", f"{family}:")):
            return family
    return None


def report(
    header: str,
    findings: Sequence[Finding],
    *,
    build_backend: str | None,
    dist_name: str,
    package_path: str | None = None,
) -> str:
    """The gate message: the header, one line per finding, and how to fix it for this backend.

    `package_path` is where the package lives in the source tree (``src/demo``), for the fix.
    """
    family = backend_family(build_backend)
    module = canonicalize_name(dist_name).replace("-", "_")
    checks = {finding.check for finding in findings}
    lines = [header, *(f"  - {finding.describe()}" for finding in findings)]
    label = f"Fix ({family or build_backend})"
    if "bytecode" in checks:
        lines.append(f"{label}: {_BYTECODE_HINTS.get(family or '', _DEFAULT_BYTECODE)}.")
    if checks & {"junk", "stray", "unimportable", "empty"}:
        package = package_path or module
        poetry_from = ', from = "src"' if package.startswith("src/") else ""
        hint = _SELECT_HINTS.get(family or "", _DEFAULT_SELECT)
        lines.append(
            f"{label}: {hint.format(module=module, package=package, poetry_from=poetry_from)}."
        )
    if "shadowed" in checks:
        lines.append(
            "Fix: delete the stale module (or the package) from the source tree; only one "
            "of the two can ever be imported."
        )
    if "duplicate" in checks:
        lines.append(
            "Fix: the zip holds the same path twice, which build backends never write: build "
            "with `python -m build`, or fix the script that repacks the wheel."
        )
    if checks & {"junk", "stray", "unimportable"}:
        lines.append(
            "If a top-level name is meant to be installed, declare it in pyproject.toml: "
            '`[tool.release-checks] allow-top-level = ["name"]` (glob patterns).'
        )
    return "\n".join(lines)
