"""``hamar_graph.build`` failing: what it reports, and what it leaves (issues 2 and 3).

A parse error names the file and the line; undeclared terms are reported with their name,
file and line. A build that fails, on a broken file or on a SHACL Violation, writes nothing and
leaves the previous output intact, and the atomic writes of a dump and of the store keep the
old file or store when the new one cannot be put in place. The successful build is checked in
``tests/build/test_build.py``.
"""

from __future__ import annotations

import os
import shutil
import types
from pathlib import Path

import pytest
from rdflib import Dataset

from hamar_graph.build import pipeline
from hamar_graph.build.assembly import BuildError, assemble
from hamar_graph.build.pipeline import BuildResult, build, write_store
from hamar_graph.config import Settings
from hamar_graph.rdf.atomic import write_atomic
from hamar_graph.store.oxigraph import OxigraphStore
from tests.support.build_settings import settings_for as _settings


def _copy_sources(source_copy: Path, target: Path) -> Path:
    shutil.copytree(source_copy, target)
    return target


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (store included) by relative path → bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def assembled(source_copy: Path) -> Dataset:
    return assemble(_settings(source_copy, Path("unused")))


# --- failures: file and line, term and file ------------------------------------------------


def test_parse_error_names_file_and_line(source_copy: Path, tmp_path: Path) -> None:
    sources = _copy_sources(source_copy, tmp_path / "src")
    broken = sources / "data" / "zz-broken.ttl"
    broken.write_text(
        "@prefix hms: <https://data.hamar.kommune.no/def/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "\n"
        '<https://data.hamar.kommune.no/id/x/y> skos:prefLabel "no end ;\n'
        "    hms:fromSection <https://data.hamar.kommune.no/id/seksjon/1> .\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildError) as caught:
        assemble(_settings(sources, tmp_path / "out"))
    assert f"{broken}:4:" in str(caught.value)
    assert "string literal" in str(caught.value)


def test_undeclared_terms_are_reported_with_name_file_and_line(
    source_copy: Path, tmp_path: Path
) -> None:
    sources = _copy_sources(source_copy, tmp_path / "src")
    (sources / "data" / "zz-typos.ttl").write_text(
        "@prefix hms: <https://data.hamar.kommune.no/def/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@base <https://data.hamar.kommune.no/id/> .\n"
        "\n"
        "<akse/vennskapsbysamarbeid> hms:notDeclared <vennskapsby/lund> ;\n"
        '    rdfs:commet "a typo of rdfs:comment" .\n'
        "<vennskapsby/lund> a hms:TwinCity , hms:TwinCty .\n",
        encoding="utf-8",
    )
    shapes = sorted((sources / "shapes").glob("*.ttl"))
    shape_file = shapes[0] if shapes else sources / "shapes" / "zz.ttl"
    shape_file.write_text(
        (shape_file.read_text(encoding="utf-8") if shapes else "")
        + "\n<https://data.hamar.kommune.no/shapes/ZZ> a <http://www.w3.org/ns/shacl#NodeShape> ;\n"
        "    <http://www.w3.org/ns/shacl#targetClass> <https://data.hamar.kommune.no/def/Axsi> .\n",
        encoding="utf-8",
    )
    shape_line = shape_file.read_text(encoding="utf-8").count("\n")
    with pytest.raises(BuildError) as caught:
        assemble(_settings(sources, tmp_path / "out"))
    message = str(caught.value)
    assert "predicate hms:notDeclared" in message and "data/zz-typos.ttl:5" in message
    assert "predicate rdfs:commet" in message and "data/zz-typos.ttl:6" in message
    assert "class hms:TwinCty" in message and "data/zz-typos.ttl:7" in message
    assert (
        "class hms:Axsi <https://data.hamar.kommune.no/def/Axsi> used in "
        f"shapes/{shape_file.name}:{shape_line}" in message
    )
    assert len(caught.value.problems) == 4  # hms:TwinCity and rdfs:comment are fine


# --- gating: nothing written on failure ----------------------------------------------------


def test_failing_build_leaves_the_previous_output_intact(source_copy: Path, tmp_path: Path) -> None:
    sources = _copy_sources(source_copy, tmp_path / "src")
    out = tmp_path / "out"
    good = build(_settings(sources, out))
    before = _snapshot(out)
    (sources / "data" / "axes.ttl").write_text("this is not turtle\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build(_settings(sources, out))
    assert _snapshot(out) == before
    store = OxigraphStore(out / "store", read_only=True)
    assert len(store) == good.quads


@pytest.fixture()
def violating_validator(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """A stand-in ``validate_dataset`` whose report has one Violation."""
    calls: list[object] = []

    def validate_dataset(dataset: Dataset, settings: Settings) -> object:
        calls.append(dataset)
        return types.SimpleNamespace(
            conforms=False,
            violations=["S99 <https://data.hamar.kommune.no/id/akse/x>: an axis needs a goal"],
            warnings=[],
        )

    monkeypatch.setattr(pipeline, "validate_dataset", validate_dataset)
    return calls


def test_a_violation_stops_the_build_and_nothing_is_written(
    built: BuildResult, source_copy: Path, tmp_path: Path, violating_validator: list[object]
) -> None:
    out = tmp_path / "out"
    shutil.copytree(built.manifest_path.parent, out)
    before = _snapshot(out)
    with pytest.raises(BuildError) as caught:
        build(_settings(source_copy, out))
    assert len(violating_validator) == 1
    assert "1 Violation" in str(caught.value)
    assert "S99 <https://data.hamar.kommune.no/id/akse/x>" in str(caught.value)
    assert _snapshot(out) == before
    fresh = tmp_path / "fresh"
    with pytest.raises(BuildError):
        build(_settings(source_copy, fresh))
    assert not fresh.exists() or list(fresh.iterdir()) == []


def test_write_atomic_keeps_the_old_file_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "dump.ttl"
    write_atomic(target, b"old\n")
    assert target.read_bytes() == b"old\n"

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["dump.ttl"]


def test_write_store_keeps_the_old_store_when_loading_fails(
    assembled: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "store"
    write_store(assembled, target)
    quads = len(OxigraphStore(target, read_only=True))
    assert quads > 1000

    def fail(self: OxigraphStore, dataset: Dataset) -> None:
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(OxigraphStore, "load", fail)
    with pytest.raises(RuntimeError):
        write_store(assembled, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert len(OxigraphStore(target, read_only=True)) == quads
