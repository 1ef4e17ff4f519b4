"""The gates on what the artifacts ship (issue 3): no secrets, license files, py.typed.

End-to-end scenarios on real projects; see tests/scenarios.py for the machinery. Every
credential is generated at run time (tests/test_credentials.py), none is written here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from release_checks.declared_files import ArtifactFiles
from release_checks.gates_shipped import _declared_problems
from tests.factory import FixtureProject, make_project
from tests.scenarios import (
    Scenario,
    append,
    build_dists_into,
    failed,
    gates_shown_failing,
    remove,
    replace,
    run_scenario,
    write,
)
from tests.test_credentials import aws_key_id, draw, github, pem_key

SHIPPED = tuple(
    f"{gate}[{artifact}]"
    for gate in ("test_no_secrets_shipped", "test_license_files_shipped", "test_py_typed_shipped")
    for artifact in ("sdist", "wheel")
)
SECRETS_SDIST, SECRETS_WHEEL, LICENSE_SDIST, LICENSE_WHEEL, TYPED_SDIST, TYPED_WHEEL = SHIPPED

TYPED = replace(
    "pyproject.toml",
    '    "Programming Language :: Python :: 3.12",\n',
    '    "Programming Language :: Python :: 3.12",\n    "Typing :: Typed",\n',
)
TOKEN = github(seed="scenario")
KEY_ID = aws_key_id(seed="scenario")
SECRET_KEY = draw("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 40, "key")
DASHES = "-" * 5

# Content a healthy project may well ship: placeholders in documentation, a PEM parser's
# constants, an environment template.
INNOCENT_README = f"""
# demo

Set `GITHUB_TOKEN=ghp_{"x" * 36}` and `AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE` first.

```
{DASHES}BEGIN RSA PRIVATE KEY{DASHES}
...
{DASHES}END RSA PRIVATE KEY{DASHES}
```
"""
PEM_PARSER = f'''
"""Read PEM files."""

HEADER = "{DASHES}BEGIN PRIVATE KEY{DASHES}"
FOOTER = "{DASHES}END PRIVATE KEY{DASHES}"


def body(text: str) -> str:
    """The base64 lines between the header and the footer."""
    return text.split(HEADER)[1].split(FOOTER)[0]
'''
ENV_TEMPLATE = "AWS_ACCESS_KEY_ID=\nAWS_SECRET_ACCESS_KEY=\nGITHUB_TOKEN=ghp_...\n"


def drop_license_from_wheel(project: FixtureProject) -> None:
    """Build into ../handmade, then repack the wheel without its license file.

    What a careless post-processing step (re-zipping, re-tagging) does: METADATA still
    lists `License-File: LICENSE`, RECORD no longer does, the file is gone.
    """
    out = project.root.parent / "handmade"
    build_dists_into(project, out)
    wheel = out / "demo-1.2.3-py3-none-any.whl"
    dropped = "demo-1.2.3.dist-info/licenses/LICENSE"
    with zipfile.ZipFile(wheel) as archive:
        members = {name: archive.read(name) for name in archive.namelist() if name != dropped}
    record = "demo-1.2.3.dist-info/RECORD"
    members[record] = b"".join(
        line
        for line in members[record].splitlines(keepends=True)
        if not line.startswith(dropped.encode())
    )
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


SCENARIOS = [
    # Healthy typed projects that ship innocent look-alikes: every gate here passes.
    Scenario(
        id="healthy-typed-hatchling",
        edits=(
            TYPED,
            write("src/demo/py.typed", ""),
            write("README.md", INNOCENT_README),
            write("src/demo/pem.py", PEM_PARSER),
            write(".env.example", ENV_TEMPLATE),
            write("src/demo/.env.sample", ENV_TEMPLATE),
        ),
        gates=SHIPPED,
    ),
    Scenario(
        id="healthy-typed-setuptools-scm",
        backend="setuptools-scm",
        edits=(TYPED, write("src/demo/py.typed", ""), write(".env.template", ENV_TEMPLATE)),
        gates=SHIPPED,
    ),
    # Credentials committed in the package, and an upload config never committed (hatchling
    # ships untracked files git does not ignore): both artifacts ship them.
    Scenario(
        id="credentials-in-package",
        edits=(
            write(
                "src/demo/.env", f"AWS_ACCESS_KEY_ID={KEY_ID}\nAWS_SECRET_ACCESS_KEY={SECRET_KEY}\n"
            ),
            write("src/demo/client.py", f'"""API client."""\n\nTOKEN = "{TOKEN}"\n'),
        ),
        after_tag=(write("src/demo/.pypirc", "[distutils]\nindex-servers = main\n"),),
        gates=SHIPPED,
        expect={
            SECRETS_SDIST: failed(
                "demo-1.2.3.tar.gz ships credentials",
                "demo-1.2.3/src/demo/.env: a `.env` file",
                "demo-1.2.3/src/demo/.pypirc: a `.pypirc` file (package index upload credentials)",
                "demo-1.2.3/src/demo/.env line 1: an AWS access key id "
                f"({KEY_ID[:4]}…{KEY_ID[-2:]})",
                f"demo-1.2.3/src/demo/.env line 2: an AWS secret access key "
                f"({SECRET_KEY[:4]}…{SECRET_KEY[-2:]})",
                f"demo-1.2.3/src/demo/client.py line 3: a GitHub personal access token "
                f"(ghp_…{TOKEN[-2:]})",
                "revoke or rotate it now",
                "Delete the secret files and keep them out of the sdist: hatchling leaves "
                "git-ignored files out of both artifacts: `git rm --cached` the file and add it "
                "to .gitignore, or exclude it: `[tool.hatch.build] exclude = "
                '["/src/demo/.env", "/src/demo/.pypirc"]`',
                "Remove the values from src/demo/client.py: read them at run time",
                'secrets-ignore = ["src/demo/.env", "demo/.env", "src/demo/.pypirc", '
                '"demo/.pypirc", "src/demo/client.py", "demo/client.py"]` under '
                "[tool.release-checks]",
                absent=(TOKEN, KEY_ID, SECRET_KEY, TOKEN[4:-2]),
            ),
            SECRETS_WHEEL: failed(
                "demo-1.2.3-py3-none-any.whl ships credentials",
                "demo/.env line 1: an AWS access key id",
                "demo/.pypirc: a `.pypirc` file",
                "demo/client.py line 3: a GitHub personal access token",
                '`[tool.hatch.build] exclude = ["/src/demo/.env", "/src/demo/.pypirc"]`',
                absent=(TOKEN, KEY_ID, SECRET_KEY),
            ),
        },
    ),
    # hatchling's default sdist takes every file git does not ignore: a deploy key, and a
    # test key that `secrets-ignore` declares fake.
    Scenario(
        id="private-key-in-sdist-only",
        edits=(
            write("deploy/id_rsa", pem_key("OPENSSH PRIVATE KEY", seed="deploy") + "\n"),
            write("tests/fixtures/server.key", pem_key("PRIVATE KEY", seed="fixture") + "\n"),
            append(
                "pyproject.toml", '[tool.release-checks]\nsecrets-ignore = ["tests/fixtures/*"]'
            ),
        ),
        gates=SHIPPED,
        expect={
            SECRETS_SDIST: failed(
                "demo-1.2.3/deploy/id_rsa: an SSH private key file (`id_rsa`)",
                "demo-1.2.3/deploy/id_rsa line 1: a private key "
                f"(`{DASHES}BEGIN OPENSSH PRIVATE KEY{DASHES}`)",
                "Delete the secret files and keep them out of the sdist",
                absent=("fixtures", pem_key("OPENSSH PRIVATE KEY", seed="deploy").splitlines()[1]),
            ),
        },
    ),
    # Promises without the files: `Typing :: Typed` without py.typed, and a license
    # expression with no license text (LICENSE never committed, no license-files).
    Scenario(
        id="typed-and-licensed-without-the-files",
        edits=(
            TYPED,
            remove("LICENSE"),
            replace("pyproject.toml", 'license-files = ["LICENSE"]\n', ""),
        ),
        gates=SHIPPED,
        expect={
            **{
                gate: failed(
                    "claims `Typing :: Typed`, but a package in it has no `py.typed` marker",
                    "demo/py.typed is missing: create the empty file src/demo/py.typed and "
                    "commit it; hatchling ships every file inside the package",
                    "type checkers ignore the annotations of the installed package (PEP 561)",
                )
                for gate in (TYPED_SDIST, TYPED_WHEEL)
            },
            **{
                gate: failed(
                    "does not ship its license files",
                    "the metadata names the License-Expression `MIT`, but no artifact holds a "
                    "license file (demo-1.2.3.tar.gz, demo-1.2.3-py3-none-any.whl): commit the "
                    "license text (for example `LICENSE`) at the project root and declare it in "
                    '[project]: `license-files = ["LICENSE"]`',
                )
                for gate in (LICENSE_SDIST, LICENSE_WHEEL)
            },
        },
    ),
    # setuptools: `py.typed` forgotten. `license-files = []` keeps LICENSE out of the wheel,
    # but the sdist (every file git tracks) has it, and one artifact with it is enough.
    Scenario(
        id="setuptools-typed-without-py-typed",
        backend="setuptools-scm",
        edits=(TYPED, replace("pyproject.toml", '["LICENSE"]', "[]")),
        gates=SHIPPED,
        expect={
            TYPED_WHEEL: failed(
                "demo/py.typed is missing: create the empty file src/demo/py.typed",
                'add `[tool.setuptools.package-data] demo = ["py.typed"]`',
            ),
            TYPED_SDIST: failed("demo/py.typed is missing"),
        },
    ),
    # flit: with `license-files = []` neither artifact has the committed LICENSE.
    Scenario(
        id="flit-license-and-py-typed-left-out",
        backend="flit",
        edits=(TYPED, replace("pyproject.toml", '["LICENSE"]', "[]")),
        gates=SHIPPED,
        expect={
            **{
                gate: failed(
                    "but no artifact holds a license file",
                    "LICENSE is in the project: declare it in [project]: `license-files = "
                    '["LICENSE"]`',
                )
                for gate in (LICENSE_SDIST, LICENSE_WHEEL)
            },
            **{
                gate: failed(
                    "demo/py.typed is missing: create the empty file demo/py.typed and commit "
                    "it; flit ships every file inside the package directory"
                )
                for gate in (TYPED_SDIST, TYPED_WHEEL)
            },
        },
    ),
    # A prebuilt wheel whose License-File entry has no file (repacked after the build).
    Scenario(
        id="prebuilt-wheel-lost-its-license",
        after_tag=(drop_license_from_wheel,),
        args=("--release-dist=../handmade",),
        gates=tuple(
            f"{gate}[{artifact}]"
            for gate in ("test_no_secrets_shipped", "test_license_files_shipped")
            for artifact in ("demo-1.2.3.tar.gz", "demo-1.2.3-py3-none-any.whl")
        ),
        expect={
            "test_license_files_shipped[demo-1.2.3-py3-none-any.whl]": failed(
                "demo-1.2.3-py3-none-any.whl does not ship its license files",
                "`LICENSE` (METADATA License-File) is not at demo-1.2.3.dist-info/licenses/LICENSE",
                "rebuild with `python -m build`",
                absent=("holds no license file",),
            )
        },
    ),
]


def test_every_gate_fails_with_its_message_somewhere() -> None:
    checked = {gate.partition("[")[0] for gate in gates_shown_failing(SCENARIOS)}
    assert checked == {gate.partition("[")[0] for gate in SHIPPED}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
    run_scenario(scenario, pytester, project_root)


def test_declared_license_file_missing_from_artifact(tmp_path: Path) -> None:
    """A backend that ignores `license-files` (or a pre-PEP 639 one): nothing lists the file."""
    project = make_project(tmp_path / "project", tag=None)
    project.write("NOTICE", "Third-party notices\n")
    wheel = tmp_path / "demo-1.2.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/__init__.py", "")
        archive.writestr("demo-1.2.3.dist-info/LICENSE", "MIT License\n")
    files = ArtifactFiles.read(wheel)
    pyproject = {"project": {"license-files": ["LICENSE", "NOTICE", "AUTHORS*"]}}
    problems = _declared_problems(files, {"metadata_version": "2.1"}, project.root, pyproject)
    unmatched = (
        "`license-files` pattern `AUTHORS*` in pyproject.toml matches no file the build can see "
        "(git-ignored files do not count): fix the pattern or commit the file"
    )
    missing = (
        "`NOTICE` (pyproject.toml `license-files`) is not in the wheel: require a build backend "
        "that supports PEP 639 `license-files` (hatchling>=1.27, setuptools>=77, "
        "flit_core>=3.12), and check that no include/exclude setting leaves it out"
    )
    assert problems == [unmatched, missing]
