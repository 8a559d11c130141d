"""Queries whose cost the row cap bounds run in the web process (hamar_graph.sparql.bounded):
exactly one triple pattern of different variables, no modifier that must see every
solution; the answers are the query processes' answers, byte for byte."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import Dataset

from hamar_graph.config import Settings
from hamar_graph.sparql.bounded import is_bounded
from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.guard import scan_query
from hamar_graph.sparql.pool import QueryPool
from hamar_graph.sparql.worker import QueryJob, execute, execute_bounded
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
    bounds = scan_query(query).one_pattern
    assert bounds is not None
    assert bounds.offset == (2 if "OFFSET 2" in query else 0)
    assert bounds.limit == (3 if "LIMIT 3" in query else None)


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
    bounds = scan_query(query).one_pattern
    # an offset past the cap is left to the endpoint, which sends it to a query process
    assert bounds is None or bounds.offset > 10_000, why


def test_a_text_too_long_to_check_is_not_taken_for_one_pattern() -> None:
    padded = f"SELECT ?p ?o WHERE {{ <{LUND}> ?p ?o }}" + " " * 5000
    assert not is_bounded(padded, 10_000)
    assert scan_query(padded).one_pattern is None


def _job(query: str, fmt: str = "json", max_rows: int = 100) -> QueryJob:
    form = scan_query(query).form  # as the endpoint makes it
    return QueryJob(
        query=query, tabular_format=fmt, graph_format=None, max_rows=max_rows, form=form
    )


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


def _bounded(local: object, query: str, fmt: str = "json", max_rows: int = 100) -> object:
    """The endpoint's call for a one-pattern text: execute_bounded with the text's LIMIT."""
    bounds = scan_query(query).one_pattern
    assert bounds is not None
    return execute_bounded(local, _job(query, fmt, max_rows), bounds.limit)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["json", "tsv", "csv"])
@pytest.mark.parametrize(
    ("modifiers", "max_rows", "rows", "truncated"),
    [
        ("", 100, 8, False),  # JSON: Oxigraph's own answer, too short to pass the cap
        ("", 5, 5, True),  # long enough to pass it: cut and counted by execute
        ("LIMIT 3", 100, 3, False),  # a LIMIT within the cap: nothing to cut
        ("OFFSET 2", 100, 6, False),  # LIMIT cap + 1 goes after the OFFSET
        ("LIMIT 20", 5, 5, True),  # a LIMIT past the cap: execute cuts
        ("LIMIT 6 OFFSET 1", 5, 5, True),
    ],
)
def test_the_bounded_lane_cuts_and_counts_as_the_query_processes_do(
    store: Store, fmt: str, modifiers: str, max_rows: int, rows: int, truncated: bool
) -> None:
    local = store.local_engine()
    assert local is not None
    cities = HMS + "SELECT ?c WHERE { ?c a hms:TwinCity } # eight of them\n" + modifiers
    every = set(
        _rows(execute(local, _job(HMS + "SELECT ?c WHERE { ?c a hms:TwinCity }")).body, "json")
    )
    here = _bounded(local, cities, fmt, max_rows)
    there = execute(local, _job(cities, fmt, max_rows))  # the query processes' function
    assert here.status == there.status == 200  # type: ignore[attr-defined]
    assert here.truncated is there.truncated is truncated  # type: ignore[attr-defined]
    assert _rows(here.body, fmt) == _rows(there.body, fmt)  # type: ignore[attr-defined]
    assert there.count == rows
    if fmt == "json":
        kept = _rows(here.body, fmt)  # type: ignore[attr-defined]
        assert len(kept) == rows and set(kept) <= every
        # counted only where execute answered; Oxigraph's own JSON is not counted
        assert here.count in (rows, None)  # type: ignore[attr-defined]
    else:
        assert here.count == rows  # type: ignore[attr-defined]


def test_a_bounded_json_answer_is_oxigraphs_own(store: Store) -> None:
    local = store.local_engine()
    assert local is not None
    lookup = f"SELECT ?p ?o WHERE {{ <{LUND}> ?p ?o }}"
    here = _bounded(local, lookup, "json", 10_000)
    # one serialisation, not cut: not counted, and the rows are the bindings
    assert here.count is None and not here.truncated  # type: ignore[attr-defined]
    assert here.body == local.query(  # type: ignore[attr-defined]
        lookup, use_default_graph_as_union=True
    ).serialize(format=ox.QueryResultsFormat.JSON)


def test_a_bounded_syntax_error_is_the_query_processes_error(store: Store) -> None:
    local = store.local_engine()
    assert local is not None
    broken = "SELECT ?p ?o WHERE { <https://example.org/a b> ?p ?o }"
    here = execute_bounded(local, _job(broken), None)
    there = execute(local, _job(broken))
    assert here.status == there.status == 400
    assert here.message == there.message


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
