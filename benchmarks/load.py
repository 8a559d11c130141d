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

It refuses any host but ``127.0.0.1``, ``localhost`` and ``::1``, caps clients
at :data:`MAX_CLIENTS` and duration at :data:`MAX_DURATION`, and stops by itself.

Usage::

    python -m benchmarks.load --serve                 # build, start `hamar-graph serve`, run 60 s
    python -m benchmarks.load --url http://127.0.0.1:5000 --clients 20 --duration 10
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

#: Hosts the generator may target.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: Upper bounds, whatever the command line says.
MAX_CLIENTS = 200
MAX_DURATION = 600.0
#: Seconds one request may take before the client gives up (counted as a connection error).
REQUEST_TIMEOUT = 120.0

PREFIXES = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/hamar#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX dct: <http://purl.org/dc/terms/>\n"
)

#: Ordinary queries a researcher or a notebook sends.
QUERIES: tuple[str, ...] = (
    "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(LANG(?label) = 'nb') } LIMIT 50",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100",
    "ASK { ?s a skos:ConceptScheme }",
    "SELECT ?s WHERE { ?s skos:prefLabel ?l FILTER(CONTAINS(LCASE(STR(?l)), 'vennskap')) }",
    "CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s skos:prefLabel ?l } LIMIT 200",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p",
)


@dataclass(frozen=True)
class Call:
    """One request to send.

    :ivar kind: what it stands for in the report (``page``, ``sparql-get`` …).
    :ivar expected: statuses counted as expected; for hostile calls, the only
        acceptable ones.
    """

    kind: str
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expected: frozenset[int] = frozenset({200})
    hostile: bool = False
    remember_etag: bool = False


def _sparql_get(query: str, accept: str = "application/sparql-results+json") -> Call:
    qs = urllib.parse.urlencode({"query": PREFIXES + query})
    return Call("sparql-get", "GET", f"/sparql?{qs}", {"Accept": accept}, remember_etag=True)


def _sparql_post_form(query: str) -> Call:
    body = urllib.parse.urlencode({"query": PREFIXES + query}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
    }
    return Call("sparql-post", "POST", "/sparql", headers, body)


def _sparql_post_direct(query: str) -> Call:
    headers = {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+xml, text/turtle;q=0.9",
    }
    return Call("sparql-post", "POST", "/sparql", headers, (PREFIXES + query).encode())


def hostile_calls(max_query_bytes: int = 100_000, max_url_bytes: int = 8192) -> list[Call]:
    """The attacker's requests (docs/DECISIONS.md, "The query sandbox"), with expected statuses.

    The ones refused at once come first; the two that run into the deadline or the
    memory cap come last.

    :param max_query_bytes: the server's body limit; one call exceeds it.
    :param max_url_bytes: the server's URL limit; one call exceeds it.
    """
    refused = frozenset({400, 403})
    # COUNT has to see every row of the cross product (billions on the Hamar graph),
    # so it runs past any deadline on any machine; a SELECT * would stop at the row cap
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        'FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), "(a|aa)+$")) }'
    )
    concat = "SELECT ?v0 WHERE { BIND('xxxxxxxxxxxxxxxx' AS ?v0) " + " ".join(
        f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(33)
    )
    concat += " }"
    nested = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def get(name: str, query: str, expected: frozenset[int]) -> Call:
        qs = urllib.parse.urlencode({"query": query})
        return Call(name, "GET", f"/sparql?{qs}", {}, None, expected, hostile=True)

    def post(name: str, fields: dict[str, str], expected: frozenset[int]) -> Call:
        body = urllib.parse.urlencode(fields).encode()
        return Call(name, "POST", "/sparql", form, body, expected, hostile=True)

    return [
        get(
            "hostile-service",
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            refused,
        ),
        post("hostile-update", {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, refused),
        post("hostile-update", {"query": "DROP ALL"}, refused),
        get("hostile-load", "LOAD <file:///etc/passwd>", refused),
        get(
            "hostile-from-file",
            "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o } LIMIT 1",
            frozenset({200, 400, 403}),
        ),
        post("hostile-nesting", {"query": nested}, frozenset({400})),
        Call(
            "hostile-body",
            "POST",
            "/sparql",
            {"Content-Type": "application/sparql-query"},
            b"#" * (max_query_bytes + 1),
            frozenset({413}),
            hostile=True,
        ),
        get("hostile-url", "#" + "x" * max_url_bytes, frozenset({414})),
        get("hostile-deadline", slow, frozenset({503})),
        post("hostile-memory", {"query": concat}, frozenset({503, 400})),
    ]


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


# --- the clients --------------------------------------------------------------------------


@dataclass
class Sample:
    """The outcome of one call."""

    kind: str
    status: int | None
    seconds: float
    hostile: bool
    expected: bool
    error: str | None = None


class Connection:
    """One client's kept-alive connection, reopened when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.stale_retries = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _fresh(self) -> http.client.HTTPConnection:
        self.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        return self.conn

    def request(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request and read the whole response; retry once if the kept-alive
        connection turns out to be closed before any response byte arrived."""
        reused = self.conn is not None
        conn = self.conn or self._fresh()
        try:
            return self._exchange(conn, method, path, headers, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            self.stale_retries += 1
            return self._exchange(self._fresh(), method, path, headers, body)

    def _exchange(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn.request(method, path, body=body, headers=dict(headers))
        response = conn.getresponse()
        data = response.read()
        head = {k.lower(): v for k, v in response.getheaders()}
        length = head.get("content-length")
        complete = length is None or int(length) == len(data)
        if not complete and method != "HEAD" and response.status not in (204, 304):
            raise http.client.IncompleteRead(data, int(length) - len(data))
        if response.will_close:
            self.close()
        return response.status, head, data


@dataclass
class Site:
    """What the generator discovered about the server before the run."""

    entities: list[str]
    dumps: list[str]
    indexes: list[str]
    base_iri: str


def _get(conn: Connection, path: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    return conn.request("GET", path, {"Accept": accept}, None)


def discover(host: str, port: int) -> Site:
    """Find entity pages (through ``/sparql``), dumps (through ``/catalog``) and indexes."""
    conn = Connection(host, port)
    try:
        status, _h, body = _get(
            conn,
            "/sparql?"
            + urllib.parse.urlencode(
                {
                    "query": (
                        "SELECT DISTINCT ?s WHERE { ?s a ?c "
                        "FILTER(isIRI(?s) && CONTAINS(STR(?s), '/id/')) } ORDER BY ?s LIMIT 400"
                    )
                }
            ),
            "application/sparql-results+json",
        )
        entities: list[str] = []
        base = "https://data.hamar.kommune.no/"
        if status == 200:
            rows = json.loads(body)["results"]["bindings"]
            iris = [r["s"]["value"] for r in rows]
            entities = [urllib.parse.urlsplit(i).path for i in iris if "/id/" in i]
            if iris:
                base = iris[0].split("id/", 1)[0]
        dumps: list[str] = []
        status, _h, body = _get(conn, "/catalog", "text/turtle")
        if status == 200:
            from rdflib import Graph
            from rdflib.namespace import DCAT

            catalog = Graph().parse(data=body, format="turtle")
            for url in sorted(set(catalog.objects(None, DCAT.downloadURL))):
                path = urllib.parse.urlsplit(str(url)).path
                if path.startswith("/download/"):
                    dumps.append(path)
        kinds = sorted({"/".join(p.split("/")[:3]) + "/" for p in entities})
        indexes = [p for p in ["/id/", *kinds] if _get(conn, p, "text/html")[0] == 200]
        return Site(entities, dumps, indexes or ["/"], base)
    finally:
        conn.close()


class Mix:
    """Draws the next ordinary call, and remembers ETags for conditional requests."""

    def __init__(self, site: Site, seed: int) -> None:
        self.site = site
        self.random = random.Random(seed)
        self.etags: dict[tuple[str, str], str] = {}
        self.lock = threading.Lock()
        self.stale_retries = 0

    def remember(self, call: Call, headers: Mapping[str, str]) -> None:
        etag = headers.get("etag")
        if etag and call.remember_etag:
            with self.lock:
                self.etags[(call.path, call.headers.get("Accept", ""))] = etag

    def _entity(self) -> str:
        return self.random.choice(self.site.entities) if self.site.entities else "/"

    def next(self) -> Call:
        r = self.random.random()
        if r < 0.06:
            return Call("home", "GET", "/", {"Accept": "text/html"}, remember_etag=True)
        if r < 0.30:
            headers = {"Accept": "text/html", "Accept-Language": self.random.choice(("nb", "en"))}
            return Call("entity-html", "GET", self._entity(), headers, remember_etag=True)
        if r < 0.40:
            headers = {"Accept": "text/turtle", "Accept-Encoding": "gzip"}
            return Call("entity-turtle", "GET", self._entity(), headers, remember_etag=True)
        if r < 0.45:
            path = self.random.choice(self.site.indexes)
            return Call("index", "GET", path, {"Accept": "text/html"}, remember_etag=True)
        if r < 0.48:
            q = self.random.choice(("hamar", "vennskapsby", "Lund", "naeringsliv", "ORE"))
            return Call("search", "GET", f"/sok?q={q}", {"Accept": "text/html"})
        if r < 0.60:
            return _sparql_get(self.random.choice(QUERIES))
        if r < 0.66:
            return _sparql_post_form(self.random.choice(QUERIES))
        if r < 0.70:
            return _sparql_post_direct(self.random.choice(QUERIES))
        if r < 0.74:
            accept = self.random.choice(("text/turtle", "application/ld+json", "text/html"))
            return Call("catalog", "GET", "/catalog", {"Accept": accept}, remember_etag=True)
        if r < 0.78:
            return Call(
                "void", "GET", "/.well-known/void", {"Accept": "text/turtle"}, remember_etag=True
            )
        if r < 0.81 and self.site.dumps:
            path = self.random.choice(self.site.dumps)
            return Call("dump", "GET", path, {"Accept": "*/*"}, remember_etag=True)
        with self.lock:
            seen = list(self.etags.items())
        if not seen:
            return Call("home", "GET", "/", {"Accept": "text/html"}, remember_etag=True)
        (path, accept), etag = self.random.choice(seen)
        headers = {"Accept": accept, "If-None-Match": etag}
        return Call("conditional", "GET", path, headers, expected=frozenset({200, 304}))


def _send(conn: Connection, call: Call) -> tuple[Sample, dict[str, str]]:
    started = time.perf_counter()
    try:
        status, headers, _body = conn.request(call.method, call.path, call.headers, call.body)
        if status in (301, 302, 303, 307, 308) and call.method == "GET":
            location = urllib.parse.urlsplit(headers.get("location", ""))
            if not location.netloc or location.hostname == conn.host:
                target = location.path + (f"?{location.query}" if location.query else "")
                status, headers, _body = conn.request("GET", target, call.headers, None)
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        elapsed = time.perf_counter() - started
        return Sample(call.kind, None, elapsed, call.hostile, False, type(exc).__name__), {}
    elapsed = time.perf_counter() - started
    return Sample(call.kind, status, elapsed, call.hostile, status in call.expected), headers


def _client(
    host: str, port: int, mix: Mix, stop: threading.Event, out: list[Sample], lock: threading.Lock
) -> None:
    conn = Connection(host, port)
    mine: list[Sample] = []
    try:
        while not stop.is_set():
            call = mix.next()
            sample, headers = _send(conn, call)
            mix.remember(call, headers)
            mine.append(sample)
    finally:
        conn.close()
        with lock:
            out.extend(mine)
            mix.stale_retries += conn.stale_retries


def _attacker(
    host: str,
    port: int,
    calls: Sequence[Call],
    stop: threading.Event,
    out: list[Sample],
    lock: threading.Lock,
    pause: float,
) -> None:
    conn = Connection(host, port)
    mine: list[Sample] = []
    try:
        i = 0
        # Every hostile call is sent at least once, however slow the machine: the round
        # in progress when the run ends is finished.
        while not stop.is_set() or i < len(calls):
            sample, _headers = _send(conn, calls[i % len(calls)])
            mine.append(sample)
            i += 1
            if not stop.is_set():
                stop.wait(pause)
    finally:
        conn.close()
        with lock:
            out.extend(mine)


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
    threads = [
        threading.Thread(target=_client, args=(host, port, mix, stop, samples, lock), daemon=True)
        for _ in range(clients)
    ]
    calls = hostile_calls(max_query_bytes, max_url_bytes)
    attacker = threading.Thread(
        target=_attacker,
        args=(host, port, calls, stop, samples, lock, hostile_pause),
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
    return Report(clients, elapsed, samples, mix.stale_retries)


# --- a server to hammer ------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hamar_graph_command() -> list[str]:
    """The ``hamar-graph`` executable installed next to this Python."""
    exe = Path(sys.executable).with_name("hamar-graph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "hamar_graph.cli"]


class ServeProcess:
    """``hamar-graph serve`` on a free loopback port, in its own process group.

    :param out_dir: the build output the server publishes (``HAMAR_GRAPH_OUT_DIR``).
    :param env: extra ``HAMAR_GRAPH_*`` variables.
    :param args: extra ``serve`` flags.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.out_dir = out_dir
        self.port = port or free_port()
        self.env = dict(env or {})
        self.args = list(args)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the process
            prefix="hamar-serve-", suffix=".log", delete=False
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> ServeProcess:
        """Start the server and wait until ``/`` answers."""
        inherited = {k: v for k, v in os.environ.items() if k != "FLASK_DEBUG"}
        env = {**inherited, "HAMAR_GRAPH_OUT_DIR": str(self.out_dir), **self.env}
        command = [
            *hamar_graph_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *self.args,
        ]
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hamar-graph serve exited:\n{self.output()}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request("GET", "/")
                if conn.getresponse().status < 500:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"hamar-graph serve did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        """What the server printed so far."""
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")[-5000:]

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server (its whole process group: master and workers) and wait."""
        if self.process is not None and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                # the master did not stop: kill it and its workers (its own process group)
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        self.process = None

    def close(self) -> None:
        """Stop the server and delete its log."""
        self.stop()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def build_output(out_dir: Path) -> None:
    """Run ``hamar-graph build --out out_dir`` (the dumps and the store the server serves)."""
    subprocess.run(
        [*hamar_graph_command(), "build", "--out", str(out_dir)],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=600,
    )


@contextmanager
def served(
    out_dir: Path | None = None, env: Mapping[str, str] | None = None, args: Sequence[str] = ()
) -> Iterator[ServeProcess]:
    """Build into ``out_dir`` (a temporary folder by default) and serve it while in the block."""
    with tempfile.TemporaryDirectory(prefix="hamar-load-") as tmp:
        folder = out_dir or Path(tmp) / "dist"
        if not (folder / "store").exists():
            build_output(folder)
        server = ServeProcess(folder, env=env, args=args).start()
        try:
            yield server
        finally:
            server.close()


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
