"""The one Store interface, and its embedded implementations.

Everything that queries goes through :class:`Store`. Callers never see which
engine answers: :class:`OxigraphStore` (pyoxigraph, the default, in memory or
persistent on disk), :class:`MemoryStore` (rdflib's own SPARQL engine, kept as
a comparison peer and for tests) and, in :mod:`hamar_graph.remote`, a remote
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
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from hamar_graph.namespaces import bind_prefixes

Row = dict[str, Node]
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


# --- term conversion between rdflib and pyoxigraph -------------------------------------


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


def from_ox(term: object) -> Node:
    """Convert a pyoxigraph term to an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def dataset_quads(dataset: Dataset) -> Iterator[ox.Quad]:
    """Yield the quads of an rdflib Dataset as pyoxigraph quads."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        gname = getattr(g, "identifier", g)
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
        if gname is None or str(gname) == "urn:x-rdflib:default":
            graph = ox.DefaultGraph()
        else:
            graph = to_ox(gname)  # type: ignore[assignment]
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]


class OxigraphStore:
    """Embedded Oxigraph: in memory, or persistent on disk.

    :param path: folder of a persistent store; ``None`` keeps it in memory.
    :param read_only: open an existing persistent store read-only (for serving).

    .. versionadded:: 0.1
    """

    name = "oxigraph"

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        if path is None:
            self._store = ox.Store()
        elif read_only:
            if not path.exists():
                raise StoreError(f"no persistent store at {path}; run `hamar-graph build` first")
            self._store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store (for the query sandbox and serialisers)."""
        return self._store

    def _run(self, query: str, bindings: Bindings | None) -> object:
        subs = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self._store.query(
                query, use_default_graph_as_union=True, substitutions=subs or None
            )
        except SyntaxError:
            raise
        except OSError as exc:
            raise StoreError(f"Oxigraph could not read its store: {exc}") from exc

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise ValueError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row: Row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = from_ox(value)
            rows.append(row)
        return rows

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise ValueError("ask() needs an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise ValueError("construct() needs a CONSTRUCT or DESCRIBE query")
        graph = bind_prefixes(Graph())
        for t in result:
            graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return graph

    def load(self, dataset: Dataset) -> None:
        self._store.clear()
        self._store.bulk_extend(dataset_quads(dataset))
        if self.path is not None:
            self._store.flush()
            self._store.optimize()

    def graph_names(self) -> list[URIRef]:
        return sorted(
            URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
        )

    def __len__(self) -> int:
        return len(self._store)


@contextmanager
def _quiet_rdflib_dataset() -> Iterator[None]:
    """Silence the DeprecationWarnings rdflib 7.6's SPARQL engine raises on its own Dataset.

    Evaluating a query over a ``Dataset`` calls ``Dataset.default_context`` and
    ``Dataset.contexts`` inside rdflib, which warn; nothing in our code can avoid them.
    Results are consumed inside the block because rdflib evaluates lazily.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            r"(Dataset|ConjunctiveGraph)\.?\w* is deprecated",
            DeprecationWarning,
        )
        yield


class MemoryStore:
    """rdflib's in-memory Dataset and SPARQL engine.

    Slow on joins and unsafe under concurrent threads (DESIGN.md); kept as the
    pure-rdflib peer for benchmarks and as a second engine that tests swap in.

    .. versionadded:: 0.1
    """

    name = "memory"

    def __init__(self) -> None:
        self._dataset = Dataset(default_union=True)

    def _run(self, query: str, bindings: Bindings | None) -> object:
        return self._dataset.query(query, initBindings=dict(bindings or {}))

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        with _quiet_rdflib_dataset():
            result = self._run(query, bindings)
            if getattr(result, "type", None) != "SELECT":
                raise ValueError("select() needs a SELECT query")
            names = [str(v) for v in result.vars]  # type: ignore[attr-defined]
            return [
                {n: row[i] for i, n in enumerate(names) if row[i] is not None}
                for row in result  # type: ignore[attr-defined]
            ]

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        with _quiet_rdflib_dataset():
            result = self._run(query, bindings)
            if getattr(result, "type", None) != "ASK":
                raise ValueError("ask() needs an ASK query")
            return bool(result.askAnswer)  # type: ignore[attr-defined]

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        with _quiet_rdflib_dataset():
            result = self._run(query, bindings)
            if getattr(result, "type", None) not in ("CONSTRUCT", "DESCRIBE"):
                raise ValueError("construct() needs a CONSTRUCT or DESCRIBE query")
            graph = bind_prefixes(Graph())
            for triple in result:  # type: ignore[attr-defined]
                graph.add(triple)
            return graph

    def load(self, dataset: Dataset) -> None:
        self._dataset = Dataset(default_union=True)
        for s, p, o, g in dataset.quads((None, None, None, None)):
            gname = getattr(g, "identifier", g)
            self._dataset.graph(gname).add((s, p, o))

    def graph_names(self) -> list[URIRef]:
        return sorted(
            URIRef(g.identifier)
            for g in self._dataset.graphs()
            if isinstance(g.identifier, URIRef) and str(g.identifier) != "urn:x-rdflib:default"
        )

    def __len__(self) -> int:
        return sum(1 for _ in self._dataset.quads((None, None, None, None)))


def bulk_load_file(source: Path, store_dir: Path) -> OxigraphStore:
    """Bulk-load an N-Triples (``.nt``) or N-Quads (``.nq``) file into a new persistent store.

    The fast path for large graphs: Oxigraph parses and indexes the file itself,
    with no Python object per triple. The store is written to ``store_dir``,
    which must not exist yet.

    .. versionadded:: 0.1
    """
    fmt = ox.RdfFormat.N_QUADS if source.suffix == ".nq" else ox.RdfFormat.N_TRIPLES
    if store_dir.exists():
        raise StoreError(f"{store_dir} exists already; remove it or choose another folder")
    store = OxigraphStore(store_dir)
    store.native.bulk_load(path=str(source), format=fmt)
    store.native.flush()
    store.native.optimize()
    return store


def union_graph(store: Store) -> Graph:
    """The whole default (union) graph of ``store`` as an rdflib Graph."""
    return store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def load_triples(store: Store, graphs: Iterable[tuple[URIRef, Graph]]) -> None:
    """Load ``(name, graph)`` pairs into ``store`` as named graphs, replacing its content."""
    ds = Dataset()
    for name, graph in graphs:
        target = ds.graph(name)
        for triple in graph:
            target.add(triple)
    store.load(ds)
