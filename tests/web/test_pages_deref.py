"""Every IRI we mint dereferences (issue 13, item 9): each IRI under the base IRI in the
published dumps (things, terms, the ontology and its versions, named graphs and their
versions, shapes, skolem IRIs) answers 200 with a page for people and RDF for machines,
after the one Cool-URIs pattern; a 404 is only for what does not exist."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urldefrag

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from web import state

BASE = "https://data.hamar.kommune.no/"


@cache
def minted(app: Flask) -> tuple[str, ...]:
    """Every IRI under the base in the published N-Quads dump (graph names included)."""
    pub = state.publication(app)
    name = next(f.name for f in pub.files if f.name.endswith(".nq"))
    found: set[str] = set()
    for quad in ox.parse(pub.read(name), format=ox.RdfFormat.N_QUADS):
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(BASE):
                found.add(urldefrag(term.value)[0])
    return tuple(sorted(found))


def test_the_dumps_mint_every_kind_of_iri(app: Flask) -> None:
    roots = {iri[len(BASE) :].split("/", 1)[0] for iri in minted(app)}
    assert {"id", "def", "graph", "shapes", ".well-known"} <= roots
    assert BASE + "def/hamar/0.2.0" in minted(app)
    assert BASE + "shapes/S01" in minted(app)
    assert any("/.well-known/genid/" in iri for iri in minted(app))
    # every resource, term, graph and shape; the shapes keep their blank nodes (SHACL
    # needs them), so only the data's own blank nodes (identifiers) are skolem IRIs
    assert len(minted(app)) > 350


def test_every_minted_iri_has_a_page(client: FlaskClient, app: Flask) -> None:
    failures = []
    for iri in minted(app):
        path = "/" + iri[len(BASE) :]
        response = client.get(path, headers={"Accept": "text/html"})
        if response.status_code != 200 or response.mimetype != "text/html":
            failures.append((path, response.status_code, response.mimetype))
        response.close()
    assert failures == []


def test_every_minted_iri_has_rdf_with_content_location(client: FlaskClient, app: Flask) -> None:
    failures = []
    for iri in minted(app):
        path = "/" + iri[len(BASE) :]
        response = client.get(path, headers={"Accept": "text/turtle"})
        if (
            response.status_code != 200
            or response.mimetype != "text/turtle"
            or response.headers.get("Content-Location") != path + ".ttl"
        ):
            failures.append((path, response.status_code, response.headers.get("Content-Location")))
        else:
            graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
            if len(graph) == 0:
                failures.append((path, "empty", None))
        response.close()
    assert failures == []


def test_a_named_graph_answers_with_its_statements(client: FlaskClient) -> None:
    response = client.get("/graph/data-actionplan", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["Content-Location"] == "/graph/data-actionplan.nt"
    graph = Graph().parse(data=response.get_data(as_text=True), format="nt")
    plan = URIRef(BASE + "id/dokument/handlingsplan-2015-2019")
    assert len(list(graph.objects(plan, URIRef(BASE + "def/hasGoal")))) == 17
    page = client.get("/graph/data-actionplan").get_data(as_text=True)
    assert "Handlingsplan for internasjonalt arbeid 2015 – 2019: mål og tiltak" in page
    derived = client.get("/graph/derived", headers={"Accept": "text/html"})
    assert derived.status_code == 200 and "Avledede opplysninger" in derived.get_data(as_text=True)


def test_the_ontology_version_iri_is_the_ontology(client: FlaskClient) -> None:
    versioned = client.get("/def/hamar/0.2.0", headers={"Accept": "text/turtle"})
    current = client.get("/def/hamar", headers={"Accept": "text/turtle"})
    assert versioned.status_code == 200 and versioned.data == current.data
    assert versioned.headers["Content-Location"] == "/def/hamar/0.2.0.ttl"
    prior = client.get("/def/hamar/0.1.0", headers={"Accept": "text/html"})
    assert prior.status_code == 200 and "versjon 0.1.0" in prior.get_data(as_text=True)


def test_a_shape_and_a_skolem_iri(client: FlaskClient, app: Flask) -> None:
    shape = client.get("/shapes/S01", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=shape.get_data(as_text=True), format="turtle")
    assert (URIRef(BASE + "shapes/S01"), None, None) in graph
    genid = next(i for i in minted(app) if "/.well-known/genid/" in i)
    page = client.get("/" + genid[len(BASE) :]).get_data(as_text=True)
    # a node without a name of its own (a registered number) says what it belongs to
    assert "registrert nummer" in page
    referrers = page[
        page.index("Andre sider som viser hit") : page.index(
            "<h2", page.index("Andre sider som viser hit")
        )
    ]
    assert re.search(r'href="/id/[a-z]+/[^"]+"', referrers)


@pytest.mark.parametrize(
    "path",
    [
        "/shapes/S999",
        "/graph/finnes-ikke",
        "/.well-known/genid/0000",
        "/def/hamar/9.9.9",
        "/id/tiltak/finnes-ikke",
        "/id/tiltak/finnes-ikke.csv",
        "/id/tiltak/internasjonal-uke.csv",
    ],
)
def test_404_only_for_what_does_not_exist(client: FlaskClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Fant ikke siden" in page.get_data(as_text=True)
    if not path.endswith(".csv"):
        rdf = client.get(path, headers={"Accept": "text/turtle"})
        assert rdf.status_code == 404 and rdf.mimetype == "text/plain"
