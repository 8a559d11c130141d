"""rdflib's own in-memory SPARQL engine behind the Store interface (tests, comparison)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from hamar_graph.namespaces import bind_prefixes
from hamar_graph.rdf.convert import dataset_quads
from hamar_graph.store.base import (
    Bindings,
    Row,
)
from hamar_graph.store.oxigraph import OxigraphSource, nquads_fingerprint


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

    Slow on joins and unsafe under concurrent threads (docs/DECISIONS.md); kept as the
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

    def _nquads(self) -> bytes:
        copy = ox.Store()
        copy.bulk_extend(dataset_quads(self._dataset))
        return copy.dump(format=ox.RdfFormat.N_QUADS) or b""

    def fingerprint(self) -> str:
        """The same digest an Oxigraph store with this data has."""
        return nquads_fingerprint(self._nquads())

    def local_engine(self) -> None:
        """None: rdflib cannot be stopped, and its answers are not Oxigraph's."""
        return None

    def engine_source(self) -> OxigraphSource:
        """rdflib cannot be stopped mid-query, so query processes run a copy in Oxigraph."""
        return OxigraphSource(nquads=self._nquads())
