"""The content gates (issue 3: wheel contents, wheel integrity, archive safety), end to end.

Healthy layouts run every collected gate (`gates=None`): none may raise a false alarm. Defects
are real build misconfigurations where a backend produces them, and dists doctored after the
build (`--release-dist`) where only a hand-written release step would.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.factory import FixtureProject
from tests.scenarios import (
    Edit,
    Scenario,
    append,
    build_dists_into,
    failed,
    gates_shown_failing,
    replace,
    run_scenario,
    write,
)

WHEEL = "demo-1.2.3-py3-none-any.whl"
RENAMED = "demo-1.2.4-py3-none-any.whl"
SDIST = "demo-1.2.3.tar.gz"
# The gates of this module, per artifact as a build here names them.
BUILT = (
    "test_wheel_has_no_stray_files[wheel]",
    "test_wheel_modules_are_importable[wheel]",
    "test_wheel_record_matches_contents[wheel]",
    "test_wheel_filename_matches_metadata[wheel]",
    "test_wheel_tags_match_metadata[wheel]",
    "test_archive_is_safe_to_extract[sdist]",
    "test_archive_is_safe_to_extract[wheel]",
)


def prebuilt_gates(wheel: str, sdist: str = SDIST) -> tuple[str, ...]:
    """This module's gates as `--release-dist` names them: by file name."""
    return tuple(
        gate.replace("[wheel]", f"[{wheel}]").replace("[sdist]", f"[{sdist}]") for gate in BUILT
    )


# Dists changed after the build, as a hand-written release script would change them.


def _rewrite_zip(path: Path, changed: Mapping[str, bytes], add: Mapping[str, bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, changed.get(info.filename, data))
        for name, data in add.items():
            archive.writestr(name, data)


def _add_to_tar(path: Path, extra: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    entries = []
    with tarfile.open(path, "r:gz") as tar:
        for info in tar.getmembers():
            stream = tar.extractfile(info) if info.isfile() else None
            entries.append((info, stream.read() if stream is not None else b""))
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in [*entries, *extra]:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _symlink(name: str, target: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info, b""


def doctor_dists(project: FixtureProject) -> None:
    """Build into `../doctored`, then change the files by hand as a release script might.

    A copy of the wheel is renamed to the next version; the wheel itself gets a file changed
    and one added without rewriting RECORD; the sdist is re-tarred with a member that has a
    `..` component and a symlink out of the project.
    """
    out = project.root.parent / "doctored"
    build_dists_into(project, out)
    shutil.copy(out / WHEEL, out / RENAMED)
    _rewrite_zip(
        out / WHEEL,
        changed={"demo/cli.py": b'def main() -> None:\n    print("patched")\n'},
        add={"demo/_patch.py": b"PATCHED = True\n"},
    )
    _add_to_tar(
        out / SDIST,
        [
            _file("demo-1.2.3/../evil.py", b"print('outside')\n"),
            _symlink("demo-1.2.3/data", "../../../etc"),
        ],
    )


# Project edits.

# A test module of the project; the inner run deselects it (`-m release`), so it imports nothing.
TEST_MODULE = '"""The test suite."""\n\n\ndef test_truth() -> None:\n    assert True\n'


def remove_tree(relative: str) -> Edit:
    return lambda project: shutil.rmtree(project.root / relative)


FLAT_LAYOUT: tuple[Edit, ...] = (
    remove_tree("src"),
    write(
        "demo/__init__.py",
        '"""demo."""\n\nfrom importlib.metadata import version\n\n__version__ = version("demo")\n',
    ),
    write("demo/cli.py", '"""The demo command."""\n\n\ndef main() -> None:\n    print("demo")\n'),
    write("tests/test_demo.py", TEST_MODULE),
    write("docs/conf.py", 'project = "demo"\n'),
)
NAMESPACE_PACKAGE: tuple[Edit, ...] = (
    remove_tree("src/demo"),
    write("src/ns/pkg/__init__.py", '"""ns.pkg: a portion of the `ns` namespace."""\n'),
    write(
        "src/ns/pkg/cli.py", '"""The demo command."""\n\n\ndef main() -> None:\n    print("demo")\n'
    ),
    replace("pyproject.toml", '"demo.cli:main"', '"ns.pkg.cli:main"'),
    append("pyproject.toml", '[tool.hatch.build.targets.wheel]\npackages = ["src/ns"]\n'),
)
SINGLE_MODULE: tuple[Edit, ...] = (
    remove_tree("demo"),
    write(
        "demo.py",
        '"""demo: a single-module project."""\n\n__version__ = "1.2.3"\n\n\n'
        'def main() -> None:\n    print("demo")\n',
    ),
    replace("pyproject.toml", '"demo.cli:main"', '"demo:main"'),
)
SCM_VERSION_FILE_AND_DATA: tuple[Edit, ...] = (
    append("pyproject.toml", 'version_file = "src/demo/_version.py"\n'),
    append(".gitignore", "src/demo/_version.py\n"),
    write(
        "src/demo/__init__.py",
        '"""demo."""\n\nfrom demo._version import __version__\n\n__all__ = ["__version__"]\n',
    ),
    write("src/demo/defaults.json", '{"greeting": "hello"}\n'),
)
SCRIPTS_PACKAGE: tuple[Edit, ...] = (
    write("src/scripts/__init__.py", '"""Maintenance scripts shipped with demo."""\n'),
    write(
        "src/scripts/migrate.py",
        '"""Migrate old data."""\n\n\ndef main() -> None:\n    print("migrated")\n',
    ),
    write("src/demo/py.typed", ""),
    append(
        "pyproject.toml",
        '[tool.hatch.build.targets.wheel]\npackages = ["src/demo", "src/scripts"]\n\n'
        '[tool.release-checks]\nallow-top-level = ["scripts"]\n',
    ),
)
SHIPS_TESTS_README_AND_STALE_MODULE: tuple[Edit, ...] = (
    write("tests/__init__.py", ""),
    write("tests/test_demo.py", TEST_MODULE),
    # A module turned into a package, its old file left behind.
    write("src/demo/utils.py", "def helper() -> int:\n    return 1\n"),
    write("src/demo/utils/__init__.py", "def helper() -> int:\n    return 2\n"),
    append(
        "pyproject.toml",
        '[tool.hatch.build.targets.wheel]\npackages = ["src/demo", "tests"]\n\n'
        '[tool.hatch.build.targets.wheel.force-include]\n"README.md" = "README.md"\n',
    ),
)
# A build hook that makes the wheel platform-specific (it would compile an extension) but
# leaves it declared pure.
PLATFORM_HOOK = """
    \"\"\"Build hook: the wheel ships a compiled helper, so it is tagged for this platform.\"\"\"

    from typing import Any

    from hatchling.builders.hooks.plugin.interface import BuildHookInterface


    class CustomBuildHook(BuildHookInterface):
        def initialize(self, version: str, build_data: dict[str, Any]) -> None:
            build_data["infer_tag"] = True
    """
PLATFORM_TAGS_STILL_PURE: tuple[Edit, ...] = (
    write("hatch_build.py", PLATFORM_HOOK),
    append("pyproject.toml", "[tool.hatch.build.targets.wheel.hooks.custom]\n"),
)
COMMITTED_PYCACHE: tuple[Edit, ...] = (
    write(".gitignore", "dist/\nbuild/\n*.egg-info/\n"),
    write("src/demo/__pycache__/cli.cpython-311.pyc", "stale bytecode\n"),
)

SCENARIOS = [
    # Healthy layouts: every gate collected passes (src layout: tests/test_gates.py's healthy
    # scenarios, which run these gates too).
    Scenario(
        id="scm-version-file-and-package-data",
        backend="setuptools-scm",
        edits=SCM_VERSION_FILE_AND_DATA,
        gates=None,
    ),
    Scenario(id="setuptools-flat-layout", backend="setuptools-scm", edits=FLAT_LAYOUT, gates=None),
    Scenario(id="hatchling-namespace-package", edits=NAMESPACE_PACKAGE, gates=None),
    Scenario(id="flit-single-module", backend="flit", edits=SINGLE_MODULE, gates=None),
    Scenario(id="hatchling-allowed-scripts-package", edits=SCRIPTS_PACKAGE, gates=None),
    # Wheel contents, from real build misconfigurations.
    Scenario(
        id="hatchling-ships-tests-readme-and-stale-module",
        edits=SHIPS_TESTS_README_AND_STALE_MODULE,
        gates=BUILT,
        expect={
            "test_wheel_has_no_stray_files[wheel]": failed(
                f"{WHEEL} installs files that do not belong in site-packages:",
                "`README.md`: not a module: it is installed loose in site-packages",
                "`tests/` (2 files: tests/__init__.py, tests/test_demo.py): a test suite, "
                "installed as a top-level `tests` directory",
                "Fix (hatchling): name the packages to ship, "
                '`[tool.hatch.build.targets.wheel] packages = ["src/demo"]`',
                '`[tool.release-checks] allow-top-level = ["name"]`',
                absent=("demo/utils",),
            ),
            "test_wheel_modules_are_importable[wheel]": failed(
                f"{WHEEL} installs modules that cannot be imported as laid out:",
                "`demo/utils.py` (2 files: demo/utils.py, demo/utils/__init__.py): "
                "`import demo.utils` finds the package `demo/utils/`",
                "Fix: delete the stale module",
                absent=("tests/", "README.md"),
            ),
        },
    ),
    Scenario(
        id="scm-committed-pycache",
        backend="setuptools-scm",
        edits=COMMITTED_PYCACHE,
        gates=BUILT,
        expect={
            "test_wheel_has_no_stray_files[wheel]": failed(
                "`*.pyc` (1 file: demo/__pycache__/cli.cpython-311.pyc): bytecode compiled on "
                "the build machine",
                "Fix (setuptools): setuptools ships the files git tracks",
                "`git rm -r --cached`",
                "`global-exclude *.py[cod]` to MANIFEST.in",
            ),
        },
    ),
    Scenario(
        id="hatchling-hook-tags-platform-but-stays-pure",
        edits=PLATFORM_TAGS_STILL_PURE,
        gates=BUILT,
        expect={
            "test_wheel_tags_match_metadata[wheel]": failed(
                "the tags and the WHEEL file disagree:",
                "`demo-1.2.3.dist-info/WHEEL` says `Root-Is-Purelib: true` (pure Python), but "
                "the tags (cp3",
                "name a Python ABI, which only compiled extension modules have: they belong in "
                "platlib (`Root-Is-Purelib: false`)",
                'sets `build_data["pure_python"] = False` along with `infer_tag`',
                absent=("differ from the `Tag:` lines",),
            ),
        },
    ),
    # Dists changed by hand after the build.
    Scenario(
        id="prebuilt-dists-doctored-after-build",
        after_tag=(doctor_dists,),
        args=("--release-dist={prebuilt}/../doctored",),
        gates=tuple(dict.fromkeys(prebuilt_gates(WHEEL) + prebuilt_gates(RENAMED))),
        expect={
            f"test_wheel_record_matches_contents[{WHEEL}]": failed(
                f"{WHEEL}: RECORD does not match the files in the wheel:",
                "`demo/cli.py`: content does not match RECORD — the file's sha256 is",
                "`demo/_patch.py` is in the archive but not in RECORD",
                "the index rejects such wheels",
                "`wheel unpack` and `wheel pack`",
            ),
            f"test_wheel_filename_matches_metadata[{RENAMED}]": failed(
                f"{RENAMED}: the file name and the metadata inside disagree:",
                "its metadata directory `demo-1.2.3.dist-info` does not match the file name's "
                "`demo` 1.2.4",
                "the file name says version 1.2.4, `demo-1.2.3.dist-info/METADATA` says "
                "`Version: 1.2.3`",
                "Never rename a wheel to change its name or version",
            ),
            f"test_archive_is_safe_to_extract[{SDIST}]": failed(
                f"{SDIST} has members that are unsafe to extract:",
                "`demo-1.2.3/../evil.py`: a `..` component, so an extractor without a filter "
                "writes it outside the target directory (path traversal)",
                "`demo-1.2.3/data`: a symbolic link to `../../../etc`, which leaves the sdist's "
                "top directory `demo-1.2.3/`",
            ),
        },
    ),
]


def test_every_gate_fails_with_its_message_somewhere() -> None:
    checked = {gate.partition("[")[0] for gate in gates_shown_failing(SCENARIOS)}
    assert checked == {gate.partition("[")[0] for gate in BUILT}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_scenario(scenario: Scenario, pytester: pytest.Pytester, project_root: Path) -> None:
    run_scenario(scenario, pytester, project_root)
