"""The errors release_checks raises, so every failure reaches the user as a sentence."""

from __future__ import annotations

__all__ = ["ConfigError", "FactError", "ReleaseChecksError"]


class ReleaseChecksError(Exception):
    """Base of every error we raise on purpose; its message is meant for the user."""


class ConfigError(ReleaseChecksError):
    """The user's configuration is wrong; the plugin turns it into a ``pytest.UsageError``."""


class FactError(ReleaseChecksError):
    """A fact about the release (git state, a dist, a changelog) could not be computed."""
