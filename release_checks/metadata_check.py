"""Core metadata as the index judges it: the verdict of ``twine check --strict``, without twine.

The index refuses an upload whose metadata packaging rejects or whose reStructuredText does not
render, and a missing content type or description garbles or blanks the project page; a published
release cannot be fixed, so these are checked before upload.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.metadata import InvalidMetadata, Metadata, RawMetadata, parse_email
from packaging.version import InvalidVersion, Version

from release_checks.dists import read_metadata_bytes
from release_checks.errors import FactError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["MetadataProblem", "check_metadata"]

# One docutils report, as readme-renderer writes it to its warning stream; only the first line
# of the message is kept, the rest is an echo of the offending source.
_REPORT = re.compile(
    r"^<string>:(?P<line>\d*): \((?P<level>[A-Z]+)/\d\) (?P<message>.*)$", re.MULTILINE
)
_MAX_REPORTS = 3
_REBUILD = "Then rebuild the dists"


@dataclass(frozen=True, kw_only=True)
class MetadataProblem:
    """One reason the index would reject or mis-render a dist; plain fields so it fits in JSON."""

    code: str
    message: str
    line: int | None = None


def check_metadata(path: Path) -> list[MetadataProblem]:
    """Return the problems of one dist's core metadata; empty iff ``twine check --strict`` passes.

    Follows twine's order: unreadable and invalid metadata stop the check, while a missing
    content type, a missing description and a render error are reported together.
    """
    try:
        raw, unparsed = parse_email(read_metadata_bytes(path))
    except FactError as error:
        return [MetadataProblem(code="unreadable", message=str(error))]
    invalid = _invalid_fields(raw, unparsed)
    if invalid:
        return [
            MetadataProblem(
                code="invalid-metadata",
                message=f"{path.name}: the index rejects its core metadata: "
                + "; ".join(invalid)
                + ". Fix the values where the build backend reads them (usually [project] in "
                "pyproject.toml); a field that is unrecognized or newer than `Metadata-Version` "
                f"means an outdated or non-standard build backend: upgrade it. {_REBUILD}.",
            )
        ]

    problems: list[MetadataProblem] = []
    content_type = raw.get("description_content_type")
    if content_type is None:
        problems.append(
            MetadataProblem(
                code="missing-content-type",
                message=f"{path.name}: `Description-Content-Type` is missing, so the index "
                "renders the long description as reStructuredText. Declare it: in "
                'pyproject.toml `readme = "README.md"` (the content type is inferred from the '
                'extension) or `readme = {file = "README.txt", content-type = "text/markdown"}`; '
                "with setuptools' setup.py, `long_description_content_type`.",
            )
        )
    description = raw.get("description")
    if not description or description.rstrip() == "UNKNOWN":
        problems.append(
            MetadataProblem(
                code="missing-description",
                message=f"{path.name}: the long description is missing, so the project page "
                'on the index is empty. Add `readme = "README.md"` (or README.rst / README.txt) '
                f"to [project] in pyproject.toml. {_REBUILD}.",
            )
        )
    elif _media_type(content_type) not in {"text/plain", "text/markdown"}:
        problems.extend(_render_problems(path, description))
    return problems


def _invalid_fields(raw: RawMetadata, unparsed: dict[str, list[str]]) -> list[str]:
    """Name each field twine refuses, with packaging's reason."""
    try:
        old = Version(raw.get("metadata_version", "0")) < Version("2.4")
    except InvalidVersion:
        old = False  # packaging reports the bad Metadata-Version below
    if old:
        # setuptools writes License-File under Metadata-Version 2.1; twine drops it, so do we.
        raw.pop("license_files", None)
        unparsed.pop("license-file", None)
    found = [f"`{key}`: unrecognized or malformed field" for key in unparsed]
    try:
        Metadata.from_raw(raw)
    except ExceptionGroup as group:
        found += sorted(
            f"`{e.field}`: {e}" if isinstance(e, InvalidMetadata) else str(e)
            for e in group.exceptions
        )
    return found


def _media_type(content_type: str | None) -> str:
    """Reduce a validated content type to its media type; none means reStructuredText."""
    if content_type is None:
        return "text/x-rst"
    return content_type.partition(";")[0].strip().lower()


def _render_problems(path: Path, description: str) -> list[MetadataProblem]:
    """Render reStructuredText as the index does; one problem if docutils gives up."""
    import readme_renderer.rst  # noqa: PLC0415 - docutils is only needed once a README is checked

    stream = io.StringIO()
    if readme_renderer.rst.render(description, stream=stream) is not None:
        return []
    reports = list(_REPORT.finditer(stream.getvalue()))
    details = (
        " ".join(
            f"README line {m['line'] or '?'}: {m['level'].capitalize()}: {m['message']}"
            for m in reports[:_MAX_REPORTS]
        )
        or stream.getvalue().strip()
    )
    line = int(reports[0]["line"]) if reports and reports[0]["line"] else None
    return [
        MetadataProblem(
            code="render-error",
            message=f"{path.name}: the long description does not render as reStructuredText, "
            f"so the index would refuse the upload. {details} Reproduce with "
            "`python -m readme_renderer README.rst -o /dev/null` and fix the markup, or switch "
            'to Markdown (`readme = "README.md"`).',
            line=line,
        )
    ]
