"""Our own workflows and the one `release-checks init` writes pass the checks we ask users for.

Three independent checks: our own workflow gates (`release_checks.workflows`), zizmor's
security audit (offline, no high-severity finding) and GitHub's workflow schema
(check-jsonschema's bundled copy, so no network either).
"""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factory import Backend, make_project

REPOSITORY = Path(__file__).resolve().parent.parent
OURS = ("ci.yml", "release.yml")
INIT_BACKENDS: tuple[Backend, ...] = ("hatchling", "setuptools-scm")
PINNED = re.compile(r"[\w./-]+@[0-9a-f]{40}  # v\d+(\.\d+)+")


def tool(name: str) -> str:
    """A console script of the test extra, installed next to this interpreter."""
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return str(path)


def run(*command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Backend], Path]:
    """A fresh sample project into which `release-checks init` wrote its workflow, by backend."""
    made: dict[Backend, Path] = {}

    def make(backend: Backend) -> Path:
        if backend not in made:
            project = make_project(tmp_path_factory.mktemp(f"init-{backend}"), backend)
            done = run(sys.executable, "-m", "release_checks.cli", "init", cwd=project.root)
            assert done.returncode == 0, done.stderr
            made[backend] = project.root
        return made[backend]

    return make


def workflow_files(root: Path, names: tuple[str, ...]) -> list[Path]:
    return [root / ".github" / "workflows" / name for name in names]


@pytest.fixture(params=["ours", *(f"init-{backend}" for backend in INIT_BACKENDS)])
def checked(
    request: pytest.FixtureRequest, initialised: Callable[[Backend], Path]
) -> tuple[Path, list[Path]]:
    """A repository root and the workflow files of it to check."""
    if request.param == "ours":
        return REPOSITORY, workflow_files(REPOSITORY, OURS)
    backend = next(b for b in INIT_BACKENDS if request.param == f"init-{b}")
    root = initialised(backend)
    return root, workflow_files(root, ("release.yml",))


def test_workflow_gates_find_nothing(checked: tuple[Path, list[Path]]) -> None:
    from release_checks.workflows import check_workflows  # noqa: PLC0415

    root, _ = checked
    findings = [f"{f.file}:{f.line}: [{f.rule}] {f.message}" for f in check_workflows(root)]
    assert findings == []


def test_zizmor_finds_no_high_severity_problem(checked: tuple[Path, list[Path]]) -> None:
    root, files = checked
    done = run(
        tool("zizmor"),
        "--offline",
        "--no-config",
        "--min-severity=high",
        "--format=plain",
        "--color=never",
        *map(str, files),
        cwd=root,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_check_catches_a_template_injection(
    initialised: Callable[[Backend], Path], tmp_path: Path
) -> None:
    """The check above can fail: a commit message expanded into a script is a high finding."""
    text = (initialised("hatchling") / ".github/workflows/release.yml").read_text(encoding="utf-8")
    injected = text.replace('notes "$TAG"', 'notes "${{ github.event.head_commit.message }}"')
    assert injected != text
    workflow = tmp_path / "release.yml"
    workflow.write_text(injected, encoding="utf-8")
    done = run(
        tool("zizmor"),
        "--offline",
        "--no-config",
        "--min-severity=high",
        str(workflow),
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert "template-injection" in done.stdout


def test_workflows_match_githubs_schema(checked: tuple[Path, list[Path]]) -> None:
    root, files = checked
    done = run(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *map(str, files),
        cwd=root,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _pins(text: str) -> set[tuple[str, str]]:
    return set(re.findall(r"uses: (\S+@[0-9a-f]{40})  # (v[\d.]+)", text))


def _job_graph(text: str) -> list[tuple[str, object]]:
    """Each job id, in order, with what it needs."""
    import yaml  # noqa: PLC0415 - a test-time dependency of the workflow checks

    jobs = yaml.safe_load(text)["jobs"]
    return [(job, settings.get("needs")) for job, settings in jobs.items()]


@pytest.mark.parametrize("backend", INIT_BACKENDS)
def test_our_release_workflow_and_inits_stay_alike(
    initialised: Callable[[Backend], Path], backend: Backend
) -> None:
    ours = (REPOSITORY / ".github/workflows/release.yml").read_text(encoding="utf-8")
    theirs = (initialised(backend) / ".github/workflows/release.yml").read_text(encoding="utf-8")
    assert _pins(ours) == _pins(theirs), "update the action pins in both"
    assert _job_graph(ours) == _job_graph(theirs), "keep the jobs and their order alike"
    assert [job for job, _ in _job_graph(ours)] == [
        "build",
        "gate",
        "publish-test",
        "test-install",
        "publish",
        "github-release",
    ]


def test_every_action_is_pinned_to_a_commit() -> None:
    for path in workflow_files(REPOSITORY, OURS):
        uses = re.findall(r"uses: (.*)", path.read_text(encoding="utf-8"))
        pinned = [
            use for use in uses if re.fullmatch(r"[\w./-]+@[0-9a-f]{40}  # v\d+(\.\d+)+", use)
        ]
        assert uses, path
        assert pinned == uses, f"{path.name}: pin by full commit SHA with a `# vX.Y.Z` comment"
