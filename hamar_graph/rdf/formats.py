"""The one registry of formats and media types.

Every serialisation the project reads or writes is one :class:`Format`: the RDF
documents (Turtle, N-Triples, JSON-LD, RDF/XML), N-Quads (the dumps that keep the
named graphs) and the SPARQL result formats (JSON, XML, CSV, TSV). Each knows its
key, media type, the other media types and ``format=`` names that select it, its
file extension, its EU file-type code
(https://op.europa.eu/en/web/eu-vocabularies/dataset/-/resource?uri=http://publications.europa.eu/resource/dataset/file-type),
its W3C format IRI (https://www.w3.org/ns/formats/), and its rdflib and pyoxigraph names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from hamar_graph.namespaces import FORMATS

#: The W3C format IRIs' namespace (https://www.w3.org/ns/formats/).
FORMATS_NS = str(FORMATS)

#: Media type of a gzip file (IANA), the ``dcat:compressFormat`` of ``.gz`` dumps.
GZIP_MEDIA_TYPE = "application/gzip"

#: The HTML pages' media types.
HTML_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Format:
    """One serialisation.

    .. versionadded:: 0.1
    """

    key: str  #: short name: ``ttl``, ``nt``, ``jsonld``, ``rdf``, ``nq``, ``json``, ``csv`` ...
    media_type: str  #: the exact media type we send
    kind: str  #: ``graph`` (triples), ``quads``, or ``tabular`` (SELECT and ASK results)
    label: str  #: human name
    w3c: str  #: the format's IRI under https://www.w3.org/ns/formats/
    aliases: tuple[str, ...] = ()  #: other media types a client may ask for
    names: tuple[str, ...] = ()  #: values of the SPARQL ``format`` parameter that choose it
    extension: str = ""  #: file extension of dumps
    eu_file_type: str = ""  #: EU file-type authority code
    rdflib_format: str = ""  #: rdflib's serializer name
    oxigraph_name: str = ""  #: the name in pyoxigraph's RdfFormat or QueryResultsFormat

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header: the media type with ``charset=utf-8``."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every media type that selects this format."""
        return (self.media_type, *self.aliases)

    @property
    def oxigraph(self) -> ox.RdfFormat | ox.QueryResultsFormat:
        """pyoxigraph's format object, for its parsers and serialisers."""
        family = ox.QueryResultsFormat if self.kind == "tabular" else ox.RdfFormat
        return getattr(family, self.oxigraph_name)  # type: ignore[no-any-return]


def _index(*formats: Format) -> dict[str, Format]:
    return {f.key: f for f in formats}


#: The RDF documents we publish: every resource, the dumps, CONSTRUCT and DESCRIBE results.
RDF_FORMATS: dict[str, Format] = _index(
    Format(
        "ttl",
        "text/turtle",
        "graph",
        "Turtle",
        FORMATS_NS + "Turtle",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
        ("ttl", "turtle", "n3"),
        "ttl",
        "RDF_TURTLE",
        "turtle",
        "TURTLE",
    ),
    Format(
        "nt",
        "application/n-triples",
        "graph",
        "N-Triples",
        FORMATS_NS + "N-Triples",
        ("text/plain",),
        ("nt", "ntriples", "n-triples"),
        "nt",
        "RDF_N_TRIPLES",
        "nt",
        "N_TRIPLES",
    ),
    Format(
        "jsonld",
        "application/ld+json",
        "graph",
        "JSON-LD",
        FORMATS_NS + "JSON-LD",
        ("application/x-json+ld", "application/json"),
        ("jsonld", "json-ld", "json"),
        "jsonld",
        "JSON_LD",
        "json-ld",
        "JSON_LD",
    ),
    Format(
        "rdf",
        "application/rdf+xml",
        "graph",
        "RDF/XML",
        FORMATS_NS + "RDF_XML",
        ("application/xml", "text/xml"),
        ("rdf", "rdfxml", "rdf+xml", "xml", "owl"),
        "rdf",
        "RDF_XML",
        "xml",
        "RDF_XML",
    ),
)

#: N-Quads, published for the complete graph only (it keeps the named graphs).
NQUADS = Format(
    "nq",
    "application/n-quads",
    "quads",
    "N-Quads",
    FORMATS_NS + "N-Quads",
    (),
    ("nq", "nquads"),
    "nq",
    "RDF_N_QUADS",
    "nquads",
    "N_QUADS",
)

#: SPARQL results of SELECT and ASK.
TABULAR_FORMATS: dict[str, Format] = _index(
    Format(
        "json",
        "application/sparql-results+json",
        "tabular",
        "SPARQL Results JSON",
        FORMATS_NS + "SPARQL_Results_JSON",
        ("application/json",),
        ("json", "srj"),
        oxigraph_name="JSON",
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "tabular",
        "SPARQL Results XML",
        FORMATS_NS + "SPARQL_Results_XML",
        ("application/xml", "text/xml"),
        ("xml", "srx"),
        oxigraph_name="XML",
    ),
    Format(
        "csv",
        "text/csv",
        "tabular",
        "CSV",
        FORMATS_NS + "SPARQL_Results_CSV",
        (),
        ("csv",),
        oxigraph_name="CSV",
    ),
    Format(
        "tsv",
        "text/tab-separated-values",
        "tabular",
        "TSV",
        FORMATS_NS + "SPARQL_Results_TSV",
        (),
        ("tsv",),
        oxigraph_name="TSV",
    ),
)

#: SPARQL results of CONSTRUCT and DESCRIBE: the RDF documents.
GRAPH_FORMATS: dict[str, Format] = RDF_FORMATS

#: Every format, for lists of media types (compressible bodies, the service description).
ALL_FORMATS: tuple[Format, ...] = (*RDF_FORMATS.values(), NQUADS, *TABULAR_FORMATS.values())

#: Media type (and every alias) → RDF format key, for content negotiation of documents.
MEDIA_TYPES: dict[str, str] = {
    media_type: f.key for f in RDF_FORMATS.values() for media_type in f.accepted
}

#: Backwards-compatible name of :class:`Format`.
RdfFormat = Format
ResultFormat = Format


class UnsupportedFormat(ValueError):
    """A format that we do not serialise; the message lists the ones we do."""


def get_format(key_or_media_type: str) -> Format:
    """Look an RDF format up by key (``ttl``) or media type (``text/turtle``).

    :raises UnsupportedFormat: listing the supported formats.
    """
    key = MEDIA_TYPES.get(key_or_media_type, key_or_media_type)
    try:
        return RDF_FORMATS[key]
    except KeyError:
        supported = ", ".join(f"{f.key} ({f.media_type})" for f in RDF_FORMATS.values())
        raise UnsupportedFormat(
            f"unsupported RDF format {key_or_media_type!r}; use one of: {supported}"
        ) from None


def supported_types(kind: str | None = None) -> list[str]:
    """The media types we send for ``kind`` (``tabular``, ``graph``, or both when ``None``)."""
    formats: list[Format] = []
    if kind in (None, "tabular"):
        formats += TABULAR_FORMATS.values()
    if kind in (None, "graph"):
        formats += GRAPH_FORMATS.values()
    return [f.media_type for f in formats]


def kind_of(form: str | None) -> str | None:
    """``tabular`` for SELECT and ASK, ``graph`` for CONSTRUCT and DESCRIBE."""
    if form in ("SELECT", "ASK"):
        return "tabular"
    if form in ("CONSTRUCT", "DESCRIBE"):
        return "graph"
    return None


#: Result formats of ``hamar-graph query`` (:func:`hamar_graph.query.run.format_result`), in
#: the order ``--help`` lists them: tables for SELECT and ASK, RDF for CONSTRUCT and DESCRIBE.
QUERY_FORMATS: tuple[str, ...] = ("table", "json", "csv", "tsv", "xml", *RDF_FORMATS)
