"""The index and agreement gates end to end; see tests/scenarios.py for the machinery."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.factory import FixtureProject
from tests.scenarios import (
    BUILD_TIMEOUT,
    METADATA_SDIST,
    METADATA_WHEEL,
    Scenario,
    append,
    commit,
    failed,
    gates_shown_failing,
    replace,
    run_scenario,
    skipped,
    write,
)

INDEX_SDIST = "test_metadata_fits_index[sdist]"
INDEX_WHEEL = "test_metadata_fits_index[wheel]"
AGREE = "test_sdist_and_wheel_agree"
GATES = (INDEX_SDIST, INDEX_WHEEL, AGREE)
WITH_TWINE = (*GATES, METADATA_SDIST, METADATA_WHEEL)

RICH_RST_README = """
    ====
    demo
    ====

    .. image:: https://example.invalid/demo/badge.svg
       :target: https://example.invalid/demo/actions

    A small project. Read `the documentation <https://example.invalid/demo/docs>`_.

    Usage
    ~~~~~

    .. code-block:: console

       $ demo
"""
# Markdown that is also valid reStructuredText: twine check passes, the page shows it raw.
MARKDOWN_README = """
    # demo

    A small project: read the [documentation](https://example.invalid/docs).

    ## Usage

    Run `demo`.
"""
GIT_DEPENDENT_SETUP = """
    import os

    from setuptools import setup

    # A dependency only a build from the git checkout gets: the wheel (built from the sdist)
    # lacks it, and setuptools marks the field `Dynamic` in the sdist, which makes that legal.
    in_checkout = os.path.isdir(".git")
    setup(install_requires=["packaging>=24"] + (["tomli-w"] if in_checkout else []))
"""
URLS = """[project.urls]
Homepage = "https://example.invalid/{name}"
Changelog = "https://example.invalid/{name}/blob/main/CHANGELOG.md"
"""


def mixed_release_dir(project: FixtureProject) -> Path:
    """Where the sdist and wheel built from two different trees go, outside the project."""
    return project.root.parent / "mixed"


def build_sdist_then_wheel_after_a_change(project: FixtureProject) -> None:
    """The sdist from the tagged tree, the wheel after an uncommitted edit, as a careless CI does.

    The edit is undone afterwards, so the project is clean when the gates run.
    """
    out = mixed_release_dir(project)
    pyproject = project.root / "pyproject.toml"
    original = pyproject.read_text(encoding="utf-8")

    def build(kind: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "build", kind, "--outdir", str(out), str(project.root)],
            check=True,
            capture_output=True,
            timeout=BUILD_TIMEOUT,
        )

    build("--sdist")
    pyproject.write_text(
        original.replace("dependencies = []", "dependencies = ['colorama; os_name == \"nt\"']")
        .replace('requires-python = ">=3.11"', 'requires-python = ">=3.10"')
        .replace(
            '[project.scripts]\ndemo = "demo.cli:main"',
            '[project.scripts]\ndemo = "demo.cli:main"\ndemo-admin = "demo.cli:main"',
        ),
        encoding="utf-8",
    )
    try:
        build("--wheel")
    finally:
        pyproject.write_text(original, encoding="utf-8")


SCENARIOS = [
    # No false alarm on a project that uses more of the metadata than the factory template.
    Scenario(
        id="healthy-rich-metadata",
        edits=(
            write("README.rst", RICH_RST_README),
            replace("pyproject.toml", 'readme = "README.md"', 'readme = "README.rst"'),
            replace(
                "pyproject.toml",
                "dependencies = []",
                "dependencies = ['colorama; os_name == \"nt\"', 'packaging>=24']",
            ),
            replace(
                "pyproject.toml",
                '"Programming Language :: Python :: 3",',
                '"Programming Language :: Python :: 3",\n'
                '    "Programming Language :: Python :: 3 :: Only",',
            ),
            append(
                "pyproject.toml",
                """
                [project.optional-dependencies]
                toml = ["tomli-w>=1"]

                [project.gui-scripts]
                demo-gui = "demo.cli:main"

                [project.entry-points."demo.plugins"]
                basic = "demo.cli:main"
                """,
            ),
        ),
        gates=WITH_TWINE,
    ),
    # Markdown declared as reStructuredText renders (twine check passes) but shows raw.
    Scenario(
        id="markdown-declared-rst-and-classifier-typo",
        backend="flit",
        edits=(
            write("README.md", MARKDOWN_README),
            replace(
                "pyproject.toml",
                'readme = "README.md"',
                'readme = {file = "README.md", content-type = "text/x-rst"}',
            ),
            replace(
                "pyproject.toml",
                '"Programming Language :: Python :: 3",',
                '"Programing Language :: Python :: 3",',
            ),
        ),
        gates=WITH_TWINE,
        expect={
            gate: failed(
                f"demo-1.2.3{suffix}: the index would refuse or mis-show its metadata",
                "Description-Content-Type (pyproject.toml: [project] readme)",
                "`Description-Content-Type` is text/x-rst, but the long description is "
                "Markdown (README line 1 `# demo` (a Markdown heading); line 3",
                "(a Markdown link); line 5 `## Usage` (a Markdown heading))",
                "passes twine check",
                'readme = {file = "README.md", content-type = "text/markdown"}',
                "Classifier (pyproject.toml: [project] classifiers)",
                "`Classifier: Programing Language :: Python :: 3`: no such classifier, so the "
                "index refuses the upload; did you mean `Programming Language :: Python :: 3`?",
            )
            for gate, suffix in ((INDEX_SDIST, ".tar.gz"), (INDEX_WHEEL, "-py3-none-any.whl"))
        },
    ),
    # setuptools: defects of the index gate; dependencies that legitimately differ (Dynamic).
    Scenario(
        id="setuptools-index-defects-dynamic-dependencies",
        backend="setuptools-scm",
        edits=(
            replace("pyproject.toml", 'requires-python = ">=3.11"', 'requires-python = ">=3.12"'),
            replace("pyproject.toml", URLS.format(name="demo"), ""),
            replace(
                "pyproject.toml",
                'dynamic = ["version"]',
                'dynamic = ["version", "dependencies"]\n'
                "optional-dependencies = "
                '{ dev = ["tool @ git+https://example.invalid/tool.git@v1"] }',
            ),
            write("setup.py", GIT_DEPENDENT_SETUP),
        ),
        after_tag=(append("src/demo/cli.py", "# an uncommitted change\n"),),
        gates=GATES,
        expect={
            gate: failed(
                "Requires-Python (pyproject.toml: [project] requires-python, [project] "
                "classifiers)",
                "`Requires-Python: >=3.12` excludes Python versions the classifiers claim: "
                "`Programming Language :: Python :: 3.11`.",
                "Project-URL (pyproject.toml: [project.urls])",
                "there is no `Project-URL` (nor `Home-page`)",
                "Requires-Dist (pyproject.toml: [project.optional-dependencies] dev)",
                "`Requires-Dist: tool @ git+https://example.invalid/tool.git@v1 ; extra == "
                '"dev"` points at a direct URL',
                "Version (pyproject.toml: [project] version, or the git tag with VCS versioning)",
                "has a local segment `+g",
                "and the index refuses local versions. Where it comes from: see "
                "test_versions_agree.",
                absent=("License-Expression", "Classifier ("),
            )
            for gate in (INDEX_SDIST, INDEX_WHEEL)
        },
    ),
    # A local version between releases is test_tag_is_pep440's to report, not a failure here.
    Scenario(
        id="scm-commit-after-last-tag",
        backend="setuptools-scm",
        tag="v1.2.2",
        after_tag=(commit(),),
        gates=GATES,
        expect={
            gate: skipped(
                "has the local version 1.2.3.dev1+g",
                "which the index rejects, and there is no release tag at HEAD — see "
                "test_tag_is_pep440",
            )
            for gate in (INDEX_SDIST, INDEX_WHEEL)
        },
    ),
    # Prebuilt: the wheel was built after the tree changed, the sdist before.
    Scenario(
        id="prebuilt-sdist-and-wheel-from-different-trees",
        after_tag=(build_sdist_then_wheel_after_a_change,),
        args=("--release-dist={prebuilt}/../mixed",),
        gates=(
            "test_metadata_fits_index[demo-1.2.3.tar.gz]",
            "test_metadata_fits_index[demo-1.2.3-py3-none-any.whl]",
            AGREE,
        ),
        expect={
            AGREE: failed(
                "demo-1.2.3.tar.gz and demo-1.2.3-py3-none-any.whl disagree:",
                "  - Requires-Dist: only in the wheel: `colorama; os_name == 'nt'`",
                "  - Requires-Python: the sdist (PKG-INFO) says `>=3.11`, the wheel (METADATA) "
                "`>=3.10`",
                "  - entry point `demo-admin` (console_scripts): the sdist's pyproject.toml "
                "declares none, the wheel's entry_points.txt has `demo.cli:main`",
                "were not built from the same source",
                absent=("Name:", "Version:", "Provides-Extra", "entry point `demo`"),
            )
        },
    ),
]


def test_every_gate_fails_with_its_message_somewhere() -> None:
    checked = gates_shown_failing(SCENARIOS)
    assert set(GATES) <= checked


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
    run_scenario(scenario, pytester, project_root)
