"""The Pythons the wheel is tried under: found with virtualenv's discovery, with their wheel tags.

``tool.release-checks.python`` lists interpreters as virtualenv's ``--python`` takes them
("3.12", "python3.13", "pypy3.10", a path). Each is looked up once per run, and asked for the
tags it installs, so the right wheel goes into its environment and a missing one is a clear
skip instead of a failing virtualenv command.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from release_checks.records import Record
from release_checks.text import tail

__all__ = [
    "Interpreter",
    "find_interpreter",
    "installable_wheel",
    "interpreter_id",
    "outside_requires_python",
    "running_interpreter",
]

_VERSION_SPEC = re.compile(r"\d+(?:\.\d+){0,2}t?")
_CONFIG = "tool.release-checks.python"
# Run under the interpreter found, in isolation (-I -S: neither its own site-packages nor the
# environment can shadow it), with this process's `packaging` appended to its path.
_QUERY = """\
import json, os, platform, sys
sys.path.append({packaging!r})
from packaging.tags import sys_tags
print(json.dumps({{
    "executable": os.path.realpath(sys.executable),
    "version": platform.python_version(),
    "implementation": platform.python_implementation(),
    "tags": [str(tag) for tag in sys_tags()],
}}))
"""


@dataclass(frozen=True, kw_only=True)
class Interpreter(Record):
    """A Python as configured (`spec`) and as found: where it is, its version, what it installs."""

    spec: str
    executable: str | None = None
    version: str | None = None
    implementation: str = "CPython"
    tags: tuple[str, ...] = ()
    error: str | None = None

    @property
    def label(self) -> str:
        """How messages name it: ``Python 3.12.1 (/usr/bin/python3.12)``."""
        if self.version is None:
            return describe_spec(self.spec)
        name = "Python" if self.implementation == "CPython" else self.implementation
        return f"{name} {self.version} ({self.executable})"

    @property
    def key(self) -> str:
        """A file-name-safe key for the interpreter itself: two spellings of one share it."""
        what = self.executable or self.spec
        return hashlib.sha256(what.encode()).hexdigest()[:12]


def describe_spec(spec: str) -> str:
    """Say "Python 3.12" for a version, else the spelling as written."""
    return f"Python {spec}" if _VERSION_SPEC.fullmatch(spec) else f"the interpreter {spec!r}"


def interpreter_id(spec: str) -> str:
    """The readable item id of one listed interpreter: ``py3.12``, ``pypy3.10``, ``python3.13``.

    A path shows its file name only (ids with slashes are awkward in ``-k``).
    """
    if _VERSION_SPEC.fullmatch(spec):
        return f"py{spec}"
    name = spec.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name.removesuffix(".exe") or spec


def running_interpreter() -> Interpreter:
    """The interpreter running pytest: the default when no ``python`` list is configured."""
    import platform  # noqa: PLC0415

    from packaging.tags import sys_tags  # noqa: PLC0415

    return Interpreter(
        spec="",
        executable=os.path.realpath(sys.executable),
        version=platform.python_version(),
        implementation=platform.python_implementation(),
        tags=tuple(str(tag) for tag in sys_tags()),
    )


def find_interpreter(spec: str, *, timeout: float = 60) -> Interpreter:
    """Find `spec` as ``virtualenv --python`` would, then ask it for its version and tags.

    A missing interpreter, or one that cannot say what it installs, is an `Interpreter`
    with an `error`, not an exception: the gate turns it into a skip or a failure.
    """
    from virtualenv import session_via_cli  # noqa: PLC0415 - virtualenv's public API

    missing = (
        f"{describe_spec(spec)} is not installed: virtualenv's interpreter discovery found "
        f"none for {spec!r} on PATH; install it or remove it from {_CONFIG}"
    )
    try:
        unused = Path(tempfile.gettempdir()) / "release-checks-discovery"  # not created
        session = session_via_cli(
            [f"--python={spec}", "--no-download", "--no-periodic-update", str(unused)]
        )
        found = session.interpreter.system_executable or session.interpreter.executable
    except RuntimeError:  # virtualenv's "failed to find interpreter for ..."
        return Interpreter(spec=spec, error=missing)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - a broken interpreter on PATH, say
        return Interpreter(spec=spec, error=f"{missing} ({type(error).__name__}: {error})")
    return _query(spec, found, timeout)


def _query(spec: str, executable: str, timeout: float) -> Interpreter:
    import packaging  # noqa: PLC0415

    script = _QUERY.format(packaging=str(Path(packaging.__file__).parent.parent))
    cannot = f"{describe_spec(spec)} was found at {executable}, but could not list its wheel tags"
    try:
        done = subprocess.run(
            [executable, "-I", "-S", "-c", script],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return Interpreter(spec=spec, executable=executable, error=f"{cannot}: {error}")
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        output = tail(done.stderr or done.stdout, 10)
        return Interpreter(spec=spec, executable=executable, error=f"{cannot}:\n{output}")
    return Interpreter(
        spec=spec,
        executable=data["executable"],
        version=data["version"],
        implementation=data["implementation"],
        tags=tuple(data["tags"]),
    )


def installable_wheel(wheels: Iterable[str | Path], tags: Iterable[str]) -> Path | None:
    """The first of `wheels` whose file name carries one of `tags` (an interpreter's)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename  # noqa: PLC0415

    supported = set(tags)
    for wheel in wheels:
        try:
            wheel_tags = parse_wheel_filename(Path(wheel).name)[3]
        except InvalidWheelFilename:
            continue
        if any(str(tag) in supported for tag in wheel_tags):
            return Path(wheel)
    return None


def outside_requires_python(requires_python: str | None, version: str) -> bool:
    """True when no Python `version` (as found, or "3.12" as listed) meets Requires-Python.

    A listed "3.12" that is not installed stands for any 3.12.x; an unreadable
    Requires-Python is another gate's finding, not this one's.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    release = version.removesuffix("t")
    candidates = [release] if release.count(".") >= 2 else [f"{release}.{n}" for n in range(100)]
    try:
        specifiers = SpecifierSet(requires_python or "")
        versions = [Version(candidate) for candidate in candidates]
    except (InvalidSpecifier, InvalidVersion):  # "pypy3.10", a path: not a version to compare
        return False
    return not any(specifiers.contains(v, prereleases=True) for v in versions)
