"""The project's namespaces and its single prefix map.

The Turtle sources are written against :data:`SOURCE_BASE`. A deployment with
another base IRI (``HAMAR_GRAPH_BASE_IRI``) gets every IRI rewritten at build
time by :func:`hamar_graph.build.rebase`.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    TIME,
    VOID,
    XSD,
)

#: The base IRI the Turtle sources are written with.
SOURCE_BASE = "https://data.hamar.kommune.no/"

#: Hamar strategy ontology terms: ``{base}def/Axis``.
HMS = Namespace(SOURCE_BASE + "def/")
#: The ontology's own IRI.
ONTOLOGY_IRI = URIRef(SOURCE_BASE + "def/hamar")
#: Instance data: ``{base}id/{kind}/{slug}``.
ID = Namespace(SOURCE_BASE + "id/")
#: Shapes: ``{base}shapes/S01``.
SHAPES = Namespace(SOURCE_BASE + "shapes/")

CV = Namespace("http://data.europa.eu/m8g/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
WD = Namespace("http://www.wikidata.org/entity/")
EUAUTH = Namespace("http://publications.europa.eu/resource/authority/")

#: The one prefix map, used for every serialisation and for query pages.
PREFIXES: dict[str, str] = {
    "hms": str(HMS),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG),
    "cv": str(CV),
    "eli": str(ELI),
    "schema": str(SDO),
    "geo": str(GEO),
    "foaf": str(FOAF),
    "time": str(TIME),
    "dcat": str(DCAT),
    "void": str(VOID),
    "sh": str(SH),
    "wd": str(WD),
    "adms": str(ADMS),
}

#: Vocabularies whose terms the data may use without declaring them in ontology/.
#: The build checks every class and predicate against ontology/ plus these.
STANDARD_VOCABULARIES: tuple[str, ...] = (
    str(RDF),
    str(RDFS),
    str(OWL),
    str(XSD),
    str(SKOS),
    str(DCTERMS),
    str(PROV),
    str(ORG),
    str(CV),
    str(ELI),
    str(SDO),
    str(GEO),
    str(GSP),
    str(FOAF),
    str(TIME),
    str(DCAT),
    str(VOID),
    str(SH),
    str(ADMS),
    str(DCATAP),
    str(SD),
    str(VCARD),
    str(SPDX),
    "http://purl.org/vocab/vann/",
)


def bind_prefixes(graph: Graph) -> Graph:
    """Bind :data:`PREFIXES` on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """The ``PREFIX`` lines for :data:`PREFIXES`, for query pages and examples."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
