"""The shapes (``shapes/hamar-shapes.ttl``): every shape proven by its two fixtures (issue 3).

For every shape ID found in the shapes file there must be ``tests/data/shapes/<ID>-valid.ttl``
and ``<ID>-invalid.ttl``; a shape without fixtures fails the suite. The fixture convention:

- in the valid fixture, the shape reports nothing;
- in the invalid fixture, the shape reports exactly the nodes whose IRI starts with
  ``http://example.org/fixture/bad`` (at least one), every result with the shape's declared
  severity, and no other node.

Each fixture is validated with the whole shapes graph and the ontology's hierarchy, as the
build does, so a shape that only works alone would be caught too.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from hamar_graph.build.report import ValidationReport, declared_shapes, severity_of
from hamar_graph.build.validate import load_ontology, load_shapes, validate_graph
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.namespaces import HMS, SHAPES
from tests.support.paths import TEST_DATA

FIXTURES = TEST_DATA / "shapes"
SHAPES_FILE = PROJECT_ROOT / "shapes" / "hamar-shapes.ttl"
SHAPES_README = PROJECT_ROOT / "shapes" / "README.md"
MODEL = PROJECT_ROOT / "docs" / "MODEL.md"
BAD = "http://example.org/fixture/bad"
NLOD = URIRef("http://publications.europa.eu/resource/authority/licence/NLOD_2_0")
SHAPES_IRI = URIRef(str(SHAPES))
#: The shapes that check labels and provenance on every resource.
EVERY_RESOURCE = ("S01", "S02", "S03", "S04")


@cache
def shapes() -> Graph:
    return load_shapes(Settings(source_dir=PROJECT_ROOT))


@cache
def ontology() -> Graph:
    return load_ontology(Settings(source_dir=PROJECT_ROOT))


#: Shape IDs read from the shapes file at collection time, so a new shape is a new test.
SHAPE_IDS = sorted(declared_shapes(shapes()))


@cache
def fixture_report(shape_id: str, kind: str) -> tuple[Graph, ValidationReport]:
    path = FIXTURES / f"{shape_id}-{kind}.ttl"
    assert path.is_file(), f"shape {shape_id} has no {kind} fixture: create {path}"
    graph = Graph().parse(path, format="turtle")
    return graph, validate_graph(graph, shapes(), ontology())


def test_shape_ids_were_found() -> None:
    assert len(SHAPE_IDS) >= 40
    assert {"S01", "S28", "S30", "S36", "S39", "S80", "S81", "S82", "S83"} <= set(SHAPE_IDS)


@pytest.mark.parametrize("shape_id", SHAPE_IDS)
def test_valid_fixture_is_not_reported(shape_id: str) -> None:
    _graph, report = fixture_report(shape_id, "valid")
    reported = [r for r in report.results if r.shape_id == shape_id]
    assert reported == [], [str(r) for r in reported]


@pytest.mark.parametrize("shape_id", SHAPE_IDS)
def test_invalid_fixture_is_reported_exactly_on_its_bad_nodes(shape_id: str) -> None:
    graph, report = fixture_report(shape_id, "invalid")
    expected = {
        node
        for triple in graph
        for node in (triple[0], triple[2])
        if isinstance(node, URIRef) and str(node).startswith(BAD)
    }
    assert expected, f"{shape_id}-invalid.ttl names no ex:bad-* node"
    reported = [r for r in report.results if r.shape_id == shape_id]
    assert {r.focus_node for r in reported} == expected
    declared = severity_of(shapes(), declared_shapes(shapes())[shape_id])
    assert {r.severity for r in reported} == {declared}
    assert all(r.shape == SHAPES[shape_id] for r in reported)


def test_every_fixture_belongs_to_a_shape() -> None:
    names = {p.name for p in FIXTURES.glob("*.ttl")}
    expected = {f"{sid}-{kind}.ttl" for sid in SHAPE_IDS for kind in ("valid", "invalid")}
    assert names == expected


@pytest.mark.parametrize("shape_id", SHAPE_IDS)
def test_shape_has_messages_severity_and_comment(shape_id: str) -> None:
    g = shapes()
    shape = SHAPES[shape_id]
    messages = list(g.objects(shape, SH.message))
    assert all(isinstance(m, Literal) for m in messages)
    assert sorted(m.language for m in messages) == ["en", "nb"]  # type: ignore[union-attr]
    assert all(str(m).strip() for m in messages)
    severities = list(g.objects(shape, SH.severity))
    assert len(severities) == 1
    assert severities[0] in (SH.Violation, SH.Warning, SH.Info)
    comments = list(g.objects(shape, RDFS.comment))
    assert len(comments) == 1 and str(comments[0]).strip()


def test_shape_iris_are_stable_ids() -> None:
    for sid, iri in declared_shapes(shapes()).items():
        assert re.fullmatch(r"S\d{2}", sid), sid
        assert iri == SHAPES[sid]
    # no blank-node shape carries a target: every check that reports is a named shape
    for kind in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
        assert all(isinstance(s, URIRef) for s in shapes().subjects(kind, None))


def test_completeness_shapes_are_warnings_and_structure_is_violation() -> None:
    g = shapes()
    ids = declared_shapes(g)
    assert {sid for sid in ids if severity_of(g, ids[sid]) == "Warning"} == {
        "S80",
        "S81",
        "S82",
        "S83",
    }
    for sid in ("S01", "S04", "S28", "S30", "S36", "S39", "S42", "S71"):
        assert severity_of(g, ids[sid]) == "Violation"


def test_header() -> None:
    g = Graph().parse(SHAPES_FILE, format="turtle")
    assert (SHAPES_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(SHAPES_IRI, OWL.versionIRI) == URIRef(str(SHAPES) + "0.1.0")
    assert str(g.value(SHAPES_IRI, OWL.versionInfo)) == "0.1.0"
    assert g.value(SHAPES_IRI, DCTERMS.license) == NLOD
    assert g.value(SHAPES_IRI, DCTERMS.modified) is not None
    titles = {t.language for t in g.objects(SHAPES_IRI, DCTERMS.title)}  # type: ignore[attr-defined]
    assert titles == {"nb", "en"}


def _ontology_classes() -> set[URIRef]:
    return {
        c
        for c in ontology().subjects(RDF.type, OWL.Class)
        if isinstance(c, URIRef) and c.startswith(str(HMS))
    }


def _model_classes() -> set[URIRef]:
    text = MODEL.read_text(encoding="utf-8")
    section = text.split("## Classes", 1)[1].split("## Properties", 1)[0]
    return {HMS[m] for m in re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)}


def test_every_class_of_the_ontology_and_the_model_is_covered() -> None:
    # 34 classes, and since issue 14 Organisation, ExternalGoal, ManagementSystem, Reading and
    # ReadingStatement.
    assert len(_model_classes()) == 39
    assert _model_classes() <= _ontology_classes()
    for sid in EVERY_RESOURCE:
        targets = set(shapes().objects(SHAPES[sid], SH.targetClass))
        # A section is not its own provenance (issue 14): S04 leaves sections to S16.
        expected = _ontology_classes() - ({HMS.SourceSection} if sid == "S04" else set())
        assert targets == expected, sid
        # and the scheme of axes, which is a skos:ConceptScheme
        assert list(shapes().objects(SHAPES[sid], SH.targetObjectsOf)) == [HMS.axisScheme]


def _model_ranges() -> dict[URIRef, URIRef]:
    """hms: property → its single class range, from docs/MODEL.md's properties table."""
    text = MODEL.read_text(encoding="utf-8").split("## Properties", 1)[1]
    ranges: dict[URIRef, URIRef] = {}
    for prop, rng in re.findall(r"^\| `hms:(\w+)` \| [^|]*→ `([\w:]+)` \|", text, re.MULTILINE):
        if rng.startswith("skos:"):
            ranges[HMS[prop]] = SKOS[rng.split(":", 1)[1]]
        elif ":" not in rng:
            ranges[HMS[prop]] = HMS[rng]
    return ranges


def test_every_link_of_the_model_has_a_range_shape() -> None:
    ranges = _model_ranges()
    assert HMS.country in ranges and ranges[HMS.country] == HMS.Country
    assert len(ranges) >= 25
    g = shapes()
    for prop, cls in ranges.items():
        matching = [
            s
            for s in g.subjects(SH.targetSubjectsOf, prop)
            if g.value(s, SH.path) == prop and g.value(s, SH["class"]) == cls
        ]
        assert len(matching) == 1, f"no single range shape for {prop} -> {cls}"


def test_readme_lists_every_shape_with_its_severity() -> None:
    text = SHAPES_README.read_text(encoding="utf-8")
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| (S\d{2}) \|[^\n]*\| (Violation|Warning|Info) \|", text, re.M)
    }
    g = shapes()
    ids = declared_shapes(g)
    assert rows == {sid: severity_of(g, shape) for sid, shape in ids.items()}
