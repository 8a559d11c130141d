"""The client threads of :mod:`benchmarks.load`: connections, discovery and the send loops.

Each client keeps one HTTP/1.1 :class:`Connection` and retries a request once on a new
connection when a kept-alive one turns out to be closed by the server; :func:`discover`
finds the entity pages, indexes and dumps before the run; :func:`_send` sends one call
(following a redirect on the same host) and times it into a :class:`Sample`;
:func:`_client` sends ordinary calls back to back and :func:`_attacker` one hostile call
at a time until the run stops, finishing its round.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from benchmarks.load_calls import Call, Mix, Site

#: Seconds one request may take before the client gives up (counted as a connection error).
REQUEST_TIMEOUT = 120.0


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

    def __init__(self, host: str, port: int, source: str | None = None) -> None:
        self.host = host
        self.port = port
        self.source = source  #: the local address it connects from (None: the system's choice)
        self.conn: http.client.HTTPConnection | None = None
        self.stale_retries = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _fresh(self) -> http.client.HTTPConnection:
        self.close()
        source = (self.source, 0) if self.source else None
        self.conn = http.client.HTTPConnection(
            self.host, self.port, timeout=REQUEST_TIMEOUT, source_address=source
        )
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
    host: str,
    port: int,
    source: str | None,
    mix: Mix,
    stop: threading.Event,
    out: list[Sample],
    lock: threading.Lock,
) -> None:
    conn = Connection(host, port, source)
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
    source: str | None,
    calls: Sequence[Call],
    stop: threading.Event,
    out: list[Sample],
    lock: threading.Lock,
    pause: float,
) -> None:
    conn = Connection(host, port, source)
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
