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

Bindings: remote engines do not accept substitutions, so each binding is written into the
query (:func:`placed`): as a constant wherever the variable occurs, when the query's shape
allows it (the embedded store does the same, :func:`~hamar_graph.store.sparql_text.
inline_bindings`), else as ``BIND(term AS ?var)`` first in the outermost WHERE group
(:func:`~hamar_graph.store.remote_query.with_bindings`): either way the engine starts from
the value, and a constant also reaches into a sub-query.
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
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
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
from hamar_graph.store.remote_client import (
    ACCEPT,
    DIALECTS,
    OPAQUE_DATATYPE,
    Answer,
    SparqlClient,
    cut_message,
    normalise_json,
    normalise_ox,
    normalise_rdflib,
    parse_json,
    term_from_json,
    with_describe_mode,
)
from hamar_graph.store.remote_query import query_form, with_bindings
from hamar_graph.store.sparql_text import inline_bindings, safe_term, with_values

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

# --- the store -------------------------------------------------------------------------------

#: The data version ``hamar-graph load`` wrote (:mod:`hamar_graph.store.remote_load`).
VERSION_QUERY = f"""SELECT ?version ?loaded WHERE {{
  GRAPH <{DATA_VERSION_GRAPH}> {{
    <{DATA_VERSION_GRAPH}> <http://purl.org/dc/terms/identifier> ?version .
    OPTIONAL {{ <{DATA_VERSION_GRAPH}> <http://purl.org/dc/terms/modified> ?loaded }}
  }}
}} ORDER BY DESC(?loaded) LIMIT 1"""

_DIGEST = re.compile(r"[0-9a-f]{64}")


def placed(query: str, bindings: Bindings | None) -> str:
    """``query`` with ``bindings`` written in: as constants where the query's shape allows
    (:func:`~hamar_graph.store.sparql_text.inline_bindings`; a constant also reaches into a
    sub-query, which a ``BIND`` does not), else as ``BIND`` first in the WHERE group
    (:func:`~hamar_graph.store.remote_query.with_bindings`)."""
    if bindings:
        inlined = inline_bindings(query, bindings)
        if inlined is not None:
            return inlined
    return with_bindings(query, bindings)


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
            self._send("ASK {}", ACCEPT["tabular"])
        return self.dialect

    def _json(self, query: str, bindings: Bindings | None) -> tuple[dict[str, Any], Answer]:
        answer = self._send(placed(query, bindings), ACCEPT["tabular"])
        return normalise_json(parse_json(answer.body)), answer

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        answer = self._send(placed(query, bindings), ACCEPT["tabular"])
        doc = parse_json(answer.body)
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
                    term = terms[key] = term_from_json(cell)
                row[name] = term
            rows.append(row)
        limit = answer.max_rows
        if limit is not None and len(rows) >= limit:
            raise StoreError(cut_message(limit) + "; raise that limit above the largest answer")
        return rows

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        doc, _ = self._json(query, bindings)
        if "boolean" not in doc:
            raise ValueError("ask() needs an ASK query")
        return bool(doc["boolean"])

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        text = placed(query, bindings)
        form = query_form(text)
        if form == "DESCRIBE":
            text = with_describe_mode(text, form, self.engine_dialect())
        answer = self._send(text, ACCEPT["graph"])
        key = MEDIA_TYPES.get(answer.media_type, "ttl")
        graph = bind_prefixes(Graph())
        parsed = Graph().parse(data=answer.body, format=GRAPH_FORMATS[key].rdflib_format)
        for s, p, o in parsed:
            graph.add((s, p, normalise_rdflib(o)))
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

    def local_engine(self) -> None:
        """None: every query goes to the engine from a query process, under its deadline."""
        return None

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
                self._send("ASK {}", ACCEPT["tabular"], [])
            text = with_describe_mode(query, form, self.dialect)
            answer = self._send(text, ACCEPT[kind_of(form)], params)
        except StoreUnavailable as exc:
            raise ConnectionError(str(exc)) from None
        if answer.media_type in TABULAR_FORMATS["json"].accepted:
            doc = _parse_json_or_connection_error(answer.body)
            limit = answer.max_rows
            rows = len(doc.get("results", {}).get("bindings", []))
            if limit is not None and rows >= limit and limit <= self.max_rows:
                raise ValueError(cut_message(limit) + f"; add LIMIT {limit} or fewer")
            body = json.dumps(normalise_json(doc)).encode("utf-8")
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        key = MEDIA_TYPES.get(answer.media_type)
        if key in ("nt", "ttl"):
            triples = ox.parse(answer.body, format=GRAPH_FORMATS[key].oxigraph)  # type: ignore[arg-type]
            return [_normalise_triple(t) for t in triples]
        raise ConnectionError(f"the SPARQL engine answered with {answer.media_type}, not asked for")


def _parse_json_or_connection_error(body: bytes) -> dict[str, Any]:
    try:
        return parse_json(body)
    except StoreUnavailable as exc:
        raise ConnectionError(str(exc)) from None


def _normalise_triple(quad: Any) -> ox.Triple:
    return ox.Triple(quad.subject, quad.predicate, normalise_ox(quad.object))


@dataclass(frozen=True)
class RemoteSource:
    """A query process's engine: the remote endpoint, under the query deadline."""

    endpoint: str
    needs_network: bool = True
    max_rows: int = 10000
    dialect: str = "auto"

    def open(self, timeout: float) -> RemoteEngine:
        return RemoteEngine(self.endpoint, timeout, self.max_rows, self.dialect)
