"""Start the threads that run slow steps (builds, environments, index queries) meanwhile.

Knows nothing of pytest. Each step is mostly a subprocess or a socket, so threads overlap
them; what a thread computes reaches the gates as a record (see `release_checks.shared`).
"""

from __future__ import annotations

import sysconfig
import threading
from collections.abc import Callable

__all__ = ["start"]


def start(target: Callable[[], object], name: str) -> threading.Thread:
    """Run `target` in a daemon thread named `name`, and return the thread to join.

    sysconfig fills its variables lazily and, before Python 3.13, publishes the dictionary
    before filling it: a thread reading one then (packaging's tags, uv's finder) can get None.
    They are filled here, before the thread starts.
    """
    sysconfig.get_config_vars()
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
