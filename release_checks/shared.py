"""Compute a fact once per test run, even with several xdist workers.

The first process to take the lock computes the record and writes it as JSON; every other
process (and every later call) reads that file. A failure is kept too (in the record, or as
the message of the error computing it raised), so workers report the same error instead of
computing it again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from release_checks.errors import FactError, ReleaseChecksError
from release_checks.records import Record

__all__ = ["once_per_run", "recorded"]

RecordT = TypeVar("RecordT", bound=Record)

# How often a process waiting for a record looks again: the default 50 ms would add up to
# that much to every wait on a build or environment finishing, and a look costs microseconds.
_POLL_SECONDS = 0.005


def once_per_run(
    shared_dir: Path, name: str, kind: type[RecordT], compute: Callable[[], RecordT]
) -> RecordT:
    """Return the record `name` from `shared_dir`, computing it under a file lock if absent."""
    from filelock import FileLock  # noqa: PLC0415 - only runs that select gates pay for it

    record_path = shared_dir / f"{name}.json"
    error_path = shared_dir / f"{name}.error"
    with FileLock(shared_dir / f"{name}.lock").acquire(poll_interval=_POLL_SECONDS):
        if record_path.exists():
            return kind.from_json(record_path.read_text(encoding="utf-8"))
        if error_path.exists():
            raise FactError(error_path.read_text(encoding="utf-8"))
        try:
            record = compute()
        except ReleaseChecksError as error:
            _write(error_path, str(error))
            raise
        _write(record_path, record.to_json())
        return record


def recorded(shared_dir: Path, name: str, kind: type[RecordT]) -> RecordT | None:
    """The record `name` if a process of this run has computed it already; never computes it."""
    try:
        return kind.from_json((shared_dir / f"{name}.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _write(path: Path, text: str) -> None:
    """Write whole or not at all, so a reader never sees half a record."""
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
