"""A dist directory sorted file by file, with twine itself as the oracle for what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version
from twine.commands import _split_inputs
from twine.exceptions import InvalidDistribution
from twine.package import PackageFile

from release_checks.dist_dir import DistDir, StrayFile, inspect_dist_dir, most_common_name

RELEASE = Version("1.2.3")


def fill(directory: Path, *names: str) -> Path:
    directory.mkdir(exist_ok=True)
    for name in names:
        if name.endswith("/"):
            (directory / name).mkdir()
        else:
            (directory / name).write_bytes(b"")
    return directory


def why(found: DistDir) -> dict[str, str]:
    return {stray.name: stray.why for stray in found.strays}


def test_a_clean_directory(tmp_path: Path) -> None:
    directory = fill(
        tmp_path / "dist",
        "demo-1.2.3.tar.gz",
        "demo-1.2.3-py3-none-any.whl",
        "demo-1.2.3-cp312-cp312-manylinux_2_17_x86_64.whl",
        "demo-1.2.3.tar.gz.asc",
        "demo-1.2.3-py3-none-any.whl.publish.attestation",
        ".gitignore",
    )
    assert inspect_dist_dir(directory, "Demo", RELEASE) == DistDir(
        sdists=("demo-1.2.3.tar.gz",),
        wheels=("demo-1.2.3-cp312-cp312-manylinux_2_17_x86_64.whl", "demo-1.2.3-py3-none-any.whl"),
        companions=("demo-1.2.3-py3-none-any.whl.publish.attestation", "demo-1.2.3.tar.gz.asc"),
    )


def test_names_and_versions_are_compared_in_normal_form(tmp_path: Path) -> None:
    directory = fill(
        tmp_path / "dist", "my_project-1.2.tar.gz", "my_project-1.2.0-py3-none-any.whl"
    )
    found = inspect_dist_dir(directory, "My.Project", Version("1.2.0"))
    assert found.strays == ()
    assert found.sdists == ("my_project-1.2.tar.gz",)


def test_leftovers_and_strays_are_named_with_the_reason(tmp_path: Path) -> None:
    directory = fill(
        tmp_path / "dist",
        "demo-1.2.3.tar.gz",
        "demo-1.2.3-py3-none-any.whl",
        "demo-1.2.2-py3-none-any.whl",
        "demo-1.2.2-py3-none-any.whl.asc",
        "demo-1.2.1.tar.gz.asc",
        "other-0.1-py3-none-any.whl",
        "demo-1.2.3-py2.py3-none-any.egg",
        "demo-1.2.3.win-amd64.exe",
        "demo-1.2.3-py3-none-any.whl.metadata",
        "demo-1.2.3.zip",
        "demo-latest.tar.gz",
        "build.log",
        "old/",
    )
    found = inspect_dist_dir(directory, "demo", RELEASE)
    assert found.sdists == ("demo-1.2.3.tar.gz",)
    assert found.wheels == ("demo-1.2.3-py3-none-any.whl",)
    unknown = "twine stops at it with 'Unknown distribution format' before uploading anything"
    assert why(found) == {
        "build.log": f"not a distribution file; {unknown}",
        "demo-1.2.1.tar.gz.asc": (
            "a signature of a file that is not one of this release's: a leftover"
        ),
        "demo-1.2.2-py3-none-any.whl": (
            "version 1.2.2, not the release version 1.2.3: a leftover of an earlier build; "
            "twine would upload it too — the index refuses a file it already has (stopping "
            "the upload halfway) and publishes one it never got"
        ),
        "demo-1.2.2-py3-none-any.whl.asc": (
            "a signature of a file that is not one of this release's: a leftover"
        ),
        "demo-1.2.3-py2.py3-none-any.egg": (
            f"an egg (bdist_egg), a format the index no longer accepts; {unknown}"
        ),
        "demo-1.2.3-py3-none-any.whl.metadata": (
            f"a metadata file (the index extracts its own from each wheel); {unknown}"
        ),
        "demo-1.2.3.win-amd64.exe": (
            f"a Windows installer (bdist_wininst), a format the index no longer accepts; {unknown}"
        ),
        "demo-1.2.3.zip": (
            "a .zip sdist: sdists must be .tar.gz (PEP 625), and the index rejects others"
        ),
        "demo-latest.tar.gz": (
            "not a valid distribution file name (Invalid sdist filename (invalid version): "
            "'demo-latest.tar.gz'); the index rejects it and twine may stop at it"
        ),
        "old": f"a directory; {unknown}",
        "other-0.1-py3-none-any.whl": (
            "a distribution of another project, `other`: twine would upload it too (to that "
            "project, if your credentials allow it)"
        ),
    }


def test_two_sdists_of_the_release(tmp_path: Path) -> None:
    directory = fill(tmp_path / "dist", "demo-1.2.3.tar.gz", "Demo-1.2.3.tar.gz")
    assert inspect_dist_dir(directory, "demo", RELEASE).sdists == (
        "Demo-1.2.3.tar.gz",
        "demo-1.2.3.tar.gz",
    )


# twine as the oracle: what the reasons say about it is what it does.


@pytest.mark.parametrize(
    "name",
    [
        "build.log",
        "demo-1.2.3-py2.py3-none-any.egg",
        "demo-1.2.3.win-amd64.exe",
        "demo-1.2.3-py3-none-any.whl.metadata",
    ],
)
def test_twine_refuses_what_we_call_unknown(tmp_path: Path, name: str) -> None:
    path = fill(tmp_path, name) / name
    with pytest.raises(InvalidDistribution, match="Unknown distribution format"):
        PackageFile.from_filename(str(path), comment=None)


def test_twine_attaches_signatures_and_attestations(tmp_path: Path) -> None:
    names = [
        "demo-1.2.3.tar.gz",
        "demo-1.2.3.tar.gz.asc",
        "demo-1.2.3.tar.gz.publish.attestation",
        "demo-1.2.3-py3-none-any.whl",
    ]
    inputs = _split_inputs([str(fill(tmp_path / "dist", *names) / name) for name in names])
    assert [Path(dist).name for dist in inputs.dists] == [
        "demo-1.2.3.tar.gz",
        "demo-1.2.3-py3-none-any.whl",
    ]
    assert list(inputs.signatures) == ["demo-1.2.3.tar.gz.asc"]
    sdist = str(tmp_path / "dist" / "demo-1.2.3.tar.gz")
    assert [Path(path).name for path in inputs.attestations_by_dist[sdist]] == [
        "demo-1.2.3.tar.gz.publish.attestation"
    ]
    found = inspect_dist_dir(tmp_path / "dist", "demo", RELEASE)
    assert found.strays == ()
    assert found.companions == (
        "demo-1.2.3.tar.gz.asc",
        "demo-1.2.3.tar.gz.publish.attestation",
    )


def test_a_stray_file_record_round_trips() -> None:
    stray = StrayFile(name="build.log", why="not a distribution file")
    found = DistDir(sdists=("demo-1.2.3.tar.gz",), strays=(stray,))
    assert DistDir.from_json(found.to_json()) == found


def test_the_name_most_files_carry(tmp_path: Path) -> None:
    directory = fill(
        tmp_path / "dist",
        "My.Project-1.0.tar.gz",
        "my_project-1.0-py3-none-any.whl",
        "other-2.0-py3-none-any.whl",
        "notes.txt",
    )
    assert most_common_name(directory) == "my-project"
    assert most_common_name(fill(tmp_path / "empty")) is None
