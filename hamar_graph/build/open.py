"""Choose and open the Store a deployment is configured for.

``store=oxigraph`` opens the persistent store that ``build`` wrote
(``{out_dir}/store``) read-only when it exists; otherwise it assembles the
sources (:func:`hamar_graph.build.assembly.assemble`: parse, check terms, derive) into an
in-memory Oxigraph store at start-up. ``store=memory`` uses rdflib's
engine. ``store=remote`` talks to a SPARQL 1.1 endpoint
(:mod:`hamar_graph.store.remote`).
"""

from __future__ import annotations

from hamar_graph.build.assembly import assemble
from hamar_graph.config import Settings
from hamar_graph.store.base import Store
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.oxigraph import OxigraphStore


def open_store(settings: Settings) -> Store:
    """Open the Store named by ``settings.store``.

    :param settings: the deployment's settings.
    :raises hamar_graph.store.base.StoreError: when the store cannot be opened.
    :raises hamar_graph.build.assembly.BuildError: when the sources must be assembled and cannot be.
    """
    if settings.store == "remote":
        from hamar_graph.store.remote import RemoteStore

        return RemoteStore.from_settings(settings)
    if settings.store == "oxigraph":
        path = settings.resolved_store_path
        if path.exists() and any(path.iterdir()):
            return OxigraphStore(path, read_only=True)
        store: Store = OxigraphStore()
    else:
        store = MemoryStore()
    store.load(assemble(settings))
    return store
