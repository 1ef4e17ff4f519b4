"""Progress lines: what steps append, and what the controller prints of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from release_checks.progress import Progress, ProgressReader


def test_a_step_seen_whole_gives_one_line_with_its_time(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    progress = Progress(path)
    reader = ProgressReader(path)

    with progress.step("building the sdist"):
        pass

    (line,) = reader.new_lines()
    assert re.fullmatch(r"release-checks: building the sdist \.\.\. done in \d+\.\d s", line)
    assert reader.new_lines() == []


def test_a_running_step_is_announced_then_finished(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    progress = Progress(path)
    reader = ProgressReader(path)
    seen: list[list[str]] = []
    progress.listener = lambda: seen.append(reader.new_lines())

    with progress.step("creating a fresh virtualenv") as step:
        step.failed()

    assert seen[0] == ["release-checks: creating a fresh virtualenv ..."]
    assert re.fullmatch(
        r"release-checks: creating a fresh virtualenv \.\.\. failed after \d+\.\d s", seen[1][0]
    )


def test_an_exception_marks_the_step_failed(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    with pytest.raises(RuntimeError), Progress(path).step("installing"):
        raise RuntimeError

    assert "installing ... failed after" in ProgressReader(path).new_lines()[0]


def test_half_written_and_foreign_lines_are_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    path.write_text('not json\n{"step": "1", "label": "querying the index", "event": "st')
    reader = ProgressReader(path)
    assert reader.new_lines() == []

    with path.open("a") as file:
        file.write('art"}\n')
    assert reader.new_lines() == ["release-checks: querying the index ..."]


def test_no_file_means_no_lines(tmp_path: Path) -> None:
    with Progress(None).step("anything"):
        pass
    unwritable = Progress(tmp_path / "missing" / "progress.jsonl")
    with unwritable.step("anything"):
        pass
    assert ProgressReader(tmp_path / "missing" / "progress.jsonl").new_lines() == []
