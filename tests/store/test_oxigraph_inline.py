"""Bound variables are written into the query as constants on the embedded store
(hamar_graph.store.sparql_text.inline_bindings), so they anchor the query plan; the answers
are those of the engine's own substitution."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node

from hamar_graph.namespaces import ID
from hamar_graph.query import named
from hamar_graph.rdf.convert import from_ox, to_ox
from hamar_graph.store.oxigraph import OxigraphStore
from hamar_graph.store.sparql_text import inline_bindings

DOC = ID["dokument/internasjonal-strategi"]
CALLS = {
    "OUTGOING": {"s": ID["vennskapsby/lund"]},
    "INCOMING": {"s": ID["vennskapsby/lund"]},
    "BREADCRUMBS": {"s": ID["tiltak/internasjonal-uke"]},
    "HOME_AXES": {"doc": DOC},
    "TREE": {"doc": DOC},
    "KEY_FIGURES": {"doc": DOC},
    "MAP_PLACES": {"doc": DOC, "home": ID["sted/hamar"]},
    "RESPONSIBILITY": {"doc": DOC},
    "STRATEGY": {"doc": DOC},
}


def _rows(rows: list[dict[str, Node]]) -> list[list[tuple[str, str]]]:
    return sorted(sorted((k, v.n3()) for k, v in row.items()) for row in rows)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_inlined_answers_equal_substituted(name: str, store: OxigraphStore) -> None:
    text, bindings = getattr(named, name), CALLS[name]
    inlined = inline_bindings(text, bindings)
    assert inlined is not None and all(f"<{v}>" in inlined for v in bindings.values())
    solutions = store.native.query(
        text,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): to_ox(v) for k, v in bindings.items()},
    )
    names = [v.value for v in solutions.variables]
    substituted = [{n: from_ox(s[n]) for n in names if s[n] is not None} for s in solutions]
    assert substituted and _rows(store.select(text, bindings)) == _rows(substituted)


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "no explicit projection"),
        ('SELECT ?s WHERE { ?s ?p "x" }', "a quote"),
        ("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s", "used after WHERE"),
        ("SELECT ?t WHERE { ?x ?p ?o BIND(?o AS ?s) }", "assigned"),
        ("ASK { { SELECT ?s WHERE { ?s ?p ?o } } }", "a sub-query outside a SELECT"),
        ("SELECT ?s WHERE { { SELECT * WHERE { ?s ?p ?o } } }", "a sub-query projecting *"),
    ],
)
def test_shapes_left_to_the_engine(query: str, why: str) -> None:
    assert inline_bindings(query, {"s": URIRef("http://example.org/a")}) is None, why


def test_a_hostile_value_is_refused_not_written() -> None:
    assert inline_bindings("SELECT ?s WHERE { ?s ?p ?o }", {"s": URIRef("http://x/> } ")}) is None
    text = inline_bindings("SELECT ?s ?o WHERE { ?s ?p ?o }", {"o": Literal('a" } DROP ALL')})
    assert text is None or '\\"' in text


def test_a_longer_name_is_not_touched() -> None:
    text = inline_bindings("SELECT ?s ?section WHERE { ?s ?p ?section }", {"s": URIRef("x:a")})
    assert text == "SELECT (<x:a> AS ?s) ?section WHERE { <x:a> ?p ?section }"


def test_a_sub_query_that_projects_the_variable_keeps_it_there() -> None:
    text = inline_bindings(
        "SELECT ?s ?o WHERE { { SELECT ?s ?x WHERE { ?s ?p ?x } } ?x ?q ?o }",
        {"s": URIRef("x:a")},
    )
    assert text == (
        "SELECT ?s ?o WHERE { { SELECT (<x:a> AS ?s) ?x WHERE { <x:a> ?p ?x } } ?x ?q ?o }"
    )
