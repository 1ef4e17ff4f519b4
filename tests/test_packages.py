"""Workspaces: several packages in one repository, each checked as its own release.

Unit tests for the ``packages`` globs, the merged settings and the per-package tag choice;
end-to-end runs over a real git repository holding small real packages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from packaging.version import Version

from release_checks.context import choose_tag
from release_checks.dist_dir import inspect_dist_dir
from release_checks.errors import ConfigError
from release_checks.workspace import (
    find_members,
    find_workspace_table,
    merged_pyproject,
    package_dirs,
)
from tests.factory import FixtureProject, make_project
from tests.scenarios import INNER_RUN_TIMEOUT, build_dists_into, read_junit

OFFLINE = ("-m", "release and not network")


def _package(root: Path, relative: str, text: str = "[project]\nname = 'x'\n") -> Path:
    directory = root / relative
    directory.mkdir(parents=True)
    (directory / "pyproject.toml").write_text(text, encoding="utf-8")
    return directory


# The `packages` globs


def test_globs_match_package_directories_in_order(tmp_path: Path) -> None:
    b = _package(tmp_path, "packages/b")
    a = _package(tmp_path, "packages/a")
    cli = _package(tmp_path, "tools/cli")
    (tmp_path / "packages" / "README.md").write_text("not a package\n", encoding="utf-8")
    (tmp_path / "packages" / ".cache").mkdir()
    found = package_dirs(tmp_path, ("packages/*", "tools/cli", "packages/a"))
    assert found == [a.resolve(), b.resolve(), cli.resolve()]


def test_dot_names_the_workspace_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    assert package_dirs(tmp_path, (".",)) == [tmp_path.resolve()]


def test_a_glob_matching_nothing_is_a_config_error(tmp_path: Path) -> None:
    _package(tmp_path, "packages/a")
    with pytest.raises(ConfigError, match=r"entry 'libs/\*' matches no directory"):
        package_dirs(tmp_path, ("packages/*", "libs/*"))


def test_a_match_without_pyproject_is_a_config_error(tmp_path: Path) -> None:
    _package(tmp_path, "packages/a")
    (tmp_path / "packages" / "docs").mkdir()
    with pytest.raises(ConfigError) as caught:
        package_dirs(tmp_path, ("packages/*",))
    assert "matches" in str(caught.value)
    assert str(tmp_path / "packages" / "docs") in str(caught.value)
    assert "has no pyproject.toml" in str(caught.value)


@pytest.mark.parametrize("pattern", ["../elsewhere", "/abs/packages"])
def test_patterns_stay_inside_the_workspace(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(ConfigError, match="relative to the workspace root"):
        package_dirs(tmp_path, (pattern,))


def test_package_settings_lie_over_the_roots(tmp_path: Path) -> None:
    root = {"tool": {"release-checks": {"packages": ["*"], "index": "https://x/simple/"}}}
    own = {"project": {"name": "a"}, "tool": {"release-checks": {"tag-prefix": "a-v"}}}
    merged = merged_pyproject(root, own, tmp_path / "pyproject.toml")
    assert merged["tool"]["release-checks"] == {"index": "https://x/simple/", "tag-prefix": "a-v"}
    assert merged["project"] == {"name": "a"}
    nested = {"tool": {"release-checks": {"packages": ["*"]}}}
    with pytest.raises(ConfigError, match=r"workspace root's pyproject\.toml only"):
        merged_pyproject(root, nested, tmp_path / "pyproject.toml")


def test_two_packages_with_one_name_are_a_config_error(tmp_path: Path) -> None:
    _package(tmp_path, "a", "[project]\nname = 'Same_Name'\n")
    _package(tmp_path, "b", "[project]\nname = 'same-name'\n")
    with pytest.raises(ConfigError, match="two packages named 'same-name'"):
        find_members(tmp_path, {}, ("*",))


def test_ids_are_normalized_names_else_directories(tmp_path: Path) -> None:
    _package(tmp_path, "a", "[project]\nname = 'My_Lib'\n")
    _package(tmp_path, "tool", "[project]\ndynamic = ['name']\n")
    assert [member.id for member in find_members(tmp_path, {}, ("*",))] == ["my-lib", "tool"]


def test_a_package_finds_the_workspace_that_lists_it(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.release-checks]\npackages = ["packages/*"]\n', encoding="utf-8"
    )
    listed = _package(tmp_path, "packages/a")
    unlisted = _package(tmp_path, "other/b")
    found = find_workspace_table(listed)
    assert found is not None
    assert found[0] == tmp_path
    assert find_workspace_table(unlisted) is None


# Tags: each package its own prefix


@pytest.fixture
def tagged_repo(tmp_path: Path) -> Path:
    project = make_project(tmp_path, tag=None)
    for tag in ("pkg-a-v1.0.0", "pkg-b-v2.0.0", "v9.9.9"):
        project.tag(tag)
    return tmp_path


def test_a_package_takes_its_own_prefixed_tag_at_head(tagged_repo: Path) -> None:
    for prefix, expected in (("pkg-a-v", "pkg-a-v1.0.0"), ("pkg-b-v", "pkg-b-v2.0.0")):
        choice = choose_tag(tagged_repo, None, {}, prefix, own_prefix_only=True)
        assert choice is not None
        assert choice.name == expected


def test_another_packages_tag_build_is_passed_over(tagged_repo: Path) -> None:
    ci = {"GITHUB_REF_TYPE": "tag", "GITHUB_REF_NAME": "pkg-a-v1.0.0"}
    own = choose_tag(tagged_repo, None, ci, "pkg-a-v", own_prefix_only=True)
    other = choose_tag(tagged_repo, "pkg-a-v1.0.0", {}, "pkg-b-v", own_prefix_only=True)
    assert own is not None
    assert (own.name, own.source) == ("pkg-a-v1.0.0", "GitHub Actions tag build")
    assert other is not None
    assert other.name == "pkg-b-v2.0.0"
    assert other.source.startswith("at HEAD")
    # a lone project keeps today's choice: the option wins, its prefix judged by a gate
    lone = choose_tag(tagged_repo, "pkg-a-v1.0.0", {}, "pkg-b-v")
    assert lone is not None
    assert lone.name == "pkg-a-v1.0.0"


def test_a_shared_dist_dir_leaves_the_siblings_files_alone(tmp_path: Path) -> None:
    for name in (
        "pkg_a-1.0.tar.gz",
        "pkg_a-1.0-py3-none-any.whl",
        "pkg_b-2.0.tar.gz",
        "pkg_b-2.0-py3-none-any.whl",
        "pkg_b-2.0.tar.gz.asc",
        "other-1.0.tar.gz",
    ):
        (tmp_path / name).write_bytes(b"")
    found = inspect_dist_dir(tmp_path, "pkg-a", Version("1.0"), siblings=("pkg-b",))
    assert found.sdists == ("pkg_a-1.0.tar.gz",)
    assert found.wheels == ("pkg_a-1.0-py3-none-any.whl",)
    assert [stray.name for stray in found.strays] == ["other-1.0.tar.gz"]


# End to end: a workspace of real packages in one git repository

NAMES = ("pkg-a", "pkg-b")


def make_workspace(root: Path, names: tuple[str, ...] = NAMES) -> FixtureProject:
    """A git repository whose root lists `packages/*`: one hatchling project per name, each
    tagged with its own prefix (``pkg-a-v1.2.3``)."""
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[tool.release-checks]\npackages = ["packages/*"]\nrelease-branch = "main"\n',
        encoding="utf-8",
    )
    for name in names:
        package = make_project(root / "packages" / name, name=name, tag=None)
        package.append("pyproject.toml", f'\n[tool.release-checks]\ntag-prefix = "{name}-v"\n')
        shutil.rmtree(package.root / ".git")
    workspace = FixtureProject(root=root, name="workspace", module="workspace", package_dir=root)
    workspace.git("init", "-q", "-b", "main")
    workspace.commit("Initial commit")
    for name in names:
        workspace.tag(f"{name}-v1.2.3")
    return workspace


def run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, str]]:
    """Run pytest in the current directory; the outcome of each gate item by name."""
    report = pytester.path / "report.xml"
    report.unlink(missing_ok=True)
    result = pytester.runpytest_subprocess(
        f"--junit-xml={report}", "-p", "no:cacheprovider", *args, timeout=INNER_RUN_TIMEOUT
    )
    outcomes = (
        {name: str(gate.outcome) for name, gate in read_junit(report).items()}
        if report.exists()
        else {}
    )
    return result, outcomes


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one-process", "xdist"])
def test_every_package_passes(
    pytester: pytest.Pytester, project_root: Path, workers: tuple[str, ...]
) -> None:
    make_workspace(project_root)
    result, outcomes = run(pytester, *OFFLINE, *workers)
    assert result.ret == 0, result.stdout.str()
    assert "test_versions_agree[pkg-a]" in outcomes
    assert "test_versions_agree[pkg-b]" in outcomes
    assert "test_metadata_passes_twine_check[pkg-b-sdist]" in outcomes
    assert "test_metadata_passes_twine_check[pkg-a-wheel]" in outcomes
    assert set(outcomes.values()) <= {"passed", "skipped"}
    ids = {name.partition("[")[2].rstrip("]") for name in outcomes}
    assert all(i.startswith(NAMES) for i in ids if i and not i.endswith((".yml", ".yaml"))), ids
    # each gate once per package, no more
    per_gate: dict[str, set[str]] = {}
    for name in outcomes:
        per_gate.setdefault(name.partition("[")[0], set()).add(name)
    assert len(per_gate["test_tag_is_pep440"]) == len(NAMES)
    assert len(per_gate["test_dists_build"]) == len(NAMES)


def test_a_defect_fails_only_its_package(
    pytester: pytest.Pytester, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = make_workspace(project_root)
    workspace.git("tag", "-d", "pkg-b-v1.2.3")
    workspace.tag("pkg-b-v1.2.4")  # pkg-b still says 1.2.3
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project_root))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(pytester.path / "summary.md"))
    report_path = pytester.path / "report.json"
    result, outcomes = run(pytester, *OFFLINE, f"--release-report={report_path}")
    assert result.ret == 1
    failing = sorted(name for name, outcome in outcomes.items() if outcome == "failed")
    assert failing == [
        "test_changelog_has_entry[pkg-b]",
        "test_versions_agree[pkg-b]",
        "test_wheel_works_in_fresh_venv[pkg-b]",
    ]
    assert outcomes["test_versions_agree[pkg-a]"] == "passed"
    stdout = result.stdout.str()
    assert "the release version is 1.2.4 (from tag pkg-b-v1.2.4" in stdout
    assert "pkg_b-1.2.3.tar.gz (PKG-INFO Version): 1.2.3" in stdout
    # the report, the step summary and the annotations describe each package, and point
    # into the package a failure is about
    report = json.loads(report_path.read_text(encoding="utf-8"))
    releases = {p["package"]: (p["version"], p["tag"]["name"]) for p in report["packages"]}
    assert releases == {"pkg-a": ("1.2.3", "pkg-a-v1.2.3"), "pkg-b": ("1.2.4", "pkg-b-v1.2.4")}
    gates = {gate["nodeid"]: gate for gate in report["gates"]}
    location = gates["pyproject.toml::test_versions_agree[pkg-b]"]["location"]
    assert location["file"] == "packages/pkg-b/pyproject.toml"
    assert "release-checks: [pkg-b] pkg-b 1.2.4 · tag pkg-b-v1.2.4" in stdout
    assert "- [pkg-a] pkg-a 1.2.3 · tag pkg-a-v1.2.3" in (pytester.path / "summary.md").read_text(
        encoding="utf-8"
    )
    assert (
        f"::error file=packages/pkg-b/pyproject.toml,line={location['line']},"
        "title=release gate pyproject.toml%3A%3Atest_versions_agree[pkg-b]::"
    ) in stdout


def test_one_package_is_selected(pytester: pytest.Pytester, project_root: Path) -> None:
    make_workspace(project_root, ("pkg-a", "pkg-b", "pkg-c"))
    result, outcomes = run(pytester, *OFFLINE, "--release-package", "pkg-b")
    assert result.ret == 0, result.stdout.str()
    assert outcomes
    assert all("pkg-a" not in name and "pkg-c" not in name for name in outcomes), outcomes
    assert "test_versions_agree[pkg-b]" in outcomes
    result, outcomes = run(pytester, *OFFLINE, "-k", "pkg-c")
    assert result.ret == 0, result.stdout.str()
    assert outcomes
    assert all("[pkg-c" in name for name in outcomes)
    result, _ = run(pytester, *OFFLINE, "--release-package", "pkg-z")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--release-package pkg-z: no such package here; packages: pkg-a*"]
    )


def test_node_id_rerun_of_one_packages_gate(pytester: pytest.Pytester, project_root: Path) -> None:
    make_workspace(project_root)
    result, outcomes = run(pytester, "pyproject.toml::test_versions_agree[pkg-b]")
    assert result.ret == 0, result.stdout.str()
    assert outcomes == {"test_versions_agree[pkg-b]": "passed"}


def test_inside_a_package_only_that_package_is_checked(
    pytester: pytest.Pytester, project_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_workspace(project_root)
    monkeypatch.chdir(project_root / "packages" / "pkg-a")
    result = pytester.runpytest_subprocess(
        *OFFLINE, "-p", "no:cacheprovider", "-k", "versions_agree", timeout=INNER_RUN_TIMEOUT
    )
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["PASSED pyproject.toml::test_versions_agree - *"])
    result.stdout.no_fnmatch_line("*pkg-b*")


def test_a_shared_dist_dir(pytester: pytest.Pytester, project_root: Path) -> None:
    workspace = make_workspace(project_root)
    dist = pytester.path / "dist"
    for name in NAMES:
        build_dists_into(
            FixtureProject(
                root=workspace.root / "packages" / name,
                name=name,
                module="",
                package_dir=workspace.root,
            ),
            dist,
        )
    result, outcomes = run(pytester, *OFFLINE, f"--release-dist={dist}")
    assert result.ret == 0, result.stdout.str()
    assert outcomes["test_dist_dir_holds_only_this_release[pkg-a]"] == "passed"
    assert "test_metadata_passes_twine_check[pkg-b-pkg_b-1.2.3.tar.gz]" in outcomes
    assert "test_metadata_passes_twine_check[pkg-a-pkg_a-1.2.3-py3-none-any.whl]" in outcomes
    (dist / "pkg_a-1.2.2-py3-none-any.whl").write_bytes(
        (dist / "pkg_a-1.2.3-py3-none-any.whl").read_bytes()
    )
    result, outcomes = run(pytester, *OFFLINE, f"--release-dist={dist}", "-k", "dist_dir")
    assert outcomes == {
        "test_dist_dir_holds_only_this_release[pkg-a]": "failed",
        "test_dist_dir_holds_only_this_release[pkg-b]": "passed",
    }
    result.stdout.fnmatch_lines(["*pkg_a-1.2.2-py3-none-any.whl: version 1.2.2, not the release*"])


def test_a_glob_matching_nothing_stops_the_run(
    pytester: pytest.Pytester, project_root: Path
) -> None:
    make_workspace(project_root)
    text = (project_root / "pyproject.toml").read_text(encoding="utf-8")
    (project_root / "pyproject.toml").write_text(
        text.replace('["packages/*"]', '["packages/*", "libs/*"]'), encoding="utf-8"
    )
    result = pytester.runpytest_subprocess(*OFFLINE, "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*`tool.release-checks.packages` entry 'libs/*' matches no directory*"]
    )
    assert "Traceback" not in result.stderr.str()
