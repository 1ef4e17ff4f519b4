"""Fact records survive a JSON round-trip with their types: nested records, tuples, dicts."""

from __future__ import annotations

import json

import pytest

from release_checks.config import ReleaseConfig
from release_checks.context import ReleaseContext, TagChoice
from release_checks.distset import DistSet
from release_checks.records import Record
from release_checks.venvs import FreshVenv, ImportOutcome, ProbeReport

RECORDS: list[Record] = [
    DistSet(where="dist"),
    DistSet(
        where="/work/demo",
        sdist="/work/out/demo-1.2.3.tar.gz",
        wheels=("/work/out/demo-1.2.3-py3-none-any.whl", "/work/out/demo-1.2.3-cp311-abi3.whl"),
    ),
    DistSet(where="/work/demo", error="the build failed:\n  tail — ünïcode"),
    ReleaseContext(
        project="demo",
        tag=TagChoice(name="v1.2.3", source="at HEAD; also at HEAD: 1.2.3"),
        version="1.2.3",
        dists="built from /work/demo",
    ),
    ReleaseContext(
        project="demo",
        tag=TagChoice(name="v0.1.0", source="planned", planned=True),
        version="0.1.0",
        dists="built",
    ),
    ReleaseContext(
        project="demo", tag=None, version=None, dists="built", problem="see test_dists_build"
    ),
    FreshVenv(path="/work/venv", python="/work/venv/bin/python", wheel="/work/demo.whl"),
    FreshVenv(
        path="/work/venv",
        python="/work/venv/bin/python",
        wheel="/work/demo.whl",
        error="`pip install demo.whl` failed",
        install_log="ERROR: No matching distribution",
    ),
    ReleaseConfig(),
    ReleaseConfig(
        tag_prefix="",
        changelog="CHANGES.md",
        import_names=("demo", "demo_extra"),
        waive={"changelog_has_entry": "notes live elsewhere", "versions_agree": "why"},
        build_timeout=30.0,
    ),
    ProbeReport(
        version="1.2.3",
        version_error=None,
        imports=(
            ImportOutcome(name="demo", ok=True, version_attr="1.2.3"),
            ImportOutcome(
                name="broken",
                ok=False,
                error="ModuleNotFoundError: No module named 'requests'",
                missing="requests",
                where="broken/__init__.py:3",
            ),
        ),
        entry_points=(
            ImportOutcome(name="demo", ok=True, group="console_scripts", value="demo.cli:main"),
        ),
    ),
    ProbeReport(version=None, version_error="No package metadata", imports=(), entry_points=()),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: type(record).__name__)
def test_json_round_trip_gives_an_equal_record(record: Record) -> None:
    text = record.to_json()
    again = type(record).from_json(text)
    assert again == record
    assert type(again) is type(record)
    assert again.to_json() == text


def test_nested_record_comes_back_as_its_class() -> None:
    context = ReleaseContext(
        project="demo",
        tag=TagChoice(name="v1.2.3", source="at HEAD"),
        version="1.2.3",
        dists="built",
    )
    again = ReleaseContext.from_json(context.to_json())
    assert isinstance(again.tag, TagChoice)
    assert again.tag.name == "v1.2.3"
    assert again.tag.planned is False
    assert again.parsed_version == context.parsed_version


def test_tuples_come_back_as_tuples_of_records() -> None:
    report = RECORDS[-2]
    assert isinstance(report, ProbeReport)
    again = ProbeReport.from_json(report.to_json())
    assert isinstance(again.imports, tuple)
    assert all(isinstance(outcome, ImportOutcome) for outcome in again.imports)
    assert again.imports[1].missing == "requests"
    assert isinstance(again.entry_points, tuple)


def test_tuple_of_strings_and_dict_come_back_typed() -> None:
    config = ReleaseConfig(import_names=("a", "b"), waive={"dists_build": "why"})
    again = ReleaseConfig.from_json(config.to_json())
    assert again.import_names == ("a", "b")
    assert isinstance(again.import_names, tuple)
    assert again.waive == {"dists_build": "why"}
    dists = DistSet(where=".", wheels=("a.whl",))
    assert DistSet.from_json(dists.to_json()).wheels == ("a.whl",)


def test_json_is_plain_and_stable() -> None:
    dists = DistSet(where="/w", sdist="/w/a.tar.gz", wheels=("/w/a.whl",))
    data = json.loads(dists.to_json())
    assert data == {
        "where": "/w",
        "sdist": "/w/a.tar.gz",
        "wheels": ["/w/a.whl"],
        "error": None,
    }
    assert list(data) == sorted(data)


def test_from_dict_accepts_asdict_output() -> None:
    venv = FreshVenv(path="/v", python="/v/bin/python", wheel="/w.whl")
    assert FreshVenv.from_dict(json.loads(venv.to_json())) == venv


def test_derived_properties_survive() -> None:
    dists = DistSet(where="/w", sdist="/w/a.tar.gz", wheels=("/w/a.whl",))
    assert [path.name for path in DistSet.from_json(dists.to_json()).files] == [
        "a.tar.gz",
        "a.whl",
    ]
