"""Timing pytest-release-checks against the tool chains it replaces (not collected as tests)."""
