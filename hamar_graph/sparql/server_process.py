"""Query processes that are the Oxigraph server itself (``HAMAR_GRAPH_QUERY_ENGINE=server``).

By default a query process is Python running pyoxigraph (:mod:`hamar_graph.sparql.procs`).
With this engine it is ``oxigraph serve-read-only`` on the same store, the server binary
of the same Oxigraph version (the PyPI package ``oxigraph``): it answers heavy queries
5–10 % faster than the library does in a Python process, starts in about 30 ms, and
takes 10 MiB at rest (benchmarks/README.md, "The engine's own server as
the query process"). The pool treats it as any query process: one query at a time, killed
at the deadline and replaced, its address space capped (``RLIMIT_AS``, set before it
starts), its CPU priority lowered for a long query. What changes:

- the query goes to the process over HTTP on loopback (``POST /query``, one connection a
  query, ``Connection: close``), and the answer is read here without blocking, so the pool
  waits for it under the deadline as for a pipe;
- SELECT answers are asked for as SPARQL TSV (one line a solution) and CONSTRUCT/DESCRIBE
  answers as N-Triples (one line a triple), so the row cap counts lines as they arrive
  and closes the connection one row past it (the server then stops evaluating); another
  format is made here by Oxigraph's own parser and serialiser, as
  :func:`~hamar_graph.sparql.worker.execute` does in a Python query process;
- the process keeps its network (the pool must reach it), and the server runs a
  ``SERVICE`` it is given. So the guard's tokenizer refuses ``SERVICE`` and updates
  before a query is sent, and a text that mentions ``service`` anywhere never comes here:
  the pool runs it in a Python query process (:mod:`hamar_graph.sparql.on_demand`), with
  rdflib's check and no network, as the library engine runs every text. The server is
  read-only. Its port is on loopback, where other local users could reach it
  (docs/DECISIONS.md says when that matters).

.. versionadded:: 0.2
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import select
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox

from hamar_graph.sparql.procs import QueryProcess
from hamar_graph.sparql.worker import (
    GRAPH_FORMATS_OX,
    RESULT_FORMATS,
    QueryJob,
    QueryOutcome,
    cut_tsv,
    not_acceptable,
)

if TYPE_CHECKING:  # pragma: no cover
    from hamar_graph.store.base import EngineSource

#: Media types asked of the server, by format key.
_RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
_N_TRIPLES = "application/n-triples"

#: Where the server's syntax errors say they are (line:column).
_ERROR_AT = re.compile(r"error at (\d+):(\d+)")

#: Bytes read from the server at a time.
_CHUNK = 1 << 16


def find_binary() -> str | None:
    """The ``oxigraph`` command: beside this Python (a virtual environment's ``bin``), or
    on ``PATH``."""
    beside = os.path.join(os.path.dirname(sys.executable), "oxigraph")
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("oxigraph")


def server_recipe(source: EngineSource) -> tuple[str, str, bool]:
    """What the query processes of ``HAMAR_GRAPH_QUERY_ENGINE=server`` run: the ``oxigraph``
    command, the store's folder, and whether the default graph is the union of all graphs
    (a store with named graphs, as :mod:`hamar_graph.default_graph` decides).

    :raises ValueError: with what to do, when the store is not a persistent Oxigraph store
        or the command is not installed.
    """
    from hamar_graph.default_graph import has_named_graphs
    from hamar_graph.store.oxigraph import OxigraphSource

    if not isinstance(source, OxigraphSource) or source.path is None:
        raise ValueError(
            "HAMAR_GRAPH_QUERY_ENGINE=server needs the embedded store on disk "
            "(HAMAR_GRAPH_STORE=oxigraph, after `hamar-graph build`); use 'library' otherwise"
        )
    binary = find_binary()
    if binary is None:
        raise ValueError(
            "HAMAR_GRAPH_QUERY_ENGINE=server needs the `oxigraph` command: "
            "pip install 'oxigraph>=0.5,<0.6' (or use 'library')"
        )
    union = has_named_graphs(ox.Store.read_only(str(source.path)))
    return (binary, str(source.path), union)


@dataclass(frozen=True)
class Plan:
    """What was asked of the server for a job, and how its answer becomes the outcome."""

    form: str | None
    media_type: str
    #: ``tsv`` or ``nt``: the answer has one line a row, cut at the cap; None: passed on
    lines: str | None
    #: the request puts ``BASE <endpoint>`` on a line above the client's text
    base_line: bool = False


def plan(job: QueryJob) -> Plan | QueryOutcome:
    """The request's media type for ``job``, or the outcome at once (406)."""
    form = job.form
    if form == "ASK":
        if job.tabular_format is None:
            return not_acceptable("ASK")
        return Plan(form, _RESULT_TYPES[job.tabular_format], None, bool(job.base_iri))
    if form in ("CONSTRUCT", "DESCRIBE"):
        if job.graph_format is None:
            return not_acceptable(form)
        return Plan(form, _N_TRIPLES, "nt", bool(job.base_iri))
    if job.tabular_format is None:
        return not_acceptable("SELECT")
    return Plan("SELECT", _RESULT_TYPES["tsv"], "tsv", bool(job.base_iri))


def precheck(job: QueryJob) -> QueryOutcome | None:
    """The outcome of ``job`` decided before it is sent (a form whose results are not
    acceptable in the client's formats: 406), or None. A text that mentions ``service``
    never comes here: the pool runs it in a Python query process (rdflib's check, no
    network)."""
    asked = plan(job)
    return asked if isinstance(asked, QueryOutcome) else None


def request_bytes(job: QueryJob, media_type: str, union: bool = False) -> bytes:
    """The HTTP request for ``job``: the query in the body (no URL length to mind), the
    protocol's dataset in the URL, the endpoint's URL as the base of relative IRIs.

    :param union: the store has named graphs, so a query with no dataset of its own reads
        the union of all graphs as its default graph, as
        :func:`~hamar_graph.sparql.worker.execute` has pyoxigraph do
        (:mod:`hamar_graph.default_graph`): the server's ``union-default-graph``
        parameter.
    """
    text = job.query if not job.base_iri else f"BASE <{job.base_iri}>\n{job.query}"
    params = []
    if job.protocol_dataset:
        params += [f"default-graph-uri={quote(g, safe='')}" for g in job.default_graphs]
        params += [f"named-graph-uri={quote(g, safe='')}" for g in job.named_graphs]
    elif union and not job.dataset_clause:
        params.append("union-default-graph")
    target = "/query" + ("?" + "&".join(params) if params else "")
    body = text.encode("utf-8")
    head = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: application/sparql-query\r\nAccept: {media_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


@dataclass
class Response:
    """An HTTP response read a piece at a time, with its body's lines counted: reading
    stops once the body holds ``max_lines`` lines (the rest is past the row cap)."""

    max_lines: int | None
    raw: bytearray = field(default_factory=bytearray)
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    chunked: bool = False
    length: int | None = None
    lines: int = 0
    complete: bool = False  #: the whole body was read
    capped: bool = False  #: reading stopped at ``max_lines``
    ended: bool = False  #: the connection ended

    @property
    def done(self) -> bool:
        """Nothing more to read."""
        return self.complete or self.capped or self.ended

    def feed(self, data: bytes) -> None:
        """Take the next bytes read (``b""`` at the end of the connection); bytes that are
        not HTTP end the reading (the answer is then incomplete)."""
        try:
            self._feed(data)
        except (ValueError, IndexError):
            self.ended = True

    def _feed(self, data: bytes) -> None:
        if not data:
            self.ended = True
            if self.status and not self.chunked and self.length is None:
                self.complete = True  # the body ends with the connection
            return
        self.raw += data
        if not self.status:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.raw[:end]).decode("latin-1").split("\r\n")
            del self.raw[: end + 4]
            self.status = int(head[0].split()[1])
            for line in head[1:]:
                name, _, value = line.partition(":")
                self.headers[name.strip().lower()] = value.strip()
            self.chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
            if "content-length" in self.headers:
                self.length = int(self.headers["content-length"])
        self._take()

    def _take(self) -> None:
        if not self.chunked:
            self._append(bytes(self.raw))
            self.raw.clear()
            if self.length is not None and len(self.body) >= self.length:
                self.complete = True
            return
        while not self.done:
            end = self.raw.find(b"\r\n")
            if end < 0:
                return
            size = int(bytes(self.raw[:end]).split(b";")[0], 16)
            if size == 0:
                self.complete = True
                return
            if len(self.raw) < end + 2 + size + 2:
                return
            self._append(bytes(self.raw[end + 2 : end + 2 + size]))
            del self.raw[: end + 2 + size + 2]

    def _append(self, data: bytes) -> None:
        self.body += data
        if self.max_lines is not None and self.status == 200:
            self.lines += data.count(b"\n")
            if self.lines >= self.max_lines:
                self.capped = True


class ServerLink:
    """The pool's side of one query process that is an Oxigraph server: send a job, wait
    for its answer without blocking, read it as a :class:`QueryOutcome`. Quacks like the
    pipe of a Python query process (``poll``, ``recv``, ``close``)."""

    def __init__(self, port: int, union: bool = False) -> None:
        self.port = port
        self.union = union  #: the store has named graphs (:func:`request_bytes`)
        self._sock: socket.socket | None = None
        self._job: QueryJob | None = None
        self._plan: Plan | None = None
        self._response: Response | None = None
        self._ready: QueryOutcome | None = None

    def send(self, job: QueryJob) -> None:
        """Send ``job``, which :func:`precheck` let through.

        :raises OSError: when the process does not accept the connection (it died).
        """
        self.close()
        asked = plan(job)
        if isinstance(asked, QueryOutcome):  # pragma: no cover - precheck answered it
            self._job, self._plan, self._response, self._ready = job, None, None, asked
            return
        self._job, self._plan, self._ready = job, asked, None
        cap = None if asked.lines is None else job.max_rows + (2 if asked.lines == "tsv" else 1)
        self._response = Response(cap)
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=1.0)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request_bytes(job, asked.media_type, self.union))
        sock.setblocking(False)
        self._sock = sock

    def poll(self, timeout: float) -> bool:
        """Read what the server sends for up to ``timeout`` seconds; True once the answer
        is complete (or the connection ended)."""
        if self._ready is not None or self._response is None or self._sock is None:
            return True
        deadline = time.monotonic() + timeout
        response, sock = self._response, self._sock
        while not response.done:
            try:
                data = sock.recv(_CHUNK)
            except BlockingIOError:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                _wait_readable(sock, remaining)
                continue
            except OSError:
                data = b""
            response.feed(data)
        return True

    def recv(self) -> QueryOutcome:
        """The answer, once :meth:`poll` said it is complete.

        :raises EOFError: when the process ended the connection before answering (it died).
        """
        if self._ready is not None:
            return self._ready
        response, job, asked = self._response, self._job, self._plan
        self.close()
        if response is None or job is None or asked is None or not response.status:
            raise EOFError("the query process ended the connection")
        if not (response.complete or response.capped):
            raise EOFError("the query process ended the connection mid-answer")
        if response.status != 200:
            return _refused(response, asked)
        try:
            return outcome(bytes(response.body), job, asked, response.capped)
        except MemoryError:
            raise
        except Exception as exc:  # an answer Oxigraph's own parser cannot read back
            return QueryOutcome(500, asked.form, message=f"The query failed while running: {exc}")

    def close(self) -> None:
        """Close the connection (the server stops a query it can no longer answer)."""
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None


@dataclass(eq=False)
class ServerProcess(QueryProcess):
    """A query process that is the Oxigraph server: jobs go to it over HTTP
    (:class:`ServerLink`), not pickled over a pipe."""

    def send(self, payload: Any) -> None:
        self.conn.send(payload)

    @staticmethod
    def encode(job: Any) -> Any:
        return job


def server_ready(proc: QueryProcess, port: int, timeout: float, *, union: bool) -> ServerProcess:
    """``proc``, which became the Oxigraph server on ``port``, once it accepts connections.

    :raises RuntimeError: when it ended, or did not accept one within ``timeout`` seconds.
    """
    proc.conn.close()
    server = ServerProcess(proc.pid, ServerLink(port, union), proc.pidfd, proc.log_path)  # type: ignore[arg-type]
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
            return server
        except OSError:
            pass
        ended = server.pidfd is not None and select.select([server.pidfd], [], [], 0)[0]
        if ended or time.monotonic() > deadline:
            words = server.last_words()
            server.close()
            raise RuntimeError(
                f"the Oxigraph server did not start on port {port}: {words or 'no answer'}"
            ) from None
        time.sleep(0.005)


def _wait_readable(sock: socket.socket, timeout: float) -> None:
    try:
        select.select([sock], [], [], timeout)
    except OSError as exc:  # pragma: no cover - an interrupted wait is retried by the loop
        if exc.errno != errno.EINTR:
            raise


def _refused(response: Response, asked: Plan) -> QueryOutcome:
    text = bytes(response.body).decode("utf-8", "replace").strip()
    if response.status == 400 and asked.base_line:
        # the position in the client's text, above which the request put a BASE line
        text = _ERROR_AT.sub(lambda m: f"error at {max(int(m[1]) - 1, 1)}:{m[2]}", text, count=1)
    if response.status == 400:
        return QueryOutcome(400, asked.form, message=f"SPARQL syntax error: {text}")
    return QueryOutcome(500, asked.form, message=f"The query failed while running: {text}")


def outcome(body: bytes, job: QueryJob, asked: Plan, capped: bool = False) -> QueryOutcome:
    """The server's answer ``body`` to ``job`` as the worker's outcome: cut at the row cap
    and in the client's format (:func:`~hamar_graph.sparql.worker.execute`'s result).

    :param capped: reading stopped at the row cap, maybe inside a line (which is dropped).
    """
    if capped:
        body = body[: body.rfind(b"\n") + 1]
    if asked.lines == "tsv":
        tsv = cut_tsv(body, job)
        if job.tabular_format == "tsv":
            return tsv
        kept = ox.parse_query_results(tsv.body, format=ox.QueryResultsFormat.TSV)
        fmt = getattr(ox.QueryResultsFormat, RESULT_FORMATS[job.tabular_format or "json"])
        converted = kept.serialize(format=fmt) or b""  # type: ignore[union-attr]
        return QueryOutcome(200, "SELECT", job.tabular_format, converted, tsv.truncated, tsv.count)
    form = asked.form or "CONSTRUCT"
    if asked.lines == "nt":
        lines = [line + b"\n" for line in body.split(b"\n") if line]
        truncated = len(lines) > job.max_rows
        kept_lines = lines[: job.max_rows]
        if job.graph_format == "nt":
            return QueryOutcome(200, form, "nt", b"".join(kept_lines), truncated, len(kept_lines))
        triples = list(ox.parse(b"".join(kept_lines), format=ox.RdfFormat.N_TRIPLES))
        fmt = getattr(ox.RdfFormat, GRAPH_FORMATS_OX[job.graph_format or "nt"])
        prefixes = dict(job.prefixes) if job.graph_format in ("ttl", "rdf") else None
        serialised = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
        return QueryOutcome(200, form, job.graph_format, serialised, truncated, len(triples))
    return QueryOutcome(200, "ASK", job.tabular_format, body, count=1)
