"""The project's namespaces: the one prefix registry.

Every namespace the project writes or checks is one row of :data:`REGISTRY`, with the
documents whose prefix map it belongs to:

- ``data``: the graph's own dumps, pages and queries (:data:`PREFIXES`; the CLI and
  ``/sparql`` predeclare these);
- ``description``: catalogue and VoID documents (:data:`DESCRIPTION_PREFIXES`, the data
  prefixes plus DCAT-AP's own);
- ``service``: the SPARQL service description (:data:`SERVICE_PREFIXES`);
- ``standard``: a vocabulary whose terms the sources may use without declaring them in
  ``ontology/`` (:data:`STANDARD_VOCABULARIES`; the build's declared-term check).

The Turtle sources are written against :data:`SOURCE_BASE`. A deployment with
another base IRI (``HAMAR_GRAPH_BASE_IRI``) gets every IRI rewritten when the sources
are parsed (:func:`hamar_graph.build.sources.parse_file`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Namespace, URIRef

#: The base IRI the Turtle sources are written with.
SOURCE_BASE = "https://data.hamar.kommune.no/"


@dataclass(frozen=True)
class Entry:
    """One namespace, its prefix and where it is used."""

    prefix: str | None  #: ``None`` for a vocabulary we never abbreviate
    namespace: str
    data: bool = False  #: bound in the graph's documents and queries
    description: bool = False  #: bound in catalogue and VoID documents
    service: bool = False  #: bound in the service description
    standard: bool = False  #: a standard vocabulary the sources may use undeclared


_BOTH = {"data": True, "description": True}

#: Every namespace, in the order prefix maps list them.
REGISTRY: tuple[Entry, ...] = (
    Entry("hms", SOURCE_BASE + "def/", **_BOTH),
    Entry("id", SOURCE_BASE + "id/", **_BOTH),
    Entry("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", **_BOTH, standard=True),
    Entry("rdfs", "http://www.w3.org/2000/01/rdf-schema#", **_BOTH, standard=True),
    Entry("owl", "http://www.w3.org/2002/07/owl#", **_BOTH, standard=True),
    Entry("xsd", "http://www.w3.org/2001/XMLSchema#", **_BOTH, standard=True),
    Entry("skos", "http://www.w3.org/2004/02/skos/core#", **_BOTH, standard=True),
    Entry("dct", "http://purl.org/dc/terms/", **_BOTH, standard=True),
    Entry("prov", "http://www.w3.org/ns/prov#", **_BOTH, standard=True),
    Entry("org", "http://www.w3.org/ns/org#", **_BOTH, standard=True),
    Entry("cv", "http://data.europa.eu/m8g/", **_BOTH, standard=True),
    Entry("eli", "http://data.europa.eu/eli/ontology#", **_BOTH, standard=True),
    Entry("schema", "https://schema.org/", **_BOTH, standard=True),
    Entry("geo", "http://www.w3.org/2003/01/geo/wgs84_pos#", **_BOTH, standard=True),
    Entry("foaf", "http://xmlns.com/foaf/0.1/", **_BOTH, standard=True),
    Entry("time", "http://www.w3.org/2006/time#", **_BOTH, standard=True),
    Entry("dcat", "http://www.w3.org/ns/dcat#", **_BOTH, standard=True),
    Entry("void", "http://rdfs.org/ns/void#", **_BOTH, standard=True),
    Entry("sh", "http://www.w3.org/ns/shacl#", **_BOTH, standard=True),
    Entry("wd", "http://www.wikidata.org/entity/", **_BOTH),
    Entry("adms", "http://www.w3.org/ns/adms#", **_BOTH, standard=True),
    Entry("dcatap", "http://data.europa.eu/r5r/", description=True, standard=True),
    Entry("spdx", "http://spdx.org/rdf/terms#", description=True, standard=True),
    Entry("vcard", "http://www.w3.org/2006/vcard/ns#", description=True, standard=True),
    Entry("locn", "http://www.w3.org/ns/locn#", description=True),
    Entry("euauth", "http://publications.europa.eu/resource/authority/", description=True),
    Entry("sd", "http://www.w3.org/ns/sparql-service-description#", service=True, standard=True),
    Entry("formats", "http://www.w3.org/ns/formats/", service=True),
    Entry("ent", "http://www.w3.org/ns/entailment/", service=True),
    Entry(None, "http://www.opengis.net/ont/geosparql#", standard=True),
    Entry(None, "http://purl.org/vocab/vann/", standard=True),
)


def _map(**wanted: bool) -> dict[str, str]:
    (use,) = wanted
    return {e.prefix: e.namespace for e in REGISTRY if e.prefix and getattr(e, use)}


#: The graph's prefix map: dumps, pages, the CLI's and ``/sparql``'s predeclared prefixes.
PREFIXES: dict[str, str] = _map(data=True)
#: Catalogue and VoID documents: the graph's prefixes plus DCAT-AP's own.
DESCRIPTION_PREFIXES: dict[str, str] = _map(description=True)
#: The service description's own prefixes (used together with :data:`PREFIXES`).
SERVICE_PREFIXES: dict[str, str] = _map(service=True)

#: Vocabularies whose terms the data may use without declaring them in ontology/.
#: The build checks every class and predicate against ontology/ plus these.
STANDARD_VOCABULARIES: tuple[str, ...] = tuple(e.namespace for e in REGISTRY if e.standard)

#: Hamar strategy ontology terms: ``{base}def/Axis``.
HMS = Namespace(PREFIXES["hms"])
#: The ontology's own IRI.
ONTOLOGY_IRI = URIRef(SOURCE_BASE + "def/hamar")
#: Instance data: ``{base}id/{kind}/{slug}``.
ID = Namespace(PREFIXES["id"])
#: Shapes: ``{base}shapes/S01``.
SHAPES = Namespace(SOURCE_BASE + "shapes/")

CV = Namespace(PREFIXES["cv"])
ELI = Namespace(PREFIXES["eli"])
GEO = Namespace(PREFIXES["geo"])
ADMS = Namespace(PREFIXES["adms"])
WD = Namespace(PREFIXES["wd"])
DCATAP = Namespace(DESCRIPTION_PREFIXES["dcatap"])
SPDX = Namespace(DESCRIPTION_PREFIXES["spdx"])
VCARD = Namespace(DESCRIPTION_PREFIXES["vcard"])
LOCN = Namespace(DESCRIPTION_PREFIXES["locn"])
EUAUTH = Namespace(DESCRIPTION_PREFIXES["euauth"])
SD = Namespace(SERVICE_PREFIXES["sd"])
FORMATS = Namespace(SERVICE_PREFIXES["formats"])


def rebased(prefixes: dict[str, str], base_iri: str) -> dict[str, str]:
    """``prefixes`` with the project's own namespaces moved from :data:`SOURCE_BASE` to
    ``base_iri`` (a deployment with another base)."""
    return {
        p: base_iri + ns[len(SOURCE_BASE) :] if ns.startswith(SOURCE_BASE) else ns
        for p, ns in prefixes.items()
    }


def bind_prefixes(graph: Graph, prefixes: dict[str, str] | None = None) -> Graph:
    """Bind ``prefixes`` (default :data:`PREFIXES`) on ``graph``, replacing rdflib's
    defaults, and return it."""
    for prefix, iri in (PREFIXES if prefixes is None else prefixes).items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """The ``PREFIX`` lines for ``prefixes`` (default :data:`PREFIXES`)."""
    return "".join(
        f"PREFIX {p}: <{iri}>\n" for p, iri in (PREFIXES if prefixes is None else prefixes).items()
    )
