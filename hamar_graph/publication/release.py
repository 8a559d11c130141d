"""The data's version and dates: what HTTP validators and the catalogue are made from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from hamar_graph import __version__
from hamar_graph.namespaces import bind_prefixes, sparql_prologue
from hamar_graph.store.base import Store
from hamar_graph.store.oxigraph import OxigraphStore


@dataclass(frozen=True)
class PublicationMeta:
    """Facts about one release of the graph, computed from the data.

    .. versionadded:: 0.1
    """

    base_iri: str
    version: str  #: package version, as in file names
    data_version: str  #: see :class:`Release`
    issued: dt.date  #: first issue, from the sources' ``dct:issued``/``dct:created``
    modified: dt.date  #: last change, the latest ``dct:modified`` of the sources
    triples: int  #: distinct triples in the complete graph
    #: Where the files are served: the download, access and endpoint URLs of the catalogue
    #: and VoID start with it (``Settings.public_url``, else the base IRI). Identifiers keep
    #: :attr:`base_iri`. Empty means the base IRI (a manifest written before 0.2).
    public_url: str = ""

    @property
    def location(self) -> str:
        """:attr:`public_url`, or the base IRI when none was recorded."""
        return self.public_url or self.base_iri


def content_digest(store: Store) -> str:
    """SHA-256 (hex) of the store's data: :meth:`~hamar_graph.store.base.Store.fingerprint`."""
    return store.fingerprint()


def served_form(dataset: Dataset) -> Dataset:
    """``dataset`` as the query engine serves it: loaded into Oxigraph and read back.

    Oxigraph keeps numbers in their canonical form (``"11.0680"^^xsd:decimal`` comes
    back as ``"11.068"``), so the dumps are made from what the endpoint answers, and
    are isomorphic to its ``CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }``.
    """
    store = OxigraphStore()
    store.load(dataset)
    return dataset_from_store(store)


def dataset_from_store(store: Store) -> Dataset:
    """Read every quad of ``store`` (its named graphs, :meth:`~hamar_graph.store.base.Store.
    graph_names`: a remote engine's data-version graph is not data) into an rdflib Dataset."""
    dataset = Dataset()
    bind_prefixes(dataset)  # type: ignore[arg-type]
    names = set(store.graph_names())
    rows = store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    for row in rows:
        if row["g"] in names:
            dataset.graph(row["g"]).add((row["s"], row["p"], row["o"]))  # type: ignore[arg-type]
    return dataset


def _dates(graph: Graph, predicate: URIRef) -> list[dt.date]:
    values: list[dt.date] = []
    for header in graph.subjects(RDF.type, OWL.Ontology):
        for value in graph.objects(header, predicate):
            if isinstance(value, Literal):
                py = value.toPython()
                if isinstance(py, dt.datetime):
                    values.append(py.date())
                elif isinstance(py, dt.date):
                    values.append(py)
    return values


def release_dates(graph: Graph) -> tuple[dt.date, dt.date]:
    """``(issued, modified)`` from the ``owl:Ontology`` headers of the source files.

    Modified is the latest ``dct:modified``; issued is the earliest ``dct:issued``,
    else the earliest ``dct:created``, else the modified date. Without any header
    date both are today's date (UTC).
    """
    modified = max(_dates(graph, DCTERMS.modified), default=None)
    issued = min(_dates(graph, DCTERMS.issued) or _dates(graph, DCTERMS.created), default=None)
    if modified is None:
        modified = issued or dt.datetime.now(dt.UTC).date()
    return issued or modified, modified


@dataclass(frozen=True)
class Release:
    """The data's version and dates: what HTTP validators are made from.

    .. versionadded:: 0.1
    """

    data_version: str  #: ``{version}+{12 hex digits of}`` :func:`content_digest`
    issued: dt.date
    modified: dt.date


#: The dates in the ``owl:Ontology`` header of every source file.
HEADER_DATES = (
    sparql_prologue()
    + """
SELECT ?h ?p ?v WHERE {
  VALUES ?p { dct:modified dct:issued dct:created }
  ?h a owl:Ontology ; ?p ?v .
}
"""
)


def store_release(store: Store, version: str = __version__) -> Release:
    """Version and dates of the data in ``store``.

    See :func:`content_digest` and :func:`release_dates`.

    .. versionadded:: 0.1
    """
    headers = Graph()
    for row in store.select(HEADER_DATES):
        headers.add((row["h"], RDF.type, OWL.Ontology))
        headers.add((row["h"], row["p"], row["v"]))
    issued, modified = release_dates(headers)
    return Release(version_label(content_digest(store), version), issued, modified)


def version_label(digest: str, version: str = __version__) -> str:
    """The data version of :class:`Release`: the package version and the first 12 hex digits
    of the data's SHA-256 (:func:`content_digest`, or the digest ``hamar-graph load`` wrote
    into a remote engine)."""
    return f"{version}+{digest[:12]}"
