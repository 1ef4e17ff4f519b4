"""Which changelog section documents a release, and what is wrong with it if none does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from release_checks.changelog import (
    CHANGELOG_STEMS,
    ChangelogEntry,
    entry_for,
    find_changelog,
    is_markdown,
    parse_entries,
    read_changelog,
    unreleased_entry,
)
from release_checks.errors import FactError

__all__ = ["NotesVerdict", "release_notes"]


@dataclass(frozen=True, kw_only=True)
class NotesVerdict:
    """The section found for a release (if any) and the problem to report (if any).

    `line` is the heading the problem is about, when there is one.
    """

    path: Path | None
    entry: ChangelogEntry | None
    problem: str | None
    line: int | None = None


def _headings_seen(text: str, *, markdown: bool) -> str:
    entries = parse_entries(text, markdown=markdown)[:5]
    if not entries:
        return "it has no version headings at all"
    listed = ", ".join(f"`{entry.heading}` (line {entry.line})" for entry in entries)
    return f"version headings found: {listed}"


def _entry_problem(entry: ChangelogEntry, where: str, version: Version) -> str | None:
    """Say what makes a found section unfit: empty, a placeholder, or still "unreleased"."""
    heading = f"section `{entry.heading}` at {where} line {entry.line}"
    if not entry.content:
        return f"{heading} is empty; write what changed in {version} under it"
    if entry.placeholder:
        return (
            f"{heading} holds only a placeholder ({entry.content.strip()!r}); "
            f"write what changed in {version}"
        )
    if entry.unreleased and entry.version is not None and not version.is_prerelease:
        return f"{heading} still says the release is unreleased; replace that with the release date"
    return None


def release_notes(root: Path, configured: str | None, version: Version) -> NotesVerdict:
    """Find the section for `version`.

    A dev or pre-release without a section of its own may use its final release's section or
    "Unreleased": release candidates are usually described where the final release will be.
    """
    try:
        path = find_changelog(root, configured)
        if path is None:
            names = "/".join(CHANGELOG_STEMS)
            return NotesVerdict(
                path=None,
                entry=None,
                problem=(
                    f"no changelog found: looked for {names} (.md, .rst, .txt or no extension) "
                    "in the project root and docs/. Add one with a section for "
                    f"{version}, point `tool.release-checks.changelog` at yours, or waive "
                    'this gate (`[tool.release-checks.waive] changelog-has-entry = "why"`)'
                ),
            )
        text = read_changelog(path)
    except FactError as error:
        return NotesVerdict(path=None, entry=None, problem=str(error))
    where = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    if not text.strip():
        return NotesVerdict(
            path=path,
            entry=None,
            problem=f"{where} is empty: add a section for {version} (such as "
            f"`{version} - YYYY-MM-DD`) describing the changes",
        )
    markdown = is_markdown(path)
    entry = entry_for(text, version, markdown=markdown)
    if entry is None and (version.is_devrelease or version.is_prerelease):
        entry = entry_for(text, Version(version.base_version), markdown=markdown)
        entry = entry or unreleased_entry(text, markdown=markdown)
    if entry is None:
        unreleased = unreleased_entry(text, markdown=markdown)
        rename = (
            f" Rename `{unreleased.heading}` (line {unreleased.line}) to {version} and its date."
            if unreleased is not None
            else f" Add a section such as `{version} - YYYY-MM-DD` describing the changes."
        )
        return NotesVerdict(
            path=path,
            entry=None,
            problem=(
                f"{where} has no section for {version} "
                f"({_headings_seen(text, markdown=markdown)}).{rename}"
            ),
            line=unreleased.line if unreleased is not None else None,
        )
    problem = _entry_problem(entry, where, version)
    return NotesVerdict(
        path=path, entry=entry, problem=problem, line=entry.line if problem else None
    )
