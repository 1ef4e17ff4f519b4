"""Release gates (issue 3), collected through `release_checks.gates`."""

from __future__ import annotations

__all__: list[str] = []
