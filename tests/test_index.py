"""The index facts against small local HTTP servers: each way an index answers, or does not.

Every server listens on 127.0.0.1 and answers a handful of requests; the retry bounds are
shortened so the failure cases take a second or two.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from packaging.version import Version

from release_checks.config import parse_config
from release_checks.errors import ConfigError
from release_checks.index import (
    DEFAULT_SOURCE,
    IndexChoice,
    IndexPage,
    NetworkBounds,
    filename_key,
    pip_config_files,
    query_project,
    redact,
    resolve_index,
    wait_for_release,
)

FAST = NetworkBounds(connect_timeout=1, read_timeout=1, attempts=3, backoff=0.05, total=5)

Reply = Callable[[BaseHTTPRequestHandler], None]


# Small servers


def status(code: int, **headers: str) -> Reply:
    def reply(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return reply


def body(text: str, content_type: str) -> Reply:
    def reply(handler: BaseHTTPRequestHandler) -> None:
        data = text.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return reply


def html(*links: str) -> Reply:
    """A PEP 503 page of `<a>` elements."""
    anchors = "\n".join(f"<a {link}<br>" for link in links)
    return body(f"<!DOCTYPE html><html><body>{anchors}</body></html>", "text/html")


def pep691(data: Mapping[str, object]) -> Reply:
    return body(json.dumps(data), "application/vnd.pypi.simple.v1+json")


def close_connection(handler: BaseHTTPRequestHandler) -> None:
    """Read the request and hang up without a word."""
    handler.close_connection = True


@dataclass
class Served:
    """What a test server saw: one header dict per request."""

    url: str
    requests: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def index_server(*replies: Reply, auth: str | None = None) -> Iterator[Served]:
    """Answer the n-th request with the n-th reply (the last one repeats).

    With `auth` ("user:password"), requests without those Basic credentials get a 401.
    """
    served = Served(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append(dict(self.headers))
            expected = "Basic " + base64.b64encode(auth.encode()).decode() if auth else None
            if expected and self.headers.get("Authorization") != expected:
                status(401)(self)
                return
            replies[min(len(served.requests), len(replies)) - 1](self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.url = f"http://127.0.0.1:{server.server_address[1]}/simple/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def choice(url: str) -> IndexChoice:
    return IndexChoice(url=url, source="--release-index")


DEMO_HTML = html(
    'href="/files/demo-1.2.2.tar.gz#sha256=aaa">demo-1.2.2.tar.gz</a>',
    'href="/files/Demo-1.2.3.tar.gz#sha256=bbb" data-yanked="broken build">Demo-1.2.3.tar.gz</a>',
    'href="/files/demo-1.2.3-py3-none-any.whl#sha256=ccc" data-yanked="">'
    "demo-1.2.3-py3-none-any.whl</a>",
    'href="/files/demo-1.2.4-py3-none-any.whl#md5=ddd">demo-1.2.4-py3-none-any.whl</a>',
)


# Answers


def test_a_pep503_html_page_gives_files_versions_digests_and_yanks() -> None:
    with index_server(DEMO_HTML) as served:
        page = query_project(choice(served.url), "Demo", bounds=FAST)
    assert page.error is None
    assert page.listed
    assert [(f.filename, f.version, f.sha256, f.yanked) for f in page.files] == [
        ("demo-1.2.2.tar.gz", "1.2.2", "aaa", False),
        ("Demo-1.2.3.tar.gz", "1.2.3", "bbb", True),
        ("demo-1.2.3-py3-none-any.whl", "1.2.3", "ccc", True),
        ("demo-1.2.4-py3-none-any.whl", "1.2.4", None, False),
    ]
    assert page.files[1].yanked_reason == "broken build"
    assert page.files[2].yanked_reason is None
    # yanked files count: the version is taken; 1.2.3.0 is 1.2.3 by PEP 440
    assert [f.filename for f in page.files_of(Version("1.2.3.0"))] == [
        "Demo-1.2.3.tar.gz",
        "demo-1.2.3-py3-none-any.whl",
    ]
    assert not page.lists_version(Version("1.3"))
    # an sdist spelt differently is the same file for the index
    found = page.find("demo-1.2.3.tar.gz")
    assert found is not None
    assert found.filename == "Demo-1.2.3.tar.gz"
    assert page.find("demo-1.2.3-py2-none-any.whl") is None


def test_a_pep691_json_page_gives_files_and_the_pep700_versions() -> None:
    data = {
        "meta": {"api-version": "1.1"},
        "name": "demo",
        "files": [
            {
                "filename": "demo-1.0-py3-none-any.whl",
                "url": "https://files.example.invalid/demo-1.0-py3-none-any.whl",
                "hashes": {"sha256": "abc"},
                "yanked": "security issue",
                "size": 10,
            },
        ],
        "versions": ["0.9", "1.0"],
    }
    with index_server(pep691(data)) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST)
    assert "application/vnd.pypi.simple.v1+json" in served.requests[0]["Accept"]
    assert page.error is None
    assert page.files[0].yanked_reason == "security issue"
    assert page.versions == ("0.9", "1.0")
    # 0.9 has no file left, but the index still lists it: it stays taken
    assert page.lists_version(Version("0.9"))
    assert IndexPage.from_json(page.to_json()) == page


def test_a_project_the_index_does_not_know_is_a_page_that_is_not_listed() -> None:
    with index_server(status(404)) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST)
    assert page.error is None
    assert not page.listed
    assert not page.lists_version(Version("1.0"))


def test_fresh_asks_caches_in_between_to_revalidate() -> None:
    with index_server(DEMO_HTML) as served:
        query_project(choice(served.url), "demo", bounds=FAST, fresh=True)
        query_project(choice(served.url), "demo", bounds=FAST)
    assert served.requests[0]["Cache-Control"] == "max-age=0"
    assert "Cache-Control" not in served.requests[1]


def test_something_that_is_not_a_simple_page_is_an_error_without_retries() -> None:
    with index_server(body("{}", "application/json")) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST)
    assert len(served.requests) == 1
    assert page.error is not None
    assert "is not a Simple API project page" in page.error


# Failures and retries


def test_a_server_error_is_retried_within_the_bounds_then_reported() -> None:
    with index_server(status(500)) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST)
    assert len(served.requests) == FAST.attempts
    assert page.error == (
        f"could not read the page of demo on {served.url} (from --release-index): "
        "HTTP 500 Internal Server Error (gave up after 3 attempts)"
    )


def test_a_passing_server_error_is_retried_away() -> None:
    with index_server(status(503), status(502), DEMO_HTML) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST)
    assert len(served.requests) == 3
    assert page.error is None
    assert page.listed


def test_429_waits_as_long_as_retry_after_says() -> None:
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    with index_server(status(429, Retry_After="1"), DEMO_HTML) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST, sleep=sleep)
    assert slept == [1.0]
    assert len(served.requests) == 2
    assert page.listed


def test_429_asking_for_more_than_the_bound_gives_up_at_once_and_says_so() -> None:
    started = time.monotonic()
    with index_server(status(429, Retry_After="120")) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST)
    assert time.monotonic() - started < 2
    assert len(served.requests) == 1
    assert page.error is not None
    assert page.error.endswith(
        "HTTP 429 Too Many Requests (the index asked to retry after 120 s, beyond the 5 s "
        "this check waits)"
    )


def test_a_server_that_hangs_up_is_retried_then_reported() -> None:
    with index_server(close_connection) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST)
    assert len(served.requests) == FAST.attempts
    assert page.error is not None
    assert page.error.endswith(
        "connection failed: Remote end closed connection without response "
        "(gave up after 3 attempts)"
    )


def test_a_refused_connection_is_reported_with_the_reason() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/simple/"
    page = query_project(choice(url), "demo", bounds=FAST)
    assert page.error is not None
    assert "connection failed: Failed to establish a new connection: [Errno 111]" in page.error


def test_a_server_that_never_answers_is_given_up_on_within_the_bound() -> None:
    bounds = NetworkBounds(connect_timeout=1, read_timeout=0.5, attempts=10, backoff=0.1, total=2)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/simple/"
        started = time.monotonic()
        page = query_project(choice(url), "demo", bounds=bounds)
        elapsed = time.monotonic() - started
    assert elapsed < bounds.total + bounds.read_timeout + 0.5
    assert page.error is not None
    assert "no answer within 0.5 s" in page.error
    assert "s (gave up after" in page.error


def test_a_client_error_is_not_retried_and_credentials_are_hinted() -> None:
    with index_server(status(403)) as served:
        page = query_project(choice(served.url), "demo", bounds=FAST)
    assert len(served.requests) == 1
    assert page.error is not None
    assert page.error.endswith(
        "HTTP 403 Forbidden — the index wants credentials: put them in the index URL or in ~/.netrc"
    )


# Credentials


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:s3cret@host.invalid/simple/", "https://user:***@host.invalid/simple/"),
        ("https://tok3n@host.invalid:8443/simple/", "https://***@host.invalid:8443/simple/"),
        ("https://host.invalid/simple/", "https://host.invalid/simple/"),
    ],
)
def test_redact_hides_passwords_and_tokens(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_credentials_in_the_url_are_sent_but_never_shown() -> None:
    with index_server(DEMO_HTML, auth="user:s3cret") as served:
        secret_url = served.url.replace("http://", "http://user:s3cret@")
        page = query_project(choice(secret_url), "demo", bounds=FAST)
        failed = query_project(
            choice(served.url.replace("http://", "http://user:wrong@")), "demo", bounds=FAST
        )
    assert page.listed
    assert page.error is None
    assert "user:***@127.0.0.1" in page.index
    assert "s3cret" not in page.to_json()
    assert failed.error is not None
    assert "wrong" not in failed.error
    assert "HTTP 401" in failed.error


# Which index


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_index_comes_from_the_option_then_the_project_then_pip_then_the_default(
    tmp_path: Path,
) -> None:
    pip_conf = write(tmp_path / "pip.conf", "[global]\nindex-url = https://pip.invalid/simple/\n")
    env = {"PIP_INDEX_URL": "https://env.invalid/simple/"}
    option, configured = "https://option.invalid/simple/", "https://project.invalid/simple/"
    assert resolve_index(option, configured, env, pip_files=[pip_conf]) == IndexChoice(
        url=option, source="--release-index"
    )
    assert resolve_index(None, configured, env, pip_files=[pip_conf]) == IndexChoice(
        url=configured, source="[tool.release-checks] index in pyproject.toml"
    )
    assert resolve_index(None, None, env, pip_files=[pip_conf]) == IndexChoice(
        url="https://env.invalid/simple/", source="PIP_INDEX_URL"
    )
    assert resolve_index(None, None, {}, pip_files=[pip_conf]) == IndexChoice(
        url="https://pip.invalid/simple/", source=f"pip configuration {pip_conf} [global]"
    )
    default = resolve_index(None, None, {}, pip_files=[])
    assert default.source == DEFAULT_SOURCE
    assert default.url.endswith("/simple/")


def test_pip_install_section_and_later_files_win(tmp_path: Path) -> None:
    first = write(
        tmp_path / "a.conf",
        "[global]\nindex-url = https://a-global.invalid/\n"
        "[install]\nindex_url = https://a-install.invalid/\n",
    )
    second = write(tmp_path / "b.conf", "[global]\nindex-url = https://b-global.invalid/\n")
    third = write(tmp_path / "c.conf", "[install]\n--index-url = https://c-install.invalid/\n")
    assert resolve_index(None, None, {}, pip_files=[first, second]).url == (
        "https://a-install.invalid/"
    )
    assert resolve_index(None, None, {}, pip_files=[first, third]).url == (
        "https://c-install.invalid/"
    )
    broken = write(tmp_path / "broken.conf", "index-url = no section\n")
    assert resolve_index(None, None, {}, pip_files=[second, broken]).url == (
        "https://b-global.invalid/"
    )


@pytest.mark.skipif(os.name == "nt", reason="pip's Unix file locations")
def test_pip_config_files_are_pips_unix_files_in_pips_order(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_DIRS": "/etc/one:/etc/two"}
    files = pip_config_files(env)
    assert files[:5] == [
        Path("/etc/one/pip/pip.conf"),
        Path("/etc/two/pip/pip.conf"),
        Path("/etc/pip.conf"),
        tmp_path / ".pip" / "pip.conf",
        tmp_path / ".config" / "pip" / "pip.conf",
    ]
    assert files[5].name == "pip.conf"  # the site file, in this interpreter's prefix
    own = write(tmp_path / "mine.conf", "[global]\nindex-url = https://mine.invalid/\n")
    with_env_file = pip_config_files({**env, "PIP_CONFIG_FILE": str(own)})
    assert with_env_file[-1] == own
    assert tmp_path / ".config" / "pip" / "pip.conf" not in with_env_file  # pip skips user files
    assert pip_config_files({**env, "PIP_CONFIG_FILE": os.devnull}) == []


def test_pip_config_file_names_the_index(tmp_path: Path) -> None:
    own = write(tmp_path / "mine.conf", "[global]\nindex-url = https://mine.invalid/simple/\n")
    env = {"HOME": str(tmp_path / "home"), "PIP_CONFIG_FILE": str(own)}
    assert resolve_index(None, None, env) == IndexChoice(
        url="https://mine.invalid/simple/", source=f"pip configuration {own} [global]"
    )


def test_the_project_config_key_must_be_an_http_url() -> None:
    def parse(value: object) -> str | None:
        return parse_config({"tool": {"release-checks": {"index": value}}}).index

    assert parse("https://private.invalid/simple/") == "https://private.invalid/simple/"
    for wrong in ("private.invalid/simple", "file:///srv/index", 3):
        with pytest.raises(ConfigError, match=r"`tool.release-checks.index` must be an http"):
            parse(wrong)


# File names


def test_file_names_that_are_one_file_for_an_index() -> None:
    assert filename_key("Foo_Bar-1.0.tar.gz") == filename_key("foo_bar-1.0.tar.gz")
    assert filename_key("foo.bar-1.0.tar.gz") == filename_key("foo_bar-1.0.0.tar.gz")
    assert filename_key("Foo_Bar-1.0-py3-none-any.whl") == filename_key(
        "foo_bar-1.0-py3-none-any.whl"
    )
    assert filename_key("foo-1.0-py3-none-any.whl") != filename_key("foo-1.0-1-py3-none-any.whl")
    assert filename_key("foo-1.0.tar.gz") != filename_key("foo-1.0-py3-none-any.whl")
    assert filename_key("foo-1.0.egg") == filename_key("FOO-1.0.egg")


# Waiting for an upload


def test_waiting_for_a_release_asks_again_until_it_shows() -> None:
    before = html('href="/f/demo-1.2.2.tar.gz#sha256=a">demo-1.2.2.tar.gz</a>')
    with index_server(before, before, DEMO_HTML) as served:
        page = wait_for_release(
            choice(served.url),
            "demo",
            Version("1.2.3"),
            ["demo-1.2.3.tar.gz"],
            wait=10,
            poll=0.1,
            bounds=FAST,
        )
    assert len(served.requests) == 3
    assert all(request["Cache-Control"] == "max-age=0" for request in served.requests)
    assert page.lists_version(Version("1.2.3"))


def test_waiting_for_a_release_that_never_shows_stops_at_the_deadline() -> None:
    started = time.monotonic()
    with index_server(DEMO_HTML) as served:
        page = wait_for_release(
            choice(served.url), "demo", Version("9.9"), [], wait=0.5, poll=0.1, bounds=FAST
        )
    assert time.monotonic() - started < 2
    assert len(served.requests) >= 3
    assert page.listed
    assert not page.lists_version(Version("9.9"))


def test_waiting_for_a_release_ends_at_once_when_the_index_cannot_be_read() -> None:
    with index_server(status(500)) as served:
        page = wait_for_release(
            choice(served.url), "demo", Version("1.0"), [], wait=30, poll=0.1, bounds=FAST
        )
    assert len(served.requests) == FAST.attempts
    assert page.error is not None
    assert "HTTP 500 Internal Server Error (gave up after 3 attempts)" in page.error
