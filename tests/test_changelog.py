from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import pytest
from packaging.version import Version

from release_checks.changelog import (
    ChangelogEntry,
    Heading,
    entry_for,
    find_changelog,
    is_markdown,
    parse_entries,
    parse_headings,
    read_changelog,
    unreleased_entry,
)
from release_checks.errors import FactError

if TYPE_CHECKING:
    from pathlib import Path

KEEP_A_CHANGELOG = """\
# Changelog

All notable changes to this project will be documented in this file.

## [Unreleased]

### Added
- A new flag.

## [1.2.3] - 2026-01-01

### Fixed
- A crash on empty input.

## [1.2.2] - 2025-12-01

### Added
- The first feature.

[Unreleased]: https://example.invalid/compare/v1.2.3...HEAD
[1.2.3]: https://example.invalid/compare/v1.2.2...v1.2.3
[1.2.2]: https://example.invalid/releases/tag/v1.2.2
"""


# find_changelog


def make_files(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# Changelog\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["CHANGELOG.md"], "CHANGELOG.md"),
        (["Changelog.rst"], "Changelog.rst"),
        (["changes.txt"], "changes.txt"),
        (["NEWS"], "NEWS"),
        (["History.markdown"], "History.markdown"),
        (["docs/changelog.md"], "docs/changelog.md"),
        (["docs/CHANGELOG.md", "NEWS"], "NEWS"),
        (["NEWS.md", "HISTORY.md", "CHANGES.rst"], "CHANGES.rst"),
        (["CHANGELOG", "CHANGELOG.txt", "CHANGELOG.rst"], "CHANGELOG.rst"),
        (["CHANGELOG", "CHANGELOG.markdown"], "CHANGELOG.markdown"),
        (
            ["README.md", "CHANGELOG.pdf", "docs/changes/1.feature.md", "docs/CHANGES"],
            "docs/CHANGES",
        ),
    ],
)
def test_find_changelog_detects(tmp_path: Path, names: list[str], expected: str) -> None:
    make_files(tmp_path, names)
    assert find_changelog(tmp_path) == tmp_path / expected


def test_find_changelog_skips_towncrier_fragment_directories(tmp_path: Path) -> None:
    make_files(tmp_path, ["changelog/123.feature.rst", "changes/4.bugfix", "docs/news.rst"])
    assert find_changelog(tmp_path) == tmp_path / "docs" / "news.rst"


def test_find_changelog_finds_nothing(tmp_path: Path) -> None:
    make_files(tmp_path, ["README.md", "docs/index.md", "CHANGELOG.html"])
    assert find_changelog(tmp_path) is None


def test_find_changelog_uses_configured_path(tmp_path: Path) -> None:
    make_files(tmp_path, ["CHANGELOG.md", "doc/release-notes.rst"])
    found = find_changelog(tmp_path, "doc/release-notes.rst")
    assert found == tmp_path / "doc" / "release-notes.rst"


def test_find_changelog_rejects_missing_configured_path(tmp_path: Path) -> None:
    make_files(tmp_path, ["CHANGELOG.md"])
    with pytest.raises(FactError) as error:
        find_changelog(tmp_path, "docs/CHANGES.md")
    message = str(error.value)
    assert "`docs/CHANGES.md`" in message
    assert "fix the path, or remove the setting" in message


# read_changelog and is_markdown


@pytest.mark.parametrize("newline", [b"\r\n", b"\r", b"\n"])
def test_read_changelog_accepts_bom_and_normalises_newlines(tmp_path: Path, newline: bytes) -> None:
    path = tmp_path / "CHANGELOG.md"
    lines = ["## 1.0.0", "", "- Café au lait."]
    path.write_bytes(b"\xef\xbb\xbf" + newline.join(line.encode() for line in lines) + newline)
    text = read_changelog(path)
    assert text == "## 1.0.0\n\n- Café au lait.\n"
    entry = entry_for(text, Version("1.0.0"), markdown=True)
    assert entry is not None
    assert entry.line == 1
    assert entry.body == "- Café au lait."


def test_read_changelog_reports_where_the_file_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "CHANGELOG.md"
    path.write_bytes("# Changelog\n\n## 1.0.0\n* Café caf".encode() + b"\xe9\n")
    with pytest.raises(FactError) as error:
        read_changelog(path)
    assert str(error.value) == (
        "CHANGELOG.md is not valid UTF-8: byte 0xe9 at line 4, column 11; re-save it as UTF-8"
    )


def test_read_changelog_counts_lines_after_a_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "NEWS"
    path.write_bytes(b"\xef\xbb\xbf\xff\r\nrest\r\n")
    with pytest.raises(
        FactError, match=r"^NEWS is not valid UTF-8: byte 0xff at line 1, column 1;"
    ):
        read_changelog(path)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("CHANGELOG.md", "Version 1\n=========\n", True),
        ("changes.MARKDOWN", "", True),
        ("CHANGES.rst", "## not markdown here\n", False),
        ("NEWS", "# News\n\n## 1.0.0\n", True),
        ("HISTORY.txt", "Text first\n\n```toml\nx = 1\n```\n", True),
        ("CHANGES.txt", "1.0.0\n=====\n\n* First release.\n", False),
        ("NEWS", "", False),
    ],
)
def test_is_markdown(tmp_path: Path, name: str, text: str, expected: bool) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert is_markdown(path) is expected


def test_is_markdown_sniffing_reports_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "CHANGES.txt"
    path.write_bytes(b"1.0\n===\n\xe9\n")
    with pytest.raises(FactError, match=r"line 3, column 1"):
        is_markdown(path)


# Formats: each document holds the wanted release and an older one, which must not leak into it.

FORMATS = [
    pytest.param(
        True,
        "1.2.3",
        "## [1.2.3](https://example.invalid/compare/v1.2.2...v1.2.3) (2026-01-01)\n\n"
        "### Bug Fixes\n\n* parse empty files ([abc1234](https://example.invalid/c/abc1234))\n\n"
        "## [1.2.2](https://example.invalid/compare/v1.2.1...v1.2.2) (2025-12-01)\n\n* old\n",
        "[1.2.3](https://example.invalid/compare/v1.2.2...v1.2.3) (2026-01-01)",
        "### Bug Fixes\n\n* parse empty files ([abc1234](https://example.invalid/c/abc1234))",
        id="md-linked-heading",
    ),
    pytest.param(
        True,
        "1.2.3",
        "# Changes\n\n## v1.2.3\n\n- Fixed it.\n\n## v1.2.2\n\n- old\n",
        "v1.2.3",
        "- Fixed it.",
        id="md-v-prefix",
    ),
    pytest.param(
        True,
        "1.2.3",
        "## 1.2.3 (2026-01-01)\n- Fixed it.\n## 1.2.2 (2025-12-01)\n- old\n",
        "1.2.3 (2026-01-01)",
        "- Fixed it.",
        id="md-date-in-parentheses",
    ),
    pytest.param(
        True,
        "1.2.3",
        "# Version 1.2.3\n\nFixed it.\n\n# Version 1.2.2\n\nold\n",
        "Version 1.2.3",
        "Fixed it.",
        id="md-atx-version-word",
    ),
    pytest.param(
        True,
        "1.2.3",
        "Version 1.2.3\n=============\n\nFixed it.\n\nVersion 1.2.2\n=============\n\nold\n",
        "Version 1.2.3",
        "Fixed it.",
        id="md-setext",
    ),
    pytest.param(
        True,
        "2.0",
        "## Release 2.0 - 2026-01-01 ##\n\nFixed it.\n\n## Release 1.9 - 2025-01-01 ##\n\nold\n",
        "Release 2.0 - 2026-01-01",
        "Fixed it.",
        id="md-release-word-closing-hashes",
    ),
    pytest.param(
        True,
        "1.2.3",
        "# Changelog\n\n<!-- towncrier release notes start -->\n\n"
        "## mypkg 1.2.3 (2026-01-01)\n\n### Features\n\n- Fixed it. (#1)\n\n"
        "## mypkg 1.2.2 (2025-12-01)\n\nNo significant changes.\n",
        "mypkg 1.2.3 (2026-01-01)",
        "### Features\n\n- Fixed it. (#1)",
        id="md-towncrier",
    ),
    pytest.param(
        False,
        "1.2.3",
        "Changelog\n=========\n\n.. towncrier release notes start\n\n"
        "mypkg 1.2.3 (2026-01-01)\n========================\n\n"
        "Features\n--------\n\n- Fixed it. (#1)\n\n\n"
        "mypkg 1.2.2 (2025-12-01)\n========================\n\nNo significant changes.\n",
        "mypkg 1.2.3 (2026-01-01)",
        "Features\n--------\n\n- Fixed it. (#1)",
        id="rst-towncrier",
    ),
    pytest.param(
        False,
        "1.2.3",
        "=========\nChangelog\n=========\n\nVersion 1.2.3\n-------------\n\n* Fixed it.\n\n"
        "Version 1.2.2\n-------------\n\n* old\n",
        "Version 1.2.3",
        "* Fixed it.",
        id="rst-overlined-title",
    ),
    pytest.param(
        False,
        "2.0",
        "Release 2.0 - 2026-01-01\n~~~~~~~~~~~~~~~~~~~~~~~~\n\nFixed it.\n\n"
        "Release 1.9 - 2025-01-01\n~~~~~~~~~~~~~~~~~~~~~~~~\n\nold\n",
        "Release 2.0 - 2026-01-01",
        "Fixed it.",
        id="rst-release-word",
    ),
    pytest.param(
        False,
        "1.2.3",
        "+++++++++++++\nVersion 1.2.3\n+++++++++++++\n\nFixed it.\n\n"
        "+++++++++++++\nVersion 1.2.2\n+++++++++++++\n\nold\n",
        "Version 1.2.3",
        "Fixed it.",
        id="rst-overline-and-underline",
    ),
]


@pytest.mark.parametrize(("markdown", "version", "text", "heading", "body"), FORMATS)
def test_entry_for_reads_format(
    markdown: bool, version: str, text: str, heading: str, body: str
) -> None:
    entry = entry_for(text, Version(version), markdown=markdown)
    assert entry is not None
    assert entry.heading == heading
    assert entry.body == body
    assert not entry.unreleased
    older = parse_entries(text, markdown=markdown)[-1]
    assert older.version in {"1.2.2", "1.9"}
    assert "Fixed it" not in older.body


def test_keep_a_changelog() -> None:
    entries = parse_entries(KEEP_A_CHANGELOG, markdown=True)
    assert [(e.line, e.version, e.unreleased) for e in entries] == [
        (5, None, True),
        (10, "1.2.3", False),
        (15, "1.2.2", False),
    ]
    assert entries[1].heading == "[1.2.3] - 2026-01-01"
    assert entries[1].body == "### Fixed\n- A crash on empty input."
    # The link-reference definitions at the bottom are not part of the last release.
    assert entries[2].body == "### Added\n- The first feature."
    assert entries[2].content == "- The first feature."
    unreleased = unreleased_entry(KEEP_A_CHANGELOG, markdown=True)
    assert unreleased == entries[0]
    assert unreleased.heading == "[Unreleased]"
    assert unreleased.content == "- A new flag."


@pytest.mark.parametrize("char", ["=", "-", "~", "^", "*", "+", "#", '"'])
def test_rst_underline_characters(char: str) -> None:
    text = f"1.2.3\n{char * 5}\n\n* Fixed it.\n\n1.2.2\n{char * 5}\n\n* old\n"
    assert parse_headings(text, markdown=False) == [
        Heading(line=1, level=1, title="1.2.3"),
        Heading(line=6, level=1, title="1.2.2"),
    ]
    entry = entry_for(text, Version("1.2.3"), markdown=False)
    assert entry is not None
    assert entry.body == "* Fixed it."


# Headings and levels


def test_rst_levels_follow_first_appearance_of_each_style() -> None:
    text = (
        "=========\nChangelog\n=========\n\n"
        "2.0\n===\n\nFeatures\n--------\n\nDetails\n^^^^^^^\n\n"
        "1.0\n===\n\nFixes\n-----\n"
    )
    assert parse_headings(text, markdown=False) == [
        Heading(line=2, level=1, title="Changelog"),
        Heading(line=5, level=2, title="2.0"),
        Heading(line=8, level=3, title="Features"),
        Heading(line=11, level=4, title="Details"),
        Heading(line=14, level=2, title="1.0"),
        Heading(line=17, level=3, title="Fixes"),
    ]


def test_rst_non_headings() -> None:
    text = (
        "Intro text.\n\n----------\n\n"  # a transition
        "  Indented\n  ========\n\n"  # a block quote, not a title
        "1.0\n==\n\n"  # underline too short
        "Version 1.2.3\n===\n"  # shorter than the title but 3+ characters: accepted
    )
    assert parse_headings(text, markdown=False) == [
        Heading(line=11, level=1, title="Version 1.2.3")
    ]


def test_markdown_headings_and_non_headings() -> None:
    text = (
        "---\ntitle: Changelog\n---\n"  # front matter
        "Title\n=====\n\n"
        "Sub\n---\n\n"
        "Some text.\n\n---\n\n"  # a horizontal rule after a blank line
        "```markdown\n## 9.9.9\nfake\n---\n```\n\n"
        "~~~~\n# 9.9.8\n~~~~\n\n"
        "<!--\n## 9.9.7\n-->\n\n"
        "- list item\n---\n\n"
        "#hashtag\n\n"
        "   ### Deep ###\n"
        "####### seven\n"
    )
    assert parse_headings(text, markdown=True) == [
        Heading(line=4, level=1, title="Title"),
        Heading(line=7, level=2, title="Sub"),
        Heading(line=33, level=3, title="Deep"),
    ]


def test_entry_ends_at_same_or_higher_level() -> None:
    text = (
        "# Changelog\n\n"
        "## 2.0.0\n\n### Added\n\n- a\n\n#### Detail\n\n- d\n\n### Fixed\n\n- b\n\n"
        "## 1.0.0\n\n- first\n\n"
        "# Appendix\n\nNot a release note.\n"
    )
    entries = parse_entries(text, markdown=True)
    assert [e.version for e in entries] == ["2.0.0", "1.0.0"]
    assert entries[0].body == "### Added\n\n- a\n\n#### Detail\n\n- d\n\n### Fixed\n\n- b"
    assert entries[0].content == "- a\n- d\n- b"
    assert entries[1].body == "- first"


def test_headings_accept_crlf_and_bom_text() -> None:
    text = "\ufeff## 1.1\r\n\r\n- x\r\n## 1.0\r\n- y\r\n"
    entry = entry_for(text, Version("1.1"), markdown=True)
    assert entry is not None
    assert entry.body == "- x"


@pytest.mark.parametrize("markdown", [True, False])
@pytest.mark.parametrize("text", ["", "\n\n", "Just some text.\n"])
def test_no_entries(text: str, markdown: bool) -> None:
    assert parse_entries(text, markdown=markdown) == []
    assert entry_for(text, Version("1.0"), markdown=markdown) is None
    assert unreleased_entry(text, markdown=markdown) is None


# Versions


@pytest.mark.parametrize(
    ("heading", "version"),
    [
        ("## [1.2.3] - 2026-01-01", "1.2.3"),
        ("## v1.2.3", "1.2.3"),
        ("## Version: V1.2.3,", "1.2.3"),
        ("## 2026-01-01 - 1.2.3", "1.2.3"),
        ("## 1.2.3 (2026/01/01)", "1.2.3"),
        ("## 2026.1.15", "2026.1.15"),
        ("## **1.0.0-rc.1**", "1.0.0-rc.1"),
        ("## `1.2.3` - released", "1.2.3"),
        ("## 2026-01-01", None),
        ("## 3.x series", None),
        ("## Added", None),
    ],
)
def test_version_in_heading(heading: str, version: str | None) -> None:
    entries = parse_entries(f"{heading}\n\n- x\n", markdown=True)
    assert [e.version for e in entries] == ([] if version is None else [version])


@pytest.mark.parametrize(
    ("heading", "wanted", "found"),
    [
        ("## 1.2", "1.2.0", True),
        ("## 1.2.0", "1.2", True),
        ("## v1.2.3", "1.2.3", True),
        ("## 1.0.0rc1", "1.0.0rc1", True),
        ("## 1.0.0-rc.1", "1.0.0rc1", True),
        ("## 1.0.0", "1.0.0rc1", False),
        ("## 1.0.0rc1", "1.0.0", False),
        ("## 1.2.3", "1.2.4", False),
    ],
)
def test_entry_for_uses_pep440_equality(heading: str, wanted: str, found: bool) -> None:
    entry = entry_for(f"{heading}\n\n- x\n", Version(wanted), markdown=True)
    assert (entry is not None) is found


def test_entry_for_returns_the_first_match() -> None:
    text = "## 1.2.3\n\n- newest\n\n## 1.2.3 (again)\n\n- duplicate\n"
    entry = entry_for(text, Version("1.2.3"), markdown=True)
    assert entry is not None
    assert entry.line == 1
    assert entry.body == "- newest"


# Unreleased sections


@pytest.mark.parametrize(
    ("heading", "version", "unreleased"),
    [
        ("## [Unreleased]", None, True),
        ("## [Unreleased](https://example.invalid/compare/v1.0.0...HEAD)", None, True),
        ("## [Unreleased] - ReleaseDate", None, True),
        ("## Unreleased changes", None, True),
        ("## Upcoming release", None, True),
        ("## 1.2.3 (unreleased)", "1.2.3", True),
        ("## 1.2.3 - Upcoming", "1.2.3", True),
        ("## Release 7.3.0 (in development)", "7.3.0", True),
        ("## 1.2.3 - TBD", "1.2.3", True),
        ("## 1.2.3 - 2026-01-01", "1.2.3", False),
    ],
)
def test_unreleased_flag(heading: str, version: str | None, unreleased: bool) -> None:
    (entry,) = parse_entries(f"{heading}\n\n- x\n", markdown=True)
    assert entry.version == version
    assert entry.unreleased is unreleased


def test_versionless_headings_that_are_not_the_unreleased_section() -> None:
    text = "## 1.0.0\n\n### Upcoming deprecations\n\n- x\n\n### Unreleased features list\n"
    entries = parse_entries(text, markdown=True)
    assert [e.heading for e in entries] == ["1.0.0", "Unreleased features list"]
    assert unreleased_entry(text, markdown=True) == entries[1]


# Bodies, content and placeholders


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        (True, "## 1.2.0\n## 1.1.0\n\n- x\n"),
        (True, "## 1.2.0\n\n\n\n## 1.1.0\n\n- x\n"),
        (False, "1.2.0\n=====\n\n1.1.0\n=====\n\n- x\n"),
    ],
)
def test_empty_section(markdown: bool, text: str) -> None:
    entry = entry_for(text, Version("1.2.0"), markdown=markdown)
    assert entry is not None
    assert (entry.body, entry.content, entry.placeholder) == ("", "", False)


@pytest.mark.parametrize(
    ("markdown", "text", "body"),
    [
        (True, "## 1.2.0\n\n### Added\n\n### Fixed\n\n## 1.1.0\n- x\n", "### Added\n\n### Fixed"),
        (False, "1.2.0\n=====\n\nAdded\n-----\n\nFixed\n-----\n", "Added\n-----\n\nFixed\n-----"),
    ],
)
def test_sub_headings_without_content(markdown: bool, text: str, body: str) -> None:
    entry = entry_for(text, Version("1.2.0"), markdown=markdown)
    assert entry is not None
    assert entry.body == body
    assert entry.content == ""


def test_markdown_content_drops_what_a_reader_does_not_read() -> None:
    text = (
        "## [1.2.0]\n\n"
        "<!-- Add entries below -->\n"
        "### Added\n\n"
        "- Real change. <!-- inline note -->\n"
        "<!--\n- commented-out change\n-->\n\n"
        "[link]: https://example.invalid/x\n\n"
        "* * *\n\n"
        "- Second change.\n\n"
        "---\n\n"
        "[1.2.0]: https://example.invalid/compare/v1.1.0...v1.2.0\n"
    )
    entry = entry_for(text, Version("1.2"), markdown=True)
    assert entry is not None
    assert entry.content == "- Real change.\n- Second change."
    assert entry.body.startswith("<!-- Add entries below -->\n### Added")
    assert entry.body.endswith("- Second change.")


def test_rst_content_drops_comments_targets_and_transitions() -> None:
    text = (
        "1.2.0\n=====\n\n"
        ".. A comment\n   spanning two lines.\n\n"
        "* Real change.\n\n"
        ".. note::\n   A directive is content.\n\n"
        "----\n\n"
        ".. _issue 7: https://example.invalid/7\n"
    )
    entry = entry_for(text, Version("1.2"), markdown=False)
    assert entry is not None
    assert entry.content == "* Real change.\n.. note::\n   A directive is content."
    assert entry.body.endswith("A directive is content.")


@pytest.mark.parametrize(
    ("body", "placeholder"),
    [
        ("- Nothing changed yet.", True),
        ("TBD", True),
        ("* TODO", True),
        ("No changes", True),
        ("- N/A", True),
        ("_Coming soon_", True),
        ("**WIP**", True),
        ("...", True),
        ("- TBD\n- ...", True),
        ("### Added\n\n- Nothing yet.", True),
        ("- Fixed a crash.", False),
        ("- TBD: decide the name", False),
        ("- TODO\n- Fixed a crash.", False),
        ("No significant changes.", False),
    ],
)
def test_placeholder(body: str, placeholder: bool) -> None:
    entry = entry_for(f"## 1.0.0\n\n{body}\n\n## 0.9.0\n\n- old\n", Version("1.0"), markdown=True)
    assert entry is not None
    assert entry.placeholder is placeholder


def test_entries_round_trip_through_json() -> None:
    entries = parse_entries(KEEP_A_CHANGELOG, markdown=True)
    loaded = [
        ChangelogEntry(**item) for item in json.loads(json.dumps([asdict(e) for e in entries]))
    ]
    assert loaded == entries


def test_huge_changelog_is_parsed(tmp_path: Path) -> None:
    releases = 5_000
    section = "### Fixed\n\n" + "".join(
        f"- Fixed bug number {n:04} in the parser module (reported in issue #{n}).\n"
        for n in range(16)
    )
    parts = ["# Changelog\n\n"]
    parts.extend(f"## [1.0.{n}] - 2026-01-01\n\n{section}\n" for n in reversed(range(releases)))
    path = tmp_path / "CHANGELOG.md"
    path.write_text("".join(parts), encoding="utf-8")
    text = read_changelog(path)
    assert len(text) > 5_000_000
    assert text.count("\n") > 100_000
    entries = parse_entries(text, markdown=True)
    assert len(entries) == releases
    oldest = entry_for(text, Version("1.0.0"), markdown=True)
    assert oldest == entries[-1]
    assert oldest.body == section.rstrip("\n")
