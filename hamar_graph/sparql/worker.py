"""The query worker: check, run and serialise one query, inside its own process.

This module is what a query process imports (:mod:`hamar_graph.sparql.procs`), so it
imports nothing heavy at the top: the standard library, pyoxigraph and the tokenizer.
rdflib is loaded only for the rare query text that mentions ``service``
(:func:`mentions_service`), to double-check it with rdflib's algebra.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from hamar_graph.default_graph import OxigraphEngine
from hamar_graph.sparql.guard import algebra_guard, mentions_service

if TYPE_CHECKING:  # pragma: no cover
    from hamar_graph.store.base import QueryEngine


#: pyoxigraph's name of each SELECT/ASK format key
#: (:data:`hamar_graph.rdf.formats.TABULAR_FORMATS`).
RESULT_FORMATS: Mapping[str, str] = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}


#: pyoxigraph's name of each CONSTRUCT/DESCRIBE format key
#: (:data:`~hamar_graph.rdf.formats.GRAPH_FORMATS`).
GRAPH_FORMATS_OX: Mapping[str, str] = {
    "ttl": "TURTLE",
    "nt": "N_TRIPLES",
    "jsonld": "JSON_LD",
    "rdf": "RDF_XML",
}


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
    #: rows or triples returned; ``None`` when not counted (a SELECT answered in JSON by
    #: :func:`execute_bounded`, whose bindings are its rows)
    count: int | None = 0
    message: str | None = None  #: the error message when status is not 200
    reason: str | None = None  #: for a 503: ``memory`` or ``unavailable``

    @property
    def media_type(self) -> str | None:
        """The media type of :attr:`body`."""
        from hamar_graph.rdf.formats import GRAPH_FORMATS, TABULAR_FORMATS, kind_of

        formats = TABULAR_FORMATS if kind_of(self.form) == "tabular" else GRAPH_FORMATS
        fmt = formats.get(self.format_key or "")
        return fmt.media_type if fmt else None


class NativeEngine(OxigraphEngine):
    """The store's engine (:class:`~hamar_graph.default_graph.OxigraphEngine`) for query
    processes, which must not import the store package (and with it rdflib)."""

    @classmethod
    def open(cls, path: str | None, nquads_path: str | None) -> NativeEngine:
        """A persistent store opened read-only, or an in-memory one loaded from N-Quads."""
        if path is not None:
            return cls(ox.Store.read_only(path))
        store = ox.Store()
        if nquads_path:
            store.bulk_load(path=nquads_path, format=ox.RdfFormat.N_QUADS)
        return cls(store)


def execute(engine: QueryEngine, job: QueryJob) -> QueryOutcome:
    """Check and run ``job`` on ``engine`` and serialise its result.

    Runs in the worker process; also usable directly on a trusted store. The tokenizer
    (:func:`hamar_graph.sparql.guard.guard`) has already refused updates and ``SERVICE``
    in the web process; a text that mentions ``service`` anywhere is also parsed by
    rdflib here (:func:`~hamar_graph.sparql.guard.algebra_guard`), a second, independent
    opinion that costs nothing for every other text.

    .. versionadded:: 0.1
    """
    form = job.form
    if mentions_service(job.query):
        verdict = algebra_guard(job.query)
        form = verdict.form or form
        if verdict.refusal is not None:
            return QueryOutcome(verdict.refusal[0], form, message=verdict.refusal[1])
    result = _evaluate(engine, job, job.query, form)
    if isinstance(result, QueryOutcome):
        return result
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


def _evaluate(engine: QueryEngine, job: QueryJob, text: str, form: str | None) -> Any:
    """``engine``'s (lazy) result of ``text`` over ``job``'s dataset, or the outcome of a
    query the engine refused or could not answer."""
    kwargs: dict[str, Any] = {"base_iri": job.base_iri}
    if job.protocol_dataset:
        # The protocol's dataset replaces the query's (SPARQL 1.1 Protocol, 2.1.4).
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif not job.dataset_clause:
        kwargs["use_default_graph_as_union"] = True
    try:
        return engine.query(text, form=form, **kwargs)
    except ConnectionError as exc:
        return QueryOutcome(503, form, message=f"{exc}.", reason="unavailable")
    except SyntaxError as exc:
        return QueryOutcome(400, form, message=f"SPARQL syntax error: {exc}")
    except ValueError as exc:
        return QueryOutcome(400, form, message=f"Invalid query: {exc}")


#: Fewest bytes a solution takes in Oxigraph's SPARQL JSON results: ``{}`` and a comma.
_JSON_ROW_BYTES = 3


def execute_bounded(engine: QueryEngine, job: QueryJob, limit: int | None) -> QueryOutcome:
    """:func:`execute` for a one-pattern SELECT whose cost the row cap bounds
    (:mod:`hamar_graph.sparql.bounded`; ``limit`` is the text's own ``LIMIT``), with one
    serialisation instead of three when the answer is wanted as JSON or TSV.

    The text gets ``LIMIT max_rows + 1`` when it has no ``LIMIT`` of its own, so Oxigraph
    stops one solution past the cap. A TSV answer counts its lines. A JSON answer is
    Oxigraph's own: it holds at most ``max_rows`` solutions when its text has a ``LIMIT``
    within the cap, or when it is shorter than ``max_rows + 1`` solutions could be (each
    takes at least three bytes); a longer one (30 KB and more with the default cap) is
    cut and counted by :func:`execute`. Its :attr:`QueryOutcome.count` is then ``None``:
    the bindings are the rows. Anything else goes to :func:`execute` too.

    .. versionadded:: 0.2
    """
    fmt = job.tabular_format
    if fmt not in ("json", "tsv") or job.form != "SELECT" or job.protocol_dataset:
        return execute(engine, job)
    if limit is not None and limit > job.max_rows:
        return execute(engine, job)
    text = job.query if limit is not None else f"{job.query}\nLIMIT {job.max_rows + 1}"
    result = _evaluate(engine, job, text, job.form)
    if isinstance(result, QueryOutcome):
        return result
    if not isinstance(result, ox.QuerySolutions):  # pragma: no cover - a SELECT form
        return execute(engine, job)
    try:
        if fmt == "tsv":
            return cut_tsv(result.serialize(format=ox.QueryResultsFormat.TSV) or b"", job)
        body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
    except MemoryError:
        raise
    except Exception as exc:  # evaluation errors surface while serialising
        return QueryOutcome(500, job.form, message=f"The query failed while running: {exc}")
    if limit is None and len(body) >= _JSON_ROW_BYTES * (job.max_rows + 1) - 1:
        return execute(engine, job)
    return QueryOutcome(200, "SELECT", "json", body, False, None)


def not_acceptable(form: str) -> QueryOutcome:
    """406, naming the formats ``form``'s results are available in."""
    from hamar_graph.rdf.formats import GRAPH_FORMATS, TABULAR_FORMATS, kind_of

    kind = kind_of(form)
    types = ", ".join(
        f.media_type for f in (TABULAR_FORMATS if kind == "tabular" else GRAPH_FORMATS).values()
    )
    return QueryOutcome(
        406, form, message=f"Not acceptable: {form} results are available as: {types}."
    )


def _boolean(result: ox.QueryBoolean, job: QueryJob) -> QueryOutcome:
    if job.tabular_format is None:
        return not_acceptable("ASK")
    fmt = getattr(ox.QueryResultsFormat, RESULT_FORMATS[job.tabular_format])
    body = result.serialize(format=fmt) or b""
    return QueryOutcome(200, "ASK", job.tabular_format, body, count=1)


class _Enough(Exception):
    """Raised by :class:`_LineCounter` to stop a serialiser once the row cap is passed."""


class _LineCounter:
    """A binary output for pyoxigraph's serialisers that keeps what it is given and stops
    the serialiser (and with it the query's evaluation) once it holds ``limit`` lines."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines >= self.limit:
            raise _Enough
        return len(chunk)

    def flush(self) -> None:
        pass


def _solutions(result: ox.QuerySolutions, job: QueryJob) -> QueryOutcome:
    """SELECT results cut at ``max_rows``, serialised by Oxigraph alone.

    Oxigraph writes the solutions as SPARQL TSV, which is lossless and has exactly one
    line per solution (after a header line); the writer stops the evaluation as soon as
    one row more than the cap is written. The kept lines are the answer in TSV; any other
    format is one more pass of Oxigraph's own parser and serialiser, with no Python object
    per term.
    """
    if job.tabular_format is None:
        return not_acceptable("SELECT")
    counter = _LineCounter(job.max_rows + 2)  # the header, max_rows rows, and one more
    with contextlib.suppress(_Enough):  # the cap was passed: enough rows were written
        result.serialize(counter, format=ox.QueryResultsFormat.TSV)
    tsv = cut_tsv(b"".join(counter.parts), job)
    if job.tabular_format == "tsv":
        return tsv
    kept = ox.parse_query_results(tsv.body, format=ox.QueryResultsFormat.TSV)
    fmt = getattr(ox.QueryResultsFormat, RESULT_FORMATS[job.tabular_format])
    body = kept.serialize(format=fmt) or b""  # type: ignore[union-attr]
    return QueryOutcome(200, "SELECT", job.tabular_format, body, tsv.truncated, tsv.count)


def cut_tsv(tsv: bytes, job: QueryJob) -> QueryOutcome:
    """SPARQL TSV (a header line, then one line a solution) cut at ``job.max_rows``."""
    lines = tsv.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    rows = max(len(lines) - 1, 0)
    truncated = rows > job.max_rows
    if truncated:
        lines = lines[: job.max_rows + 1]
        rows = job.max_rows
        tsv = b"\n".join(lines) + b"\n"
    return QueryOutcome(200, "SELECT", "tsv", tsv, truncated, rows)


def _triples(result: ox.QueryTriples, job: QueryJob, form: str) -> QueryOutcome:
    if job.graph_format is None:
        return not_acceptable(form)
    triples = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    triples = triples[: job.max_rows]
    fmt = getattr(ox.RdfFormat, GRAPH_FORMATS_OX[job.graph_format])
    prefixes = dict(job.prefixes) if job.graph_format in ("ttl", "rdf") else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) or b""
    return QueryOutcome(200, form, job.graph_format, body, truncated, len(triples))
