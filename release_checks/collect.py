"""The collector that turns the built-in gates into items of the project's pyproject.toml.

Gates are ordinary test functions in `release_checks.gates`; collecting them under the
pyproject.toml node gives them short, stable node ids (``pyproject.toml::test_versions_agree``)
that work with ``-k``, ``--lf``, node-id reruns and xdist like any other test.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from types import ModuleType

import pytest

from release_checks.config import gate_key
from release_checks.gatekit import item_package, unparametrized

__all__ = ["GatesFile"]


class GatesFile(pytest.Module):
    """A module collector whose Python object is `release_checks.gates`, whatever the path."""

    def _getobj(self) -> ModuleType:
        return importlib.import_module("release_checks.gates")

    def funcnamefilter(self, name: str) -> bool:
        """Gates are named test_*, whatever `python_functions` the project configures."""
        return name.startswith("test_")

    def classnamefilter(self, name: str) -> bool:  # noqa: ARG002
        """The gates module has no test classes."""
        return False

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        """Collect the gates, marked as their own module says; skip the ones the project waived.

        Gates live in several modules star-imported into `release_checks.gates`; a module's
        ``pytestmark`` (``release``, ``network``, ``published``) goes to its own gates only, and
        a module without one holds plain ``release`` gates.
        """
        from release_checks.plugin import RUN_KEY, RUNS_KEY  # noqa: PLC0415

        runs = self.config.stash[RUNS_KEY]
        collected = [node for node in super().collect() if not unparametrized(node)]
        for node in collected:
            for mark in _home_marks(node):
                node.add_marker(mark)
            package = item_package(node) if isinstance(node, pytest.Function) else ""
            waive = runs.get(package, self.config.stash[RUN_KEY]).config.waive
            reason = waive.get(
                gate_key(node.originalname if isinstance(node, pytest.Function) else node.name)
            )
            if reason is not None:
                node.add_marker(pytest.mark.skip(reason=f"waived in pyproject.toml: {reason}"))
        return collected


def _home_marks(node: pytest.Item | pytest.Collector) -> list[pytest.MarkDecorator]:
    """The ``pytestmark`` of the module that defines the gate `node` runs, else ``release``."""
    function = getattr(node, "function", None)
    home = sys.modules.get(getattr(function, "__module__", ""), None)
    marks = getattr(home, "pytestmark", pytest.mark.release)
    return list(marks) if isinstance(marks, list) else [marks]
