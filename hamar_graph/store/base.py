"""The one Store interface, and its embedded implementations.

Everything that queries goes through :class:`Store`. Callers never see which
engine answers: :class:`OxigraphStore` (pyoxigraph, the default, in memory or
persistent on disk), :class:`MemoryStore` (rdflib's own SPARQL engine, kept as
a comparison peer and for tests) and, in :mod:`hamar_graph.store.remote`, a remote
SPARQL 1.1 endpoint.

Values are never pasted into query text: :meth:`Store.select`,
:meth:`Store.ask` and :meth:`Store.construct` take ``bindings`` that the
engine substitutes (pyoxigraph ``substitutions``, rdflib ``initBindings``).
Two rules make a query with bindings answer the same on every engine:
a bound variable of a SELECT must be in its projection (Oxigraph substitutes
only projected variables, SEP-0007, and raises otherwise), and a DESCRIBE of
a bound variable needs a WHERE clause (``DESCRIBE ?s WHERE { ?s ?p ?o }``;
rdflib ignores bindings without one). Oxigraph gives ``xsd:decimal`` values
back in canonical form (``"13.1950"`` as ``"13.195"``); rdflib keeps the
lexical form.
As in SPARQL-dev SEP-0007, a variable bound in a SELECT query must be in its
projection (``SELECT ?s ?label``, or ``SELECT *``).

The default graph of every query is the union of the named graphs (one per
source file), as on most public endpoints.

Every store also gives the public SPARQL endpoint what it needs, so no code outside
this package asks which engine it has: :meth:`Store.engine_source` tells a query
process how to open an engine of its own (:class:`EngineSource`), and
:meth:`Store.fingerprint` says what data the store holds (the data version behind
HTTP validators).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

Row = dict[str, Node]

#: The named graph in which ``hamar-graph load`` writes the data version of a remote engine:
#: ``<urn:x-hamar-graph:data-version> dct:identifier "<SHA-256 of the loaded quads>" ;
#: dct:modified "<load time>"^^xsd:dateTime``. It is not data: remote stores leave it out of
#: :meth:`Store.graph_names` and ``len()``, and read it in :meth:`Store.fingerprint`.
DATA_VERSION_GRAPH = URIRef("urn:x-hamar-graph:data-version")


Bindings = Mapping[str, Node]


class StoreError(RuntimeError):
    """The engine failed or could not be reached; the message says what to do."""


class StoreUnavailable(StoreError):
    """The engine cannot answer now (down, or past its deadline)."""


@runtime_checkable
class Store(Protocol):
    """What every query engine offers the library.

    .. versionadded:: 0.1
    """

    #: Short engine name: ``oxigraph``, ``memory`` or ``remote``.
    name: str

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        """Run a SELECT query and return its rows as dicts of rdflib terms."""
        ...

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        """Run an ASK query."""
        ...

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query and return the triples as a Graph."""
        ...

    def load(self, dataset: Dataset) -> None:
        """Replace the store's whole content by ``dataset`` (quads kept in their graphs)."""
        ...

    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store, sorted."""
        ...

    def __len__(self) -> int:
        """Number of quads in the store."""
        ...

    def fingerprint(self) -> str:
        """A hex digest that changes whenever the store's data changes."""
        ...

    def engine_source(self) -> EngineSource:
        """How a query process opens an engine over the same data (picklable)."""
        ...

    def local_engine(self) -> QueryEngine | None:
        """This process's own engine over the same data, for the queries whose cost the row
        cap bounds (:mod:`hamar_graph.sparql.bounded`); ``None`` when every query must go
        to a query process (a remote engine, rdflib).

        .. versionadded:: 0.2
        """
        ...


@runtime_checkable
class QueryEngine(Protocol):
    """What a sandboxed query process runs a checked query on.

    ``query`` takes pyoxigraph's query arguments (``base_iri``,
    ``use_default_graph_as_union``, ``default_graph``, ``named_graphs``) and the query's
    form, and returns pyoxigraph results (``QuerySolutions``, ``QueryBoolean`` or an
    iterable of triples). It raises :class:`SyntaxError` for a query the engine refuses
    and :class:`ConnectionError` when the engine cannot answer.
    """

    def query(self, query: str, **kwargs: Any) -> Any: ...


@runtime_checkable
class EngineSource(Protocol):
    """A picklable recipe for a :class:`QueryEngine`, opened inside a query process."""

    #: Whether the engine needs the network (a remote endpoint); query processes over
    #: local data drop their network access.
    needs_network: bool

    def open(self, timeout: float) -> QueryEngine:
        """Open the engine (``timeout``: seconds an engine may take to answer)."""
        ...


def counts_fingerprint(store: Store) -> str:
    """SHA-256 of the named graphs' triple counts: one aggregate query, for engines whose
    data is too large to copy and that hold no data version; it changes only when a
    reload changes some graph's size (the data-version graph is left out)."""
    counts = store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g != <{DATA_VERSION_GRAPH}>) }} GROUP BY ?g ORDER BY ?g"
    )
    text = "\n".join(f"{row['g']}\t{row['n']}" for row in counts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def union_graph(store: Store) -> Graph:
    """The union of the named graphs of ``store`` (the data-version graph of a remote
    engine left out) as an rdflib Graph."""
    return store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(?g != <{DATA_VERSION_GRAPH}>) }}"
    )


def load_triples(store: Store, graphs: Iterable[tuple[URIRef, Graph]]) -> None:
    """Load ``(name, graph)`` pairs into ``store`` as named graphs, replacing its content."""
    ds = Dataset()
    for name, graph in graphs:
        target = ds.graph(name)
        for triple in graph:
            target.add(triple)
    store.load(ds)
