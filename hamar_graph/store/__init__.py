"""The one Store interface and its engines: embedded Oxigraph (default), rdflib in
memory, and a remote SPARQL 1.1 endpoint (:mod:`hamar_graph.store.remote`: answers;
:mod:`~hamar_graph.store.remote_query`: bindings placed first; :mod:`~hamar_graph.store.
remote_load` and :mod:`~hamar_graph.store.remote_virtuoso`: loading, with the data version).
Only these modules know which engine they talk to."""

from __future__ import annotations

from hamar_graph.store.base import Bindings, Row, Store, StoreError, StoreUnavailable
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.oxigraph import OxigraphStore

__all__ = [
    "Bindings",
    "MemoryStore",
    "OxigraphStore",
    "Row",
    "Store",
    "StoreError",
    "StoreUnavailable",
]
