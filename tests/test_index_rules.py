"""`index_problems` and `markup_evidence`: what the index refuses or mis-shows beyond twine."""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

import pytest
from packaging.metadata import RawMetadata, parse_email

from release_checks.dists import read_metadata_bytes
from release_checks.distset import DistSet
from release_checks.index_rules import IndexProblem, index_problems, markup_evidence
from release_checks.metadata_check import check_metadata
from tests.factory import build_once, make_project

HEALTHY_HEADERS = (
    "Requires-Python: >=3.11",
    "Classifier: Programming Language :: Python :: 3",
    "Classifier: Programming Language :: Python :: 3.11",
    "Project-URL: Homepage, https://example.invalid/tiny",
)

MARKDOWN = """\
# tiny

A tiny project. **Fast**, and [documented](https://example.invalid/docs).

```python
# not a heading: this is code
import tiny
```

| option | meaning |
| ------ | ------- |
| `-x`   | exit    |
"""

RST = """\
====
tiny
====

.. image:: https://example.invalid/badge.svg
   :target: https://example.invalid/ci

A tiny project. See `the docs <https://example.invalid/docs>`_ and :pep:`440`.

Usage
~~~~~

::

    # a comment in a literal block
    tiny --help

.. _docs: https://example.invalid/docs
"""


def metadata(*headers: str, body: str | None = None, version: str = "1.0") -> RawMetadata:
    """Core metadata 2.4 with the healthy headers, then `headers` (which may replace them)."""
    names = {header.split(":", 1)[0] for header in headers}
    kept = [h for h in HEALTHY_HEADERS if h.split(":", 1)[0] not in names]
    text = "\n".join(
        ["Metadata-Version: 2.4", "Name: tiny", f"Version: {version}", *kept, *headers]
    )
    raw, unparsed = parse_email(text + "\n" + ("" if body is None else "\n" + body))
    assert not unparsed
    return raw


def wheel_with(root: Path, *headers: str) -> Path:
    """A hand-made wheel whose METADATA has the healthy headers and `headers`."""
    path = root / "tiny-1.0-py3-none-any.whl"
    text = "\n".join(["Metadata-Version: 2.4", "Name: tiny", "Version: 1.0", *headers])
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tiny/__init__.py", "")
        archive.writestr("tiny-1.0.dist-info/METADATA", text + "\n\n" + RST)
        archive.writestr("tiny-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")
    return path


def codes(problems: list[IndexProblem]) -> list[str]:
    return [problem.code for problem in problems]


def only(problems: list[IndexProblem]) -> IndexProblem:
    assert len(problems) == 1, problems
    return problems[0]


# Healthy metadata, from real builds and by hand


@pytest.fixture(scope="module")
def healthy_dists(tmp_path_factory: pytest.TempPathFactory) -> list[DistSet]:
    return [
        build_once(tmp_path_factory, "hatchling-demo", make_project),
        build_once(
            tmp_path_factory,
            "setuptools-scm-demo",
            lambda root: make_project(root, "setuptools-scm"),
        ),
        build_once(tmp_path_factory, "flit-demo", lambda root: make_project(root, "flit")),
    ]


def test_factory_projects_have_no_index_problems(healthy_dists: list[DistSet]) -> None:
    for dists in healthy_dists:
        assert dists.error is None, dists.error
        for path in dists.files:
            raw, _ = parse_email(read_metadata_bytes(path))
            assert index_problems(raw) == [], path.name


def test_healthy_markdown_and_rst_pass() -> None:
    assert index_problems(metadata("Description-Content-Type: text/markdown", body=MARKDOWN)) == []
    assert index_problems(metadata("Description-Content-Type: text/x-rst", body=RST)) == []
    variant = "Description-Content-Type: text/markdown; charset=UTF-8; variant=CommonMark"
    assert index_problems(metadata(variant, body=MARKDOWN)) == []


# Markup detection


def test_markdown_evidence() -> None:
    found = [(e.markup, e.kind, e.line) for e in markup_evidence(MARKDOWN)]
    assert found == [
        ("markdown", "heading", 1),
        ("markdown", "link", 3),
        ("markdown", "fenced code block", 5),
        ("markdown", "table", 11),
    ]


def test_rst_evidence() -> None:
    found = [(e.markup, e.kind, e.line) for e in markup_evidence(RST)]
    assert found == [
        ("rst", "section title (overline and underline)", 2),
        ("rst", "directive", 5),
        ("rst", "link", 8),
        ("rst", "role", 8),
        ("rst", "section title", 10),
        ("rst", "link target", 18),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Title\n=====\n\nSetext headings and **bold** are both languages.\n",
        "Title\n-----\n\n* a list\n* of items\n",
        "Plain text with a #hashtag and a [bracket] (aside).\n",
        "    # indented code\n    [x](y)\n    .. note::\n",
    ],
)
def test_shared_syntax_is_no_evidence(text: str) -> None:
    assert markup_evidence(text) == []


def test_rst_underlines_of_backticks_and_tildes_are_not_fences() -> None:
    text = "Usage\n`````\n\nText.\n\nAPI\n~~~~~\n\n# not code\n\n~~~~~~~~\n\nEnd.\n"
    found = [(e.markup, e.kind, e.line) for e in markup_evidence(text)]
    assert found == [
        ("rst", "section title", 1),
        ("rst", "section title", 6),
        ("markdown", "heading", 9),
    ]


def test_rst_overlines_of_tildes_are_not_fences() -> None:
    text = "~~~~~~\nTitle\n~~~~~~\n\n# not a heading\n"
    found = [(e.markup, e.kind, e.line) for e in markup_evidence(text)]
    assert found == [
        ("rst", "section title (overline and underline)", 2),
        ("markdown", "heading", 5),
    ]


def test_a_three_character_fence_around_a_short_line_is_a_fence() -> None:
    text = "Run the tests:\n\n```\ntox\n```\n\n~~~\nnox\n~~~\n"
    found = [(e.markup, e.kind, e.line) for e in markup_evidence(text)]
    assert found == [("markdown", "fenced code block", 3), ("markdown", "fenced code block", 7)]


def test_code_in_markdown_fences_is_not_evidence() -> None:
    text = "Intro.\n\n```rst\n.. note::\n\n   `x <y>`_\n```\n\n~~~\n.. _t: u\n~~~\n"
    found = [(e.markup, e.kind, e.line) for e in markup_evidence(text)]
    assert found == [("markdown", "fenced code block", 3), ("markdown", "fenced code block", 9)]


def test_markdown_link_in_a_code_span_is_not_evidence() -> None:
    assert markup_evidence("Write `[text](url)` for a link.\n") == []


# Description-Content-Type against the long description


def test_markdown_declared_as_rst() -> None:
    problem = only(index_problems(metadata("Description-Content-Type: text/x-rst", body=MARKDOWN)))
    assert problem.code == "markdown-as-rst"
    assert problem.field == "Description-Content-Type"
    assert problem.key == "[project] readme"
    assert "line 1 `# tiny` (a Markdown heading)" in problem.message
    assert "line 3 `A tiny project." in problem.message
    assert 'readme = "README.md"' in problem.message


def test_markdown_that_does_not_render_is_left_to_twine() -> None:
    raw = metadata("Description-Content-Type: text/x-rst", body=MARKDOWN)
    assert index_problems(raw, rst_renders=False) == []


def test_markdown_declared_as_plain_text() -> None:
    problem = only(index_problems(metadata("Description-Content-Type: text/plain", body=MARKDOWN)))
    assert problem.code == "markdown-as-plain"
    assert "shows it as plain text" in problem.message


def test_plain_text_with_one_hash_line_is_plain() -> None:
    text = "tiny\n\nInstall it:\n\n# as root\npip install tiny\n"
    assert index_problems(metadata("Description-Content-Type: text/plain", body=text)) == []


def test_rst_declared_as_markdown() -> None:
    problem = only(index_problems(metadata("Description-Content-Type: text/markdown", body=RST)))
    assert problem.code == "rst-as-markdown"
    assert "line 2 `tiny` (a reStructuredText section title" in problem.message
    assert 'readme = "README.rst"' in problem.message


def test_mixed_markup_is_not_judged() -> None:
    body = MARKDOWN + "\n.. note:: a stray directive\n"
    for content_type in ("text/x-rst", "text/markdown", "text/plain"):
        raw = metadata(f"Description-Content-Type: {content_type}", body=body)
        assert index_problems(raw) == [], content_type


def test_unknown_content_type_parameter() -> None:
    raw = metadata("Description-Content-Type: text/markdown; flavor=gfm", body=MARKDOWN)
    problem = only(index_problems(raw))
    assert problem.code == "content-type-parameter"
    assert "the parameter `flavor`, which the index ignores" in problem.message


def test_variant_on_rst() -> None:
    raw = metadata("Description-Content-Type: text/x-rst; variant=GFM", body=RST)
    assert "`variant` applies to Markdown only" in only(index_problems(raw)).message


@pytest.mark.parametrize(
    ("content_type", "reason"),
    [
        ("text/html", "must be one of"),
        ("text/markdown; variant=gfm", "valid Markdown variants"),
        ("text/markdown; charset=latin-1", "can only specify the UTF-8 charset"),
    ],
)
def test_content_types_packaging_rejects_are_left_to_twine(
    tmp_path: Path, content_type: str, reason: str
) -> None:
    raw = metadata(f"Description-Content-Type: {content_type}", body=RST)
    assert index_problems(raw) == []
    (twine,) = check_metadata(wheel_with(tmp_path, f"Description-Content-Type: {content_type}"))
    assert twine.code == "invalid-metadata"
    assert "`description-content-type`" in twine.message
    assert reason in twine.message


def test_missing_content_type_is_left_to_twine() -> None:
    assert index_problems(metadata(body=MARKDOWN)) == []


# Classifiers


def test_unknown_classifier_with_near_miss() -> None:
    problem = only(index_problems(metadata("Classifier: Programing Language :: Python :: 3")))
    assert problem.code == "classifier"
    assert problem.key == "[project] classifiers"
    assert "`Classifier: Programing Language :: Python :: 3`: no such classifier" in (
        problem.message
    )
    assert "did you mean `Programming Language :: Python :: 3`?" in problem.message


def test_unknown_classifier_without_near_miss() -> None:
    message = only(index_problems(metadata("Classifier: Made Up :: Entirely"))).message
    assert "did you mean" not in message
    assert "python -m trove_classifiers" in message


def test_deprecated_classifier_names_its_replacement() -> None:
    raw = metadata("Classifier: Framework :: Django CMS :: 4.2")
    message = only(index_problems(raw)).message
    assert "deprecated" in message
    assert "use `Framework :: Django CMS :: 5.0` instead" in message


def test_deprecated_classifier_without_replacement() -> None:
    raw = metadata("Classifier: License :: OSI Approved :: Intel Open Source License")
    assert "remove it (it has no replacement)" in only(index_problems(raw)).message


def test_private_classifier() -> None:
    message = only(index_problems(metadata("Classifier: Private :: Do Not Upload"))).message
    assert "refuse the upload on purpose" in message


# Requires-Python


def test_requires_python_excludes_a_classifier() -> None:
    raw = metadata(
        "Requires-Python: >=3.12",
        "Classifier: Programming Language :: Python :: 3.11",
        "Classifier: Programming Language :: Python :: 3.12",
    )
    problem = only(index_problems(raw))
    assert problem.code == "requires-python-classifiers"
    assert (
        "`Requires-Python: >=3.12` excludes Python versions the classifiers claim: "
        "`Programming Language :: Python :: 3.11`."
    ) in problem.message  # the 3.12 classifier, which the requirement admits, is not named


@pytest.mark.parametrize(
    "spec",
    [">=3.11.4", "~=3.11", ">=3.11,!=3.11.0", ">=3.8,<4", ">=3.11.0rc1", "==3.11.*"],
)
def test_requires_python_admitting_the_classifiers(spec: str) -> None:
    raw = metadata(f"Requires-Python: {spec}")
    assert index_problems(raw) == [], spec


@pytest.mark.parametrize(
    "spec",
    ["<3.11.0", ">3.11.99", "==3.12.2", ">=3.10,<3.11", "!=3.11.*,>=3.11", "~=3.12.3"],
)
def test_requires_python_excluding_every_patch_of_a_classifier(spec: str) -> None:
    """Patch-level bounds: only a requirement that admits no 3.11.x at all excludes 3.11."""
    raw = metadata(f"Requires-Python: {spec}", "Classifier: Programming Language :: Python :: 3.11")
    assert "`Programming Language :: Python :: 3.11`" in only(index_problems(raw)).message


@pytest.mark.parametrize("spec", ["==3.11.57", ">3.11.98", "<3.11.1", ">=3.11.5,<3.11.7"])
def test_requires_python_admitting_one_patch_of_a_classifier(spec: str) -> None:
    raw = metadata(f"Requires-Python: {spec}", "Classifier: Programming Language :: Python :: 3.11")
    assert index_problems(raw) == [], spec


def test_python_2_classifier_excluded_by_a_python_3_requirement() -> None:
    raw = metadata("Classifier: Programming Language :: Python :: 2")
    assert "`Programming Language :: Python :: 2`" in only(index_problems(raw)).message


def test_python_3_only_with_python_2_admitted() -> None:
    raw = metadata(
        "Requires-Python: >=2.7", "Classifier: Programming Language :: Python :: 3 :: Only"
    )
    assert "admits Python 2" in only(index_problems(raw)).message


def test_requires_python_missing_suggests_the_oldest_classifier() -> None:
    text = "Metadata-Version: 2.4\nName: tiny\nVersion: 1.0\nHome-page: https://example.invalid\n"
    raw, _ = parse_email(
        text + "Classifier: Programming Language :: Python :: 3.12\n"
        "Classifier: Programming Language :: Python :: 3.10\n"
    )
    problem = only(index_problems(raw))
    assert problem.code == "requires-python-missing"
    assert problem.key == "[project] requires-python"
    assert '`requires-python = ">=3.10"` (your oldest classifier)' in problem.message


def test_invalid_requires_python_is_left_to_twine() -> None:
    assert index_problems(metadata("Requires-Python: >=3.x")) == []


# URLs


def test_no_project_urls() -> None:
    text = "Metadata-Version: 2.4\nName: tiny\nVersion: 1.0\nRequires-Python: >=3.11\n"
    problem = only(index_problems(parse_email(text)[0]))
    assert problem.code == "no-urls"
    assert problem.key == "[project.urls]"
    assert "there is no `Project-URL` (nor `Home-page`)" in problem.message


def test_home_page_alone_is_enough() -> None:
    text = "Metadata-Version: 2.1\nName: tiny\nVersion: 1.0\nRequires-Python: >=3.11\n"
    assert index_problems(parse_email(text + "Home-page: https://example.invalid\n")[0]) == []


def test_bad_project_urls() -> None:
    raw = metadata(
        "Project-URL: Homepage, https://example.invalid/tiny",
        "Project-URL: Where to report the bugs you find here, https://example.invalid/issues",
        "Project-URL: Source, github.com/example/tiny",
    )
    found = index_problems(raw)
    assert codes(found) == ["url-label", "url"]
    assert "is 38 characters long; the index refuses labels over 32" in found[0].message
    assert "`github.com/example/tiny` is not an http(s) URL" in found[1].message


# Dependencies


def test_direct_url_and_local_path_dependencies() -> None:
    raw = metadata(
        "Requires-Dist: packaging>=24",
        "Requires-Dist: tool @ git+https://example.invalid/tool.git@v1",
        "Requires-Dist: helper @ file:///home/me/helper ; extra == 'dev'",
    )
    remote, local = index_problems(raw)
    assert remote.code == local.code == "direct-dependency"
    assert remote.key == "[project] dependencies"
    assert (
        "`Requires-Dist: tool @ git+https://example.invalid/tool.git@v1` points at a direct URL"
        in (remote.message)
    )
    assert "(`tool>=X.Y`)" in remote.message
    assert local.key == "[project.optional-dependencies] dev"
    assert "points at a local path" in local.message


# License, version, summary


def test_license_expression_not_canonical() -> None:
    problem = only(index_problems(metadata("License-Expression: mit or apache-2.0")))
    assert problem.key == "[project] license"
    assert 'Write `license = "MIT OR Apache-2.0"`' in problem.message


def test_canonical_and_invalid_license_expressions_pass() -> None:
    assert index_problems(metadata("License-Expression: MIT OR LicenseRef-Custom")) == []
    assert index_problems(metadata("License-Expression: MIT License")) == []  # twine's


def test_local_version() -> None:
    problem = only(index_problems(metadata(version="1.2.4.dev0+g1234abc.d20261121")))
    assert problem.code == "local-version"
    assert problem.field == "Version"
    assert problem.message == (
        "`Version: 1.2.4.dev0+g1234abc.d20261121` has a local segment `+g1234abc.d20261121`, "
        "and the index refuses local versions."
    )


def test_summary_too_long() -> None:
    problem = only(index_problems(metadata("Summary: " + "word " * 110)))
    assert problem.key == "[project] description"
    assert "the index refuses more than 512" in problem.message


def test_problem_round_trips_through_json() -> None:
    problem = only(index_problems(metadata("Classifier: Made Up :: Entirely")))
    assert IndexProblem.from_json(problem.to_json()) == problem


def test_readme_detection_on_this_projects_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    found = markup_evidence(readme)
    assert found
    assert {e.markup for e in found} == {"markdown"}


def test_dedented_sample_is_rst() -> None:
    text = textwrap.dedent(
        """\
        Tiny
        ####

        .. code-block:: python

           import tiny
        """
    )
    assert {e.markup for e in markup_evidence(text)} == {"rst"}


def test_rst_syntax_quoted_in_a_markdown_code_span_is_not_rst() -> None:
    text = "RST links look like `` `text <url>`_ `` and are flagged elsewhere.\n"
    assert [evidence.markup for evidence in markup_evidence(text)] == []
