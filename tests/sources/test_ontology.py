"""The ontology (``ontology/hamar.ttl``) against its contract (``docs/MODEL.md``).

Checks that every class and property of the contract is declared with exactly
its local name, that every ``hms:`` term carries labels and definitions in
Norwegian Bokmål and English, that alignments point only at ``hms:`` terms or
standard vocabularies, and that those standard terms are declared locally so
RDFS inference works offline.
"""

from __future__ import annotations

import re
from functools import cache

import owlrl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SDO, SKOS, XSD

from hamar_graph.namespaces import (
    GEO,
    HMS,
    ONTOLOGY_IRI,
    PREFIXES,
    STANDARD_VOCABULARIES,
)
from tests.support.paths import ROOT

ONTOLOGY = ROOT / "ontology" / "hamar.ttl"
MODEL = ROOT / "docs" / "MODEL.md"

VANN = "http://purl.org/vocab/vann/"
HAMAR_KOMMUNE = URIRef("https://data.hamar.kommune.no/id/organisasjon/hamar-kommune")
NLOD = URIRef("http://publications.europa.eu/resource/authority/licence/NLOD_2_0")
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def expand(curie: str) -> URIRef:
    """``hms:Axis`` or bare ``Axis`` (a class in MODEL.md) to a full IRI."""
    prefix, sep, local = curie.partition(":")
    if not sep:
        return HMS[curie]
    return URIRef(PREFIXES[prefix] + local)


def table_rows(markdown: str, header_start: str) -> list[list[str]]:
    """The body rows of the first Markdown table whose header row starts with ``header_start``."""
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(header_start):
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            return rows
    raise AssertionError(f"no table starting {header_start!r} in {MODEL}")


def ticked(cell: str) -> list[str]:
    """The backticked names in a table cell."""
    return re.findall(r"`([^`]+)`", cell)


@cache
def model_classes() -> dict[str, tuple[str, str, list[str]]]:
    """``{local name: (nb label, en label, [superclass CURIEs])}`` from MODEL.md."""
    rows = table_rows(MODEL.read_text(encoding="utf-8"), "| class |")
    result = {}
    for row in rows:
        (name,) = ticked(row[0])
        result[name] = (row[1], row[2], ticked(row[3]))
    return result


@cache
def model_properties() -> dict[str, tuple[list[str], list[str]]]:
    """``{CURIE: ([superproperty CURIEs], [inverse CURIEs])}`` from MODEL.md.

    The first column may name more than one property (``dcat:startDate``, ``dcat:endDate``).
    """
    rows = table_rows(MODEL.read_text(encoding="utf-8"), "| property |")
    result = {}
    for row in rows:
        aligned = row[2] + " " + row[3]
        inverses = re.findall(r"`owl:inverseOf (hms:\w+)`", aligned)
        supers = [c for c in ticked(row[2]) if " " not in c]
        for name in ticked(row[0]):
            result[name] = (supers, inverses)
    return result


def hms_terms() -> list[URIRef]:
    """Every ``hms:`` IRI that is the subject of a triple in the ontology."""
    graph = ontology()
    return sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(HMS))}
        - {ONTOLOGY_IRI}
    )


def short(term: URIRef) -> str:
    return term.removeprefix(str(HMS))


def is_standard(term: URIRef) -> bool:
    return any(term.startswith(ns) for ns in STANDARD_VOCABULARIES)


def is_literal_range(term: URIRef) -> bool:
    """An XSD datatype, ``rdf:langString`` or ``rdfs:Literal``."""
    return term.startswith(str(XSD)) or term in {RDFS.Literal, RDF.langString}


# --- the contract is complete ---------------------------------------------------


def test_model_tables_are_read() -> None:
    """Guard for the parsing below: MODEL.md's tables are found and have their size."""
    assert len(model_classes()) >= 30
    assert "StrategyDocument" in model_classes()
    assert len([p for p in model_properties() if p.startswith("hms:")]) >= 40
    assert model_properties()["hms:hasMeasure"][1] == ["hms:servesGoal"]


@pytest.mark.parametrize("name", sorted(model_classes()))
def test_model_class_is_declared(name: str) -> None:
    graph = ontology()
    term = HMS[name]
    assert (term, RDF.type, OWL.Class) in graph, f"hms:{name} is not an owl:Class"
    nb, en, supers = model_classes()[name]
    assert Literal(nb, lang="nb") in set(graph.objects(term, SKOS.prefLabel)), nb
    assert Literal(en, lang="en") in set(graph.objects(term, SKOS.prefLabel)), en
    for sup in supers:
        assert (term, RDFS.subClassOf, expand(sup)) in graph, f"hms:{name} ⊄ {sup}"


@pytest.mark.parametrize("name", sorted(model_properties()))
def test_model_property_is_declared(name: str) -> None:
    """Each property of MODEL.md is declared; hms: ones with their alignment and inverse."""
    graph = ontology()
    term = expand(name)
    declared = {t for t in graph.objects(term, RDF.type)}
    assert declared & set(PROPERTY_TYPES), f"{name} is not declared as a property"
    supers, inverses = model_properties()[name]
    if not name.startswith("hms:"):
        return
    for sup in supers:
        assert (term, RDFS.subPropertyOf, expand(sup)) in graph, f"{name} ⊄ {sup}"
    for inverse in inverses:
        assert (term, OWL.inverseOf, expand(inverse)) in graph, f"{name} not inverse of {inverse}"


def test_no_hms_term_outside_the_contract() -> None:
    """Terms added to the ontology must be added to MODEL.md too."""
    in_model = {HMS[c] for c in model_classes()} | {
        expand(p) for p in model_properties() if p.startswith("hms:")
    }
    assert set(hms_terms()) - in_model == set()


# --- every hms: term is described ------------------------------------------------


def one_literal(graph: Graph, term: URIRef, predicate: URIRef, lang: str) -> Literal:
    values = [o for o in graph.objects(term, predicate) if isinstance(o, Literal)]
    tagged = [o for o in values if o.language == lang]
    assert len(tagged) == 1, f"{short(term)}: {len(tagged)} {predicate} @{lang}"
    assert tagged[0].strip(), f"{short(term)}: empty {predicate} @{lang}"
    return tagged[0]


@pytest.mark.parametrize("term", hms_terms(), ids=short)
def test_term_is_typed_and_defined_by_the_ontology(term: URIRef) -> None:
    graph = ontology()
    kinds = set(graph.objects(term, RDF.type)) & {OWL.Class, *PROPERTY_TYPES}
    assert len(kinds) == 1, f"{short(term)} has kinds {kinds}"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in graph


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("term", hms_terms(), ids=short)
def test_term_has_labels_and_definition(term: URIRef, lang: str) -> None:
    graph = ontology()
    label = one_literal(graph, term, RDFS.label, lang)
    pref = one_literal(graph, term, SKOS.prefLabel, lang)
    assert str(label) == str(pref)
    definition = one_literal(graph, term, SKOS.definition, lang)
    assert definition != label
    assert len(definition.split()) >= 3, f"{short(term)}: definition @{lang} too short"


def test_nb_and_en_definitions_differ() -> None:
    """A definition copied into the other language is not a translation."""
    graph = ontology()
    for term in hms_terms():
        nb = one_literal(graph, term, SKOS.definition, "nb")
        en = one_literal(graph, term, SKOS.definition, "en")
        assert str(nb) != str(en), short(term)


# --- alignments, domains and ranges ---------------------------------------------


@pytest.mark.parametrize("predicate", [RDFS.subClassOf, RDFS.subPropertyOf])
def test_alignment_targets_are_hms_or_standard(predicate: URIRef) -> None:
    graph = ontology()
    pairs = [(s, o) for s, o in graph.subject_objects(predicate) if s.startswith(str(HMS))]
    assert pairs
    for s, o in pairs:
        assert isinstance(o, URIRef), f"{short(s)}: {predicate} to a blank node"
        if o.startswith(str(HMS)):
            assert o in hms_terms(), f"{short(s)}: {o} is not declared"
        else:
            assert is_standard(o), f"{short(s)}: {o} is not in a standard vocabulary"


def test_standard_superterms_are_declared_locally() -> None:
    """Offline RDFS inference needs every superclass and superproperty declared here."""
    graph = ontology()
    for predicate, kinds in (
        (RDFS.subClassOf, {OWL.Class}),
        (RDFS.subPropertyOf, set(PROPERTY_TYPES)),
        (RDFS.domain, {OWL.Class}),
        (RDFS.range, {OWL.Class}),
    ):
        for s, o in graph.subject_objects(predicate):
            if o.startswith(str(HMS)) or is_literal_range(o):
                continue
            assert set(graph.objects(o, RDF.type)) & kinds, f"{o} ({predicate} of {s}) undeclared"


def test_no_owl_imports_and_no_blank_node_classes() -> None:
    graph = ontology()
    assert not list(graph.objects(None, OWL.imports))
    assert not any(isinstance(o, BNode) for o in graph.objects(None, RDFS.domain))
    assert not any(isinstance(o, BNode) for o in graph.objects(None, RDFS.range))


@pytest.mark.parametrize(
    ("prop", "expected"),
    [
        ("sectionNumber", XSD.string),
        ("value", XSD.decimal),
        ("rowOrder", XSD.integer),
        ("isLowerBound", XSD.boolean),
        ("text", RDF.langString),
        ("textTranslation", RDF.langString),
        ("servesGoal", HMS.ActionPlanGoal),
        ("hasMeasure", HMS.Measure),
        ("cost", HMS.Cost),
        ("fromSection", HMS.SourceSection),
    ],
)
def test_ranges(prop: str, expected: URIRef) -> None:
    assert set(ontology().objects(HMS[prop], RDFS.range)) == {expected}


def test_datatype_properties_have_literal_ranges() -> None:
    graph = ontology()
    for term in hms_terms():
        if (term, RDF.type, OWL.DatatypeProperty) in graph:
            for rng in graph.objects(term, RDFS.range):
                assert is_literal_range(rng), short(term)
        if (term, RDF.type, OWL.ObjectProperty) in graph:
            for rng in graph.objects(term, RDFS.range):
                assert not is_literal_range(rng), short(term)


def test_rdfs_inference_works_offline() -> None:
    """An instance typed with a local class gets the standard classes it is aligned to."""
    graph = Graph()
    graph += ontology()
    lund = URIRef("https://data.hamar.kommune.no/id/vennskapsby/lund")
    uke = URIRef("https://data.hamar.kommune.no/id/tiltak/internasjonal-uke")
    goal = URIRef("https://data.hamar.kommune.no/id/handlingsmal/oppfylle-fns-tusenarsmal")
    graph.add((lund, RDF.type, HMS.TwinCity))
    graph.add((uke, HMS.servesGoal, goal))
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(graph)
    for cls in (HMS.Place, SDO.City, SDO.Place, GEO.SpatialThing):
        assert (lund, RDF.type, cls) in graph, cls
    assert (uke, DCTERMS.relation, goal) in graph
    assert (uke, RDF.type, HMS.Measure) in graph
    assert (goal, RDF.type, HMS.ActionPlanGoal) in graph


# --- the header -------------------------------------------------------------------


def test_ontology_header() -> None:
    graph = ontology()
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in graph
    # 0.2.0 (issue 14): new terms for readings, fractions and three classes; minor.
    assert (o, OWL.versionIRI, URIRef(f"{o}/0.2.0")) in graph
    assert (o, OWL.versionInfo, Literal("0.2.0")) in graph
    assert (o, OWL.priorVersion, URIRef(f"{o}/0.1.0")) in graph
    assert (o, DCTERMS.license, NLOD) in graph
    assert (o, DCTERMS.creator, HAMAR_KOMMUNE) in graph
    assert (o, DCTERMS.publisher, HAMAR_KOMMUNE) in graph
    for date in (DCTERMS.created, DCTERMS.modified):
        (value,) = graph.objects(o, date)
        assert value.datatype == XSD.date
    assert (o, DCTERMS.modified, Literal("2026-12-03", datatype=XSD.date)) in graph
    for lang in ("nb", "en"):
        one_literal(graph, o, DCTERMS.title, lang)
        one_literal(graph, o, DCTERMS.description, lang)
    assert (o, URIRef(VANN + "preferredNamespacePrefix"), Literal("hms")) in graph
    assert (o, URIRef(VANN + "preferredNamespaceUri"), Literal(str(HMS))) in graph
    see_also = set(graph.objects(o, RDFS.seeAlso))
    for ns in ("org", "cv", "skos", "dct", "prov", "eli", "schema", "geo", "time", "dcat"):
        assert URIRef(PREFIXES[ns]) in see_also, ns
