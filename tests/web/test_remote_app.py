"""Issue 7: the whole publication served from a real Oxigraph server equals the embedded one.

The graph is loaded into an Oxigraph server (the ``oxigraph`` PyPI package) that
the test starts; one app serves it with ``store=remote``, another from the
embedded store. Pages, RDF documents, catalogue, VoID, dumps and /sparql answers
must be the same bytes (or the same triples, for RDF whose serialisation may
legitimately differ). Then the engine stops: requests get 503 with a message
within the deadline; it starts again: the same app answers again, no restart.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset
from rdflib.compare import isomorphic

from hamar_graph.store.base import Store
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_load import load_dataset
from tests.support.oxigraph_server import OxigraphServer
from tests.support.sparql import parse_rdf, pool_app

pytestmark = pytest.mark.server

DEADLINE = 3.0

#: Pages and documents that must be byte-identical in both modes.
PATHS = [
    "/",
    "/?lang=en",
    "/id/",
    "/id/akse/",
    "/id/akse/vennskapsbysamarbeid",
    "/id/vennskapsby/lund",
    "/id/vennskapsby/lund?lang=en",
    "/id/tiltak/internasjonal-uke",
    "/id/handlingsmal/oppfylle-fns-tusenarsmal",
    "/id/organisasjon/ore",
    "/id/handlingsmal/?side=1",
    "/sok?q=vennskapsbyer",
    "/fullstendighet",
    "/def/hamar",
    "/def/TwinCity",
]
RDF_PATHS = {
    "/id/vennskapsby/lund.ttl": "turtle",
    "/id/akse/vennskapsbysamarbeid.jsonld": "json-ld",
    "/id/tiltak/internasjonal-uke.rdf": "xml",
    "/catalog.ttl": "turtle",
    "/.well-known/void.ttl": "turtle",
}
QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 500",
    "PREFIX hms: <https://data.hamar.kommune.no/def/> "
    "SELECT ?axis (COUNT(?g) AS ?n) WHERE { ?g hms:axis ?axis } GROUP BY ?axis ORDER BY ?axis",
    "ASK { ?m <https://data.hamar.kommune.no/def/cost> ?c }",
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-app")).start()
    load_dataset(RemoteStore(server.query_url, timeout=30), dataset)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote_app(engine: OxigraphServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    store = RemoteStore(engine.query_url, timeout=DEADLINE)
    with pool_app(store, tmp_path_factory.mktemp("remote"), query_timeout=DEADLINE) as app:
        yield app


@pytest.fixture(scope="module")
def embedded_app(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with pool_app(store, tmp_path_factory.mktemp("embedded"), query_timeout=DEADLINE) as app:
        yield app


def _get(app: Flask, path: str, **headers: str) -> tuple[int, bytes, str]:
    client: FlaskClient
    with app.test_client() as client:
        response = client.get(path, headers=headers)
        return response.status_code, response.get_data(), response.content_type


@pytest.mark.parametrize("path", PATHS)
def test_pages_are_identical(remote_app: Flask, embedded_app: Flask, path: str) -> None:
    remote = _get(remote_app, path, Accept="text/html")
    embedded = _get(embedded_app, path, Accept="text/html")
    assert embedded[0] == 200, path
    assert remote == embedded


@pytest.mark.parametrize("path", sorted(RDF_PATHS))
def test_rdf_documents_have_the_same_triples(
    remote_app: Flask, embedded_app: Flask, path: str
) -> None:
    fmt = RDF_PATHS[path]
    status_r, body_r, _ = _get(remote_app, path)
    status_e, body_e, _ = _get(embedded_app, path)
    assert status_r == status_e == 200
    remote, embedded = parse_rdf(body_r, fmt), parse_rdf(body_e, fmt)
    assert len(embedded) > 0
    assert isomorphic(remote, embedded)


def test_dumps_are_identical(remote_app: Flask, embedded_app: Flask) -> None:
    status, listing, _ = _get(embedded_app, "/download/", Accept="text/html")
    assert status == 200
    names = sorted(
        {
            part.split('"')[0]
            for part in listing.decode().split('href="/download/')[1:]
            if part.split('"')[0]
        }
    )
    assert any(n.endswith(".ttl") for n in names) and any(n.endswith(".nt.gz") for n in names)
    for name in names:
        assert _get(remote_app, f"/download/{name}") == _get(embedded_app, f"/download/{name}")


@pytest.mark.parametrize("query", QUERIES)
def test_sparql_answers_are_identical(remote_app: Flask, embedded_app: Flask, query: str) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    with remote_app.test_client() as r, embedded_app.test_client() as e:
        remote = r.post("/sparql", data={"query": query}, headers=accept)
        embedded = e.post("/sparql", data={"query": query}, headers=accept)
    assert remote.status_code == embedded.status_code == 200
    assert json.loads(remote.data) == json.loads(embedded.data)


def test_stopped_engine_gives_503_then_the_same_app_recovers(
    tmp_path: Path, dataset: Dataset
) -> None:
    server = OxigraphServer(tmp_path / "db").start()
    try:
        load_dataset(RemoteStore(server.query_url, timeout=30), dataset)
        store = RemoteStore(server.query_url, timeout=DEADLINE)
        with (
            pool_app(store, tmp_path / "out", query_timeout=DEADLINE) as app,
            app.test_client() as client,
        ):
            assert client.get("/id/vennskapsby/lund").status_code == 200
            server.stop()
            for path in ("/id/vennskapsby/lund", "/sparql?query=ASK%7B%7D"):
                started = time.monotonic()
                response = client.get(path, headers={"Accept": "text/html"})
                assert response.status_code in (503, 504), path
                assert time.monotonic() - started < DEADLINE + 1, path
                text = response.get_data(as_text=True)
                assert "Traceback" not in text and len(text) > 0
            server.start()
            assert client.get("/id/vennskapsby/lund").status_code == 200
            ask = client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/json"})
            assert ask.status_code == 200 and json.loads(ask.data)["boolean"] is True
    finally:
        server.stop()
