"""Hamar kommune's international strategy as a linked-data knowledge graph.

The library knows nothing of Flask: it builds, validates, queries and exports
the graph through the one :class:`~hamar_graph.store.Store` interface.
"""

from __future__ import annotations

from hamar_graph.config import Settings
from hamar_graph.store import MemoryStore, OxigraphStore, Store, StoreError, StoreUnavailable

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
