"""A remote SPARQL 1.1 engine behind the Store interface, through one HTTP client.

:class:`SparqlClient` is the only code that talks to a remote engine: it sends a query
with the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/, POST
``application/x-www-form-urlencoded``) under the app's deadline, and answers with the
body and its media type, or raises :class:`SyntaxError` (the engine refused the query)
or :class:`~hamar_graph.store.base.StoreUnavailable` (down, too slow, or failing).
:class:`RemoteStore` reads its answers into rdflib terms for the library;
:class:`RemoteEngine` reads them into pyoxigraph results for the sandboxed query
processes, so ``/sparql`` applies the same row cap and serialisers as embedded.
Loading goes through the Graph Store Protocol (:mod:`hamar_graph.store.remote_load`).

Bindings: remote engines do not accept substitutions, so a binding becomes a
trailing ``VALUES`` clause (SPARQL 1.1 Query §10.2.2, joined with the WHERE
pattern before projection). Every value is an rdflib term checked by
:func:`safe_term`, so no request text reaches the query unescaped.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from hamar_graph.config import Settings
from hamar_graph.namespaces import bind_prefixes
from hamar_graph.rdf.formats import GRAPH_FORMATS, MEDIA_TYPES, TABULAR_FORMATS, kind_of
from hamar_graph.store.base import Bindings, Row, StoreError, StoreUnavailable, counts_fingerprint
from hamar_graph.store.sparql_text import with_values

log = logging.getLogger(__name__)

#: What to ask a remote engine for, by the kind of query.
_ACCEPT = {
    "tabular": TABULAR_FORMATS["json"].media_type,
    "graph": f"{GRAPH_FORMATS['nt'].media_type}, {GRAPH_FORMATS['ttl'].media_type};q=0.9",
    None: f"{TABULAR_FORMATS['json'].media_type}, {GRAPH_FORMATS['nt'].media_type};q=0.9",
}


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

        :raises SyntaxError: when the engine answers 400 (its message, first 1000 bytes).
        :raises StoreUnavailable: when it cannot be reached, is too slow, or fails; the
            message names no address (it may reach a public client), the log does.
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
                return response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:1000]
            if exc.code == 400:
                raise SyntaxError(detail or "the engine refused the query") from None
            log.warning("the SPARQL engine at %s answered %s: %s", self.endpoint, exc.code, detail)
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


def _term_from_json(cell: dict[str, str]) -> Node:
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    if "datatype" in cell:
        return Literal(cell["value"], datatype=URIRef(cell["datatype"]))
    return Literal(cell["value"])


@dataclass
class RemoteStore:
    """A SPARQL 1.1 endpoint (Oxigraph server, Fuseki, Virtuoso, GraphDB, Neptune...).

    :param endpoint: the query URL.
    :param update_endpoint: the update URL (for :meth:`load`); default ``…/update``.
    :param store_endpoint: the Graph Store Protocol URL; default ``…/store``.
    :param timeout: seconds before a request is given up (the app's deadline).

    .. versionadded:: 0.1
    """

    endpoint: str
    update_endpoint: str | None = None
    store_endpoint: str | None = None
    timeout: float = 10.0
    name: str = "remote"

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        """A RemoteStore for ``settings.endpoint``."""
        if not settings.endpoint:
            raise StoreError("store=remote needs HAMAR_GRAPH_ENDPOINT or --endpoint URL")
        return cls(
            settings.endpoint,
            update_endpoint=settings.update_endpoint,
            timeout=settings.query_timeout,
        )

    @property
    def client(self) -> SparqlClient:
        """The HTTP client of this endpoint."""
        return SparqlClient(self.endpoint, self.timeout)

    def _json(self, query: str, bindings: Bindings | None) -> dict[str, Any]:
        _, body = self.client.post(with_values(query, bindings), _ACCEPT["tabular"])
        try:
            return json.loads(body)  # type: ignore[no-any-return]
        except ValueError as exc:
            raise StoreUnavailable("the SPARQL engine's answer is not SPARQL JSON") from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        doc = self._json(query, bindings)
        if "results" not in doc:
            raise ValueError("select() needs a SELECT query")
        return [
            {name: _term_from_json(cell) for name, cell in binding.items()}
            for binding in doc["results"]["bindings"]
        ]

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        doc = self._json(query, bindings)
        if "boolean" not in doc:
            raise ValueError("ask() needs an ASK query")
        return bool(doc["boolean"])

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        media_type, body = self.client.post(with_values(query, bindings), _ACCEPT["graph"])
        key = MEDIA_TYPES.get(media_type, "ttl")
        graph = bind_prefixes(Graph())
        graph.parse(data=body, format=GRAPH_FORMATS[key].rdflib_format)
        return graph

    def graph_names(self) -> list[URIRef]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"] for r in rows if isinstance(r.get("g"), URIRef))  # type: ignore[misc]

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]

    def fingerprint(self) -> str:
        """The named graphs' triple counts, hashed: the data is not copied (a million
        triples over HTTP would take minutes)."""
        return counts_fingerprint(self)

    def engine_source(self) -> RemoteSource:
        """Query processes forward the checked queries to this endpoint."""
        return RemoteSource(self.endpoint)

    def load(self, dataset: Dataset) -> None:
        """Replace the named graphs of ``dataset`` remotely (see
        :func:`~hamar_graph.store.remote_load.load_dataset`)."""
        from hamar_graph.store.remote_load import load_dataset

        load_dataset(self, dataset)


class RemoteEngine:
    """Forwards a query that passed the guards to a remote SPARQL 1.1 endpoint, and reads
    the answer back as pyoxigraph results, so that the same row cap and serialisers apply.

    .. versionadded:: 0.1
    """

    def __init__(self, endpoint: str, timeout: float) -> None:
        self.client = SparqlClient(endpoint, timeout)

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
        :raises ConnectionError: when it cannot be reached or fails.
        """
        params = [("default-graph-uri", g.value) for g in default_graph or []]
        params += [("named-graph-uri", g.value) for g in named_graphs or []]
        try:
            media_type, body = self.client.post(query, _ACCEPT[kind_of(form)], params)
        except StoreUnavailable as exc:
            raise ConnectionError(str(exc)) from None
        if media_type in TABULAR_FORMATS["json"].accepted:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        key = MEDIA_TYPES.get(media_type)
        if key in ("nt", "ttl"):
            return list(ox.parse(body, format=GRAPH_FORMATS[key].oxigraph))  # type: ignore[arg-type]
        raise ConnectionError(f"the SPARQL engine answered with {media_type}, not asked for")


@dataclass(frozen=True)
class RemoteSource:
    """A query process's engine: the remote endpoint, under the query deadline."""

    endpoint: str
    needs_network: bool = True

    def open(self, timeout: float) -> RemoteEngine:
        return RemoteEngine(self.endpoint, timeout)
