"""Credentials in a built artifact: secret files, private keys and token-shaped strings.

Every file of the archive is read (never extracted); binary files are only judged by name.
A finding never carries the secret itself, only a masked form (`mask`), so nothing that
reports it can leak it further.

What counts as a real token, and not documentation: the exact shape of the credential (its
prefix, length and character set, with nothing token-like glued to either end) and a body
that looks random — not a placeholder such as ``ghp_xxxx…``, ``AKIAIOSFODNN7EXAMPLE``, a
run of one character, an alphabet sequence (``abcdef``, ``123456``), too few distinct
characters, or a word like "example", "dummy" or "your". A private key counts when a
``-----BEGIN … PRIVATE KEY-----`` line is followed by a real key body and its ``END``
line; a header alone (a parser's constant) does not.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from release_checks.archives import iter_file_contents
from release_checks.dists import dist_kind
from release_checks.records import Record

__all__ = [
    "Finding",
    "artifact_path_of",
    "is_ignored",
    "mask",
    "scan_artifact",
    "scan_file",
    "secret_file_kind",
]


@dataclass(frozen=True, kw_only=True)
class Finding(Record):
    """One credential in an artifact; `masked` is the only trace of its value.

    `member` is the archive member's stored name, `path` the same path without the sdist's
    ``name-version/`` directory (what `secrets-ignore` patterns match). `line` is None for a
    file that is a secret by its name.
    """

    member: str
    path: str
    line: int | None
    kind: str
    masked: str | None = None


# Files that hold credentials by their very nature, by base name.
_SECRET_FILES = {
    ".pypirc": "a `.pypirc` file (package index upload credentials)",
    ".netrc": "a `.netrc` file (login credentials)",
    "_netrc": "a `_netrc` file (login credentials)",
    ".git-credentials": "a `.git-credentials` file (git passwords and tokens)",
}
_SSH_KEY_FILES = frozenset(
    {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"}
)
# `.env.example` and friends document the variables without values: they are fine.
_ENV_TEMPLATES = frozenset({"example", "sample", "template", "tpl", "dist", "defaults"})


def secret_file_kind(path: str) -> str | None:
    """What secret file `path` is by its base name (``.env``, ``id_rsa``, …), or None."""
    name = PurePosixPath(path).name
    lowered = name.lower()
    if lowered in _SECRET_FILES:
        return _SECRET_FILES[lowered]
    if name in _SSH_KEY_FILES:
        return f"an SSH private key file (`{name}`)"
    suffixes = lowered.removeprefix(".env.").split(".")
    if lowered == ".env" or (lowered.startswith(".env.") and _ENV_TEMPLATES.isdisjoint(suffixes)):
        return f"a `{name}` file (environment settings, usually credentials)"
    return None


def mask(value: str) -> str:
    """Show at most the first 4 and the last 2 characters: ``ghp_…Xy``."""
    if len(value) >= 12:
        return f"{value[:4]}…{value[-2:]}"
    if len(value) >= 6:
        return f"{value[:2]}…"
    return "…"


@dataclass(frozen=True)
class _Rule:
    """A credential shape: `pattern` matches the whole secret, group `body` its random part.

    The regular expression only runs on a file that contains one of the `needles`, which
    keeps the scan of a large artifact fast.
    """

    kind: str
    needles: tuple[bytes, ...]
    pattern: re.Pattern[bytes]
    uniform: bool = True  # the body is uniformly random, so placeholder tests apply in full
    mixed_case: bool = False  # base62: a real body has upper and lower case, is not all hex
    mask_body: bool = False  # show only the body: what precedes it is a variable's name


def _token(
    kind: str, prefix: bytes, body: bytes, *, edge: bytes = rb"\w", **options: bool
) -> _Rule:
    """A token that starts with a literal `prefix`, with no `edge` character around it."""
    pattern = rb"(?<!%s)%s(?P<body>%s)(?!%s)" % (edge, re.escape(prefix), body, edge)
    return _Rule(kind, (prefix,), re.compile(pattern), **options)


_GITHUB = (
    ("ghp", "a GitHub personal access token"),
    ("gho", "a GitHub OAuth access token"),
    ("ghu", "a GitHub user-to-server token"),
    ("ghs", "a GitHub app installation token"),
    ("ghr", "a GitHub refresh token"),
)
_AWS_EDGE = rb"[A-Za-z0-9/+]"  # AWS key ids sit in base64-ish text: no glued characters
_RULES = (
    # PyPI and TestPyPI tokens: macaroons, structured but long and varied.
    _token(
        "a PyPI API token", b"pypi-AgEIcHlwaS5vcmc", rb"[\w-]{60,}", edge=rb"[\w-]", uniform=False
    ),
    _token(
        "a TestPyPI API token",
        b"pypi-AgENdGVzdC5weXBpLm9yZw",
        rb"[\w-]{60,}",
        edge=rb"[\w-]",
        uniform=False,
    ),
    *(
        _token(kind, f"{prefix}_".encode(), rb"[A-Za-z0-9]{36}", mixed_case=True)
        for prefix, kind in _GITHUB
    ),
    _token(
        "a GitHub fine-grained personal access token", b"github_pat_", rb"\w{82}", mixed_case=True
    ),
    _token("an AWS access key id", b"AKIA", rb"[A-Z0-9]{16}", edge=_AWS_EDGE),
    _token("an AWS temporary access key id", b"ASIA", rb"[A-Z0-9]{16}", edge=_AWS_EDGE),
    _Rule(
        "an AWS secret access key",
        (b"SECRET", b"secret", b"Secret"),
        re.compile(
            rb"(?i:aws_?secret_?(?:access_?)?key)[\"']?\s*[:=]\s*[\"']?"
            rb"(?P<body>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
        ),
        mask_body=True,
    ),
    _Rule(
        "a Slack token",
        (b"xox",),
        re.compile(rb"(?<![\w-])xox[baprs]-(?:[0-9]+-){1,3}(?P<body>[A-Za-z0-9]{20,})(?![\w-])"),
    ),
    _token("a GitLab personal access token", b"glpat-", rb"[\w-]{20}", edge=rb"[\w-]"),
    _token("an npm access token", b"npm_", rb"[A-Za-z0-9]{36}", mixed_case=True),
    _Rule(
        "a Stripe live secret key",
        (b"_live_",),
        re.compile(rb"(?<!\w)[sr]k_live_(?P<body>[A-Za-z0-9]{24,})(?!\w)"),
    ),
)

_PEM_BEGIN = re.compile(rb"-----BEGIN (?P<label>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----")
_PEM_SEARCH = 64 * 1024  # the END line of a real key is never further away than this
_PEM_LINE_BREAK = re.compile(r"\r?\n|(?:\\r)?\\n")  # real line breaks or escaped ones
_PEM_QUOTING = re.compile(r"^[bBrRuU]{0,2}[\"']")  # the opening quote of a string literal
_PEM_TRIM = " \t\"'`,+()#;*\\"  # quotes, concatenation and comment marks around a line
_PEM_HEADER_LINE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9-]*: |=[A-Za-z0-9+/]{4}$)")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+=*")
_PLACEHOLDER_WORDS = ("example", "sample", "dummy", "placeholder", "redacted", "fake", "your")
_BINARY_PROBE = 8192


def _has_sequence(body: str, length: int = 6) -> bool:
    """True for an alphabet run such as ``abcdef``, ``123456`` or ``FEDCBA``."""
    for step in (1, -1):
        run = 1
        for left, right in itertools.pairwise(body):
            run = run + 1 if ord(right) - ord(left) == step else 1
            if run >= length:
                return True
    return False


def _looks_random(body: str, *, uniform: bool, mixed_case: bool = False) -> bool:
    """Whether a matched body is plausibly a real secret rather than a documented placeholder.

    Every body needs a varied alphabet and no placeholder word ("EXAMPLE"); a uniformly
    random one also no run of one character and no alphabet sequence, and a base62 one both
    cases and a letter beyond hex. Structured bodies (key encodings, macaroons) legitimately
    repeat characters.
    """
    if len(set(body)) < min(len(body) // 3, 12):
        return False
    # A long body (a key) may contain a short word by chance: only long words count there.
    words = _PLACEHOLDER_WORDS if uniform else [w for w in _PLACEHOLDER_WORDS if len(w) >= 5]
    if any(word in body.lower() for word in words):
        return False
    if not uniform:
        return True
    if re.search(r"(.)\1{4}", body) or _has_sequence(body):
        return False
    if mixed_case:
        has_cases = any(c.isupper() for c in body) and any(c.islower() for c in body)
        all_hex = all(c in "0123456789abcdefABCDEF" for c in body)
        return has_cases and not all_hex
    return True


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _pem_body(between: bytes) -> str | None:
    """The base64 body between a BEGIN and an END line, or None if that is not a key body.

    The key may sit in a file of its own, a triple-quoted string, one string literal per line
    or a JSON value with escaped line breaks; RFC 1421 and PGP header lines are skipped.
    Anything else between the lines (code between two constants, "..." in documentation)
    means it is no key.
    """
    body = []
    for raw in _PEM_LINE_BREAK.split(between.decode("ascii", errors="replace")):
        piece = _PEM_QUOTING.sub("", raw.strip()).strip(_PEM_TRIM)
        if not piece or _PEM_HEADER_LINE.match(piece):
            continue
        if not _BASE64.fullmatch(piece):
            return None
        body.append(piece)
    return "".join(body)


def _private_keys(data: bytes) -> Iterable[tuple[int, str, str]]:
    for begin in _PEM_BEGIN.finditer(data):
        label = begin["label"]
        end = data.find(b"-----END " + label + b"-----", begin.end(), begin.end() + _PEM_SEARCH)
        body = _pem_body(data[begin.end() : end]) if end >= 0 else None
        if body is not None and len(body) >= 40 and _looks_random(body, uniform=False):
            kind = f"a private key (`-----BEGIN {label.decode('ascii')}-----`)"
            yield _line_of(data, begin.start()), kind, mask(body)


def _tokens(data: bytes) -> Iterable[tuple[int, str, str]]:
    for rule in _RULES:
        if not any(needle in data for needle in rule.needles):
            continue
        for match in rule.pattern.finditer(data):
            body = match["body"].decode("ascii")
            if _looks_random(body, uniform=rule.uniform, mixed_case=rule.mixed_case):
                secret = body if rule.mask_body else match[0].decode("ascii")
                yield _line_of(data, match.start()), rule.kind, mask(secret)


def _is_binary(data: bytes) -> bool:
    return b"\0" in data[:_BINARY_PROBE]


def scan_file(path: str, data: bytes, *, member: str | None = None) -> list[Finding]:
    """The credentials in one file: by its name, then (for text) by its content, by line."""
    member = path if member is None else member
    findings = []
    kind = secret_file_kind(path)
    if kind is not None:
        findings.append(Finding(member=member, path=path, line=None, kind=kind))
    if not _is_binary(data):
        hits = sorted({*_private_keys(data), *_tokens(data)})
        findings += [
            Finding(member=member, path=path, line=line, kind=kind, masked=masked)
            for line, kind, masked in hits
        ]
    return findings


def artifact_path_of(artifact: Path, member: str) -> str:
    """A member's path inside the artifact: without the sdist's ``name-version/`` directory."""
    if dist_kind(artifact) == "sdist":
        top, _, rest = member.lstrip("/").partition("/")
        return rest or top
    return member.lstrip("/")


def is_ignored(path: str, member: str, patterns: Sequence[str]) -> bool:
    """Whether a `secrets-ignore` glob matches the member (fnmatch: ``*`` also matches ``/``)."""
    return any(
        fnmatch.fnmatchcase(path, pattern.lstrip("/"))
        or fnmatch.fnmatchcase(member, pattern.lstrip("/"))
        for pattern in patterns
    )


def scan_artifact(artifact: Path, ignore: Sequence[str] = ()) -> list[Finding]:
    """Every credential in every file of a wheel or sdist, except in files `ignore` matches.

    A corrupt archive raises FactError (from `archives`).
    """
    findings: list[Finding] = []
    for entry, data in iter_file_contents(artifact):
        path = artifact_path_of(artifact, entry.name)
        if not is_ignored(path, entry.name, ignore):
            findings += scan_file(path, data, member=entry.name)
    return findings
