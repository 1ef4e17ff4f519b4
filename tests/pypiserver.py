"""A real package index for the tests: pypiserver on 127.0.0.1, and uploads to it with twine.

The `local_index` fixture (tests/conftest.py) starts one per test on a free port, serving an
empty directory without authentication and without falling back to any other index, and
stops it afterwards.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

START_TIMEOUT = 30.0
UPLOAD_TIMEOUT = 120


@dataclass(frozen=True)
class LocalIndex:
    """A running pypiserver: its Simple API URL, and uploads with twine."""

    port: int
    packages: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple/"

    def upload(self, *files: Path) -> None:
        """Upload as a release workflow does: ``twine upload --repository-url``."""
        command = [sys.executable, "-m", "twine", "upload", "--non-interactive"]
        command += ["--disable-progress-bar", "--repository-url", f"http://127.0.0.1:{self.port}/"]
        command += ["--username", "tester", "--password", "unused", *map(str, files)]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=UPLOAD_TIMEOUT, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def free_port() -> int:
    """A port nothing listens on right now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve_index(packages: Path) -> Iterator[LocalIndex]:
    """Run pypiserver over `packages` until the block ends; wait until it answers first."""
    packages.mkdir(parents=True, exist_ok=True)
    index = LocalIndex(port=free_port(), packages=packages)
    log = packages.parent / f"pypiserver-{index.port}.log"
    command = [sys.executable, "-m", "pypiserver", "run", "--host", "127.0.0.1"]
    command += ["--port", str(index.port), "-a", ".", "-P", ".", "--disable-fallback"]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, str(packages)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(index, server, log)
        yield index
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_until_up(index: LocalIndex, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            requests.get(f"http://127.0.0.1:{index.port}/health", timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
        else:
            return
    raise AssertionError(f"pypiserver did not start:\n{log.read_text(errors='replace')}")
