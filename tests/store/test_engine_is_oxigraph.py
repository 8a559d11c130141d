"""Issue 7: the default engine is Oxigraph, and queries really run in it.

oxrdflib can fall back to rdflib's engine without saying so; we use pyoxigraph
directly, and these tests would fail if any layer answered with rdflib instead:
they use behaviour only Oxigraph has (its parser's messages and SPARQL 1.2 triple
terms, which rdflib 7 cannot parse).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from rdflib import Dataset
from rdflib.plugins.sparql import prepareQuery

from hamar_graph.build.open import open_store
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.store.base import Store
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.oxigraph import OxigraphStore
from tests.support.sparql import pool_app

#: Valid for Oxigraph (SPARQL 1.2 triple terms), a syntax error for rdflib 7.
ONLY_OXIGRAPH = "SELECT ?t WHERE { BIND(isTRIPLE(<<( <http://a> <http://b> <http://c> )>>) AS ?t) }"
#: The same with a triple term in the result: only the endpoint can return it, as
#: rdflib has no term for it.
TRIPLE_RESULT = "SELECT ?t WHERE { BIND(<<( <http://a> <http://b> <http://c> )>> AS ?t) }"


def test_rdflib_cannot_run_the_probe_query() -> None:
    with pytest.raises(Exception):  # noqa: B017 - any parse error proves the point
        prepareQuery(ONLY_OXIGRAPH)


def test_default_settings_open_oxigraph(tmp_path: Path) -> None:
    settings = Settings(source_dir=PROJECT_ROOT, out_dir=tmp_path)
    assert settings.store == "oxigraph"
    store = open_store(settings)
    assert isinstance(store, OxigraphStore)
    rows = store.select(ONLY_OXIGRAPH)
    assert [row["t"].toPython() for row in rows] == [True], "Oxigraph answers it"


def test_memory_store_is_rdflib_and_cannot(dataset: Dataset) -> None:
    memory = MemoryStore()
    memory.load(dataset)
    with pytest.raises(Exception):  # noqa: B017 - rdflib's parser refuses it
        memory.select(ONLY_OXIGRAPH)


def test_syntax_errors_carry_oxigraph_positions(store: Store) -> None:
    with pytest.raises(SyntaxError, match=r"error at 1:\d+"):
        store.select("SELECT ?x WHERE { ?x ?y }")


@pytest.fixture()
def served(store: Store, tmp_path: Path) -> Iterator[Flask]:
    with pool_app(store, tmp_path) as app:
        yield app


def test_sparql_endpoint_answers_from_oxigraph(served: Flask) -> None:
    with served.test_client() as client:
        response = client.get(
            "/sparql",
            query_string={"query": TRIPLE_RESULT},
            headers={"Accept": "application/sparql-results+json"},
        )
    assert response.status_code == 200, response.data
    binding = json.loads(response.data)["results"]["bindings"][0]["t"]
    assert binding["type"] == "triple"
    assert binding["value"]["subject"] == {"type": "uri", "value": "http://a"}
    with served.test_client() as client:
        bad = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert bad.status_code == 400
    assert b"error at 1:" in bad.data, "the message comes from Oxigraph's parser"
