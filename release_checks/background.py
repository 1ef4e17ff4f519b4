"""Run slow steps (builds, environments, index queries) in background threads, and stop them.

Knows nothing of pytest. Each step is mostly a subprocess or a socket, so threads overlap
them; what a thread computes reaches the gates as a record (see `release_checks.shared`).
A run that ends early stops them: no further step starts, and after Ctrl-C the subprocesses
under way are killed, each with its own children (it runs in a process group of its own).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sysconfig
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["resume", "run", "start", "stop", "stopping"]

_RUNNING: set[subprocess.Popen[str]] = set()  # the subprocesses running now
_RUNNING_LOCK = threading.Lock()
_STOPPING = threading.Event()


def start(target: Callable[[], object], name: str) -> threading.Thread:
    """Run `target` in a daemon thread named `name`, and return the thread to join.

    sysconfig fills its variables lazily and, before Python 3.12, publishes the dictionary
    before filling it: a thread reading one then (packaging's tags, uv's finder) can get None.
    They are filled here, before the thread starts.
    """
    sysconfig.get_config_vars()
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def stop(*, kill: bool) -> None:
    """Start no further step; with `kill` (Ctrl-C), kill the subprocesses under way too.

    A killed step fails fast, so the threads waiting on it end and the run's directory can go.
    """
    _STOPPING.set()
    if not kill:
        return
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for process in running:
        _kill(process)


def stopping() -> bool:
    """True once `stop` was called: background work should start no further step."""
    return _STOPPING.is_set()


def resume() -> None:
    """Let steps start again: a new run is not the one that was stopped."""
    _STOPPING.clear()


def run(
    command: Sequence[str],
    *,
    cwd: Path | str | None,
    env: Mapping[str, str],
    timeout: float,
    merge_stderr: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `command` in its own process group, which `stop(kill=True)` kills.

    At `timeout` (or on any exception while waiting, such as Ctrl-C, which the group's own
    session does not receive) the whole group is killed, then the error raised again; a
    timeout carries the output so far (in `output`).
    """
    with subprocess.Popen(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        start_new_session=True,
    ) as process:
        with _RUNNING_LOCK:
            _RUNNING.add(process)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except BaseException as error:
            _kill(process)
            stdout, stderr = process.communicate()
            if isinstance(error, subprocess.TimeoutExpired):
                error.output = stdout
            raise
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(process)
    return subprocess.CompletedProcess(list(command), process.returncode, stdout, stderr)


def _kill(process: subprocess.Popen[str]) -> None:
    """Kill `process` with its process group (its children); where there are none, itself."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups to kill
            process.kill()
