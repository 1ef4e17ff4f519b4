"""Is the release workflow safe? Findings on the jobs of ``.github/workflows`` that publish.

A job publishes when it uses ``pypa/gh-action-pypi-publish`` or runs ``twine upload``,
``uv publish``, ``hatch publish``, ``flit publish``, ``poetry publish`` or ``pdm publish``.
Each such job must: upload through Trusted Publishing, not a password or token (rule
`trusted-publishing`); hold ``id-token: write`` itself, never through the workflow level
(`id-token-job-only`); need, directly or through other jobs, a job that runs the tests or the
release gates (`needs-tests`); upload dists another job built and handed over as an artifact
(`no-build-in-publish`); run in a deployment environment (`environment`); sit in a workflow
started by tags, releases or by hand, never by pull requests (`release-triggers`), that is not
a reusable workflow (`not-reusable`). When the version comes from git, checkouts that feed a
build fetch the whole history (`full-history`). Any workflow file GitHub cannot run is a
finding too (`workflow-valid`).

"Runs the tests" is read from the job's steps: a command running pytest (``pytest -m
release`` included), ``release-checks``, tox, nox, unittest, ``hatch test``, ``make test``
(or ``just``/``task``/``invoke``) or a project script named like ``test``/``tests``/``check``
(``hatch run test:cov``). A job that calls a reusable workflow of this repository runs the
tests when a job of that workflow does; one that calls another repository's workflow, whose
steps cannot be read here, counts when its id or name says test, check, gate, ci or verify.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release_checks.records import Record
from release_checks.workflow_model import (
    PUBLISH_ACTION,
    Job,
    Workflow,
    guarded,
    load_workflows,
)
from release_checks.workflow_yaml import LineMap

__all__ = [
    "ENVIRONMENT",
    "FULL_HISTORY",
    "ID_TOKEN_JOB_ONLY",
    "NEEDS_TESTS",
    "NOT_REUSABLE",
    "NO_BUILD_IN_PUBLISH",
    "RELEASE_TRIGGERS",
    "RULES",
    "TRUSTED_PUBLISHING",
    "WORKFLOW_VALID",
    "Finding",
    "check_workflows",
    "load_workflows",
    "version_from_vcs",
]

WORKFLOW_VALID = "workflow-valid"
TRUSTED_PUBLISHING = "trusted-publishing"
ID_TOKEN_JOB_ONLY = "id-token-job-only"  # noqa: S105 - a rule id, not a token
NEEDS_TESTS = "needs-tests"
NO_BUILD_IN_PUBLISH = "no-build-in-publish"
ENVIRONMENT = "environment"
RELEASE_TRIGGERS = "release-triggers"
NOT_REUSABLE = "not-reusable"
FULL_HISTORY = "full-history"
RULES = (
    WORKFLOW_VALID,
    TRUSTED_PUBLISHING,
    ID_TOKEN_JOB_ONLY,
    NEEDS_TESTS,
    NO_BUILD_IN_PUBLISH,
    ENVIRONMENT,
    RELEASE_TRIGGERS,
    NOT_REUSABLE,
    FULL_HISTORY,
)


@dataclass(frozen=True, kw_only=True)
class Finding(Record):
    """One rule broken at one line of one workflow file (path from the repository root)."""

    rule: str
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _finding(rule: str, workflow: Workflow, line: int, message: str) -> Finding:
    return Finding(rule=rule, file=workflow.path, line=line, message=message)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _jobs(jobs: Sequence[Job]) -> str:
    return ", ".join(f"`{job.id}`" for job in jobs)


def _publish(jobs: Sequence[Job]) -> str:
    """Say "job `a` publishes" or "jobs `a`, `b` publish"."""
    return f"job {_jobs(jobs)} publishes" if len(jobs) == 1 else f"jobs {_jobs(jobs)} publish"


# Trusted Publishing

_SECRET = re.compile(r"\bsecrets\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*['\"]([^'\"]+)['\"]\s*\])")
_MINTED = re.compile(r"^\$\{\{\s*(?:steps|needs|jobs)\.[^}]*\}\}$")  # a token minted earlier
_GITHUB_TOKEN = re.compile(
    r"^\$\{\{\s*(?:secrets\.GITHUB_TOKEN|github\.token)\s*\}\}$", re.IGNORECASE
)
_PYPI_TOKEN = re.compile(r"\bpypi-Ag[\w-]{16,}")
_CREDENTIAL_ENV = re.compile(
    r"^(?:TWINE_PASSWORD|UV_PUBLISH_(?:TOKEN|PASSWORD)|POETRY_PYPI_TOKEN_\w+"
    r"|POETRY_HTTP_BASIC_\w+_PASSWORD|FLIT_PASSWORD|HATCH_INDEX_AUTH|PDM_PUBLISH_PASSWORD)$"
    r"|(?:PYPI|INDEX|PUBLISH|TWINE|UPLOAD).*(?:TOKEN|PASSWORD|AUTH|KEY|SECRET)",
    re.IGNORECASE,
)
_CREDENTIAL_WORDS = re.compile(r"pypi|twine|token|passw|auth|publish|upload", re.IGNORECASE)
_LEAKS = (
    "a long-lived upload token can leak from any step of any job that sees it, and publishes "
    "until someone revokes it"
)
_FIX_ACTION = (
    "fix: add this workflow as a Trusted Publisher of the project on the index, delete the "
    "`password` input (the action then trades the job's OIDC token for a short-lived one), "
    "and revoke the token"
)
_FIX_COMMAND = (
    "fix: add this workflow as a Trusted Publisher of the project on the index, upload with "
    f"{PUBLISH_ACTION} (or `uv publish`, which uses Trusted Publishing on GitHub Actions) "
    "without the credential, and revoke the token"
)


def _secrets(text: str) -> list[str]:
    names = [dotted or quoted for dotted, quoted in _SECRET.findall(text)]
    return [name for name in names if name.upper() != "GITHUB_TOKEN"]


def _credential(value: object) -> str | None:
    """How a value passes an index credential, or None (empty, GITHUB_TOKEN, a minted token)."""
    text = _text(value) if not isinstance(value, int | float) else str(value)
    if not text:
        return None
    names = _secrets(text)
    if names:
        return f"the secret `{names[0]}`"
    if "${{" not in text:
        return "a credential written into the workflow file"
    if _MINTED.match(text) or _GITHUB_TOKEN.match(text):
        return None
    return f"`{text}`"


def _env_credentials(workflow: Workflow, who: str, env: LineMap, scope: str) -> list[Finding]:
    """Credential variables (``TWINE_PASSWORD``...) set from a secret or a literal."""
    found = []
    for name, value in env.items():
        what = _credential(value) if _CREDENTIAL_ENV.search(name) else None
        if what is not None:
            found.append(
                _finding(
                    TRUSTED_PUBLISHING,
                    workflow,
                    env.line_of(name),
                    f"{who} {what} as `{name}` ({scope}-level `env`): {_LEAKS}; {_FIX_COMMAND}",
                )
            )
    return found


def _trusted_publishing(workflow: Workflow, job: Job) -> list[Finding]:
    found = []
    for use in job.uploads():
        inputs = use.step.inputs
        what = _credential(inputs.get("password")) if use.what == PUBLISH_ACTION else None
        if what is not None:
            found.append(
                _finding(
                    TRUSTED_PUBLISHING,
                    workflow,
                    inputs.line_of("password"),
                    f"job `{job.id}` uploads with {what} (the `password` input of "
                    f"{PUBLISH_ACTION}): {_LEAKS}; {_FIX_ACTION}",
                )
            )
    scopes = [("job", job.env)] + [("step", step.env) for step in job.steps]
    for scope, env in scopes:
        found.extend(_env_credentials(workflow, f"job `{job.id}` gets", env, scope))
    for step in job.steps:
        for line, text in step.script_lines():
            names = _secrets(text)
            if names and _CREDENTIAL_WORDS.search(text):
                what = f"passes the secret `{names[0]}` on the command line"
            elif _PYPI_TOKEN.search(text):
                what = "has an upload token written into its script"
            else:
                continue
            found.append(
                _finding(
                    TRUSTED_PUBLISHING,
                    workflow,
                    line,
                    f"job `{job.id}` {what}: {_LEAKS}; {_FIX_COMMAND}",
                )
            )
    return found


# id-token: write


def _grants_id_token(permissions: object) -> bool:
    if isinstance(permissions, str):
        return permissions.strip() == "write-all"
    if isinstance(permissions, LineMap):
        return _text(permissions.get("id-token")) == "write"
    return False


def _id_token(workflow: Workflow, jobs: Sequence[Job]) -> list[Finding]:
    found = []
    at_top = _grants_id_token(workflow.permissions)
    if at_top:
        permissions = workflow.permissions
        line = (
            permissions.line_of("id-token")
            if isinstance(permissions, LineMap)
            else workflow.raw.line_of("permissions")
        )
        grant = "`permissions: write-all`" if isinstance(permissions, str) else "`id-token: write`"
        found.append(
            _finding(
                ID_TOKEN_JOB_ONLY,
                workflow,
                line,
                f"{grant} at the workflow level gives every job of the workflow the right to "
                f"mint an OIDC token, not only {_jobs(jobs)}: any job (a test run, a build running "
                "third-party code) can then publish; fix: remove it "
                "there (keep `permissions: {}` or `contents: read` at the top) and grant "
                f"`id-token: write` under `permissions:` of {_jobs(jobs)} only",
            )
        )
    for job in jobs:
        own = job.raw.get("permissions")
        granted = _grants_id_token(own) if "permissions" in job.raw else at_top
        if granted or (at_top and "permissions" not in job.raw):
            continue
        found.append(
            _finding(
                ID_TOKEN_JOB_ONLY,
                workflow,
                job.raw.line_of("permissions") if "permissions" in job.raw else job.line,
                f"job `{job.id}` is not granted `id-token: write`, so it cannot get the OIDC "
                "token Trusted Publishing trades for an upload token (no job has it by "
                f"default); fix: add `id-token: write` under `permissions:` of job `{job.id}`",
            )
        )
    return found


# needs: a job that runs the tests

_TEST_JOB = re.compile(r"(?:^|[-_ ])(?:tests?|checks?|gates?|ci|verify)(?:$|[-_ ])", re.IGNORECASE)


def _runs_tests(job: Job, workflows: Sequence[Workflow], seen: set[str]) -> bool:
    if job.tests():
        return True
    if job.uses.startswith("./"):
        path = job.uses.removeprefix("./").partition("@")[0]
        called = next((other for other in workflows if other.path == path), None)
        if called is None or path in seen:
            return False
        seen.add(path)
        return any(_runs_tests(other, workflows, seen) for other in called.jobs.values())
    if job.uses:  # another repository's workflow: its steps cannot be read here
        return bool(_TEST_JOB.search(job.id) or _TEST_JOB.search(job.name))
    return False


def _needs_tests(workflow: Workflow, job: Job, workflows: Sequence[Workflow]) -> list[Finding]:
    needed = workflow.needed_by(job)
    if any(_runs_tests(other, workflows, {workflow.path}) for other in needed):
        return []
    needs = (
        f"it needs {_jobs(needed)}, and none of them runs pytest, tox, nox or release-checks"
        if needed
        else "it needs no job"
    )
    return [
        _finding(
            NEEDS_TESTS,
            workflow,
            job.raw.line_of("needs") if "needs" in job.raw else job.line,
            f"job `{job.id}` does not need a job that runs the tests or the release gates "
            f"({needs}): a release "
            "whose tests fail is published all the same; fix: add a job that runs the tests "
            f"(and `pytest -m release`) and list it under `needs:` of `{job.id}` or of a job "
            "it needs",
        )
    ]


# The publishing job does not build


def _no_build(workflow: Workflow, job: Job) -> list[Finding]:
    builds = job.builds()
    found = [
        _finding(
            NO_BUILD_IN_PUBLISH,
            workflow,
            use.line,
            f"job `{job.id}` builds the dists it uploads ({use.what}): the build backend, its "
            "plugins and the project's build hooks then run beside the publishing credentials, "
            "and what is uploaded is not what the other jobs tested; fix: build in a job of its "
            "own that hands the dists over with actions/upload-artifact, and fetch them in "
            f"`{job.id}` with actions/download-artifact",
        )
        for use in builds
    ]
    if not builds and not job.downloads_artifact():
        found.append(
            _finding(
                NO_BUILD_IN_PUBLISH,
                workflow,
                job.line,
                f"job `{job.id}` uploads dists it neither built nor downloaded: no "
                "actions/download-artifact step fetches another job's build; fix: build in a "
                "job of its own that uploads the dists with actions/upload-artifact, and add an "
                f"actions/download-artifact step before the upload in `{job.id}`",
            )
        )
    return found


# environment


def _environment(workflow: Workflow, job: Job) -> list[Finding]:
    environment = job.raw.get("environment")
    name = _text(environment.get("name")) if isinstance(environment, LineMap) else ""
    if _text(environment) or name:
        return []
    return [
        _finding(
            ENVIRONMENT,
            workflow,
            job.line,
            f"job `{job.id}` runs in no deployment environment: an environment can require a "
            "reviewer's approval and limit publishing to release tags, and a Trusted Publisher "
            "bound to it accepts no other job; fix: add `environment: pypi` (or your name for "
            "it) to the job, create the environment in the repository settings, and enter its "
            "name in the Trusted Publisher on the index",
        )
    ]


# Triggers

_NEVER = {
    "pull_request": "every pull request then runs the publishing job, on the pull request's code",
    "pull_request_target": "pull_request_target runs with the base repository's secrets and "
    "a write token, so a pull request from any fork runs the publishing job",
}
_RELEASE_EVENTS = {"release", "workflow_dispatch", "workflow_call"}


def _push_reaches_branches(settings: object) -> bool:
    """True unless the push trigger is filtered to tags only."""
    if not isinstance(settings, LineMap):
        return True
    tags = "tags" in settings or "tags-ignore" in settings
    branches = "branches" in settings or "branches-ignore" in settings
    return branches or not tags


def _job_guarded(job: Job) -> bool:
    uploads = job.uploads()
    return guarded(job.condition) or all(guarded(use.step.condition) for use in uploads)


def _triggers(workflow: Workflow, jobs: Sequence[Job]) -> list[Finding]:
    found = []
    release_only = (
        "fix: publish from a workflow that runs on `release: types: [published]`, "
        "`push: tags: ['v*']` or `workflow_dispatch` only"
    )
    for event, (settings, line) in workflow.triggers().items():
        if event in _NEVER:
            found.append(
                _finding(
                    RELEASE_TRIGGERS,
                    workflow,
                    line,
                    f"the workflow runs on `{event}` and {_publish(jobs)} from it: "
                    f"{_NEVER[event]}; {release_only}, and keep pull-request checks in another "
                    "workflow",
                )
            )
            continue
        if event in _RELEASE_EVENTS or (event == "push" and not _push_reaches_branches(settings)):
            continue
        what = "pushes to branches" if event == "push" else f"`{event}`"
        unguarded = [job for job in jobs if not _job_guarded(job)]
        if unguarded:
            found.append(
                _finding(
                    RELEASE_TRIGGERS,
                    workflow,
                    line,
                    f"the workflow runs on {what}, and {_publish(unguarded)} on every such "
                    f"run, not only for a release; {release_only}, or restrict "
                    f"{_jobs(unguarded)} with `if: startsWith(github.ref, 'refs/tags/')`",
                )
            )
    return found


def _not_reusable(workflow: Workflow, jobs: Sequence[Job]) -> list[Finding]:
    triggers = workflow.triggers()
    if "workflow_call" not in triggers:
        return []
    return [
        _finding(
            NOT_REUSABLE,
            workflow,
            triggers["workflow_call"][1],
            f"the workflow is reusable (`on: workflow_call`) and {_publish(jobs)} from it: "
            "Trusted Publishing matches the calling workflow, not this one, and every "
            "workflow allowed to call it could publish; fix: move the publishing job into the "
            "top-level workflow that calls this one (building and testing can stay reusable)",
        )
    ]


# Full history for builds when the version comes from git

_VCS_REQUIREMENTS = (
    "setuptools-scm",
    "hatch-vcs",
    "versioningit",
    "dunamai",
    "poetry-dynamic-versioning",
    "uv-dynamic-versioning",
    "setuptools-git-versioning",
    "pbr",
)
_VCS_TABLES = (
    "setuptools_scm",
    "setuptools-scm",
    "versioningit",
    "poetry-dynamic-versioning",
    "uv-dynamic-versioning",
    "setuptools-git-versioning",
)


def _table(data: object, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def version_from_vcs(root: Path) -> str | None:  # noqa: PLR0911 - one return per kind of evidence
    """What makes the project's version come from git, in words; None when it does not.

    A static ``[project] version`` wins; otherwise a versioning plugin's tool table, hatch's or
    pdm-backend's VCS version source, or a plugin in ``build-system.requires`` is the evidence.
    """
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if isinstance(_table(pyproject, "project").get("version"), str):
        return None
    tool = _table(pyproject, "tool")
    for name in _VCS_TABLES:
        if name in tool:
            return f"[tool.{name}] in pyproject.toml"
    if _table(tool, "hatch", "version").get("source") == "vcs":
        return '[tool.hatch.version] source = "vcs"'
    if _table(tool, "pdm", "version").get("source") == "scm":
        return '[tool.pdm.version] source = "scm"'
    requires = _table(pyproject, "build-system").get("requires")
    for requirement in requires if isinstance(requires, list) else ():
        try:
            name = canonicalize_name(Requirement(str(requirement)).name)
        except InvalidRequirement:
            continue
        if name in _VCS_REQUIREMENTS:
            return f"{name} in build-system.requires"
    return None


def _this_repository(inputs: LineMap) -> bool:
    repository = _text(inputs.get("repository"))
    return not repository or "github.repository" in repository


def _full_history(workflow: Workflow, jobs: Sequence[Job], vcs: str) -> list[Finding]:
    found = []
    feeding = {job.id: job for job in jobs}
    for job in jobs:
        feeding.update((other.id, other) for other in workflow.needed_by(job))
    for job in feeding.values():
        builds = job.builds()
        if not builds:
            continue
        first = next(i for i, step in enumerate(job.steps) if step is builds[0].step)
        for step in job.steps[:first]:
            if not step.uses_action("actions/checkout") or not _this_repository(step.inputs):
                continue
            depth = step.inputs.get("fetch-depth")
            text = str(depth).strip() if isinstance(depth, int | str) else ""
            if text == "0" or "${{" in text:
                continue
            shallow = f"`fetch-depth: {text}`" if text else "the default `fetch-depth: 1`"
            line = step.inputs.line_of("fetch-depth") if text else step.raw.line_of("uses")
            found.append(
                _finding(
                    FULL_HISTORY,
                    workflow,
                    line,
                    f"job `{job.id}` builds ({builds[0].what}) from a shallow checkout "
                    f"({shallow}), but the version comes from git ({vcs}): without the history "
                    "and tags the build gets a development version such as `0.1.dev1` (or "
                    "fails); fix: set `fetch-depth: 0` under `with:` of this actions/checkout "
                    "step",
                )
            )
    return found


# All rules


def _publishing(
    workflow: Workflow, workflows: Sequence[Workflow], vcs: str | None
) -> Iterable[Finding]:
    jobs = workflow.publish_jobs()
    if not jobs:
        return
    who = f"job {_jobs(jobs)} gets" if len(jobs) == 1 else f"jobs {_jobs(jobs)} get"
    yield from _env_credentials(workflow, who, workflow.env, "workflow")
    for job in jobs:
        yield from _trusted_publishing(workflow, job)
        yield from _needs_tests(workflow, job, workflows)
        yield from _no_build(workflow, job)
        yield from _environment(workflow, job)
    yield from _id_token(workflow, jobs)
    yield from _triggers(workflow, jobs)
    yield from _not_reusable(workflow, jobs)
    if vcs is not None:
        yield from _full_history(workflow, jobs, vcs)


def check_workflows(root: Path, workflows: list[Workflow] | None = None) -> list[Finding]:
    """Every finding on the workflows of the repository holding project `root`, by rule.

    `workflows` are those `load_workflows(root)` reads, if the caller has them already.
    Sorted by rule (in `RULES` order), then file and line, without duplicates.
    Files GitHub cannot run are `workflow-valid` findings, never exceptions.
    """
    if workflows is None:
        workflows = load_workflows(root)
    vcs = version_from_vcs(root)
    findings = [
        _finding(
            WORKFLOW_VALID,
            workflow,
            problem.line,
            f"{problem.message}; GitHub does not run this workflow as written; fix it there "
            "(actionlint reports the same)",
        )
        for workflow in workflows
        for problem in workflow.problems
    ]
    for workflow in workflows:
        findings.extend(_publishing(workflow, workflows, vcs))
    unique = {(f.rule, f.file, f.line, f.message): f for f in findings}
    return sorted(unique.values(), key=lambda f: (RULES.index(f.rule), f.file, f.line))
