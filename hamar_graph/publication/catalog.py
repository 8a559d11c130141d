"""The DCAT catalogue of the publication, for data.norge.no and data.europa.eu.

One catalogue (``{base}catalog``) with four datasets (the complete graph, and its
three parts: instance data, ontology, shapes), one distribution per dump file
(:mod:`hamar_graph.publication.dumps`) and one data service, the SPARQL endpoint. Titles,
keywords, temporal coverage, dates and part descriptions are read from the data;
what the data cannot say (publisher, contact point, themes, licence) is fixed here.

Two profiles are generated, because the two official shape sets disagree on two
properties and a single graph cannot satisfy both:

==========================  =================================  =================================
property                    ``dcat-ap`` (EU DCAT-AP 3.0.1)     ``dcat-ap-no`` (DCAT-AP-NO 2.00)
==========================  =================================  =================================
``dcat:byteSize`` datatype  ``xsd:nonNegativeInteger``         ``xsd:decimal``
``spdx:algorithm``          ``spdx:checksumAlgorithm_sha256``  ``spdx:checksumAlgorithm_sha1``
==========================  =================================  =================================

Everything else is identical. ``/catalog`` serves ``dcat-ap``; ``/catalog/dcat-ap-no``
serves ``dcat-ap-no`` (the URL to register at data.norge.no).

The catalogue also states the type, label and ``skos:inScheme`` of every term it
uses from the EU authority tables (languages, themes, licence, file types ...),
so it validates on its own, as harvesters validate it.

Specifications:
- DCAT 3: https://www.w3.org/TR/vocab-dcat-3/
- DCAT-AP 3.0.1: https://semiceu.github.io/DCAT-AP/releases/3.0.1/
- DCAT-AP-NO: https://data.norge.no/specification/dcat-ap-no/
- EU authority tables: https://op.europa.eu/en/web/eu-vocabularies/authority-tables
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from hamar_graph import i18n
from hamar_graph.namespaces import DCATAP, SPDX, VCARD
from hamar_graph.publication.dumps import DumpFile
from hamar_graph.publication.release import PublicationMeta, release_dates
from hamar_graph.publication.vocabulary import (
    ACCESS_PUBLIC,
    ATTRIBUTION,
    AVAILABLE,
    CONTACT_EMAIL,
    CONTACT_URL,
    DCAT_VERSION,
    EU,
    GEONORGE_HAMAR,
    GZIP,
    HMS_PATH,
    IANA,
    LANGUAGES,
    LICENCE,
    LOCAL_AUTHORITY,
    ORGANISATION_NUMBER,
    OWL2,
    PARTS,
    PROFILES,
    PUBLISHER,
    SCHEMES,
    SHACL,
    SPARQL_PROTOCOL,
    TERMS,
    THEME_TAXONOMY,
    THEMES,
    CatalogIRIs,
    Profile,
)
from hamar_graph.rdf.datasets import union_graph
from hamar_graph.rdf.formats import get_format


def action_plan_years(union: Graph, base_iri: str) -> tuple[int, int] | None:
    """First and last year of the action plan's period (``hms:period``), if the data says."""
    hms = Namespace(base_iri + HMS_PATH)
    for plan in sorted(union.subjects(RDF.type, hms.ActionPlan)):
        for period in sorted(union.objects(plan, hms.period)):
            start = union.value(period, DCAT.startDate)
            end = union.value(period, DCAT.endDate)
            if start is not None and end is not None:
                return int(str(start)[:4]), int(str(end)[:4])
    return None


def axis_keywords(union: Graph, base_iri: str) -> list[Literal]:
    """The axes' ``skos:prefLabel`` in every language: keywords of the datasets."""
    hms = Namespace(base_iri + HMS_PATH)
    labels = {
        label
        for axis in union.subjects(RDF.type, hms.Axis)
        for label in union.objects(axis, SKOS.prefLabel)
        if isinstance(label, Literal)
    }
    return sorted(labels, key=lambda lit: (lit.language or "", str(lit)))


def header(graph: Graph) -> URIRef | None:
    """The single ``owl:Ontology`` header of a part, if it has exactly one."""
    headers = [h for h in graph.subjects(RDF.type, OWL.Ontology) if isinstance(h, URIRef)]
    return headers[0] if len(headers) == 1 else None


def _texts(graph: Graph, subject: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        graph.add((subject, predicate, Literal(text, lang=lang)))


def _literals(key: str) -> list[Literal]:
    """The interface text ``key`` in every language, as language-tagged literals."""
    return [Literal(text, lang=lang) for lang, text in i18n.texts(key).items()]


def _add_terms(graph: Graph) -> None:
    """Describe every controlled term and scheme the graph uses (types, labels, scheme)."""
    used = set(graph.objects())
    for iri, term in TERMS.items():
        if iri not in used:
            continue
        for t in term.types:
            graph.add((iri, RDF.type, t))
        for lang, label in term.labels:
            graph.add((iri, SKOS.prefLabel, Literal(label, lang=lang)))
        if term.scheme is not None:
            graph.add((iri, SKOS.inScheme, term.scheme))
    used = set(graph.objects())
    for scheme, labels in SCHEMES.items():
        if scheme in used:
            graph.add((scheme, RDF.type, SKOS.ConceptScheme))
            for lang, label in labels:
                graph.add((scheme, DCTERMS.title, Literal(label, lang=lang)))


def _common(graph: Graph, node: URIRef, iris: CatalogIRIs, keywords: Iterable[Literal]) -> None:
    """Properties every dataset and the data service share."""
    graph.add((node, DCTERMS.identifier, Literal(str(node))))
    graph.add((node, DCTERMS.publisher, PUBLISHER))
    graph.add((node, DCAT.contactPoint, iris.contact))
    for theme in THEMES:
        graph.add((node, DCAT.theme, theme))
    for keyword in keywords:
        graph.add((node, DCAT.keyword, keyword))
    graph.add((node, DCTERMS.accessRights, ACCESS_PUBLIC))


def _date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def _standard(graph: Graph, iri: URIRef, titles: Iterable[Literal]) -> None:
    graph.add((iri, RDF.type, DCTERMS.Standard))
    for title in titles:
        graph.add((iri, DCTERMS.title, title))


def _add_distribution(
    graph: Graph, f: DumpFile, iris: CatalogIRIs, meta: PublicationMeta, profile: Profile
) -> URIRef:
    node = iris.distribution(f)
    url = iris.download(f)
    fmt = get_format(f.format_key) if f.format_key != "nq" else None
    graph.add((node, RDF.type, DCAT.Distribution))
    for lang in i18n.LANGUAGES:
        label = fmt.label if fmt else f.format_label
        part = i18n.text(f"catalog.{f.part}_short", lang)
        title = i18n.text("catalog.distribution_title", lang, part=part, format=label)
        if f.compressed:
            title += " (gzip)"
        graph.add((node, DCTERMS.title, Literal(title, lang=lang)))
    for lang in i18n.LANGUAGES:
        description = i18n.text(
            "catalog.distribution_description", lang, name=f.name, version=meta.version
        )
        graph.add((node, DCTERMS.description, Literal(description, lang=lang)))
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCAT.downloadURL, url))
    graph.add((url, RDF.type, RDFS.Resource))
    media = URIRef(IANA + f.media_type)
    graph.add((node, DCAT.mediaType, media))
    graph.add((media, RDF.type, DCTERMS.MediaType))
    if f.compressed:
        graph.add((node, DCAT.compressFormat, GZIP))
        graph.add((GZIP, RDF.type, DCTERMS.MediaType))
    graph.add((node, DCTERMS.format, URIRef(EU + "file-type/" + f.eu_file_type)))
    size = f"{f.size}.0" if profile.byte_size_datatype == XSD.decimal else str(f.size)
    graph.add((node, DCAT.byteSize, Literal(size, datatype=profile.byte_size_datatype)))
    checksum = URIRef(f"{node}-{profile.checksum_field}")
    graph.add((node, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, profile.checksum_algorithm))
    graph.add((profile.checksum_algorithm, RDF.type, SPDX.ChecksumAlgorithm))
    value = getattr(f, profile.checksum_field)
    graph.add((checksum, SPDX.checksumValue, Literal(value, datatype=XSD.hexBinary)))
    graph.add((node, DCTERMS.license, LICENCE))
    graph.add((node, DCATAP.availability, AVAILABLE))
    graph.add((node, DCTERMS.issued, _date(meta.modified)))
    for language in LANGUAGES:
        graph.add((node, DCTERMS.language, language))
    return node


def build_catalog(
    dataset: Dataset,
    files: Sequence[DumpFile],
    meta: PublicationMeta,
    profile: str = "dcat-ap",
) -> Graph:
    """The catalogue graph for one profile.

    :param dataset: the canonical dataset the dumps were made from (one graph per file).
    :param files: the dump files, with sizes and checksums.
    :param meta: version, dates and base IRI.
    :param profile: a key of :data:`PROFILES`.
    :raises KeyError: for an unknown profile.

    .. versionadded:: 0.1
    """
    prof = PROFILES[profile]
    iris = CatalogIRIs(meta.base_iri)
    union = union_graph(dataset)
    graph = Graph()
    keywords = [
        *(Literal(t, lang=lang) for lang, t in i18n.texts("catalog.keyword_strategy").items()),
        *(Literal(t, lang=lang) for lang, t in i18n.texts("catalog.keyword_plan").items()),
        *axis_keywords(union, meta.base_iri),
    ]
    years = action_plan_years(union, meta.base_iri)
    period = iris.period(*years) if years else None

    cat = iris.catalog
    graph.add((cat, RDF.type, DCAT.Catalog))
    _texts(graph, cat, DCTERMS.title, i18n.texts("catalog.catalogue_title"))
    _texts(
        graph,
        cat,
        DCTERMS.description,
        {
            lang: i18n.text("catalog.catalogue_description", lang, profile=prof.label)
            for lang in i18n.LANGUAGES
        },
    )
    graph.add((cat, DCTERMS.identifier, Literal(str(cat))))
    graph.add((cat, DCTERMS.publisher, PUBLISHER))
    graph.add((cat, DCAT.contactPoint, iris.contact))
    graph.add((cat, FOAF.homepage, iris.home))
    graph.add((iris.home, RDF.type, FOAF.Document))
    graph.add((cat, DCTERMS.license, LICENCE))
    for language in LANGUAGES:
        graph.add((cat, DCTERMS.language, language))
    graph.add((cat, DCAT.themeTaxonomy, THEME_TAXONOMY))
    graph.add((cat, DCTERMS.spatial, GEONORGE_HAMAR))
    if period is not None:
        graph.add((cat, DCTERMS.temporal, period))
    graph.add((cat, DCTERMS.issued, _date(meta.issued)))
    graph.add((cat, DCTERMS.modified, _date(meta.modified)))
    graph.add((cat, DCAT.service, iris.service))

    # publisher, contact point, place and period
    graph.add((PUBLISHER, RDF.type, FOAF.Agent))
    _texts(graph, PUBLISHER, FOAF.name, i18n.texts("catalog.publisher"))
    graph.add((PUBLISHER, DCTERMS.identifier, Literal(ORGANISATION_NUMBER)))
    graph.add((PUBLISHER, DCTERMS.type, LOCAL_AUTHORITY))
    graph.add((iris.contact, RDF.type, VCARD.Organization))
    graph.add((iris.contact, RDF.type, VCARD.Kind))
    municipality = Literal(i18n.text("catalog.publisher", "nb"), lang="nb")
    graph.add((iris.contact, VCARD.fn, municipality))
    graph.add((iris.contact, VCARD["organization-name"], municipality))
    graph.add((iris.contact, VCARD.hasEmail, CONTACT_EMAIL))
    graph.add((iris.contact, VCARD.hasURL, CONTACT_URL))
    graph.add((GEONORGE_HAMAR, RDF.type, DCTERMS.Location))
    _texts(graph, GEONORGE_HAMAR, RDFS.label, i18n.texts("catalog.publisher"))
    if years and period is not None:
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, _date(dt.date(years[0], 1, 1))))
        graph.add((period, DCAT.endDate, _date(dt.date(years[1], 12, 31))))

    # datasets
    standards: dict[str, URIRef] = {}
    for part in PARTS:
        node = iris.dataset(part)
        part_graph = union if part == "all" else union_graph(dataset, part, meta.base_iri)
        head = header(part_graph) if part in ("ontology", "shapes") else None
        graph.add((cat, DCAT.dataset, node))
        graph.add((node, RDF.type, DCAT.Dataset))
        titles = list(part_graph.objects(head, DCTERMS.title)) if head else []
        descriptions = list(part_graph.objects(head, DCTERMS.description)) if head else []
        for title in titles or _literals(f"catalog.{part}_title"):
            graph.add((node, DCTERMS.title, title))
        for text in descriptions or _literals(f"catalog.{part}_description"):
            graph.add((node, DCTERMS.description, text))
        _common(graph, node, iris, keywords)
        graph.add((node, DCTERMS.creator, PUBLISHER))
        graph.add((node, DCTERMS.spatial, GEONORGE_HAMAR))
        if period is not None:
            graph.add((node, DCTERMS.temporal, period))
        for language in LANGUAGES:
            graph.add((node, DCTERMS.language, language))
        issued, modified = release_dates(part_graph) if len(part_graph) else (meta.issued,) * 2
        graph.add((node, DCTERMS.issued, _date(issued)))
        graph.add((node, DCTERMS.modified, _date(modified)))
        graph.add((node, DCAT_VERSION, Literal(meta.version)))
        graph.add((node, OWL.versionInfo, Literal(meta.version)))
        graph.add((node, DCAT.landingPage, iris.home))
        if head is not None:
            standards[part] = head
            _standard(graph, head, titles)
        if part != "all":
            graph.add((node, DCTERMS.isPartOf, iris.dataset("all")))
            graph.add((iris.dataset("all"), DCTERMS.hasPart, node))
        for f in files:
            if f.part == part:
                graph.add((node, DCAT.distribution, _add_distribution(graph, f, iris, meta, prof)))
    graph.add((iris.dataset("all"), DCTERMS.isReferencedBy, iris.void))
    graph.add((iris.void, RDF.type, RDFS.Resource))
    _standard(graph, OWL2, [Literal("OWL 2 Web Ontology Language", lang="en")])
    _standard(graph, SHACL, [Literal("Shapes Constraint Language (SHACL)", lang="en")])
    graph.add((iris.dataset("ontology"), DCTERMS.conformsTo, OWL2))
    graph.add((iris.dataset("shapes"), DCTERMS.conformsTo, SHACL))
    for part in ("ontology", "shapes"):
        if part in standards:
            graph.add((iris.dataset("data"), DCTERMS.conformsTo, standards[part]))

    # the SPARQL endpoint
    svc = iris.service
    graph.add((svc, RDF.type, DCAT.DataService))
    _texts(graph, svc, DCTERMS.title, i18n.texts("catalog.service_title"))
    _texts(graph, svc, DCTERMS.description, i18n.texts("catalog.service_description"))
    _common(graph, svc, iris, [Literal("SPARQL", lang="nb"), Literal("SPARQL", lang="en")])
    graph.add((svc, DCAT.endpointURL, iris.sparql))
    graph.add((svc, DCAT.endpointDescription, iris.sparql))
    graph.add((iris.sparql, RDF.type, RDFS.Resource))
    graph.add((svc, DCAT.landingPage, iris.sparql))
    graph.add((iris.sparql, RDF.type, FOAF.Document))
    graph.add((svc, DCTERMS.license, LICENCE))
    graph.add((svc, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    _standard(graph, SPARQL_PROTOCOL, [Literal("SPARQL 1.1 Protocol", lang="en")])
    for part in PARTS:
        graph.add((svc, DCAT.servesDataset, iris.dataset(part)))
    for code in ("RDF_TURTLE", "JSON_LD", "RDF_XML", "RDF_N_TRIPLES"):
        graph.add((svc, DCTERMS.format, URIRef(EU + "file-type/" + code)))
    for media in ("application/sparql-results+json", "application/sparql-results+xml"):
        graph.add((svc, DCAT.mediaType, URIRef(IANA + media)))
        graph.add((URIRef(IANA + media), RDF.type, DCTERMS.MediaType))

    graph.add((LICENCE, DCTERMS.type, ATTRIBUTION))
    _add_terms(graph)
    return graph
