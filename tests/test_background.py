"""`background.start`: threads for slow steps, safe to start before sysconfig was read."""

from __future__ import annotations

import sysconfig

import pytest

from release_checks.background import start


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
