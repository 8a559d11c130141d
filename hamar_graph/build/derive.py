"""What the build adds to the parsed sources, and how it normalises them.

- :func:`derive`: ``rdfs:label`` from ``skos:prefLabel`` and the ``owl:inverseOf``
  links declared in the ontology; nothing else.
- :func:`skolemize`: blank nodes become content-derived skolem IRIs, so dumps are
  byte-identical across runs (https://www.w3.org/TR/rdf11-concepts/#section-skolemization).
- :func:`engine_literals`: literals in the form the query engine stores them.

:func:`hamar_graph.build.assembly.assemble` applies them in this order: skolemize, derive,
engine literals.
"""

from __future__ import annotations

import hashlib

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDFS, SKOS

from hamar_graph.rdf.convert import from_ox, to_ox


def derive(union: Graph, ontology: Graph) -> Graph:
    """The triples the build adds, and only those not already in ``union``.

    - ``s rdfs:label l`` for every ``s skos:prefLabel l``;
    - ``o q s`` for every ``s p o`` where the ontology says ``p owl:inverseOf q`` or
      ``q owl:inverseOf p`` (and ``o`` is not a literal), e.g. ``hms:hasMeasure`` from
      ``hms:servesGoal`` and ``hms:responsibleFor`` from ``hms:responsibleActor``.

    :param union: every triple of the sources.
    :param ontology: the ontology graphs, where ``owl:inverseOf`` is read.
    """
    out = Graph()
    for s, label in union.subject_objects(SKOS.prefLabel):
        out.add((s, RDFS.label, label))
    pairs: set[tuple[URIRef, URIRef]] = set()
    for p, q in ontology.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            pairs |= {(p, q), (q, p)}
    for p, q in sorted(pairs):
        for s, o in union.subject_objects(p):
            if not isinstance(o, Literal):
                out.add((o, q, s))
    for triple in list(out):
        if triple in union:
            out.remove(triple)
    return out


def skolemize(graph: Graph, base_iri: str) -> int:
    """Replace the blank nodes of ``graph`` in place by content-derived skolem IRIs.

    The IRI is ``{base}.well-known/genid/{h}`` where ``h`` hashes the graph's name with
    the blank node's canonical label (RDF dataset canonicalisation by
    :func:`rdflib.compare.to_canonical_graph`), so the same content gives the same IRI
    on every run (https://www.w3.org/TR/rdf11-concepts/#section-skolemization).

    :return: the number of blank nodes replaced.
    """
    if not any(isinstance(n, BNode) for t in graph for n in t):
        return 0
    canonical = list(to_canonical_graph(graph))
    prefix = f"{base_iri}.well-known/genid/"
    name = str(graph.identifier)
    replaced: dict[BNode, URIRef] = {}

    def iri(node: object) -> object:
        if isinstance(node, BNode):
            if node not in replaced:
                digest = hashlib.sha256(f"{name} {node}".encode()).hexdigest()[:32]
                replaced[node] = URIRef(prefix + digest)
            return replaced[node]
        return node

    graph.remove((None, None, None))
    for s, p, o in canonical:
        graph.add((iri(s), p, iri(o)))  # type: ignore[arg-type]
    return len(replaced)


def engine_literals(dataset: Dataset) -> int:
    """Rewrite, in place, every literal into the form Oxigraph stores it in.

    Oxigraph keeps typed values, not their lexical forms: ``"13.1950"^^xsd:decimal``
    comes back as ``"13.195"``, ``"007"^^xsd:integer`` as ``"7"``, ``"1"^^xsd:boolean``
    as ``"true"``, and language tags in lower case. The value is the same (RDF 1.1
    Concepts, section 5.1), but the terms differ; so that the dumps, the store, the
    endpoint and the rdflib engine all hold the very same terms, the build writes
    each literal as the engine would give it back.

    :return: the number of distinct literals rewritten.
    """
    literals = sorted(
        {
            o
            for _s, _p, o, _g in dataset.quads((None, None, None, None))
            if isinstance(o, Literal) and (o.datatype is not None or o.language)
        },
        key=lambda lit: lit.n3(),
    )
    engine = ox.Store()
    predicate = ox.NamedNode("urn:x-hamar:literal")
    engine.extend(
        ox.Quad(ox.NamedNode(f"urn:x-hamar:{i}"), predicate, to_ox(lit), ox.DefaultGraph())
        for i, lit in enumerate(literals)
    )
    changed: dict[Literal, Literal] = {}
    for quad in engine:
        original = literals[int(quad.subject.value.rsplit(":", 1)[1])]
        stored = from_ox(quad.object)
        if stored != original or (stored.language or "") != (original.language or ""):
            changed[original] = stored  # type: ignore[assignment]
    if not changed:
        return 0
    for graph in dataset.graphs():
        for s, p, o in [t for t in graph if t[2] in changed]:
            graph.remove((s, p, o))
            graph.add((s, p, changed[o]))  # type: ignore[index]
    return len(changed)
