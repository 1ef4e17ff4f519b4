"""`background`: threads for slow steps, and the subprocesses they run, stopped at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
import time

import pytest

from release_checks.background import resume, run, start, stop, stopping


def test_sysconfig_is_filled_before_the_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread must never see sysconfig's variables half-filled (CPython before 3.13)."""
    monkeypatch.setattr(sysconfig, "_CONFIG_VARS", None)  # as in a process that never read them
    seen: list[object] = []

    thread = start(lambda: seen.append(vars(sysconfig)["_CONFIG_VARS"]), "test-thread")
    thread.join()

    assert thread.daemon
    assert thread.name == "test-thread"
    (filled,) = seen
    assert isinstance(filled, dict)
    assert filled.get("EXE") is not None


CHILD_SLEEPS = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(60)\n"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_timeout_kills_the_command_with_its_children() -> None:
    with pytest.raises(subprocess.TimeoutExpired) as caught:
        run([sys.executable, "-c", CHILD_SLEEPS], cwd=None, env=os.environ, timeout=2)

    child = int(str(caught.value.output).split()[0])  # the output so far comes along
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_stop_kills_what_runs_and_lets_nothing_new_start() -> None:
    done: list[subprocess.CompletedProcess[str]] = []
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    thread = start(lambda: done.append(run(sleeper, cwd=None, env=os.environ, timeout=60)), "t")
    deadline = time.monotonic() + 10
    try:
        while thread.is_alive() and time.monotonic() < deadline:
            stop(kill=True)  # again, in case the command had not started yet
            thread.join(timeout=0.2)
        assert stopping()
    finally:
        resume()
    assert not thread.is_alive()
    assert done[0].returncode == -signal.SIGKILL
    assert not stopping()
