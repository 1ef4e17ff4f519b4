"""The optional uv accelerator: whether environments are made with uv or with pip.

Creating the isolated build environment and the fresh virtualenv is most of a run's time;
uv does both many times faster than virtualenv and pip, from its cache, and installs the same
files, so every gate gives the same verdict either way. It is used when installed (the
``uv`` extra); ``accelerator = "none"`` or ``RELEASE_CHECKS_ACCELERATOR=none`` turns it off.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping

from release_checks.errors import ConfigError

__all__ = ["ACCELERATORS", "ENV_VAR", "choose_uv", "find_uv"]

ACCELERATORS = ("auto", "uv", "none")
ENV_VAR = "RELEASE_CHECKS_ACCELERATOR"


def find_uv() -> str | None:
    """The uv executable: the one the ``uv`` package ships, else the first on PATH."""
    try:
        from uv import find_uv_bin  # noqa: PLC0415 - optional, and only release runs ask
    except ImportError:
        return shutil.which("uv")
    try:
        return find_uv_bin()
    except FileNotFoundError:
        return shutil.which("uv")


def choose_uv(setting: str, environ: Mapping[str, str]) -> str | None:
    """The uv executable when environments are to be made with uv; None for pip.

    ``RELEASE_CHECKS_ACCELERATOR`` overrides ``tool.release-checks.accelerator``: one CI job
    can compare both ways without editing pyproject.toml.
    """
    choice = environ.get(ENV_VAR) or setting
    if choice not in ACCELERATORS:
        raise ConfigError(
            f"{ENV_VAR}={choice!r} is not an accelerator; use one of {', '.join(ACCELERATORS)}"
        )
    if choice == "none":
        return None
    uv = find_uv()
    if uv is None and choice == "uv":
        source = ENV_VAR if environ.get(ENV_VAR) else "`tool.release-checks.accelerator`"
        raise ConfigError(
            f"{source} asks for uv, but uv is not installed: "
            "`pip install 'pytest-release-checks[uv]'`, or set it to `auto` or `none`"
        )
    return uv
