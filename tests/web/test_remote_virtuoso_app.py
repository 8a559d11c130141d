"""Issue 15: the whole site served from OpenLink Virtuoso equals the embedded one.

Mirrors tests/test_remote_app.py (the Oxigraph server) with Debian's virtuoso-opensource 7.2:
a throw-away Virtuoso on free loopback ports is loaded the app's way (its bulk loader, only
our graphs readable by the SPARQL user, the data version; hamar_graph/store/remote_virtuoso.py),
one app serves it with ``store=remote``, another the embedded store.

- pages are the same bytes; RDF documents the same triples (isomorphic graphs); dumps
  the same bytes;
- the 15 example queries through ``/sparql`` give the same answers, compared as parsed
  result sets (multisets of rows of RDF terms), not bytes: the engines legitimately write
  JSON differently and break ``ORDER BY`` ties differently (Virtuoso puts ``"Lund"@nb``
  before ``"Lund"@en``). One difference is Virtuoso's own and is compared for what it
  means: example 01's ``GROUP_CONCAT`` joins the labels in another order and drops their
  common language tag (SPARQL leaves both open), so its parts are compared as a set;
- ``/sparql`` keeps its guards, its deadline and its row cap: Virtuoso's own
  ``ResultSetMaxRows`` never passes a cut answer off as a whole one;
- the engine stops: 503 within the deadline; it starts again: the same app answers.

Skipped, with the reason, when Virtuoso is not installed (``bash scripts/install-virtuoso.sh``;
CI installs it).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Literal
from rdflib.compare import isomorphic

from hamar_graph.query.examples import load_examples
from hamar_graph.store.base import Store, StoreError
from hamar_graph.store.remote import RemoteEngine, RemoteStore
from hamar_graph.store.remote_query import query_form
from tests.support.remote import virtuoso_loaded
from tests.support.sparql import parse_rdf, pool_app
from tests.support.virtuoso_server import VirtuosoServer, virtuoso_missing, wait_refused
from tests.web.test_remote_app import PATHS, RDF_PATHS

MISSING = virtuoso_missing()

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(MISSING is not None, reason=MISSING or ""),
]

DEADLINE = 5.0
EXAMPLES = load_examples()
JSON_RESULTS = "application/sparql-results+json"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, dataset: Dataset) -> Iterator[VirtuosoServer]:
    with virtuoso_loaded(tmp_path_factory.mktemp("virtuoso-app"), dataset) as server:
        yield server


@pytest.fixture(scope="module")
def remote_app(engine: VirtuosoServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
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


# --- pages, documents, dumps -----------------------------------------------------------------


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


def test_the_bounding_box_comes_back_as_written(remote_app: Flask, embedded_app: Flask) -> None:
    """Virtuoso cannot store a CRS84 ``geo:wktLiteral`` as it is; the loader keeps it under a
    stand-in datatype and the app reads it back unchanged."""
    path = "/id/sted/hamar-kommune.ttl"
    remote = parse_rdf(_get(remote_app, path)[1], "turtle")
    embedded = parse_rdf(_get(embedded_app, path)[1], "turtle")
    wkt = [o for o in embedded.objects() if isinstance(o, Literal) and "POLYGON" in str(o)]
    assert len(wkt) == 1 and str(wkt[0].datatype).endswith("geosparql#wktLiteral")
    assert set(remote) == set(embedded)


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


def test_validators_agree_with_the_embedded_store(remote_app: Flask, embedded_app: Flask) -> None:
    """The data version ``load`` wrote is the embedded store's digest: the same ETags."""
    with remote_app.test_client() as r, embedded_app.test_client() as e:
        remote = r.get("/id/vennskapsby/lund", headers={"Accept": "text/html"})
        embedded = e.get("/id/vennskapsby/lund", headers={"Accept": "text/html"})
    assert remote.headers["ETag"] == embedded.headers["ETag"]


# --- the 15 examples through /sparql ---------------------------------------------------------


def _cell(cell: dict[str, str]) -> tuple[str, ...]:
    """A JSON result cell as a comparable term (a literal's datatype is explicit for every
    engine's JSON writer: ``xsd:string`` is the simple literal)."""
    if cell["type"] in ("literal", "typed-literal"):
        datatype = cell.get("datatype", "")
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            datatype = ""
        return ("literal", cell["value"], cell.get("xml:lang", ""), datatype)
    return (cell["type"], cell["value"])


def _concat_parts(cell: tuple[str, ...]) -> tuple[str, ...]:
    """A GROUP_CONCAT cell compared for what SPARQL fixes: its parts, as a set, no tag."""
    return ("concat", *sorted(cell[1].split(" | ")))


def _answer(app: Flask, query: str, form: str) -> Any:
    accept = JSON_RESULTS if form in ("SELECT", "ASK") else "application/n-triples"
    with app.test_client() as client:
        response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    if form == "ASK":
        return json.loads(response.data)["boolean"]
    if form in ("CONSTRUCT", "DESCRIBE"):
        return parse_rdf(response.data, "nt")
    doc = json.loads(response.data)
    concatenated = {"goalLabels"} if "GROUP_CONCAT" in query else set()
    rows = Counter()
    for binding in doc["results"]["bindings"]:
        row = {}
        for name, cell in binding.items():
            term = _cell(cell)
            row[name] = _concat_parts(term) if name in concatenated else term
        rows[frozenset(row.items())] += 1
    return rows


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.slug for e in EXAMPLES])
def test_examples_give_the_same_answers(
    remote_app: Flask, embedded_app: Flask, example: Any
) -> None:
    form = query_form(example.query)
    remote = _answer(remote_app, example.query, form)
    embedded = _answer(embedded_app, example.query, form)
    if form in ("CONSTRUCT", "DESCRIBE"):
        assert len(embedded) > 0 and isomorphic(remote, embedded)
    else:
        assert remote == embedded
        assert form == "ASK" or sum(embedded.values()) > 0


def test_booleans_and_strings_come_back_in_their_standard_form(remote_app: Flask) -> None:
    query = (
        "SELECT ?b ?s WHERE { ?f <https://data.hamar.kommune.no/def/isLowerBound> ?b "
        'BIND("x"^^<http://www.w3.org/2001/XMLSchema#string> AS ?s) } LIMIT 1'
    )
    with remote_app.test_client() as client:
        doc = json.loads(client.post("/sparql", data={"query": query}).data)
    row = doc["results"]["bindings"][0]
    assert row["b"]["value"] in ("true", "false")  # Virtuoso writes 1/0
    assert row["s"] == {"type": "literal", "value": "x"}


def test_describe_gives_the_embedded_description(remote_app: Flask, embedded_app: Flask) -> None:
    query = "DESCRIBE <https://data.hamar.kommune.no/id/vennskapsby/lund>"
    remote = _answer(remote_app, query, "DESCRIBE")
    embedded = _answer(embedded_app, query, "DESCRIBE")
    assert len(embedded) > 10 and isomorphic(remote, embedded)


# --- the endpoint's guards and limits hold ---------------------------------------------------


def test_updates_are_refused_before_and_by_the_engine(
    remote_app: Flask, engine: VirtuosoServer, store: Store
) -> None:
    update = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"
    with remote_app.test_client() as client:
        assert client.post("/sparql", data={"query": update}).status_code == 403
        assert client.post("/sparql", data={"update": update}).status_code == 403
    # and Virtuoso's public user has no right to update, whatever reaches it
    engine_client = RemoteEngine(engine.query_url, DEADLINE)
    with pytest.raises((ConnectionError, SyntaxError)):
        engine_client.query(update, form="SELECT")
    assert len(RemoteStore(engine.query_url, timeout=DEADLINE)) == len(store)


def test_virtuosos_row_limit_is_never_passed_off_as_a_whole_answer(
    tmp_path: Path, dataset: Dataset
) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    with virtuoso_loaded(tmp_path / "small", dataset, max_rows=50) as server:
        # the app's own queries: an error, never 50 rows for thousands
        with pytest.raises(StoreError, match="ResultSetMaxRows"):
            RemoteStore(server.query_url, timeout=DEADLINE).select(query)
        # /sparql with a row cap below the engine's limit: cut by the app, and said so
        small_cap = RemoteStore(server.query_url, max_rows=10)
        with pool_app(small_cap, tmp_path / "a", max_rows=10) as app:
            r = app.test_client().get("/sparql", query_string={"query": query})
            assert r.status_code == 200
            assert len(json.loads(r.data)["results"]["bindings"]) == 10
            assert r.headers["X-Hamar-Truncated"] == "true"
        # a row cap above it: the engine's cut would look whole, so the client is told
        with pool_app(
            RemoteStore(server.query_url, max_rows=1000), tmp_path / "b", max_rows=1000
        ) as app:
            r = app.test_client().get("/sparql", query_string={"query": query})
            assert r.status_code == 400
            assert "cut this answer at 50 rows" in r.get_data(as_text=True)
            small = app.test_client().get("/sparql", query_string={"query": query + " LIMIT 20"})
            assert small.status_code == 200
            assert len(json.loads(small.data)["results"]["bindings"]) == 20


def test_a_query_error_is_the_clients_and_keeps_only_virtuosos_first_line(
    remote_app: Flask,
) -> None:
    with remote_app.test_client() as client:
        # a "+" path with neither end given: Virtuoso's 500 "transitive start not given"
        r = client.get(
            "/sparql",
            query_string={
                "query": "SELECT * WHERE { ?a <https://data.hamar.kommune.no/def/hasSection>+ ?b }"
            },
        )
    text = r.get_data(as_text=True)
    assert r.status_code == 400, text[:300]
    assert "Virtuoso" in text and "SPARQL query:" not in text


# --- the engine goes away and comes back -----------------------------------------------------


def test_stopped_engine_gives_503_then_the_same_app_recovers(
    tmp_path: Path, dataset: Dataset
) -> None:
    with virtuoso_loaded(tmp_path / "db", dataset) as server:
        store = RemoteStore(server.query_url, timeout=DEADLINE)
        with (
            pool_app(store, tmp_path / "out", query_timeout=DEADLINE) as app,
            app.test_client() as client,
        ):
            assert client.get("/id/vennskapsby/lund").status_code == 200
            url = server.query_url
            server.stop()
            assert wait_refused(url)
            for path in ("/id/vennskapsby/lund", "/sparql?query=ASK%7B%7D", "/"):
                started = time.monotonic()
                response = client.get(path, headers={"Accept": "text/html"})
                assert response.status_code in (503, 504), path
                assert time.monotonic() - started < DEADLINE + 1, path
                text = response.get_data(as_text=True)
                assert "Traceback" not in text and len(text) > 0
                assert url not in text  # the engine's address stays in the log
            server.start()  # the same database and ports
            assert client.get("/id/vennskapsby/lund").status_code == 200
            ask = client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/json"})
            assert ask.status_code == 200 and json.loads(ask.data)["boolean"] is True
    assert not server.running
