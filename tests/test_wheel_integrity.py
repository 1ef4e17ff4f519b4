"""A wheel's RECORD against its files, and its file name against its metadata."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

from release_checks.errors import FactError
from release_checks.wheel_integrity import (
    dist_info_directory,
    filename_problems,
    record_problems,
    tag_problems,
)
from tests.factory import Backend, build_template

METADATA = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
PURE = "Wheel-Version: 1.0\nGenerator: hand 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
FILES = {"demo/__init__.py": b'"""demo."""\n', "demo/core.py": b"VALUE = 1\n"}


def row(name: str, data: bytes, algorithm: str = "sha256") -> str:
    digest = base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=")
    return f"{name},{algorithm}={digest.decode()},{len(data)}"


def make_wheel(
    directory: Path,
    filename: str = "demo-1.0-py3-none-any.whl",
    *,
    files: Mapping[str, bytes] = FILES,
    dist_info: str = "demo-1.0.dist-info",
    metadata: str | None = METADATA,
    wheel: str | None = PURE,
    record: str | None = None,
    after: Mapping[str, bytes] | None = None,
) -> Path:
    """A wheel with a correct RECORD (unless `record` is given); `after` is written after it."""
    contents = dict(files)
    if metadata is not None:
        contents[f"{dist_info}/METADATA"] = metadata.encode()
    if wheel is not None:
        contents[f"{dist_info}/WHEEL"] = wheel.encode()
    if record is None:
        lines = [row(name, data) for name, data in contents.items()]
        record = "\n".join([*lines, f"{dist_info}/RECORD,,"]) + "\n"
    contents[f"{dist_info}/RECORD"] = record.encode()
    contents.update(after or {})
    path = directory / filename
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


def kinds(path: Path) -> list[tuple[str, str]]:
    return [(problem.kind, problem.member) for problem in record_problems(path)]


@pytest.mark.parametrize("backend", ["hatchling", "setuptools-scm", "flit"])
def test_real_wheels_are_consistent(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> None:
    dists = build_template(tmp_path_factory, backend)
    assert dists.error is None, dists.error
    wheel = Path(dists.wheels[0])
    assert record_problems(wheel) == []
    assert filename_problems(wheel) == []
    assert tag_problems(wheel) == []


def test_a_correct_hand_made_wheel(tmp_path: Path) -> None:
    path = make_wheel(tmp_path)
    assert record_problems(path) == []
    assert filename_problems(path) == []
    assert tag_problems(path) == []


# RECORD


def test_a_file_changed_after_the_build(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, after={"demo/core.py": b"VALUE = 2\n"})
    [problem] = record_problems(path)
    assert (problem.kind, problem.member) == ("hash", "demo/core.py")
    assert problem.message.startswith(
        "`demo/core.py`: content does not match RECORD — the file's sha256 is "
    )


def test_a_file_added_after_the_build(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, after={"demo/extra.py": b"X = 1\n"})
    [problem] = record_problems(path)
    assert (problem.kind, problem.member) == ("unlisted", "demo/extra.py")
    assert problem.message == "`demo/extra.py` is in the archive but not in RECORD"


def test_listed_files_and_directories_that_are_not_there(tmp_path: Path) -> None:
    record = "\n".join(
        [
            *(row(name, data) for name, data in FILES.items()),
            row("demo-1.0.dist-info/METADATA", METADATA.encode()),
            row("demo-1.0.dist-info/WHEEL", PURE.encode()),
            "demo/gone.py,sha256=abc,3",
            "demo-1.0.dist-info/licenses/,,",
            "demo,,",
            "demo-1.0.dist-info/RECORD,,",
        ]
    )
    path = make_wheel(tmp_path, record=record)
    assert kinds(path) == [
        ("missing", "demo/gone.py"),
        ("directory", "demo-1.0.dist-info/licenses/"),
        ("directory", "demo"),
    ]
    messages = [problem.message for problem in record_problems(path)]
    assert messages[0] == "RECORD lists `demo/gone.py`, which is not in the archive"
    assert (
        messages[1]
        == "RECORD lists the directory `demo-1.0.dist-info/licenses/`; it lists files only"
    )


@pytest.mark.parametrize(
    ("line", "kind", "text"),
    [
        ("demo/core.py,,", "no-hash", "RECORD gives no hash and size"),
        ("demo/core.py,sha256=x,", "no-hash", "RECORD gives no size"),
        (row("demo/core.py", FILES["demo/core.py"], "md5"), "hash", "hashes it with `md5`"),
        (row("demo/core.py", FILES["demo/core.py"], "sha1"), "hash", "asks for sha256"),
        ("demo/core.py,shake_128=abc,10", "hash", "hashes it with `shake_128`"),
        ("demo/core.py,crc32=abc,10", "hash", "hashes it with `crc32`"),
        (row("demo/core.py", FILES["demo/core.py"]) + "=,10", "hash", "padded with `=`"),
        (row("demo/core.py", FILES["demo/core.py"])[:-2] + "99", "size", "RECORD says 99"),
        (
            "demo/core.py,sha256=" + hashlib.sha256(FILES["demo/core.py"]).hexdigest() + ",10",
            "hash",
            "the value is hexadecimal; RECORD uses urlsafe base64 without padding",
        ),
    ],
)
def test_rows_that_do_not_describe_the_file(
    tmp_path: Path, line: str, kind: str, text: str
) -> None:
    if "padded" in text:  # the padded variant keeps the size field correct
        data = FILES["demo/core.py"]
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()
        line = f"demo/core.py,sha256={digest},{len(data)}"
    record = "\n".join(
        [
            row("demo/__init__.py", FILES["demo/__init__.py"]),
            line,
            row("demo-1.0.dist-info/METADATA", METADATA.encode()),
            row("demo-1.0.dist-info/WHEEL", PURE.encode()),
            "demo-1.0.dist-info/RECORD,,",
        ]
    )
    [problem] = record_problems(make_wheel(tmp_path, record=record))
    assert (problem.kind, problem.member) == (kind, "demo/core.py")
    assert text in problem.message


def test_stronger_hashes_are_accepted(tmp_path: Path) -> None:
    record = "\n".join(
        [
            row("demo/__init__.py", FILES["demo/__init__.py"], "sha512"),
            row("demo/core.py", FILES["demo/core.py"], "sha3_256"),
            row("demo-1.0.dist-info/METADATA", METADATA.encode(), "blake2b"),
            row("demo-1.0.dist-info/WHEEL", PURE.encode()),
            "demo-1.0.dist-info/RECORD,sha256=whatever,1",  # RECORD's own row is not checked
        ]
    )
    assert record_problems(make_wheel(tmp_path, record=record)) == []


def test_signatures_and_directory_entries_need_no_row(tmp_path: Path) -> None:
    path = make_wheel(
        tmp_path,
        after={"demo-1.0.dist-info/RECORD.jws": b"{}", "demo-1.0.dist-info/RECORD.p7s": b"sig"},
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(zipfile.ZipInfo("demo/"), b"")
    assert record_problems(path) == []


def test_no_record(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo/__init__.py", "")
        archive.writestr("demo-1.0.dist-info/METADATA", METADATA)
    [problem] = record_problems(path)
    assert problem.kind == "no-record"
    assert problem.message.startswith("the wheel has no `demo-1.0.dist-info/RECORD`")


def test_malformed_record(tmp_path: Path) -> None:
    lines = [row(name, data) for name, data in FILES.items()]
    record = "\n".join([*lines, "demo-1.0.dist-info/METADATA,sha256=x", ""])
    path = make_wheel(tmp_path, record=record, wheel=None)
    assert ("malformed", "demo-1.0.dist-info/RECORD") in kinds(path)
    assert any("line 3 has 2 fields, not 3" in p.message for p in record_problems(path))


def test_record_that_is_not_utf8(tmp_path: Path) -> None:
    path = make_wheel(tmp_path)
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    entries["demo-1.0.dist-info/RECORD"] = b"\xff\xfe"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    problems = record_problems(path)
    assert problems[0].kind == "malformed"
    assert "is not UTF-8" in problems[0].message


def test_a_corrupt_wheel_is_a_fact_error(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(FactError, match=r"demo-1\.0-py3-none-any\.whl: the wheel cannot be read"):
        record_problems(path)
    with pytest.raises(FactError, match="rebuild it with `python -m build --wheel`"):
        filename_problems(path)
    with pytest.raises(FactError, match="the wheel cannot be read"):
        tag_problems(path)


def test_damaged_file_data_is_a_fact_error(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, files={"demo/__init__.py": b"UNIQUE-CONTENT-MARKER"})
    data = path.read_bytes()
    path.write_bytes(data.replace(b"UNIQUE-CONTENT-MARKER", b"UNIQUE-CONTENT-MARKEX", 1))
    with pytest.raises(FactError, match="Bad CRC-32"):
        record_problems(path)


def test_dist_info_directory() -> None:
    names = ["demo/__init__.py", "demo-1.0.dist-info/RECORD", "other-2.0.dist-info/RECORD"]
    assert dist_info_directory("demo-1.0-py3-none-any.whl", names) == "demo-1.0.dist-info"
    assert dist_info_directory("Demo-1.0.0-py3-none-any.whl", names) == "demo-1.0.dist-info"
    assert dist_info_directory("third-1.0-py3-none-any.whl", names) is None
    assert dist_info_directory("x.whl", ["a-1.dist-info/RECORD"]) == "a-1.dist-info"
    assert dist_info_directory("renamed-9-py3-none-any.whl", ["a-1.dist-info/RECORD"]) == (
        "a-1.dist-info"
    )


# The file name against the metadata


def test_a_renamed_wheel(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "demo-1.1-py3-none-any.whl")
    assert filename_problems(path) == [
        (
            "its metadata directory `demo-1.0.dist-info` does not match the file name's "
            "`demo` 1.1: installers look for `demo-1.1.dist-info`"
        ),
        (
            "the file name says version 1.1, `demo-1.0.dist-info/METADATA` says `Version: 1.0`: "
            "installers trust the metadata and the index trusts the file name, so the wheel "
            "installs a different version than the one users asked for"
        ),
    ]


def test_names_and_versions_compare_normalised(tmp_path: Path) -> None:
    path = make_wheel(
        tmp_path,
        "demo_pkg-1.0.0-py3-none-any.whl",
        dist_info="Demo.Pkg-1.0.dist-info",
        metadata="Metadata-Version: 2.1\nName: Demo.Pkg\nVersion: 1.0\n",
    )
    assert filename_problems(path) == []


def test_another_project_s_metadata(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, metadata="Metadata-Version: 2.1\nName: other\nVersion: 1.0\n")
    assert filename_problems(path) == [
        "the file name says the project is `demo`, `demo-1.0.dist-info/METADATA` says `Name: other`"
    ]
    empty = make_wheel(
        tmp_path,
        "demo-2-py3-none-any.whl",
        dist_info="demo-2.dist-info",
        metadata="Metadata-Version: 2.1\n",
    )
    assert filename_problems(empty) == [
        "`demo-2.dist-info/METADATA` has no `Name`",
        "`demo-2.dist-info/METADATA` has no `Version`",
    ]


def test_a_wheel_renamed_to_other_tags(tmp_path: Path) -> None:
    wheel = PURE.replace("py3-none-any", "cp312-cp312-linux_x86_64")
    path = make_wheel(tmp_path, "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", wheel=wheel)
    assert filename_problems(path) == []
    assert tag_problems(path) == [
        (
            "the file name's tags (cp312-cp312-manylinux_2_17_x86_64) differ from the `Tag:` lines "
            "in `demo-1.0.dist-info/WHEEL` (cp312-cp312-linux_x86_64): the wheel was renamed after "
            "the build, and installers choose wheels by file name, so it promises a compatibility "
            "the build never claimed (such as `linux_x86_64` renamed to `manylinux` without "
            "auditwheel)"
        ),
        (
            "`demo-1.0.dist-info/WHEEL` says `Root-Is-Purelib: true` (pure Python), but the tags "
            "(cp312-cp312-manylinux_2_17_x86_64) name a Python ABI, which only compiled extension "
            "modules have: they belong in platlib (`Root-Is-Purelib: false`)"
        ),
    ]


def test_pure_python_bundling_a_platform_binary(tmp_path: Path) -> None:
    # watchdog, z3-solver, the nvidia-* libraries: `py3-none-<platform>` with purelib true.
    wheel = PURE.replace("py3-none-any", "py3-none-manylinux_2_17_x86_64")
    path = make_wheel(tmp_path, "demo-1.0-py3-none-manylinux_2_17_x86_64.whl", wheel=wheel)
    assert tag_problems(path) == []


def test_platlib_flag_on_a_pure_tag(tmp_path: Path) -> None:
    wheel = PURE.replace("Root-Is-Purelib: true", "Root-Is-Purelib: false")
    [problem] = tag_problems(make_wheel(tmp_path, wheel=wheel))
    assert problem.startswith(
        "`demo-1.0.dist-info/WHEEL` says `Root-Is-Purelib: false` (compiled code), but every "
        "tag is `none-any` (py3-none-any)"
    )


def test_platform_and_compressed_tags_that_agree(tmp_path: Path) -> None:
    platlib = (
        "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
        "Tag: cp312-cp312-manylinux_2_17_x86_64\nTag: cp312-cp312-manylinux2014_x86_64\n"
    )
    name = "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    assert tag_problems(make_wheel(tmp_path, name, wheel=platlib)) == []
    universal = "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n"
    name = "demo-1.0-py2.py3-none-any.whl"
    assert tag_problems(make_wheel(tmp_path, name, wheel=universal)) == []


@pytest.mark.parametrize(
    ("wheel", "text"),
    [
        (PURE.replace("1.0", "2.0", 1), "`Wheel-Version: 2.0`; installers understand version 1.x"),
        (PURE.replace("Wheel-Version: 1.0\n", ""), "says `Wheel-Version: (missing)`"),
        (PURE.replace("Tag: py3-none-any\n", ""), "no `Tag:` lines; the file name's tags are"),
        (PURE.replace("Root-Is-Purelib: true\n", ""), "`Root-Is-Purelib: (missing)`; it must be"),
        (PURE + "Build: 7\n", "build tag is `(none)`, `demo-1.0.dist-info/WHEEL` says `Build: 7`"),
    ],
)
def test_wheel_file_problems(tmp_path: Path, wheel: str, text: str) -> None:
    [problem] = tag_problems(make_wheel(tmp_path, wheel=wheel))
    assert text in problem


def test_build_tags_that_agree(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "demo-1.0-1-py3-none-any.whl", wheel=PURE + "Build: 1\n")
    assert tag_problems(path) == []


def test_missing_metadata_files(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, metadata=None, wheel=None)
    assert filename_problems(path) == [
        "`demo-1.0.dist-info/METADATA` is missing: the wheel has no core metadata"
    ]
    assert tag_problems(path) == [
        "`demo-1.0.dist-info/WHEEL` is missing: installers need it to know how to install the wheel"
    ]


def test_metadata_directories(tmp_path: Path) -> None:
    two = make_wheel(tmp_path, after={"other-1.0.dist-info/METADATA": b"Name: other\n"})
    assert filename_problems(two)[0] == (
        "the wheel has 2 `.dist-info` directories (demo-1.0.dist-info, other-1.0.dist-info); "
        "installers refuse a wheel with more than one"
    )
    data = make_wheel(
        tmp_path,
        "demo-2.0-py3-none-any.whl",
        dist_info="demo-2.0.dist-info",
        metadata=METADATA.replace("1.0", "2.0"),
        files={**FILES, "demo-1.0.data/scripts/demo": b"#!python\n", "Demo-2.0.data/data/x": b""},
    )
    assert filename_problems(data) == [
        (
            "its data directory `demo-1.0.data` does not match `demo-2.0.dist-info`: installers do "
            "not recognise it and install it as a plain directory in site-packages"
        )
    ]
    none = tmp_path / "demo-3.0-py3-none-any.whl"
    with zipfile.ZipFile(none, "w") as archive:
        archive.writestr("demo/__init__.py", "")
    assert filename_problems(none) == [
        "the wheel has no `.dist-info` directory: it has no metadata to install"
    ]
    assert tag_problems(none) == []


def test_an_invalid_file_name(tmp_path: Path) -> None:
    path = make_wheel(tmp_path, "demo-py3-none-any.whl")
    [problem] = filename_problems(path)
    assert problem.startswith("the file name is not a valid wheel name (")
    assert tag_problems(path) == []
