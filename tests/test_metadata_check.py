"""`check_metadata` against its oracle, `twine check --strict`, on real and crafted dists."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import pytest

from release_checks.metadata_check import MetadataProblem, check_metadata

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

TIMEOUT = 180

RST_WITH_ERROR = "Tiny\n====\n\nA tiny project.\n\nSee foo_ for details.\n"  # line 6
MARKDOWN = "# Tiny\n\nForwards **kwargs to `run()`.\n"  # not valid RST: line 3


def _build(
    root: Path, readme: dict[str, str], *, kind: str = "wheel", backend: str = "hatchling"
) -> Path:
    """Build a tiny project for real, as a release would be, and return the one dist."""
    project = root / "project"
    (project / "tiny").mkdir(parents=True)
    (project / "tiny" / "__init__.py").write_text('"""Tiny."""\n')
    (project / "LICENSE").write_text("MIT License\n")
    readme_line = ""
    for name, text in readme.items():
        (project / name).write_text(text)
        readme_line = f'readme = "{name}"\n'
    if backend == "hatchling":
        build_system = 'requires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
        license_lines = 'license = "MIT"\nlicense-files = ["LICENSE"]\n'
    else:
        build_system = 'requires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n'
        license_lines = ""
    (project / "pyproject.toml").write_text(
        f"[build-system]\n{build_system}\n"
        f'[project]\nname = "tiny"\nversion = "1.0"\ndescription = "Tiny."\n'
        f"{readme_line}{license_lines}"
    )
    out = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", f"--{kind}", "--outdir", out, project],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    (dist,) = out.iterdir()
    return dist


def _metadata(*extra: str, version: str = "2.1", body: str | None = MARKDOWN) -> str:
    """Core metadata text with the given extra header lines and long description."""
    headers = [f"Metadata-Version: {version}", "Name: tiny", "Version: 1.0", *extra]
    return "\n".join(headers) + "\n" + ("" if body is None else "\n" + body)


def _wheel(root: Path, metadata: str) -> Path:
    """A hand-made wheel: the only way to get metadata that no backend would write."""
    path = root / "tiny-1.0-py3-none-any.whl"
    files = {
        "tiny/__init__.py": "",
        "tiny-1.0.dist-info/METADATA": metadata,
        "tiny-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: py3-none-any\n",
    }
    files["tiny-1.0.dist-info/RECORD"] = "".join(f"{name},,\n" for name in files)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def _sdist(
    root: Path,
    metadata: str,
    *,
    pkg_info: str = "tiny-1.0/PKG-INFO",
    other: str = "tiny-1.0/tiny/__init__.py",
) -> Path:
    """A hand-made sdist; by default one top-level directory holding PKG-INFO."""
    path = root / "tiny-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in {pkg_info: metadata, other: ""}.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _truncated(path: Path) -> Path:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], Path]
    codes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    line: int | None = None


CASES = {
    "markdown-wheel": Case(lambda d: _build(d, {"README.md": MARKDOWN})),
    "markdown-sdist": Case(lambda d: _build(d, {"README.md": MARKDOWN}, kind="sdist")),
    "rst-flit": Case(lambda d: _build(d, {"README.rst": "Tiny\n====\n\n*Hi*.\n"}, backend="flit")),
    "rst-error": Case(
        lambda d: _build(d, {"README.rst": RST_WITH_ERROR}, kind="sdist"),
        codes=("render-error",),
        words=('README line 6: Error: Unknown target name: "foo".', "python -m readme_renderer"),
        line=6,
    ),
    "rst-renders-nothing": Case(
        lambda d: _build(d, {"README.rst": ".. just a comment\n"}),
        codes=("render-error",),
        words=("No content rendered",),
    ),
    "text-plain-not-rendered": Case(lambda d: _build(d, {"README.txt": RST_WITH_ERROR})),
    "no-description": Case(
        lambda d: _build(d, {}),
        codes=("missing-content-type", "missing-description"),
        words=('Add `readme = "README.md"`',),
    ),
    "no-content-type": Case(
        lambda d: _wheel(d, _metadata(body="Tiny\n====\n\nFine reStructuredText.\n")),
        codes=("missing-content-type",),
        words=("`Description-Content-Type` is missing", "long_description_content_type"),
    ),
    "no-content-type-markdown-breaks-rst": Case(
        lambda d: _wheel(d, _metadata(body=MARKDOWN)),
        codes=("missing-content-type", "render-error"),
        words=("README line 3: Warning: Inline strong start-string", "switch to Markdown"),
        line=3,
    ),
    "no-content-type-no-description": Case(
        lambda d: _sdist(d, _metadata(body=None)),
        codes=("missing-content-type", "missing-description"),
    ),
    "unknown-field": Case(
        lambda d: _wheel(d, _metadata("Description-Content-Type: text/markdown", "Foo-Bar: x")),
        codes=("invalid-metadata",),
        words=("`foo-bar`: unrecognized or malformed field",),
    ),
    "bad-requires-dist": Case(
        lambda d: _wheel(
            d, _metadata("Description-Content-Type: text/markdown", "Requires-Dist: foo >=")
        ),
        codes=("invalid-metadata",),
        words=("`requires-dist`", "'foo >='"),
    ),
    "bad-name-sdist": Case(
        lambda d: _sdist(
            d,
            _metadata("Description-Content-Type: text/markdown").replace(
                "Name: tiny", "Name: -tiny-"
            ),
        ),
        codes=("invalid-metadata",),
        words=("`name`", "'-tiny-'"),
    ),
    "field-newer-than-metadata-version": Case(
        lambda d: _wheel(
            d, _metadata("Description-Content-Type: text/markdown", "License-Expression: MIT")
        ),
        codes=("invalid-metadata",),
        words=("`license-expression`", "introduced in metadata version 2.4"),
    ),
    "bad-metadata-version": Case(
        lambda d: _wheel(d, _metadata("Description-Content-Type: text/markdown", version="two")),
        codes=("invalid-metadata",),
        words=("`metadata-version`", "'two'"),
    ),
    "license-file-under-2.1": Case(
        lambda d: _wheel(
            d, _metadata("Description-Content-Type: text/markdown", "License-File: LICENSE")
        )
    ),
    "truncated-wheel": Case(
        lambda d: _truncated(_wheel(d, _metadata())),
        codes=("unreadable",),
        words=("tiny-1.0-py3-none-any.whl", "python -m build"),
    ),
    "truncated-sdist": Case(
        lambda d: _truncated(_sdist(d, _metadata())),
        codes=("unreadable",),
        words=("tiny-1.0.tar.gz",),
    ),
}


PARAMS = [
    *(pytest.param(case, id=name) for name, case in CASES.items()),
    pytest.param(
        Case(lambda d: _sdist(d, _metadata(), other="stray-top-level-file"), ("unreadable",)),
        id="sdist-two-top-level-entries",
    ),
    pytest.param(
        Case(
            lambda d: _sdist(d, _metadata(), pkg_info="tiny-1.0/tiny.egg-info/PKG-INFO"),
            ("unreadable",),
        ),
        id="sdist-pkg-info-only-nested",
    ),
]


def _twine_passes(dist: Path) -> bool:
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", dist],
        check=False,
        capture_output=True,
        timeout=TIMEOUT,
    )
    return result.returncode == 0


@pytest.mark.parametrize("case", PARAMS)
def test_agrees_with_twine_check_strict(case: Case, tmp_path: Path) -> None:
    dist = case.make(tmp_path)

    problems = check_metadata(dist)

    assert (not problems) == _twine_passes(dist)
    assert tuple(p.code for p in problems) == case.codes
    text = "\n".join(p.message for p in problems)
    for word in case.words:
        assert word in text
    if problems:
        assert dist.name in text
    assert [p.line for p in problems if p.line is not None] == ([case.line] if case.line else [])


def test_problem_round_trips_through_json(tmp_path: Path) -> None:
    rst = _metadata("Description-Content-Type: text/x-rst", body=RST_WITH_ERROR)
    (problem,) = check_metadata(_wheel(tmp_path, rst))

    assert MetadataProblem(**json.loads(json.dumps(asdict(problem)))) == problem
