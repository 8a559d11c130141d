"""Every attack of the sandbox list (docs/DECISIONS.md, "The query sandbox"), against a live server.

Each test proves three things: the attack is refused or stopped (with the right
status and a message naming the limit), nothing was read or fetched, and an ordinary
query sent while the attack runs is answered correctly before the attack's deadline.

The workers in this module keep their network access (no network namespace), so
that "nothing was fetched" is proven by the guards and by Oxigraph's own behaviour,
not by the kernel. Every attack runs against both kinds of query process
(``HAMAR_GRAPH_QUERY_ENGINE``): Python with pyoxigraph, and the Oxigraph server, which
has its network by design.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask

from hamar_graph.store.base import Store
from tests.support.sparql import Listener, LiveServer, http, pool_app
from web import state

TIMEOUT = 3.0
#: The memory test has its own app: a low cap, reached long before a generous deadline.
MEMORY_MB = 256
MEMORY_TIMEOUT = 60.0
ORDINARY = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/> "
    "SELECT (COUNT(?c) AS ?n) WHERE { ?c a hms:TwinCity }"
)
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
REGEX = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f "
    'FILTER(REGEX(CONCAT(STR(?c), STR(?f), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), "^(a+)+$")) }'
)
CONCAT_DOUBLING = (
    'SELECT (STRLEN(?v33) AS ?n) WHERE { BIND("ab" AS ?v0) '
    + " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(33))
    + " }"
)


@dataclass
class Live:
    app: Flask
    server: LiveServer

    @property
    def pool(self):
        return state.state(self.app).peek("pool")

    def query(self, query: str, **params: str) -> tuple[int, dict[str, str], bytes]:
        body = urlencode({"query": query, **params}).encode()
        return http(
            f"{self.server.url}/sparql",
            method="POST",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )


@pytest.fixture(scope="module", params=["library", "server"])
def engine(request: pytest.FixtureRequest) -> str:
    """What a query process is (``HAMAR_GRAPH_QUERY_ENGINE``)."""
    return str(request.param)


@pytest.fixture(scope="module")
def engine_store(engine: str, store: Store, disk_store: Store) -> Store:
    """The store the engine runs on: the server engine needs one on disk."""
    return disk_store if engine == "server" else store


@pytest.fixture(scope="module")
def live(
    engine: str, engine_store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with (
        pool_app(
            engine_store,
            tmp_path_factory.mktemp("attacks"),
            isolate=False,
            query_workers=2,
            query_timeout=TIMEOUT,
            query_memory_mb=MEMORY_MB,
            # Every attack here comes from one address: the per-client budget would
            # soon refuse it (429), which is tested on its own (tests/web/test_sparql_budget.py).
            query_budget=0,
            query_engine=engine,
        ) as app,
        LiveServer(app) as server,
    ):
        yield Live(app, server)


def ordinary_ok(live: Live) -> None:
    status, _, body = live.query(ORDINARY)
    assert status == 200, body
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "8"


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def with_bystander(live: Live, hostile: str, deadline: float = TIMEOUT) -> tuple[int, bytes]:
    """Send ``hostile``; while it runs, send an ordinary query, which must be answered
    correctly before the hostile query's deadline. Returns the hostile answer."""
    result: dict[str, tuple[int, dict[str, str], bytes]] = {}
    started = time.monotonic()
    thread = threading.Thread(target=lambda: result.update(h=live.query(hostile)))
    thread.start()
    wait_for(lambda: bool(live.pool.busy_pids()) or "h" in result)
    ordinary_ok(live)
    answered = time.monotonic()
    thread.join(60)
    assert "h" in result
    if result["h"][0] == 503:  # the hostile query ran into its deadline or cap
        assert answered < started + deadline, "the bystander waited for the hostile query"
    return result["h"][0], result["h"][2]


def pool_is_whole(live: Live) -> None:
    wait_for(lambda: len(live.pool.pids()) == live.pool.size)
    ordinary_ok(live)


# --- queries that run too long or too big ---------------------------------------------


def test_cross_product_is_stopped_at_the_deadline(live: Live) -> None:
    status, body = with_bystander(live, CROSS_PRODUCT)
    assert status == 503
    assert "deadline of 3 s" in body.decode() and "HAMAR_GRAPH_QUERY_TIMEOUT" in body.decode()
    pool_is_whole(live)


def test_regex_backtracking_is_stopped(live: Live) -> None:
    status, body = with_bystander(live, REGEX)
    assert status == 503
    assert "deadline" in body.decode()
    pool_is_whole(live)


@pytest.fixture(scope="module")
def tight(
    engine: str, engine_store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with (
        pool_app(
            engine_store,
            tmp_path_factory.mktemp("memory"),
            isolate=False,
            query_workers=2,
            query_timeout=MEMORY_TIMEOUT,
            query_memory_mb=MEMORY_MB,
            query_budget=0,  # one address, many long queries (see the live fixture)
            query_engine=engine,
        ) as app,
        LiveServer(app) as server,
    ):
        yield Live(app, server)


def test_concat_doubling_hits_the_memory_cap(tight: Live) -> None:
    before = set(tight.pool.pids())
    status, body = with_bystander(tight, CONCAT_DOUBLING, deadline=MEMORY_TIMEOUT)
    assert status == 503
    assert f"memory cap of {MEMORY_MB} MiB" in body.decode()
    assert "HAMAR_GRAPH_QUERY_MEMORY_MB" in body.decode()
    pool_is_whole(tight)
    assert set(tight.pool.pids()) != before  # the worker that hit the cap was replaced


def test_killed_worker_gives_503_and_is_replaced(live: Live) -> None:
    pool_is_whole(live)
    result: dict[str, tuple[int, dict[str, str], bytes]] = {}
    thread = threading.Thread(target=lambda: result.update(h=live.query(CROSS_PRODUCT)))
    thread.start()
    wait_for(lambda: bool(live.pool.busy_pids()))
    victim = live.pool.busy_pids()[0]
    os.kill(victim, signal.SIGKILL)
    thread.join(60)
    status, _, body = result["h"]
    assert status == 503
    assert "ended unexpectedly" in body.decode()
    ordinary_ok(live)  # later requests succeed
    pool_is_whole(live)
    assert victim not in live.pool.pids()


def test_nested_groups(live: Live) -> None:
    # 50 nested groups broke rdflib (RecursionError); here they are answered, correctly.
    nested = "SELECT (COUNT(*) AS ?n) WHERE " + "{" * 50 + "?s a ?t" + "}" * 50
    status, body = with_bystander(live, nested)
    assert status == 200
    flat = live.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }")[2]
    assert json.loads(body) == json.loads(flat)
    # Deeper than the limit: 400 with a message, before any worker sees it.
    pids = live.pool.pids()
    for depth in (200, 40_000):  # 40,000 levels: 80 kB, under the 100 kB body limit
        deep = "SELECT * WHERE " + "{" * depth + "?s ?p ?o" + "}" * depth
        status, _, body = http(
            f"{live.server.url}/sparql",
            method="POST",
            body=deep.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert status == 400
        assert "nests brackets" in body.decode()
    assert live.pool.pids() == pids


# --- reading and fetching -----------------------------------------------------------------


@pytest.fixture()
def marker_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.ttl"
    path.write_text("<urn:x:secret> <urn:x:says> 'READ-FROM-DISK' .\n", encoding="utf-8")
    return path


def test_from_file_reads_nothing(live: Live, marker_file: Path) -> None:
    for iri in ("file:///etc/passwd", marker_file.as_uri()):
        status, body = with_bystander(live, f"SELECT * FROM <{iri}> WHERE {{ ?s ?p ?o }}")
        assert status == 200
        assert json.loads(body)["results"]["bindings"] == []
        status, _, body = live.query(
            f"SELECT * FROM NAMED <{iri}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
        )
        assert status == 200 and json.loads(body)["results"]["bindings"] == []
    assert b"READ-FROM-DISK" not in body


def test_from_url_fetches_nothing(live: Live) -> None:
    with Listener() as listener:
        status, body = with_bystander(live, f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}")
        assert status == 200 and json.loads(body)["results"]["bindings"] == []
        status, _, _ = live.query(
            "SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": listener.url}
        )
        assert status == 200
        status, _, _ = live.query(
            "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": listener.url}
        )
        assert status == 200
        time.sleep(0.3)
        assert listener.connections == 0


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}>",
        "LOAD SILENT <{url}> INTO GRAPH <urn:x:g>",
        "PREFIX ex: <http://x/> LOAD <{url}>",
    ],
)
def test_load_is_refused(live: Live, engine_store: Store, marker_file: Path, template: str) -> None:
    store = engine_store
    before = len(store)
    with Listener() as listener:
        for url in (marker_file.as_uri(), listener.url):
            status, _, body = live.query(template.format(url=url))
            assert status == 403
            assert "read-only" in body.decode()
            status, _, body = http(
                f"{live.server.url}/sparql",
                method="POST",
                body=template.format(url=url).encode(),
                headers={"Content-Type": "application/sparql-update"},
            )
            assert status == 403
        time.sleep(0.3)
        assert listener.connections == 0
    assert len(store) == before
    status, _, body = live.query("ASK { ?s ?p 'READ-FROM-DISK' }")
    assert json.loads(body)["boolean"] is False


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x a ?t . SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p 1SERVICE <{url}> {{ ?a ?b ?c }} }}",
        "SELECT * WHERE {{ ?s ?p ?o . \\u0053ERVICE <{url}> {{ ?a ?b ?c }} }}",
        "ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    ],
)
def test_service_is_refused_and_fetches_nothing(live: Live, template: str) -> None:
    with Listener() as listener:
        status, body = with_bystander(live, template.format(url=listener.url))
        assert status == 403
        assert "SERVICE" in body.decode()
        time.sleep(0.3)
        assert listener.connections == 0
