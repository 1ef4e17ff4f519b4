"""Build the sdist, then the wheel from the sdist, in isolation and outside the user's tree.

This is what ``python -m build`` does, with two differences that matter for a release check:
every byte the backend prints is kept for the failure message, and whatever the backend
leaves in the project (setuptools' ``*.egg-info``, a generated version file) is removed.
A wheel can also be built directly from the tree, to compare with the one from the sdist.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tarfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from release_checks import background, git
from release_checks.distset import DistSet
from release_checks.errors import FactError
from release_checks.records import Record
from release_checks.text import tail

if TYPE_CHECKING:
    from build.env import DefaultIsolatedEnv

__all__ = [
    "TreeWheel",
    "build_dists",
    "build_dists_and_tree_wheel",
    "build_tree_wheel",
]

_OUTPUT_TAIL = 40


@dataclass(frozen=True, kw_only=True)
class TreeWheel(Record):
    """A wheel built directly from the project tree, or why it could not be built."""

    wheel: str | None = None
    error: str | None = None


class _CapturingRunner:
    """Runs backend hooks with captured output and a deadline, killable (`background.run`)."""

    def __init__(self, deadline: float, environ: Mapping[str, str] | None = None) -> None:
        self.deadline = deadline
        self.environ = dict(environ or {})
        self.output: list[str] = []

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        remaining = self.deadline - time.monotonic()
        try:
            done = background.run(
                cmd,
                cwd=cwd,
                env={**os.environ, **self.environ, **(extra_environ or {})},
                timeout=max(remaining, 0.01),
                merge_stderr=True,
            )
        except subprocess.TimeoutExpired as error:
            self.output.append(error.output or "")
            raise
        self.output.append(done.stdout)
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, list(cmd), done.stdout)

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
    if isinstance(cause, subprocess.CalledProcessError) and cause.returncode < 0:
        return (
            f"the build backend crashed (killed by {_signal_name(-cause.returncode)}) while "
            f"building the {step}; its last output:\n{runner.tail()}\n"
            f"Reproduce it with `python -m build --{step}`."
        )
    return (
        f"the build backend failed to build the {step}: {error}\n{runner.tail()}\n"
        f"Reproduce it with `python -m build --{step}`."
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_BUILD_ERRORS = (
    subprocess.SubprocessError,
    OSError,
    tarfile.TarError,
    FactError,
)


def _build_errors() -> tuple[type[Exception], ...]:
    from build import BuildBackendException, BuildException  # noqa: PLC0415

    return (BuildException, BuildBackendException, *_BUILD_ERRORS)


def _setuptools_build_dir(out_dir: Path) -> dict[str, str]:
    """Point setuptools' ``build/`` directory out of the tree, unless the user set it up.

    A wheel built from the tree otherwise writes (and reuses: stale modules included)
    ``build/lib`` in the project; the variable is read by setuptools only.
    """
    if "DIST_EXTRA_CONFIG" in os.environ:
        return {}
    config = out_dir / "setuptools-build.cfg"
    config.write_text(f"[build]\nbuild_base = {out_dir / 'setuptools-build'}\n", encoding="utf-8")
    return {"DIST_EXTRA_CONFIG": str(config)}


def _tree_wheel_in(
    env: DefaultIsolatedEnv, root: Path, out_dir: Path, *, timeout: float, fresh_env: bool
) -> TreeWheel:
    """Build a wheel from `root` in `env`; the caller keeps the tree as found."""
    from build import ProjectBuilder  # noqa: PLC0415

    out_dir.mkdir(parents=True, exist_ok=True)
    runner = _CapturingRunner(time.monotonic() + timeout, _setuptools_build_dir(out_dir))
    try:
        builder = ProjectBuilder.from_isolated_env(env, root, runner=runner)
        if fresh_env:
            env.install(builder.build_system_requires)
        requires = builder.get_requires_for_build("wheel")
        with _INSTALLING:
            env.install(set(requires) - set(builder.build_system_requires))
        wheel = Path(builder.build("wheel", out_dir))
    except _build_errors() as error:
        return TreeWheel(error=_describe_failure(error, "wheel", runner, timeout))
    finally:
        shutil.rmtree(out_dir / "setuptools-build", ignore_errors=True)
        (out_dir / "setuptools-build.cfg").unlink(missing_ok=True)
    return TreeWheel(wheel=str(wheel))


def build_tree_wheel(
    root: Path, out_dir: Path, *, timeout: float, uv: str | None = None
) -> TreeWheel:
    """Build a wheel directly from `root` (not from an sdist) into `out_dir`, in isolation."""
    try:
        with _tree_left_as_found(root), _isolated_env(uv) as env:
            return _tree_wheel_in(env, root, out_dir, timeout=timeout, fresh_env=True)
    except _build_errors() as error:  # the isolated environment could not be made
        return TreeWheel(error=f"the isolated build environment could not be created: {error}")


def build_dists(root: Path, out_dir: Path, *, timeout: float, uv: str | None = None) -> DistSet:
    """Build an sdist from `root` and a wheel from that sdist into `out_dir`.

    With `uv` (its executable), the isolated environment is made and filled by uv.
    """
    return _build(root, out_dir, None, timeout=timeout, uv=uv)[0]


def build_dists_and_tree_wheel(
    root: Path, out_dir: Path, tree_out_dir: Path, *, timeout: float, uv: str | None = None
) -> tuple[DistSet, TreeWheel | None]:
    """`build_dists`, plus a wheel built directly from the tree into `tree_out_dir`.

    The tree's wheel is built after the sdist, in the same isolated environment and at the
    same time as the wheel from the sdist, so it costs neither a second environment nor
    much time. It is None when the sdist did not build.
    """
    return _build(root, out_dir, tree_out_dir, timeout=timeout, uv=uv)


# Installs into one environment from two threads would race; backend calls need not wait.
_INSTALLING = threading.Lock()


def _isolated_env(uv: str | None) -> DefaultIsolatedEnv:
    """The isolated environment of `build`: made by uv when given its executable, else by pip."""
    from build.env import DefaultIsolatedEnv  # noqa: PLC0415 - heavy, needed only here

    return DefaultIsolatedEnv(installer="uv" if uv else "pip")


def _build(
    root: Path, out_dir: Path, tree_out_dir: Path | None, *, timeout: float, uv: str | None
) -> tuple[DistSet, TreeWheel | None]:
    from build import ProjectBuilder  # noqa: PLC0415 - heavy, needed only here

    started = time.monotonic()
    runner = _CapturingRunner(started + timeout)
    out_dir.mkdir(parents=True, exist_ok=True)
    step = "sdist"
    tree: list[TreeWheel] = []
    tree_thread: threading.Thread | None = None
    try:
        with _tree_left_as_found(root), _isolated_env(uv) as env:
            builder = ProjectBuilder.from_isolated_env(env, root, runner=runner)
            env.install(builder.build_system_requires)
            env.install(builder.get_requires_for_build("sdist"))
            sdist = Path(builder.build("sdist", out_dir))
            if tree_out_dir is not None:
                tree_thread = background.start(
                    lambda: tree.append(
                        _tree_wheel_in(env, root, tree_out_dir, timeout=timeout, fresh_env=False)
                    ),
                    "release-checks-tree-wheel",
                )
            try:
                step = "wheel"
                unpacked = _unpack_sdist(sdist, out_dir / "unpacked")
                builder = ProjectBuilder.from_isolated_env(env, unpacked, runner=runner)
                requires = builder.get_requires_for_build("wheel")
                with _INSTALLING:
                    env.install(set(requires) - set(builder.build_system_requires))
                wheel = Path(builder.build("wheel", out_dir))
                shutil.rmtree(out_dir / "unpacked", ignore_errors=True)
            finally:  # the environment and the tree's cleanup wait for the tree's wheel
                if tree_thread is not None:
                    tree_thread.join()
    except _build_errors() as error:
        failed = DistSet(where=str(root), error=_describe_failure(error, step, runner, timeout))
        return failed, next(iter(tree), None)
    return DistSet(where=str(root), sdist=str(sdist), wheels=(str(wheel),)), next(iter(tree), None)
