"""Term conversion between rdflib and pyoxigraph."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return _blank_node(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


def _blank_node(label: str) -> ox.BlankNode:
    """An Oxigraph blank node for ``label``; a label N-Triples cannot hold (Virtuoso's
    ``nodeID://b10023``) becomes a valid one derived from it, so equal labels stay equal."""
    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode("x" + hashlib.sha256(label.encode()).hexdigest()[:32])


def from_ox(term: object) -> Node:
    """Convert a pyoxigraph term to an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")


def dataset_quads(dataset: Dataset) -> Iterator[ox.Quad]:
    """Yield the quads of an rdflib Dataset as pyoxigraph quads."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        gname = getattr(g, "identifier", g)
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
        if gname is None or str(gname) == "urn:x-rdflib:default":
            graph = ox.DefaultGraph()
        else:
            graph = to_ox(gname)  # type: ignore[assignment]
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]
