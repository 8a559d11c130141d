"""Real clients against a live server: SPARQLWrapper over GET and POST in every result
format, and rdflib's SPARQLStore behind a Graph. Results are compared with the store."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from xml.dom.minidom import Document

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from hamar_graph.namespaces import HMS
from hamar_graph.store.base import Store
from tests.support.sparql import LiveServer, parse_rdf, pool_app

ID = "https://data.hamar.kommune.no/id/"
SELECT = """
PREFIX hms: <https://data.hamar.kommune.no/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?city ?name WHERE {
  ?city a hms:TwinCity ; skos:prefLabel ?name FILTER(lang(?name) = "nb")
} ORDER BY ?name
"""
ASK = "ASK { <https://data.hamar.kommune.no/id/vennskapsby/lund> ?p ?o }"
CONSTRUCT = """
PREFIX hms: <https://data.hamar.kommune.no/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
CONSTRUCT { ?city skos:prefLabel ?name ; hms:country ?country ; geo:lat ?lat }
WHERE { ?city a hms:TwinCity ; skos:prefLabel ?name ; hms:country ?country ; geo:lat ?lat }
"""


@pytest.fixture(scope="module")
def live(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with (
        pool_app(store, tmp_path_factory.mktemp("clients"), query_timeout=20) as app,
        LiveServer(app) as server,
    ):
        yield server


@pytest.fixture(scope="module")
def expected_rows(store: Store) -> list[tuple[str, str]]:
    return [(str(r["city"]), str(r["name"])) for r in store.select(SELECT)]


def wrapper(live: LiveServer, query: str, method: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{live.url}/sparql")
    sparql.setQuery(query)
    sparql.setMethod(method)
    sparql.setReturnFormat(fmt)
    sparql.setTimeout(60)
    return sparql


METHODS = [GET, POST]


@pytest.mark.parametrize("method", METHODS)
def test_select_json(live: LiveServer, method: str, expected_rows: list[tuple[str, str]]) -> None:
    result = wrapper(live, SELECT, method, JSON).queryAndConvert()
    rows = [(b["city"]["value"], b["name"]["value"]) for b in result["results"]["bindings"]]  # type: ignore[index]
    assert rows == expected_rows
    assert len(rows) == 8


@pytest.mark.parametrize("method", METHODS)
def test_select_xml(live: LiveServer, method: str, expected_rows: list[tuple[str, str]]) -> None:
    doc = wrapper(live, SELECT, method, XML).queryAndConvert()
    assert isinstance(doc, Document)
    rows = []
    for result in doc.getElementsByTagName("result"):
        values = {}
        for binding in result.getElementsByTagName("binding"):
            node = binding.firstChild
            while node is not None and node.nodeType != node.ELEMENT_NODE:
                node = node.nextSibling
            assert node is not None
            values[binding.getAttribute("name")] = node.firstChild.data  # type: ignore[union-attr]
        rows.append((values["city"], values["name"]))
    assert rows == expected_rows


@pytest.mark.parametrize("method", METHODS)
def test_select_csv(live: LiveServer, method: str, expected_rows: list[tuple[str, str]]) -> None:
    data = wrapper(live, SELECT, method, CSV).queryAndConvert()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))  # type: ignore[union-attr]
    assert rows[0] == ["city", "name"]
    assert [tuple(r) for r in rows[1:]] == expected_rows


@pytest.mark.parametrize("method", METHODS)
def test_select_tsv(live: LiveServer, method: str, expected_rows: list[tuple[str, str]]) -> None:
    data = wrapper(live, SELECT, method, TSV).queryAndConvert()
    lines = data.decode("utf-8").splitlines()  # type: ignore[union-attr]
    assert lines[0] == "?city\t?name"
    assert lines[1:] == [f'<{city}>\t"{name}"@nb' for city, name in expected_rows]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask(live: LiveServer, method: str, fmt: str) -> None:
    result = wrapper(live, ASK, method, fmt).queryAndConvert()
    if fmt == JSON:
        assert result["boolean"] is True  # type: ignore[index]
    elif fmt == XML:
        assert isinstance(result, Document)
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]
    else:
        assert result.decode().strip() == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("fmt", "media_type", "parser"),
    [
        (TURTLE, "text/turtle", "turtle"),
        (N3, "application/n-triples", "nt"),
        (JSONLD, "application/ld+json", "json-ld"),
        (RDFXML, "application/rdf+xml", "xml"),
    ],
)
def test_construct(
    live: LiveServer, store: Store, method: str, fmt: str, media_type: str, parser: str
) -> None:
    sparql = wrapper(live, CONSTRUCT, method, fmt)
    if fmt == N3:
        # SPARQLWrapper has no N-Triples format of its own: ask for it by media type.
        sparql.setOnlyConneg(True)
        sparql.addCustomHttpHeader("Accept", media_type)
    response = sparql.query()
    assert response.response.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    body = response.response.read()
    got = parse_rdf(body, parser)
    expected = store.construct(CONSTRUCT)
    assert len(expected) == 32  # 8 cities: labels in nb and en, country, latitude
    assert set(got) == set(expected)


@pytest.mark.parametrize("method", METHODS)
def test_construct_converted_by_sparqlwrapper(live: LiveServer, store: Store, method: str) -> None:
    graph = wrapper(live, CONSTRUCT, method, RDFXML).queryAndConvert()
    assert isinstance(graph, Graph)
    assert set(graph) == set(store.construct(CONSTRUCT))


def test_dataset_parameters_through_sparqlwrapper(live: LiveServer) -> None:
    sparql = wrapper(live, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", GET, JSON)
    sparql.addDefaultGraph("https://data.hamar.kommune.no/graph/data-places")
    places = int(sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]
    sparql = wrapper(live, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", GET, JSON)
    everything = int(sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]
    assert 0 < places < everything


def test_rdflib_sparqlstore(live: LiveServer, store: Store) -> None:
    remote = Graph(store=SPARQLStore(f"{live.url}/sparql", returnFormat="json"))
    lund = URIRef(ID + "vennskapsby/lund")
    assert (lund, HMS.country, URIRef(ID + "land/sverige")) in remote
    labels = set(remote.objects(lund, SKOS.prefLabel))
    assert Literal("Lund", lang="nb") in labels
    rows = list(remote.query(SELECT))
    assert [(str(r[0]), str(r[1])) for r in rows] == [  # type: ignore[index]
        (str(r["city"]), str(r["name"])) for r in store.select(SELECT)
    ]
    assert remote.query(ASK).askAnswer is True
    built = remote.query(CONSTRUCT).graph
    assert built is not None and set(built) == set(store.construct(CONSTRUCT))


def test_sparqlstore_is_read_only(live: LiveServer) -> None:
    remote = Graph(store=SPARQLStore(f"{live.url}/sparql"))
    with pytest.raises(TypeError):
        remote.add((URIRef("http://a/"), URIRef("http://a/"), URIRef("http://a/")))
