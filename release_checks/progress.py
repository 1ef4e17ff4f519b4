"""Progress lines for a run's slow steps: building, creating environments, querying an index.

A step appends a JSON line to a file in the run's shared directory when it starts and when it
ends. The pytest controller reads that file and prints the lines, since xdist workers cannot
write to the terminal; in the controller's own process a listener prints them at once.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["Progress", "ProgressReader", "Step"]

PREFIX = "release-checks: "


class Step:
    """A running step; `failed` marks it failed when the error is returned, not raised."""

    def __init__(self) -> None:
        self.ok = True

    def failed(self) -> None:
        """Report the step as failed when it ends."""
        self.ok = False


class Progress:
    """Announces steps to `path` (None: nowhere), then calls `listener`, if one is set."""

    def __init__(self, path: Path | None, *, prefix: str = "") -> None:
        self.path = path
        self.prefix = prefix  # names the package in a workspace: "pkg-a: building ..."
        self.listener: Callable[[], None] | None = None
        self._numbers = itertools.count(1)  # steps may start in several threads at once

    @contextmanager
    def step(self, label: str) -> Iterator[Step]:
        """Time the block as one step: ``building the sdist ... done in 3.2 s``."""
        key = f"{os.getpid()}-{self.prefix}{next(self._numbers)}"
        label = self.prefix + label
        self._write({"step": key, "label": label, "event": "start"})
        started = time.monotonic()
        step = Step()
        try:
            yield step
        except BaseException:
            step.failed()
            raise
        finally:
            elapsed = round(time.monotonic() - started, 1)
            event = "done" if step.ok else "failed"
            self._write({"step": key, "label": label, "event": event, "elapsed": elapsed})

    def _write(self, event: dict[str, object]) -> None:
        if self.path is None:
            return
        try:
            # One short append per event: O_APPEND keeps lines from several workers whole.
            with self.path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(event) + "\n")
        except OSError:
            return  # progress is a courtesy; never fail a gate over it
        # Only the main thread prints: a step in a background thread (a build started early)
        # is shown at the listener's next call, so two threads never read the file at once.
        if self.listener is not None and threading.current_thread() is threading.main_thread():
            self.listener()


class ProgressReader:
    """Turns what steps appended since the last call into lines to print."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0

    def new_lines(self) -> list[str]:
        """Lines for new events; a step that started and ended since the last call gets one."""
        try:
            with self.path.open("rb") as file:
                file.seek(self._offset)
                data = file.read()
        except OSError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        self._offset += len(complete)
        lines: list[str | None] = []
        started: dict[str, int] = {}
        for raw in complete.decode("utf-8", errors="replace").splitlines():
            try:
                event = json.loads(raw)
                label, kind, key = event["label"], event["event"], event["step"]
            except (ValueError, KeyError, TypeError):
                continue
            if kind == "start":
                started[key] = len(lines)
                lines.append(f"{PREFIX}{label} ...")
                continue
            if key in started:
                lines[started.pop(key)] = None
            outcome = "done in" if kind == "done" else "failed after"
            lines.append(f"{PREFIX}{label} ... {outcome} {event.get('elapsed', 0):.1f} s")
        return [line for line in lines if line is not None]
