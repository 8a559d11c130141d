"""The DCAT catalogue of the publication, for data.norge.no and data.europa.eu.

One catalogue (``{base}catalog``) with four datasets (the complete graph, and its
three parts: instance data, ontology, shapes), one distribution per dump file
(:mod:`hamar_graph.dumps`) and one data service, the SPARQL endpoint. Titles,
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
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from hamar_graph.dumps import DumpFile, PublicationMeta, release_dates, union_graph
from hamar_graph.export import get_format, sorted_graph
from hamar_graph.namespaces import ADMS, DCATAP, PREFIXES, SPDX, VCARD

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"

#: Hamar kommune in the Norwegian organisation catalogue (organisation number 970540008).
PUBLISHER = URIRef(
    "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/970540008"
)
ORGANISATION_NUMBER = "970540008"
#: The municipality's public contact addresses (its switchboard mailbox and web site).
CONTACT_EMAIL = URIRef("mailto:postmottak@hamar.kommune.no")
CONTACT_URL = URIRef("https://www.hamar.kommune.no/")
#: Hamar kommune in Geonorge's administrative units.
GEONORGE_HAMAR = URIRef("https://data.geonorge.no/administrativeEnheter/kommune/id/172779")

LICENCE = URIRef(EU + "licence/NLOD_2_0")
LANGUAGES = (URIRef(EU + "language/NOB"), URIRef(EU + "language/ENG"))
THEMES = (URIRef(EU + "data-theme/GOVE"), URIRef(EU + "data-theme/INTR"))
THEME_TAXONOMY = URIRef(EU + "data-theme")
ACCESS_PUBLIC = URIRef(EU + "access-right/PUBLIC")
AVAILABLE = URIRef(EU + "planned-availability/AVAILABLE")
LOCAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
ATTRIBUTION = URIRef("http://purl.org/adms/licencetype/Attribution")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
OWL2 = URIRef("https://www.w3.org/TR/owl2-overview/")
SHACL = URIRef("https://www.w3.org/TR/shacl/")
GZIP = URIRef(IANA + "application/gzip")
HMS_PATH = "def/"

LOCN = Namespace("http://www.w3.org/ns/locn#")
#: ``dcat:version`` (DCAT 3; rdflib's closed DCAT namespace predates it).
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")


@dataclass(frozen=True)
class Profile:
    """How one application profile wants the two contested properties.

    .. versionadded:: 0.1
    """

    key: str
    label: str
    iri: URIRef  #: the specification the profile's catalogue conforms to
    byte_size_datatype: URIRef
    checksum_algorithm: URIRef
    checksum_field: str  #: attribute of :class:`~hamar_graph.dumps.DumpFile`


PROFILES: dict[str, Profile] = {
    "dcat-ap": Profile(
        "dcat-ap",
        "DCAT-AP 3.0.1",
        URIRef("https://semiceu.github.io/DCAT-AP/releases/3.0.1/"),
        XSD.nonNegativeInteger,
        SPDX.checksumAlgorithm_sha256,
        "sha256",
    ),
    "dcat-ap-no": Profile(
        "dcat-ap-no",
        "DCAT-AP-NO 2.00",
        URIRef("https://data.norge.no/specification/dcat-ap-no/"),
        XSD.decimal,
        SPDX.checksumAlgorithm_sha1,
        "sha1",
    ),
}


@dataclass(frozen=True)
class Term:
    """A term of a controlled vocabulary, described as its authority table does."""

    types: tuple[URIRef, ...]
    labels: tuple[tuple[str, str], ...]  #: (lang, label)
    scheme: URIRef | None = None


def _concept(extra: URIRef, scheme: str, *labels: tuple[str, str]) -> Term:
    return Term((SKOS.Concept, extra), labels, URIRef(scheme))


#: Every controlled term the catalogue uses, with the type DCAT-AP's ranges ask for,
#: its labels and its scheme (checked against tests/data/dcat-shapes/eu-vocabulary-excerpt.ttl).
TERMS: dict[URIRef, Term] = {
    LICENCE: _concept(
        DCTERMS.LicenseDocument,
        EU + "licence",
        ("nb", "Norsk lisens for offentlige data (NLOD) 2.0"),
        ("en", "Norwegian Licence for Open Government Data (NLOD) 2.0"),
    ),
    ATTRIBUTION: _concept(
        SKOS.Concept, "http://purl.org/adms/licencetype/1.0", ("en", "Attribution")
    ),
    LANGUAGES[0]: _concept(
        DCTERMS.LinguisticSystem,
        EU + "language",
        ("nb", "norsk bokmål"),
        ("en", "Norwegian Bokmål"),
    ),
    LANGUAGES[1]: _concept(
        DCTERMS.LinguisticSystem, EU + "language", ("nb", "engelsk"), ("en", "English")
    ),
    THEMES[0]: _concept(
        SKOS.Concept,
        EU + "data-theme",
        ("nb", "Forvaltning og offentlig sektor"),
        ("en", "Government and public sector"),
    ),
    THEMES[1]: _concept(
        SKOS.Concept,
        EU + "data-theme",
        ("nb", "Internasjonale temaer"),
        ("en", "International issues"),
    ),
    ACCESS_PUBLIC: _concept(
        DCTERMS.RightsStatement, EU + "access-right", ("nb", "offentlig"), ("en", "public")
    ),
    AVAILABLE: _concept(
        SKOS.Concept, EU + "planned-availability", ("nb", "tilgjengelig"), ("en", "available")
    ),
    LOCAL_AUTHORITY: _concept(
        SKOS.Concept, "http://purl.org/adms/publishertype/1.0", ("en", "Local Authority")
    ),
    **{
        URIRef(EU + "file-type/" + code): _concept(
            DCTERMS.MediaTypeOrExtent, EU + "file-type", ("en", label)
        )
        for code, label in (
            ("RDF_TURTLE", "RDF Turtle"),
            ("RDF_N_TRIPLES", "RDF N-Triples"),
            ("JSON_LD", "JSON-LD"),
            ("RDF_XML", "RDF/XML"),
            ("RDF_N_QUADS", "RDF N-Quads"),
        )
    },
}

#: Concept schemes the catalogue names (``dcat:themeTaxonomy`` and the schemes of TERMS).
SCHEMES: dict[URIRef, tuple[tuple[str, str], ...]] = {
    URIRef(EU + "data-theme"): (("en", "Data theme"),),
    URIRef(EU + "language"): (("en", "Language"),),
    URIRef(EU + "licence"): (("en", "Licence"),),
    URIRef(EU + "access-right"): (("en", "Access right"),),
    URIRef(EU + "planned-availability"): (("en", "Planned availability"),),
    URIRef(EU + "file-type"): (("en", "File type"),),
    URIRef("http://purl.org/adms/publishertype/1.0"): (("en", "Publisher type"),),
    URIRef("http://purl.org/adms/licencetype/1.0"): (("en", "Licence type"),),
}

#: Prefixes for catalogue and VoID documents: the project's, plus DCAT-AP's own.
DESCRIPTION_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "adms": str(ADMS),
    "dcatap": str(DCATAP),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "locn": str(LOCN),
    "euauth": EU,
}

PART_TEXTS: dict[str, dict[str, str]] = {
    "all": {
        "nb": "Hamar kommunes internasjonale strategi som lenkede data",
        "en": "Hamar kommune's international strategy as linked data",
        "nb_d": (
            "Hele kunnskapsgrafen: Hamar kommunes internasjonale strategi med handlingsplan "
            "for internasjonalt arbeid 2015–2019 (dokumentet, målene, de fem aksene, tiltak, "
            "ansvar og kostnad, aktører og vennskapsbyer), ontologien og SHACL-reglene."
        ),
        "en_d": (
            "The complete knowledge graph: Hamar kommune's international strategy with its "
            "action plan for international work 2015–2019 (the document, its goals, the five "
            "axes, measures, responsibility and cost, actors and twin cities), the ontology "
            "and the SHACL shapes."
        ),
    },
    "data": {
        "nb": "Internasjonal strategi for Hamar kommune: innholdet",
        "en": "Hamar kommune's international strategy: the content",
        "nb_d": (
            "Dokumentet som data: seksjoner, vedtak, overordnet mål og ønskede resultater, "
            "aksene med mål og hovedstrategier, handlingsplanens mål og tiltak med ansvar og "
            "kostnad, aktører, steder, vennskapsbyer, nøkkeltall og referanser."
        ),
        "en_d": (
            "The document as data: sections, adoption, overall goal and intended results, the "
            "axes with their goals and main strategies, the action plan's goals and measures "
            "with responsibility and cost, actors, places, twin cities, key figures and "
            "references."
        ),
    },
    "ontology": {
        "nb": "Ontologi for Hamar kommunes internasjonale strategi",
        "en": "Ontology for Hamar kommune's international strategy",
        "nb_d": "Klassene og egenskapene som grafen bruker.",
        "en_d": "The classes and properties the graph uses.",
    },
    "shapes": {
        "nb": "SHACL-regler for Hamar kommunes internasjonale strategi",
        "en": "SHACL shapes for Hamar kommune's international strategy",
        "nb_d": "Reglene som grafen valideres mot.",
        "en_d": "The rules the graph is validated against.",
    },
}

_FORMAT_WORDS = {"nb": "som", "en": "as"}
_PART_WORDS = {
    "all": {"nb": "Hele kunnskapsgrafen", "en": "The complete knowledge graph"},
    "data": {"nb": "Innholdet", "en": "The content"},
    "ontology": {"nb": "Ontologien", "en": "The ontology"},
    "shapes": {"nb": "SHACL-reglene", "en": "The SHACL shapes"},
}


class CatalogIRIs:
    """The IRIs of everything the catalogue describes, under one base IRI.

    .. versionadded:: 0.1
    """

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri
        self.catalog = URIRef(base_iri + "catalog")
        self.home = URIRef(base_iri)
        self.sparql = URIRef(base_iri + "sparql")
        self.service = URIRef(base_iri + "catalog#sparql")
        self.contact = URIRef(base_iri + "catalog#kontaktpunkt")
        self.void = URIRef(base_iri + ".well-known/void")

    def dataset(self, part: str) -> URIRef:
        """``{base}catalog#hamar-graph`` for the complete graph, ``#data`` ... for a part."""
        return URIRef(self.base + "catalog#" + ("hamar-graph" if part == "all" else part))

    def distribution(self, f: DumpFile) -> URIRef:
        """``{base}catalog#distribution-{file name}``."""
        return URIRef(f"{self.base}catalog#distribution-{f.name}")

    def download(self, f: DumpFile) -> URIRef:
        """``{base}download/{file name}``."""
        return URIRef(self.base + f.download_path)

    def period(self, start: int, end: int) -> URIRef:
        """``{base}catalog#periode-{start}-{end}``."""
        return URIRef(f"{self.base}catalog#periode-{start}-{end}")


# --- facts read from the data ----------------------------------------------------------


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


# --- building ----------------------------------------------------------------------------


def _texts(graph: Graph, subject: URIRef, predicate: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        graph.add((subject, predicate, Literal(text, lang=lang)))


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
    for lang in ("nb", "en"):
        label = fmt.label if fmt else f.format_label
        title = f"{_PART_WORDS[f.part][lang]} {_FORMAT_WORDS[lang]} {label}"
        if f.compressed:
            title += " (gzip)"
        graph.add((node, DCTERMS.title, Literal(title, lang=lang)))
    graph.add(
        (node, DCTERMS.description, Literal(f"Fil {f.name}, versjon {meta.version}.", lang="nb"))
    )
    graph.add(
        (node, DCTERMS.description, Literal(f"File {f.name}, version {meta.version}.", lang="en"))
    )
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
        Literal("internasjonal strategi", lang="nb"),
        Literal("international strategy", lang="en"),
        Literal("handlingsplan", lang="nb"),
        Literal("action plan", lang="en"),
        *axis_keywords(union, meta.base_iri),
    ]
    years = action_plan_years(union, meta.base_iri)
    period = iris.period(*years) if years else None

    cat = iris.catalog
    graph.add((cat, RDF.type, DCAT.Catalog))
    _texts(
        graph,
        cat,
        DCTERMS.title,
        {"nb": "Hamar kommunes datakatalog", "en": "Hamar kommune's data catalogue"},
    )
    _texts(
        graph,
        cat,
        DCTERMS.description,
        {
            "nb": "Datasett og tjenester for Hamar kommunes internasjonale strategi "
            f"som lenkede data ({prof.label}).",
            "en": "Datasets and services for Hamar kommune's international strategy "
            f"as linked data ({prof.label}).",
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
    graph.add((PUBLISHER, FOAF.name, Literal("Hamar kommune", lang="nb")))
    graph.add((PUBLISHER, FOAF.name, Literal("Hamar Municipality", lang="en")))
    graph.add((PUBLISHER, DCTERMS.identifier, Literal(ORGANISATION_NUMBER)))
    graph.add((PUBLISHER, DCTERMS.type, LOCAL_AUTHORITY))
    graph.add((iris.contact, RDF.type, VCARD.Organization))
    graph.add((iris.contact, RDF.type, VCARD.Kind))
    graph.add((iris.contact, VCARD.fn, Literal("Hamar kommune", lang="nb")))
    graph.add((iris.contact, VCARD["organization-name"], Literal("Hamar kommune", lang="nb")))
    graph.add((iris.contact, VCARD.hasEmail, CONTACT_EMAIL))
    graph.add((iris.contact, VCARD.hasURL, CONTACT_URL))
    graph.add((GEONORGE_HAMAR, RDF.type, DCTERMS.Location))
    graph.add((GEONORGE_HAMAR, RDFS.label, Literal("Hamar kommune", lang="nb")))
    graph.add((GEONORGE_HAMAR, RDFS.label, Literal("Hamar Municipality", lang="en")))
    if years and period is not None:
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, _date(dt.date(years[0], 1, 1))))
        graph.add((period, DCAT.endDate, _date(dt.date(years[1], 12, 31))))

    # datasets
    standards: dict[str, URIRef] = {}
    for part in ("all", "data", "ontology", "shapes"):
        node = iris.dataset(part)
        part_graph = union if part == "all" else union_graph(dataset, part, meta.base_iri)
        head = header(part_graph) if part in ("ontology", "shapes") else None
        graph.add((cat, DCAT.dataset, node))
        graph.add((node, RDF.type, DCAT.Dataset))
        texts = PART_TEXTS[part]
        titles = list(part_graph.objects(head, DCTERMS.title)) if head else []
        descriptions = list(part_graph.objects(head, DCTERMS.description)) if head else []
        for title in titles or [Literal(texts[lang], lang=lang) for lang in ("nb", "en")]:
            graph.add((node, DCTERMS.title, title))
        for text in descriptions or [
            Literal(texts[f"{lang}_d"], lang=lang) for lang in ("nb", "en")
        ]:
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
    _texts(
        graph,
        svc,
        DCTERMS.title,
        {"nb": "SPARQL-endepunkt", "en": "SPARQL endpoint"},
    )
    _texts(
        graph,
        svc,
        DCTERMS.description,
        {
            "nb": "Spørringer mot hele kunnskapsgrafen med SPARQL 1.1 (kun lesing).",
            "en": "Read-only SPARQL 1.1 queries over the complete knowledge graph.",
        },
    )
    _common(graph, svc, iris, [Literal("SPARQL", lang="nb"), Literal("SPARQL", lang="en")])
    graph.add((svc, DCAT.endpointURL, iris.sparql))
    graph.add((svc, DCAT.endpointDescription, iris.sparql))
    graph.add((iris.sparql, RDF.type, RDFS.Resource))
    graph.add((svc, DCAT.landingPage, iris.sparql))
    graph.add((iris.sparql, RDF.type, FOAF.Document))
    graph.add((svc, DCTERMS.license, LICENCE))
    graph.add((svc, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    _standard(graph, SPARQL_PROTOCOL, [Literal("SPARQL 1.1 Protocol", lang="en")])
    for part in ("all", "data", "ontology", "shapes"):
        graph.add((svc, DCAT.servesDataset, iris.dataset(part)))
    for code in ("RDF_TURTLE", "JSON_LD", "RDF_XML", "RDF_N_TRIPLES"):
        graph.add((svc, DCTERMS.format, URIRef(EU + "file-type/" + code)))
    for media in ("application/sparql-results+json", "application/sparql-results+xml"):
        graph.add((svc, DCAT.mediaType, URIRef(IANA + media)))
        graph.add((URIRef(IANA + media), RDF.type, DCTERMS.MediaType))

    graph.add((LICENCE, DCTERMS.type, ATTRIBUTION))
    _add_terms(graph)
    return graph


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
    from hamar_graph.export import serialize

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


# --- the HTML page's context ------------------------------------------------------------


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
