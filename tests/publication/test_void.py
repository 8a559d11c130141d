"""VoID: every figure equals a COUNT query on the store; partitions, linksets, dumps, links."""

from __future__ import annotations

import warnings

import pytest
from flask import Flask
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, VOID

from hamar_graph import __version__
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.publication.publish import Publication, make_publication
from hamar_graph.store.base import Store
from web import create_app

BASE = "https://data.hamar.kommune.no/"
DATASET = URIRef(BASE + "catalog#hamar-graph")
DOC = URIRef(BASE + ".well-known/void")


def count(store: Store, query: str, **bindings: URIRef | Literal) -> int:
    """Run a ``SELECT (COUNT(...) AS ?n)`` query and return ``?n``."""
    rows = store.select(query, bindings or None)
    return int(rows[0]["n"])  # type: ignore[arg-type]


def value(void: Graph, subject: URIRef, predicate: URIRef) -> int:
    values = list(void.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return int(values[0])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def void(published: Publication) -> Graph:
    return published.void


# Each query counts over distinct triples of the default graph, which is the union of the
# named graphs; a triple stated in two source files counts once, as in the dumps.
FIGURES = {
    VOID.triples: "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
    VOID.classes: "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
    VOID.properties: "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    VOID.distinctSubjects: "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    VOID.distinctObjects: "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
}


@pytest.mark.parametrize("predicate", list(FIGURES), ids=lambda p: str(p).rsplit("#")[-1])
def test_dataset_figure_equals_count_query(void: Graph, store: Store, predicate: URIRef) -> None:
    assert value(void, DATASET, predicate) == count(store, FIGURES[predicate])


def test_entities_are_subject_iris_in_the_uri_space(void: Graph, store: Store) -> None:
    assert str(void.value(DATASET, VOID.uriSpace)) == BASE
    expected = count(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) ?base WHERE { ?s ?p ?o . "
        "FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?base))) } GROUP BY ?base",
        base=Literal(BASE),
    )
    assert expected > 300
    assert value(void, DATASET, VOID.entities) == expected


def test_every_class_has_a_partition_with_its_instances(void: Graph, store: Store) -> None:
    classes = {r["c"] for r in store.select("SELECT DISTINCT ?c WHERE { ?s a ?c }")}
    partitions = {
        void.value(p, VOID["class"]): p for p in void.objects(DATASET, VOID.classPartition)
    }
    assert set(partitions) == classes
    for cls, partition in partitions.items():
        rows = store.select(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) ?c WHERE { ?s a ?c } GROUP BY ?c", {"c": cls}
        )
        assert value(void, partition, VOID.entities) == int(rows[0]["n"]), cls


def test_every_property_has_a_partition_with_its_triples(void: Graph, store: Store) -> None:
    properties = {r["p"] for r in store.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
    partitions = {
        void.value(p, VOID.property): p for p in void.objects(DATASET, VOID.propertyPartition)
    }
    assert set(partitions) == properties
    for prop, partition in partitions.items():
        rows = store.select(
            "SELECT (COUNT(*) AS ?n) ?p WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } "
            "GROUP BY ?p",
            {"p": prop},
        )
        assert value(void, partition, VOID.triples) == int(rows[0]["n"]), prop


# Oxigraph substitutes only variables that the query projects, hence ?a ?b in every SELECT.
LINK_COUNT = (
    "SELECT (COUNT(*) AS ?n) ?p ?a ?b WHERE { SELECT DISTINCT ?s ?p ?o ?a ?b WHERE { ?s ?p ?o . "
    "FILTER(isIRI(?o) && (STRSTARTS(STR(?o), STR(?a)) || STRSTARTS(STR(?o), STR(?b)))) } } "
    "GROUP BY ?p ?a ?b"
)
SPACES = {
    "wikidata": ("http://www.wikidata.org/entity/", "https://www.wikidata.org/entity/"),
    "geonames": ("https://sws.geonames.org/", "http://sws.geonames.org/"),
    "geonorge": ("https://data.geonorge.no/", "http://data.geonorge.no/"),
}


def linksets(void: Graph) -> dict[tuple[str, URIRef], URIRef]:
    """(target key, predicate) → linkset."""
    out = {}
    for ls in void.subjects(RDF.type, VOID.Linkset):
        target = str(void.value(ls, VOID.objectsTarget)).rsplit("#", 1)[-1]
        out[(target, void.value(ls, VOID.linkPredicate))] = ls
        assert void.value(ls, VOID.subjectsTarget) == DATASET
        assert (DATASET, VOID.subset, ls) in void
    return out  # type: ignore[return-value]


@pytest.mark.parametrize("target", sorted(SPACES))
def test_linksets_count_the_links_into_each_target(void: Graph, store: Store, target: str) -> None:
    a, b = SPACES[target]
    rows = store.select(LINK_COUNT, {"a": Literal(a), "b": Literal(b)})
    expected = {r["p"]: int(r["n"]) for r in rows if "p" in r}
    found = {
        p: value(void, ls, VOID.triples) for (t, p), ls in linksets(void).items() if t == target
    }
    assert found == expected
    if found:
        node = URIRef(f"{DOC}#{target}")
        assert str(void.value(node, VOID.uriSpace)) == a


def test_wikidata_and_geonames_linksets_exist(void: Graph) -> None:
    targets = {t for t, _p in linksets(void)}
    assert {"wikidata", "geonames"} <= targets
    assert (("wikidata", OWL.sameAs)) in linksets(void)


def test_geonorge_links_give_a_geonorge_linkset() -> None:
    """The data has no Geonorge link yet; a graph with one gets the linkset."""
    ds = Dataset()
    g = ds.graph(URIRef(BASE + "graph/data-places"))
    place = URIRef(BASE + "id/sted/hamar")
    geonorge = URIRef("https://data.geonorge.no/administrativeEnheter/kommune/id/172779")
    g.add((place, RDF.type, URIRef(BASE + "def/Place")))
    g.add((place, SKOS.exactMatch, geonorge))
    g.add((place, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q3738335")))
    pub = make_publication(ds, Settings(source_dir=PROJECT_ROOT))
    found = linksets(pub.void)
    assert set(found) == {("geonorge", SKOS.exactMatch), ("wikidata", OWL.sameAs)}
    assert value(pub.void, found[("geonorge", SKOS.exactMatch)], VOID.triples) == 1
    assert value(pub.void, DATASET, VOID.triples) == 3
    assert value(pub.void, DATASET, VOID.entities) == 1


def test_parts_are_subsets_with_their_triples(void: Graph, store: Store) -> None:
    for part, prefix in (("ontology", "ontology-"), ("shapes", "shapes-")):
        node = URIRef(f"{BASE}catalog#{part}")
        assert (DATASET, VOID.subset, node) in void
        expected = count(
            store,
            "SELECT (COUNT(*) AS ?n) ?g0 WHERE { SELECT DISTINCT ?s ?p ?o ?g0 WHERE { "
            "GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), STR(?g0))) } } GROUP BY ?g0",
            g0=Literal(f"{BASE}graph/{prefix}"),
        )
        assert value(void, node, VOID.triples) == expected


def test_endpoint_dumps_space_and_vocabularies(void: Graph, published: Publication) -> None:
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    dumps = set(void.objects(DATASET, VOID.dataDump))
    complete = {URIRef(BASE + "download/" + f.name) for f in published.files if f.part == "all"}
    assert dumps == complete
    assert URIRef(f"{BASE}download/hamar-graph-{__version__}.ttl.gz") in dumps
    vocabularies = set(void.objects(DATASET, VOID.vocabulary))
    for ns in (BASE + "def/", str(SKOS), str(DCTERMS), str(OWL), "http://www.w3.org/ns/shacl#"):
        assert URIRef(ns) in vocabularies, ns
    assert (DOC, RDF.type, VOID.DatasetDescription) in void
    assert void.value(DOC, URIRef("http://xmlns.com/foaf/0.1/primaryTopic")) == DATASET


def test_catalogue_links_to_void(published: Publication) -> None:
    catalog = published.catalogs["dcat-ap"]
    assert (DATASET, DCTERMS.isReferencedBy, DOC) in catalog


@pytest.fixture(scope="module")
def pub_app(published: Publication, store: Store) -> Flask:
    assert published.directory is not None
    return create_app({"out_dir": published.directory}, store=store)


@pytest.mark.parametrize(
    ("accept", "mimetype", "location"),
    [
        ("text/turtle", "text/turtle", "/.well-known/void.ttl"),
        ("application/ld+json", "application/ld+json", "/.well-known/void.jsonld"),
        ("application/rdf+xml", "application/rdf+xml", "/.well-known/void.rdf"),
    ],
)
def test_well_known_void_negotiates(
    pub_app: Flask, void: Graph, accept: str, mimetype: str, location: str
) -> None:
    client = pub_app.test_client()
    response = client.get("/.well-known/void", headers={"Accept": accept}, base_url=BASE)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Location"] == location
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        served = Graph().parse(data=response.data, format=fmt[mimetype])
    assert isomorphic(served, void)
    document = client.get(location, base_url=BASE)
    assert document.status_code == 200 and document.data == response.data


def test_well_known_void_html_shows_the_figures(pub_app: Flask, void: Graph) -> None:
    response = pub_app.test_client().get("/.well-known/void", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f">{value(void, DATASET, VOID.triples)}<" in html
    assert "/download/hamar-graph-" in html
