"""Serialise graphs: the one map between media types, rdflib formats and file names.

Serialisations are deterministic: the same graph gives the same bytes
(N-Triples lines are sorted; Turtle, JSON-LD and RDF/XML come from a graph
whose triples are added in sorted order, whose subjects are listed in sorted
order for RDF/XML, and rdflib sorts subjects when it writes Turtle). The bytes
do not depend on Python's hash seed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.plugins.serializers.turtle import TurtleSerializer
from rdflib.term import Node

from hamar_graph.namespaces import DESCRIPTION_PREFIXES, PREFIXES, bind_prefixes
from hamar_graph.rdf.formats import (
    get_format,
)


def _n3_key(triple: tuple[Node, Node, Node]) -> tuple[str, ...]:
    return tuple(n.n3() for n in triple)


class _OrderedGraph(Graph):
    """A Graph whose full subject listing is sorted.

    rdflib's in-memory store lists all triples from a set, so its order changes with
    Python's hash seed; the RDF/XML serializer writes subjects in that order. Listing
    one subject's triples follows insertion order, which :func:`sorted_graph` sorts.
    """

    def subjects(  # type: ignore[override]
        self,
        predicate: Node | None = None,
        object: Node | None = None,
        unique: bool = False,
    ) -> Iterator[Node]:
        if predicate is None and object is None:
            return iter(sorted(set(super().subjects()), key=lambda n: n.n3()))
        return super().subjects(predicate, object, unique)


class _ExactTurtleSerializer(TurtleSerializer):
    """rdflib's Turtle writer, except that a literal keeps its exact lexical form.

    rdflib abbreviates ``"70"^^xsd:decimal`` to ``70.0``, which parses back as another
    literal (another lexical form), so the dump would not round-trip. Such literals are
    written in full (``"70"^^xsd:decimal``); the others stay abbreviated.
    """

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal) and node.datatype is not None:
            plain = node._literal_n3(use_plain=True)
            if not plain.startswith('"') and plain != str(node):
                return node._literal_n3(
                    use_plain=False, qname_callback=lambda dt: self.get_pname(dt, False)
                )
        return super().label(node, position)


def _turtle(graph: Graph) -> bytes:
    stream = io.BytesIO()
    _ExactTurtleSerializer(graph).serialize(stream, encoding="utf-8")
    return stream.getvalue()


def sorted_graph(graph: Graph) -> Graph:
    """A copy of ``graph`` with triples inserted in sorted order and our prefixes bound.

    Namespaces outside :data:`~hamar_graph.namespaces.PREFIXES` get their generated
    prefixes (``ns1``, ``ns2`` ...) in sorted order, so the same graph always gets the same.
    """
    out = bind_prefixes(_OrderedGraph())
    for triple in sorted(graph, key=_n3_key):
        out.add(triple)
    terms = {p for p in out.predicates()} | {o for o in out.objects(None, RDF.type)}
    for term in sorted(t for t in terms if isinstance(t, URIRef)):
        try:
            out.namespace_manager.compute_qname_strict(term)
        except ValueError:
            continue  # not splittable into prefix:name; RDF/XML will say so
    return out


def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialise ``graph`` deterministically.

    :param graph: the triples to write.
    :param fmt: a format key or media type (see :data:`RDF_FORMATS`).
    :raises UnsupportedFormat: for a format we do not publish.
    """
    rdf_format = get_format(fmt)
    if rdf_format.key == "nt":
        lines = sorted(
            line
            for line in graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
            if line.strip()
        )
        return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    ordered = sorted_graph(graph)
    if rdf_format.key == "jsonld":
        # Every node object, blank nodes included, is listed at the top with its @id;
        # sorted by @id it does not depend on the order of rdflib's store. Blank-node
        # labels are reproducible only when the graph's are (canonical_dataset).
        text = ordered.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
        doc = json.loads(text)
        if isinstance(doc.get("@graph"), list):
            doc["@graph"].sort(key=lambda node: str(node.get("@id", "")))
        text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)
        return text.encode("utf-8")
    if rdf_format.key == "ttl":
        return _turtle(ordered)
    return ordered.serialize(format=rdf_format.rdflib_format, encoding="utf-8")


def serialize_nquads(dataset: Dataset) -> bytes:
    """The dataset's named graphs as N-Quads, lines sorted so the bytes are reproducible."""
    lines: list[str] = []
    for graph in dataset.graphs():
        if not len(graph) or not isinstance(graph.identifier, URIRef):
            continue
        name = graph.identifier.n3()
        text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        for line in text.splitlines():
            if line.endswith(" ."):  # each N-Triples statement is one line ending in " ."
                lines.append(f"{line[:-2]} {name} .")
    lines.sort()
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _sorted_json(node: Any) -> Any:
    """JSON-LD with every array sorted (these graphs hold no ``@list``), for stable bytes."""
    if isinstance(node, dict):
        return {k: _sorted_json(v) for k, v in node.items()}
    if isinstance(node, list):
        items = [_sorted_json(v) for v in node]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return node


def serialize_description(graph: Graph, fmt: str) -> bytes:
    """Serialise a catalogue or VoID graph deterministically with the DCAT-AP prefixes.

    :param fmt: ``ttl``, ``jsonld``, ``rdf`` or ``nt`` (or their media types).
    """
    rdf_format = get_format(fmt)
    if rdf_format.key == "nt":
        return serialize(graph, "nt")
    ordered = sorted_graph(graph)
    for prefix, namespace in DESCRIPTION_PREFIXES.items():
        ordered.bind(prefix, namespace, override=True, replace=True)
    if rdf_format.key == "jsonld":
        text = ordered.serialize(
            format="json-ld", context=dict(DESCRIPTION_PREFIXES), auto_compact=True
        )
        doc = _sorted_json(json.loads(text))
        return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return ordered.serialize(format=rdf_format.rdflib_format, encoding="utf-8")
