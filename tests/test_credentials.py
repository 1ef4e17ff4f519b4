"""Credentials in artifacts: secret files, private keys, tokens, placeholders that are none.

Every credential here is generated at run time from a seeded random source, so this file
(which ships in our own sdist) holds no token-shaped string for the gate to find.
"""

from __future__ import annotations

import base64
import io
import random
import string
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from release_checks.credentials import (
    Finding,
    artifact_path_of,
    is_ignored,
    mask,
    scan_artifact,
    scan_file,
    secret_file_kind,
)
from release_checks.distset import DistSet
from tests.factory import build_once, make_project

BASE62 = string.ascii_letters + string.digits
ROOT = Path(__file__).parent.parent


def rng(seed: str) -> random.Random:
    return random.Random(seed)  # noqa: S311 - fake credentials, reproducible on purpose


def draw(alphabet: str, length: int, seed: str) -> str:
    source = rng(seed)
    return "".join(source.choice(alphabet) for _ in range(length))


def github(prefix: str = "ghp", seed: str = "gh") -> str:
    return f"{prefix}_" + draw(BASE62, 36, seed)


def aws_key_id(seed: str = "aws") -> str:
    return "AK" + "IA" + draw(string.ascii_uppercase + "234567", 16, seed)


def pem_key(label: str = "RSA PRIVATE KEY", seed: str = "pem", lines: int = 6) -> str:
    body = base64.b64encode(rng(seed).randbytes(48 * lines)).decode()
    rows = [body[i : i + 64] for i in range(0, len(body), 64)]
    dashes = "-" * 5
    return "\n".join([f"{dashes}BEGIN {label}{dashes}", *rows, f"{dashes}END {label}{dashes}"])


TOKENS: dict[str, Callable[[], str]] = {
    "a PyPI API token": lambda: "pypi-" + "AgEIcHlwaS5vcmc" + draw(BASE62 + "-_", 150, "pypi"),
    "a TestPyPI API token": lambda: (
        "pypi-" + "AgENdGVzdC5weXBpLm9yZw" + draw(BASE62 + "-_", 150, "test")
    ),
    "a GitHub personal access token": github,
    "a GitHub OAuth access token": lambda: github("gho"),
    "a GitHub user-to-server token": lambda: github("ghu"),
    "a GitHub app installation token": lambda: github("ghs"),
    "a GitHub refresh token": lambda: github("ghr"),
    "a GitHub fine-grained personal access token": lambda: (
        "github" + "_pat_" + draw(BASE62, 22, "pat1") + "_" + draw(BASE62, 59, "pat2")
    ),
    "an AWS access key id": aws_key_id,
    "an AWS temporary access key id": lambda: "AS" + "IA" + draw(string.ascii_uppercase, 16, "t"),
    "a Slack token": lambda: "xo" + "xb-123456789012-1234567890123-" + draw(BASE62, 24, "sl"),
    "a GitLab personal access token": lambda: "gl" + "pat-" + draw(BASE62, 20, "gl"),
    "an npm access token": lambda: "np" + "m_" + draw(BASE62, 36, "npm"),
    "a Stripe live secret key": lambda: "sk" + "_live_" + draw(BASE62, 24, "stripe"),
}


def kinds(findings: list[Finding]) -> list[tuple[int | None, str]]:
    return [(finding.line, finding.kind) for finding in findings]


@pytest.mark.parametrize("kind", TOKENS)
def test_each_token_shape_is_found_and_masked(kind: str) -> None:
    token = TOKENS[kind]()
    text = f'"""Settings."""\n\nTOKEN = "{token}"\n'
    findings = scan_file("demo/settings.py", text.encode())
    assert kinds(findings) == [(3, kind)]
    assert findings[0].masked == f"{token[:4]}…{token[-2:]}"
    assert token not in findings[0].to_json()
    assert token[4:-2] not in repr(findings)


def test_aws_secret_access_key_masks_only_the_value() -> None:
    secret = draw(BASE62 + "/+", 40, "secret")
    findings = scan_file(".env", f"AWS_ACCESS_KEY_ID={aws_key_id()}\n"
                         f"AWS_SECRET_ACCESS_KEY={secret}\n".encode())  # fmt: skip
    assert kinds(findings) == [
        (None, "a `.env` file (environment settings, usually credentials)"),
        (1, "an AWS access key id"),
        (2, "an AWS secret access key"),
    ]
    assert findings[2].masked == f"{secret[:4]}…{secret[-2:]}"
    json_config = f'{{"aws_secret_access_key": "{secret}"}}'
    assert kinds(scan_file("config.json", json_config.encode())) == [
        (1, "an AWS secret access key")
    ]


@pytest.mark.parametrize(
    "text",
    [
        # Documentation placeholders: runs, sequences, words, hex, wrong lengths.
        "export GITHUB_TOKEN=ghp_" + "x" * 36,
        "token: ghp_" + "X" * 36,
        "ghp_1234567890abcdefghijklmnopqrstuvwxyz",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",  # all hex: GitHub's documentation example
        "ghp_" + "yourPersonalAccessTokenGoesHere12345",
        "ghp_" + draw(BASE62, 35, "short"),
        "ghp_" + draw(BASE62, 37, "long"),
        "xghp_" + draw(BASE62, 36, "glued"),
        "ghp_" + draw(string.ascii_lowercase + string.digits, 36, "lower"),
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
        "AKIA" + "X" * 16,
        "AKIA" + "ABCDEFGHIJKLMNOP",
        "akia" + draw(string.ascii_uppercase, 16, "lower-prefix"),
        "=" + "AKIA" + draw(string.ascii_uppercase, 16, "in-base64") + "xyz/",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SECRET_ACCESS_KEY=<your secret access key>",
        "pypi-" + "AgEIcHlwaS5vcmc" + "...",
        "xoxb-your-token-here",
        "PYPI_TOKEN=pypi-XXXXXXXXXXXXXXXXXXXXXXXX",
    ],
)
def test_documentation_placeholders_are_not_credentials(text: str) -> None:
    assert scan_file("README.md", f"# Setup\n\n{text}\n".encode()) == []


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("RSA PRIVATE KEY", "a private key (`-----BEGIN RSA PRIVATE KEY-----`)"),
        ("OPENSSH PRIVATE KEY", "a private key (`-----BEGIN OPENSSH PRIVATE KEY-----`)"),
        ("PRIVATE KEY", "a private key (`-----BEGIN PRIVATE KEY-----`)"),
        ("EC PRIVATE KEY", "a private key (`-----BEGIN EC PRIVATE KEY-----`)"),
        ("PGP PRIVATE KEY BLOCK", "a private key (`-----BEGIN PGP PRIVATE KEY BLOCK-----`)"),
    ],
)
def test_private_key_files_are_found(label: str, kind: str) -> None:
    key = pem_key(label)
    findings = scan_file("deploy/server.pem", f"{key}\n".encode())
    assert kinds(findings) == [(1, kind)]
    assert key.splitlines()[1] not in repr(findings)


def test_private_keys_embedded_in_code_and_json_are_found() -> None:
    key = pem_key(seed="embedded")
    quoted = "\n".join(f'    "{line}\\n"' for line in key.splitlines())
    escaped = key.replace("\n", "\\n")
    encrypted = pem_key(seed="enc").replace(
        "KEY-----\n", "KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D\n\n", 1
    )
    text = (
        f'KEY = """{key}"""\n'  # line 1
        f"KEY2 = (\n{quoted}\n)\n"  # line 9, the key from line 10
        f'{{"private_key": "{escaped}\\n"}}\n'  # line 19
        f"{encrypted}\n"  # line 20
    )
    assert [line for line, _ in kinds(scan_file("demo/keys.py", text.encode()))] == [1, 10, 19, 20]


@pytest.mark.parametrize(
    "text",
    [
        # A parser's constants, documentation, and a header without a body.
        'BEGIN = "-----BEGIN RSA PRIVATE KEY-----"\nEND = "-----END RSA PRIVATE KEY-----"\n',
        "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\n" + "X" * 64 + "\n-----END PRIVATE KEY-----\n",
        (
            'HEADER = "-----BEGIN EC PRIVATE KEY-----"\n\n\ndef parse(text: str) -> bytes:\n'
            '    """Decode the base64 body between the header and the footer lines."""\n'
            "    return base64.b64decode(text.split(HEADER)[1].split(FOOTER)[0])\n\n\n"
            'FOOTER = "-----END EC PRIVATE KEY-----"\n'
        ),
        "-----BEGIN RSA PRIVATE KEY-----\n" + pem_key().splitlines()[1] + "\n",  # no END
        pem_key("PUBLIC KEY") + "\n" + pem_key("CERTIFICATE"),
    ],
)
def test_key_lookalikes_are_not_private_keys(text: str) -> None:
    assert scan_file("demo/pem.py", text.encode()) == []


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        ("demo/.env", True),
        ("demo-1.0/.env.local", True),
        ("deploy/.env.production", True),
        (".env.example", False),
        (".env.sample", False),
        ("docker/.env.template", False),
        (".env.test.example", False),
        ("home/.pypirc", True),
        (".netrc", True),
        ("_netrc", True),
        (".git-credentials", True),
        ("deploy/id_rsa", True),
        ("deploy/id_ed25519", True),
        ("deploy/id_rsa.pub", False),
        ("docs/environment.md", False),
        ("demo/env.py", False),
    ],
)
def test_secret_files_by_name(path: str, secret: bool) -> None:
    assert (secret_file_kind(path) is not None) is secret
    findings = scan_file(path, b"")
    assert bool(findings) is secret
    assert all(finding.line is None and finding.masked is None for finding in findings)


def test_binary_files_are_judged_by_name_only() -> None:
    data = b"\x7fELF\x00\x00" + github().encode() + b"\x00"
    assert scan_file("demo/_speedups.so", data) == []
    assert kinds(scan_file("deploy/id_rsa", b"\x00\x01")) == [
        (None, "an SSH private key file (`id_rsa`)")
    ]


@pytest.mark.parametrize(
    ("value", "masked"),
    [("ghp_abcdefghijklXy", "ghp_…Xy"), ("AKIA12345", "AK…"), ("abc", "…")],
)
def test_mask_shows_at_most_four_and_two_characters(value: str, masked: str) -> None:
    assert mask(value) == masked


def make_sdist(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def make_wheel(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_scan_artifact_names_members_and_honours_ignores(tmp_path: Path) -> None:
    token = github()
    sdist = make_sdist(
        tmp_path / "demo-1.0.tar.gz",
        {
            "demo-1.0/PKG-INFO": b"Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n",
            "demo-1.0/src/demo/api.py": f'"""API."""\n\nTOKEN = "{token}"\n'.encode(),
            "demo-1.0/tests/fixtures/server.key": pem_key().encode(),
            "demo-1.0/deploy/id_rsa": pem_key("OPENSSH PRIVATE KEY").encode(),
        },
    )
    findings = scan_artifact(sdist, ["tests/fixtures/*"])
    assert [(f.member, f.path, f.line) for f in findings] == [
        ("demo-1.0/src/demo/api.py", "src/demo/api.py", 3),
        ("demo-1.0/deploy/id_rsa", "deploy/id_rsa", None),
        ("demo-1.0/deploy/id_rsa", "deploy/id_rsa", 1),
    ]
    assert scan_artifact(sdist, ["*/api.py", "/deploy/*", "demo-1.0/tests/*"]) == []
    wheel = make_wheel(
        tmp_path / "demo-1.0-py3-none-any.whl",
        {"demo/.env": f"GITHUB_TOKEN={token}\n".encode(), "demo/__init__.py": b""},
    )
    assert kinds(scan_artifact(wheel)) == [
        (None, "a `.env` file (environment settings, usually credentials)"),
        (1, "a GitHub personal access token"),
    ]
    assert scan_artifact(wheel, ["demo/.env"]) == []


def test_member_paths_and_ignore_globs() -> None:
    sdist, wheel = Path("demo-1.0.tar.gz"), Path("demo-1.0-py3-none-any.whl")
    assert artifact_path_of(sdist, "demo-1.0/tests/key.pem") == "tests/key.pem"
    assert artifact_path_of(wheel, "demo/tests/key.pem") == "demo/tests/key.pem"
    assert is_ignored("tests/key.pem", "demo-1.0/tests/key.pem", ["*.pem"])
    assert is_ignored("src/demo/tests/k.pem", "demo-1.0/src/demo/tests/k.pem", ["*/tests/*"])
    assert not is_ignored("tests/key.pem", "demo-1.0/tests/key.pem", ["key.pem", "docs/*"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DistSet:
    dists = build_once(tmp_path_factory, "hatchling-demo", make_project)
    assert dists.error is None, dists.error
    return dists


def test_healthy_build_ships_no_credentials(built: DistSet) -> None:
    for path in built.files:
        assert scan_artifact(path) == [], path.name


def test_this_project_holds_no_credentials() -> None:
    """Our own sources: the scanner's patterns and these tests must not trip the scanner."""
    files = [
        path
        for folder in ("release_checks", "tests")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]
    assert len(files) > 20
    findings = [
        finding
        for path in files
        for finding in scan_file(path.relative_to(ROOT).as_posix(), path.read_bytes())
    ]
    assert findings == []
