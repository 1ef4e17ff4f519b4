"""Shared fixtures of the test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pypiserver import LocalIndex, serve_index

# pytester points HOME at each test's directory; the inner runs get the real one back so
# pip's and virtualenv's caches are shared instead of refilled by every test.
_REAL_HOME = os.environ.get("HOME", "")

# Variables the plugin reads from CI; the suite must behave the same on a laptop and in CI.
_CI_VARIABLES = (
    "GITHUB_REF_TYPE",
    "GITHUB_REF_NAME",
    "PYTEST_ADDOPTS",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_WORKSPACE",
)


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project_root(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory for a fixture project; inner pytest runs start in it.

    It is a subdirectory of pytester's, so the files pytester writes (stdout, stderr) stay
    out of the project's `git status`.
    """
    root = pytester.path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    if _REAL_HOME:
        monkeypatch.setenv("HOME", _REAL_HOME)
    return root


@pytest.fixture
def local_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIndex]:
    """A real, empty package index (pypiserver on 127.0.0.1) for this test; `.url`, `.upload()`."""
    with serve_index(tmp_path_factory.mktemp("index") / "packages") as index:
        yield index
