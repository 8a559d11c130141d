"""Embedded Oxigraph (pyoxigraph), in memory or persistent on disk: the default engine."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from hamar_graph.default_graph import OxigraphEngine
from hamar_graph.namespaces import bind_prefixes
from hamar_graph.rdf.convert import dataset_quads, from_ox, to_ox
from hamar_graph.store.base import (
    Bindings,
    Row,
    StoreError,
)
from hamar_graph.store.sparql_text import inline_bindings


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
        self.read_only = read_only
        #: a read-only store's engine, made once (:meth:`local_engine`)
        self._engine: OxigraphEngine | None = None

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store (for the query sandbox and serialisers)."""
        return self._store

    def _run(self, query: str, bindings: Bindings | None) -> object:
        inlined = inline_bindings(query, bindings) if bindings else None
        if inlined is not None:
            query, bindings = inlined, None
        subs = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self.local_engine().query(
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
        seen: dict[object, Node] = {}  # a term repeated across rows is converted once
        columns = list(enumerate(names))  # by position: a lookup by name costs 2 µs a cell
        for solution in result:
            row: Row = {}
            for index, name in columns:
                value = solution[index]
                if value is not None:
                    term = seen.get(value)
                    if term is None:
                        term = seen[value] = from_ox(value)
                    row[name] = term
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

    def fingerprint(self) -> str:
        """SHA-256 of the sorted lines of Oxigraph's N-Quads dump (milliseconds here).

        Blank-node labels are not stable, so a store holding blank nodes is hashed over
        its canonical N-Quads instead; the build replaces blank nodes by skolem IRIs.
        """
        return nquads_fingerprint(self._store.dump(format=ox.RdfFormat.N_QUADS) or b"")

    def local_engine(self) -> OxigraphEngine:
        """This store itself, for bounded queries in the web process (and this store's
        own queries). A read-only store cannot gain or lose a named graph, so its engine
        is made once; a writable one's is made for each call."""
        if not self.read_only:
            return OxigraphEngine(self._store)
        if self._engine is None:
            self._engine = OxigraphEngine(self._store)
        return self._engine

    def engine_source(self) -> OxigraphSource:
        """A persistent store is opened read-only by each query process; an in-memory
        one is copied to it once, as N-Quads."""
        if self.path is not None:
            return OxigraphSource(path=str(self.path))
        return OxigraphSource(nquads=self._store.dump(format=ox.RdfFormat.N_QUADS) or b"")


def nquads_fingerprint(nquads: bytes) -> str:
    """SHA-256 (hex) of N-Quads, lines sorted; canonical blank-node labels when it has any.

    Oxigraph gives blank nodes new labels whenever data is loaded, so the lines of a named
    graph that holds blank nodes (the shapes) are replaced by that graph's canonical
    N-Quads (:func:`~hamar_graph.rdf.datasets.canonical_dataset`); the other lines are
    hashed as they are.
    """
    lines = sorted(line for line in nquads.splitlines() if line.strip())
    if not any(b"_:" in line for line in lines):
        return hashlib.sha256(b"\n".join(lines)).hexdigest()
    from rdflib import Dataset as _Dataset

    from hamar_graph.rdf.datasets import canonical_dataset
    from hamar_graph.rdf.serialize import serialize_nquads

    def graph_of(line: bytes) -> bytes:  # the last term before " ." (a quad's graph)
        return line.rstrip().removesuffix(b".").rstrip().rsplit(b" ", 1)[-1]

    blank = {graph_of(line) for line in lines if b"_:" in line}
    kept = [line for line in lines if graph_of(line) not in blank]
    dataset = _Dataset()
    rest = b"\n".join(line for line in lines if graph_of(line) in blank)
    for quad in ox.parse(rest, format=ox.RdfFormat.N_QUADS):
        graph = dataset.graph(from_ox(quad.graph_name))  # type: ignore[arg-type]
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    canonical = serialize_nquads(canonical_dataset(dataset)).splitlines()
    return hashlib.sha256(b"\n".join(sorted(kept + canonical))).hexdigest()


@dataclass(frozen=True)
class OxigraphSource:
    """Where a query process finds its Oxigraph data: a persistent store to open
    read-only, or N-Quads to load into memory."""

    path: str | None = None
    nquads: bytes | None = None
    needs_network: bool = False

    def open(self, timeout: float) -> OxigraphEngine:
        if self.path is not None:
            return OxigraphEngine(ox.Store.read_only(self.path))
        store = ox.Store()
        if self.nquads and b"_:" in self.nquads:
            # Oxigraph's loaders rename blank nodes; its parser keeps the labels, so every
            # query process answers with the labels of the app's own store
            store.extend(ox.parse(self.nquads, format=ox.RdfFormat.N_QUADS))
        elif self.nquads:
            store.bulk_load(self.nquads, format=ox.RdfFormat.N_QUADS)
        return OxigraphEngine(store)


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
