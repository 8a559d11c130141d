"""Dump files, their checksums, and the publication written next to them.

The complete graph is published as Turtle, N-Triples, JSON-LD, RDF/XML and
N-Quads (the quads keep the named graph of each source file), each also
gzipped; the instance data, the ontology and the shapes are published on their
own as Turtle (and gzipped Turtle). File names carry the version:
``hamar-graph-0.1.0.ttl``, ``hamar-graph-0.1.0.ttl.gz``, ``hamar-graph-ontology-0.1.0.ttl``.

Bytes are reproducible: blank nodes get canonical labels
(:func:`rdflib.compare.to_canonical_graph`), serialisations are sorted
(:func:`hamar_graph.export.serialize`) and gzip streams carry ``mtime=0``.
Every file is written atomically and all of them together
(:class:`hamar_graph.atomic.OutputBatch`), the manifest ``publication.json``
last, so a reader never sees a half-written file or a manifest that names a
missing one.

The catalogue (:mod:`hamar_graph.catalog`) and the VoID description
(:mod:`hamar_graph.void`) describe the dumps (sizes, checksums), so they are not
part of the graph that the dumps and the SPARQL endpoint hold.

Specifications: DCAT 3 distributions, https://www.w3.org/TR/vocab-dcat-3/#Class:Distribution;
DCAT-AP-NO, https://data.norge.no/specification/dcat-ap-no/; VoID data dumps,
https://www.w3.org/TR/void/#dumps.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, OWL, RDF
from rdflib.term import Node

from hamar_graph import __version__
from hamar_graph.atomic import OutputBatch
from hamar_graph.build import serialize_nquads
from hamar_graph.config import Settings
from hamar_graph.export import RDF_FORMATS, RdfFormat, serialize
from hamar_graph.namespaces import bind_prefixes, sparql_prologue
from hamar_graph.store import OxigraphStore, Store

#: N-Quads, published for the complete graph only (it keeps the named graphs).
NQUADS = RdfFormat("nq", "application/n-quads", "nquads", "nq", "RDF_N_QUADS", "N-Quads")

#: Formats of the complete graph, in the order the catalogue lists them.
FULL_FORMATS: tuple[RdfFormat, ...] = (*RDF_FORMATS.values(), NQUADS)

#: The parts published on their own, and the named graphs each holds.
PARTS: tuple[str, ...] = ("all", "data", "ontology", "shapes")

#: Media type of a gzip file (IANA), the ``dcat:compressFormat`` of ``.gz`` dumps.
GZIP_MEDIA_TYPE = "application/gzip"

#: The manifest written next to the dumps by :func:`write_publication`.
MANIFEST = "publication.json"

#: Catalogue profiles: key → (file name, profile IRI). See :mod:`hamar_graph.catalog`.
CATALOG_FILES: dict[str, str] = {
    "dcat-ap": "catalog.ttl",
    "dcat-ap-no": "catalog-dcat-ap-no.ttl",
}
VOID_FILE = "void.ttl"

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


@dataclass
class Publication:
    """The dumps with their catalogue and VoID, in memory or in a folder.

    .. versionadded:: 0.1
    """

    meta: PublicationMeta
    files: tuple[DumpFile, ...]
    catalogs: dict[str, Graph]
    void: Graph
    directory: Path | None = None
    blobs: dict[str, bytes] = field(default_factory=dict, repr=False)

    def file(self, name: str) -> DumpFile | None:
        """The dump called ``name``, or ``None``."""
        return next((f for f in self.files if f.name == name), None)

    def read(self, name: str) -> bytes:
        """The bytes of dump ``name``.

        :raises KeyError: when no such dump is published.
        """
        if self.file(name) is None:
            raise KeyError(name)
        if name in self.blobs:
            return self.blobs[name]
        assert self.directory is not None
        return (self.directory / name).read_bytes()


# --- the graph, canonical and split ----------------------------------------------------


def part_of(graph_name: Node, base_iri: str) -> str:
    """The published part a named graph belongs to: ``ontology``, ``shapes`` or ``data``."""
    name = str(graph_name)
    if name.startswith(f"{base_iri}graph/ontology-"):
        return "ontology"
    if name.startswith(f"{base_iri}graph/shapes-"):
        return "shapes"
    return "data"


def canonical_dataset(dataset: Dataset) -> Dataset:
    """A copy of ``dataset`` whose blank nodes have reproducible labels.

    :func:`hamar_graph.build.assemble` already replaces blank nodes by skolem IRIs;
    this keeps the dumps reproducible for a store filled some other way. Each named
    graph is canonicalised on its own (blank nodes of one source file are never
    shared with another), and its labels get a prefix made from the graph name so
    that equal labels of two graphs cannot merge.
    """
    out = Dataset()
    bind_prefixes(out)  # type: ignore[arg-type]
    for graph in dataset.graphs():
        if len(graph) == 0:
            continue
        if not any(isinstance(n, BNode) for t in graph for n in t):
            target = out.graph(graph.identifier)
            for triple in graph:
                target.add(triple)
            continue
        prefix = "b" + hashlib.sha256(str(graph.identifier).encode()).hexdigest()[:6]
        target = out.graph(graph.identifier)
        for triple in to_canonical_graph(graph):
            target.add(
                tuple(  # type: ignore[arg-type]
                    BNode(f"{prefix}{t[2:26]}") if isinstance(t, BNode) else t for t in triple
                )
            )
    return out


def union_graph(dataset: Dataset, part: str = "all", base_iri: str = "") -> Graph:
    """The distinct triples of ``dataset`` (or of one part of it) as one Graph."""
    graph = bind_prefixes(Graph())
    for g in dataset.graphs():
        if part == "all" or part_of(g.identifier, base_iri) == part:
            for triple in g:
                graph.add(triple)
    return graph


def gzip_bytes(data: bytes) -> bytes:
    """Gzip ``data`` reproducibly (no file name, ``mtime=0``)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def content_digest(store: Store) -> str:
    """SHA-256 (hex) of the store's quads: the sorted lines of Oxigraph's N-Quads dump.

    Cheap (milliseconds) on an :class:`~hamar_graph.store.OxigraphStore`. A remote
    engine is not copied (a million triples over HTTP would take minutes): its
    fingerprint is the SHA-256 of its named graphs' triple counts, one aggregate
    query, so a reload that changes any graph's size changes the version. Blank-node
    labels are not stable, so a store holding blank nodes is hashed over its
    canonical N-Quads instead (:func:`canonical_dataset`); the build replaces blank
    nodes by skolem IRIs.
    """
    if not isinstance(store, OxigraphStore):
        counts = store.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        text = "\n".join(f"{row['g']}\t{row['n']}" for row in counts)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    dump = store.native.dump(format=ox.RdfFormat.N_QUADS)
    lines = sorted(line for line in dump.splitlines() if line.strip())
    if any(b"_:" in line for line in lines):
        return hashlib.sha256(
            serialize_nquads(canonical_dataset(dataset_from_store(store)))
        ).hexdigest()
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


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
    """Read every quad of ``store`` (its named graphs) into an rdflib Dataset."""
    dataset = Dataset()
    bind_prefixes(dataset)  # type: ignore[arg-type]
    rows = store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    for row in rows:
        dataset.graph(row["g"]).add((row["s"], row["p"], row["o"]))  # type: ignore[arg-type]
    return dataset


# --- metadata from the data ------------------------------------------------------------


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
    return Release(f"{version}+{content_digest(store)[:12]}", issued, modified)


# --- rendering -------------------------------------------------------------------------


def dump_name(part: str, fmt: RdfFormat, version: str, compressed: bool) -> str:
    """``hamar-graph-0.1.0.ttl``, ``hamar-graph-shapes-0.1.0.ttl.gz`` ..."""
    stem = "hamar-graph" if part == "all" else f"hamar-graph-{part}"
    return f"{stem}-{version}.{fmt.extension}" + (".gz" if compressed else "")


def _describe(name: str, part: str, fmt: RdfFormat, compressed: bool, data: bytes) -> DumpFile:
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
        formats: Iterable[RdfFormat] = FULL_FORMATS if part == "all" else (RDF_FORMATS["ttl"],)
        graph = union_graph(canonical, part, base_iri)
        for fmt in formats:
            if progress:
                progress(f"dump {part} as {fmt.label}")
            data = serialize_nquads(canonical) if fmt is NQUADS else serialize(graph, fmt.key)
            for compressed, payload in ((False, data), (True, gzip_bytes(data))):
                name = dump_name(part, fmt, version, compressed)
                out[name] = (_describe(name, part, fmt, compressed, payload), payload)
    return out


def make_publication(
    dataset: Dataset, settings: Settings, progress: Progress | None = None
) -> Publication:
    """Render the whole publication in memory: dumps, catalogues, VoID.

    The dumps are made from the data as the query engine serves it
    (:func:`served_form`), so that they are isomorphic to the endpoint's answers.

    :param dataset: the graph (one named graph per source file).
    :param settings: the base IRI comes from here, the version from :data:`__version__`.
    :param progress: called with a short message before each step.

    .. versionadded:: 0.1
    """
    from hamar_graph import catalog, void  # imported here: both import this module

    served = OxigraphStore()
    served.load(dataset)
    release = store_release(served)
    canonical = canonical_dataset(dataset_from_store(served))
    meta = PublicationMeta(
        base_iri=settings.base_iri,
        version=__version__,
        data_version=release.data_version,
        issued=release.issued,
        modified=release.modified,
        triples=len(union_graph(canonical)),
    )
    rendered = render_dumps(canonical, settings.base_iri, __version__, progress)
    files = tuple(f for f, _ in rendered.values())
    if progress:
        progress("catalogue and VoID")
    catalogs = {p: catalog.build_catalog(canonical, files, meta, p) for p in CATALOG_FILES}
    return Publication(
        meta=meta,
        files=files,
        catalogs=catalogs,
        void=void.build_void(canonical, files, meta),
        blobs={name: data for name, (_, data) in rendered.items()},
    )


# --- writing and reading a folder ------------------------------------------------------


def _manifest(pub: Publication) -> dict[str, Any]:
    meta = asdict(pub.meta)
    meta["issued"] = pub.meta.issued.isoformat()
    meta["modified"] = pub.meta.modified.isoformat()
    return {"meta": meta, "files": [asdict(f) for f in pub.files]}


def publication_files(pub: Publication) -> dict[str, bytes]:
    """Every file of an in-memory publication, name → bytes, in the order to write them.

    The dumps come first, then the catalogues and the VoID description, and the
    manifest last, so that a reader who finds the manifest finds every file it names.
    """
    from hamar_graph.catalog import serialize_description

    files = dict(pub.blobs)
    for profile, file_name in CATALOG_FILES.items():
        files[file_name] = serialize_description(pub.catalogs[profile], "ttl")
    files[VOID_FILE] = serialize_description(pub.void, "ttl")
    files[MANIFEST] = (json.dumps(_manifest(pub), indent=2, sort_keys=True) + "\n").encode()
    return files


def write_publication(
    dataset: Dataset,
    settings: Settings,
    progress: Progress | None = None,
    batch: OutputBatch | None = None,
) -> Publication:
    """Write dumps, catalogues, VoID and the manifest into ``settings.out_dir``.

    :param dataset: the graph as served (``build`` passes what it loads into the store).
    :param settings: ``out_dir`` and ``base_iri`` are used.
    :param progress: called with a short message before each step.
    :param batch: ``build``'s :class:`~hamar_graph.atomic.OutputBatch`: the files are
        staged in it and appear when ``build`` commits. Without it the files are
        staged in a batch of their own and committed together: all of them, or none.
    :returns: the publication (its bytes stay in memory).

    .. versionadded:: 0.1
    """
    pub = make_publication(dataset, settings, progress)
    files = publication_files(pub)
    if batch is not None:
        for name, data in files.items():
            batch.add(name, data)
    else:
        with OutputBatch(settings.out_dir) as own:
            for name, data in files.items():
                own.add(name, data)
            own.commit()
    if progress:
        progress(f"publication: {len(pub.files)} dump files, catalogues and VoID")
    pub.directory = settings.out_dir
    return pub


def load_publication(settings: Settings) -> Publication | None:
    """The publication that ``build`` wrote into ``settings.out_dir``, if it is usable.

    Usable means: the manifest exists, was written by this version for this base
    IRI, and every file it names is there with the size it states.
    """
    out = settings.out_dir
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        raw = manifest["meta"]
        meta = PublicationMeta(
            base_iri=raw["base_iri"],
            version=raw["version"],
            data_version=raw["data_version"],
            issued=dt.date.fromisoformat(raw["issued"]),
            modified=dt.date.fromisoformat(raw["modified"]),
            triples=int(raw["triples"]),
        )
        files = tuple(DumpFile(**f) for f in manifest["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if meta.version != __version__ or meta.base_iri != settings.base_iri:
        return None
    for f in files:
        path = out / f.name
        if not path.is_file() or path.stat().st_size != f.size:
            return None
    try:
        catalogs = {
            p: bind_prefixes(Graph()).parse(out / name, format="turtle")
            for p, name in CATALOG_FILES.items()
        }
        void_graph = bind_prefixes(Graph()).parse(out / VOID_FILE, format="turtle")
    except (OSError, ValueError):
        return None
    return Publication(meta, files, catalogs, void_graph, directory=out)
