"""A fresh virtualenv with the release's wheel installed, as a user's machine would have it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from release_checks import background
from release_checks.errors import FactError
from release_checks.records import Record
from release_checks.text import tail

__all__ = [
    "FreshVenv",
    "ImportOutcome",
    "ProbeReport",
    "create_base",
    "create_venv",
    "install_from_index",
    "install_wheel",
    "probe",
]

_PROBE = Path(__file__).with_name("_probe.py")
_OUTPUT_TAIL = 30


@dataclass(frozen=True, kw_only=True)
class FreshVenv(Record):
    """Where the environment is, and whether the wheel got into it."""

    path: str
    python: str
    wheel: str
    error: str | None = None
    install_log: str = ""

    def run(
        self, *args: str, cwd: Path | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run a command with the environment's bin directory first on PATH.

        Ctrl-C (`background.stop`) kills it with its children; so does `timeout`.
        """
        bin_dir = str(Path(self.python).parent)
        env = {
            **os.environ,
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "VIRTUAL_ENV": self.path,
        }
        env.pop("PYTHONPATH", None)
        return background.run(args, cwd=cwd or self.path, env=env, timeout=timeout)


def create_venv(  # noqa: PLR0913 - keyword-only settings
    path: Path,
    wheel: Path,
    *,
    has_dependencies: bool,
    timeout: float,
    interpreter: str | None = None,
    uv: str | None = None,
) -> FreshVenv:
    """Create a virtualenv at `path` and pip-install `wheel` with its dependencies.

    The environment runs `interpreter` (an executable), by default the one running this.

    Dependencies come from the user's own pip configuration (pip.conf, PIP_INDEX_URL), like
    an end user's install; a wheel without dependencies is installed with ``--no-index``.
    With `uv` (its executable), uv creates the environment and installs; its index settings
    are uv's own, plus pip's index variables.
    """
    base = create_base(path, timeout=timeout, interpreter=interpreter, uv=uv)
    if base.error is not None:
        return base
    return install_wheel(base, wheel, has_dependencies=has_dependencies, timeout=timeout, uv=uv)


def create_base(
    path: Path, *, timeout: float, interpreter: str | None = None, uv: str | None = None
) -> FreshVenv:
    """Create the empty virtualenv at `path`: the part that can run while the wheel builds.

    `path` is in the run's own directory; whatever an attempt that broke off left there goes.
    """
    shutil.rmtree(path, ignore_errors=True)
    venv, create, _ = _new_venv(path, "", interpreter, uv)
    return _run_steps(venv, [("creating the virtualenv", create)], timeout)


def install_wheel(
    base: FreshVenv, wheel: Path, *, has_dependencies: bool, timeout: float, uv: str | None = None
) -> FreshVenv:
    """Install `wheel` with its dependencies into the environment `create_base` made.

    uv skips a member that would land outside the environment where pip refuses the wheel;
    the verdict must not depend on the installer, so such a wheel is refused here too.
    """
    venv = replace(base, wheel=str(wheel))
    name = "uv pip" if uv else "pip"
    escaping = _escaping_member(wheel) if uv else None
    if escaping is not None:
        return replace(
            venv,
            error=f"`{name} install {wheel.name}` failed",
            install_log=f"the wheel has a file {escaping!r} trying to install outside the "
            "target directory (pip refuses the wheel; uv would skip the file)",
        )
    install = _install_command(venv, uv)
    install += _index_options(uv) if has_dependencies else ["--no-index"]
    return _run_steps(venv, [(f"`{name} install {wheel.name}`", [*install, str(wheel)])], timeout)


def _escaping_member(wheel: Path) -> str | None:
    """The first member of `wheel` that would land outside the environment, if any."""
    from release_checks.archive_safety import unsafe_members_of  # noqa: PLC0415

    try:
        unsafe = unsafe_members_of(wheel)
    except FactError:
        return None  # unreadable: the installer reports it in its own words
    return unsafe[0].name if unsafe else None


def install_from_index(  # noqa: PLR0913 - keyword-only settings
    path: Path,
    requirement: str,
    *,
    index_url: str,
    has_dependencies: bool,
    timeout: float,
    uv: str | None = None,
) -> FreshVenv:
    """Create a virtualenv at `path` and install `requirement` (``name==version``) from an index.

    The release itself comes from `index_url` alone (``--isolated``, so no extra index in
    pip's configuration can supply it; ``--no-cache-dir``, so it is downloaded); then its
    dependencies come from the user's own pip configuration, as they would for a test index.
    """
    venv, create, install = _new_venv(path, requirement, None, uv)
    install += ["--no-cache"] if uv else ["--no-cache-dir"]
    alone = ["--no-config"] if uv else ["--isolated"]
    release = [*install, *alone, "--no-deps", "--index-url", index_url, requirement]
    steps = [
        ("creating the virtualenv", create),
        (f"`pip install --no-deps {requirement}` from the index", release),
    ]
    if has_dependencies:
        dependencies = [*install, *_index_options(uv), requirement]
        steps.append((f"installing the dependencies of {requirement}", dependencies))
    return _run_steps(venv, steps, timeout)


def _new_venv(
    path: Path, installs: str, interpreter: str | None = None, uv: str | None = None
) -> tuple[FreshVenv, list[str], list[str]]:
    """The environment to be, the command creating it, and its install command."""
    bin_dir = "Scripts" if os.name == "nt" else "bin"
    python = path / bin_dir / ("python.exe" if os.name == "nt" else "python")
    venv = FreshVenv(path=str(path), python=str(python), wheel=installs)
    if uv:
        create = [uv, "venv", "--quiet", "--no-config", "--python"]
        create += [interpreter or sys.executable, str(path)]
    else:
        create = [sys.executable, "-m", "virtualenv", "--quiet", "--no-download"]
        create += ["--no-periodic-update", "--python", interpreter or sys.executable, str(path)]
    return venv, create, _install_command(venv, uv)


def _install_command(venv: FreshVenv, uv: str | None) -> list[str]:
    if uv:
        return [uv, "pip", "install", "--python", venv.python]
    return [venv.python, "-m", "pip", "install", "--no-input", "--disable-pip-version-check"]


def _index_options(uv: str | None) -> list[str]:
    """For uv: the index variables pip would read (uv reads its own settings, not pip's)."""
    if not uv:
        return []
    options = []
    for variable, option in (
        ("PIP_INDEX_URL", "--index-url"),
        ("PIP_EXTRA_INDEX_URL", "--extra-index-url"),
        ("PIP_FIND_LINKS", "--find-links"),
    ):
        for value in os.environ.get(variable, "").split():
            options += [option, value]
    return options


def _run_steps(
    venv: FreshVenv, steps: Sequence[tuple[str, list[str]]], timeout: float
) -> FreshVenv:
    """Run each step in the environment; the first one failing or timing out ends it."""
    log = ""
    path = Path(venv.path)
    for what, command in steps:
        try:
            done = venv.run(*command, cwd=path.parent, timeout=timeout)
        except subprocess.TimeoutExpired:
            return replace(venv, error=f"{what} did not finish within {timeout:g} s")
        log = tail(done.stdout + done.stderr, _OUTPUT_TAIL)
        if done.returncode:
            return replace(venv, error=f"{what} failed", install_log=log)
    return replace(venv, install_log=log)


@dataclass(frozen=True, kw_only=True)
class ImportOutcome(Record):
    """One import or entry point tried inside the environment."""

    name: str
    ok: bool
    error: str | None = None
    missing: str | None = None
    where: str | None = None
    version_attr: str | None = None
    group: str | None = None
    value: str | None = None


@dataclass(frozen=True, kw_only=True)
class ProbeReport(Record):
    """What importing the installed release showed."""

    version: str | None
    version_error: str | None
    imports: tuple[ImportOutcome, ...]
    entry_points: tuple[ImportOutcome, ...]


def probe(
    venv: FreshVenv, dist_name: str, import_names: list[str], *, timeout: float = 300
) -> ProbeReport:
    """Import every name and load every script entry point inside the environment."""
    request = json.dumps({"dist": dist_name, "imports": import_names})
    try:
        done = venv.run(venv.python, "-I", str(_PROBE), request, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise FactError(
            f"importing the release in the fresh virtualenv did not finish within {timeout:g} s"
        ) from None
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise FactError(
            "the import probe crashed inside the fresh virtualenv:\n"
            + tail(done.stderr, _OUTPUT_TAIL)
        ) from None
    keep = set(ImportOutcome.__dataclass_fields__)
    return ProbeReport(
        version=data["version"],
        version_error=data["version_error"],
        imports=tuple(
            ImportOutcome(**{k: v for k, v in item.items() if k in keep})
            for item in data["imports"]
        ),
        entry_points=tuple(
            ImportOutcome(**{k: v for k, v in item.items() if k in keep})
            for item in data["entry_points"]
        ),
    )
