"""A remote SPARQL 1.1 engine behind the Store interface, through one HTTP client.

:class:`SparqlClient` is the only code that talks to a remote engine: it sends a query
with the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/, POST
``application/x-www-form-urlencoded``) under the app's deadline, and answers with the
body, its media type and headers, or raises :class:`SyntaxError` (the engine refused the
query) or :class:`~hamar_graph.store.base.StoreUnavailable` (down, too slow, or failing).
:class:`RemoteStore` reads its answers into rdflib terms for the library;
:class:`RemoteEngine` reads them into pyoxigraph results for the sandboxed query
processes, so ``/sparql`` applies the same row cap and serialisers as embedded.
Loading goes through the Graph Store Protocol (:mod:`hamar_graph.store.remote_load`) or,
for Virtuoso, its bulk loader (:mod:`hamar_graph.store.remote_virtuoso`).

Bindings: remote engines do not accept substitutions, so each binding becomes
``BIND(term AS ?var)`` first in the outermost WHERE group
(:func:`~hamar_graph.store.remote_query.with_bindings`): the engine starts from the value.
Every value is an rdflib term checked by :func:`safe_term`, so no request text reaches the
query unescaped.

What engines answer differently, and what is done about it here (docs/virtuoso.md):

- every answer is *normalised* the same way, whatever the engine: ``"1"``/``"0"``
  ``xsd:boolean`` become ``"true"``/``"false"`` (the canonical forms of the same values),
  ``"x"^^xsd:string`` becomes ``"x"`` (the same RDF 1.1 term), Virtuoso's
  ``typed-literal``/``lang`` JSON keys are read, and literals that a loader had to store
  under a stand-in datatype (:data:`OPAQUE_DATATYPE`) get their datatype back;
- an answer cut short by the engine is never taken for a whole one: a 200 with
  ``X-SQL-State`` (Virtuoso's "anytime" partial result) is a timeout, and a result with
  ``X-SPARQL-MaxRows`` rows (Virtuoso's ``ResultSetMaxRows``) is an error for the app's
  own queries and, on ``/sparql``, an error unless the app's row cap cuts it anyway;
- errors keep the engine's first line (Virtuoso echoes the whole query after it), and a
  500 that is the query's fault (Virtuoso's compiler ``37000``, bad values ``22007``…)
  is a :class:`SyntaxError`, its time limit (``S1T00``/``SR171``, the cost estimate) a
  timeout;
- dialect: ``auto`` reads the engine from the ``Server`` header of its answers;
  ``virtuoso`` asks for Oxigraph's DESCRIBE (``define sql:describe-mode "CBD"``).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from hamar_graph.config import Settings
from hamar_graph.namespaces import bind_prefixes
from hamar_graph.rdf.formats import GRAPH_FORMATS, MEDIA_TYPES, TABULAR_FORMATS, kind_of
from hamar_graph.store.base import (
    DATA_VERSION_GRAPH,
    Bindings,
    Row,
    StoreError,
    StoreUnavailable,
    counts_fingerprint,
)
from hamar_graph.store.remote_query import query_form, safe_term, with_bindings, with_values

__all__ = [
    "DIALECTS",
    "OPAQUE_DATATYPE",
    "Answer",
    "RemoteEngine",
    "RemoteSource",
    "RemoteStore",
    "SparqlClient",
    "safe_term",
    "with_bindings",
    "with_values",
]

log = logging.getLogger(__name__)

#: The engines RemoteStore knows apart (``HAMAR_GRAPH_REMOTE_DIALECT``).
DIALECTS = ("auto", "standard", "virtuoso")

#: Prefix of the stand-in datatype under which a loader stores a literal that the engine
#: would otherwise rewrite (Virtuoso parses every ``geo:wktLiteral`` into its own geometry
#: type and cannot load one with a CRS IRI): ``{OPAQUE_DATATYPE}{original datatype IRI}``.
#: Answers get the original datatype back.
OPAQUE_DATATYPE = "urn:x-hamar-graph:datatype:"

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"
_XSD_BOOLEAN = XSD + "boolean"

#: What to ask a remote engine for, by the kind of query.
_ACCEPT = {
    "tabular": TABULAR_FORMATS["json"].media_type,
    "graph": f"{GRAPH_FORMATS['nt'].media_type}, {GRAPH_FORMATS['ttl'].media_type};q=0.9",
    None: f"{TABULAR_FORMATS['json'].media_type}, {GRAPH_FORMATS['nt'].media_type};q=0.9",
}

#: Virtuoso's DESCRIBE answers the triples pointing *to* the resource unless told to give
#: its concise bounded description, as Oxigraph does (docs/virtuoso.md §1 #11).
_VIRTUOSO_DESCRIBE = 'define sql:describe-mode "CBD"\n'

#: A 500 whose message starts like this is the query's fault, not the engine's:
#: Virtuoso's SPARQL compiler (37000: syntax, "transitive start not given"), invalid
#: values (22xxx: a bad language tag, a number out of range), an unknown column (S0022).
_QUERY_ERROR = re.compile(r"^Virtuoso (37000|22\d\d\d|S0022|42S22) ")

#: A 500 (or 200 header) that says the engine's own time limit stopped the query.
_ENGINE_TIMEOUT = re.compile(r"S1T00|SR171|S1TAT|estimated execution time")


def engine_message(raw: bytes) -> str:
    """The engine's error message without the query it echoes (Virtuoso adds
    ``SPARQL query:`` and the whole text after a blank line), at most 1000 characters."""
    text = raw.decode("utf-8", "replace").strip()
    text = re.split(r"\n\s*\n\s*SPARQL query:", text, maxsplit=1)[0]
    return text.strip()[:1000]


def dialect_of(server: str | None) -> str:
    """``virtuoso`` when the ``Server`` header names it, else ``standard``."""
    return "virtuoso" if server and "virtuoso" in server.lower() else "standard"


@dataclass(frozen=True)
class Answer:
    """One engine answer: media type, body, and the headers that matter."""

    media_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return dialect_of(self.headers.get("Server"))

    @property
    def max_rows(self) -> int | None:
        """The engine's row limit when it says it applied one (``X-SPARQL-MaxRows``)."""
        value = self.headers.get("X-SPARQL-MaxRows")
        return int(value) if value and value.strip().isdigit() else None


_KEPT_HEADERS = ("Server", "X-SPARQL-MaxRows", "X-SQL-State", "X-SQL-Message")


@dataclass(frozen=True)
class SparqlClient:
    """The one HTTP client of a remote SPARQL 1.1 query endpoint.

    :param endpoint: the query URL (operator-configured, never taken from a request).
    :param timeout: seconds to wait for an answer.

    .. versionadded:: 0.2
    """

    endpoint: str
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if urlsplit(self.endpoint).scheme not in ("http", "https"):
            raise StoreError(f"only http(s) endpoints are supported, not {self.endpoint!r}")

    def post(
        self, query: str, accept: str, params: list[tuple[str, str]] | None = None
    ) -> tuple[str, bytes]:
        """Send ``query`` (and protocol ``params``); return (media type, body).

        See :meth:`send`, which also gives the answer's headers.
        """
        answer = self.send(query, accept, params)
        return answer.media_type, answer.body

    def send(self, query: str, accept: str, params: list[tuple[str, str]] | None = None) -> Answer:
        """Send ``query`` (and protocol ``params``) and return the engine's answer.

        :raises SyntaxError: when the engine refuses the query (400, or a 500 that its
            message shows is the query's fault), with the engine's first line.
        :raises StoreUnavailable: when it cannot be reached, is too slow (also by its own
            time limit, or an answer it marks as cut short by one), or fails; the message
            names no address (it may reach a public client), the log does. Timeouts are
            raised *from* a :class:`TimeoutError`.
        """
        form = [("query", query), *(params or [])]
        request = urllib.request.Request(  # noqa: S310 - http(s) checked in __post_init__
            self.endpoint,
            data=urllib.parse.urlencode(form).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                headers = {k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers}
                answer = Answer(response.headers.get_content_type(), response.read(), headers)
        except urllib.error.HTTPError as exc:
            detail = engine_message(exc.read())
            if exc.code == 400 or (exc.code == 500 and _QUERY_ERROR.match(detail)):
                raise SyntaxError(detail or "the engine refused the query") from None
            log.warning("the SPARQL engine at %s answered %s: %s", self.endpoint, exc.code, detail)
            if _ENGINE_TIMEOUT.search(detail):
                raise StoreUnavailable(
                    f"the SPARQL engine stopped the query at its own time limit: {detail}"
                ) from TimeoutError(detail)
            raise StoreUnavailable(f"the SPARQL engine answered {exc.code}: {detail}") from exc
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            log.warning("the SPARQL engine at %s failed: %s", self.endpoint, reason)
            if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
                raise StoreUnavailable(
                    f"the SPARQL engine did not answer within {self.timeout:g} s "
                    "(HAMAR_GRAPH_QUERY_TIMEOUT)"
                ) from exc
            raise StoreUnavailable(
                f"the SPARQL engine cannot be reached ({reason}); check that it is running"
            ) from exc
        state = answer.headers.get("X-SQL-State")
        if state:
            message = answer.headers.get("X-SQL-Message", "")
            log.warning(
                "the SPARQL engine at %s cut its answer: %s %s", self.endpoint, state, message
            )
            raise StoreUnavailable(
                f"the SPARQL engine stopped the query at its own time limit and answered "
                f"only part of it ({state}); the answer is not used"
            ) from TimeoutError(state)
        return answer


# --- reading answers -------------------------------------------------------------------------


def normalise_literal(
    value: str, datatype: str | None, language: str | None
) -> tuple[str, str | None, str | None]:
    """The same literal as every engine should write it (see the module's docstring)."""
    if language:
        return value, None, language
    if datatype == _XSD_STRING:
        return value, None, None
    if datatype == _XSD_BOOLEAN and value in ("1", "0"):
        return ("true" if value == "1" else "false"), datatype, None
    if datatype is not None and datatype.startswith(OPAQUE_DATATYPE):
        return value, datatype[len(OPAQUE_DATATYPE) :], None
    return value, datatype, None


def _normalise_cell(cell: Mapping[str, str]) -> dict[str, str]:
    """A SPARQL 1.1 JSON term (``typed-literal`` and ``lang`` read as their standard keys)."""
    kind = cell.get("type")
    if kind not in ("literal", "typed-literal"):
        return dict(cell)
    value, datatype, language = normalise_literal(
        cell["value"], cell.get("datatype"), cell.get("xml:lang") or cell.get("lang")
    )
    out = {"type": "literal", "value": value}
    if language:
        out["xml:lang"] = language
    elif datatype:
        out["datatype"] = datatype
    return out


def _normalise_json(doc: dict[str, Any]) -> dict[str, Any]:
    if "results" in doc:
        doc["results"]["bindings"] = [
            {name: _normalise_cell(cell) for name, cell in row.items()}
            for row in doc["results"]["bindings"]
        ]
    return doc


def _term_from_json(cell: Mapping[str, str]) -> Node:
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    normal = _normalise_cell(cell)
    if "xml:lang" in normal:
        return Literal(normal["value"], lang=normal["xml:lang"])
    if "datatype" in normal:
        return Literal(normal["value"], datatype=URIRef(normal["datatype"]))
    return Literal(normal["value"])


def _normalise_rdflib(term: Node) -> Node:
    if not isinstance(term, Literal):
        return term
    datatype = str(term.datatype) if term.datatype is not None else None
    value, new_type, language = normalise_literal(str(term), datatype, term.language)
    if (value, new_type) == (str(term), datatype):
        return term
    return Literal(value, lang=language, datatype=URIRef(new_type) if new_type else None)


def _normalise_ox(term: Any) -> Any:
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    value, new_type, language = normalise_literal(term.value, datatype, term.language)
    if (value, new_type) == (term.value, datatype):
        return term
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(new_type) if new_type else None)


def _parse_json(body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise StoreUnavailable("the SPARQL engine's answer is not SPARQL JSON") from exc
    if not isinstance(doc, dict):
        raise StoreUnavailable("the SPARQL engine's answer is not SPARQL JSON")
    return doc


def _cut_message(limit: int) -> str:
    return (
        f"the SPARQL engine cut this answer at {limit} rows, its own limit (Virtuoso: "
        "[SPARQL] ResultSetMaxRows in virtuoso.ini); the rest is missing"
    )


def _with_describe_mode(query: str, form: str | None, dialect: str) -> str:
    return _VIRTUOSO_DESCRIBE + query if dialect == "virtuoso" and form == "DESCRIBE" else query


# --- the store -------------------------------------------------------------------------------

#: The data version ``hamar-graph load`` wrote (:mod:`hamar_graph.store.remote_load`).
VERSION_QUERY = f"""SELECT ?version ?loaded WHERE {{
  GRAPH <{DATA_VERSION_GRAPH}> {{
    <{DATA_VERSION_GRAPH}> <http://purl.org/dc/terms/identifier> ?version .
    OPTIONAL {{ <{DATA_VERSION_GRAPH}> <http://purl.org/dc/terms/modified> ?loaded }}
  }}
}} ORDER BY DESC(?loaded) LIMIT 1"""

_DIGEST = re.compile(r"[0-9a-f]{64}")


@dataclass
class RemoteStore:
    """A SPARQL 1.1 endpoint (Oxigraph server, Virtuoso, Fuseki, GraphDB...).

    :param endpoint: the query URL.
    :param update_endpoint: the update URL (for :meth:`load`); default ``…/update``.
    :param store_endpoint: the Graph Store Protocol URL; default ``…/store``.
    :param timeout: seconds before a request is given up (the app's deadline).
    :param dialect: ``auto`` (read from the engine's ``Server`` header), ``standard`` or
        ``virtuoso``.
    :param max_rows: the app's row cap, so that ``/sparql`` can tell an engine's own cut
        that the cap hides from one it does not.

    .. versionadded:: 0.1
    .. versionchanged:: 0.3
       bindings first in the WHERE group; answers normalised; ``dialect``, ``max_rows``;
       :meth:`fingerprint` reads the data version that ``load`` writes.
    """

    endpoint: str
    update_endpoint: str | None = None
    store_endpoint: str | None = None
    timeout: float = 10.0
    dialect: str = "auto"
    max_rows: int = 10000
    name: str = "remote"
    _warned: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.dialect not in DIALECTS:
            raise StoreError(f"unknown remote dialect {self.dialect!r}: one of {DIALECTS}")

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        """A RemoteStore for ``settings.endpoint``."""
        if not settings.endpoint:
            raise StoreError("store=remote needs HAMAR_GRAPH_ENDPOINT or --endpoint URL")
        return cls(
            settings.endpoint,
            update_endpoint=settings.update_endpoint,
            timeout=settings.query_timeout,
            dialect=settings.remote_dialect,
            max_rows=settings.max_rows,
        )

    @property
    def client(self) -> SparqlClient:
        """The HTTP client of this endpoint."""
        return SparqlClient(self.endpoint, self.timeout)

    def _send(self, query: str, accept: str) -> Answer:
        answer = self.client.send(query, accept)
        if self.dialect == "auto":
            self.dialect = answer.dialect
        return answer

    def engine_dialect(self) -> str:
        """``standard`` or ``virtuoso``: the setting, or what the engine's answers say (one
        ``ASK {}`` when it has not answered yet)."""
        if self.dialect == "auto":
            self._send("ASK {}", _ACCEPT["tabular"])
        return self.dialect

    def _json(self, query: str, bindings: Bindings | None) -> tuple[dict[str, Any], Answer]:
        answer = self._send(with_bindings(query, bindings), _ACCEPT["tabular"])
        return _normalise_json(_parse_json(answer.body)), answer

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        answer = self._send(with_bindings(query, bindings), _ACCEPT["tabular"])
        doc = _parse_json(answer.body)
        if "results" not in doc:
            raise ValueError("select() needs a SELECT query")
        # Rows repeat their terms (labels, types, flags): each distinct cell is read once.
        terms: dict[tuple[str | None, ...], Node] = {}
        rows: list[Row] = []
        for binding in doc["results"]["bindings"]:
            row: Row = {}
            for name, cell in binding.items():
                key = (
                    cell.get("type"),
                    cell.get("value"),
                    cell.get("datatype"),
                    cell.get("xml:lang") or cell.get("lang"),
                )
                term = terms.get(key)
                if term is None:
                    term = terms[key] = _term_from_json(cell)
                row[name] = term
            rows.append(row)
        limit = answer.max_rows
        if limit is not None and len(rows) >= limit:
            raise StoreError(_cut_message(limit) + "; raise that limit above the largest answer")
        return rows

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        doc, _ = self._json(query, bindings)
        if "boolean" not in doc:
            raise ValueError("ask() needs an ASK query")
        return bool(doc["boolean"])

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        text = with_bindings(query, bindings)
        form = query_form(text)
        if form == "DESCRIBE":
            text = _with_describe_mode(text, form, self.engine_dialect())
        answer = self._send(text, _ACCEPT["graph"])
        key = MEDIA_TYPES.get(answer.media_type, "ttl")
        graph = bind_prefixes(Graph())
        parsed = Graph().parse(data=answer.body, format=GRAPH_FORMATS[key].rdflib_format)
        for s, p, o in parsed:
            graph.add((s, p, _normalise_rdflib(o)))
        return graph

    def graph_names(self) -> list[URIRef]:
        """The named graphs, without the data-version graph ``load`` writes.

        ``GROUP BY ?g``, not ``DISTINCT ?g``: Virtuoso answers the latter from its list of
        graphs without the graph-level permissions, so its own graphs would be listed."""
        rows = self.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(
            r["g"]  # type: ignore[misc]
            for r in rows
            if isinstance(r.get("g"), URIRef) and r["g"] != DATA_VERSION_GRAPH
        )

    def __len__(self) -> int:
        rows = self.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(?g != <{DATA_VERSION_GRAPH}>) }}"
        )
        return int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]

    def data_version(self) -> str | None:
        """The content hash ``hamar-graph load`` wrote with the data, or ``None``."""
        rows = self.select(VERSION_QUERY)
        version = str(rows[0].get("version", "")) if rows else ""
        return version if _DIGEST.fullmatch(version) else None

    def fingerprint(self) -> str:
        """The data version written by ``hamar-graph load``: SHA-256 of the loaded quads,
        the same digest the embedded store computes for the same data. One tiny query.

        Data loaded by other means has none: then the named graphs' triple counts,
        hashed, which only change when a reload changes some graph's size (logged once).
        """
        version = self.data_version()
        if version is not None:
            return version
        if not self._warned:
            self._warned = True
            log.warning(
                "the SPARQL engine at %s holds no data version (load it with `hamar-graph "
                "load`): using the graphs' triple counts, which miss a reload that keeps "
                "every graph's size",
                self.endpoint,
            )
        return counts_fingerprint(self)

    def engine_source(self) -> RemoteSource:
        """Query processes forward the checked queries to this endpoint."""
        return RemoteSource(self.endpoint, max_rows=self.max_rows, dialect=self.dialect)

    def load(self, dataset: Dataset) -> None:
        """Replace the named graphs of ``dataset`` remotely (see
        :func:`~hamar_graph.store.remote_load.load_dataset`)."""
        from hamar_graph.store.remote_load import load_dataset

        load_dataset(self, dataset)


# --- the query processes' engine -------------------------------------------------------------


class RemoteEngine:
    """Forwards a query that passed the guards to a remote SPARQL 1.1 endpoint, and reads
    the answer back as pyoxigraph results, so that the same row cap and serialisers apply.

    .. versionadded:: 0.1
    """

    def __init__(
        self, endpoint: str, timeout: float, max_rows: int = 10000, dialect: str = "auto"
    ) -> None:
        self.client = SparqlClient(endpoint, timeout)
        self.max_rows = max_rows
        self.dialect = dialect

    def _send(self, query: str, accept: str, params: list[tuple[str, str]]) -> Answer:
        answer = self.client.send(query, accept, params)
        if self.dialect == "auto":
            self.dialect = answer.dialect
        return answer

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

        :raises SyntaxError: when the engine refuses the query.
        :raises ValueError: when the engine cut the answer at its own row limit below the
            app's row cap (the answer would look complete and is not).
        :raises ConnectionError: when it cannot be reached, fails, or stops the query.
        """
        params = [("default-graph-uri", g.value) for g in default_graph or []]
        params += [("named-graph-uri", g.value) for g in named_graphs or []]
        try:
            if form == "DESCRIBE" and self.dialect == "auto":
                self._send("ASK {}", _ACCEPT["tabular"], [])
            text = _with_describe_mode(query, form, self.dialect)
            answer = self._send(text, _ACCEPT[kind_of(form)], params)
        except StoreUnavailable as exc:
            raise ConnectionError(str(exc)) from None
        if answer.media_type in TABULAR_FORMATS["json"].accepted:
            doc = _parse_json_or_connection_error(answer.body)
            limit = answer.max_rows
            rows = len(doc.get("results", {}).get("bindings", []))
            if limit is not None and rows >= limit and limit <= self.max_rows:
                raise ValueError(_cut_message(limit) + f"; add LIMIT {limit} or fewer")
            body = json.dumps(_normalise_json(doc)).encode("utf-8")
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        key = MEDIA_TYPES.get(answer.media_type)
        if key in ("nt", "ttl"):
            triples = ox.parse(answer.body, format=GRAPH_FORMATS[key].oxigraph)  # type: ignore[arg-type]
            return [_normalise_triple(t) for t in triples]
        raise ConnectionError(f"the SPARQL engine answered with {answer.media_type}, not asked for")


def _parse_json_or_connection_error(body: bytes) -> dict[str, Any]:
    try:
        return _parse_json(body)
    except StoreUnavailable as exc:
        raise ConnectionError(str(exc)) from None


def _normalise_triple(quad: Any) -> ox.Triple:
    return ox.Triple(quad.subject, quad.predicate, _normalise_ox(quad.object))


@dataclass(frozen=True)
class RemoteSource:
    """A query process's engine: the remote endpoint, under the query deadline."""

    endpoint: str
    needs_network: bool = True
    max_rows: int = 10000
    dialect: str = "auto"

    def open(self, timeout: float) -> RemoteEngine:
        return RemoteEngine(self.endpoint, timeout, self.max_rows, self.dialect)
