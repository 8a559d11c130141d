"""The query worker: check, run and serialise one query, inside its own process."""

from __future__ import annotations

import ctypes
import itertools
import os
import resource
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from hamar_graph.rdf.formats import GRAPH_FORMATS, TABULAR_FORMATS, kind_of
from hamar_graph.sparql.guard import algebra_guard
from hamar_graph.store.base import EngineSource, QueryEngine


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


def execute(engine: QueryEngine, job: QueryJob) -> QueryOutcome:
    """Check and run ``job`` on ``engine`` and serialise its result.

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
    try:
        result = engine.query(job.query, form=form, **kwargs)
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
    body = result.serialize(format=TABULAR_FORMATS[job.tabular_format].oxigraph) or b""
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
    body = kept.serialize(format=TABULAR_FORMATS[job.tabular_format].oxigraph) or b""  # type: ignore[union-attr]
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
    fmt = GRAPH_FORMATS[job.graph_format].oxigraph
    prefixes = dict(job.prefixes) if job.graph_format in ("ttl", "rdf") else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
    return QueryOutcome(200, form, job.graph_format, body, truncated, len(triples))


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


def _worker_main(
    conn: Connection,
    source: EngineSource,
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
    isolated = _isolate_network() if isolate_network and not source.needs_network else False
    try:
        engine = source.open(timeout)
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
            outcome = execute(engine, job)
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
