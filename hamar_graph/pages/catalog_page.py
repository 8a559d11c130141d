"""The catalogue page's context, read from a catalogue graph."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS

from hamar_graph.namespaces import SPDX, VCARD
from hamar_graph.publication.vocabulary import (
    IANA,
    PROFILES,
)


@dataclass(frozen=True)
class Link:
    """A labelled IRI."""

    label: str
    iri: str


@dataclass(frozen=True)
class DistributionView:
    """One distribution as the catalogue page lists it."""

    title: str
    url: str
    media_type: str
    file_type: str
    compressed: bool
    size: int
    checksum_algorithm: str
    checksum: str


@dataclass(frozen=True)
class DatasetView:
    """One dataset as the catalogue page shows it."""

    iri: str
    title: str
    description: str
    keywords: list[str]
    issued: str
    modified: str
    conforms_to: list[Link]
    distributions: list[DistributionView]


@dataclass(frozen=True)
class ServiceView:
    """The SPARQL endpoint as the catalogue page shows it."""

    iri: str
    title: str
    description: str
    endpoint: str
    endpoint_description: str
    conforms_to: list[Link]


@dataclass(frozen=True)
class CatalogPage:
    """Everything the catalogue page shows, in one language, read from the catalogue graph.

    .. versionadded:: 0.1
    """

    lang: str
    profile: str
    profile_label: str
    iri: str
    title: str
    description: str
    publisher: Link
    organisation_number: str
    contact_email: str
    contact_url: str
    homepage: str
    licence: Link
    languages: list[Link]
    themes: list[Link]
    spatial: list[Link]
    temporal: tuple[str, str] | None
    issued: str
    modified: str
    datasets: list[DatasetView]
    service: ServiceView | None


def _pick(graph: Graph, subject: object, predicate: URIRef, lang: str) -> str:
    values = [v for v in graph.objects(subject, predicate) if isinstance(v, Literal)]  # type: ignore[arg-type]
    for wanted in (lang, "en", "nb", None):
        for value in sorted(values):
            if value.language == wanted:
                return str(value)
    return str(sorted(values)[0]) if values else ""


def _label(graph: Graph, node: object, lang: str) -> str:
    for predicate in (SKOS.prefLabel, DCTERMS.title, RDFS.label, FOAF.name):
        text = _pick(graph, node, predicate, lang)
        if text:
            return text
    return str(node)


def _links(graph: Graph, subject: object, predicate: URIRef | None, lang: str) -> list[Link]:
    values = set(graph.objects(subject, predicate))  # type: ignore[arg-type]
    return [Link(_label(graph, value, lang), str(value)) for value in sorted(values)]


def _distribution_view(graph: Graph, node: object, lang: str) -> DistributionView:
    checksum = graph.value(node, SPDX.checksum)  # type: ignore[arg-type]
    algorithm = graph.value(checksum, SPDX.algorithm) if checksum is not None else None
    media = str(graph.value(node, DCAT.mediaType) or "")  # type: ignore[arg-type]
    file_type = graph.value(node, DCTERMS.format)  # type: ignore[arg-type]
    return DistributionView(
        title=_pick(graph, node, DCTERMS.title, lang),
        url=str(graph.value(node, DCAT.downloadURL) or graph.value(node, DCAT.accessURL)),  # type: ignore[arg-type]
        media_type=media.removeprefix(IANA),
        file_type=_pick(graph, file_type, SKOS.prefLabel, lang) if file_type else "",
        compressed=graph.value(node, DCAT.compressFormat) is not None,  # type: ignore[arg-type]
        size=int(float(str(graph.value(node, DCAT.byteSize) or 0))),  # type: ignore[arg-type]
        checksum_algorithm=str(algorithm).rsplit("_", 1)[-1].upper().replace("SHA", "SHA-")
        if algorithm
        else "",
        checksum=str(graph.value(checksum, SPDX.checksumValue) or "") if checksum else "",
    )


def catalog_page(graph: Graph, profile: str, lang: str) -> CatalogPage:
    """The catalogue page's context, read from a catalogue graph (:func:`build_catalog`).

    :param graph: the catalogue of one profile.
    :param profile: its key in :data:`PROFILES`.
    :param lang: ``nb`` or ``en``; texts fall back to the other language.

    .. versionadded:: 0.1
    """
    cat = next(iter(graph.subjects(RDF.type, DCAT.Catalog)))
    publisher = graph.value(cat, DCTERMS.publisher)
    contact = graph.value(cat, DCAT.contactPoint)
    datasets = []
    order = {"hamar-graph": 0, "data": 1, "ontology": 2, "shapes": 3}
    for node in sorted(
        graph.objects(cat, DCAT.dataset), key=lambda n: (order.get(str(n).rsplit("#")[-1], 9), n)
    ):
        dists = [_distribution_view(graph, d, lang) for d in graph.objects(node, DCAT.distribution)]
        dists.sort(key=lambda d: d.url)
        datasets.append(
            DatasetView(
                iri=str(node),
                title=_pick(graph, node, DCTERMS.title, lang),
                description=_pick(graph, node, DCTERMS.description, lang),
                keywords=sorted(
                    str(k)
                    for k in graph.objects(node, DCAT.keyword)
                    if isinstance(k, Literal) and k.language == lang
                ),
                issued=str(graph.value(node, DCTERMS.issued) or ""),
                modified=str(graph.value(node, DCTERMS.modified) or ""),
                conforms_to=_links(graph, node, DCTERMS.conformsTo, lang),
                distributions=dists,
            )
        )
    svc = graph.value(cat, DCAT.service)
    service = None
    if svc is not None:
        service = ServiceView(
            iri=str(svc),
            title=_pick(graph, svc, DCTERMS.title, lang),
            description=_pick(graph, svc, DCTERMS.description, lang),
            endpoint=str(graph.value(svc, DCAT.endpointURL) or ""),
            endpoint_description=str(graph.value(svc, DCAT.endpointDescription) or ""),
            conforms_to=_links(graph, svc, DCTERMS.conformsTo, lang),
        )
    period = graph.value(cat, DCTERMS.temporal)
    temporal = None
    if period is not None:
        temporal = (
            str(graph.value(period, DCAT.startDate)),
            str(graph.value(period, DCAT.endDate)),
        )
    licences = _links(graph, cat, DCTERMS.license, lang)
    return CatalogPage(
        lang=lang,
        profile=profile,
        profile_label=PROFILES[profile].label,
        iri=str(cat),
        title=_pick(graph, cat, DCTERMS.title, lang),
        description=_pick(graph, cat, DCTERMS.description, lang),
        publisher=Link(_pick(graph, publisher, FOAF.name, lang), str(publisher)),
        organisation_number=str(graph.value(publisher, DCTERMS.identifier) or ""),
        contact_email=str(graph.value(contact, VCARD.hasEmail) or "").removeprefix("mailto:"),
        contact_url=str(graph.value(contact, VCARD.hasURL) or ""),
        homepage=str(graph.value(cat, FOAF.homepage) or ""),
        licence=licences[0] if licences else Link("", ""),
        languages=_links(graph, cat, DCTERMS.language, lang),
        themes=_links(graph, None, DCAT.theme, lang),
        spatial=_links(graph, cat, DCTERMS.spatial, lang),
        temporal=temporal,
        issued=str(graph.value(cat, DCTERMS.issued) or ""),
        modified=str(graph.value(cat, DCTERMS.modified) or ""),
        datasets=datasets,
        service=service,
    )
