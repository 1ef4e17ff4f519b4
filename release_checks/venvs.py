"""A fresh virtualenv with the release's wheel installed, as a user's machine would have it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from release_checks.errors import FactError
from release_checks.records import Record

__all__ = ["FreshVenv", "ImportOutcome", "ProbeReport", "create_venv", "probe"]

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
    seconds: float = 0.0

    def run(
        self, *args: str, cwd: Path | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run a command with the environment's bin directory first on PATH."""
        bin_dir = str(Path(self.python).parent)
        env = {
            **os.environ,
            "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "VIRTUAL_ENV": self.path,
        }
        env.pop("PYTHONPATH", None)
        return subprocess.run(
            list(args),
            cwd=cwd or self.path,
            env=env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )


def _tail(text: str) -> str:
    return "\n".join(text.strip().splitlines()[-_OUTPUT_TAIL:])


def create_venv(path: Path, wheel: Path, *, has_dependencies: bool, timeout: float) -> FreshVenv:
    """Create a virtualenv at `path` and pip-install `wheel` with its dependencies.

    Dependencies come from the user's own pip configuration (pip.conf, PIP_INDEX_URL), like
    an end user's install; a wheel without dependencies is installed with ``--no-index``.
    """
    started = time.monotonic()
    created = subprocess.run(
        [
            sys.executable,
            "-m",
            "virtualenv",
            "--quiet",
            "--no-download",
            "--no-periodic-update",
            "--python",
            sys.executable,
            str(path),
        ],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    bin_dir = "Scripts" if os.name == "nt" else "bin"
    python = path / bin_dir / ("python.exe" if os.name == "nt" else "python")
    venv = FreshVenv(path=str(path), python=str(python), wheel=str(wheel))
    if created.returncode:
        return FreshVenv(
            path=str(path),
            python=str(python),
            wheel=str(wheel),
            error="creating the virtualenv failed:\n" + _tail(created.stderr + created.stdout),
        )
    command = [str(python), "-m", "pip", "install", "--no-input", "--disable-pip-version-check"]
    if not has_dependencies:
        command.append("--no-index")
    try:
        installed = venv.run(*command, str(wheel), timeout=timeout)
    except subprocess.TimeoutExpired:
        return FreshVenv(
            path=str(path),
            python=str(python),
            wheel=str(wheel),
            error=f"`pip install {wheel.name}` did not finish within {timeout:g} s",
        )
    log = installed.stdout + installed.stderr
    return FreshVenv(
        path=str(path),
        python=str(python),
        wheel=str(wheel),
        error=None if installed.returncode == 0 else f"`pip install {wheel.name}` failed",
        install_log=_tail(log),
        seconds=time.monotonic() - started,
    )


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


def probe(venv: FreshVenv, dist_name: str, import_names: list[str]) -> ProbeReport:
    """Import every name and load every script entry point inside the environment."""
    request = json.dumps({"dist": dist_name, "imports": import_names})
    done = venv.run(venv.python, "-I", str(_PROBE), request, timeout=300)
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise FactError(
            "the import probe crashed inside the fresh virtualenv:\n" + _tail(done.stderr)
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
