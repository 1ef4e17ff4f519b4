"""The gates that ask the package index (issue 4), end to end against a real local index.

Each scenario gets its own pypiserver (tests/pypiserver.py), into which its steps upload real
builds with twine; the plugin runs in a pytest subprocess with ``--release-index`` pointing
at it. Pre-publish scenarios run ``-m release``, post-publish ones ``-m published``.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from release_checks.index import file_sha256
from tests.factory import FixtureProject
from tests.pypiserver import LocalIndex
from tests.scenarios import (
    INNER_RUN_TIMEOUT,
    Edit,
    Scenario,
    build_dists_into,
    commit,
    failed,
    gates_shown_failing,
    read_junit,
    replace,
    run_scenario,
    skipped,
)

NOT_ON_INDEX = "test_version_not_on_index"
LISTED = "test_published_version_listed"
FILES_MATCH = "test_published_files_match"
INSTALLS = "test_published_release_installs"
PUBLISHED = (LISTED, FILES_MATCH, INSTALLS)


# Steps


def upload(
    index: LocalIndex,
    directory: str = "uploaded",
    *,
    readme: str | None = None,
    names: dict[str, str] | None = None,
) -> Edit:
    """Build the project beside it into `directory` and upload the files with twine.

    `readme` builds another variant of the project (its README replaced in a copy, the tree
    left alone); `names` uploads only the files it names, under new names.
    """

    def edit(project: FixtureProject) -> None:
        source = project.root
        if readme is not None:
            source = project.root.parent / f"{directory}-source"
            shutil.copytree(project.root, source)
            (source / "README.md").write_text(readme, encoding="utf-8")
        built = project.root.parent / directory
        build_dists_into(FixtureProject(source, project.name, project.module, source), built)
        files = sorted(built.iterdir())
        if names is not None:
            files = [path.rename(path.with_name(names[path.name])) for path in files]
            files = [path for path in files if path.name in names.values()]
        index.upload(*files)

    return edit


def bump_to(version: str) -> tuple[Edit, ...]:
    """Release the next version: set it, commit, tag."""
    return (
        replace("pyproject.toml", 'version = "1.2.2"', f'version = "{version}"'),
        replace("src/demo/__init__.py", '"1.2.2"', f'"{version}"'),
        commit(f"Release {version}"),
        lambda project: project.tag(f"v{version}"),
    )


def closed_port_url() -> str:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{unused.getsockname()[1]}/simple/"


# Before publishing: `pytest -m release`

ONLY_GATE = ("-k", "version_not_on_index")
NOT_PUBLISHED_YET = "the index never takes a file name twice"  # absent from passing gates

RELEASE_CASES: dict[str, Callable[[LocalIndex], Scenario]] = {
    # Healthy, the whole release run: the index has never heard of the project.
    "first-release": lambda index: Scenario(
        id="first-release",
        markexpr="release",
        args=(f"--release-index={index.url}",),
        gates=None,
    ),
    # Healthy: the index holds earlier versions only.
    "earlier-versions-on-the-index": lambda index: Scenario(
        id="earlier-versions-on-the-index",
        version="1.2.2",
        tag="v1.2.2",
        after_tag=(upload(index, "v1.2.2"), *bump_to("1.2.3")),
        markexpr="release",
        args=(*ONLY_GATE, f"--release-index={index.url}"),
        gates=(NOT_ON_INDEX,),
    ),
    # The release was already published: the very same files are there.
    "already-published": lambda index: Scenario(
        id="already-published",
        after_tag=(upload(index),),
        markexpr="release",
        args=(*ONLY_GATE, f"--release-index={index.url}"),
        gates=(NOT_ON_INDEX,),
        expect={
            NOT_ON_INDEX: failed(
                f"demo 1.2.3 is already on the index {index.url} (from --release-index):\n"
                "  - demo-1.2.3-py3-none-any.whl: your file of that name, identical (sha256 ",
                "  - demo-1.2.3.tar.gz: your file of that name, identical (sha256 ",
                "Bump the version (for example to 1.2.4) and tag it.",
                "Every local file is on the index already, identical: this build is published.",
            )
        },
    ),
    # Another build of 1.2.3 is on the index: its sdist spelt `Demo-1.2.3.tar.gz`, and a
    # wheel with a build tag. Neither name is free, and the version is taken.
    "another-build-of-the-version": lambda index: Scenario(
        id="another-build-of-the-version",
        after_tag=(
            upload(
                index,
                readme="# demo\n\nAn earlier build.\n",
                names={
                    "demo-1.2.3.tar.gz": "Demo-1.2.3.tar.gz",
                    "demo-1.2.3-py3-none-any.whl": "demo-1.2.3-1-py3-none-any.whl",
                },
            ),
        ),
        markexpr="release",
        args=(*ONLY_GATE, f"--release-index={index.url}"),
        gates=(NOT_ON_INDEX,),
        expect={
            NOT_ON_INDEX: failed(
                "  - Demo-1.2.3.tar.gz: your demo-1.2.3.tar.gz, spelt differently, with other "
                "contents (sha256 ",
                "  - demo-1.2.3-1-py3-none-any.whl\n",
                "An index never takes a file name twice, not even after a delete or a yank",
                "Bump the version (for example to 1.2.4)",
                absent=("identical", "demo-1.2.3-py3-none-any.whl"),
            )
        },
    ),
    # An index that cannot be reached says why, and skips on a laptop ...
    "unreachable-index": lambda _: Scenario(
        id="unreachable-index",
        markexpr="release",
        args=(*ONLY_GATE, f"--release-index={closed_port_url()}"),
        gates=(NOT_ON_INDEX,),
        expect={
            NOT_ON_INDEX: skipped(
                "cannot tell whether 1.2.3 is already on the index: could not read the page of "
                "demo on http://127.0.0.1:",
                "(from --release-index): connection failed: Failed to establish a new "
                "connection: [Errno 111] Connection refused (gave up after 4 attempts)",
            )
        },
    ),
    # ... and fails in strict mode (and in CI tag builds).
    "unreachable-index-strict": lambda _: Scenario(
        id="unreachable-index-strict",
        markexpr="release",
        args=(*ONLY_GATE, "--release-strict", f"--release-index={closed_port_url()}"),
        gates=(NOT_ON_INDEX,),
        expect={
            NOT_ON_INDEX: failed(
                "cannot tell whether 1.2.3 is already on the index",
                "Connection refused (gave up after 4 attempts)",
                "failing instead of skipping: --release-strict",
            )
        },
    ),
}


# After publishing: `pytest -m published`

PUBLISHED_CASES: dict[str, Callable[[LocalIndex], Scenario]] = {
    # Healthy: the tested files were uploaded, install by name and import (two xdist workers
    # share one index query and one environment).
    "published-as-tested": lambda index: Scenario(
        id="published-as-tested",
        after_tag=(upload(index, "dist"),),
        markexpr="published",
        args=("-n", "2", "--release-dist=../dist", f"--release-index={index.url}"),
        gates=PUBLISHED,
    ),
    # The index holds another build than the one tested.
    "published-another-build": lambda index: Scenario(
        id="published-another-build",
        after_tag=(upload(index, readme="# demo\n\nRebuilt after the checks.\n"),),
        prebuilt="built",
        markexpr="published",
        args=("--release-dist={prebuilt}", f"--release-index={index.url}"),
        gates=PUBLISHED,
        expect={
            FILES_MATCH: failed(
                f"the index {index.url} (from --release-index) does not hold the tested files "
                "of demo 1.2.3:\n  - demo-1.2.3.tar.gz: sha256 ",
                "  - demo-1.2.3-py3-none-any.whl: sha256 ",
                " on the index, ",
                "if the index holds other bytes, yank the release and publish a new version",
                absent=("not on the index",),
            )
        },
    ),
    # The upload never happened: the index has the previous release only.
    "published-missing": lambda index: Scenario(
        id="published-missing",
        version="1.2.2",
        tag="v1.2.2",
        after_tag=(upload(index, "v1.2.2"), *bump_to("1.2.3")),
        markexpr="published",
        args=(f"--release-index={index.url}", "--release-index-wait=1"),
        gates=PUBLISHED,
        expect={
            LISTED: failed(
                f"demo 1.2.3 is not on {index.url} (from --release-index) after waiting 1 s "
                "(versions there: 1.2.2). Upload the files (`twine upload dist/*`)"
            ),
            FILES_MATCH: skipped("1.2.3 is not on the index — see test_published_version_listed"),
            INSTALLS: skipped("1.2.3 is not on the index — see test_published_version_listed"),
        },
    ),
}


def test_every_gate_fails_with_its_message_somewhere(tmp_path: Path) -> None:
    index = LocalIndex(port=1, packages=tmp_path)
    cases = {**RELEASE_CASES, **PUBLISHED_CASES}
    scenarios = [make(index) for make in cases.values()]
    assert all(scenario.id == key for key, scenario in zip(cases, scenarios, strict=True))
    assert {NOT_ON_INDEX, LISTED, FILES_MATCH} <= gates_shown_failing(scenarios)


@pytest.mark.parametrize("case", RELEASE_CASES)
def test_release_scenario(
    case: str, local_index: LocalIndex, pytester: pytest.Pytester, project_root: Path
) -> None:
    run_scenario(RELEASE_CASES[case](local_index), pytester, project_root)


@pytest.mark.parametrize("case", PUBLISHED_CASES)
def test_published_scenario(
    case: str, local_index: LocalIndex, pytester: pytest.Pytester, project_root: Path
) -> None:
    run_scenario(PUBLISHED_CASES[case](local_index), pytester, project_root)
    if case == "published-another-build":  # both digests, the index's first
        text = read_junit(pytester.path / "report.xml")[FILES_MATCH].text
        for name in ("demo-1.2.3.tar.gz", "demo-1.2.3-py3-none-any.whl"):
            there = file_sha256(pytester.path / "uploaded" / name)
            here = file_sha256(pytester.path / "prebuilt" / name)
            assert f"{name}: sha256 {there} on the index, {here} here" in text


# What scenarios cannot show


def test_a_bad_index_url_is_a_usage_error_that_does_not_echo_it(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    (project_root / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    result = pytester.runpytest_subprocess(
        "-m",
        "release",
        "--release-index=ftp://user:s3cret@host.invalid/",
        timeout=INNER_RUN_TIMEOUT,
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = result.stderr.str()
    assert "argument --release-index: expected an http(s) URL of the index's Simple API" in errors
    assert "s3cret" not in errors + result.stdout.str()
