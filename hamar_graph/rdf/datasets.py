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

    :func:`hamar_graph.build.assembly.assemble` already replaces blank nodes by skolem IRIs;
    this keeps the dumps reproducible for a store filled some other way. Each named
    graph is canonicalised on its own (blank nodes of one source file are never
    shared with another), and its labels get a prefix made from the graph name so
    that equal labels of two graphs cannot merge.
    """
    out = Dataset()
    bind_prefixes(out)  # type: ignore[arg-type]
    for graph in dataset.graphs():
        if len(graph) == 0:
            continue
        if not any(isinstance(n, BNode) for t in graph for n in t):
            target = out.graph(graph.identifier)
            for triple in graph:
                target.add(triple)
            continue
        prefix = "b" + hashlib.sha256(str(graph.identifier).encode()).hexdigest()[:6]
        target = out.graph(graph.identifier)
        for triple in to_canonical_graph(graph):
            target.add(
                tuple(  # type: ignore[arg-type]
                    BNode(f"{prefix}{t[2:26]}") if isinstance(t, BNode) else t for t in triple
                )
            )
    return out


def union_graph(dataset: Dataset, part: str = "all", base_iri: str = "") -> Graph:
    """The distinct triples of ``dataset`` (or of one part of it) as one Graph."""
    graph = bind_prefixes(Graph())
    for g in dataset.graphs():
        if part == "all" or part_of(g.identifier, base_iri) == part:
            for triple in g:
                graph.add(triple)
    return graph
