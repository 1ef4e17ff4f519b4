"""What the index enforces, and how it shows a project, beyond ``twine check --strict``.

``twine check`` validates core metadata with packaging and renders reStructuredText. The index
also refuses unknown and deprecated classifiers, direct-URL dependencies, local versions, long
summaries and malformed project URLs, and it shows a long description in the markup its
content type declares, whatever the text really is. A field packaging already rejects is left
to the twine gate, so one defect is reported once.
"""

from __future__ import annotations

import difflib
import email.message
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
from packaging.metadata import InvalidMetadata, Metadata, RawMetadata
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from release_checks.records import Record

__all__ = ["IndexProblem", "MarkupEvidence", "index_problems", "markup_evidence"]

Markup = Literal["markdown", "rst"]

_SUMMARY_LIMIT = 512  # characters; the index refuses a longer Summary
_LABEL_LIMIT = 32  # characters; the index refuses a longer Project-URL label
_SHOWN_EVIDENCE = 3
_README_KEY = "[project] readme"


@dataclass(frozen=True, kw_only=True)
class IndexProblem(Record):
    """One reason the index would refuse the upload or show the project wrong.

    `field` is the core metadata field, `key` the pyproject.toml key that sets it, `message`
    what is wrong and how to fix it.
    """

    code: str
    field: str
    key: str
    message: str


@dataclass(frozen=True, kw_only=True)
class MarkupEvidence(Record):
    """A line of a long description that only one markup language writes this way."""

    markup: Markup
    kind: str
    line: int
    text: str

    def describe(self) -> str:
        """``line 3 `# demo` (a Markdown heading)``, for a message."""
        shown = self.text.strip()
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        language = "Markdown" if self.markup == "markdown" else "reStructuredText"
        return f"line {self.line} `{shown}` (a {language} {self.kind})"


def index_problems(raw: RawMetadata, *, rst_renders: bool = True) -> list[IndexProblem]:
    """Return what the index would refuse or mis-show in one artifact's core metadata.

    `rst_renders` is False when the long description fails to render as reStructuredText:
    the twine gate reports that, so a content-type mismatch is not reported again.
    """
    rejected = _rejected_fields(raw)
    checks = (
        _content_type_problems(raw, rst_renders=rst_renders)
        if "description-content-type" not in rejected
        else []
    )
    checks += _classifier_problems(raw.get("classifiers", []))
    if "requires-python" not in rejected:
        checks += _python_problems(raw.get("requires_python"), raw.get("classifiers", []))
    checks += _url_problems(raw)
    if "requires-dist" not in rejected:
        checks += _dependency_problems(raw.get("requires_dist", []))
    if "license-expression" not in rejected:
        checks += _license_problems(raw.get("license_expression"))
    if "version" not in rejected:
        checks += _version_problems(raw.get("version"))
    if "summary" not in rejected:
        checks += _summary_problems(raw.get("summary"))
    return checks


def _rejected_fields(raw: RawMetadata) -> set[str]:
    """The fields packaging refuses (lower-case header names): the twine gate's to report."""
    try:
        Metadata.from_raw(raw)
    except ExceptionGroup as group:
        return {e.field for e in group.exceptions if isinstance(e, InvalidMetadata)}
    return set()


# Description-Content-Type and the long description


def _content_type_problems(raw: RawMetadata, *, rst_renders: bool) -> list[IndexProblem]:
    value = raw.get("description_content_type")
    if value is None:
        return []  # the twine gate reports the missing content type
    message = email.message.EmailMessage()
    message["content-type"] = value
    media_type = message.get_content_type()
    params = dict(message["content-type"].params)
    problems = []
    unknown = sorted(set(params) - {"charset", "variant"})
    if unknown:
        problems.append(
            IndexProblem(
                code="content-type-parameter",
                field="Description-Content-Type",
                key=_README_KEY,
                message=f"`Description-Content-Type: {value}` has the parameter "
                f"{', '.join(f'`{name}`' for name in unknown)}, which the index ignores; "
                "it reads only `charset` (UTF-8) and, for Markdown, `variant` (GFM or "
                'CommonMark). Write `readme = {file = "README.md", content-type = '
                '"text/markdown; variant=GFM"}` or leave the parameter out.',
            )
        )
    if "variant" in params and media_type != "text/markdown":
        problems.append(
            IndexProblem(
                code="content-type-parameter",
                field="Description-Content-Type",
                key=_README_KEY,
                message=f"`Description-Content-Type: {value}`: `variant` applies to Markdown "
                f"only and is ignored for {media_type}; if the README is Markdown, declare "
                '`content-type = "text/markdown"`.',
            )
        )
    mismatch = _markup_mismatch(raw.get("description") or "", media_type, rst_renders=rst_renders)
    return problems + ([mismatch] if mismatch else [])


_FIX_AS_MARKDOWN = (
    'Fix: in pyproject.toml `readme = "README.md"` (the content type follows the extension, '
    'so rename the file if needed) or `readme = {file = "README.md", content-type = '
    '"text/markdown"}`; with setup.py, `long_description_content_type="text/markdown"`.'
)
_FIX_AS_RST = (
    'Fix: in pyproject.toml `readme = "README.rst"` or `readme = {file = "README.rst", '
    'content-type = "text/x-rst"}`; with setup.py, `long_description_content_type="text/x-rst"`.'
)


def _markup_mismatch(
    description: str, media_type: str, *, rst_renders: bool
) -> IndexProblem | None:
    evidence = markup_evidence(description)
    markdown = [e for e in evidence if e.markup == "markdown"]
    rst = [e for e in evidence if e.markup == "rst"]
    shown = "; ".join(e.describe() for e in (markdown or rst)[:_SHOWN_EVIDENCE])
    if media_type == "text/x-rst" and markdown and not rst and rst_renders:
        return IndexProblem(
            code="markdown-as-rst",
            field="Description-Content-Type",
            key=_README_KEY,
            message="`Description-Content-Type` is text/x-rst, but the long description is "
            f"Markdown (README {shown}). It happens to be valid reStructuredText, so it "
            "passes twine check, but the index renders it as reStructuredText and the "
            f"project page shows the Markdown syntax raw. {_FIX_AS_MARKDOWN}",
        )
    if media_type == "text/plain" and len({e.kind for e in markdown}) >= 2 and not rst:
        return IndexProblem(
            code="markdown-as-plain",
            field="Description-Content-Type",
            key=_README_KEY,
            message="`Description-Content-Type` is text/plain, but the long description is "
            f"Markdown (README {shown}): the index shows it as plain text, Markdown syntax "
            f"and all. {_FIX_AS_MARKDOWN}",
        )
    if media_type == "text/markdown" and rst and not markdown:
        return IndexProblem(
            code="rst-as-markdown",
            field="Description-Content-Type",
            key=_README_KEY,
            message="`Description-Content-Type` is text/markdown, but the long description is "
            f"reStructuredText (README {shown}): the index renders it as Markdown, so "
            f"directives, links and section titles show up garbled. {_FIX_AS_RST}",
        )
    return None


# Markup detection: only constructs that one language has and the other would show raw count.
# Shared syntax (`**bold**`, `Title` underlined with `=` or `-`, bullet lists) counts for
# neither, and neither do indented lines (code blocks in both) or fenced code.
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_ATX_HEADING = re.compile(r"^#{1,6}[ \t]+\S")
_MD_LINK = re.compile(r"!?\[[^\]\n]+\]\([^)\s]+(?:\s+\"[^\"\n]*\")?\)")
_MD_REFERENCE = re.compile(r"^\[[^\]^\n]+\]:\s+\S")
_MD_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_CODE_SPAN = re.compile(r"(`+)[^`]+?\1")
# A span in two or more backticks is literal in both languages, even when it quotes syntax.
_LITERAL_SPAN = re.compile(r"(`{2,})(?!`).+?(?<!`)\1(?!`)")
_RST_DIRECTIVE = re.compile(
    r"^ {0,3}\.\.[ \t]+(?:\|[^|\n]+\|[ \t]+)?[A-Za-z][\w.+-]*(?::[\w.+-]+)?::(?:\s|$)"
)
_RST_TARGET = re.compile(r"^ {0,3}\.\.[ \t]+_[^:\n]*:(?:\s|$)")
_RST_LINK = re.compile(r"`[^`\n]+\s<[^`>\n]+>`__?(?!\w)")
_RST_ROLE = re.compile(r"(?<![\w`]):[A-Za-z][\w+.-]*(?::[\w+.-]+)?:`[^`\n]+`")
# Section adornment characters; `=` and `-` underlines are also Markdown (setext) headings.
_ADORNMENT = re.compile(r"^([=\-~^\"'+#:._*`])\1{2,}\s*$")
_RST_ONLY_UNDERLINE = set("~^\"'+#:._*`")
_RST_LINE = (
    (_RST_DIRECTIVE, "directive"),
    (_RST_TARGET, "link target"),
    (_RST_LINK, "link"),
    (_RST_ROLE, "role"),
)
_MARKDOWN_LINE = (
    (_ATX_HEADING, "heading"),
    (_MD_TABLE_RULE, "table"),
    (_MD_REFERENCE, "link definition"),
)


def markup_evidence(text: str) -> list[MarkupEvidence]:
    """Find the lines that show `text` is Markdown or reStructuredText, in order."""
    lines = text.splitlines()
    found: list[MarkupEvidence] = []
    fence: str | None = None
    opened = 0
    adornment = -1  # the index of a section title's underline, which says nothing more
    for index, line in enumerate(lines):
        number = index + 1
        if fence is not None:
            closing = line.strip()
            if closing.startswith(fence) and set(closing) == {fence[0]}:
                found.append(_evidence("markdown", "fenced code block", opened, lines))
                fence = None
            continue
        if index == adornment:
            continue
        fence = _fence_at(lines, index)
        if fence is not None:
            opened = number
            continue
        title = _section_title(lines, index)
        if title is not None:
            found.append(_evidence("rst", title, number, lines))
            adornment = index + 1
            continue
        found += _line_evidence(line, number)
    return found


def _fence_at(lines: list[str], index: int) -> str | None:
    """The Markdown code fence that opens at `index`, if one does.

    reStructuredText writes a line of backticks or tildes as a section title's underline or
    overline, or as a transition (with a blank line below), never as a fence.
    """
    match = _FENCE.match(lines[index])
    if not match or (match["fence"][0] == "`" and "`" in match["info"]):
        return None
    line = lines[index].rstrip()
    following = lines[index + 1] if index + 1 < len(lines) else ""
    after = lines[index + 2] if index + 2 < len(lines) else ""
    # A fence is nearly always 3 characters long, an adornment as long as its title.
    adornment = len(line) > 3
    if adornment and index > 0 and _underlines(lines[index - 1], line):
        return None
    if adornment and after.rstrip() == line and _underlines(following, after):
        return None
    if match["fence"][0] == "~" and not following.strip():
        return None
    return match["fence"]


def _underlines(text: str, adornment: str) -> bool:
    """Whether `adornment` is a section underline (or overline) for the line `text`."""
    return (
        bool(text.strip())
        and not text[:1].isspace()
        and not _ADORNMENT.match(text)
        and not _FENCE.match(text)
        and bool(_ADORNMENT.match(adornment))
        and len(adornment.rstrip()) >= len(text.rstrip())
    )


def _evidence(markup: Markup, kind: str, number: int, lines: list[str]) -> MarkupEvidence:
    return MarkupEvidence(markup=markup, kind=kind, line=number, text=lines[number - 1])


def _section_title(lines: list[str], index: int) -> str | None:
    """Name a reStructuredText-only section title whose text is at `index`, if any."""
    below = lines[index + 1] if index + 1 < len(lines) else ""
    if not _underlines(lines[index], below):
        return None
    if index > 0 and lines[index - 1].rstrip() == below.rstrip():
        return "section title (overline and underline)"
    if below.strip()[0] in _RST_ONLY_UNDERLINE:
        return "section title"
    return None


def _indent(line: str) -> int:
    stripped = line.lstrip(" ")
    return 4 if stripped.startswith("\t") else len(line) - len(stripped)


def _line_evidence(line: str, number: int) -> list[MarkupEvidence]:
    """The evidence on one line outside code.

    A line indented by 4 or more is a code block in both languages and says nothing; one
    indented by up to 3 can still hold reStructuredText (a list item's or directive's body).
    """
    indent = _indent(line)
    if indent >= 4:
        return []
    unquoted = _LITERAL_SPAN.sub("", line)
    kinds: list[tuple[str, Markup]] = [
        (kind, "rst") for pattern, kind in _RST_LINE if pattern.search(unquoted)
    ]
    if not indent:
        markdown = next((kind for pattern, kind in _MARKDOWN_LINE if pattern.search(line)), None)
        if markdown is None and _MD_LINK.search(_CODE_SPAN.sub("", line)):
            markdown = "link"
        kinds += [(markdown, "markdown")] if markdown else []
    return [
        MarkupEvidence(markup=markup, kind=kind, line=number, text=line) for kind, markup in kinds
    ]


# Classifiers


def _classifier_problems(classifiers: list[str]) -> list[IndexProblem]:
    from trove_classifiers import classifiers as known  # noqa: PLC0415
    from trove_classifiers import deprecated_classifiers  # noqa: PLC0415

    problems = []
    for classifier in classifiers:
        if classifier in known:
            continue
        if classifier.startswith("Private ::"):
            why = (
                "a `Private ::` classifier makes the index refuse the upload on purpose, so "
                "a private project is never published by mistake. Remove it to publish, or "
                "waive this gate if the release goes to a private index"
            )
        elif classifier in deprecated_classifiers:
            replacements = deprecated_classifiers[classifier]
            instead = (
                "use " + " or ".join(f"`{c}`" for c in replacements) + " instead"
                if replacements
                else "remove it (it has no replacement)"
            )
            why = f"the classifier is deprecated and the index refuses it: {instead}"
        else:
            near = difflib.get_close_matches(classifier, known, n=1, cutoff=0.8)
            hint = f"did you mean `{near[0]}`? " if near else ""
            why = (
                f"no such classifier, so the index refuses the upload; {hint}"
                "`python -m trove_classifiers` lists them all (package trove-classifiers)"
            )
        problems.append(
            IndexProblem(
                code="classifier",
                field="Classifier",
                key="[project] classifiers",
                message=f"`Classifier: {classifier}`: {why}.",
            )
        )
    return problems


# Requires-Python against the Python classifiers

_PYTHON_CLASSIFIER = re.compile(r"^Programming Language :: Python :: (\d+)(?:\.(\d+))?$")
_MINORS = range(41)
_PATCHES = range(100)
_NAMED_PATCH = re.compile(r"\d+\.\d+\.(\d+)")


def _admits(spec: SpecifierSet, major: int, minor: int | None) -> bool:
    """Whether any release of Python major.minor (or of `major`) satisfies `spec`.

    Which patch releases a specifier admits changes only at the versions it names, so the
    first and last patch and the neighbours of each named one stand for all of them.
    """
    minors = _MINORS if minor is None else (minor,)
    patches = {_PATCHES[0], _PATCHES[-1]}
    for specifier in spec:
        named = _NAMED_PATCH.match(specifier.version)
        if named:
            patch = int(named[1])
            patches.update(p for p in (patch - 1, patch, patch + 1) if p in _PATCHES)
    return any(spec.contains(f"{major}.{m}.{patch}") for m in minors for patch in sorted(patches))


def _python_versions(classifiers: list[str]) -> list[tuple[str, int, int | None]]:
    found = []
    for classifier in classifiers:
        match = _PYTHON_CLASSIFIER.match(classifier)
        if match:
            minor = int(match[2]) if match[2] is not None else None
            found.append((classifier, int(match[1]), minor))
    return found


def _python_problems(requires_python: str | None, classifiers: list[str]) -> list[IndexProblem]:
    versions = _python_versions(classifiers)
    if requires_python is None:
        minors = sorted((major, minor) for _, major, minor in versions if minor is not None)
        example = (
            f'`requires-python = ">={minors[0][0]}.{minors[0][1]}"` (your oldest classifier)'
            if minors
            else 'for example `requires-python = ">=3.10"`'
        )
        return [
            IndexProblem(
                code="requires-python-missing",
                field="Requires-Python",
                key="[project] requires-python",
                message="`Requires-Python` is missing, so installers on every Python version, "
                "however old, pick this release and break at import. Declare the oldest "
                f"Python you support in [project]: {example}.",
            )
        ]
    try:
        spec = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return []  # the twine gate reports it
    problems = []
    excluded = [c for c, major, minor in versions if not _admits(spec, major, minor)]
    if excluded:
        names = ", ".join(f"`{c}`" for c in excluded)
        problems.append(
            IndexProblem(
                code="requires-python-classifiers",
                field="Requires-Python",
                key="[project] requires-python, [project] classifiers",
                message=f"`Requires-Python: {requires_python}` excludes Python versions the "
                f"classifiers claim: {names}. Installers on those versions will not install "
                "this release, while the project page says it supports them. Drop the "
                "classifier from [project] classifiers, or widen `requires-python`.",
            )
        )
    only_3 = "Programming Language :: Python :: 3 :: Only" in classifiers
    if only_3 and _admits(spec, 2, None):
        problems.append(
            IndexProblem(
                code="requires-python-classifiers",
                field="Requires-Python",
                key="[project] requires-python",
                message=f"`Requires-Python: {requires_python}` admits Python 2, but the "
                "classifier `Programming Language :: Python :: 3 :: Only` says otherwise: "
                'installers on Python 2 would pick this release. Set `requires-python = ">=3.X"`.',
            )
        )
    return problems


# Project URLs


def _url_problems(raw: RawMetadata) -> list[IndexProblem]:
    urls = dict(raw.get("project_urls", {}))
    home = raw.get("home_page")
    if not urls and not home:
        return [
            IndexProblem(
                code="no-urls",
                field="Project-URL",
                key="[project.urls]",
                message="there is no `Project-URL` (nor `Home-page`): the project page links to "
                "no source, documentation or issue tracker, and users cannot tell where the "
                "package comes from. Add them to pyproject.toml, for example "
                '`[project.urls]` `Homepage = "https://..."`, `Source = "https://..."`, '
                '`Changelog = "https://..."`.',
            )
        ]
    problems = []
    for label, url in urls.items():
        if len(label) > _LABEL_LIMIT:
            problems.append(
                IndexProblem(
                    code="url-label",
                    field="Project-URL",
                    key="[project.urls]",
                    message=f"`Project-URL` label `{label}` is {len(label)} characters long; the "
                    f"index refuses labels over {_LABEL_LIMIT}. Shorten it in [project.urls].",
                )
            )
        if not _is_web_url(url):
            problems.append(_bad_url("Project-URL", f"{label}, {url}", url))
    if home and not _is_web_url(home):
        problems.append(_bad_url("Home-page", home, home))
    return problems


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _bad_url(field: str, value: str, url: str) -> IndexProblem:
    return IndexProblem(
        code="url",
        field=field,
        key="[project.urls]",
        message=f"`{field}: {value}`: `{url}` is not an http(s) URL, and the index refuses it. "
        "Write the full address (`https://...`) in [project.urls].",
    )


# Dependencies

_EXTRA_MARKER = re.compile(r"""\bextra\s*==\s*['"]([^'"]+)['"]""")


def _dependency_problems(requirements: list[str]) -> list[IndexProblem]:
    problems = []
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue  # the twine gate reports it
        if requirement.url is None:
            continue
        extra = _EXTRA_MARKER.search(str(requirement.marker or ""))
        key = f"[project.optional-dependencies] {extra[1]}" if extra else "[project] dependencies"
        local = requirement.url.startswith("file:")
        what = "a local path" if local else "a direct URL"
        problems.append(
            IndexProblem(
                code="direct-dependency",
                field="Requires-Dist",
                key=key,
                message=f"`Requires-Dist: {text}` points at {what}; the index refuses "
                f"uploads with direct-URL or local-path dependencies. In {key}, depend on a "
                "released version "
                f"(`{requirement.name}>=X.Y`); keep the URL for development in a "
                "requirements file or a dependency group.",
            )
        )
    return problems


# License-Expression, Version, Summary


def _license_problems(expression: str | None) -> list[IndexProblem]:
    if expression is None:
        return []
    try:
        canonical = canonicalize_license_expression(expression)
    except InvalidLicenseExpression:
        return []  # the twine gate reports it
    if canonical == expression:
        return []
    return [
        IndexProblem(
            code="license-expression",
            field="License-Expression",
            key="[project] license",
            message=f"`License-Expression: {expression}` is not in the canonical SPDX form "
            "core metadata calls for (PEP 639), and the project page shows it as written. "
            f'Write `license = "{canonical}"` in [project].',
        )
    ]


def _version_problems(version: str | None) -> list[IndexProblem]:
    try:
        parsed = Version(version or "")
    except InvalidVersion:
        return []  # the twine gate reports it
    if parsed.local is None:
        return []
    return [
        IndexProblem(
            code="local-version",
            field="Version",
            key="[project] version, or the git tag with VCS versioning",
            message=f"`Version: {version}` has a local segment `+{parsed.local}`, and the index "
            "refuses local versions.",
        )
    ]


def _summary_problems(summary: str | None) -> list[IndexProblem]:
    if summary is None or len(summary) <= _SUMMARY_LIMIT:
        return []
    return [
        IndexProblem(
            code="summary-length",
            field="Summary",
            key="[project] description",
            message=f"`Summary` is {len(summary)} characters long; the index refuses more than "
            f"{_SUMMARY_LIMIT}. Keep [project] description to one sentence and put the rest "
            "in the README.",
        )
    ]
