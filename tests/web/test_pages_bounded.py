"""A page costs a bounded number of queries, whatever the size of the graph (issue 5).

An entity page over a graph with 300 more measures serving one goal costs as many queries as
over the project's graph (one more for a list longer than a page, which is shown in parts of
50); the home page costs six, and the index, search, completeness and ontology pages none,
their data being computed once per app. ``CountingStore`` counts the queries;
``tests/web/test_pages_staff.py`` and ``tests/web/test_pages_national.py`` use it too.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from hamar_graph.config import Settings
from hamar_graph.namespaces import HMS
from hamar_graph.store.base import Bindings, EngineSource, QueryEngine, Row, Store
from hamar_graph.store.oxigraph import OxigraphStore
from web import create_app

BASE = "https://data.hamar.kommune.no/"


class CountingStore:
    """Delegates to a store and counts the queries it runs."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.name = inner.name
        self.count = 0

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        self.count += 1
        return self.inner.select(query, bindings)

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        self.count += 1
        return self.inner.ask(query, bindings)

    def construct(self, query: str, bindings: Bindings | None = None) -> Graph:
        self.count += 1
        return self.inner.construct(query, bindings)

    def load(self, dataset: Dataset) -> None:
        self.inner.load(dataset)

    def graph_names(self) -> list[URIRef]:
        self.count += 1  # a query on a remote engine, which reads every quad
        return self.inner.graph_names()

    def __len__(self) -> int:
        self.count += 1
        return len(self.inner)

    def fingerprint(self) -> str:
        return self.inner.fingerprint()

    def engine_source(self) -> EngineSource:
        return self.inner.engine_source()

    def local_engine(self) -> QueryEngine | None:
        return self.inner.local_engine()


def _counting_app(settings: Settings, store: Store) -> tuple[Flask, CountingStore]:
    counting = CountingStore(store)
    app = create_app(
        {"out_dir": settings.out_dir, "store_path": settings.store_path}, store=counting
    )
    app.config["TESTING"] = True
    return app, counting


def _queries_for(app: Flask, counting: CountingStore, path: str) -> int:
    with app.test_client() as c:
        c.get("/sok?q=warm")  # builds the once-per-app data
        counting.count = 0
        assert c.get(path).status_code == 200
        return counting.count


@pytest.fixture(scope="module")
def crowded_store(dataset: Dataset) -> Store:
    """The Hamar graph plus 300 extra measures serving one goal, each with a label."""
    ds = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        ds.graph(g).add((s, p, o))
    extra = ds.graph(URIRef(BASE + "graph/test-crowded"))
    goal = URIRef(BASE + "id/handlingsmal/videreutvikle-vertsskapsrollen")
    for i in range(300):
        m = URIRef(BASE + f"id/tiltak/ekstra-{i}")
        extra.add((m, RDF.type, HMS.Measure))
        extra.add((m, SKOS.prefLabel, Literal(f"Ekstra tiltak {i}", lang="nb")))
        extra.add((m, HMS.servesGoal, goal))
        extra.add((goal, HMS.hasMeasure, m))
    store = OxigraphStore()
    store.load(ds)
    return store


@pytest.mark.parametrize(
    "path",
    [
        "/id/handlingsmal/videreutvikle-vertsskapsrollen",
        "/id/tiltak/internasjonal-uke",
        "/id/seksjon/6",
        "/id/akse/vennskapsbysamarbeid",
    ],
)
def test_entity_page_costs_bounded_queries(
    settings: Settings, store: Store, crowded_store: Store, path: str
) -> None:
    plain = _queries_for(*_counting_app(settings, store), path)
    crowded = _queries_for(*_counting_app(settings, crowded_store), path)
    # incoming, sizes, outgoing with names, breadcrumbs; a
    # property with more values than a page holds costs one query more, whatever its length
    long_list = path == "/id/handlingsmal/videreutvikle-vertsskapsrollen"
    assert crowded == plain + long_list
    assert plain == 4
    app, _ = _counting_app(settings, crowded_store)
    extra: set[str] = set()
    with app.test_client() as c:
        # the list that grows is shown in parts of HAMAR_GRAPH_PAGE_SIZE (50), ?side=1..6
        first = c.get("/id/handlingsmal/videreutvikle-vertsskapsrollen").get_data(as_text=True)
        assert (
            '<link rel="next" href="/id/handlingsmal/videreutvikle-vertsskapsrollen?side=2">'
            in first
        )
        assert "50 av 300 på denne siden" in first
        for side in range(1, 8):
            html = c.get(f"/id/handlingsmal/videreutvikle-vertsskapsrollen?side={side}")
            found = set(re.findall(r'href="(/id/tiltak/ekstra-\d+)"', html.get_data(as_text=True)))
            assert len(found) == 50, side  # past the end (?side=7): the last part again
            extra |= found
    assert len(extra) == 300


def test_other_pages_cost_bounded_queries(settings: Settings, crowded_store: Store) -> None:
    app, counting = _counting_app(settings, crowded_store)
    assert _queries_for(app, counting, "/") == 6
    for path in ("/id/tiltak/", "/sok?q=tiltak", "/fullstendighet", "/def/hamar", "/id/"):
        assert _queries_for(app, counting, path) == 0, path
