"""The fixed parts of the catalogue: publisher, licence, themes, EU authority terms,
profiles and the IRIs of everything the catalogue describes."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from hamar_graph.namespaces import SPDX
from hamar_graph.publication.dumps import DumpFile

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
    checksum_field: str  #: attribute of :class:`~hamar_graph.publication.dumps.DumpFile`


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


#: The parts of the publication: the complete graph and its three parts. Their titles,
#: descriptions and short names are in section ``catalog`` of the interface table
#: (``catalog.{part}_title``, ``catalog.{part}_description``, ``catalog.{part}_short``).
PARTS: tuple[str, ...] = ("all", "data", "ontology", "shapes")


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
