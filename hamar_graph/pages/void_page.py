"""The VoID page's context, read from a VoID graph."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, VOID

from hamar_graph.publication.void import (
    slug,
)


@dataclass(frozen=True)
class Row:
    """A term and a count."""

    term: str
    label: str
    count: int


@dataclass(frozen=True)
class LinksetView:
    """One linkset as the VoID page shows it."""

    target: str
    target_homepage: str
    predicate: str
    triples: int


@dataclass(frozen=True)
class VoidPage:
    """Everything the VoID page shows, read from the VoID graph.

    .. versionadded:: 0.1
    """

    dataset: str
    sparql_endpoint: str
    uri_space: str
    figures: list[tuple[str, int]]  #: (VoID property local name, value)
    dumps: list[str]
    vocabularies: list[str]
    classes: list[Row]
    properties: list[Row]
    subsets: list[Row]  #: the parts, with their triples
    linksets: list[LinksetView]


def _int(graph: Graph, node: object, predicate: URIRef) -> int:
    return int(str(graph.value(node, predicate) or 0))  # type: ignore[arg-type]


def void_page(graph: Graph, lang: str) -> VoidPage:
    """The VoID page's context, read from a VoID graph (:func:`build_void`)."""
    doc = next(iter(graph.subjects(RDF.type, VOID.DatasetDescription)))
    ds = graph.value(doc, FOAF.primaryTopic)

    def label(term: object) -> str:
        return slug(term).replace("-", ":", 1) if isinstance(term, URIRef) else str(term)

    classes = [
        Row(str(c), label(c), _int(graph, p, VOID.entities))
        for p in graph.objects(ds, VOID.classPartition)
        for c in graph.objects(p, VOID["class"])
    ]
    properties = [
        Row(str(c), label(c), _int(graph, p, VOID.triples))
        for p in graph.objects(ds, VOID.propertyPartition)
        for c in graph.objects(p, VOID.property)
    ]
    subsets, linksets = [], []
    for sub in sorted(graph.objects(ds, VOID.subset)):
        if (sub, RDF.type, VOID.Linkset) in graph:
            target = graph.value(sub, VOID.objectsTarget)
            linksets.append(
                LinksetView(
                    str(graph.value(target, DCTERMS.title)),
                    str(graph.value(target, FOAF.homepage)),
                    label(graph.value(sub, VOID.linkPredicate)),
                    _int(graph, sub, VOID.triples),
                )
            )
        else:
            titles = {
                getattr(t, "language", None): str(t) for t in graph.objects(sub, DCTERMS.title)
            }
            name = titles.get(lang, str(sub))
            subsets.append(Row(str(sub), name, _int(graph, sub, VOID.triples)))
    figures = [
        (name, _int(graph, ds, VOID[name]))
        for name in (
            "triples",
            "entities",
            "classes",
            "properties",
            "distinctSubjects",
            "distinctObjects",
        )
    ]
    return VoidPage(
        dataset=str(ds),
        sparql_endpoint=str(graph.value(ds, VOID.sparqlEndpoint) or ""),
        uri_space=str(graph.value(ds, VOID.uriSpace) or ""),
        figures=figures,
        dumps=sorted(str(d) for d in graph.objects(ds, VOID.dataDump)),
        vocabularies=sorted(str(v) for v in graph.objects(ds, VOID.vocabulary)),
        classes=sorted(classes, key=lambda r: (-r.count, r.label)),
        properties=sorted(properties, key=lambda r: (-r.count, r.label)),
        subsets=subsets,
        linksets=linksets,
    )
