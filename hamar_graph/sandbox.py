"""Run untrusted SPARQL queries in worker processes that can be stopped.

DESIGN.md ("The query sandbox") explains why: neither rdflib nor pyoxigraph can
cancel a query, limit its memory or stop it from calling out. So each query runs
in a worker process of a :class:`QueryPool`:

- the worker is started with the ``spawn`` method and opens the store itself: a
  persistent Oxigraph store read-only, or its own in-memory copy loaded once from
  N-Quads that the pool sends at start;
- it caps its own address space (``RLIMIT_AS``) once loaded, and drops network
  access (a new network namespace) where the kernel allows it;
- it checks the query with :func:`hamar_graph.protocol.algebra_guard`, runs it,
  cuts the result at ``max_rows`` and serialises it with pyoxigraph's own
  serialisers, so the web process only passes bytes on;
- the pool waits for the answer up to the deadline; past it, the worker is killed
  and replaced, and the caller gets :class:`QueryStopped` (503). A worker that dies
  (out of memory, or killed) is replaced the same way.

A request waits for a free worker only as long as its deadline allows.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import logging
import multiprocessing
import os
import queue
import resource
import signal
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from hamar_graph.protocol import (
    GRAPH_FORMATS,
    TABULAR_FORMATS,
    ProtocolError,
    algebra_guard,
    kind_of,
)

log = logging.getLogger(__name__)

#: How long a new worker may take to start and load its data.
STARTUP_TIMEOUT = 120.0

_QR_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}


class QueryStopped(ProtocolError):
    """The query was stopped, or could not start: 503 with a message naming the limit.

    :param reason: ``timeout``, ``memory``, ``crash``, ``busy`` or ``unavailable``.
    """

    def __init__(self, reason: str, message: str, retry_after: int = 1) -> None:
        super().__init__(503, message, {"Retry-After": str(retry_after)})
        self.reason = reason


@dataclass(frozen=True)
class StoreSource:
    """Where a worker gets its data: a persistent store folder, N-Quads bytes, or a
    remote SPARQL 1.1 endpoint it forwards the (checked) queries to.

    .. versionadded:: 0.1
    """

    path: str | None = None
    nquads: bytes | None = None
    remote: str | None = None  #: query URL of a remote engine

    @classmethod
    def for_store(cls, store: Any) -> StoreSource:
        """The source for a :class:`hamar_graph.store.Store`.

        A persistent :class:`~hamar_graph.store.OxigraphStore` is opened read-only by
        each worker; a remote store's endpoint gets the queries forwarded; any other store
        is copied once as N-Quads.
        """
        path = getattr(store, "path", None)
        native = getattr(store, "native", None)
        if path is not None and native is not None:
            return cls(path=str(path))
        if native is not None:
            return cls(nquads=native.dump(format=ox.RdfFormat.N_QUADS))
        if getattr(store, "name", None) == "remote" and getattr(store, "endpoint", None):
            return cls(remote=str(store.endpoint))
        return cls(nquads=_nquads_of(store))


def _nquads_of(store: Any) -> bytes:
    """Copy any Store's named graphs as N-Quads, through its query interface."""
    from hamar_graph.store import to_ox

    quads = []
    for row in store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"):
        quads.append(
            ox.Quad(to_ox(row["s"]), to_ox(row["p"]), to_ox(row["o"]), to_ox(row["g"]))  # type: ignore[arg-type]
        )
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


@dataclass(frozen=True)
class QueryJob:
    """One query for a worker.

    .. versionadded:: 0.1
    """

    query: str
    tabular_format: str | None  #: key of the SELECT/ASK format, None when not acceptable
    graph_format: str | None  #: key of the CONSTRUCT/DESCRIBE format, None when not acceptable
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    protocol_dataset: bool = False  #: default-graph-uri / named-graph-uri were given
    dataset_clause: bool = False  #: the query has FROM / FROM NAMED
    prefixes: Mapping[str, str] = field(default_factory=dict)  #: for Turtle and RDF/XML
    form: str | None = None  #: the form the tokenizer found, when rdflib cannot tell
    base_iri: str | None = None  #: resolves relative IRIs (the endpoint's URL)


@dataclass(frozen=True)
class QueryOutcome:
    """What a worker answers: a status, and the body ready to send.

    .. versionadded:: 0.1
    """

    status: int
    form: str | None = None
    format_key: str | None = None
    body: bytes = b""
    truncated: bool = False
    count: int = 0  #: rows or triples returned
    message: str | None = None  #: the error message when status is not 200
    reason: str | None = None  #: for a 503: ``memory`` or ``unavailable``

    @property
    def media_type(self) -> str | None:
        """The media type of :attr:`body`."""
        formats = TABULAR_FORMATS if kind_of(self.form) == "tabular" else GRAPH_FORMATS
        fmt = formats.get(self.format_key or "")
        return fmt.media_type if fmt else None


# --- running one query (inside the worker) -------------------------------------------------


def execute(store: ox.Store | RemoteEngine, job: QueryJob) -> QueryOutcome:
    """Check and run ``job`` on ``store`` and serialise its result.

    Runs in the worker process; also usable directly on a trusted store.

    .. versionadded:: 0.1
    """
    verdict = algebra_guard(job.query)
    form = verdict.form or job.form
    if verdict.refusal is not None:
        return QueryOutcome(verdict.refusal[0], form, message=verdict.refusal[1])
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    if job.protocol_dataset:
        # The protocol's dataset replaces the query's (SPARQL 1.1 Protocol, 2.1.4).
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif not job.dataset_clause:
        kwargs["use_default_graph_as_union"] = True
    if isinstance(store, RemoteEngine):
        kwargs["form"] = form
    try:
        result = store.query(job.query, **kwargs)
    except ConnectionError as exc:
        return QueryOutcome(503, form, message=f"{exc}.", reason="unavailable")
    except SyntaxError as exc:
        return QueryOutcome(400, form, message=f"SPARQL syntax error: {exc}")
    except ValueError as exc:
        return QueryOutcome(400, form, message=f"Invalid query: {exc}")
    try:
        if isinstance(result, ox.QueryBoolean):
            return _boolean(result, job)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, job)
        return _triples(result, job, "DESCRIBE" if form == "DESCRIBE" else "CONSTRUCT")
    except MemoryError:
        raise
    except Exception as exc:  # evaluation errors surface while iterating
        return QueryOutcome(500, form, message=f"The query failed while running: {exc}")


def _not_acceptable(form: str) -> QueryOutcome:
    kind = kind_of(form)
    types = ", ".join(
        f.media_type for f in (TABULAR_FORMATS if kind == "tabular" else GRAPH_FORMATS).values()
    )
    return QueryOutcome(
        406, form, message=f"Not acceptable: {form} results are available as: {types}."
    )


def _boolean(result: ox.QueryBoolean, job: QueryJob) -> QueryOutcome:
    if job.tabular_format is None:
        return _not_acceptable("ASK")
    body = result.serialize(format=_QR_FORMATS[job.tabular_format]) or b""
    return QueryOutcome(200, "ASK", job.tabular_format, body, count=1)


def _solutions(result: ox.QuerySolutions, job: QueryJob) -> QueryOutcome:
    if job.tabular_format is None:
        return _not_acceptable("SELECT")
    variables = result.variables
    rows = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(rows) > job.max_rows
    rows = rows[: job.max_rows]
    # TSV writes every term in its SPARQL/N-Triples syntax, so it is lossless: write the
    # kept rows as TSV, parse them back, and let pyoxigraph serialise the result.
    lines = ["\t".join(str(v) for v in variables)]
    for row in rows:  # a solution iterates over its values in variable order
        lines.append("\t".join(_tsv_term(term) for term in row))
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    kept = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    body = kept.serialize(format=_QR_FORMATS[job.tabular_format]) or b""  # type: ignore[union-attr]
    return QueryOutcome(200, "SELECT", job.tabular_format, body, truncated, len(rows))


def _tsv_term(term: object) -> str:
    """A term in SPARQL TSV syntax. pyoxigraph writes a top-level triple term without its
    ``<<( … )>>`` brackets (nested ones keep them), so they are added here."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<<( {term} )>>"
    return str(term)


def _triples(result: ox.QueryTriples, job: QueryJob, form: str) -> QueryOutcome:
    if job.graph_format is None:
        return _not_acceptable(form)
    triples = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    triples = triples[: job.max_rows]
    fmt = _RDF_FORMATS[job.graph_format]
    prefixes = dict(job.prefixes) if job.graph_format in ("ttl", "rdf") else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
    return QueryOutcome(200, form, job.graph_format, body, truncated, len(triples))


# --- the worker process --------------------------------------------------------------------

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _isolate_network() -> bool:
    """Move this process into a new, empty network namespace (no route anywhere).

    Needs CAP_SYS_ADMIN or unprivileged user namespaces; returns whether it worked.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


class RemoteEngine:
    """Forwards a query that passed the guards to a remote SPARQL 1.1 endpoint, and reads
    the answer back as pyoxigraph results, so that the same row cap and serialisers apply.

    :param endpoint: the engine's query URL.
    :param timeout: seconds to wait for its answer.

    .. versionadded:: 0.1
    """

    def __init__(self, endpoint: str, timeout: float) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise ValueError(f"only http(s) endpoints are supported, not {endpoint!r}")
        self.endpoint = endpoint  # operator-configured (HAMAR_GRAPH_ENDPOINT), never a request's
        self.timeout = timeout

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        form: str | None = None,
    ) -> Any:
        """Run ``query`` remotely; the dataset arguments become protocol parameters.

        :raises SyntaxError: when the engine answers 400.
        :raises ConnectionError: when it cannot be reached or fails.
        """
        import urllib.error
        import urllib.parse
        import urllib.request

        params: list[tuple[str, str]] = [("query", query)]
        params += [("default-graph-uri", g.value) for g in default_graph or []]
        params += [("named-graph-uri", g.value) for g in named_graphs or []]
        if kind_of(form) == "graph":
            accept = "application/n-triples"
        elif kind_of(form) == "tabular":
            accept = "application/sparql-results+json"
        else:
            accept = "application/sparql-results+json, application/n-triples;q=0.9"
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.endpoint,
            data=urllib.parse.urlencode(params).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                media_type = response.headers.get_content_type()
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:1000]
            if exc.code == 400:
                raise SyntaxError(detail or "the engine refused the query") from None
            raise ConnectionError(f"the SPARQL engine answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ConnectionError(f"the SPARQL engine cannot be reached ({reason})") from None
        if media_type in ("application/sparql-results+json", "application/json"):
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if media_type == "application/n-triples" or media_type == "text/plain":
            return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        raise ConnectionError(f"the SPARQL engine answered with {media_type}, not asked for")


def _open_store(source: StoreSource, timeout: float = 10.0) -> Any:
    if source.remote is not None:
        return RemoteEngine(source.remote, timeout)
    if source.path is not None:
        return ox.Store.read_only(source.path)
    store = ox.Store()
    if source.nquads:
        store.bulk_load(source.nquads, format=ox.RdfFormat.N_QUADS)
    return store


def _worker_main(
    conn: Connection,
    source: StoreSource,
    memory_mb: int,
    isolate_network: bool,
    log_path: str,
    timeout: float = 10.0,
) -> None:  # pragma: no cover - runs in the child process; covered through the pool
    """The worker's loop: open the store, cap memory, answer jobs until told to stop."""
    # Engine messages (an allocation failure, a crash) go to a file the pool reads.
    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError:  # the pool is closing and removed its folder
        return
    os.dup2(fd, 2)
    os.close(fd)
    os.environ["RUST_BACKTRACE"] = "0"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker that forwards to a remote engine needs the network.
    isolated = _isolate_network() if isolate_network and source.remote is None else False
    try:
        store = _open_store(source, timeout)
        algebra_guard("ASK {}")  # import and warm the parser before the cap
        limit = memory_mb * 1024 * 1024
        used = _address_space()
        if used >= limit:
            raise MemoryError(
                f"the worker needs {used // 2**20} MiB at rest, above the cap of {memory_mb} MiB"
            )
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid(), isolated))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            outcome = execute(store, job)
        except MemoryError:
            outcome = QueryOutcome(
                503,
                message=f"memory cap of {memory_mb} MiB reached (HAMAR_GRAPH_QUERY_MEMORY_MB)",
                reason="memory",
            )
        except RecursionError:
            outcome = QueryOutcome(400, message="The query is nested too deeply to run.")
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send(QueryOutcome(503, message="the result is too large to send", reason="memory"))


def _address_space() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# --- the pool ------------------------------------------------------------------------------


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, process: Any, conn: Connection, log_path: str) -> None:
        self.process = process
        self.conn = conn
        self.log_path = log_path
        self.isolated = False
        self.busy_since: float | None = None

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        with contextlib.suppress(OSError):
            os.unlink(self.log_path)

    def last_words(self) -> str:
        """What the worker wrote to its stderr (the end of it), e.g. the engine's
        "memory allocation of N bytes failed" before an abort."""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(fh.tell() - 4096, 0))
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for line in lines:
            if "memory allocation" in line or "MemoryError" in line:
                return line
        return lines[-1] if lines else ""


class QueryPool:
    """A fixed number of query worker processes, shared by the threads of one server process.

    :param source: where workers get their data (:meth:`StoreSource.for_store`).
    :param size: number of workers.
    :param timeout: deadline of one query in seconds, counted from :meth:`run`'s call,
        waiting for a free worker included.
    :param memory_mb: address-space cap of each worker.
    :param isolate_network: drop the workers' network access where possible.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        source: StoreSource,
        *,
        size: int = 2,
        timeout: float = 10.0,
        memory_mb: int = 1024,
        isolate_network: bool = True,
    ) -> None:
        self.source = source
        self.size = size
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.isolate_network = isolate_network
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._spawning: set[threading.Thread] = set()
        self._ready = threading.Condition(self._lock)
        self._tmp = tempfile.mkdtemp(prefix="hamar-sparql-")
        self.started = 0  #: workers started since the pool was made (replacements included)
        self.last_error: str | None = None

    # -- lifecycle

    def start(self, wait: bool = True, timeout: float = STARTUP_TIMEOUT) -> QueryPool:
        """Start the workers; with ``wait``, return once all are ready.

        :raises QueryStopped: when ``wait`` and no worker came up in ``timeout`` seconds.
        """
        for _ in range(self.size):
            self._spawn_async()
        if wait:
            self.wait_ready(self.size, timeout)
        return self

    def wait_ready(self, count: int | None = None, timeout: float = STARTUP_TIMEOUT) -> None:
        """Block until ``count`` workers (default: all) are alive and ready."""
        count = self.size if count is None else count
        deadline = time.monotonic() + timeout
        with self._ready:
            while len(self._workers) < count:
                if self._closed:
                    raise QueryStopped("unavailable", "the query service is shutting down")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryStopped(
                        "unavailable",
                        "the query workers did not start"
                        + (f": {self.last_error}" if self.last_error else ""),
                    )
                self._ready.wait(remaining)

    def close(self) -> None:
        """Stop every worker. The pool cannot be used afterwards."""
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
            self._ready.notify_all()
            spawning = list(self._spawning)
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.stop()
        for thread in spawning:  # a worker being started stops itself once it is up
            thread.join(STARTUP_TIMEOUT)
        with contextlib.suppress(OSError):
            for name in os.listdir(self._tmp):
                os.unlink(os.path.join(self._tmp, name))
            os.rmdir(self._tmp)

    def __enter__(self) -> QueryPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- introspection (for tests and health checks)

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return sorted(self._workers)

    def busy_pids(self) -> list[int]:
        """Process ids of the workers running a query now."""
        with self._lock:
            return sorted(pid for pid, w in self._workers.items() if w.busy_since is not None)

    def isolated(self) -> bool:
        """True when every live worker runs without network access."""
        with self._lock:
            return bool(self._workers) and all(w.isolated for w in self._workers.values())

    # -- running

    def run(self, job: QueryJob) -> QueryOutcome:
        """Run ``job`` in a worker under the deadline.

        :raises QueryStopped: past the deadline, when the worker dies, or when no worker
            frees up in time.
        """
        deadline = time.monotonic() + self.timeout
        for _attempt in range(2):
            worker = self._acquire(deadline)
            try:
                worker.conn.send(job)
            except (OSError, ValueError):
                # It died while idle: the job never ran, so another worker may take it.
                self._replace(worker)
                continue
            return self._await(worker, deadline)
        raise QueryStopped("crash", "the query workers are restarting; try again in a moment")

    def _acquire(self, deadline: float) -> _Worker:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closed:
                raise QueryStopped(
                    "busy",
                    f"All {self.size} query workers stayed busy for the whole deadline of "
                    f"{self.timeout:g} s (HAMAR_GRAPH_QUERY_TIMEOUT); try again in a moment.",
                    retry_after=max(1, int(self.timeout)),
                )
            try:
                worker = self._idle.get(timeout=remaining)
            except queue.Empty:
                continue
            if worker.process.is_alive() and worker.pid in self._workers:
                worker.busy_since = time.monotonic()
                return worker
            self._replace(worker)

    def _await(self, worker: _Worker, deadline: float) -> QueryOutcome:
        remaining = max(deadline - time.monotonic(), 0.0)
        try:
            ready = worker.conn.poll(remaining)
        except (OSError, EOFError):
            ready = True
        if not ready:
            self._replace(worker)
            raise QueryStopped(
                "timeout",
                f"The query was stopped: it ran past the deadline of {self.timeout:g} s "
                "(HAMAR_GRAPH_QUERY_TIMEOUT). Narrow it down, or add a LIMIT.",
            )
        try:
            outcome: QueryOutcome = worker.conn.recv()
        except (EOFError, OSError, ValueError):
            worker.process.join(1)
            exitcode = worker.process.exitcode
            words = worker.last_words()
            self._replace(worker)
            raise self._death(exitcode, words) from None
        worker.busy_since = None
        if outcome.status == 503 and outcome.reason == "memory":
            # A MemoryError inside Python: the worker may be in a bad state; replace it.
            self._replace(worker)
            raise QueryStopped("memory", f"The query was stopped: {outcome.message}.")
        self._idle.put(worker)
        if outcome.status == 503:
            raise QueryStopped(outcome.reason or "unavailable", outcome.message or "unavailable")
        return outcome

    def _death(self, exitcode: int | None, words: str) -> QueryStopped:
        log.warning("query worker died (exit code %s): %s", exitcode, words or "no message")
        if "memory allocation" in words or "MemoryError" in words or "out of memory" in words:
            return QueryStopped(
                "memory",
                f"The query was stopped: it reached the memory cap of {self.memory_mb} MiB "
                "(HAMAR_GRAPH_QUERY_MEMORY_MB).",
            )
        if exitcode == -signal.SIGABRT:
            return QueryStopped(
                "memory",
                f"The query was stopped: the engine aborted, most likely at the memory cap of "
                f"{self.memory_mb} MiB (HAMAR_GRAPH_QUERY_MEMORY_MB).",
            )
        return QueryStopped(
            "crash",
            "The query was stopped: the process running it ended unexpectedly "
            f"(exit code {exitcode}). It has been replaced; try again.",
        )

    # -- workers

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            known = self._workers.pop(worker.pid, None) is not None
        threading.Thread(target=worker.stop, daemon=True).start()
        if known and not self._closed:
            self._spawn_async()

    def _spawn_async(self) -> None:
        thread = threading.Thread(target=self._spawn, name="sparql-worker-start", daemon=True)
        with self._lock:
            if self._closed:
                return
            self._spawning.add(thread)
        thread.start()

    def _spawn(self) -> None:
        try:
            for attempt in range(5):
                if self._closed:
                    return
                try:
                    worker = self._start_one()
                except Exception as exc:
                    if self._closed:
                        return
                    self.last_error = str(exc)
                    log.error("query worker failed to start (attempt %d): %s", attempt + 1, exc)
                    for _ in range(int(min(2**attempt, 10) * 10)):
                        if self._closed:
                            return
                        time.sleep(0.1)
                    continue
                with self._lock:
                    if self._closed:
                        worker.stop()
                        return
                    self._workers[worker.pid] = worker
                    self.started += 1
                    self._ready.notify_all()
                self._idle.put(worker)
                return
        finally:
            with self._lock:
                self._spawning.discard(threading.current_thread())

    def _start_one(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        fd, log_path = tempfile.mkstemp(prefix="worker-", suffix=".log", dir=self._tmp)
        os.close(fd)
        process = self._ctx.Process(
            target=_worker_main,
            args=(
                child,
                self.source,
                self.memory_mb,
                self.isolate_network,
                log_path,
                self.timeout,
            ),
            name="hamar-sparql-worker",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent, log_path)
        if not parent.poll(STARTUP_TIMEOUT):
            worker.stop()
            raise RuntimeError(f"no answer from the worker within {STARTUP_TIMEOUT:g} s")
        try:
            message = parent.recv()
        except (EOFError, OSError) as exc:
            words = worker.last_words()
            worker.stop()
            raise RuntimeError(f"the worker died while starting: {words or exc}") from None
        if message[0] != "ready":
            worker.stop()
            raise RuntimeError(message[1])
        worker.isolated = bool(message[2])
        return worker
