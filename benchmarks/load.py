"""A bounded load generator for ``hamar-graph serve``, on loopback only.

``clients`` threads (default 50) each keep one HTTP/1.1 connection
(:mod:`http.client`) and send requests back to back for ``duration`` seconds
(default 60), drawn from a realistic mix:

- pages: the home page, entity pages in HTML and in Turtle (by ``Accept``),
  index pages and searches;
- ``/sparql``: SELECT, ASK and CONSTRUCT queries over GET, POST form and POST
  ``application/sparql-query``;
- the catalogue (``/catalog``), VoID (``/.well-known/void``) and the dumps under
  ``/download/`` (read whole, checked against ``Content-Length``);
- conditional requests: ``If-None-Match`` with an ``ETag`` seen earlier.

One more client plays an attacker: one hostile request at a time (a query that
runs past the deadline, ``SERVICE``, updates, ``LOAD <file:…>``, deep nesting,
an oversized body and URL), each with the statuses it may get. A hostile
request answered with any other status counts as unexpected.

What it reports: requests, throughput, p50/p99 latency (overall and per kind),
status counts, 5xx outside the hostile requests' expected statuses, other
unexpected statuses, and connection errors. A request on a kept-alive
connection that the server had already closed is retried once on a new
connection, as browsers and HTTP libraries do (RFC 9112 §9.3.1); only a failure
on a fresh connection counts as a connection error.

Each client is one user: against ``127.0.0.1`` the ordinary clients connect from
addresses of their own (``127.0.1.1`` …) and the attacker from ``127.0.2.1``, because
the endpoint shares its query processes per client address (README, "The SPARQL
endpoint"). Against ``localhost`` or ``::1`` they all share one address, so the
attacker's long queries also limit the ordinary clients' queries (429).

It refuses any host but ``127.0.0.1``, ``localhost`` and ``::1``, caps clients
at :data:`MAX_CLIENTS` and duration at :data:`MAX_DURATION`, and stops by itself.

This module checks the target, runs the clients and reports; the calls are in
:mod:`benchmarks.load_calls`, the client threads in :mod:`benchmarks.load_clients`, and
the server it can start in :mod:`benchmarks.serve_process`.

Usage::

    python -m benchmarks.load --serve                 # build, start `hamar-graph serve`, run 60 s
    python -m benchmarks.load --url http://127.0.0.1:5000 --clients 20 --duration 10
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import os
import socket
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load_calls import PREFIXES, QUERIES, Call, Mix, Site, hostile_calls
from benchmarks.load_clients import (
    REQUEST_TIMEOUT,
    Connection,
    Sample,
    _attacker,
    _client,
    discover,
)
from benchmarks.serve_process import (
    ServeProcess,
    build_output,
    free_port,
    hamar_graph_command,
    served,
)

__all__ = [
    "LOOPBACK_HOSTS",
    "MAX_CLIENTS",
    "MAX_DURATION",
    "PREFIXES",
    "QUERIES",
    "REQUEST_TIMEOUT",
    "Call",
    "Connection",
    "Mix",
    "Report",
    "Sample",
    "ServeProcess",
    "Site",
    "build_output",
    "check_loopback",
    "discover",
    "free_port",
    "hamar_graph_command",
    "hostile_calls",
    "machine",
    "main",
    "percentile",
    "run",
    "served",
    "source_addresses",
]

#: Hosts the generator may target.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Upper bounds, whatever the command line says.
MAX_CLIENTS = 200
MAX_DURATION = 600.0

# --- safety ----------------------------------------------------------------------------


def check_loopback(host: str) -> None:
    """Refuse any target but this machine's loopback interface.

    :raises ValueError: for any other host name or address, or a name that resolves
        to a non-loopback address.
    """
    bare = host.strip("[]")
    if bare not in LOOPBACK_HOSTS:
        raise ValueError(f"refusing to send load to {host!r}: only 127.0.0.1, localhost, ::1")
    for info in socket.getaddrinfo(bare, None):
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_loopback:
            raise ValueError(f"{host!r} resolves to {address}, which is not loopback")


def source_addresses(host: str, clients: int) -> tuple[list[str | None], str | None]:
    """The local address of each ordinary client and of the attacker: one each on
    127.0.0.0/8 when the target is ``127.0.0.1`` and Linux lets them be bound (it does
    for the whole block), else None (the system's choice: one shared address)."""
    if host != "127.0.0.1":
        return [None] * clients, None
    ordinary: list[str | None] = [f"127.0.1.{1 + i}" for i in range(clients)]  # <= MAX_CLIENTS
    attacker = "127.0.2.1"
    try:
        for address in (*ordinary, attacker):
            with socket.socket() as sock:
                sock.bind((address, 0))
    except OSError:
        return [None] * clients, None
    return ordinary, attacker


# --- the report ---------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values`` by the nearest-rank method."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered) - 1e-9)))
    return ordered[rank - 1]


@dataclass
class Report:
    """The figures of one run."""

    clients: int
    duration: float
    samples: list[Sample]
    stale_retries: int = 0
    own_addresses: bool = False  #: whether each client (and the attacker) had its own address

    @property
    def ordinary(self) -> list[Sample]:
        return [s for s in self.samples if not s.hostile]

    @property
    def hostile(self) -> list[Sample]:
        return [s for s in self.samples if s.hostile]

    @property
    def connection_errors(self) -> list[Sample]:
        return [s for s in self.samples if s.status is None]

    @property
    def unexpected_5xx(self) -> list[Sample]:
        """5xx answers other than a hostile request's expected ones."""
        return [
            s
            for s in self.samples
            if s.status is not None and s.status >= 500 and not (s.hostile and s.expected)
        ]

    @property
    def unexpected(self) -> list[Sample]:
        """Every answer outside its call's expected statuses (connection errors excluded)."""
        return [s for s in self.samples if s.status is not None and not s.expected]

    def status_counts(self) -> dict[str, int]:
        counts = Counter(str(s.status) if s.status else "error" for s in self.samples)
        return dict(sorted(counts.items()))

    def as_dict(self) -> dict[str, object]:
        ordinary = [s.seconds for s in self.ordinary if s.status is not None]
        kinds: dict[str, list[float]] = defaultdict(list)
        statuses: dict[str, Counter[str]] = defaultdict(Counter)
        for s in self.samples:
            if s.status is not None:
                kinds[s.kind].append(s.seconds)
            statuses[s.kind][str(s.status) if s.status else "error"] += 1
        return {
            "clients": self.clients,
            "own_addresses": self.own_addresses,
            "duration_s": round(self.duration, 1),
            "requests": len(self.samples),
            "throughput_rps": round(len(self.samples) / self.duration, 1),
            "p50_ms": round(percentile(ordinary, 50) * 1000, 1),
            "p99_ms": round(percentile(ordinary, 99) * 1000, 1),
            "statuses": self.status_counts(),
            "unexpected_5xx": len(self.unexpected_5xx),
            "unexpected_status": len(self.unexpected),
            "connection_errors": len(self.connection_errors),
            "stale_keepalive_retries": self.stale_retries,
            "hostile_requests": len(self.hostile),
            "per_kind": {
                kind: {
                    "n": sum(statuses[kind].values()),
                    "p50_ms": round(percentile(v, 50) * 1000, 1),
                    "p99_ms": round(percentile(v, 99) * 1000, 1),
                    "statuses": dict(sorted(statuses[kind].items())),
                }
                for kind, v in sorted(kinds.items())
            },
        }

    def text(self) -> str:
        d = self.as_dict()
        lines = [
            f"clients {d['clients']}, {d['duration_s']} s: {d['requests']} requests, "
            f"{d['throughput_rps']} req/s",
            "addresses: "
            + (
                "one per client (127.0.1.1 ...), the attacker 127.0.2.1"
                if d["own_addresses"]
                else "one shared by every client and the attacker"
            ),
            f"latency of ordinary requests: p50 {d['p50_ms']} ms, p99 {d['p99_ms']} ms",
            f"statuses: {d['statuses']}",
            f"5xx outside the hostile requests' expected statuses: {d['unexpected_5xx']}",
            f"other unexpected statuses: {d['unexpected_status']}",
            f"connection errors: {d['connection_errors']} "
            f"(stale keep-alive connections retried: {d['stale_keepalive_retries']})",
            f"hostile requests: {d['hostile_requests']}",
            f"{'kind':<18}{'n':>7}{'p50 ms':>10}{'p99 ms':>10}  statuses",
        ]
        for kind, k in d["per_kind"].items():  # type: ignore[union-attr]
            lines.append(
                f"{kind:<18}{k['n']:>7}{k['p50_ms']:>10}{k['p99_ms']:>10}  {k['statuses']}"
            )
        return "\n".join(lines)


def run(
    url: str,
    *,
    clients: int = 50,
    duration: float = 60.0,
    hostile_pause: float = 1.0,
    seed: int = 8,
    max_query_bytes: int = 100_000,
    max_url_bytes: int = 8192,
    attack: bool = True,
) -> Report:
    """Send the mix to ``url`` with ``clients`` threads for ``duration`` seconds.

    :param url: ``http://127.0.0.1:PORT`` (loopback only).
    :param hostile_pause: seconds the attacker waits between two hostile requests.
    :param attack: run the attacker too (it sends every hostile request at least once).
    :raises ValueError: for a non-loopback host or out-of-range parameters.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname or not parts.port:
        raise ValueError(f"expected http://HOST:PORT, got {url!r}")
    check_loopback(parts.hostname)
    if not 1 <= clients <= MAX_CLIENTS:
        raise ValueError(f"clients must be between 1 and {MAX_CLIENTS}")
    if not 0 < duration <= MAX_DURATION:
        raise ValueError(f"duration must be above 0 and at most {MAX_DURATION} s")
    host, port = parts.hostname, parts.port
    site = discover(host, port)
    mix = Mix(site, seed)
    stop = threading.Event()
    samples: list[Sample] = []
    lock = threading.Lock()
    sources, attacker_source = source_addresses(host, clients)
    threads = [
        threading.Thread(
            target=_client, args=(host, port, source, mix, stop, samples, lock), daemon=True
        )
        for source in sources
    ]
    calls = hostile_calls(max_query_bytes, max_url_bytes)
    attacker = threading.Thread(
        target=_attacker,
        args=(host, port, attacker_source, calls, stop, samples, lock, hostile_pause),
        daemon=True,
    )
    if attack:
        threads.append(attacker)
    started = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(duration)
    stop.set()
    for t in threads:
        if t is attacker:
            t.join(len(calls) * (REQUEST_TIMEOUT + 1))  # the attacker finishes its round
        else:
            t.join(REQUEST_TIMEOUT + 10)
    elapsed = time.perf_counter() - started
    return Report(clients, elapsed, samples, mix.stale_retries, attacker_source is not None)


def machine() -> str:
    """One line describing this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {sys.version.split()[0]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running server, e.g. http://127.0.0.1:5000")
    target.add_argument(
        "--serve", action="store_true", help="build and start `hamar-graph serve` itself"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--hostile-pause", type=float, default=1.0)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    def go(url: str) -> Report:
        return run(
            url, clients=args.clients, duration=args.duration, hostile_pause=args.hostile_pause
        )

    if args.serve:
        with served() as server:
            report = go(server.url)
    else:
        report = go(args.url)
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.text())
    print(f"machine: {machine()}")
    ok = not report.unexpected_5xx and not report.connection_errors
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
