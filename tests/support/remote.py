"""Shared by the remote-mode tests: the named queries with the pages' bindings, real engines
loaded the app's way, and comparisons of answers as the engines may legitimately differ."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from hamar_graph.query import named
from hamar_graph.store.base import Bindings, Store
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_load import load_dataset
from tests.support.oxigraph_server import OxigraphServer
from tests.support.virtuoso_server import VirtuosoServer

BASE = "https://data.hamar.kommune.no/"
ID = BASE + "id/"
DOC = URIRef(ID + "dokument/internasjonal-strategi")
LUND = URIRef(ID + "vennskapsby/lund")

#: Every named query with the bindings its page sends (None: it takes none).
NAMED_CASES: list[tuple[str, Bindings | None]] = [
    ("OUTGOING", {"s": LUND}),
    ("INCOMING", {"s": LUND}),
    ("BREADCRUMBS", {"s": URIRef(ID + "tiltak/internasjonal-uke")}),
    ("BREADCRUMBS", {"s": URIRef(ID + "akse/vennskapsbysamarbeid")}),
    ("DESCRIBE", {"s": LUND}),
    ("EXISTS", {"s": LUND}),
    ("EXISTS", {"s": URIRef(ID + "nothing/here")}),
    ("GRAPH_TRIPLES", {"g": URIRef(BASE + "graph/ontology-hamar")}),
    ("VOCABULARY", None),
    ("RESOURCE_TEXTS", None),
    ("RESOURCE_TYPES", None),
    ("HOME_AXES", {"doc": DOC}),
    ("TREE", {"doc": DOC}),
    ("KEY_FIGURES", {"doc": DOC}),
    ("MAP_PLACES", {"doc": DOC, "home": URIRef(ID + "sted/hamar")}),
    ("RESPONSIBILITY", {"doc": DOC}),
    ("STRATEGY", None),
]

CASE_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(NAMED_CASES)]


def answer(store: Store, name: str, bindings: Bindings | None) -> Any:
    """The named query's answer in a form that compares across engines: a multiset of rows
    (rows of rdflib terms), a graph, or a boolean."""
    text = getattr(named, name)
    if name in ("DESCRIBE", "GRAPH_TRIPLES"):
        return store.construct(text, bindings)
    if name == "EXISTS":
        return store.ask(text, bindings)
    return Counter(frozenset(row.items()) for row in store.select(text, bindings))


def same_answer(a: Any, b: Any) -> bool:
    if isinstance(a, Graph) and isinstance(b, Graph):
        return isomorphic(a, b)
    return bool(a == b)


@contextlib.contextmanager
def oxigraph_loaded(location: Path, dataset: Dataset) -> Iterator[OxigraphServer]:
    """An Oxigraph server holding ``dataset`` loaded by ``hamar-graph load``'s code."""
    server = OxigraphServer(location).start()
    try:
        load_dataset(RemoteStore(server.query_url, timeout=30), dataset)
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def virtuoso_loaded(location: Path, dataset: Dataset, **options: Any) -> Iterator[VirtuosoServer]:
    """A throw-away Virtuoso holding ``dataset`` loaded by ``hamar-graph load``'s code (the
    bulk loader, only our graphs readable, the data version); stopped, or killed on error."""
    server = VirtuosoServer(location, **options)
    server.start()
    try:
        server.loader().load_dataset(dataset)
        yield server
    except BaseException:
        server.kill()
        raise
    finally:
        server.stop()
