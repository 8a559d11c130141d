"""Lists of values written into a named query's empty ``VALUES`` block
(hamar_graph.store.sparql_text.fill_values): only checked terms reach the text, and a
query without exactly one such block is refused."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from hamar_graph.store.sparql_text import fill_values

A, B = URIRef("https://example.org/a"), URIRef("https://example.org/b")
ONE = "SELECT ?p WHERE { VALUES ?p { } }"
PAIRS = "SELECT ?p ?o WHERE { VALUES (?p ?o) { } }"


def _answers(text: str) -> set[tuple[str, ...]]:
    from rdflib import Graph

    return {tuple(str(v) for v in row) for row in Graph().query(prepareQuery(text))}


def test_one_variable_and_pairs_give_the_rows_listed() -> None:
    assert _answers(fill_values(ONE, ["p"], [[A], [B]])) == {(str(A),), (str(B),)}
    filled = fill_values(PAIRS, ["p", "o"], [[A, Literal("x", lang="nb")], [B, B]])
    assert _answers(filled) == {(str(A), "x"), (str(B), str(B))}


def test_no_rows_leave_a_query_that_matches_nothing_on_every_engine() -> None:
    # an empty VALUES block is valid SPARQL, but rdflib 7 cannot evaluate one
    for query, variables in ((ONE, ["p"]), (PAIRS, ["p", "o"])):
        filled = fill_values(query, variables, [])
        assert "VALUES" not in filled
        assert _answers(filled) == set()
        assert _answers(fill_values(query, variables, [[A] * len(variables)]))


@pytest.mark.parametrize(
    ("query", "variables", "rows", "says"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", ["p"], [[A]], "no single"),
        (ONE + " " + ONE, ["p"], [[A]], "no single"),
        (PAIRS, ["p"], [[A]], "no single"),  # the block is of (?p ?o), not ?p
        (PAIRS, ["p", "o"], [[A]], "1 terms for 2"),
        (ONE, ["p }"], [[A]], "not a SPARQL variable"),
        (ONE, ["p"], [[BNode()]], "only IRIs and literals"),
        (ONE, ["p"], [[URIRef("https://example.org/> } ?x <y")]], "not a valid IRI"),
    ],
)
def test_refuses_what_it_cannot_write_safely(
    query: str, variables: list[str], rows: list[list[URIRef]], says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        fill_values(query, variables, rows)


def test_a_literal_cannot_break_out_of_its_string() -> None:
    sneaky = Literal('x" } } ; DROP ALL #')
    filled = fill_values(PAIRS, ["p", "o"], [[A, sneaky]])
    assert _answers(filled) == {(str(A), str(sneaky))}
