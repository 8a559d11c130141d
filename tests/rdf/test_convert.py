"""Term conversion between rdflib and pyoxigraph (hamar_graph.rdf.convert)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from hamar_graph.rdf.convert import from_ox, to_ox


def test_terms_round_trip() -> None:
    for term in (
        URIRef("https://data.hamar.kommune.no/id/vennskapsby/lund"),
        Literal("Lund", lang="sv"),
        Literal("2", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")),
        Literal("tekst"),
        BNode("b0"),
    ):
        assert from_ox(to_ox(term)) == term


def test_a_blank_node_label_ntriples_cannot_hold_gets_a_stable_valid_one() -> None:
    # Virtuoso names blank nodes nodeID://b10023 in its answers
    first, again = to_ox(BNode("nodeID://b10023")), to_ox(BNode("nodeID://b10023"))
    other = to_ox(BNode("nodeID://b10024"))
    assert isinstance(first, ox.BlankNode)
    assert first == again
    assert first != other
    # the label is usable in N-Triples: Oxigraph parses what it writes
    quad = ox.Quad(first, ox.NamedNode("urn:p"), ox.Literal("o"), ox.DefaultGraph())
    written = ox.serialize([quad], format=ox.RdfFormat.N_QUADS)
    [parsed] = ox.parse(written, format=ox.RdfFormat.N_QUADS)
    assert parsed.subject == first
