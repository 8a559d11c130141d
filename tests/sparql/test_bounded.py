"""Queries whose cost the row cap bounds run in the web process (hamar_graph.sparql.bounded):
exactly one triple pattern of different variables, no modifier that must see every
solution; the answers are the query processes' answers, byte for byte."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from rdflib import Dataset

from hamar_graph.config import Settings
from hamar_graph.sparql.bounded import is_bounded
from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.guard import scan_query
from hamar_graph.sparql.pool import QueryPool
from hamar_graph.sparql.worker import QueryJob, execute
from hamar_graph.store.base import Store
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.remote import RemoteStore
from web import create_app, state

LUND = "https://data.hamar.kommune.no/id/vennskapsby/lund"
HMS = "PREFIX hms: <https://data.hamar.kommune.no/def/>\n"


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT ?p ?o WHERE {{ <{LUND}> ?p ?o }}",
        f"select * {{ <{LUND}> ?p ?o . }}",
        HMS + "SELECT ?c WHERE { ?c a hms:TwinCity } LIMIT 3",
        HMS + "SELECT ?c WHERE { ?c a hms:TwinCity } OFFSET 2 LIMIT 3",
        "BASE <https://data.hamar.kommune.no/> SELECT ?o { <id/vennskapsby/lund> ?p ?o }",
        'SELECT ?s WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> "Lund" }',
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
        f"# a comment\nSELECT ?p ?o7 WHERE {{ <{LUND}> ?p ?o7 }} # and another",
    ],
)
def test_one_pattern_is_bounded(query: str) -> None:
    assert is_bounded(query, max_rows=10_000)
    # the guard finds it in its own pass over the text, which is what the endpoint uses
    offset = scan_query(query).one_pattern_offset
    assert offset == (2 if "OFFSET 2" in query else 0)


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("SELECT ?s WHERE { ?s ?s ?o }", "a repeated variable scans for rare matches"),
        ("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", "DISTINCT sees every solution"),
        ("SELECT ?p WHERE { ?s ?p ?o } ORDER BY ?p", "ORDER BY sees every solution"),
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "an aggregate sees every solution"),
        ("SELECT ?s WHERE { ?s <p> ?o . ?o <q> ?z }", "a join"),
        ("SELECT ?s WHERE { ?s <p>* ?o }", "a property path"),
        ("SELECT ?s WHERE { ?s <p> ?o FILTER(?o) }", "a filter"),
        ("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", "a graph pattern"),
        ("SELECT ?s FROM <g> WHERE { ?s ?p ?o }", "a dataset clause"),
        ("SELECT ?s WHERE { ?s <p> ?o } OFFSET 20000", "an offset past the row cap"),
        ("SELECT ?s WHERE { ?s <p> ?o } LIMIT 1 LIMIT 2", "LIMIT twice"),
        ('SELECT ?s WHERE { ?s <p> "x"@en }', "a literal with a language tag"),
        ("SELECT ?s WHERE { ?s \\u003Cp> ?o }", "an escape"),
        ("ASK { ?s ?p ?o }", "not SELECT"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "not SELECT"),
        ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT ?s WHERE { ?s ?p ?o } }", "unbalanced"),
        ("", "empty"),
    ],
)
def test_anything_else_goes_to_a_query_process(query: str, why: str) -> None:
    assert not is_bounded(query, max_rows=10_000), why
    offset = scan_query(query).one_pattern_offset
    assert offset is None or offset > 10_000, why  # the offset past the cap is the endpoint's


def test_a_text_too_long_to_check_is_not_taken_for_one_pattern() -> None:
    padded = f"SELECT ?p ?o WHERE {{ <{LUND}> ?p ?o }}" + " " * 5000
    assert not is_bounded(padded, 10_000)
    assert scan_query(padded).one_pattern_offset is None


def _job(query: str, fmt: str = "json", max_rows: int = 100) -> QueryJob:
    return QueryJob(query=query, tabular_format=fmt, graph_format=None, max_rows=max_rows)


def _rows(body: bytes, fmt: str) -> list[object]:
    """The rows of an answer in any order (an unordered query's order is the store's)."""
    if fmt == "json":
        data = json.loads(body)
        return sorted(json.dumps(b, sort_keys=True) for b in data["results"]["bindings"])
    head, *rows = body.decode("utf-8").splitlines()
    return [head, *sorted(rows)]


@pytest.mark.parametrize("fmt", ["json", "tsv", "csv"])
def test_the_answer_is_the_query_processes_answer(store: Store, fmt: str) -> None:
    local = store.local_engine()
    assert local is not None
    queries = (
        f"SELECT ?p ?o WHERE {{ <{LUND}> ?p ?o }}",
        HMS + "SELECT ?c WHERE { ?c a hms:TwinCity }",
    )
    with QueryPool(store.engine_source(), size=1, timeout=30).start() as pool:
        for query in queries:
            assert is_bounded(query, 100)
            here, there = execute(local, _job(query, fmt)), pool.run(_job(query, fmt))
            assert here.status == there.status == 200
            assert (here.truncated, here.count) == (there.truncated, there.count)
            assert _rows(here.body, fmt) == _rows(there.body, fmt)


def test_the_row_cap_cuts_a_bounded_answer(store: Store) -> None:
    local = store.local_engine()
    assert local is not None
    cities = HMS + "SELECT ?c WHERE { ?c a hms:TwinCity }"
    whole = _rows(execute(local, _job(cities)).body, "json")
    cut = execute(local, _job(cities, max_rows=5))
    assert len(whole) == 8
    assert cut.truncated and cut.count == 5
    assert set(_rows(cut.body, "json")) < set(whole)
    limited = execute(local, _job(cities.replace("}", "} LIMIT 3")))
    assert not limited.truncated and limited.count == 3
    assert set(_rows(limited.body, "json")) < set(whole)


def test_rdflib_and_remote_stores_have_no_local_engine(dataset: Dataset) -> None:
    memory = MemoryStore()
    memory.load(dataset)
    assert memory.local_engine() is None
    assert RemoteStore("http://127.0.0.1:9/query").local_engine() is None


class _RecordingPool:
    """Stands for the query processes: records what reaches them and refuses it."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def run(self, job: QueryJob, client: str = "") -> None:
        self.queries.append(job.query)
        raise ProtocolError(503, "the query processes are replaced in this test")


def test_the_endpoint_answers_a_lookup_without_a_query_process(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app: Flask = create_app({"out_dir": settings.out_dir}, store=store)
    app.config["TESTING"] = True
    pool = _RecordingPool()
    monkeypatch.setattr(state, "pool", lambda app=None: pool)
    with app.test_client() as client:
        lookup = client.get(
            "/sparql",
            query_string={"query": f"SELECT ?p ?o WHERE {{ <{LUND}> ?p ?o }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert lookup.status_code == 200
        rows = lookup.get_json()["results"]["bindings"]
        assert {"type": "literal", "value": "Lund", "xml:lang": "nb"} in [r["o"] for r in rows]
        assert pool.queries == []
        count = client.get(
            "/sparql",
            query_string={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        # the aggregate went to the query processes (here the recording stand-in)
        assert count.status_code == 503
        assert len(pool.queries) == 1 and "COUNT(*)" in pool.queries[0]
    state.state(app).close()
