"""The core gates (issue 2), scenario by scenario; see tests/scenarios.py for the machinery."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenarios import (
    GATES,
    METADATA_SDIST,
    METADATA_WHEEL,
    SKIPPED_FOR_BUILD,
    Scenario,
    append,
    changelog,
    commit,
    failed,
    gates_shown_failing,
    remove,
    replace,
    run_scenario,
    skipped,
    write,
)

PREVIOUS_RELEASE = "## [1.2.2] - 2026-01-01\n\n- First release."
RST_README = "Demo\n====\n\nA small project.\n\nSee foo_ for details.\n"  # error at line 6
WRONG_LICENSE = replace("pyproject.toml", 'license = "MIT"', 'license = "MIT License"')

SCENARIOS = [
    # Healthy projects, one per backend family: every gate passes.
    # `gates=None`: every gate collected must pass, including later issues' gates.
    Scenario(id="healthy-hatchling", gates=None),
    Scenario(id="healthy-setuptools-scm", backend="setuptools-scm", gates=None),
    Scenario(id="healthy-flit", backend="flit", gates=None),
    Scenario(id="healthy-flit-xdist", backend="flit", args=("-n", "2"), gates=None),
    # Tags and versions.
    Scenario(
        id="scm-commits-after-last-tag",
        backend="setuptools-scm",
        tag="v1.2.2",
        after_tag=(commit(),),
        expect={
            "test_tag_is_pep440": skipped(
                "there is no release tag at HEAD, and the build's version 1.2.3.dev1+g",
                "has a local part the index rejects",
                "a `.devN+g<hash>` version means the build ran on a commit without a release tag",
                "for example `git tag -a v1.2.3`",
            ),
            "test_head_carries_tag": skipped("is not one to tag — see test_tag_is_pep440"),
        },
    ),
    Scenario(
        id="scm-commits-after-last-tag-strict",
        backend="setuptools-scm",
        tag="v1.2.2",
        after_tag=(commit(),),
        args=("--release-strict",),
        expect={
            "test_tag_is_pep440": failed(
                "has a local part the index rejects", "git tag -a v1.2.3`"
            ),
            "test_head_carries_tag": failed(
                "is not one to tag — see test_tag_is_pep440",
                "failing instead of skipping: --release-strict",
                absent=("git tag -a v1.2.3.dev1+g",),
            ),
        },
    ),
    Scenario(
        id="hatchling-not-tagged-yet",
        tag=None,
        expect={
            "test_head_carries_tag": skipped("tag v1.2.3 does not exist yet", "git tag -a v1.2.3")
        },
    ),
    Scenario(
        id="semver-prerelease-tag",
        version="1.0.0b1",
        tag="v1.0.0-beta.1",
        expect={
            "test_tag_is_pep440": failed(
                "tag `v1.0.0-beta.1` is not in canonical PEP 440 form", "tag `v1.0.0b1` instead"
            )
        },
    ),
    Scenario(
        id="release-tag-behind-head",
        after_tag=(commit(),),
        args=("--release-tag", "v1.2.3"),
        expect={
            "test_head_carries_tag": failed(
                "tag v1.2.3 (--release-tag) points at commit {tagged}", "HEAD is {head}"
            )
        },
    ),
    Scenario(
        id="released-version-not-bumped",
        after_tag=(commit(),),
        expect={
            "test_head_carries_tag": failed(
                "version 1.2.3 was already tagged: v1.2.3 is commit {tagged}",
                "HEAD is {head}",
                "Bump the version",
            ),
        },
    ),
    Scenario(
        id="release-tag-option-typo",
        args=("--release-tag", "v9.9.9"),
        expect={
            "test_head_carries_tag": failed(
                "tag v9.9.9 (--release-tag) does not exist in this clone", "git fetch --tags"
            ),
            "test_versions_agree": failed("the release version is 9.9.9"),
            "test_wheel_works_in_fresh_venv": failed(
                "is 1.2.3, not the release version 9.9.9 — see test_versions_agree"
            ),
            "test_changelog_has_entry": failed("CHANGELOG.md has no section for 9.9.9"),
        },
    ),
    Scenario(
        id="scm-tagged-but-dirty-tree",
        backend="setuptools-scm",
        after_tag=(append("src/demo/cli.py", "# an uncommitted change\n"),),
        expect={
            "test_versions_agree": failed(
                "the release version is 1.2.3 (from tag v1.2.3, at HEAD)",
                "(PKG-INFO Version): 1.2.4.dev0+g",
                "the `.dYYYYMMDD` local part means the build saw uncommitted changes",
            ),
            "test_wheel_works_in_fresh_venv": failed("not the release version 1.2.3"),
        },
    ),
    Scenario(
        id="static-version-not-bumped-to-tag",
        version="1.2.4",
        expect={
            "test_versions_agree": failed(
                "the release version is 1.2.3 (from tag v1.2.3, at HEAD)",
                "demo-1.2.4.tar.gz (PKG-INFO Version): 1.2.4",
                "demo-1.2.4-py3-none-any.whl (METADATA Version): 1.2.4",
                "set statically at pyproject.toml line 7 (1.2.4)",
            ),
            "test_wheel_works_in_fresh_venv": failed(
                "importlib.metadata.version('demo') is 1.2.4, not the release version 1.2.3",
                absent=("a hard-coded __version__ was left behind",),
            ),
            "test_changelog_has_entry": failed("CHANGELOG.md has no section for 1.2.3"),
        },
    ),
    # The wheel in a fresh virtualenv.
    Scenario(
        id="undeclared-dependency",
        edits=(
            write(
                "src/demo/__init__.py",
                '"""demo: a test project."""\n\nimport tomli_w\n\n__version__ = "1.2.3"\n',
            ),
        ),
        expect={
            "test_wheel_works_in_fresh_venv": failed(
                "`import demo` failed at demo/__init__.py:3: "
                "ModuleNotFoundError: No module named 'tomli_w'",
                "`tomli_w` is not installed with the wheel",
                "declare it in [project] dependencies",
            )
        },
    ),
    Scenario(
        id="package-prints-on-import",
        edits=(
            write(
                "src/demo/__init__.py",
                '"""demo."""\n\nprint("loading demo")\n\n__version__ = "1.2.3"\n',
            ),
        ),
    ),
    Scenario(
        id="stale-dunder-version",
        edits=(replace("src/demo/__init__.py", '"1.2.3"', '"1.2.2"'),),
        expect={
            "test_wheel_works_in_fresh_venv": failed(
                "demo.__version__ is '1.2.2', but the installed metadata says 1.2.3",
                "hard-coded __version__",
            )
        },
    ),
    Scenario(
        id="console-script-names-missing-function",
        edits=(replace("pyproject.toml", '"demo.cli:main"', '"demo.cli:run"'),),
        expect={
            "test_wheel_works_in_fresh_venv": failed(
                "entry point `demo = demo.cli:run` (console_scripts) failed", "AttributeError"
            )
        },
    ),
    Scenario(
        id="wheel-ships-no-package",
        edits=(
            append(
                "pyproject.toml", '[tool.hatch.build.targets.wheel]\npackages = ["src/missing"]'
            ),
        ),
        expect={
            "test_wheel_works_in_fresh_venv": failed(
                "demo-1.2.3-py3-none-any.whl installs no importable package or module"
            )
        },
    ),
    # Metadata as the index judges it.
    Scenario(
        id="rst-readme-does-not-render",
        edits=(
            write("README.rst", RST_README),
            replace("pyproject.toml", 'readme = "README.md"', 'readme = "README.rst"'),
        ),
        expect={
            METADATA_SDIST: failed(
                "demo-1.2.3.tar.gz: the long description does not render as reStructuredText",
                "README line 6: Error: Unknown target name",
            ),
            METADATA_WHEEL: failed(
                "demo-1.2.3-py3-none-any.whl: the long description does not render",
                "README line 6: Error: Unknown target name",
            ),
        },
    ),
    Scenario(
        id="no-readme",
        edits=(replace("pyproject.toml", 'readme = "README.md"\n', ""),),
        expect={
            artifact: failed(
                "`Description-Content-Type` is missing",
                "the long description is missing",
                'readme = "README.md"',
            )
            for artifact in (METADATA_SDIST, METADATA_WHEEL)
        },
    ),
    # The changelog.
    Scenario(
        id="changelog-unreleased-not-renamed",
        changelog=changelog("## [Unreleased]\n\n- The `demo` command.", PREVIOUS_RELEASE),
        expect={
            "test_changelog_has_entry": failed(
                "CHANGELOG.md has no section for 1.2.3",
                "`[1.2.2] - 2026-01-01` (line 7)",
                "Rename `[Unreleased]` (line 3) to 1.2.3",
            )
        },
    ),
    Scenario(
        id="changelog-no-section",
        changelog=changelog(PREVIOUS_RELEASE),
        expect={
            "test_changelog_has_entry": failed(
                "CHANGELOG.md has no section for 1.2.3",
                "version headings found: `[1.2.2] - 2026-01-01` (line 3)",
                "Add a section such as `1.2.3 - YYYY-MM-DD`",
            )
        },
    ),
    Scenario(
        id="changelog-empty-section",
        changelog=changelog("## [1.2.3] - 2026-11-21\n\n### Added", PREVIOUS_RELEASE),
        expect={
            "test_changelog_has_entry": failed(
                "section `[1.2.3] - 2026-11-21` at CHANGELOG.md line 3 is empty"
            )
        },
    ),
    Scenario(
        id="changelog-placeholder",
        changelog=changelog("## [1.2.3] - 2026-11-21\n\nTBD", PREVIOUS_RELEASE),
        expect={"test_changelog_has_entry": failed("holds only a placeholder ('TBD')")},
    ),
    Scenario(
        id="no-changelog",
        edits=(remove("CHANGELOG.md"),),
        expect={
            "test_changelog_has_entry": failed(
                "no changelog found: looked for CHANGELOG/CHANGES/HISTORY/NEWS",
                "in the project root and docs/",
                "[tool.release-checks.waive]",
            )
        },
    ),
    Scenario(
        id="no-changelog-waived",
        edits=(
            remove("CHANGELOG.md"),
            append(
                "pyproject.toml",
                '[tool.release-checks.waive]\nchangelog-has-entry = "notes live on GitHub"',
            ),
        ),
        expect={
            "test_changelog_has_entry": skipped("waived in pyproject.toml: notes live on GitHub")
        },
    ),
    # The build.
    Scenario(
        id="build-fails-invalid-license",
        edits=(WRONG_LICENSE,),
        expect={
            "test_dists_build": failed(
                "the build backend failed to build the sdist",
                "Invalid license expression: 'MIT License'",
                "python -m build --sdist",
            ),
            **SKIPPED_FOR_BUILD,
        },
    ),
    Scenario(
        id="build-backend-typo",
        edits=(replace("pyproject.toml", '"hatchling.build"', '"hatchling.buildd"'),),
        expect={
            "test_dists_build": failed(
                "the build backend `hatchling.buildd` (pyproject.toml `[build-system] "
                "build-backend`) cannot be imported",
                "No module named 'hatchling.buildd'",
            ),
            **SKIPPED_FOR_BUILD,
        },
    ),
    Scenario(
        id="untagged-scm-build-fails",
        backend="setuptools-scm",
        tag=None,
        edits=(WRONG_LICENSE,),
        expect={
            "test_dists_build": failed(
                "the build backend failed to build the sdist", "`project.license`"
            ),
            "test_tag_is_pep440": skipped("see test_dists_build"),
            "test_head_carries_tag": skipped("see test_dists_build"),
            "test_changelog_has_entry": skipped("see test_dists_build"),
            **SKIPPED_FOR_BUILD,
        },
    ),
    # Prebuilt dists (--release-dist).
    Scenario(
        id="prebuilt-dists",
        prebuilt="built",
        # `=`: given as two words, pytest takes an absolute DIR outside the project for a
        # path argument and moves the rootdir up to a common ancestor of both.
        args=("--release-dist={prebuilt}",),
        gates=(
            "test_dists_build",
            "test_tag_is_pep440",
            "test_head_carries_tag",
            "test_versions_agree",
            "test_wheel_works_in_fresh_venv",
            "test_metadata_passes_twine_check[demo-1.2.3-py3-none-any.whl]",
            "test_metadata_passes_twine_check[demo-1.2.3.tar.gz]",
            "test_changelog_has_entry",
        ),
    ),
    Scenario(
        id="prebuilt-dir-empty",
        prebuilt="empty",
        args=("--release-dist={prebuilt}",),
        expect={
            "test_dists_build": failed("--release-dist", "it holds no .tar.gz or .whl file"),
            **SKIPPED_FOR_BUILD,
        },
    ),
]


def test_every_gate_fails_with_its_message_somewhere() -> None:
    checked = gates_shown_failing(SCENARIOS)
    assert set(GATES) <= checked


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
    run_scenario(scenario, pytester, project_root)
