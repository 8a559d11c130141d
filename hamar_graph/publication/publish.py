"""The publication: dumps, catalogues, VoID and the manifest, in memory or in a folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from hamar_graph import __version__
from hamar_graph.config import Settings
from hamar_graph.namespaces import bind_prefixes
from hamar_graph.publication.dumps import (
    DumpFile,
    Progress,
    render_dumps,
)
from hamar_graph.publication.locations import relocate
from hamar_graph.publication.release import (
    PublicationMeta,
    dataset_from_store,
    store_release,
)
from hamar_graph.rdf.atomic import OutputBatch
from hamar_graph.rdf.datasets import canonical_dataset, union_graph
from hamar_graph.store.oxigraph import OxigraphStore

#: The one manifest, written last next to the dumps (by ``build`` or :func:`write_publication`).
MANIFEST = "publication.json"


#: Catalogue profiles: key → (file name, profile IRI). See :mod:`hamar_graph.publication.catalog`.
CATALOG_FILES: dict[str, str] = {
    "dcat-ap": "catalog.ttl",
    "dcat-ap-no": "catalog-dcat-ap-no.ttl",
}


VOID_FILE = "void.ttl"


def describes(graph: Graph, key: str) -> bool:
    """Whether ``graph``, the catalogue of profile ``key`` or the VoID (``"void"``), holds
    the node its page and its harvesters start from (a ``dcat:Catalog``, a
    ``void:DatasetDescription``): not so in a build output whose file is empty."""
    from rdflib.namespace import DCAT, RDF, VOID

    root = VOID.DatasetDescription if key == "void" else DCAT.Catalog
    return any(True for _ in graph.subjects(RDF.type, root))


def description_file(key: str) -> str:
    """The file of the catalogue of profile ``key``, or of the VoID (``"void"``)."""
    return VOID_FILE if key == "void" else CATALOG_FILES[key]


#: Relocated catalogues and VoID kept per publication (see :meth:`Publication.located`).
LOCATED_CACHE = 16


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
    #: Files published beside the dumps that are not RDF dumps (``plan.json``):
    #: name → SHA-256.
    extras: dict[str, str] = field(default_factory=dict)
    #: What ``build`` counted (triples, graphs, classes, validation), when it wrote this.
    build: dict[str, Any] | None = None
    _located: dict[tuple[str, str], Graph] = field(default_factory=dict, repr=False)

    def read_extra(self, name: str) -> bytes | None:
        """The bytes of extra file ``name``, when the publication has it."""
        if name not in self.extras:
            return None
        if name in self.blobs:
            return self.blobs[name]
        if self.directory is None:
            return None
        try:
            data = (self.directory / name).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == self.extras[name] else None

    def located(self, key: str, public_url: str) -> Graph:
        """The catalogue of profile ``key`` (or VoID, ``key="void"``) with its locations under
        ``public_url`` (:func:`~hamar_graph.publication.locations.relocate`); identifiers,
        sizes and checksums are those of the files. Kept for the last few URLs asked for.
        """
        graph = self.void if key == "void" else self.catalogs[key]
        if public_url == self.meta.location:
            return graph
        cached = self._located.get((key, public_url))
        if cached is None:
            cached = relocate(graph, self.meta.location, public_url)
            if len(self._located) >= LOCATED_CACHE:
                self._located.clear()  # a few hosts at most; never grow without bound
            self._located[(key, public_url)] = cached
        return cached

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
    from hamar_graph.publication import catalog, void

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
        public_url=settings.public_url or settings.base_iri,
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


def _manifest(pub: Publication) -> dict[str, Any]:
    meta = asdict(pub.meta)
    meta["issued"] = pub.meta.issued.isoformat()
    meta["modified"] = pub.meta.modified.isoformat()
    doc: dict[str, Any] = {"meta": meta, "files": [asdict(f) for f in pub.files]}
    if pub.extras:
        doc["extras"] = dict(sorted(pub.extras.items()))
    if pub.build is not None:
        doc["build"] = pub.build
    return doc


def with_extras(
    pub: Publication, extras: dict[str, bytes], build: dict[str, Any] | None = None
) -> Publication:
    """``pub`` with extra files (such as ``plan.json``) and ``build``'s counts."""
    pub.blobs.update(extras)
    pub.extras.update({name: hashlib.sha256(data).hexdigest() for name, data in extras.items()})
    pub.build = build
    return pub


def publication_files(pub: Publication) -> dict[str, bytes]:
    """Every file of an in-memory publication, name → bytes, in the order to write them.

    The dumps come first, then the catalogues, the VoID description and the extra
    files, and the one manifest last, so that a reader who finds the manifest finds
    every file it names.
    """
    from hamar_graph.rdf.serialize import serialize_description

    files = {name: data for name, data in pub.blobs.items() if name not in pub.extras}
    for profile, file_name in CATALOG_FILES.items():
        files[file_name] = serialize_description(pub.catalogs[profile], "ttl")
    files[VOID_FILE] = serialize_description(pub.void, "ttl")
    for name in sorted(pub.extras):
        files[name] = pub.blobs[name]
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
    :param batch: ``build``'s :class:`~hamar_graph.rdf.atomic.OutputBatch`: the files are
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
            public_url=str(raw.get("public_url") or raw["base_iri"]),
        )
        files = tuple(DumpFile(**f) for f in manifest["files"])
        extras = {str(k): str(v) for k, v in manifest.get("extras", {}).items()}
        build = manifest.get("build")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
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
    return Publication(meta, files, catalogs, void_graph, directory=out, extras=extras, build=build)
