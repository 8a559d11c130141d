"""A small HTTP client for SPARQL requests, timed, that never raises on a failed answer."""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from benchmarks.query_path.workloads import JSON_RESULTS


@dataclass
class Answer:
    """One HTTP exchange."""

    status: int | None  #: None: no answer (connection error or client timeout)
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None


class Client:
    """One kept-alive HTTP/1.1 connection to 127.0.0.1, from a chosen source address."""

    def __init__(self, port: int, source: str | None = None, timeout: float = 30.0) -> None:
        self.port = port
        self.source = source
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connect(self) -> http.client.HTTPConnection:
        self.close()
        source = (self.source, 0) if self.source else None
        self.conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=self.timeout, source_address=source
        )
        return self.conn

    def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Answer:
        started = time.perf_counter()
        for attempt in (0, 1):
            reused = self.conn is not None
            conn = self.conn or self._connect()
            try:
                conn.request(method, path, body=body, headers=dict(headers or {}))
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                self.close()
                if reused and attempt == 0:  # a kept-alive connection the server closed
                    continue
                return Answer(None, time.perf_counter() - started, error=type(e).__name__)
            except (OSError, http.client.HTTPException) as e:
                self.close()
                return Answer(None, time.perf_counter() - started, error=type(e).__name__)
            if response.will_close:
                self.close()
            head = {k.lower(): v for k, v in response.getheaders()}
            return Answer(response.status, time.perf_counter() - started, head, data)
        raise AssertionError("unreachable")

    def sparql(self, path: str, query: str) -> Answer:
        qs = urllib.parse.urlencode({"query": query})
        return self.request("GET", f"{path}?{qs}", {"Accept": JSON_RESULTS})


def result_rows(answer: Answer) -> int | None:
    """Rows of a SPARQL JSON answer; None if it is not a 200 with a complete JSON body
    (the Oxigraph server sends 200 and then an error text when its timeout cancels a query)."""
    if answer.status != 200:
        return None
    try:
        data = json.loads(answer.body)
        return 1 if "boolean" in data else len(data["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None
