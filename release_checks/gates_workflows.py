"""Release gates (issue 5) on the GitHub Actions workflow that publishes the release.

Collected through `release_checks.gates`, one item per workflow file: `workflow_file` is every
``.github/workflows/*.yml`` of the repository, `publish_workflow` each file with a job that
uploads to an index. A project without such files gets no items from this module. The rules
themselves, and what counts as publishing, building or testing, are in
`release_checks.workflows`.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import pytest

from release_checks.gatekit import fail
from release_checks.workflow_model import repository_root
from release_checks.workflows import (
    ENVIRONMENT,
    FULL_HISTORY,
    ID_TOKEN_JOB_ONLY,
    NEEDS_TESTS,
    NO_BUILD_IN_PUBLISH,
    NOT_REUSABLE,
    RELEASE_TRIGGERS,
    TRUSTED_PUBLISHING,
    WORKFLOW_VALID,
    version_from_vcs,
)

if TYPE_CHECKING:
    from release_checks.run import ReleaseRun

pytestmark = pytest.mark.release

__all__ = [
    "test_publish_checkout_full_history",
    "test_publish_does_not_build",
    "test_publish_id_token_only_at_job",
    "test_publish_needs_tests",
    "test_publish_not_in_reusable_workflow",
    "test_publish_runs_in_environment",
    "test_publish_triggered_by_release",
    "test_publish_uses_trusted_publishing",
    "test_workflow_is_valid",
]


def _check(run: ReleaseRun, rule: str, workflow: str, headline: str) -> None:
    """Fail with `headline`, then every finding of `rule` in file `workflow`, one per line.

    Each finding line starts with ``file:line:``; the report shows the first one's location
    beside the headline.
    """
    __tracebackhide__ = True
    findings = [
        finding
        for finding in run.workflow_findings
        if finding.rule == rule and PurePosixPath(finding.file).name == workflow
    ]
    if findings:
        first = findings[0]
        fail(
            "\n".join([f"{workflow} {headline}:", *(str(finding) for finding in findings)]),
            file=repository_root(run.root) / first.file,
            line=first.line,
        )


def test_workflow_is_valid(release_run: ReleaseRun, workflow_file: str) -> None:
    """The workflow file is one GitHub can run: valid YAML, with ``on:`` and a ``jobs`` mapping.

    Checks: the YAML parses; the top level is a mapping with ``on`` and ``jobs``; each job and
    step is a mapping, ``steps`` a list; every job a ``needs`` names exists.
    Why: GitHub rejects a broken workflow when the event comes: for a release workflow, that
    is when you push the tag, and nothing is published. The other workflow gates cannot read
    a file that does not parse.
    Fix: the message gives the line where the parser stopped; ``actionlint`` reports the same.
    """
    _check(release_run, WORKFLOW_VALID, workflow_file, "is not a workflow GitHub can run")


def test_publish_uses_trusted_publishing(release_run: ReleaseRun, publish_workflow: str) -> None:
    """Every publishing job uploads through Trusted Publishing, with no password or token.

    Checks: no ``password`` input on ``pypa/gh-action-pypi-publish``; no credential variable
    (``TWINE_PASSWORD``, ``UV_PUBLISH_TOKEN``, ``POETRY_PYPI_TOKEN_*``, ``FLIT_PASSWORD``,
    ``HATCH_INDEX_AUTH``, ``PDM_PUBLISH_PASSWORD``, ``PYPI_API_TOKEN``...) set from a secret or
    a literal at workflow, job or step level; no ``${{ secrets.X }}`` on a script line that
    uploads or configures a token (``twine upload -p ...``, ``poetry config pypi-token``). A
    token minted by an earlier step (``${{ steps.x.outputs.token }}``) is Trusted Publishing.
    Why: a long-lived token in the repository's secrets leaks through any step that sees it
    and publishes until revoked; Trusted Publishing trades the job's OIDC identity for a token
    that lasts minutes and works for this project only.
    Fix: add the workflow as a Trusted Publisher on the index, drop the credential, upload
    with ``pypa/gh-action-pypi-publish`` (or ``uv publish``), and revoke the old token.
    """
    _check(
        release_run,
        TRUSTED_PUBLISHING,
        publish_workflow,
        "publishes with a password or token, not through Trusted Publishing",
    )


def test_publish_id_token_only_at_job(release_run: ReleaseRun, publish_workflow: str) -> None:
    """``id-token: write`` is granted to the publishing job itself, never at workflow level.

    Checks: the workflow-level ``permissions`` neither grant ``id-token: write`` nor are
    ``write-all``; each publishing job grants ``id-token: write`` (or ``write-all``) in its
    own ``permissions``.
    Why: the OIDC token is what Trusted Publishing accepts as proof; granted at the top, every
    job of the workflow — tests, builds running third-party code — could publish. GitHub
    grants it to no job by default, so the publishing job must ask for it.
    Fix: ``permissions: {}`` (or ``contents: read``) at the top, and ``permissions:
    id-token: write`` under the publishing job.
    """
    _check(
        release_run,
        ID_TOKEN_JOB_ONLY,
        publish_workflow,
        "grants `id-token: write` beyond the publishing job, or not to it",
    )


def test_publish_needs_tests(release_run: ReleaseRun, publish_workflow: str) -> None:
    """Every publishing job needs, directly or through other jobs, a job that runs the tests.

    A job runs the tests (or the release gates) when one of its commands runs pytest (``pytest
    -m release`` too), ``release-checks``, tox, nox, unittest, ``hatch test``, ``make test``
    or a project script named test/tests/check; when it calls a reusable workflow of this
    repository with such a job; or, for another repository's reusable workflow, whose steps
    cannot be read, when its id or name says test, check, gate, ci or verify.
    Why: without the dependency the upload runs even when the tests fail.
    Fix: list the test job (or the job running ``pytest -m release``) under ``needs:`` of the
    publishing job or of a job it needs, such as the build.
    """
    _check(release_run, NEEDS_TESTS, publish_workflow, "can publish without running the tests")


def test_publish_does_not_build(release_run: ReleaseRun, publish_workflow: str) -> None:
    """Every publishing job uploads dists another job built, fetched as an artifact.

    Checks: no step of the job builds (``python -m build``, ``uv build``, ``hatch build``,
    ``flit build``, ``poetry build``, ``pdm build``, ``pipx run build``, ``setup.py sdist``
    or ``bdist_wheel``, ``pip wheel``, cibuildwheel, ``hynek/build-and-inspect-python-package``,
    and the uploads that build first: ``flit publish``, ``pdm publish`` without
    ``--no-build``, ``poetry publish --build``); some step downloads an artifact
    (``actions/download-artifact``, ``gh run download``, ``gh release download``).
    Why: the build backend, its plugins and build hooks are code the job holding the
    publishing identity should never run, and dists built there are not the ones the other
    jobs tested.
    Fix: build in a job of its own, hand the dists over with ``actions/upload-artifact``, and
    fetch them with ``actions/download-artifact`` in the publishing job.
    """
    _check(
        release_run,
        NO_BUILD_IN_PUBLISH,
        publish_workflow,
        "publishes dists that no separate build job made",
    )


def test_publish_runs_in_environment(release_run: ReleaseRun, publish_workflow: str) -> None:
    """Every publishing job runs in a deployment ``environment``.

    Why: an environment can require a reviewer's approval and restrict which tags deploy, and
    a Trusted Publisher bound to the environment accepts no other job.
    Fix: add ``environment: pypi`` (or ``environment: {name: pypi, url: ...}``) to the job,
    create the environment in the repository settings, and name it in the Trusted Publisher.
    """
    _check(release_run, ENVIRONMENT, publish_workflow, "publishes outside a deployment environment")


def test_publish_triggered_by_release(release_run: ReleaseRun, publish_workflow: str) -> None:
    """The publishing workflow runs on tags, releases or by hand — never on pull requests.

    Checks: no ``pull_request`` or ``pull_request_target`` trigger at all; any other trigger
    than ``release``, ``workflow_dispatch`` and ``push`` filtered to ``tags`` (a push to
    branches, ``schedule``, ``workflow_run``...) only when every publishing job is limited to
    tags or releases by its ``if:`` (or its upload steps' ``if:``), for example ``if:
    startsWith(github.ref, 'refs/tags/')``. ``workflow_call`` is left to
    test_publish_not_in_reusable_workflow.
    Why: a pull request that reaches the publishing job publishes code no maintainer released;
    with ``pull_request_target`` that includes pull requests from forks.
    Fix: publish from a workflow of its own, triggered by ``release: types: [published]``,
    ``push: tags: ['v*']`` or ``workflow_dispatch``; keep pull-request checks elsewhere.
    """
    _check(
        release_run,
        RELEASE_TRIGGERS,
        publish_workflow,
        "publishes on events other than a tag, a release or a manual run",
    )


def test_publish_not_in_reusable_workflow(release_run: ReleaseRun, publish_workflow: str) -> None:
    """No job publishes from a reusable workflow (one with ``on: workflow_call``).

    Why: Trusted Publishing matches the top-level workflow that runs, not a reusable one it
    calls, so the upload is refused — and every workflow allowed to call it could publish.
    Fix: move the publishing job into the top-level workflow; building and testing can stay
    in the reusable one.
    """
    _check(release_run, NOT_REUSABLE, publish_workflow, "publishes from a reusable workflow")


def test_publish_checkout_full_history(release_run: ReleaseRun, publish_workflow: str) -> None:
    """Checkouts that feed a build fetch the full history, when the version comes from git.

    Checks the jobs that build for the publishing jobs (the jobs they need, and themselves):
    every ``actions/checkout`` of this repository before the build step sets ``fetch-depth:
    0``. Skipped when the version does not come from git: the version is static, or no
    setuptools-scm, hatch-vcs, versioningit, dunamai, poetry-dynamic-versioning (or similar)
    setting is found in pyproject.toml.
    Why: ``actions/checkout`` fetches one commit without tags by default, so a VCS-versioned
    build gets a development version such as ``0.1.dev1`` (or fails) instead of the tag's.
    Fix: ``with: fetch-depth: 0`` on that checkout step.
    """
    vcs = version_from_vcs(release_run.root)
    if vcs is None:
        pytest.skip(
            "the version does not come from git (pyproject.toml has a static version or no "
            "VCS versioning plugin): a shallow checkout builds the same version"
        )
    _check(
        release_run,
        FULL_HISTORY,
        publish_workflow,
        "builds a project versioned by git from a shallow checkout",
    )
