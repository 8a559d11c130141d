"""Every IRI dereferences: content negotiation, documents, headers (issue 5, part 1)."""

from __future__ import annotations

import warnings

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from hamar_graph.pages.entity import describe_graph
from hamar_graph.rdf.formats import RDF_FORMATS
from hamar_graph.store.base import Store
from web import conneg

BASE = "https://data.hamar.kommune.no/"
LUND = "/id/vennskapsby/lund"


def _accept(value: str) -> MIMEAccept:
    return parse_accept_header(value, MIMEAccept)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("*/*", "html"),
        ("", "html"),
        ("text/turtle", "ttl"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("text/turtle;q=0.5, application/ld+json", "jsonld"),
        ("application/json", "jsonld"),
    ],
)
def test_choose(accept: str, expected: str) -> None:
    assert conneg.choose(_accept(accept)) == expected


def test_format_parameter_wins_and_unknown_is_refused() -> None:
    assert conneg.choose(_accept("text/html"), "ttl") == "ttl"
    assert conneg.choose(_accept("text/turtle"), "html") == "html"
    assert conneg.choose(_accept("*/*"), "application/rdf+xml") == "rdf"
    with pytest.raises(conneg.UnknownFormat):
        conneg.choose(_accept("*/*"), "pdf")
    with pytest.raises(conneg.NotAcceptable):
        conneg.choose(_accept("image/png"))


def _parse(body: bytes, key: str) -> Graph:
    with warnings.catch_warnings():
        # rdflib's JSON-LD parser calls its own deprecated ConjunctiveGraph internally.
        warnings.simplefilter("ignore", DeprecationWarning)
        return Graph().parse(data=body, format=RDF_FORMATS[key].rdflib_format, publicID=BASE)


@pytest.mark.parametrize("key", sorted(RDF_FORMATS))
def test_resource_answers_every_rdf_format_by_accept(
    client: FlaskClient, store: Store, key: str
) -> None:
    fmt = RDF_FORMATS[key]
    response = client.get(LUND, headers={"Accept": fmt.media_type})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert response.headers["Content-Location"] == f"{LUND}.{fmt.extension}"
    assert {"Accept", "Accept-Language"} <= set(response.vary)
    graph = _parse(response.data, key)
    expected = describe_graph(store, BASE + LUND[1:])
    assert isomorphic(graph, expected)
    assert (URIRef(BASE + LUND[1:]), None, None) in graph
    # incoming links are part of the description
    assert (URIRef(BASE + "id/organisasjon/hamar-kommune"), None, URIRef(BASE + LUND[1:])) in graph


@pytest.mark.parametrize("key", sorted(RDF_FORMATS))
def test_suffix_documents_and_format_parameter(client: FlaskClient, key: str) -> None:
    fmt = RDF_FORMATS[key]
    by_suffix = client.get(f"{LUND}.{fmt.extension}")
    by_param = client.get(f"{LUND}?format={key}", headers={"Accept": "text/html"})
    by_accept = client.get(LUND, headers={"Accept": fmt.media_type})
    for response in (by_suffix, by_param, by_accept):
        assert response.status_code == 200 and response.mimetype == fmt.media_type
    assert by_suffix.data == by_param.data == by_accept.data
    assert by_suffix.headers["Content-Location"] == f"{LUND}.{fmt.extension}"


def test_html_is_the_default_with_headers(client: FlaskClient) -> None:
    response = client.get(LUND, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Location"] == f"{LUND}.html"
    assert {"Accept", "Accept-Language"} <= set(response.vary)
    link = response.headers["Link"]
    for fmt in RDF_FORMATS.values():
        assert f'<{LUND}.{fmt.extension}>; rel="alternate"; type="{fmt.media_type}"' in link
    document = client.get(f"{LUND}.html")
    assert document.status_code == 200 and document.mimetype == "text/html"
    assert "<h1>Lund</h1>" in document.get_data(as_text=True)
    assert document.headers["Content-Location"] == f"{LUND}.html"


def test_every_resource_has_rdf_and_html(client: FlaskClient, store: Store) -> None:
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    things = sorted(str(r["s"]) for r in rows if str(r["s"]).startswith(BASE + "id/"))
    assert len(things) > 100
    for iri in things:
        path = "/" + iri[len(BASE) :]
        turtle = client.get(path, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, path
        assert (URIRef(iri), None, None) in _parse(turtle.data, "ttl")
        assert client.get(path).status_code == 200, path


def test_ontology_dereferences_as_turtle_and_html(client: FlaskClient) -> None:
    response = client.get("/def/hamar", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert response.headers["Content-Location"] == "/def/hamar.ttl"
    graph = _parse(response.data, "ttl")
    owl = "http://www.w3.org/2002/07/owl#"
    assert (URIRef(BASE + "def/hamar"), None, URIRef(owl + "Ontology")) in graph
    assert (URIRef(BASE + "def/Measure"), None, URIRef(owl + "Class")) in graph
    term = client.get("/def/Measure", headers={"Accept": "application/n-triples"})
    assert term.status_code == 200
    assert (URIRef(BASE + "def/Measure"), None, None) in _parse(term.data, "nt")
    assert client.get("/def/hamar").mimetype == "text/html"


def test_unknown_iri_is_404_for_rdf_clients(client: FlaskClient) -> None:
    for path in ("/id/vennskapsby/atlantis", "/def/Atlantis", "/id/vennskapsby/atlantis.ttl"):
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 404 and response.mimetype == "text/plain"


def test_bad_format_and_not_acceptable(client: FlaskClient) -> None:
    bad = client.get(f"{LUND}?format=pdf")
    assert bad.status_code == 400 and "ttl (text/turtle)" in bad.get_data(as_text=True)
    refused = client.get(LUND, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and "Accept" in refused.vary
