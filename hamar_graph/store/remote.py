"""A remote SPARQL 1.1 engine behind the Store interface.

Queries go out with SPARQLWrapper (SPARQL 1.1 Protocol,
https://www.w3.org/TR/sparql11-protocol/) under the app's own deadline; data
goes in through the SPARQL 1.1 Graph Store HTTP Protocol
(https://www.w3.org/TR/sparql11-http-rdf-update/) and a single SPARQL Update
request that moves the uploaded temporary graphs into place.

Bindings: remote engines do not accept substitutions, so a binding becomes a
trailing ``VALUES`` clause (SPARQL 1.1 Query §10.2.2, joined with the WHERE
pattern before projection). Every value is an rdflib term checked by
:func:`safe_term`, so no request text reaches the query unescaped.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from hamar_graph.config import Settings
from hamar_graph.namespaces import bind_prefixes
from hamar_graph.rdf.formats import kind_of
from hamar_graph.store.base import Bindings, Row, StoreError, StoreUnavailable

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def safe_term(term: Node) -> str:
    """The SPARQL text of an rdflib term, refusing anything that could break out.

    :raises ValueError: for an IRI with characters IRIs may not hold, or a blank node.
    """
    if isinstance(term, URIRef):
        if _BAD_IRI.search(str(term)):
            raise ValueError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()  # rdflib escapes quotes, backslashes and newlines
    raise ValueError(f"cannot bind {term!r}: only IRIs and literals can be bound")


def with_values(query: str, bindings: Bindings | None) -> str:
    """Append a ``VALUES`` clause that binds ``bindings`` to ``query``."""
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    variables = " ".join(f"?{n}" for n in names)
    values = " ".join(safe_term(bindings[n]) for n in names)
    return f"{query}\nVALUES ({variables}) {{ ({values}) }}"


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


def _sibling(url: str, name: str) -> str:
    """``http://h/query`` → ``http://h/{name}`` (the Oxigraph server's layout)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    head = path.rsplit("/", 1)[0] if path.endswith(("/query", "/sparql")) else path
    return urlunsplit((parts.scheme, parts.netloc, f"{head}/{name}", "", ""))


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

    # --- queries ---------------------------------------------------------------------

    def _wrapper(self, query: str, fmt: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.endpoint)
        wrapper.setMethod(POST)
        wrapper.setTimeout(max(1, round(self.timeout)))
        wrapper.setQuery(query)
        wrapper.setReturnFormat(fmt)
        return wrapper

    def _fetch(self, query: str, bindings: Bindings | None, fmt: str) -> bytes:
        try:
            with warnings.catch_warnings():
                # SPARQLWrapper warns when it cannot classify a (malformed) query
                warnings.simplefilter("ignore", RuntimeWarning)
                wrapper = self._wrapper(with_values(query, bindings), fmt)
                response = wrapper.query().response
            return response.read()  # type: ignore[no-any-return]
        except QueryBadFormed as exc:
            detail = str(exc).split("Response:")[-1].strip()
            if detail.startswith(("b'", 'b"')):
                detail = detail[2:-1]
            raise SyntaxError(detail) from exc
        except TimeoutError as exc:
            raise StoreUnavailable(
                f"the SPARQL engine at {self.endpoint} did not answer within "
                f"{self.timeout:g} s (HAMAR_GRAPH_QUERY_TIMEOUT)"
            ) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise StoreUnavailable(
                    f"the SPARQL engine at {self.endpoint} did not answer within "
                    f"{self.timeout:g} s (HAMAR_GRAPH_QUERY_TIMEOUT)"
                ) from exc
            raise StoreUnavailable(
                f"the SPARQL engine at {self.endpoint} cannot be reached ({exc.reason}); "
                "check that it is running"
            ) from exc
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreUnavailable(f"the SPARQL engine at {self.endpoint} failed: {exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        doc = json.loads(self._fetch(query, bindings, JSON))
        if "results" not in doc:
            raise ValueError("select() needs a SELECT query")
        return [
            {name: _term_from_json(cell) for name, cell in binding.items()}
            for binding in doc["results"]["bindings"]
        ]

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        doc = json.loads(self._fetch(query, bindings, JSON))
        if "boolean" not in doc:
            raise ValueError("ask() needs an ASK query")
        return bool(doc["boolean"])

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        wrapper_fmt = N3  # SPARQLWrapper asks for Turtle/N3 with this
        data = self._fetch(query, bindings, wrapper_fmt)
        graph = bind_prefixes(Graph())
        graph.parse(data=data, format="turtle")
        return graph

    def graph_names(self) -> list[URIRef]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(r["g"] for r in rows if isinstance(r.get("g"), URIRef))  # type: ignore[misc]

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]

    # --- loading ---------------------------------------------------------------------

    def load(self, dataset: Dataset) -> None:
        """Replace the named graphs of ``dataset`` remotely (see :func:`load_dataset`)."""
        load_dataset(self, dataset)

    def _update(self, update: str) -> None:
        url = self.update_endpoint or _sibling(self.endpoint, "update")
        self._send(url, "POST", update.encode("utf-8"), "application/sparql-update")

    def _put_graph(self, graph_iri: str, data: bytes) -> None:
        base = self.store_endpoint or _sibling(self.endpoint, "store")
        url = f"{base}?graph={urllib.request.quote(graph_iri, safe='')}"
        self._send(url, "PUT", data, "application/n-triples")

    def _send(self, url: str, method: str, body: bytes, content_type: str) -> None:
        if urlsplit(url).scheme not in ("http", "https"):
            raise StoreError(f"only http(s) endpoints are supported, not {url!r}")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=body, method=method, headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=max(self.timeout, 60)) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise StoreError(f"{method} {url} failed with HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreUnavailable(f"{method} {url} failed: {exc}") from exc


def load_dataset(
    store: RemoteStore,
    dataset: Dataset,
    *,
    target_graph: URIRef | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> list[URIRef]:
    """Push ``dataset`` into a remote store, replacing its graphs in one step.

    Each graph is first uploaded (Graph Store Protocol PUT) to a temporary graph
    ``{graph}-loading-{nonce}``; only when every upload succeeded does a single
    SPARQL Update request ``MOVE`` all of them over their targets. Engines that run
    an update request as one transaction (Oxigraph, Fuseki, GraphDB) therefore
    switch from the old data to the new at once. When an upload fails, the
    temporary graphs are dropped and the target graphs are untouched.

    :param target_graph: put the union of all graphs into this one graph instead of
        keeping one graph per source file.
    :returns: the graphs that were replaced.
    :raises StoreError: naming the step that failed and the state left behind.
    """
    from hamar_graph.rdf.serialize import serialize

    groups: dict[URIRef, Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = target_graph or URIRef(str(getattr(g, "identifier", g)))
        groups.setdefault(name, Graph()).add((s, p, o))
    nonce = uuid.uuid4().hex[:12]
    temporary = {name: URIRef(f"{name}-loading-{nonce}") for name in groups}
    uploaded: list[URIRef] = []
    try:
        for i, (name, graph) in enumerate(sorted(groups.items()), start=1):
            progress(f"[{i}/{len(groups)}] uploading {len(graph)} triples for <{name}>")
            store._put_graph(str(temporary[name]), serialize(graph, "nt"))
            uploaded.append(temporary[name])
    except StoreError as exc:
        cleanup = " ".join(f"DROP SILENT GRAPH {safe_term(t)} ;" for t in uploaded)
        try:
            if cleanup:
                store._update(cleanup.rstrip(" ;"))
            state = "the target graphs are unchanged and the temporary graphs were removed"
        except StoreError:
            state = "the target graphs are unchanged; temporary graphs may remain: " + ", ".join(
                str(t) for t in uploaded
            )
        raise StoreError(f"load failed ({exc}); {state}") from exc
    progress(f"switching {len(groups)} graphs in one update request")
    moves = " ;\n".join(
        f"MOVE SILENT GRAPH {safe_term(temporary[n])} TO GRAPH {safe_term(n)}"
        for n in sorted(groups)
    )
    try:
        store._update(moves)
    except StoreError as exc:
        raise StoreError(
            f"uploads succeeded but the switch failed ({exc}); the target graphs keep their "
            "previous content if the engine runs an update as one transaction; temporary graphs "
            + ", ".join(str(t) for t in temporary.values())
            + " remain and can be dropped"
        ) from exc
    progress("done")
    return sorted(groups)


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
