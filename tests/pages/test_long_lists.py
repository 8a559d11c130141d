"""Long lists on a resource's page (hamar_graph.pages.long_lists): every property with more
values than a page shows one page of them, with their names, on every engine, and the
pages together show each value once."""

from __future__ import annotations

import pytest
from rdflib import Dataset, URIRef
from rdflib.term import Node

from hamar_graph.namespaces import ID
from hamar_graph.pages.long_lists import outgoing_facts
from hamar_graph.store.base import Store
from hamar_graph.store.memory import MemoryStore

#: Hamar kommune: four properties with more than two values (units, memberships, …).
SUBJECT = ID["organisasjon/hamar-kommune"]
#: The values that have a name: a preferred label, a title or a notation (a registered number).
NAMES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?s ?o WHERE { ?s ?p ?o . ?o skos:prefLabel|dct:title|skos:notation ?n }
"""


@pytest.fixture(scope="module")
def memory(dataset: Dataset) -> MemoryStore:
    copy = MemoryStore()
    copy.load(dataset)
    return copy


def _all_values(store: Store) -> dict[URIRef, set[Node]]:
    out: dict[URIRef, set[Node]] = {}
    for row in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", {"s": SUBJECT}):
        out.setdefault(URIRef(str(row["p"])), set()).add(row["o"])
    return out


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_every_long_property_shows_a_page_with_names(
    engine: str, store: Store, memory: MemoryStore
) -> None:
    chosen: Store = store if engine == "oxigraph" else memory
    every = _all_values(chosen)
    long = {p for p, values in every.items() if len(values) > 2}
    assert len(long) >= 2, "the test needs a resource with two long properties"
    named = {row["o"] for row in chosen.select(NAMES, {"s": SUBJECT})}
    pages = -(-max(len(every[p]) for p in long) // 2)
    seen: dict[URIRef, list[Node]] = {p: [] for p in long}
    for page in range(1, pages + 1):
        facts = outgoing_facts(chosen, SUBJECT, [], page, 2)
        assert set(facts.long) == long and all(facts.long[p] == len(every[p]) for p in long)
        for p in long:
            shown = list(facts.values.get(p, {}))
            assert len(shown) <= 2
            assert set(shown) | set(facts.elsewhere[p]) == every[p]
            assert not set(shown) & set(facts.elsewhere[p])
            for value in shown:  # each IRI with a name has its names on the page
                assert bool(facts.values[p][value]) == (value in named), value
            seen[p] += shown
        for p, values in facts.values.items():  # the short properties: every value
            if p not in long:
                assert set(values) == every[p]
    for p in long:
        assert sorted(seen[p], key=str) == sorted(every[p], key=str)  # each once
