"""What the package index already holds of the project, through the Simple Repository API.

An index never takes the same file name or release version twice, and what users install is
what it serves, so the gates ask it: before publishing (is the version still free?) and
after (are the files there, byte for byte?). Pages are read with pypi-simple, which speaks
both PEP 691 JSON and PEP 503 HTML, so private indexes and mirrors work like the public one.
Queries are bounded in time and retried on 429, 5xx and dropped connections; a query that
still fails gives a page carrying the reason, for the gate to skip or fail on.
"""

from __future__ import annotations

import configparser
import email.utils
import hashlib
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version
from pypi_simple import (
    PYPI_SIMPLE_ENDPOINT,
    NoSuchProjectError,
    PyPISimple,
    UnsupportedContentTypeError,
    UnsupportedRepoVersionError,
)

from release_checks.records import Record

__all__ = [
    "IndexChoice",
    "IndexFile",
    "IndexPage",
    "NetworkBounds",
    "file_sha256",
    "filename_key",
    "pip_config_files",
    "query_project",
    "redact",
    "resolve_index",
    "wait_for_release",
]

DEFAULT_SOURCE = "the default index"


# Which index


@dataclass(frozen=True, kw_only=True)
class IndexChoice:
    """The index to ask and where that choice came from; `url` may carry credentials."""

    url: str
    source: str

    @property
    def display(self) -> str:
        """The URL without its password or token, for messages."""
        return redact(self.url)

    def describe(self) -> str:
        """The index for a message: its redacted URL and where it was configured."""
        return f"{self.display} (from {self.source})"


def redact(url: str) -> str:
    """Hide the credentials of a ``https://user:secret@host/`` URL; a lone user may be a token."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, has_password, _ = userinfo.partition(":")
    shown = f"{user}:***" if has_password else "***"
    return urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


def resolve_index(
    option: str | None,
    configured: str | None,
    environ: Mapping[str, str],
    *,
    pip_files: Iterable[Path] | None = None,
) -> IndexChoice:
    """The index to check: ``--release-index``, the project's config, pip's, else the default.

    Pip's configuration is read the way ``pip install`` reads it: PIP_INDEX_URL, then
    ``index-url`` in its config files (the ``[install]`` section over ``[global]``, later
    files over earlier ones).
    """
    if option:
        return IndexChoice(url=option, source="--release-index")
    if configured:
        return IndexChoice(url=configured, source="[tool.release-checks] index in pyproject.toml")
    return pip_index(environ, pip_files=pip_files)


def pip_index(
    environ: Mapping[str, str], *, pip_files: Iterable[Path] | None = None
) -> IndexChoice:
    """The index ``pip install`` would use here, and which setting names it."""
    from_env = environ.get("PIP_INDEX_URL", "").strip()
    if from_env:
        return IndexChoice(url=from_env, source="PIP_INDEX_URL")
    found: dict[str, IndexChoice] = {}
    files = pip_config_files(environ) if pip_files is None else pip_files
    for path in files:
        parser = configparser.RawConfigParser()
        parser.optionxform = lambda name: name.lower().replace("_", "-").removeprefix("--")  # type: ignore[assignment,method-assign]
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue  # pip itself stops on a broken file; the install step reports it then
        for section in ("global", "install"):
            value = parser.get(section, "index-url", fallback="").strip()
            if value:
                found[section] = IndexChoice(
                    url=value, source=f"pip configuration {path} [{section}]"
                )
    choice = found.get("install") or found.get("global")
    return choice or IndexChoice(url=PYPI_SIMPLE_ENDPOINT, source=DEFAULT_SOURCE)


def pip_config_files(environ: Mapping[str, str]) -> list[Path]:
    """Pip's config files in the order it reads them, later ones overriding earlier ones.

    Global, user (skipped when PIP_CONFIG_FILE names an existing file), site, then
    PIP_CONFIG_FILE; none at all when PIP_CONFIG_FILE is the null device.
    """
    env_file = environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    home = Path(environ.get("HOME") or Path.home())
    name = "pip.ini" if sys.platform == "win32" else "pip.conf"
    if sys.platform == "win32":
        program_data = environ.get("PROGRAMDATA", r"C:\ProgramData")
        global_files = [Path(program_data, "pip", name)]
        user_files = [home / "pip" / name, Path(environ.get("APPDATA") or home, "pip", name)]
    elif sys.platform == "darwin":
        global_files = [Path("/Library/Application Support/pip", name)]
        mac_user = home / "Library" / "Application Support" / "pip"
        user_dir = mac_user if mac_user.is_dir() else home / ".config" / "pip"
        user_files = [home / ".pip" / name, user_dir / name]
    else:
        xdg_dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
        global_files = [Path(d, "pip", name) for d in xdg_dirs.split(os.pathsep) if d]
        global_files.append(Path("/etc", name))
        config_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
        user_files = [home / ".pip" / name, config_home / "pip" / name]
    if not env_file:
        return [*global_files, *user_files, Path(sys.prefix, name)]
    skip_user = Path(env_file).exists()
    return [
        *global_files,
        *([] if skip_user else user_files),
        Path(sys.prefix, name),
        Path(env_file),
    ]


# What the index holds


@dataclass(frozen=True, kw_only=True)
class IndexFile(Record):
    """One file on the project's index page."""

    filename: str
    version: str | None
    sha256: str | None
    yanked: bool = False
    yanked_reason: str | None = None

    def parsed_version(self) -> Version | None:
        """The file's version, or None when its name gives no PEP 440 version."""
        try:
            return Version(self.version) if self.version else None
        except InvalidVersion:
            return None


@dataclass(frozen=True, kw_only=True)
class IndexPage(Record):
    """The project's page on the index, or why the index could not be asked.

    `listed` is False when the index has no page for the project (HTTP 404): nothing of it
    was ever published there.
    """

    index: str
    project: str
    listed: bool = False
    files: tuple[IndexFile, ...] = ()
    versions: tuple[str, ...] = ()
    error: str | None = None

    def files_of(self, version: Version) -> list[IndexFile]:
        """The files of `version` (PEP 440 equality: 1.0 is 1.0.0), yanked ones included."""
        return [file for file in self.files if file.parsed_version() == version]

    def lists_version(self, version: Version) -> bool:
        """True when the index has a file of `version`, or names it among its versions (PEP 700)."""
        return bool(self.files_of(version)) or any(
            _same_version(listed, version) for listed in self.versions
        )

    def find(self, filename: str) -> IndexFile | None:
        """The index's file with this name: the same name, else the same normalised name."""
        exact = next((file for file in self.files if file.filename == filename), None)
        if exact is not None:
            return exact
        key = filename_key(filename)
        return next((file for file in self.files if filename_key(file.filename) == key), None)


def file_sha256(path: Path) -> str:
    """A local file's sha256 in lowercase hex, as indexes give it."""
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _same_version(text: str, version: Version) -> bool:
    try:
        return Version(text) == version
    except InvalidVersion:
        return False


def filename_key(filename: str) -> tuple[object, ...]:
    """What makes two distribution file names the same file for an index.

    ``Foo_Bar-1.0.tar.gz`` and ``foo_bar-1.0.tar.gz`` are one sdist of one release; a wheel is
    its name, version, build tag and tags.
    """
    try:
        if filename.endswith(".whl"):
            name, version, build, tags = parse_wheel_filename(filename)
            return ("wheel", name, version, build, frozenset(tags))
        name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return ("file", filename.lower())
    return ("sdist", canonicalize_name(name), version)


def _file_version(filename: str, fallback: str | None) -> str | None:
    key = filename_key(filename)
    if key[0] == "file":
        return fallback  # pypi-simple also reads eggs and other old formats
    return str(key[2])


# Asking the index


@dataclass(frozen=True, kw_only=True)
class NetworkBounds:
    """How long one query may take: per attempt, in all, and how often it is retried."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    attempts: int = 4
    backoff: float = 1.0  # seconds before the 2nd attempt, doubled each time
    total: float = 30.0


@dataclass
class _Attempts:
    """The clock of one query: the attempts made, the last failure, the time left."""

    bounds: NetworkBounds
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    started: float = 0.0
    made: int = 0
    reasons: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def left(self) -> float:
        return self.bounds.total - (self.clock() - self.started)

    def timeout(self) -> tuple[float, float]:
        left = max(self.left(), 0.01)
        return (min(self.bounds.connect_timeout, left), min(self.bounds.read_timeout, left))

    def give_up(self, asked: float | None) -> str | None:
        """Sleep before the next attempt and return None, or say why there is none."""
        if self.made >= self.bounds.attempts:
            return f"gave up after {self.made} attempts" if self.made > 1 else ""
        delay = self.bounds.backoff * 2 ** (self.made - 1) if asked is None else asked
        if delay >= self.left():
            if asked is not None:
                return (
                    f"the index asked to retry after {asked:g} s, beyond the "
                    f"{self.bounds.total:g} s this check waits"
                )
            return f"gave up after {self.made} attempts in {self.bounds.total:g} s"
        self.sleep(delay)
        return None


def query_project(  # noqa: PLR0913 - the clock and session are there for the tests
    index: IndexChoice,
    project: str,
    *,
    bounds: NetworkBounds | None = None,
    fresh: bool = False,
    session: requests.Session | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> IndexPage:
    """The project's page on `index`, within `bounds`; `fresh` has caches in between revalidate."""
    attempts = _Attempts(bounds or NetworkBounds(), clock, sleep)
    shown = index.describe()
    client = PyPISimple(endpoint=index.url, session=session or requests.Session())
    headers = {"Cache-Control": "max-age=0"} if fresh else None
    while True:
        attempts.made += 1
        asked: float | None = None
        timeout = attempts.timeout()
        try:
            page = client.get_project_page(project, timeout=timeout, headers=headers)
        except NoSuchProjectError:
            return IndexPage(index=shown, project=project, listed=False)
        except requests.HTTPError as error:
            response = error.response
            status = response.status_code if response is not None else 0
            reason = f"HTTP {status} {response.reason if response is not None else ''}".strip()
            if status != 429 and status < 500:
                return _failed(index, project, f"{reason}{_status_hint(status)}")
            attempts.reasons.append(reason)
            asked = _retry_after(
                response.headers.get("Retry-After") if response is not None else None
            )
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as error:
            attempts.reasons.append(_network_reason(error, timeout))
        except (UnsupportedContentTypeError, UnsupportedRepoVersionError, ValueError) as error:
            return _failed(index, project, f"the page is not a Simple API project page: {error}")
        except requests.RequestException as error:
            return _failed(index, project, redact_text(str(error), index.url))
        else:
            return _page(shown, project, page)
        stop = attempts.give_up(asked)
        if stop is not None:
            last = attempts.reasons[-1]
            why = f"{last} ({stop})" if stop else last
            return _failed(index, project, redact_text(why, index.url))


def wait_for_release(  # noqa: PLR0913
    index: IndexChoice,
    project: str,
    version: Version,
    filenames: Iterable[str],
    *,
    wait: float,
    poll: float = 5.0,
    bounds: NetworkBounds | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> IndexPage:
    """The project's page once it lists `version` and every one of `filenames`, or after `wait` s.

    Indexes and their caches can take a while to show an upload; asking again (with caches
    told to revalidate) until the deadline tells a slow index from a missing upload. An index
    that cannot be read at all (after the query's own retries) ends the wait at once.
    """
    wanted = list(filenames)
    deadline = clock() + wait
    while True:
        page = query_project(index, project, bounds=bounds, fresh=True, clock=clock, sleep=sleep)
        if page.error is not None:
            return page  # the query has had its retries: the index is down, not slow
        if page.lists_version(version) and all(page.find(name) is not None for name in wanted):
            return page
        left = deadline - clock()
        if left <= 0:
            return page
        sleep(min(poll, left))


def _page(shown: str, project: str, page: object) -> IndexPage:
    from pypi_simple import ProjectPage  # noqa: PLC0415

    assert isinstance(page, ProjectPage)  # noqa: S101 - what get_project_page returns
    files = tuple(
        IndexFile(
            filename=package.filename,
            version=_file_version(package.filename, package.version),
            sha256=package.digests.get("sha256"),
            yanked=package.is_yanked,
            yanked_reason=package.yanked_reason or None,
        )
        for package in page.packages
    )
    return IndexPage(
        index=shown, project=project, listed=True, files=files, versions=tuple(page.versions or ())
    )


def _failed(index: IndexChoice, project: str, reason: str) -> IndexPage:
    return IndexPage(
        index=index.describe(),
        project=project,
        error=f"could not read the page of {project} on {index.describe()}: {reason}",
    )


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return " — the index wants credentials: put them in the index URL or in ~/.netrc"
    return ""


def _retry_after(header: str | None) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date."""
    if not header:
        return None
    if header.strip().isdigit():
        return float(header.strip())
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _network_reason(error: BaseException, timeout: tuple[float, float]) -> str:
    if isinstance(error, requests.ConnectTimeout):
        return f"no connection within {timeout[0]:.3g} s"
    if isinstance(error, requests.Timeout):
        return f"no answer within {timeout[1]:.3g} s"
    inner = error
    while True:
        reason = getattr(inner, "reason", None)
        if isinstance(reason, BaseException):
            inner = reason
        elif inner.args and isinstance(inner.args[-1], BaseException):
            inner = inner.args[-1]
        else:
            break
    text = re.sub(r"^(?:<[^>]*>|\w+\([^)]*\)): ", "", str(inner)) or type(inner).__name__
    return f"connection failed: {text}"


def redact_text(text: str, url: str) -> str:
    """`text` with the credentials of `url` hidden wherever they appear."""
    parts = urlsplit(url)
    secret = parts.password or parts.username  # a user without a password may be a token
    return text.replace(secret, "***") if secret else text
