"""The VoID description of the graph, served at ``/.well-known/void``.

Describes the complete graph (the same resource as the catalogue's dataset
``{base}catalog#hamar-graph``) with its SPARQL endpoint, data dumps, URI space,
vocabularies and statistics, its three parts as subsets, class and property
partitions, and linksets to Wikidata, GeoNames and Geonorge.

Every figure is computed here, at build time, from the graph the dumps hold:

- ``void:triples``: distinct triples of the union of the named graphs;
- ``void:entities``: distinct IRIs in subject position that start with the URI space
  (``{base}``), as VoID section 4.6 defines an entity;
- ``void:classes``: distinct objects of ``rdf:type``; ``void:properties``: distinct
  predicates; ``void:distinctSubjects``, ``void:distinctObjects``: distinct terms in
  those positions;
- a class partition's ``void:entities``: distinct subjects typed with the class;
- a property partition's ``void:triples``: triples with that predicate;
- a linkset's ``void:triples``: triples whose object lies in the target's URI space,
  one linkset per target and predicate.

Specification: VoID, https://www.w3.org/TR/void/ (statistics: section 4.6,
partitions: 4.5, linksets: 5, discovery via ``/.well-known/void``: 7.2).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, VOID, XSD
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.namespaces import DESCRIPTION_PREFIXES, STANDARD_VOCABULARIES
from hamar_graph.publication.dumps import FORMATS_BY_KEY, DumpFile
from hamar_graph.publication.release import PublicationMeta
from hamar_graph.publication.vocabulary import (
    LICENCE,
    PUBLISHER,
    CatalogIRIs,
)
from hamar_graph.rdf.datasets import union_graph


@dataclass(frozen=True)
class Target:
    """An external dataset that the graph links to."""

    key: str
    title: str
    homepage: URIRef
    uri_spaces: tuple[str, ...]  #: the first is stated as its ``void:uriSpace``


#: The external datasets our links point into.
TARGETS: tuple[Target, ...] = (
    Target(
        "wikidata",
        "Wikidata",
        URIRef("https://www.wikidata.org/"),
        ("http://www.wikidata.org/entity/", "https://www.wikidata.org/entity/"),
    ),
    Target(
        "geonames",
        "GeoNames",
        URIRef("https://www.geonames.org/"),
        ("https://sws.geonames.org/", "http://sws.geonames.org/"),
    ),
    Target(
        "geonorge",
        "Geonorge",
        URIRef("https://www.geonorge.no/"),
        ("https://data.geonorge.no/", "http://data.geonorge.no/"),
    ),
)


@dataclass(frozen=True)
class Statistics:
    """The VoID figures of one graph.

    .. versionadded:: 0.1
    """

    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    class_entities: dict[URIRef, int]  #: class → distinct instances
    property_triples: dict[URIRef, int]  #: predicate → triples
    links: dict[tuple[str, URIRef], int]  #: (target key, predicate) → triples


def statistics(graph: Graph, uri_space: str) -> Statistics:
    """Count everything VoID states about ``graph`` (see the module docstring).

    :param graph: a graph of distinct triples (the union of the named graphs).
    :param uri_space: the dataset's URI space; entities are subject IRIs under it.
    """
    subjects: set[Node] = set()
    objects: set[Node] = set()
    property_triples: Counter[URIRef] = Counter()
    instances: dict[URIRef, set[Node]] = {}
    links: Counter[tuple[str, URIRef]] = Counter()
    for s, p, o in graph:
        subjects.add(s)
        objects.add(o)
        property_triples[p] += 1  # type: ignore[index]
        if p == RDF.type and isinstance(o, URIRef):
            instances.setdefault(o, set()).add(s)
        if isinstance(o, URIRef):
            for target in TARGETS:
                if str(o).startswith(target.uri_spaces):
                    links[(target.key, p)] += 1  # type: ignore[index]
    entities = {s for s in subjects if isinstance(s, URIRef) and s.startswith(uri_space)}
    return Statistics(
        triples=len(graph),
        entities=len(entities),
        classes=len(instances),
        properties=len(property_triples),
        distinct_subjects=len(subjects),
        distinct_objects=len(objects),
        class_entities={c: len(members) for c, members in sorted(instances.items())},
        property_triples=dict(sorted(property_triples.items())),
        links=dict(sorted(links.items())),
    )


def vocabularies(terms: Iterable[URIRef], base_iri: str) -> list[URIRef]:
    """The vocabulary namespaces that ``terms`` (classes and predicates) come from.

    A term belongs to the longest known namespace it starts with (the project's own
    ``{base}def/``, the prefixes we bind, the standard vocabularies); otherwise to
    its IRI cut after the last ``#`` or ``/``.
    """
    known = {base_iri + "def/", *DESCRIPTION_PREFIXES.values(), *STANDARD_VOCABULARIES}
    found: set[str] = set()
    for term in terms:
        matches = [ns for ns in known if term.startswith(ns) and len(term) > len(ns)]
        if matches:
            found.add(max(matches, key=len))
        else:
            cut = max(term.rfind("#"), term.rfind("/"))
            found.add(term[: cut + 1])
    return [URIRef(ns) for ns in sorted(found)]


def slug(term: URIRef) -> str:
    """A stable fragment for a partition: ``dct-title`` from ``dct:title``, else a hash."""
    for prefix, ns in sorted(DESCRIPTION_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        local = term[len(ns) :]
        if term.startswith(ns) and local and all(c.isalnum() or c in "_-." for c in local):
            return f"{prefix}-{local}"
    return "h" + hashlib.sha1(term.encode(), usedforsecurity=False).hexdigest()[:12]


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def build_void(dataset: Dataset, files: Sequence[DumpFile], meta: PublicationMeta) -> Graph:
    """The VoID description of the complete graph and its parts.

    :param dataset: the canonical dataset the dumps were made from.
    :param files: the dump files (their URLs become ``void:dataDump``).
    :param meta: base IRI, version and dates.

    .. versionadded:: 0.1
    """
    iris = CatalogIRIs(meta.base_iri, meta.location)
    doc = URIRef(meta.base_iri + ".well-known/void")
    union = union_graph(dataset)
    stats = statistics(union, meta.base_iri)
    graph = Graph()
    ds = iris.dataset("all")

    graph.add((doc, RDF.type, VOID.DatasetDescription))
    for lang, title in i18n.texts("catalog.void_title").items():
        graph.add((doc, DCTERMS.title, Literal(title, lang=lang)))
    graph.add((doc, FOAF.primaryTopic, ds))
    graph.add((doc, DCTERMS.isPartOf, iris.catalog))

    graph.add((ds, RDF.type, VOID.Dataset))
    for lang in i18n.LANGUAGES:
        graph.add((ds, DCTERMS.title, Literal(i18n.text("catalog.all_title", lang), lang=lang)))
        description = i18n.text("catalog.all_description", lang)
        graph.add((ds, DCTERMS.description, Literal(description, lang=lang)))
    graph.add((ds, DCTERMS.publisher, PUBLISHER))
    graph.add((ds, DCTERMS.license, LICENCE))
    graph.add((ds, DCTERMS.issued, Literal(meta.issued.isoformat(), datatype=XSD.date)))
    graph.add((ds, DCTERMS.modified, Literal(meta.modified.isoformat(), datatype=XSD.date)))
    graph.add((ds, FOAF.homepage, iris.home))
    graph.add((ds, DCTERMS.isReferencedBy, iris.catalog))
    graph.add((ds, VOID.sparqlEndpoint, iris.sparql))
    graph.add((ds, VOID.uriSpace, Literal(meta.base_iri)))
    example = URIRef(meta.base_iri + "id/dokument/internasjonal-strategi")
    if (example, None, None) in union:
        graph.add((ds, VOID.exampleResource, example))
    for f in files:
        if f.part == "all":
            graph.add((ds, VOID.dataDump, iris.download(f)))
            graph.add((ds, VOID.feature, URIRef(FORMATS_BY_KEY[f.format_key].w3c)))
    terms = list(stats.class_entities) + list(stats.property_triples)
    for vocabulary in vocabularies(terms, meta.base_iri):
        graph.add((ds, VOID.vocabulary, vocabulary))
    for predicate, value in (
        (VOID.triples, stats.triples),
        (VOID.entities, stats.entities),
        (VOID.classes, stats.classes),
        (VOID.properties, stats.properties),
        (VOID.distinctSubjects, stats.distinct_subjects),
        (VOID.distinctObjects, stats.distinct_objects),
    ):
        graph.add((ds, predicate, _count(value)))
    for cls, count in stats.class_entities.items():
        node = URIRef(f"{doc}#class-{slug(cls)}")
        graph.add((ds, VOID.classPartition, node))
        graph.add((node, VOID["class"], cls))
        graph.add((node, VOID.entities, _count(count)))
    for prop, count in stats.property_triples.items():
        node = URIRef(f"{doc}#property-{slug(prop)}")
        graph.add((ds, VOID.propertyPartition, node))
        graph.add((node, VOID.property, prop))
        graph.add((node, VOID.triples, _count(count)))

    for part in ("data", "ontology", "shapes"):
        sub = iris.dataset(part)
        part_graph = union_graph(dataset, part, meta.base_iri)
        graph.add((ds, VOID.subset, sub))
        graph.add((sub, RDF.type, VOID.Dataset))
        for lang in i18n.LANGUAGES:
            title = i18n.text(f"catalog.{part}_title", lang)
            graph.add((sub, DCTERMS.title, Literal(title, lang=lang)))
        graph.add((sub, VOID.triples, _count(len(part_graph))))
        for f in files:
            if f.part == part:
                graph.add((sub, VOID.dataDump, iris.download(f)))

    for target in TARGETS:
        counts = {p: n for (key, p), n in stats.links.items() if key == target.key}
        if not counts:
            continue
        other = URIRef(f"{doc}#{target.key}")
        graph.add((other, RDF.type, VOID.Dataset))
        graph.add((other, DCTERMS.title, Literal(target.title)))
        graph.add((other, FOAF.homepage, target.homepage))
        graph.add((other, VOID.uriSpace, Literal(target.uri_spaces[0])))
        for predicate, count in counts.items():
            linkset = URIRef(f"{doc}#links-{target.key}-{slug(predicate)}")
            graph.add((ds, VOID.subset, linkset))
            graph.add((linkset, RDF.type, VOID.Linkset))
            graph.add((linkset, VOID.subjectsTarget, ds))
            graph.add((linkset, VOID.objectsTarget, other))
            graph.add((linkset, VOID.linkPredicate, predicate))
            graph.add((linkset, VOID.triples, _count(count)))
    return graph
