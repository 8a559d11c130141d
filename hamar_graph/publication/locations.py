"""Locations and identifiers: where a harvester fetches what the catalogue names.

The catalogue and VoID name two kinds of IRI. **Identifiers** (the catalogue, its datasets
and distributions, the data service, the things described, ``void:uriSpace``) always start
with the base IRI, wherever the server runs. **Locations** (the values of
:data:`LOCATION_PROPERTIES`: download and access URLs, the SPARQL endpoint, landing and home
pages, VoID's data dumps) are where this deployment serves the files, so that a harvester of
the server can fetch every file the catalogue lists:

- ``build`` writes them under ``Settings.public_url``, or under the base IRI when none is set
  (the production site, served at its base IRI);
- the server gives them under ``Settings.public_url`` when it is set (the Host header then
  changes nothing), else under the address the request came to
  (:func:`served_public_url`), and :func:`relocate` moves them there.

Specification: DCAT 3, https://www.w3.org/TR/vocab-dcat-3/#Property:distribution_download_url
(a download URL is "a URL of the downloadable file"), VoID 3.3 (``void:dataDump``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, FOAF, VOID

from hamar_graph.config import Settings

#: Properties whose values are locations on this deployment, not identifiers.
LOCATION_PROPERTIES: tuple[URIRef, ...] = (
    DCAT.accessURL,
    DCAT.downloadURL,
    DCAT.endpointURL,
    DCAT.endpointDescription,
    DCAT.landingPage,
    FOAF.homepage,
    VOID.dataDump,
    VOID.sparqlEndpoint,
)


def locations(graph: Graph, public_url: str) -> set[URIRef]:
    """The locations of ``graph`` under ``public_url`` (values of :data:`LOCATION_PROPERTIES`)."""
    return {
        o
        for p in LOCATION_PROPERTIES
        for o in graph.objects(None, p)
        if isinstance(o, URIRef) and str(o).startswith(public_url)
    }


def relocate(graph: Graph, old: str, new: str) -> Graph:
    """``graph`` with every location under ``old`` moved under ``new``.

    A location is renamed wherever it occurs (``<…/download/x.ttl> a rdfs:Resource`` too);
    identifiers are left as they are, even when they start with ``old``. Returns ``graph``
    itself when nothing moves.
    """
    if old == new:
        return graph
    moved = {node: URIRef(new + str(node)[len(old) :]) for node in locations(graph, old)}
    if not moved:
        return graph
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=True, replace=True)
    for s, p, o in graph:
        out.add((moved.get(s, s), p, moved.get(o, o)))  # type: ignore[arg-type]
    return out


def served_public_url(settings: Settings, url_root: str) -> str:
    """Where a request to ``url_root`` finds the files: the locations the server answers with.

    ``Settings.public_url`` when it is set; the base IRI when the request came to the base
    IRI's host (so the production site keeps its scheme behind a TLS proxy); otherwise the
    request's own root URL (``http://127.0.0.1:5000/``).
    """
    if settings.public_url:
        return settings.public_url
    root = url_root if url_root.endswith("/") else url_root + "/"
    if urlsplit(root).netloc.lower() == urlsplit(settings.base_iri).netloc.lower():
        return settings.base_iri
    return root
