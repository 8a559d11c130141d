"""The source's content in the built graph (issue 2, item 6), where the data files'
own tests (test_data_content.py, test_data_places_actors.py) do not already look:
the assembled graph as a whole, the declared-term check on the real sources, and the
counts that ``build`` prints.
"""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from hamar_graph.build.declared import declared_terms, find_undeclared, used_terms
from hamar_graph.build.pipeline import BuildResult
from hamar_graph.build.sources import load_sources, source_files
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.namespaces import HMS
from hamar_graph.rdf.datasets import union_graph
from hamar_graph.store.oxigraph import OxigraphStore

#: What the source says there is: five axes (section 4), 17 goals and 4 distinct
#: measures in the action plan (section 6), eight twin cities (the box in 4.3).
EXPECTED_COUNTS = {
    "hms:Axis": 5,
    "hms:ActionPlanGoal": 17,
    "hms:Measure": 4,
    "hms:TwinCity": 8,
    "hms:IntendedResult": 4,
    "hms:OverallGoal": 1,
    "hms:AxisGoal": 5,
    "hms:MainStrategy": 5,
    "hms:KeyFigure": 4,
}


@pytest.fixture(scope="module")
def union(dataset: Dataset) -> Graph:
    return union_graph(dataset)


def _hms_typed(graph: Graph) -> set[URIRef]:
    """Every subject with an ``rdf:type`` in the hms: namespace."""
    return {
        s
        for s, o in graph.subject_objects(RDF.type)
        if isinstance(s, URIRef) and isinstance(o, URIRef) and o.startswith(str(HMS))
    }


def _langs(graph: Graph, s: URIRef, p: URIRef) -> list[str]:
    return [o.language or "" for o in graph.objects(s, p) if isinstance(o, Literal)]


def test_every_resource_of_an_hms_class_has_labels_in_nb_and_en(union: Graph) -> None:
    resources = _hms_typed(union)
    assert len(resources) > 100
    problems = []
    for s in sorted(resources):
        pref = _langs(union, s, SKOS.prefLabel)
        label = _langs(union, s, RDFS.label)
        if pref.count("nb") != 1 or "en" not in pref:
            problems.append(f"{s}: skos:prefLabel languages {sorted(pref)}")
        if "nb" not in label or "en" not in label:
            problems.append(f"{s}: rdfs:label languages {sorted(label)}")
    assert problems == []


def test_every_ontology_term_has_labels_in_nb_and_en(union: Graph, dataset: Dataset) -> None:
    ontology = [dataset.graph(f.graph) for f in source_files(Settings()) if f.folder == "ontology"]
    terms = {t for t in declared_terms(ontology) if t.startswith(str(HMS))}
    assert len(terms) > 60
    problems = [
        f"{t}: rdfs:label languages {sorted(_langs(union, t, RDFS.label))}"
        for t in sorted(terms)
        if not {"nb", "en"} <= set(_langs(union, t, RDFS.label))
    ]
    assert problems == []


def test_every_class_and_predicate_used_is_declared() -> None:
    """On the real sources, as they are in the working tree now (not a snapshot)."""
    settings = Settings(source_dir=PROJECT_ROOT)
    dataset = load_sources(settings)
    files = source_files(settings)
    graphs = {f.path: dataset.graph(f.graph) for f in files}
    ontology = [graphs[f.path] for f in files if f.folder == "ontology"]
    assert find_undeclared(graphs, ontology, display_root=PROJECT_ROOT) == []
    # the check is not vacuous: the data uses many of our own terms, all declared
    declared = declared_terms(ontology)
    own = {
        term
        for f in files
        if f.folder == "data"
        for term in used_terms(graphs[f.path])
        if term.startswith(str(HMS))
    }
    assert len(own) > 30
    assert own <= declared


def test_build_prints_the_counts_of_the_source(built: BuildResult) -> None:
    for name, count in EXPECTED_COUNTS.items():
        assert built.classes.get(name) == count, name
    printed = {tuple(line.split()) for line in built.summary_lines() if line.startswith("  ")}
    for name, count in EXPECTED_COUNTS.items():
        assert (name, str(count)) in printed


def test_the_built_store_counts_the_same(built: BuildResult) -> None:
    store = OxigraphStore(built.store_path, read_only=True)
    for name, count in EXPECTED_COUNTS.items():
        cls = HMS[name.removeprefix("hms:")]
        rows = store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}")
        assert int(rows[0]["n"]) == count, name


def test_the_action_plan_links_each_goal_to_its_measures_both_ways(union: Graph) -> None:
    """Served both ways: measure → goal in the data, goal → measure derived by the build."""
    serves = set(union.subject_objects(HMS.servesGoal))
    has = {(m, g) for g, m in union.subject_objects(HMS.hasMeasure)}
    assert serves == has
    measures = set(union.subjects(RDF.type, HMS.Measure))
    assert {m for m, _g in serves} == measures
