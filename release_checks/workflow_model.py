"""GitHub Actions workflows as the release gates see them: jobs, steps, triggers, lines.

The workflows are those of the git repository holding the project: in a monorepo they live at
the repository root, not in the package directory (outside git, the project directory is
used). Reading is tolerant: a key with an unexpected type reads as absent, and what makes a
file unusable for GitHub is listed in `Workflow.problems` instead of raised. What a job does
is read from its steps: the actions it uses and the commands its scripts run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from release_checks import ci_commands
from release_checks.ci_commands import Command
from release_checks.errors import FactError
from release_checks.git import run_git
from release_checks.workflow_yaml import LineList, LineMap, YamlProblem, load_yaml

__all__ = [
    "PUBLISH_ACTION",
    "Job",
    "Problem",
    "Step",
    "Use",
    "Workflow",
    "action_name",
    "guarded",
    "load_workflows",
    "repository_root",
]

WORKFLOWS_DIR = ".github/workflows"
PUBLISH_ACTION = "pypa/gh-action-pypi-publish"
_BUILD_ACTIONS = (
    "hynek/build-and-inspect-python-package",
    "pypa/cibuildwheel",
    "pyo3/maturin-action",
)


def _text(value: object) -> str:
    """A scalar as text (numbers too: ``fetch-depth: 0``); anything else as ""."""
    if isinstance(value, bool) or value is None or isinstance(value, LineMap | LineList):
        return ""
    return str(value)


def _mapping(value: object, line: int) -> LineMap:
    return value if isinstance(value, LineMap) else LineMap(line)


def action_name(uses: str) -> str:
    """``PyPA/gh-action-pypi-publish@v1`` -> ``pypa/gh-action-pypi-publish`` (case-insensitive)."""
    return uses.partition("@")[0].strip().rstrip("/").lower()


def _is_action(uses: str, name: str) -> bool:
    action = action_name(uses)
    return action == name or action.startswith(name + "/")


@dataclass(frozen=True)
class Use:
    """Something a step does, where: an upload, a build or a test run."""

    step: Step
    line: int
    what: str


@dataclass(frozen=True)
class Step:
    """One step of a job: an action it uses or a script it runs."""

    raw: LineMap

    @property
    def line(self) -> int:
        """The line of the step's first key."""
        return self.raw.line

    @property
    def uses(self) -> str:
        """The action reference as written (``owner/repo@ref``), or ""."""
        return _text(self.raw.get("uses"))

    @property
    def run(self) -> str:
        """The shell script, or ""."""
        return _text(self.raw.get("run"))

    @property
    def inputs(self) -> LineMap:
        """The action's ``with:`` inputs."""
        return _mapping(self.raw.get("with"), self.raw.line_of("with"))

    @property
    def env(self) -> LineMap:
        """The step's ``env:``."""
        return _mapping(self.raw.get("env"), self.raw.line_of("env"))

    @property
    def condition(self) -> str:
        """The step's ``if:`` expression, or ""."""
        return _text(self.raw.get("if"))

    def uses_action(self, name: str) -> bool:
        """True when the step uses action `name` (``owner/repo``), at any ref or sub-path."""
        return bool(self.uses) and _is_action(self.uses, name)

    def commands(self) -> list[Command]:
        """The commands of the step's script."""
        return ci_commands.commands(self.run) if self.run else []

    def script_line(self, offset: int) -> int:
        """The file line of line `offset` of the script (exact for ``run: |`` blocks)."""
        return self.raw.text_line("run") + offset

    def script_lines(self) -> Iterator[tuple[int, str]]:
        """Each line of the script with its line in the file."""
        for offset, text in enumerate(self.run.splitlines()):
            yield self.script_line(offset), text


@dataclass(frozen=True)
class Job:
    """One job: its id, its line, its settings and its steps."""

    id: str
    raw: LineMap
    line: int
    steps: tuple[Step, ...]

    @property
    def name(self) -> str:
        """The display name, or ""."""
        return _text(self.raw.get("name"))

    @property
    def needs(self) -> tuple[str, ...]:
        """The jobs this one needs (``needs: build`` and ``needs: [build, test]`` alike)."""
        needs = self.raw.get("needs")
        if isinstance(needs, list):
            return tuple(_text(item) for item in needs if _text(item))
        return (_text(needs),) if _text(needs) else ()

    @property
    def uses(self) -> str:
        """The reusable workflow this job calls, or ""."""
        return _text(self.raw.get("uses"))

    @property
    def condition(self) -> str:
        """The job's ``if:`` expression, or ""."""
        return _text(self.raw.get("if"))

    @property
    def env(self) -> LineMap:
        """The job's ``env:``."""
        return _mapping(self.raw.get("env"), self.raw.line_of("env"))

    def uploads(self) -> list[Use]:
        """The steps that upload to a package index, with the tool they use."""
        found = []
        for step in self.steps:
            if step.uses_action(PUBLISH_ACTION):
                found.append(Use(step, step.raw.line_of("uses"), PUBLISH_ACTION))
            for command in step.commands():
                tool = ci_commands.publish_command(command)
                if tool is not None:
                    found.append(Use(step, step.script_line(command.offset), tool))
        return found

    def builds(self) -> list[Use]:
        """The steps that build distributions, with what they build with."""
        found = []
        for step in self.steps:
            action = next((name for name in _BUILD_ACTIONS if step.uses_action(name)), None)
            if action is not None and _builds_with_action(step, action):
                found.append(Use(step, step.raw.line_of("uses"), action))
            for command in step.commands():
                what = ci_commands.build_command(command)
                if what is not None:
                    found.append(Use(step, step.script_line(command.offset), what))
        return found

    def tests(self) -> list[Use]:
        """The steps that run the tests or the release gates."""
        return [
            Use(step, step.script_line(command.offset), command.text)
            for step in self.steps
            for command in step.commands()
            if ci_commands.test_command(command) is not None
        ]

    def downloads_artifact(self) -> bool:
        """True when a step fetches files another job made: an artifact or a release's assets."""
        for step in self.steps:
            if "download-artifact" in action_name(step.uses):
                return True
            for command in step.commands():
                if command.words[:1] == ("gh",) and command.words[2:3] == ("download",):
                    return True
        return False


def _builds_with_action(step: Step, action: str) -> bool:
    """maturin-action builds unless its ``command`` says otherwise (``upload``, ``publish``)."""
    if action != "pyo3/maturin-action":
        return True
    return _text(step.inputs.get("command")) in ("", "build", "sdist")


@dataclass(frozen=True)
class Problem:
    """What keeps GitHub from running a workflow as written, and where."""

    line: int
    message: str


@dataclass(frozen=True)
class Workflow:
    """One workflow file: its path from the repository root, its content, its problems."""

    path: str
    raw: LineMap = field(default_factory=lambda: LineMap(1))
    jobs: dict[str, Job] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def name(self) -> str:
        """The file name (``release.yml``): what gates are parametrized by."""
        return Path(self.path).name

    @property
    def permissions(self) -> object:
        """The workflow-level ``permissions:`` (a mapping, ``write-all``...), or None."""
        return self.raw.get("permissions")

    @property
    def env(self) -> LineMap:
        """The workflow-level ``env:``."""
        return _mapping(self.raw.get("env"), self.raw.line_of("env"))

    def triggers(self) -> dict[str, tuple[object, int]]:
        """Each event of ``on:`` with its settings and line, whatever the spelling.

        ``on: push``, ``on: [push, release]`` and the mapping form all give
        ``{"push": (settings or None, line)}``.
        """
        on = self.raw.get("on")
        line = self.raw.line_of("on")
        if isinstance(on, str):
            return {on: (None, line)}
        if isinstance(on, LineList):
            return {_text(event): (None, on.line_at(i)) for i, event in enumerate(on)}
        if isinstance(on, LineMap):
            return {event: (value, on.line_of(event)) for event, value in on.items()}
        return {}

    def publish_jobs(self) -> list[Job]:
        """The jobs that upload to a package index."""
        return [job for job in self.jobs.values() if job.uploads()]

    def needed_by(self, job: Job) -> list[Job]:
        """Every job `job` needs, directly or through other jobs, nearest first."""
        seen: dict[str, Job] = {}
        queue = list(job.needs)
        while queue:
            name = queue.pop(0)
            needed = self.jobs.get(name)
            if needed is not None and name not in seen and name != job.id:
                seen[name] = needed
                queue.extend(needed.needs)
        return list(seen.values())


def repository_root(root: Path) -> Path:
    """The top of the git work tree holding `root`; `root` itself outside git."""
    try:
        top = run_git(root, "rev-parse", "--show-toplevel").strip()
    except FactError:
        return root
    return Path(top) if top else root


def _steps(raw: LineMap, job_id: str, problems: list[Problem]) -> tuple[Step, ...]:
    steps = raw.get("steps")
    if steps is None:
        return ()
    if not isinstance(steps, LineList):
        problems.append(
            Problem(raw.line_of("steps"), f"job `{job_id}`: `steps` must be a list of steps")
        )
        return ()
    found = []
    for index, step in enumerate(steps):
        if isinstance(step, LineMap):
            found.append(Step(step))
        else:
            problems.append(
                Problem(steps.line_at(index), f"job `{job_id}`: a step must be a mapping")
            )
    return tuple(found)


def _jobs(raw_jobs: object, line: int, problems: list[Problem]) -> dict[str, Job]:
    if not isinstance(raw_jobs, LineMap):
        problems.append(Problem(line, "`jobs` must be a mapping of job ids"))
        return {}
    jobs: dict[str, Job] = {}
    for job_id, raw in raw_jobs.items():
        if isinstance(raw, LineMap):
            steps = _steps(raw, job_id, problems)
            jobs[job_id] = Job(job_id, raw, raw_jobs.line_of(job_id), steps)
        else:
            problems.append(Problem(raw_jobs.line_of(job_id), f"job `{job_id}` must be a mapping"))
    problems.extend(
        Problem(
            job.raw.line_of("needs"),
            f"job `{job.id}` needs `{needed}`, which this workflow does not define",
        )
        for job in jobs.values()
        for needed in job.needs
        if needed not in jobs
    )
    return jobs


def _read(path: str, text: str) -> Workflow:
    loaded = load_yaml(text)
    if isinstance(loaded, YamlProblem):
        return Workflow(
            path=path,
            problems=(Problem(loaded.line, f"not valid YAML: {loaded.message}"),),
        )
    if loaded is None:
        return Workflow(path=path, problems=(Problem(1, "the file is empty"),))
    if not isinstance(loaded, LineMap):
        return Workflow(
            path=path, problems=(Problem(1, "the file is not a mapping of workflow keys"),)
        )
    problems: list[Problem] = []
    if "on" not in loaded:
        problems.append(Problem(1, "there is no `on:` key, so no event ever starts it"))
    jobs = _jobs(loaded.get("jobs"), loaded.line_of("jobs"), problems)
    return Workflow(path=path, raw=loaded, jobs=jobs, problems=tuple(problems))


def _relative(path: Path, top: Path) -> str:
    try:
        return path.relative_to(top).as_posix()
    except ValueError:
        return path.as_posix()


def load_workflows(root: Path) -> list[Workflow]:
    """Every ``.github/workflows/*.yml`` and ``*.yaml`` of the repository holding `root`."""
    top = repository_root(root)
    directory = top / WORKFLOWS_DIR
    if not directory.is_dir():
        return []
    try:
        paths = sorted(directory.iterdir())
    except OSError:
        return []
    workflows = []
    for path in paths:
        if path.suffix not in (".yml", ".yaml") or not path.is_file():
            continue
        relative = _relative(path, top)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            line = path.read_bytes()[: error.start].count(b"\n") + 1
            workflows.append(Workflow(path=relative, problems=(Problem(line, "not UTF-8"),)))
            continue
        except OSError as error:
            workflows.append(
                Workflow(path=relative, problems=(Problem(1, f"unreadable: {error.strerror}"),))
            )
            continue
        workflows.append(_read(relative, text))
    return workflows


_GUARD = re.compile(
    r"refs/tags/|ref_type\s*==\s*['\"]tag['\"]"
    r"|event_name\s*==\s*['\"](?:release|workflow_dispatch)['\"]"
)


def guarded(condition: str) -> bool:
    """True when an ``if:`` lets a job or step run only for a tag, a release or a dispatch."""
    return bool(_GUARD.search(condition))
