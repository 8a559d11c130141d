"""Dump files, their checksums, and the publication written next to them.

The complete graph is published as Turtle, N-Triples, JSON-LD, RDF/XML and
N-Quads (the quads keep the named graph of each source file), each also
gzipped; the instance data, the ontology and the shapes are published on their
own as Turtle (and gzipped Turtle). File names carry the version:
``hamar-graph-0.1.0.ttl``, ``hamar-graph-0.1.0.ttl.gz``, ``hamar-graph-ontology-0.1.0.ttl``.

Bytes are reproducible: blank nodes get canonical labels
(:func:`rdflib.compare.to_canonical_graph`), serialisations are sorted
(:func:`hamar_graph.rdf.serialize.serialize`) and gzip streams carry ``mtime=0``.
Every file is written atomically and all of them together
(:class:`hamar_graph.rdf.atomic.OutputBatch`), the manifest ``publication.json``
last, so a reader never sees a half-written file or a manifest that names a
missing one.

The catalogue (:mod:`hamar_graph.publication.catalog`) and the VoID description
(:mod:`hamar_graph.publication.void`) describe the dumps (sizes, checksums), so they are not
part of the graph that the dumps and the SPARQL endpoint hold.

Specifications: DCAT 3 distributions, https://www.w3.org/TR/vocab-dcat-3/#Class:Distribution;
DCAT-AP-NO, https://data.norge.no/specification/dcat-ap-no/; VoID data dumps,
https://www.w3.org/TR/void/#dumps.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import Dataset

from hamar_graph.rdf.datasets import union_graph
from hamar_graph.rdf.formats import GZIP_MEDIA_TYPE, NQUADS, RDF_FORMATS, Format
from hamar_graph.rdf.serialize import serialize, serialize_nquads

#: Formats of the complete graph, in the order the catalogue lists them.
FULL_FORMATS: tuple[Format, ...] = (*RDF_FORMATS.values(), NQUADS)
#: Those formats by key.
FORMATS_BY_KEY: dict[str, Format] = {f.key: f for f in FULL_FORMATS}


#: The parts published on their own, and the named graphs each holds.
PARTS: tuple[str, ...] = ("all", "data", "ontology", "shapes")


Progress = Callable[[str], None]


@dataclass(frozen=True)
class DumpFile:
    """One published file: what it holds, and the facts a harvester checks.

    .. versionadded:: 0.1
    """

    name: str  #: file name, also the last segment of its ``/download/`` URL
    part: str  #: ``all``, ``data``, ``ontology`` or ``shapes``
    format_key: str  #: key of the RDF format inside (``ttl``, ``nq`` ...)
    media_type: str  #: IANA media type of the RDF inside
    eu_file_type: str  #: EU file-type authority code of the RDF inside
    format_label: str  #: human name of the format
    compressed: bool  #: gzipped
    size: int  #: bytes of the file as served
    sha256: str  #: lower-case hex SHA-256 of the file as served
    sha1: str  #: lower-case hex SHA-1 (DCAT-AP-NO 2 accepts only SHA-1)

    @property
    def content_type(self) -> str:
        """``Content-Type`` the file is served with."""
        if self.compressed:
            return GZIP_MEDIA_TYPE
        return f"{self.media_type}; charset=utf-8"

    @property
    def download_path(self) -> str:
        """Path of the file relative to the base IRI."""
        return f"download/{self.name}"


def gzip_bytes(data: bytes) -> bytes:
    """Gzip ``data`` reproducibly (no file name, ``mtime=0``)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def dump_name(part: str, fmt: Format, version: str, compressed: bool) -> str:
    """``hamar-graph-0.1.0.ttl``, ``hamar-graph-shapes-0.1.0.ttl.gz`` ..."""
    stem = "hamar-graph" if part == "all" else f"hamar-graph-{part}"
    return f"{stem}-{version}.{fmt.extension}" + (".gz" if compressed else "")


def _describe(name: str, part: str, fmt: Format, compressed: bool, data: bytes) -> DumpFile:
    return DumpFile(
        name=name,
        part=part,
        format_key=fmt.key,
        media_type=fmt.media_type,
        eu_file_type=fmt.eu_file_type,
        format_label=fmt.label,
        compressed=compressed,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
    )


def render_dumps(
    canonical: Dataset, base_iri: str, version: str, progress: Progress | None = None
) -> dict[str, tuple[DumpFile, bytes]]:
    """Serialise every dump of a canonical dataset: name → (description, bytes)."""
    out: dict[str, tuple[DumpFile, bytes]] = {}
    for part in PARTS:
        formats: Iterable[Format] = FULL_FORMATS if part == "all" else (RDF_FORMATS["ttl"],)
        graph = union_graph(canonical, part, base_iri)
        for fmt in formats:
            if progress:
                progress(f"dump {part} as {fmt.label}")
            data = serialize_nquads(canonical) if fmt is NQUADS else serialize(graph, fmt.key)
            for compressed, payload in ((False, data), (True, gzip_bytes(data))):
                name = dump_name(part, fmt, version, compressed)
                out[name] = (_describe(name, part, fmt, compressed, payload), payload)
    return out
