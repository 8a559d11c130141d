"""Datasets of named graphs: their parts, their union, and canonical blank nodes."""

from __future__ import annotations

import hashlib

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from hamar_graph.namespaces import bind_prefixes


def part_of(graph_name: Node, base_iri: str) -> str:
    """The published part a named graph belongs to: ``ontology``, ``shapes`` or ``data``."""
    name = str(graph_name)
    if name.startswith(f"{base_iri}graph/ontology-"):
        return "ontology"
    if name.startswith(f"{base_iri}graph/shapes-"):
        return "shapes"
    return "data"


def canonical_dataset(dataset: Dataset) -> Dataset:
    """A copy of ``dataset`` whose blank nodes have reproducible labels.

    :func:`hamar_graph.build.assembly.assemble` replaces the blank nodes of the data and the
    ontology by skolem IRIs but keeps those of the shapes (SHACL needs them), which a store
    labels anew on every load; this gives them reproducible labels, so the dumps are the
    same bytes on every run. Each named
    graph is canonicalised on its own (blank nodes of one source file are never
    shared with another), and its labels get a prefix made from the graph name so
    that equal labels of two graphs cannot merge.
    """
    out = Dataset()
    bind_prefixes(out)  # type: ignore[arg-type]
    for graph in dataset.graphs():
        if len(graph) == 0:
            continue
        target = out.graph(graph.identifier)
        for triple in canonical_triples(graph):
            target.add(triple)
    return out


def canonical_triples(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """The triples of ``graph`` with reproducible blank-node labels (see
    :func:`canonical_dataset`); ``graph``'s own triples when it has no blank node."""
    if not any(isinstance(n, BNode) for t in graph for n in t):
        return list(graph)
    prefix = "b" + hashlib.sha256(str(graph.identifier).encode()).hexdigest()[:6]
    return [
        tuple(  # type: ignore[misc]
            BNode(f"{prefix}{t[2:26]}") if isinstance(t, BNode) else t for t in triple
        )
        for triple in to_canonical_graph(graph)
    ]


def relabel_blank_nodes(graph: Graph) -> int:
    """Give the blank nodes of ``graph``, in place, the labels :func:`canonical_dataset`
    gives them, so every store loaded from it (and every query answer) names them alike.

    :return: the number of blank nodes.
    """
    triples = canonical_triples(graph)
    blank = {n for t in triples for n in t if isinstance(n, BNode)}
    if blank:
        graph.remove((None, None, None))
        for triple in triples:
            graph.add(triple)
    return len(blank)


def union_graph(dataset: Dataset, part: str = "all", base_iri: str = "") -> Graph:
    """The distinct triples of ``dataset`` (or of one part of it) as one Graph."""
    graph = bind_prefixes(Graph())
    for g in dataset.graphs():
        if part == "all" or part_of(g.identifier, base_iri) == part:
            for triple in g:
                graph.add(triple)
    return graph
