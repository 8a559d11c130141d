"""The one registry of formats and media types.

RDF serialisations (Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads) and SPARQL result
formats (JSON, XML, CSV, TSV): their keys, media types, aliases, file extensions, EU
file-type codes and W3C format IRIs (https://www.w3.org/ns/formats/).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RdfFormat:
    """One RDF serialisation we publish."""

    key: str  #: short name used in ``?format=`` and on the CLI
    media_type: str  #: the exact media type
    rdflib_format: str  #: rdflib's serializer name
    extension: str  #: file extension of dumps
    eu_file_type: str  #: EU file-type authority code
    label: str  #: human name

    @property
    def content_type(self) -> str:
        """``Content-Type`` header value, with charset for text formats."""
        return f"{self.media_type}; charset=utf-8"


RDF_FORMATS: dict[str, RdfFormat] = {
    f.key: f
    for f in (
        RdfFormat("ttl", "text/turtle", "turtle", "ttl", "RDF_TURTLE", "Turtle"),
        RdfFormat("nt", "application/n-triples", "nt", "nt", "RDF_N_TRIPLES", "N-Triples"),
        RdfFormat("jsonld", "application/ld+json", "json-ld", "jsonld", "JSON_LD", "JSON-LD"),
        RdfFormat("rdf", "application/rdf+xml", "xml", "rdf", "RDF_XML", "RDF/XML"),
    )
}


#: Media type (and common aliases) → format key.
MEDIA_TYPES: dict[str, str] = {
    **{f.media_type: f.key for f in RDF_FORMATS.values()},
    "application/x-turtle": "ttl",
    "text/n3": "ttl",
    "text/plain": "nt",
    "application/json": "jsonld",
    "application/xml": "rdf",
    "text/xml": "rdf",
}


class UnsupportedFormat(ValueError):
    """A format that we do not serialise; the message lists the ones we do."""


def get_format(key_or_media_type: str) -> RdfFormat:
    """Look a format up by key (``ttl``) or media type (``text/turtle``).

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


#: N-Quads, published for the complete graph only (it keeps the named graphs).
NQUADS = RdfFormat("nq", "application/n-quads", "nquads", "nq", "RDF_N_QUADS", "N-Quads")


#: Media type of a gzip file (IANA), the ``dcat:compressFormat`` of ``.gz`` dumps.
GZIP_MEDIA_TYPE = "application/gzip"


#: The W3C format IRIs (https://www.w3.org/ns/formats/).
FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class ResultFormat:
    """One serialisation of query results.

    .. versionadded:: 0.1
    """

    key: str  #: short name: ``json``, ``xml``, ``csv``, ``tsv``, ``ttl``, ``nt``, ``jsonld``...
    media_type: str  #: the exact media type we send
    kind: str  #: ``tabular`` (SELECT, ASK) or ``graph`` (CONSTRUCT, DESCRIBE)
    label: str  #: human name
    w3c: str  #: the format's IRI under http://www.w3.org/ns/formats/
    aliases: tuple[str, ...] = ()  #: other media types a client may ask for
    names: tuple[str, ...] = ()  #: values of the ``format`` parameter that choose it

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header: the media type with ``charset=utf-8``."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every media type that selects this format."""
        return (self.media_type, *self.aliases)


TABULAR_FORMATS: dict[str, ResultFormat] = {
    f.key: f
    for f in (
        ResultFormat(
            "json",
            "application/sparql-results+json",
            "tabular",
            "SPARQL Results JSON",
            FORMATS_NS + "SPARQL_Results_JSON",
            ("application/json",),
            ("json", "srj"),
        ),
        ResultFormat(
            "xml",
            "application/sparql-results+xml",
            "tabular",
            "SPARQL Results XML",
            FORMATS_NS + "SPARQL_Results_XML",
            ("application/xml", "text/xml"),
            ("xml", "srx"),
        ),
        ResultFormat(
            "csv", "text/csv", "tabular", "CSV", FORMATS_NS + "SPARQL_Results_CSV", (), ("csv",)
        ),
        ResultFormat(
            "tsv",
            "text/tab-separated-values",
            "tabular",
            "TSV",
            FORMATS_NS + "SPARQL_Results_TSV",
            (),
            ("tsv",),
        ),
    )
}


_GRAPH_EXTRA: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # key: (W3C IRI, aliases, format-parameter names)
    "ttl": (
        FORMATS_NS + "Turtle",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
        ("ttl", "turtle", "n3"),
    ),
    "nt": (
        FORMATS_NS + "N-Triples",
        ("text/plain",),
        ("nt", "ntriples", "n-triples"),
    ),
    "jsonld": (
        FORMATS_NS + "JSON-LD",
        ("application/x-json+ld", "application/json"),
        ("jsonld", "json-ld", "json"),
    ),
    "rdf": (
        FORMATS_NS + "RDF_XML",
        ("application/xml", "text/xml"),
        ("rdf", "rdfxml", "rdf+xml", "xml", "owl"),
    ),
}


GRAPH_FORMATS: dict[str, ResultFormat] = {
    key: ResultFormat(
        key,
        RDF_FORMATS[key].media_type,
        "graph",
        RDF_FORMATS[key].label,
        _GRAPH_EXTRA[key][0],
        _GRAPH_EXTRA[key][1],
        _GRAPH_EXTRA[key][2],
    )
    for key in ("ttl", "nt", "jsonld", "rdf")
}


#: The HTML query page's media types.
HTML_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")


def supported_types(kind: str | None = None) -> list[str]:
    """The media types we send, for 406 messages and the service description."""
    formats: list[ResultFormat] = []
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
