"""Members that would escape the extraction directory, judged without extracting."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from release_checks.archive_safety import sdist_top_directory, unsafe_members, unsafe_members_of
from release_checks.archives import Member, MemberKind
from release_checks.errors import FactError
from tests.factory import Backend, build_template


def file(name: str) -> Member:
    return Member(name=name, kind="file", size=1)


def link(name: str, target: str, kind: MemberKind = "symlink") -> Member:
    return Member(name=name, kind=kind, size=0, link_target=target)


def flagged(members: list[Member], top: str | None = "demo-1.0") -> dict[str, str]:
    return {unsafe.name: unsafe.reason for unsafe in unsafe_members(members, top=top)}


@pytest.mark.parametrize("backend", ["hatchling", "setuptools-scm", "flit"])
def test_real_dists_are_safe(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> None:
    dists = build_template(tmp_path_factory, backend)
    assert dists.error is None, dists.error
    for path in dists.files:
        assert unsafe_members_of(path) == [], path.name


def test_safe_members_and_links_that_stay_inside() -> None:
    members = [
        Member(name="demo-1.0", kind="dir", size=0),
        file("demo-1.0/PKG-INFO"),
        file("./demo-1.0/src/demo/__init__.py"),
        link("demo-1.0/docs/README.md", "../README.md"),
        link("demo-1.0/src/demo/data", "../../data/"),
        link("demo-1.0/self", "."),
        link("demo-1.0/copy.py", "demo-1.0/src/demo/__init__.py", "hardlink"),
    ]
    assert flagged(members) == {}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("/etc/cron.d/evil", "an absolute path"),
        ("C:/Windows/evil.dll", "an absolute path"),
        ("\\evil", "an absolute path"),
        ("demo-1.0/../evil.py", "a `..` component, so an extractor without a filter writes it"),
        ("demo-1.0\\..\\..\\evil.py", "a `..` component"),
        ("../demo-1.0/x", "a `..` component"),
        ("evil.py", "outside the sdist's top directory `demo-1.0/`"),
        ("other-2.0/setup.py", "outside the sdist's top directory `demo-1.0/`"),
    ],
)
def test_names_that_escape(name: str, text: str) -> None:
    assert text in flagged([file("demo-1.0/PKG-INFO"), file(name)])[name]


@pytest.mark.parametrize(
    ("member", "text"),
    [
        (link("demo-1.0/data", "../../../etc"), "a symbolic link to `../../../etc`, which leaves"),
        (link("demo-1.0/up", ".."), "which leaves the sdist's top directory `demo-1.0/`"),
        (link("demo-1.0/passwd", "/etc/passwd"), "a symbolic link to the absolute path"),
        (link("demo-1.0/h", "../etc/x", "hardlink"), "a hard link to `../etc/x`, which leaves"),
        (link("demo-1.0/h", "/etc/passwd", "hardlink"), "a hard link to the absolute path"),
        (link("demo-1.0/h", "other/file", "hardlink"), "a hard link to `other/file`"),
        (Member(name="demo-1.0/dev", kind="special", size=0), "a special file (device node"),
    ],
)
def test_links_and_special_files_that_escape(member: Member, text: str) -> None:
    assert text in flagged([file("demo-1.0/PKG-INFO"), member])[member.name]


def test_links_are_followed_through_other_links() -> None:
    # Lexically `demo-1.0/d/l1/..` is `demo-1.0/d`, but `l1` is `demo-1.0`, so `..` leaves it.
    members = [link("demo-1.0/d/l1", ".."), link("demo-1.0/d/l2", "l1/..")]
    assert list(flagged(members)) == ["demo-1.0/d/l2"]
    absolute = [link("demo-1.0/a", "/srv/data"), link("demo-1.0/b", "a/x")]
    assert list(flagged(absolute)) == ["demo-1.0/a", "demo-1.0/b"]


def test_a_loop_of_links() -> None:
    members = [link("demo-1.0/a", "b"), link("demo-1.0/b", "a")]
    reasons = flagged(members)
    assert "goes round a loop of links" in reasons["demo-1.0/a"]


def test_wheels_have_no_top_directory() -> None:
    members = [file("demo/__init__.py"), link("demo/data", "../share"), link("x", "../y")]
    assert list(flagged(members, top=None)) == ["x"]


def test_sdist_top_directory() -> None:
    members = [file("demo-1.0/PKG-INFO"), file("evil"), file("evil2")]
    assert sdist_top_directory("demo-1.0.tar.gz", members) == "demo-1.0"
    misnamed = [file("Demo-1.0/PKG-INFO"), file("Demo-1.0/setup.py"), file("x")]
    assert sdist_top_directory("demo-1.0.tar.gz", misnamed) == "Demo-1.0"
    assert sdist_top_directory("demo-1.0.zip", [file("./demo-1.0/x")]) == "demo-1.0"
    assert sdist_top_directory("demo-1.0.tar.gz", []) is None


def _tar(path: Path, entries: list[tarfile.TarInfo]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info in entries:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return path


def _info(name: str, kind: bytes = tarfile.REGTYPE, target: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    info.size = 1 if kind == tarfile.REGTYPE else 0
    return info


def test_an_sdist_read_from_disk(tmp_path: Path) -> None:
    path = _tar(
        tmp_path / "demo-1.0.tar.gz",
        [
            _info("demo-1.0/PKG-INFO"),
            _info("demo-1.0/../../evil.py"),
            _info("demo-1.0/etc", tarfile.SYMTYPE, "/etc"),
            _info("demo-1.0/shadow", tarfile.LNKTYPE, "../shadow"),
            _info("demo-1.0/fifo", tarfile.FIFOTYPE),
            _info("demo-1.0/tty", tarfile.CHRTYPE),
            _info("stray.txt"),
        ],
    )
    names = [unsafe.name for unsafe in unsafe_members_of(path)]
    assert names == [
        "demo-1.0/../../evil.py",
        "demo-1.0/etc",
        "demo-1.0/shadow",
        "demo-1.0/fifo",
        "demo-1.0/tty",
        "stray.txt",
    ]


def test_a_wheel_read_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo/__init__.py", "")
        archive.writestr("../../.bashrc", "evil")
        archive.writestr("/usr/lib/evil.py", "evil")
        info = zipfile.ZipInfo("demo/config")
        info.external_attr = 0o120777 << 16  # a symlink
        archive.writestr(info, "../../../etc/passwd")
    reasons = {unsafe.name: unsafe.reason for unsafe in unsafe_members_of(path)}
    assert list(reasons) == ["../../.bashrc", "/usr/lib/evil.py", "demo/config"]
    assert "which leaves the archive" in reasons["demo/config"]


def test_a_zip_sdist_has_a_top_directory(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("demo-1.0/PKG-INFO", "")
        archive.writestr("setup.py", "")
    [unsafe] = unsafe_members_of(path)
    assert unsafe.name == "setup.py"


def test_an_unreadable_archive_is_a_fact_error(tmp_path: Path) -> None:
    path = tmp_path / "demo-1.0.tar.gz"
    path.write_bytes(b"not a tar")
    with pytest.raises(FactError, match="the archive cannot be read"):
        unsafe_members_of(path)
