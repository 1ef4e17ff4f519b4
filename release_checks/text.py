"""Trimming tool output for messages: the end of a log is where the error is."""

from __future__ import annotations

__all__ = ["tail"]


def tail(text: str, lines: int) -> str:
    """The last `lines` non-trailing-blank lines of `text`."""
    return "\n".join(text.rstrip().splitlines()[-lines:])
