"""The per-client budget of the SPARQL endpoint: a client over its share or its budget
gets 429 with Retry-After, and other clients are served meanwhile.

The rules are unit-tested on :class:`~hamar_graph.sparql.fairness.FairShare` with a
clock the test drives; the endpoint's behaviour on a real app with real query
processes, clients told apart by their address (``REMOTE_ADDR``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask

from hamar_graph.sparql.fairness import FairShare, Refusal, Ticket
from hamar_graph.store import Store
from tests.support.sparql import pool_app

HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SMALL = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/> "
    "SELECT (COUNT(?c) AS ?n) WHERE { ?c a hms:TwinCity }"
)
JSON = {"Accept": "application/sparql-results+json"}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# --- the rules, with a clock the test drives --------------------------------------------------


def test_a_client_alone_gets_every_process_and_may_queue() -> None:
    fair = FairShare(2, clock=Clock())
    tickets = [fair.admit("wrk", idle=2 - min(i, 2)) for i in range(16)]
    assert all(isinstance(t, Ticket) for t in tickets)  # no refusal without another client


def test_under_contention_a_client_over_its_share_is_refused_at_once() -> None:
    fair = FairShare(2, clock=Clock())
    for i in range(4):  # "a" fills both processes and queues two more
        ticket = fair.admit("a", idle=max(0, 2 - i))
        assert isinstance(ticket, Ticket)
        if i < 2:
            fair.start(ticket, object())
    waiting_b = fair.admit("b", idle=0)
    assert isinstance(waiting_b, Ticket)
    refused = fair.drain_refused()
    assert len(refused) == 2 and all(t.client == "a" and t.refusal for t in refused)
    again = fair.admit("a", idle=0)
    assert isinstance(again, Refusal) and again.retry_after >= 1
    assert fair.next_ticket() is waiting_b  # the freed process goes to "b"


def test_a_long_query_is_charged_and_its_client_runs_one_at_a_time() -> None:
    clock = Clock()
    fair = FairShare(2, budget=10.0, long_after=1.0, clock=clock)
    first = fair.admit("a", idle=2)
    assert isinstance(first, Ticket)
    fair.start(first, object())
    clock.now += 0.5
    assert isinstance(fair.admit("a", idle=1), Ticket)  # not long yet: a second one is fine
    clock.now += 1.0  # now the first is long
    refusal = fair.admit("a", idle=0)
    assert isinstance(refusal, Refusal) and "one query at a time" in refusal.message.lower()
    assert isinstance(fair.admit("b", idle=0), Ticket)  # another client is not affected
    clock.now += 9.0
    fair.finish(first)  # ran 10.5 s: 9.5 s past its first second
    assert fair.bucket("a") == pytest.approx(0.5)


def test_an_empty_budget_is_refused_until_it_refills() -> None:
    clock = Clock()
    fair = FairShare(2, budget=6.0, long_after=1.0, clock=clock)
    ticket = fair.admit("a", idle=2)
    assert isinstance(ticket, Ticket)
    fair.start(ticket, object())
    clock.now += 8.0
    fair.finish(ticket)  # 7 s charged to a 6-s budget
    refusal = fair.admit("a", idle=2)
    assert isinstance(refusal, Refusal)
    assert refusal.retry_after == 20  # 1 s more than the debt, at 6 s a minute: 2 s / 0.1 s/s
    assert "budget" in refusal.message.lower() or "query-seconds" in refusal.message
    assert isinstance(fair.admit("b", idle=2), Ticket)
    clock.now += 25.0
    assert isinstance(fair.admit("a", idle=2), Ticket)


def test_a_long_query_of_a_client_over_its_share_yields_to_a_waiting_client() -> None:
    clock = Clock()
    fair = FairShare(2, clock=clock)
    held = []
    for _ in range(2):
        ticket = fair.admit("a", idle=2 - len(held))
        assert isinstance(ticket, Ticket)
        fair.start(ticket, object())
        held.append(ticket)
        clock.now += 0.1
    waiting = fair.admit("b", idle=0)
    assert isinstance(waiting, Ticket)
    assert fair.victim() is None  # neither is long yet
    clock.now += 1.0
    assert fair.victim() is held[1]  # the younger long query of the client over its share


def test_the_budget_can_be_turned_off() -> None:
    clock = Clock()
    fair = FairShare(1, budget=0, clock=clock)
    ticket = fair.admit("a", idle=1)
    assert isinstance(ticket, Ticket)
    fair.start(ticket, object())
    clock.now += 100
    fair.finish(ticket)
    assert isinstance(fair.admit("a", idle=1), Ticket)


# --- the endpoint ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def budget_app(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with pool_app(
        store,
        tmp_path_factory.mktemp("budget"),
        query_workers=2,
        query_timeout=5,
        query_budget=60,
        long_query=0.5,
    ) as app:
        yield app


def _get(app: Flask, query: str, address: str) -> tuple[int, dict[str, str], str]:
    client = app.test_client()
    response = client.get(
        f"/sparql?{urlencode({'query': query})}",
        headers=JSON,
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code, dict(response.headers), response.get_data(as_text=True)


def test_a_client_over_its_share_gets_429_and_others_are_served(budget_app: Flask) -> None:
    hostile = "192.0.2.66"
    results: list[tuple[int, dict[str, str], str]] = []

    def attack() -> None:
        results.append(_get(budget_app, HOSTILE, hostile))

    threads = [threading.Thread(target=attack) for _ in range(4)]  # twice the processes
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    time.sleep(1.0)  # its queries are long now
    started = time.monotonic()
    status, _, body = _get(budget_app, SMALL, "192.0.2.10")  # another client
    ordinary_seconds = time.monotonic() - started
    assert status == 200, body
    # The attacker, while its long query runs, with a text nobody asked before (a cached
    # answer costs no query process, so it would be served).
    more = _get(budget_app, SMALL + " LIMIT 7", hostile)
    for thread in threads:
        thread.join(60)
    statuses = sorted(s for s, _, _ in results)
    assert more[0] == 429
    assert int(more[1]["Retry-After"]) >= 1
    assert "one query at a time" in more[2].lower()
    assert set(statuses) <= {429, 503} and 429 in statuses
    for status, headers, text in results:
        assert int(headers["Retry-After"]) >= 1, (status, text)
        assert headers["Content-Type"].startswith("text/plain")
    # The ordinary client did not wait for the attacker's deadline (5 s).
    assert ordinary_seconds < 5


def test_429_carries_the_endpoint_headers(budget_app: Flask) -> None:
    hostile = "192.0.2.77"
    done: list[int] = []
    thread = threading.Thread(target=lambda: done.append(_get(budget_app, HOSTILE, hostile)[0]))
    thread.start()
    deadline = time.monotonic() + 30
    status, headers = 0, {}
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        status, headers, _ = _get(budget_app, f"{SMALL} LIMIT {attempt}", hostile)
        if status == 429:
            break
        time.sleep(0.2)
    thread.join(60)
    assert status == 429
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in headers
    assert done == [503]  # the long query itself ends at its deadline


def test_budget_settings_are_validated(tmp_path: Path) -> None:
    from hamar_graph.config import Settings

    with pytest.raises(ValueError, match="QUERY_BUDGET"):
        Settings(query_budget=-1).check()
    with pytest.raises(ValueError, match="LONG_QUERY"):
        Settings(long_query=0).check()
