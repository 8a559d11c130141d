"""How a query without a dataset reads the endpoint's default graph, the union of all graphs.

The endpoint answers a query that names no dataset over the union of the store's graphs
(the build keeps each source in its own named graph). Oxigraph reads that union
(``use_default_graph_as_union``) from its index of every graph, which costs up to a third
more than reading the default graph alone on joins and paths, even in a store that holds
no named graph at all (benchmarks/README.md, "The union, the engine library and one
serialisation"). In such a store, for instance one loaded from N-Triples, the union *is*
the default graph, so the engines here ask Oxigraph for the default graph: the same
answers, without the extra work.

This module imports only pyoxigraph: query processes use it without loading rdflib.

.. versionadded:: 0.2
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

UNION = "use_default_graph_as_union"


def has_named_graphs(store: ox.Store) -> bool:
    """Whether ``store`` holds a named graph (a few microseconds: the first name only)."""
    return next(iter(store.named_graphs()), None) is not None


def union_arguments(kwargs: dict[str, Any], named_graphs: bool) -> dict[str, Any]:
    """pyoxigraph's query arguments ``kwargs`` for a store with or without named graphs:
    without any, a request for the union of all graphs becomes a read of the default
    graph, which is the same graph (``kwargs`` is changed and returned)."""
    if not named_graphs and kwargs.get(UNION):
        kwargs[UNION] = False
    return kwargs


class OxigraphEngine:
    """A pyoxigraph store as a :class:`~hamar_graph.store.base.QueryEngine`, reading the
    union of all graphs as the default graph when the store has no named graph. The one
    engine class of the store (:mod:`hamar_graph.store.oxigraph`) and of the query
    processes (:class:`~hamar_graph.sparql.worker.NativeEngine`).

    .. versionadded:: 0.2
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        #: read once: an engine's store does not gain or lose named graphs under it
        self.named_graphs = has_named_graphs(store)

    def query(self, query: str, *, form: str | None = None, **kwargs: Any) -> Any:
        """Run ``query`` with pyoxigraph's arguments (``form`` is not needed here)."""
        return self.store.query(query, **union_arguments(kwargs, self.named_graphs))
