"""The ``release-checks`` command: run the built-in gates alone, or print release notes.

``release-checks`` (or ``release-checks run``) runs only the built-in gates, with the
project's conftest.py, addopts and test modules left out, so a CI job that installs nothing but
pytest-release-checks can run them. ``release-checks notes VERSION`` prints the changelog
section for VERSION, for a GitHub release body. ``release-checks verify-manifest FILE [DIR]``
checks, right before an upload, that DIR holds exactly the files a passing run verified.
``release-checks info`` prints the release's name, version, tag and pre-release flag (as step
outputs in GitHub Actions); ``release-checks init`` writes a release workflow into the project.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from release_checks.errors import ReleaseChecksError

__all__ = ["main"]


def _run(pytest_args: Sequence[str]) -> int:
    import pytest  # noqa: PLC0415

    from release_checks.project import find_project_root  # noqa: PLC0415

    root = find_project_root(Path.cwd())
    if root is None:
        sys.stderr.write("release-checks: no pyproject.toml here or in a parent directory\n")
        return 4
    return int(
        pytest.main(
            [
                "-p",
                "release_checks",
                "--noconftest",
                "-o",
                "addopts=",
                "-o",
                "required_plugins=",
                "-o",
                "filterwarnings=",
                "--rootdir",
                str(root),
                "-m",
                "release",
                str(root / "pyproject.toml"),
                *pytest_args,
            ]
        )
    )


def _notes(version_text: str, changelog: str | None) -> int:
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415

    from release_checks.config import parse_config  # noqa: PLC0415
    from release_checks.errors import ConfigError  # noqa: PLC0415
    from release_checks.notes import release_notes  # noqa: PLC0415
    from release_checks.project import find_project_root, load_pyproject  # noqa: PLC0415
    from release_checks.tags import split_tag  # noqa: PLC0415

    root = find_project_root(Path.cwd()) or Path.cwd()
    try:
        configured = changelog or parse_config(load_pyproject(root)).changelog
    except ConfigError as error:
        sys.stderr.write(f"release-checks: {error}\n")
        return 4
    try:
        version = Version(split_tag(version_text, None)[1])
    except InvalidVersion:
        sys.stderr.write(f"release-checks: {version_text!r} is not a PEP 440 version\n")
        return 4
    verdict = release_notes(root, configured, version)
    if verdict.problem is not None or verdict.entry is None:
        sys.stderr.write(f"release-checks: {verdict.problem}\n")
        return 1
    sys.stdout.write(verdict.entry.body.rstrip() + "\n")
    return 0


def _verify_manifest(manifest: Path, directory: Path) -> int:
    from release_checks.errors import FactError  # noqa: PLC0415
    from release_checks.manifest import verify_manifest  # noqa: PLC0415

    try:
        problems = verify_manifest(manifest, directory)
    except FactError as error:
        sys.stderr.write(f"release-checks: {error}\n")
        return 1
    if problems:
        sys.stderr.write(
            f"release-checks: {directory} does not hold the files verified in {manifest}:\n"
            + "".join(f"  - {problem}\n" for problem in problems)
        )
        return 1
    sys.stdout.write(f"release-checks: {directory} holds exactly the files in {manifest}\n")
    return 0


def _info(argv: Sequence[str]) -> int:
    import os  # noqa: PLC0415

    from release_checks.release_info import github_output, info_for_directory  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="release-checks info",
        description="Print the release's name, version, tag and pre-release flag as key=value "
        "lines; with $GITHUB_OUTPUT set (GitHub Actions), append them there instead.",
    )
    parser.add_argument(
        "--dist", metavar="DIR", type=Path, help="read the version from the built files in DIR"
    )
    parser.add_argument("--tag", help="the release tag (default: found as the gates find it)")
    parsed = parser.parse_args(argv)
    try:
        info = info_for_directory(Path.cwd(), dist=parsed.dist, tag=parsed.tag)
    except ReleaseChecksError as error:
        sys.stderr.write(f"release-checks: {error}\n")
        return 1
    values = info.outputs()
    sys.stderr.write(f"release-checks: tag {info.tag} ({info.tag_source})\n")
    output = os.environ.get("GITHUB_OUTPUT")
    if not output:
        sys.stdout.write("".join(f"{key}={value}\n" for key, value in values.items()))
        return 0
    with Path(output).open("a", encoding="utf-8") as stream:
        stream.write(github_output(values))
    sys.stderr.write(f"release-checks: wrote {', '.join(values)} to $GITHUB_OUTPUT\n")
    return 0


def _init(argv: Sequence[str]) -> int:
    from release_checks.release_workflow import WORKFLOW_PATH, write_workflow  # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="release-checks init",
        description=f"Write {WORKFLOW_PATH}, a release workflow for this project: build, "
        "gates, test index, index (Trusted Publishing), GitHub release. An existing file is "
        "never overwritten.",
    )
    parser.add_argument(
        "--python",
        metavar="X.Y",
        help="the jobs' Python (default: the lowest that requires-python allows, 3.11 or later)",
    )
    parser.add_argument(
        "--environment",
        default="pypi",
        help="the GitHub environment of the publish job (default: pypi)",
    )
    parsed = parser.parse_args(argv)
    try:
        message = write_workflow(Path.cwd(), python=parsed.python, environment=parsed.environment)
    except ReleaseChecksError as error:
        sys.stderr.write(f"release-checks: {error}\n")
        return 1
    sys.stdout.write(message)
    return 0


_SUBCOMMANDS = {"info": _info, "init": _init}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``release-checks`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] and args[0] in _SUBCOMMANDS:
        return _SUBCOMMANDS[args[0]](args[1:])
    if args[:1] == ["notes"]:
        parser = argparse.ArgumentParser(
            prog="release-checks notes",
            description="Print the changelog section for VERSION (a tag such as v1.2.3 works too).",
        )
        parser.add_argument("version")
        parser.add_argument(
            "--changelog", help="the changelog file (default: config, then auto-detect)"
        )
        parsed = parser.parse_args(args[1:])
        return _notes(parsed.version, parsed.changelog)
    if args[:1] == ["verify-manifest"]:
        parser = argparse.ArgumentParser(
            prog="release-checks verify-manifest",
            description="Check that DIR holds exactly the files a passing gate run verified "
            "(written by --release-manifest); run it right before uploading DIR.",
        )
        parser.add_argument("manifest", type=Path)
        parser.add_argument("directory", type=Path, nargs="?", default=Path("dist"))
        parsed = parser.parse_args(args[1:])
        return _verify_manifest(parsed.manifest, parsed.directory)
    if args[:1] in (["-h"], ["--help"]):
        sys.stdout.write(__doc__ or "")
        sys.stdout.write("\nAny other arguments are passed to pytest.\n")
        return 0
    return _run(args[1:] if args[:1] == ["run"] else args)


if __name__ == "__main__":
    sys.exit(main())
