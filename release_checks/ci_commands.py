r"""What the shell script of a CI step runs: uploads, builds and test runs.

A script is cut into simple commands (at newlines, ``&&``, ``||``, ``;``, ``|`` and
parentheses, after joining ``\``-continued lines and dropping comments), and each command is
unwrapped down to the tool it runs: ``FOO=1 python -m twine upload`` and ``uv run --with twine
twine upload`` both run ``twine upload``. Recognising by words, not by substrings, keeps
``pip install pytest`` from counting as a test run. Heredocs and other shell constructs are
read as plain words: good enough to spot the commands a release workflow runs.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

__all__ = ["Command", "build_command", "commands", "publish_command", "test_command"]


@dataclass(frozen=True)
class Command:
    """One simple command: its words with the runners around the tool removed.

    `offset` is the line within the script (0 for the first), `text` that line as written.
    """

    offset: int
    words: tuple[str, ...]
    text: str


_SEPARATORS = frozenset(";|&()")
_SHELL_PREFIXES = frozenset(
    {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time", "sudo", "exec"}
)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"^(?:python|pypy|py)(?:\d+(?:\.\d+)*)?(?:\.exe)?$")
# Runners that start the command after their own options: `uv run [options] CMD`.
_RUNNERS = {
    ("uv", "run"),
    ("uv", "tool", "run"),
    ("uvx",),
    ("pipx", "run"),
    ("poetry", "run"),
    ("pdm", "run"),
    ("hatch", "run"),
    ("pipenv", "run"),
    ("rye", "run"),
    ("conda", "run"),
    ("mamba", "run"),
    ("micromamba", "run"),
    ("xvfb-run",),
    ("env",),
    ("coverage", "run"),
}
# Runner options that take a value as the next word.
_VALUE_OPTIONS = frozenset(
    {
        "--with", "--with-requirements", "--with-editable", "--from", "--python", "-p",
        "--extra", "--group", "--package", "--directory", "--project", "--env-file", "--index",
        "--spec", "--pip-args", "-n", "--name", "--prefix", "-e", "--env", "-u", "--unset",
        "--rcfile", "--source", "--include", "--omit", "--data-file", "--context",
    }
)  # fmt: skip
# `release-checks` subcommands that run no gate (anything else is passed to pytest).
_NOT_GATE_RUNS = frozenset({"info", "init", "notes", "verify-manifest"})
_TASK_RUNNERS = frozenset({"make", "just", "task", "invoke", "inv", "nmake"})
_TEST_NAME = re.compile(r"(?:^|[-_:.])(?:tests?|check|checks)(?:$|[-_:.])")


def _words(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # an unclosed quote: a heredoc or a multi-line string
        return line.split("#", 1)[0].split()


def _logical_lines(script: str) -> list[tuple[int, str, str]]:
    r"""(first line index, joined text, first line as written), ``\``-continued lines joined."""
    joined: list[tuple[int, str, str]] = []
    pending: tuple[int, str, str] | None = None
    for index, line in enumerate(script.splitlines()):
        stripped = line.rstrip()
        continued = stripped.endswith("\\")
        body = stripped[:-1] if continued else stripped
        if pending is None:
            pending = (index, body, line.strip())
        else:
            pending = (pending[0], pending[1] + " " + body, pending[2])
        if not continued:
            joined.append(pending)
            pending = None
    if pending is not None:
        joined.append(pending)
    return joined


def _split(words: list[str]) -> list[list[str]]:
    """Cut a word list at command separators (``&&``, ``|``, ``;``, parentheses...)."""
    parts: list[list[str]] = [[]]
    for word in words:
        if word and set(word) <= _SEPARATORS:
            parts.append([])
        else:
            parts[-1].append(word)
    return [part for part in parts if part]


def _tool_name(word: str) -> str:
    r"""`/usr/bin/Python3.exe` -> `python3.exe`; `.venv\Scripts\twine` -> `twine`."""
    return PureWindowsPath(PurePosixPath(word).name).name.lower()


def _skip_options(words: list[str]) -> list[str]:
    index = 0
    while index < len(words) and words[index].startswith(("-", "+")):
        option = words[index]
        index += 2 if option in _VALUE_OPTIONS else 1
    return words[index:]


def _unwrap_python(words: list[str]) -> list[str]:
    """`python [-I -X dev] -m twine upload` -> `twine upload`; `python setup.py` stays a script."""
    rest = words[1:]
    while rest and rest[0].startswith("-"):
        option, rest = rest[0], rest[1:]
        if option == "-m":
            return rest
        if option.startswith("-m"):  # `-mpytest`
            return [option[2:], *rest]
        if option in ("-X", "-W") and rest:
            rest = rest[1:]
        if option == "-c":
            return []
    return rest


def _unwrap(words: list[str]) -> list[str]:
    """Strip assignments, shell keywords and runners until the tool itself comes first."""
    while words:
        first = words[0]
        if _ASSIGNMENT.match(first) or first in _SHELL_PREFIXES:
            words = words[1:]
            continue
        name = _tool_name(first)
        if _PYTHON.match(name):
            words = _unwrap_python(words)
            continue
        for runner in _RUNNERS:
            if (name, *(word.lower() for word in words[1 : len(runner)])) == runner:
                words = _skip_options(words[len(runner) :])
                break
        else:
            return [name, *words[1:]]
    return []


def commands(script: str) -> list[Command]:
    """The simple commands of a step's ``run`` script, each with the tool it runs first."""
    found = []
    for offset, line, text in _logical_lines(script):
        for part in _split(_words(line)):
            words = _unwrap(part)
            if words:
                found.append(Command(offset, tuple(words), text))
    return found


def _subcommand(words: tuple[str, ...]) -> str:
    """The first word after the tool that is not an option: `twine --verbose upload` -> upload."""
    return next((word.lower() for word in words[1:] if not word.startswith("-")), "")


_PUBLISHERS = {
    "twine": "upload",
    "uv": "publish",
    "hatch": "publish",
    "flit": "publish",
    "poetry": "publish",
    "pdm": "publish",
}


def publish_command(command: Command) -> str | None:
    """``twine upload``, ``uv publish``... when the command uploads to an index, else None."""
    tool = command.words[0]
    if _PUBLISHERS.get(tool) == _subcommand(command.words):
        return f"{tool} {_PUBLISHERS[tool]}"
    return None


_BUILDERS = {"uv", "hatch", "flit", "poetry", "pdm"}


def build_command(command: Command) -> str | None:  # noqa: PLR0911 - one branch per tool
    """What the command builds with (``python -m build``...), or None when it builds nothing.

    An upload that builds first counts too: ``flit publish`` always builds, ``pdm publish``
    unless given ``--no-build``, ``poetry publish`` when given ``--build``.
    """
    words = command.words
    tool, sub = words[0], _subcommand(words)
    options = set(words[1:])
    if tool in ("build", "pyproject-build"):
        return "python -m build"
    if (tool in _BUILDERS and sub == "build") or (tool == "maturin" and sub in ("build", "sdist")):
        return f"{tool} {sub}"
    if tool == "cibuildwheel" or (tool == "pip" and sub == "wheel"):
        return " ".join(words[:1] if tool == "cibuildwheel" else words[:2])
    if tool == "setup.py" and options & {"sdist", "bdist_wheel", "bdist"}:
        return "python setup.py " + next(w for w in words[1:] if w.startswith(("sdist", "bdist")))
    if tool == "flit" and sub == "publish":
        return "flit publish (it builds before uploading)"
    if tool == "pdm" and sub == "publish" and "--no-build" not in options:
        return "pdm publish (it builds unless given --no-build)"
    if tool == "poetry" and sub == "publish" and "--build" in options:
        return "poetry publish --build"
    return None


def test_command(command: Command) -> str | None:
    """What runs the tests or the release gates (pytest, tox, ``make test``...), else None."""
    words = command.words
    tool, sub = words[0], _subcommand(words)
    if tool in ("pytest", "py.test", "tox", "nox", "unittest"):
        return tool
    if tool == "release-checks":
        return None if sub in _NOT_GATE_RUNS else "release-checks"
    if tool == "hatch" and sub == "test":
        return "hatch test"
    if tool in _TASK_RUNNERS and _TEST_NAME.search(sub):
        return f"{tool} {sub}"
    if _TEST_NAME.search(tool):  # a project script run by `hatch run`, `pdm run`...
        return tool
    return None
