"""`GATE_IDS` lists exactly the built-in gates, as they are collected."""

from __future__ import annotations

from release_checks import gates
from release_checks.gate_ids import GATE_IDS


def test_every_built_in_gate_is_listed_and_nothing_else() -> None:
    collected = {name.removeprefix("test_") for name in vars(gates) if name.startswith("test_")}
    assert collected == GATE_IDS
