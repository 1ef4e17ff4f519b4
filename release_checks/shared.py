"""Compute a fact once per test run, even with several xdist workers.

The first process to take the lock computes the record and writes it as JSON; every other
process (and every later call) reads that file. A failure is part of the record, so workers
report the same error instead of computing it again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from release_checks.records import Record

__all__ = ["once_per_run"]

RecordT = TypeVar("RecordT", bound=Record)


def once_per_run(
    shared_dir: Path, name: str, kind: type[RecordT], compute: Callable[[], RecordT]
) -> RecordT:
    """Return the record `name` from `shared_dir`, computing it under a file lock if absent."""
    from filelock import FileLock  # noqa: PLC0415 - only runs that select gates pay for it

    record_path = shared_dir / f"{name}.json"
    with FileLock(shared_dir / f"{name}.lock"):
        if record_path.exists():
            return kind.from_json(record_path.read_text(encoding="utf-8"))
        record = compute()
        partial = record_path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(record.to_json(), encoding="utf-8")
        partial.replace(record_path)
        return record
