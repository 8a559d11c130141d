"""The remote-store mode against a real Oxigraph server that the tests start and stop."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic

from hamar_graph.store.base import Store, StoreError, StoreUnavailable, union_graph
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_load import load_dataset
from hamar_graph.store.sparql_text import safe_term, with_values
from tests.support.oxigraph_server import OxigraphServer

pytestmark = pytest.mark.server

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def remote(oxigraph: OxigraphServer, dataset: Dataset) -> RemoteStore:
    store = RemoteStore(oxigraph.query_url, timeout=5)
    load_dataset(store, dataset)
    return store


def test_loaded_graph_is_the_embedded_graph(remote: RemoteStore, store: Store) -> None:
    assert isomorphic(union_graph(remote), union_graph(store))
    assert remote.graph_names() == store.graph_names()
    assert len(remote) == len(store)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?l WHERE { ?s a <https://data.hamar.kommune.no/def/TwinCity> ; "
        f"<{SKOS_PREF}> ?l }} ORDER BY ?s ?l",
        "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c",
    ],
)
def test_select_answers_match_embedded(remote: RemoteStore, store: Store, query: str) -> None:
    assert remote.select(query) == store.select(query)
    assert remote.select(query), "the query should have answers on the real data"


def test_bindings_are_values_not_text(remote: RemoteStore, store: Store) -> None:
    query = f"SELECT ?s ?l WHERE {{ ?s <{SKOS_PREF}> ?l }} ORDER BY ?l"
    lund = URIRef("https://data.hamar.kommune.no/id/vennskapsby/lund")
    assert remote.select(query, {"s": lund}) == store.select(query, {"s": lund})
    assert {str(r["l"]) for r in remote.select(query, {"s": lund})} == {"Lund"}
    hostile = Literal('x" } } ; DROP ALL ; SELECT * { ?a ?b "', lang="nb")
    assert remote.select(f"SELECT ?s ?l WHERE {{ ?s <{SKOS_PREF}> ?l }}", {"l": hostile}) == []
    assert len(remote) == len(store), "nothing was dropped"


def test_unsafe_iri_is_refused() -> None:
    with pytest.raises(ValueError, match="not a valid IRI"):
        safe_term(URIRef("http://x/> } DROP ALL { <http://y"))
    with pytest.raises(ValueError, match="variable name"):
        with_values("SELECT * {}", {"x) } DROP ALL": Literal(1)})


def test_construct_and_ask(remote: RemoteStore, store: Store) -> None:
    query = (
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . ?s a <https://data.hamar.kommune.no/def/Axis> }"
    )
    graph = remote.construct(query)
    assert len(graph) > 0
    assert isomorphic(graph, store.construct(query))
    assert remote.ask("ASK { ?s a <https://data.hamar.kommune.no/def/Measure> }")


def test_malformed_query_is_a_syntax_error(remote: RemoteStore) -> None:
    with pytest.raises(SyntaxError):
        remote.select("SELEC ?x WHERE {")


def _dataset(triples: dict[str, list[tuple[str, str]]]) -> Dataset:
    ds = Dataset()
    for graph, pairs in triples.items():
        g = ds.graph(URIRef(graph))
        for s, o in pairs:
            g.add((URIRef(s), URIRef("http://example.org/p"), Literal(o)))
    return ds


def _all(store: RemoteStore) -> set[tuple[str, str, str]]:
    rows = store.select("SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {(str(r["g"]), str(r["s"]), str(r["o"])) for r in rows}


def test_load_replaces_graphs_and_leaves_no_temporary_graph(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "db").start()
    try:
        store = RemoteStore(server.query_url, timeout=5)
        load_dataset(store, _dataset({"http://example.org/g": [("http://example.org/a", "1")]}))
        load_dataset(store, _dataset({"http://example.org/g": [("http://example.org/b", "2")]}))
        assert _all(store) == {("http://example.org/g", "http://example.org/b", "2")}
    finally:
        server.stop()


def test_failed_load_leaves_targets_unchanged(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "db").start()
    try:
        store = RemoteStore(server.query_url, timeout=5)
        load_dataset(store, _dataset({"http://example.org/g": [("http://example.org/a", "1")]}))
        broken = RemoteStore(
            server.query_url, store_endpoint=f"{server.base}/no-such-path", timeout=5
        )
        new = _dataset({"http://example.org/g": [("http://example.org/b", "2")]})
        with pytest.raises(StoreError, match="target graphs are unchanged"):
            load_dataset(broken, new)
        assert _all(store) == {("http://example.org/g", "http://example.org/a", "1")}
    finally:
        server.stop()


def test_down_engine_fails_fast_and_recovers(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path / "db").start()
    store = RemoteStore(server.query_url, timeout=3)
    load_dataset(store, _dataset({"http://example.org/g": [("http://example.org/a", "1")]}))
    server.stop()
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < store.timeout, "the failure came within the deadline"
    server.start()
    try:
        assert _all(store) == {("http://example.org/g", "http://example.org/a", "1")}
    finally:
        server.stop()


def test_load_command_through_console_script(tmp_path: Path, store: Store) -> None:
    server = OxigraphServer(tmp_path / "db").start()
    try:
        script = Path(sys.executable).with_name("hamar-graph")
        result = subprocess.run(
            [str(script), "load", "--endpoint", server.query_url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "uploading" in result.stderr and "switching" in result.stderr
        remote = RemoteStore(server.query_url, timeout=5)
        assert isomorphic(union_graph(remote), union_graph(store))
    finally:
        server.stop()
