"""Validation of the real data, mutations of it, the report, and files (issue 3).

The real data (``data/*.ttl``) must have zero Violations; corrupting one required triple
must be caught by the right shape on the right resource, and by no other shape. The command
``hamar-graph validate`` is checked in ``tests/build/test_validate_cli.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, SH, SKOS, XSD

from hamar_graph.build.assembly import assemble
from hamar_graph.build.report import ValidationReport, render_text
from hamar_graph.build.sources import SourceError, load_sources
from hamar_graph.build.validate import (
    ShapesError,
    load_files,
    load_shapes,
    split_dataset,
    validate_dataset,
    validate_files,
    validate_graph,
)
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.namespaces import GEO, HMS, ID, SHAPES

LUND = ID["vennskapsby/lund"]
VIBORG = ID["vennskapsby/viborg"]
GOAL_1_1 = ID["handlingsmal/oppfylle-fns-tusenarsmal"]
GOAL_4_1 = ID["handlingsmal/sikre-at-integrering-fremstar"]
GRANTS = ID["tiltak/benytte-nasjonale-tilskuddsordninger"]
WEEK = ID["tiltak/internasjonal-uke"]
PERIOD = ID["periode/2015-2019"]
SECTION_4_1 = ID["seksjon/4-1"]
SECTION_4_2 = ID["seksjon/4-2"]


@pytest.fixture(scope="module")
def parts(dataset: Dataset) -> tuple[Graph, Graph]:
    """(data graph, ontology graph) of the project's sources."""
    return split_dataset(dataset)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(Settings(source_dir=PROJECT_ROOT))


@pytest.fixture(scope="module")
def real_report(dataset: Dataset, settings: Settings) -> ValidationReport:
    return validate_dataset(dataset, settings)


# --- the real data --------------------------------------------------------------------------


def test_real_data_has_no_violation(real_report: ValidationReport) -> None:
    assert [str(v) for v in real_report.violations] == []
    assert real_report.conforms
    assert real_report.data_triples > 1000


def test_real_data_warnings_are_the_plans_gaps(real_report: ValidationReport) -> None:
    by_shape: dict[str, int] = {}
    for result in real_report.warnings:
        by_shape[result.shape_id] = by_shape.get(result.shape_id, 0) + 1
    # every goal and measure lacks a responsible actor, every measure a cost (data/README.md)
    assert by_shape["S81"] == 17
    assert by_shape["S82"] == 4
    assert by_shape["S83"] == 4
    assert set(by_shape) == {"S80", "S81", "S82", "S83"}


def test_the_built_dataset_has_no_violation(settings: Settings) -> None:
    """What `build` validates: sources plus derived triples, with skolemised blank nodes."""
    report = validate_dataset(assemble(settings), settings)
    assert [str(v) for v in report.violations] == []
    assert {r.shape_id for r in report.warnings} == {"S80", "S81", "S82", "S83"}


def test_rdfs_inference_and_none_agree_on_the_real_data(
    parts: tuple[Graph, Graph], shapes: Graph
) -> None:
    data, ontology = parts
    with_rdfs = validate_graph(data, shapes, ontology, inference="rdfs")
    without = validate_graph(data, shapes, ontology, inference="none")
    assert [r.to_dict() for r in with_rdfs.results] == [r.to_dict() for r in without.results]


def test_another_base_iri_validates_the_same(settings: Settings) -> None:
    other = settings.replace(base_iri="http://example.org/hamar/")
    report = validate_dataset(load_sources(other), other)
    assert report.violations == []
    assert len(report.warnings) == 38
    assert {str(r.shape) for r in report.results} <= {
        f"http://example.org/hamar/shapes/S{n:02d}" for n in range(1, 100)
    }
    assert all(str(r.focus_node).startswith("http://example.org/hamar/id/") for r in report.results)


# --- mutations of the real data -------------------------------------------------------------

Mutation = Callable[[Graph], None]


def _remove(s: URIRef, p: URIRef, o: object = None) -> Mutation:
    def mutate(g: Graph) -> None:
        assert (s, p, o) in g, f"the mutation's triple is not in the data: {s} {p} {o}"
        g.remove((s, p, o))  # type: ignore[arg-type]

    return mutate


def _set(s: URIRef, p: URIRef, o: object) -> Mutation:
    def mutate(g: Graph) -> None:
        assert (s, p, None) in g
        g.set((s, p, o))  # type: ignore[arg-type]

    return mutate


def _add(s: URIRef, p: URIRef, o: object) -> Mutation:
    def mutate(g: Graph) -> None:
        g.add((s, p, o))  # type: ignore[arg-type]

    return mutate


def _remove_nb_label(s: URIRef) -> Mutation:
    def mutate(g: Graph) -> None:
        nb = [o for o in g.objects(s, SKOS.prefLabel) if getattr(o, "language", None) == "nb"]
        assert len(nb) == 1
        g.remove((s, SKOS.prefLabel, nb[0]))

    return mutate


#: (name, mutation, the Violations it must cause as {(shape ID, focus node)}).
MUTATIONS: list[tuple[str, Mutation, set[tuple[str, URIRef]]]] = [
    ("twin city without country", _remove(LUND, HMS.country), {("S36", LUND)}),
    ("goal without axis", _remove(GOAL_1_1, HMS.axis), {("S28", GOAL_1_1)}),
    ("resource without nb label", _remove_nb_label(VIBORG), {("S01", VIBORG)}),
    (
        # the link is a marked reading (issue 14): its readings report the lost triple (S88)
        "measure without goal",
        _remove(GRANTS, HMS.servesGoal),
        {
            ("S30", GRANTS),
            ("S88", ID["lesning/tiltak-pa-malets-rad"]),
            ("S88", ID["lesning/tiltakscellen-for-mal-om-integrering"]),
        },
    ),
    ("latitude 123", _set(LUND, GEO.lat, Literal("123", datatype=XSD.decimal)), {("S39", LUND)}),
    (
        "latitude as a string",
        _set(LUND, GEO.lat, Literal("55.7039")),
        {("S39", LUND)},
    ),
    ("country is a region", _set(LUND, HMS.country, ID["region/gaza"]), {("S71", LUND)}),
    (
        "goal on a dangling axis",
        _set(GOAL_1_1, HMS.axis, ID["akse/vennskapsbysamarbeidet"]),
        {("S59", GOAL_1_1)},
    ),
    (
        "second nb label",
        _add(VIBORG, SKOS.prefLabel, Literal("Viborg by", lang="nb")),
        {("S01", VIBORG)},
    ),
    (
        "untagged label",
        _add(VIBORG, SKOS.prefLabel, Literal("Viborg")),
        {("S03", VIBORG)},
    ),
    (
        "period ends before it starts",
        _set(PERIOD, DCAT.endDate, Literal("2014", datatype=XSD.gYear)),
        {("S19", PERIOD)},
    ),
    (
        "mention of a mistyped IRI",
        _add(SECTION_4_1, HMS.mentions, ID["vennskapsby/khan-yunis"]),
        {("S77", SECTION_4_1)},
    ),
    (
        "two sections numbered 4.1",
        _set(SECTION_4_2, HMS.sectionNumber, Literal("4.1")),
        {("S15", ID["dokument/internasjonal-strategi"])},
    ),
    (
        "two axes noted 4.1",
        _set(ID["akse/tjenesteutvikling-gjennom-eu-prosjekter"], SKOS.notation, Literal("4.1")),
        {("S25", ID["akser"])},
    ),
    ("twin city without provenance", _remove(LUND, HMS.fromSection), {("S04", LUND)}),
    (
        "measure serving a measure",
        _add(GRANTS, HMS.servesGoal, WEEK),
        {("S63", GRANTS)},
    ),
]


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in MUTATIONS],
)
def test_mutation_is_caught_by_the_right_shape(
    parts: tuple[Graph, Graph], shapes: Graph, mutation: Mutation, expected: set
) -> None:
    data, ontology = parts
    mutated = Graph()
    mutated += data
    mutation(mutated)
    report = validate_graph(mutated, shapes, ontology)
    assert {(v.shape_id, v.focus_node) for v in report.violations} == expected
    assert not report.conforms
    for v in report.violations:
        assert v.severity == "Violation"
        assert v.message_nb and v.message_en and v.message_nb != v.message_en


def test_removing_a_goals_only_measure_turns_up_as_a_warning(
    parts: tuple[Graph, Graph], shapes: Graph
) -> None:
    """Internasjonal uke serves goals 1.1 and 4.1; without the link to 1.1 the measure is
    still valid, and goal 1.1 becomes a goal without a measure (S80). The link is a marked
    reading (issue 14), so dropping it drops its mark too (else S88 reports it)."""
    data, ontology = parts
    mutated = Graph()
    mutated += data
    mutated.remove((WEEK, HMS.servesGoal, GOAL_1_1))
    mutated.remove((ID["utsagn/tiltak-internasjonal-uke-tusenarsmal"], None, None))
    report = validate_graph(mutated, shapes, ontology)
    assert report.violations == []
    before = {
        r.focus_node for r in validate_graph(data, shapes, ontology).results if r.shape_id == "S80"
    }
    after = {r.focus_node for r in report.results if r.shape_id == "S80"}
    assert after - before == {GOAL_1_1}


# --- the report -----------------------------------------------------------------------------


def test_result_fields(real_report: ValidationReport) -> None:
    lund_free = [r for r in real_report.results if r.shape_id == "S81"]
    goal = next(r for r in lund_free if r.focus_node == GOAL_1_1)
    assert goal.severity == "Warning"
    assert (
        goal.focus_label
        == "Oppfylle FNs Tusenårsmål og delta i utvikling av demokratisk styresett."
    )
    assert goal.focus_label_en is not None and goal.focus_label_en.startswith("Fulfil")
    assert goal.shape == SHAPES.S81
    assert goal.path == "hms:responsibleActor"
    assert goal.value is None
    assert goal.message_nb == "Handlingsplanen sier ikke hvem som har ansvaret for dette målet."
    assert goal.message_en == "The action plan does not say who is responsible for this goal."
    s80 = next(r for r in real_report.results if r.shape_id == "S80")
    assert s80.path == "^hms:servesGoal"


def test_results_are_sorted_most_severe_first(real_report: ValidationReport) -> None:
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    ranks = [order[r.severity] for r in real_report.results]
    assert ranks == sorted(ranks)
    assert real_report.infos and real_report.warnings


def test_report_graph_matches_the_results(real_report: ValidationReport) -> None:
    g = Graph().parse(data=real_report.report_graph.serialize(format="turtle"), format="turtle")
    reports = list(g.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    results = list(g.objects(reports[0], SH.result))
    assert len(results) == len(real_report.results)
    pairs = {(g.value(r, SH.focusNode), g.value(r, SH.sourceShape)) for r in results}
    assert pairs == {(r.focus_node, r.shape) for r in real_report.results}
    # every result carries its shape's messages in both languages
    for r in results:
        assert {m.language for m in g.objects(r, SH.resultMessage)} == {"nb", "en"}  # type: ignore[attr-defined]


def test_to_dict_is_json(real_report: ValidationReport) -> None:
    data = json.loads(json.dumps(real_report.to_dict()))
    assert data["conforms"] is True
    assert data["counts"] == {"Violation": 0, "Warning": 38, "Info": len(real_report.infos)}
    assert {r["shape_id"] for r in data["results"]} >= {"S80", "S81", "S82", "S83"}


def test_render_text_groups_by_severity_in_both_languages(
    parts: tuple[Graph, Graph], shapes: Graph
) -> None:
    data, ontology = parts
    mutated = Graph()
    mutated += data
    mutated.remove((LUND, HMS.country, None))
    report = validate_graph(mutated, shapes, ontology)
    nb = render_text(report, "nb")
    en = render_text(report, "en")
    assert nb.index("Brudd (1)") < nb.index("Advarsler (38)") < nb.index("Merknader")
    assert en.index("Violations (1)") < en.index("Warnings (38)") < en.index("Infos")
    assert f"S36  Lund <{LUND}>" in en
    assert "The twin city must be in exactly one country (hms:country)." in en
    assert "Vennskapsbyen må ligge i nøyaktig ett land (hms:country)." in nb
    assert en.rstrip().endswith("The graph does not conform.")


def test_nested_blank_property_shape_reports_its_named_shape() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        <http://example.org/shapes/X01> a sh:NodeShape ;
            sh:targetClass ex:C ;
            sh:message "melding"@nb , "message"@en ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        """,
        format="turtle",
    )
    data = Graph().parse(data="<http://example.org/a> a <http://example.org/C> .", format="turtle")
    report = validate_graph(data, shapes)
    assert [(r.shape_id, r.message_en, r.path) for r in report.results] == [
        ("X01", "message", "<http://example.org/p>")
    ]


def test_broken_shapes_raise() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://example.org/shapes/X02> a sh:NodeShape ;
            sh:targetNode <http://example.org/a> ;
            sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } }" ] .
        """,
        format="turtle",
    )
    with pytest.raises(ShapesError):
        validate_graph(Graph(), shapes)


# --- files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["nt", "xml", "json-ld"])
def test_other_formats_give_the_same_report(
    parts: tuple[Graph, Graph], tmp_path: Path, settings: Settings, fmt: str
) -> None:
    data, _ontology = parts
    mutated = Graph()
    mutated += data
    mutated.remove((GOAL_1_1, HMS.axis, None))
    extension = {"nt": "nt", "xml": "rdf", "json-ld": "jsonld"}[fmt]
    ttl = tmp_path / "data.ttl"
    ttl.write_text(mutated.serialize(format="turtle"), encoding="utf-8")
    other = tmp_path / f"data.{extension}"
    other.write_text(mutated.serialize(format=fmt), encoding="utf-8")
    from_ttl = validate_files([ttl], settings)
    from_other = validate_files([other], settings)
    assert [r.to_dict() for r in from_other.results] == [r.to_dict() for r in from_ttl.results]
    assert {(v.shape_id, v.focus_node) for v in from_other.violations} == {("S28", GOAL_1_1)}


def test_several_files_are_validated_together(settings: Settings) -> None:
    files = [PROJECT_ROOT / "data" / name for name in ("places.ttl", "document.ttl")]
    alone = validate_files(files[:1], settings)
    together = validate_files(files, settings)
    # places alone cannot resolve its sections (S50); with document.ttl it can
    assert any(v.shape_id == "S50" for v in alone.violations)
    assert not any(v.shape_id == "S50" for v in together.violations)


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("broken.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:p ex:b\nex:c ex:d .\n", 3),
        ("broken.nt", "<http://x/a> <http://x/p> <http://x/b> .\n<http://x/a> <http://x/p> .\n", 2),
        (
            "broken.rdf",
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '<rdf:Description rdf:about="http://x/a">\n</rdf:RDF>\n',
            4,
        ),
    ],
)
def test_parse_error_names_file_and_line(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_files([path])
    assert caught.value.path == path
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
