"""/sparql over a remote engine (a real Oxigraph server): checked queries are forwarded
from the query workers, answers match the embedded store, the guards and the row cap
still hold, and a stopped engine gives 503 until it is back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from rdflib import Dataset

from hamar_graph.store.base import Store
from hamar_graph.store.remote import RemoteStore
from tests.support.oxigraph_server import OxigraphServer
from tests.support.sparql import Listener, parse_rdf, pool_app

pytestmark = pytest.mark.server

SELECT = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?city ?name WHERE { ?city a hms:TwinCity ; skos:prefLabel ?name "
    'FILTER(lang(?name) = "nb") } ORDER BY ?name'
)
CONSTRUCT = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/> "
    "CONSTRUCT { ?c hms:country ?l } WHERE { ?c a hms:TwinCity ; hms:country ?l }"
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-sparql")).start()
    RemoteStore(server.query_url).load(dataset)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote_app(engine: OxigraphServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    store = RemoteStore(engine.query_url, timeout=10)
    with pool_app(store, tmp_path_factory.mktemp("remote-app"), max_rows=5) as app:
        yield app


def test_remote_store_is_forwarded_not_copied(engine: OxigraphServer) -> None:
    source = RemoteStore(engine.query_url).engine_source()
    assert source.endpoint == engine.query_url and source.needs_network


def test_answers_match_the_embedded_store(remote_app: Flask, store: Store) -> None:
    with remote_app.test_client() as client:
        r = client.get("/sparql", query_string={"query": SELECT})
        assert r.status_code == 200
        names = [b["name"]["value"] for b in json.loads(r.data)["results"]["bindings"]]
        assert names == [str(row["name"]) for row in store.select(SELECT)][:5]
        assert r.headers["X-Hamar-Truncated"] == "true"  # the row cap holds
        r = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        r = client.get(
            "/sparql",
            query_string={"query": CONSTRUCT + " LIMIT 5"},
            headers={"Accept": "text/turtle"},
        )
        assert set(parse_rdf(r.data, "turtle")) <= set(store.construct(CONSTRUCT))
        ask = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
        assert json.loads(ask.data)["boolean"] is True


def test_guards_hold_before_forwarding(remote_app: Flask) -> None:
    with Listener() as listener, remote_app.test_client() as client:
        r = client.get(
            "/sparql",
            query_string={"query": f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"},
        )
        assert r.status_code == 403
        r = client.post("/sparql", data={"query": "DROP ALL"})
        assert r.status_code == 403
        r = client.get("/sparql", query_string={"query": "SELECT * {"})
        assert r.status_code == 400
        assert listener.connections == 0
    with remote_app.test_client() as client:
        r = client.get("/sparql", query_string={"query": SELECT})
        assert len(json.loads(r.data)["results"]["bindings"]) == 5  # DROP ALL did nothing


def test_stopped_engine_gives_503_then_recovers(tmp_path: Path, dataset: Dataset) -> None:
    server = OxigraphServer(tmp_path / "db").start()
    try:
        RemoteStore(server.query_url).load(dataset)
        with (
            pool_app(RemoteStore(server.query_url), tmp_path / "app") as app,
            app.test_client() as client,
        ):
            assert client.get("/sparql", query_string={"query": SELECT}).status_code == 200
            server.stop()
            r = client.get("/sparql", query_string={"query": SELECT})
            assert r.status_code == 503
            assert "cannot be reached" in r.data.decode()
            assert "Retry-After" in r.headers
            server.start()
            assert client.get("/sparql", query_string={"query": SELECT}).status_code == 200
    finally:
        server.stop()
