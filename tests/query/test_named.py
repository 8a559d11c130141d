"""The pages' named queries (hamar_graph.query.named): each parses, runs on every
engine with its bindings, and keeps the rule that makes bindings portable."""

from __future__ import annotations

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.plugins.sparql import prepareQuery

from hamar_graph.namespaces import ID
from hamar_graph.query import named
from hamar_graph.query.text import PROLOGUE
from hamar_graph.store.base import Store
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.sparql_text import fill_values

BASE = "https://data.hamar.kommune.no/"
DOC = URIRef(BASE + "id/dokument/internasjonal-strategi")
LUND = ID["vennskapsby/lund"]

#: Each query with the bindings the pages give it.
CALLS: dict[str, dict[str, URIRef | Literal]] = {
    "OUTGOING": {"s": LUND},
    "INCOMING": {"s": LUND},
    "BREADCRUMBS": {"s": ID["tiltak/internasjonal-uke"]},
    "DESCRIBE": {"s": LUND},
    "EXISTS": {"s": LUND},
    "GRAPH_TRIPLES": {"g": URIRef(BASE + "graph/ontology-hamar")},
    "VOCABULARY": {},
    "RESOURCE_TEXTS": {},
    "RESOURCE_TYPES": {},
    "HOME_AXES": {"doc": DOC},
    "TREE": {"doc": DOC},
    "KEY_FIGURES": {"doc": DOC},
    "MAP_PLACES": {"doc": DOC, "home": ID["sted/hamar"]},
    "RESPONSIBILITY": {"doc": DOC},
    "STRATEGY": {},
    "ENTITY_OUTGOING": {"s": ID["organisasjon/hamar-kommune"]},
    "ENTITY_OUTGOING_SIZES": {"s": ID["organisasjon/hamar-kommune"]},
    "ENTITY_OUTGOING_VALUES": {"s": DOC},
    "ENTITY_OUTGOING_NAMES": {"s": DOC},
    "ENTITY_INCOMING": {"s": ID["aktor/formannskapet"]},
    "ACTION_PLAN_GOALS": {"plan": ID["dokument/handlingsplan-2015-2019"]},
    "ACTION_PLAN_MEASURES": {"plan": ID["dokument/handlingsplan-2015-2019"]},
    "SECTION_TREE": {"root": DOC},
    "SECTION_MENTIONS": {"root": DOC},
    "RESPONSIBILITY_CHART": {"doc": DOC},
    "STRATEGY_ACTORS": {"doc": DOC},
    "GRAPH_SIZE": {"g": URIRef(BASE + "graph/data-actionplan")},
    "STRATEGY_AXES": {},
    "FIRST_STRATEGY": {},
}

HAS_SECTION = URIRef(BASE + "def/hasSection")

#: The ``VALUES`` blocks the pages fill in (``fill_values``), as the resource page does for
#: a document whose sections are a long list shown from the second to the fifth.
FILLS: dict[str, list[tuple[list[str], list[list[URIRef]]]]] = {
    "ENTITY_OUTGOING_VALUES": [(["p"], [[HAS_SECTION]])],
    "ENTITY_OUTGOING_NAMES": [
        (["p"], [[RDF.type], [DCTERMS.title], [URIRef(BASE + "def/axisScheme")]]),
        (["p", "o"], [[HAS_SECTION, URIRef(f"{BASE}id/seksjon/{n}")] for n in range(2, 6)]),
    ],
}


def _text(name: str) -> str:
    """The named query as the pages send it, its ``VALUES`` blocks filled."""
    text = getattr(named, name)
    for variables, rows in FILLS.get(name, []):
        text = fill_values(text, variables, rows)
    return text


def test_every_query_is_listed_and_documented() -> None:
    assert set(named.__all__) == set(CALLS)
    for name in CALLS:
        assert f"``{name}``" in (named.__doc__ or "")


@pytest.mark.parametrize("name", sorted(CALLS))
def test_parses_and_projects_what_it_binds(name: str) -> None:
    prepareQuery(getattr(named, name))  # an empty VALUES block too
    prepared = prepareQuery(_text(name))
    if prepared.algebra.name == "SelectQuery":
        projected = {str(v) for v in prepared.algebra["PV"]}
        assert set(CALLS[name]) <= projected, "a bound SELECT variable must be projected"


@pytest.fixture(scope="module")
def memory(store: Store) -> MemoryStore:
    copy = MemoryStore()
    rows = store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    from rdflib import Dataset

    ds = Dataset()
    for r in rows:
        ds.graph(r["g"]).add((r["s"], r["p"], r["o"]))  # type: ignore[arg-type]
    copy.load(ds)
    return copy


@pytest.mark.parametrize("name", sorted(CALLS))
def test_answers_alike_on_oxigraph_and_rdflib(name: str, store: Store, memory: MemoryStore) -> None:
    text, bindings = _text(name), CALLS[name]
    kind = re.search(
        r"\b(SELECT|ASK|CONSTRUCT)\b",
        text.split("\n", len(PROLOGUE.splitlines()))[-1],
    )
    assert kind is not None
    if kind.group(1) == "ASK":
        assert store.ask(text, bindings) is memory.ask(text, bindings) is True
    elif kind.group(1) == "CONSTRUCT":
        ours, theirs = store.construct(text, bindings), memory.construct(text, bindings)
        assert len(ours) > 0 and set(ours) == set(theirs)
    else:
        ours = store.select(text, bindings)
        theirs = memory.select(text, bindings)
        assert ours, f"{name} found nothing"
        key = lambda row: sorted((k, str(v)) for k, v in row.items())  # noqa: E731
        assert sorted(map(key, ours)) == sorted(map(key, theirs))
