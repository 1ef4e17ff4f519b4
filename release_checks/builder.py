"""Build the sdist, then the wheel from the sdist, in isolation and outside the user's tree.

This is what ``python -m build`` does, with two differences that matter for a release check:
every byte the backend prints is kept for the failure message, and whatever the backend
leaves in the project (setuptools' ``*.egg-info``, a generated version file) is removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tarfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from release_checks import git
from release_checks.distset import DistSet
from release_checks.errors import FactError
from release_checks.text import tail

__all__ = ["build_dists"]

_OUTPUT_TAIL = 40


class _CapturingRunner:
    """Runs backend hooks with captured output, a deadline, and the whole process group killed."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.output: list[str] = []

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        remaining = self.deadline - time.monotonic()
        with subprocess.Popen(
            cmd,
            cwd=cwd,
            env={**os.environ, **(extra_environ or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            start_new_session=True,
        ) as process:
            try:
                output, _ = process.communicate(timeout=max(remaining, 0.01))
            except BaseException:  # a timeout, or Ctrl-C: the backend's own session misses it
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
                self.output.append(output)
                raise
            self.output.append(output)
            if process.returncode:
                raise subprocess.CalledProcessError(process.returncode, list(cmd), output)

    def tail(self) -> str:
        return tail("".join(self.output), _OUTPUT_TAIL)


def _snapshot(root: Path) -> set[str]:
    """Paths the build could add to; git knows them cheaply, elsewhere walk the tree."""
    if git.is_repository(root):
        return git.stray_paths(root)
    found: set[str] = set()
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [name for name in subdirs if not name.startswith(".")]
        found.update(str(Path(directory, name)) for name in (*subdirs, *files))
    return found


@contextlib.contextmanager
def _tree_left_as_found(root: Path) -> Iterator[None]:
    """Remove whatever the backend added to the project while building."""
    before = _snapshot(root)
    started = time.time()
    try:
        yield
    finally:
        for added in sorted(_snapshot(root) - before, reverse=True):
            path = Path(added)
            with contextlib.suppress(FileNotFoundError):
                if path.lstat().st_mtime < started - 2:
                    continue  # older than the build: not ours to remove
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()


def _unpack_sdist(sdist: Path, into: Path) -> Path:
    """Extract the sdist with tarfile's data filter and return its top-level directory."""
    with tarfile.open(sdist) as archive:
        archive.extractall(into, filter="data")
    tops = [entry for entry in into.iterdir() if entry.is_dir()]
    if len(tops) != 1:
        raise FactError(f"{sdist.name}: expected one top-level directory, found {len(tops)}")
    return tops[0]


def _describe_failure(error: Exception, step: str, runner: _CapturingRunner, timeout: float) -> str:
    from build import BuildBackendException  # noqa: PLC0415
    from pyproject_hooks import BackendUnavailable  # noqa: PLC0415

    cause = error.exception if isinstance(error, BuildBackendException) else error
    if isinstance(cause, BackendUnavailable):
        last_line = cause.traceback.strip().splitlines()[-1:]
        reason = last_line[0] if last_line else "it is not in the isolated build environment"
        return (
            f"the build backend `{cause.backend_name}` (pyproject.toml `[build-system] "
            f"build-backend`) cannot be imported: {reason}. Check its spelling and that "
            f"`[build-system] requires` installs it. Reproduce it with `python -m build --{step}`."
        )
    if isinstance(cause, subprocess.TimeoutExpired):
        return (
            f"building the {step} did not finish within {timeout:g} s; raise "
            "`tool.release-checks.build-timeout` if the build is just slow\n" + runner.tail()
        )
    if isinstance(cause, subprocess.CalledProcessError) and not runner.output:
        pip_output = cause.stderr or cause.stdout or b""
        text = pip_output.decode(errors="replace") if isinstance(pip_output, bytes) else pip_output
        return (
            f"installing the build requirements for the {step} failed; check "
            f"`[build-system] requires` and your index settings\n{tail(text, _OUTPUT_TAIL)}"
        )
    return (
        f"the build backend failed to build the {step}: {error}\n{runner.tail()}\n"
        f"Reproduce it with `python -m build --{step}`."
    )


def build_dists(root: Path, out_dir: Path, *, timeout: float) -> DistSet:
    """Build an sdist from `root` and a wheel from that sdist into `out_dir`."""
    from build import (  # noqa: PLC0415 - heavy, needed only here
        BuildBackendException,
        BuildException,
        ProjectBuilder,
    )
    from build.env import DefaultIsolatedEnv  # noqa: PLC0415

    started = time.monotonic()
    runner = _CapturingRunner(started + timeout)
    out_dir.mkdir(parents=True, exist_ok=True)
    step = "sdist"
    try:
        with _tree_left_as_found(root), DefaultIsolatedEnv() as env:
            builder = ProjectBuilder.from_isolated_env(env, root, runner=runner)
            env.install(builder.build_system_requires)
            env.install(builder.get_requires_for_build("sdist"))
            sdist = Path(builder.build("sdist", out_dir))
            step = "wheel"
            unpacked = _unpack_sdist(sdist, out_dir / "unpacked")
            builder = ProjectBuilder.from_isolated_env(env, unpacked, runner=runner)
            requires = builder.get_requires_for_build("wheel")
            env.install(set(requires) - set(builder.build_system_requires))
            wheel = Path(builder.build("wheel", out_dir))
            shutil.rmtree(out_dir / "unpacked", ignore_errors=True)
    except (
        BuildException,
        BuildBackendException,
        subprocess.SubprocessError,
        OSError,
        tarfile.TarError,
        FactError,
    ) as error:
        return DistSet(
            where=str(root),
            error=_describe_failure(error, step, runner, timeout),
        )
    return DistSet(
        where=str(root),
        sdist=str(sdist),
        wheels=(str(wheel),),
    )
