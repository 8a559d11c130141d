"""Hamar kommune's international strategy as a linked-data knowledge graph.

The library knows nothing of Flask: it builds, validates, queries and exports
the graph through the one :class:`~hamar_graph.store.Store` interface.
"""

from __future__ import annotations

from hamar_graph.config import Settings
from hamar_graph.store.base import Store, StoreError, StoreUnavailable
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.oxigraph import OxigraphStore

__version__ = "0.1.0"

__all__ = [
    "MemoryStore",
    "OxigraphStore",
    "Settings",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "__version__",
]
