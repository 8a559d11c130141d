"""The fairness run: ordinary clients from their own loopback addresses and one hostile
address, their statuses and latencies, summarised per class."""

from __future__ import annotations

import os
import random
import socket
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.query_path.client import result_rows
from benchmarks.query_path.servers import Server
from benchmarks.query_path.timing import percentile
from benchmarks.query_path.workloads import (
    CLIENT_TIMEOUT,
    HOSTILE,
    ID,
    JSON_RESULTS,
    LOOKUP,
    SEARCH_TERMS,
    SMALL_QUERIES,
)


@dataclass
class Sample:
    cls: str
    status: int | None
    seconds: float
    retry_after: bool = False
    broken: bool = False  #: a 200 whose JSON body is incomplete


@dataclass
class Site:
    """What the ordinary clients ask for."""

    entities: list[str]
    subjects: list[str]
    pages: bool  #: False for the Oxigraph server: small queries only


def ordinary_request(site: Site, rng: random.Random, query_path: str) -> tuple[str, str, str]:
    """(class, path, Accept) of an ordinary client's next request."""
    r = rng.random() if site.pages else 1.0
    if r < 0.10:
        return "home", "/", "text/html"
    if r < 0.35:
        return "entity", rng.choice(site.entities), "text/html"
    if r < 0.45:
        return (
            "search",
            "/sok?" + urllib.parse.urlencode({"q": rng.choice(SEARCH_TERMS)}),
            ("text/html"),
        )
    if r < 0.55:
        return "catalog", "/catalog", "text/turtle"
    if r < 0.65:
        return "void", "/.well-known/void", "text/turtle"
    if rng.random() < 0.4:
        query = LOOKUP.format(iri=rng.choice(site.subjects))
    else:
        query = rng.choice(SMALL_QUERIES)
    return "sparql", f"{query_path}?{urllib.parse.urlencode({'query': query})}", JSON_RESULTS


def _ordinary(
    server: Server,
    site: Site,
    source: str,
    seed: int,
    pause: float,
    stop: threading.Event,
    out: list[Sample],
) -> None:
    rng = random.Random(seed)
    client = server.client(source)
    mine: list[Sample] = []
    stop.wait(rng.random() * pause)  # people do not arrive in step
    while not stop.is_set():
        cls, path, accept = ordinary_request(site, rng, server.query_path)
        answer = client.request("GET", path, {"Accept": accept})
        broken = cls == "sparql" and answer.status == 200 and result_rows(answer) is None
        mine.append(
            Sample(cls, answer.status, answer.seconds, "retry-after" in answer.headers, broken)
        )
        stop.wait(pause)
    client.close()
    out.extend(mine)


def _hostile(
    server: Server,
    source: str,
    pause: float,
    timeout: float,
    stop: threading.Event,
    out: list[Sample],
) -> None:
    client = server.client(source, timeout=timeout)
    path = f"{server.query_path}?{urllib.parse.urlencode({'query': HOSTILE})}"
    mine: list[Sample] = []
    while not stop.is_set():
        answer = client.request("GET", path, {"Accept": JSON_RESULTS})
        broken = answer.status == 200 and result_rows(answer) is None
        mine.append(
            Sample(
                "hostile", answer.status, answer.seconds, "retry-after" in answer.headers, broken
            )
        )
        if answer.status != 200:
            stop.wait(pause)  # it ignores Retry-After, but does not spin
    client.close()
    out.extend(mine)


def fairness_run(
    server: Server,
    site: Site,
    seconds: float,
    clients: int,
    hostile: int,
    pause: float,
    hostile_pause: float,
    hostile_timeout: float,
) -> dict[str, Any]:
    """``clients`` ordinary clients (127.0.0.2 …) and ``hostile`` concurrent requests from
    127.0.0.200, for ``seconds``; figures per class."""
    stop = threading.Event()
    samples: list[Sample] = []
    threads = [
        threading.Thread(
            target=_ordinary,
            args=(server, site, f"127.0.0.{2 + i}", 1000 + i, pause, stop, samples),
            daemon=True,
        )
        for i in range(clients)
    ]
    threads += [
        threading.Thread(
            target=_hostile,
            args=(server, "127.0.0.200", hostile_pause, hostile_timeout, stop, samples),
            daemon=True,
        )
        for _ in range(hostile)
    ]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(hostile_timeout + CLIENT_TIMEOUT + 10)
    elapsed = time.monotonic() - started
    return summarize_fairness(samples, seconds, elapsed, load_before, clients, hostile)


def summarize_fairness(
    samples: Sequence[Sample],
    seconds: float,
    elapsed: float,
    load_before: float,
    clients: int,
    hostile: int,
) -> dict[str, Any]:
    """Figures per class. Requests still running at the end are waited for (up to their
    timeout) and counted: ``drain_s`` says how long that took."""

    def figures(group: Sequence[Sample]) -> dict[str, Any]:
        answered = [s.seconds * 1000 for s in group if s.status is not None]
        statuses = Counter(
            "no answer" if s.status is None else f"{s.status}" + (" broken" if s.broken else "")
            for s in group
        )
        return {
            "n": len(group),
            "5xx": sum(1 for s in group if s.status is not None and s.status >= 500),
            "no_answer": sum(1 for s in group if s.status is None),
            "broken_200": sum(1 for s in group if s.broken),
            "p50_ms": round(percentile(answered, 50), 1) if answered else None,
            "p99_ms": round(percentile(answered, 99), 1) if answered else None,
            "statuses": dict(sorted(statuses.items())),
        }

    ordinary = [s for s in samples if s.cls != "hostile"]
    hostile_samples = [s for s in samples if s.cls == "hostile"]
    classes = sorted({s.cls for s in ordinary})
    refused = [s for s in hostile_samples if s.status in (429, 503)]
    too_many = [s for s in hostile_samples if s.status == 429]
    return {
        "seconds": seconds,
        "drain_s": round(elapsed - seconds, 1),
        "ordinary_rps": round(len(ordinary) / seconds, 1),
        "ordinary_clients": clients,
        "hostile_in_flight": hostile,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "classes": {c: figures([s for s in ordinary if s.cls == c]) for c in classes},
        "pages": figures([s for s in ordinary if s.cls != "sparql"]),
        "small_queries": figures([s for s in ordinary if s.cls == "sparql"]),
        "ordinary": figures(ordinary),
        "hostile": {
            **figures(hostile_samples),
            "refusals_with_retry_after": sum(1 for s in refused if s.retry_after),
            "refusals": len(refused),
            "429": len(too_many),
            "429_p50_ms": (
                round(percentile([s.seconds * 1000 for s in too_many], 50), 1) if too_many else None
            ),
        },
    }


def entity_pages(server: Server, subjects: Sequence[str], want: int = 40) -> list[str]:
    """Paths of entity pages that answer 200 (checked once before the run)."""
    rng = random.Random(12)
    paths = sorted(
        {urllib.parse.urlsplit(s).path for s in subjects if s.startswith(ID)},
    )
    rng.shuffle(paths)
    # the axes first: the example (/id/akse/...)
    paths.sort(key=lambda p: not p.startswith("/id/akse/"))
    client = server.client()
    found: list[str] = []
    for path in paths:
        if len(found) >= want:
            break
        if client.request("GET", path, {"Accept": "text/html"}).status == 200:
            found.append(path)
    client.close()
    if not found:
        raise RuntimeError("no entity page answered 200")
    return found


def check_loopback_sources(count: int) -> None:
    """Every source address the clients use must be bindable (127.0.0.0/8 is on Linux)."""
    for address in [*(f"127.0.0.{2 + i}" for i in range(count)), "127.0.0.200"]:
        with socket.socket() as sock:
            sock.bind((address, 0))
