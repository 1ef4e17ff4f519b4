"""The changelog: where it is, and what it says about one release.

The "changelog has an entry" gate and ``release-checks notes VERSION`` both read these facts.
Headings are found by one linear pass over the lines instead of a Markdown or docutils parse:
a changelog only needs its section boundaries, and a 100k-line file must still take milliseconds.
"""

from __future__ import annotations

import codecs
import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from release_checks.errors import FactError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

__all__ = [
    "CHANGELOG_STEMS",
    "ChangelogEntry",
    "Heading",
    "entry_for",
    "find_changelog",
    "is_markdown",
    "parse_entries",
    "parse_headings",
    "read_changelog",
    "unreleased_entry",
]

CHANGELOG_STEMS = ("CHANGELOG", "CHANGES", "HISTORY", "NEWS")
_SUFFIXES = (".md", ".rst", ".txt", ".markdown", "")

_PUNCT = re.escape(string.punctuation)
# Markdown (CommonMark, simplified): ATX headings, setext underlines, code fences.
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_SETEXT = re.compile(r"(=|-)\1{2,}[ \t]*")
_FENCE = re.compile(r" {0,3}(?:(`{3,})[^`]*|(~{3,}).*)")
_LIST_OR_QUOTE = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|>")
# reStructuredText: a title is adorned by a line of one repeated punctuation character.
_ADORNMENT = re.compile(rf"([{_PUNCT}])\1{{2,}}[ \t]*")
_RST_COMMENT = re.compile(r"\.\.(?:[ \t]+(?![\[|]|[\w.+:-]+::)|[ \t]*$)")
# A Markdown horizontal rule, or an RST transition (4+ punctuation characters).
_RULE = re.compile(rf" {{0,3}}(?:([-*_])(?:[ \t]*\1){{2,}}|([{_PUNCT}])\2{{3,}})[ \t]*")
# "[1.2.3]: https://..." (Markdown) or ".. _1.2.3: https://..." (RST).
_LINK_DEF = re.compile(r" {0,3}\[[^\]]+\]:[ \t]*\S|\.\. _")
_MARKDOWN_SIGN = re.compile(r"^ {0,3}(?:#{1,6}[ \t]+\S|```)", re.MULTILINE)

_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EDGE_PUNCT = "()[]{}<>:,;\"'`*_"
_DATE = re.compile(r"\d{4}([-/])\d{1,2}\1\d{1,2}")
_UNRELEASED_MARK = re.compile(
    r"\b(?:unreleased|upcoming|not\s+(?:yet\s+)?released|(?:in|under)\s+development|tb[ad])\b",
    re.IGNORECASE,
)
# Without a version, a heading is the unreleased section only if it says nothing else:
# "### Upcoming deprecations" inside a release is not one.
_UNRELEASED_TITLES = frozenset(
    {"upcoming", "upcoming release", "upcoming changes", "not yet released", "not released yet"}
    | {"next release", "next version", "in development"}
)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#\.)\s+")
_PLACEHOLDERS = frozenset(
    {"nothing changed yet", "nothing yet", "no changes", "no changes yet", "none", "none yet"}
    | {"tbd", "tba", "todo", "n/a", "coming soon", "wip", "...", "\u2026"}
)


@dataclass(frozen=True, kw_only=True)
class Heading:
    """A heading as the reader sees it; ``level`` 1 is the top."""

    line: int
    level: int
    title: str


@dataclass(frozen=True, kw_only=True)
class ChangelogEntry:
    """One release's section, with what the gates judge and what release notes print.

    ``body`` is the section as written (sub-headings included) for release notes; ``content``
    is what a reader learns from it, so a section holding only empty ``### Added`` headings or
    comments counts as empty; ``placeholder`` flags content such as "Nothing changed yet".
    """

    heading: str
    line: int
    version: str | None
    unreleased: bool
    body: str
    content: str
    placeholder: bool


@dataclass(frozen=True)
class _Block:
    """A heading and the rows it occupies, overline and underline included (0-based, stop excl.)."""

    heading: Heading
    start: int
    stop: int


def find_changelog(root: Path, configured: str | None = None) -> Path | None:
    """Return the project's changelog, or None when it has none.

    A configured path (relative to ``root``) must exist: a typo there would otherwise turn into
    a confusing "no changelog entry". Auto-detection is case-insensitive and deterministic:
    ``root`` before ``docs/``, then stem order, then suffix order (.md .rst .txt .markdown none).
    """
    if configured is not None:
        path = root / configured
        if not path.is_file():
            raise FactError(
                f"the configured changelog `{configured}` is not a file in {root}: fix the path, "
                "or remove the setting to find CHANGELOG.md, CHANGES.rst, NEWS... automatically"
            )
        return path
    for folder in (root, root / "docs"):
        names = _files_by_lower_name(folder)
        for stem in CHANGELOG_STEMS:
            for suffix in _SUFFIXES:
                if name := names.get(stem.lower() + suffix):
                    return folder / name
    return None


def _files_by_lower_name(folder: Path) -> dict[str, str]:
    # Sorted, so CHANGELOG.md wins over changelog.md on case-sensitive file systems; directories
    # are skipped (towncrier keeps its fragments in `changes/` or `changelog/`).
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return {}
    names: dict[str, str] = {}
    for entry in entries:
        if entry.is_file():
            names.setdefault(entry.name.lower(), entry.name)
    return names


def read_changelog(path: Path) -> str:
    """Read a changelog as UTF-8 (a BOM is accepted), with newlines normalised.

    An undecodable byte is reported by line and column, since that is where an editor can fix it.
    """
    try:
        data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    except OSError as error:
        raise FactError(f"cannot read {path.name}: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1
        raise FactError(
            f"{path.name} is not valid UTF-8: byte 0x{data[error.start]:02x} at line {line}, "
            f"column {column}; re-save it as UTF-8"
        ) from None
    return _normalise_newlines(text)


def is_markdown(path: Path) -> bool:
    """Tell which parser a changelog needs.

    ``.md``/``.markdown`` are Markdown and ``.rst`` is reStructuredText. Other files (``.txt``,
    ``NEWS``) are read and sniffed: an ATX heading (``## 1.2.3``) or a backtick fence means
    Markdown, anything else is parsed as RST, whose underline rules also cover setext headings.
    Sniffing reads the file, so a non-UTF-8 file raises FactError here too.
    """
    suffix = path.suffix.lower()
    if suffix in {".md", ".markdown"}:
        return True
    if suffix == ".rst":
        return False
    return _MARKDOWN_SIGN.search(read_changelog(path)) is not None


def parse_headings(text: str, *, markdown: bool) -> list[Heading]:
    """Return the document's headings in order, outside code blocks and comments."""
    return [block.heading for block in _blocks(_lines(text), markdown=markdown)]


def parse_entries(text: str, *, markdown: bool) -> list[ChangelogEntry]:
    """Return every section whose heading carries a version or says unreleased, in file order."""
    return list(_entries(text, markdown=markdown))


def entry_for(text: str, version: Version, *, markdown: bool) -> ChangelogEntry | None:
    """Return the first entry for ``version`` by PEP 440 equality (``v1.2`` matches 1.2.0)."""

    def wanted(found: str | None, _unreleased: bool) -> bool:
        return found is not None and Version(found) == version

    return next(_entries(text, markdown=markdown, wanted=wanted), None)


def unreleased_entry(text: str, *, markdown: bool) -> ChangelogEntry | None:
    """Return the first section marked unreleased, the one to rename when releasing."""
    return next(_entries(text, markdown=markdown, wanted=lambda _, unreleased: unreleased), None)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _lines(text: str) -> list[str]:
    return _normalise_newlines(text.removeprefix("\ufeff")).split("\n")


def _blocks(lines: list[str], *, markdown: bool) -> list[_Block]:
    return _markdown_blocks(lines) if markdown else _rst_blocks(lines)


def _is_title(line: str, *, markdown: bool) -> bool:
    """Whether a line may be the text of an underlined heading."""
    if not line.strip() or line[0].isspace() or _ADORNMENT.fullmatch(line):
        return False
    return not (markdown and _LIST_OR_QUOTE.match(line))


def _markdown_blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    fence = ""  # the fence that opened the code block we are in
    in_comment = False  # inside a multi-line <!-- --> block
    row = _front_matter_end(lines)
    while row < len(lines):
        line = lines[row]
        if fence:
            fence = "" if _closes_fence(fence, line) else fence
        elif in_comment:
            in_comment = "-->" not in line
        elif match := _FENCE.fullmatch(line):
            fence = match[1] or match[2]
        elif line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line
        elif match := _ATX.fullmatch(line):
            heading = Heading(line=row + 1, level=len(match[1]), title=match[2] or "")
            blocks.append(_Block(heading, row, row + 1))
        elif (
            row + 1 < len(lines)
            and (under := _SETEXT.fullmatch(lines[row + 1]))
            and _is_title(line, markdown=True)
        ):
            level = 1 if under[1] == "=" else 2
            blocks.append(
                _Block(Heading(line=row + 1, level=level, title=line.strip()), row, row + 2)
            )
            row += 1
        row += 1
    return blocks


def _front_matter_end(lines: list[str]) -> int:
    # YAML front matter (docs sites) would otherwise end in a `---` "setext heading".
    if lines[0].rstrip() == "---":
        for row in range(1, len(lines)):
            if lines[row].rstrip() in {"---", "..."}:
                return row + 1
    return 0


def _closes_fence(fence: str, line: str) -> bool:
    stripped = line.strip()
    indent = len(line) - len(line.lstrip(" "))
    return indent < 4 and len(stripped) >= len(fence) and stripped == fence[0] * len(stripped)


def _rst_blocks(lines: list[str]) -> list[_Block]:
    # RST has no fixed levels: each (character, overlined) style gets the next level the first
    # time it appears, as docutils does.
    blocks: list[_Block] = []
    styles: dict[tuple[str, bool], int] = {}
    row = 0
    while row + 1 < len(lines):
        found = _rst_title_at(lines, row)
        if found is None:
            row += 1
            continue
        title, char, stop = found
        overlined = stop - row == 3
        level = styles.setdefault((char, overlined), len(styles) + 1)
        line = row + (2 if overlined else 1)
        blocks.append(_Block(Heading(line=line, level=level, title=title), row, stop))
        row = stop
    return blocks


def _rst_title_at(lines: list[str], row: int) -> tuple[str, str, int] | None:
    """Return (title, adornment character, stop row) if an RST title starts at ``row``."""
    over = _ADORNMENT.fullmatch(lines[row])
    if over and row + 2 < len(lines):
        title = lines[row + 1].strip()
        under = _ADORNMENT.fullmatch(lines[row + 2])
        if title and not _ADORNMENT.fullmatch(title) and under and under[1] == over[1]:
            return title, over[1], row + 3
    # Lenient about length: an underline of 3+ characters counts even if shorter than the title.
    # A transition is never mistaken for one, as it follows a blank line.
    under = _ADORNMENT.fullmatch(lines[row + 1])
    if under and _is_title(lines[row], markdown=False):
        return lines[row].strip(), under[1], row + 2
    return None


def _section_ends(blocks: list[_Block], total: int) -> list[int]:
    """Find where each heading's section ends: at the next heading of the same or higher level.

    One pass with a stack of open sections, so deep or long documents stay linear.
    """
    ends = [total] * len(blocks)
    open_sections: list[int] = []
    for index, block in enumerate(blocks):
        while open_sections and blocks[open_sections[-1]].heading.level >= block.heading.level:
            ends[open_sections.pop()] = block.start
        open_sections.append(index)
    return ends


def _entries(
    text: str, *, markdown: bool, wanted: Callable[[str | None, bool], bool] | None = None
) -> Iterator[ChangelogEntry]:
    """Yield the entries, building bodies only for those ``wanted(version, unreleased)``."""
    lines = _lines(text)
    blocks = _blocks(lines, markdown=markdown)
    heading_rows = {row for block in blocks for row in range(block.start, block.stop)}
    for block, end in zip(blocks, _section_ends(blocks, len(lines)), strict=True):
        title = block.heading.title
        version = _version_in(title)
        unreleased = _says_unreleased(title, has_version=version is not None)
        if (version is None and not unreleased) or (wanted and not wanted(version, unreleased)):
            continue
        rows = _trimmed(lines, block.stop, end, heading_rows)
        content = _content(lines, rows, heading_rows, markdown=markdown)
        yield ChangelogEntry(
            heading=title,
            line=block.heading.line,
            version=version,
            unreleased=unreleased,
            body="\n".join(lines[row] for row in rows),
            content=content,
            placeholder=_is_placeholder(content),
        )


def _plain(title: str) -> str:
    """Return the title with Markdown links and brackets removed: ``[1.2.3](url)`` -> ``1.2.3``."""
    return _MD_LINK.sub(r"\1", title).replace("[", " ").replace("]", " ")


def _version_in(title: str) -> str | None:
    """Return the first PEP 440 version in a heading (``v``, punctuation stripped), not a date."""
    for token in _plain(title).split():
        candidate = token.strip(_EDGE_PUNCT).rstrip(".")
        if candidate[:1] in {"v", "V"}:
            candidate = candidate[1:]
        if not candidate[:1].isdigit() or _DATE.fullmatch(candidate):
            continue
        try:
            Version(candidate)
        except InvalidVersion:
            continue
        return candidate
    return None


def _says_unreleased(title: str, *, has_version: bool) -> bool:
    plain = _plain(title)
    if has_version:
        return _UNRELEASED_MARK.search(plain) is not None
    words = re.sub(r"[^a-z]+", " ", plain.lower()).split()
    return words[:1] == ["unreleased"] or " ".join(words) in _UNRELEASED_TITLES


def _trimmed(lines: list[str], start: int, end: int, heading_rows: set[int]) -> range:
    """Return the section's rows without surrounding blanks, trailing links and rules."""
    while start < end and not lines[start].strip():
        start += 1
    # A trailing rule is only a separator between releases: noise in release notes.
    while end > start and (
        not lines[end - 1].strip()
        or _LINK_DEF.match(lines[end - 1])
        or (_RULE.fullmatch(lines[end - 1]) and end - 1 not in heading_rows)
    ):
        end -= 1
    return range(start, end)


def _content(lines: list[str], rows: range, heading_rows: set[int], *, markdown: bool) -> str:
    kept: list[str] = []
    in_html_comment = in_rst_comment = False
    for row in rows:
        line = lines[row]
        if in_rst_comment and (not line.strip() or line[0].isspace()):
            continue  # the indented continuation of an RST comment
        in_rst_comment = False
        line, in_html_comment = _without_html_comments(line, inside=in_html_comment)
        if row in heading_rows or _LINK_DEF.match(line) or _RULE.fullmatch(line):
            continue
        if not markdown and _RST_COMMENT.match(line):
            in_rst_comment = True
        elif line.strip():
            kept.append(line.rstrip())
    return "\n".join(kept)


def _without_html_comments(line: str, *, inside: bool) -> tuple[str, bool]:
    """Drop ``<!-- -->`` spans from a line; also says whether a comment is still open after it."""
    kept = ""
    while line:
        if inside:
            end = line.find("-->")
            if end < 0:
                return kept, True
            line, inside = line[end + 3 :], False
        else:
            start = line.find("<!--")
            if start < 0:
                return kept + line, False
            kept, line, inside = kept + line[:start], line[start + 4 :], True
    return kept, inside


def _is_placeholder(content: str) -> bool:
    return bool(content) and all(
        _placeholder_key(line) in _PLACEHOLDERS for line in content.split("\n")
    )


def _placeholder_key(line: str) -> str:
    """Reduce a content line for comparison: no bullet, emphasis or final full stop."""
    text = " ".join(_BULLET.sub("", line, count=1).strip(" *_`()[]").lower().split())
    return text if not text.strip(".\u2026") else text.rstrip(".!")
