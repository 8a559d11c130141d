"""Build the graph: parse the sources, check terms, derive, validate and write the outputs.

:func:`assemble` turns ``ontology/``, ``data/`` and ``shapes/`` into one Dataset
(one named graph per file, plus ``{base}graph/derived``); :func:`build` also
validates it and writes the dumps, the N-Quads file, the persistent Oxigraph
store and ``build.json`` to the output folder. Nothing is written when a step
fails, and every file is replaced atomically, so the previous output stays
whole until the new one is complete.

The output folder::

    {out_dir}/hamar-graph-{version}.ttl     Turtle      (union of all graphs)
    {out_dir}/hamar-graph-{version}.nt      N-Triples   (union, sorted lines)
    {out_dir}/hamar-graph-{version}.jsonld  JSON-LD     (union)
    {out_dir}/hamar-graph-{version}.rdf     RDF/XML     (union)
    {out_dir}/hamar-graph-{version}.nq      N-Quads     (named graphs kept, sorted lines)
    {out_dir}/store/                        persistent Oxigraph store, opened read-only by serve
    {out_dir}/build.json                    version, counts, sha256 of every file

When :mod:`hamar_graph.dumps` is installed, the publication (gzipped and per-part
dumps, catalogues, VoID, ``publication.json``) is staged in the same batch. The same
sources give the same bytes in every file except the store. What the build adds to
the sources (derived triples, skolem IRIs, engine literals) is in
:mod:`hamar_graph.derive`.
"""

from __future__ import annotations

import gc
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from hamar_graph import __version__
from hamar_graph.build.assembly import (
    BuildError,
    Progress,
    _say,
    assemble,
    class_counts,
    derived_graph_name,
)
from hamar_graph.build.validate import validate_dataset
from hamar_graph.config import Settings
from hamar_graph.publication.publish import write_publication
from hamar_graph.rdf.atomic import OutputBatch
from hamar_graph.rdf.datasets import union_graph
from hamar_graph.rdf.formats import RDF_FORMATS
from hamar_graph.rdf.serialize import serialize, serialize_nquads
from hamar_graph.store.oxigraph import OxigraphStore


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` wrote and counted.

    .. versionadded:: 0.1
    """

    version: str  #: the package version in the file names
    triples: int  #: triples in the union graph
    quads: int  #: quads over all named graphs
    derived: int  #: triples in ``{base}graph/derived``
    graphs: dict[str, int]  #: named graph IRI → triples
    classes: dict[str, int]  #: prefixed class name → resources typed with it (sorted)
    files: dict[str, Path]  #: format key (ttl, nt, jsonld, rdf, nq) → dump path
    store_path: Path  #: the persistent Oxigraph store
    manifest_path: Path  #: ``build.json``
    validated: bool  #: False only while :mod:`hamar_graph.validate` does not exist
    warnings: int = 0  #: SHACL results below Violation
    sha256: dict[str, str] = field(default_factory=dict)  #: file name → hex digest

    def summary_lines(self) -> list[str]:
        """The build summary: triples and resources per class, sorted by class name."""
        width = max((len(c) for c in self.classes), default=0)
        lines = [
            f"triples: {self.triples} ({self.quads} quads in {len(self.graphs)} named graphs, "
            f"{self.derived} derived)",
            "resources per class:",
        ]
        lines += [f"  {name.ljust(width)}  {count:>5}" for name, count in self.classes.items()]
        return lines


def _validate(dataset: Dataset, settings: Settings, progress: Progress | None) -> tuple[bool, int]:
    """Run SHACL validation; raise :class:`BuildError` on any Violation.

    :return: (validated, number of results below Violation).
    """
    _say(progress, "validating with SHACL (shapes/)")
    report = validate_dataset(dataset, settings)
    # Only Violations stop the build: Warnings report the plan's own gaps (issue 3).
    violations = list(report.violations)
    if violations:
        raise BuildError(
            f"validation found {len(violations)} Violation(s); nothing was written:",
            [str(v) for v in violations],
        )
    warnings = getattr(report, "warnings", None)
    count = len(list(warnings)) if warnings is not None else 0
    _say(progress, f"validation: no Violation ({count} warning(s) about the plan's gaps)")
    return True, count


def dump_path(settings: Settings, extension: str) -> Path:
    """``{out_dir}/hamar-graph-{version}.{extension}``."""
    return settings.out_dir / f"hamar-graph-{__version__}.{extension}"


def build(settings: Settings, progress: Progress | None = None) -> BuildResult:
    """Assemble, validate and write every output (see the module docstring for the layout).

    Everything is serialised in memory first; then every file is written to a temporary
    file in the output folder and flushed to disk, and the store is built in a temporary
    folder (:class:`hamar_graph.atomic.OutputBatch`). Only when all of them are complete
    are they renamed over the old ones, ``build.json`` last; a failure before that (disk
    full, folder unwritable) removes what was staged and leaves the old output as it was.

    :param settings: ``source_dir``, ``base_iri`` and ``out_dir`` are used.
    :param progress: called with one line per step (parsing each file, checking terms,
        validating, writing each file).
    :raises BuildError: on a parse error, an undeclared term or a SHACL Violation; the
        output folder is then left untouched.

    .. versionadded:: 0.1
    """
    dataset = assemble(settings, progress)
    validated, warnings = _validate(dataset, settings, progress)
    union = union_graph(dataset)
    payloads: dict[str, bytes] = {}
    for key, fmt in RDF_FORMATS.items():
        _say(progress, f"serialising {fmt.label}")
        payloads[key] = serialize(union, key)
    payloads["nq"] = serialize_nquads(dataset)

    # Every output is staged first and renamed into place only when all are complete
    # (hamar_graph.atomic): a failure (disk full, folder read-only) leaves the previous
    # output whole and consistent, never new dumps next to an old build.json.
    batch = OutputBatch(settings.out_dir)
    files: dict[str, Path] = {}
    with batch:
        for key, data in payloads.items():
            extension = RDF_FORMATS[key].extension if key in RDF_FORMATS else key
            path = dump_path(settings, extension)
            _say(progress, f"writing {path}")
            files[key] = batch.add(path.name, data)
        store_path = settings.out_dir / "store"
        _say(progress, f"writing the Oxigraph store {store_path}")
        batch.add_dir(store_path.name, lambda tmp: _fill_store(dataset, tmp))
        _publish(dataset, settings, progress, batch, files, payloads)
        result = _result(
            settings, dataset, union, payloads, files, store_path, (validated, warnings)
        )
        _say(progress, f"writing {result.manifest_path}")
        batch.add(result.manifest_path.name, manifest(result, settings, payloads))
        batch.commit()
    return result


def _publish(
    dataset: Dataset,
    settings: Settings,
    progress: Progress | None,
    batch: OutputBatch,
    files: dict[str, Path],
    payloads: dict[str, bytes],
) -> None:
    """Stage the publication (gzipped and partial dumps, catalogues, VoID) in ``batch``.

    :mod:`hamar_graph.dumps` (issue 6) renders the same full-graph dumps as build, with
    the same serialiser, and its catalogue states their checksums; a difference would
    publish a catalogue that contradicts ``build.json``, so it stops the build.
    """
    publication = write_publication(dataset, settings, progress, batch)
    for key, path in files.items():
        published = publication.file(path.name)
        if published is not None and published.sha256 != hashlib.sha256(payloads[key]).hexdigest():
            raise BuildError(
                f"the publication's {path.name} differs from the dump build wrote; nothing "
                "was written (hamar_graph.dumps and hamar_graph.build must serialise alike)"
            )


def _result(
    settings: Settings,
    dataset: Dataset,
    union: Graph,
    payloads: dict[str, bytes],
    files: dict[str, Path],
    store_path: Path,
    validation: tuple[bool, int],
) -> BuildResult:

    graphs = {
        str(g.identifier): len(g)
        for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier))
        if len(g)
    }
    sha = {p.name: hashlib.sha256(payloads[k]).hexdigest() for k, p in files.items()}
    return BuildResult(
        version=__version__,
        triples=len(union),
        quads=sum(graphs.values()),
        derived=len(dataset.graph(derived_graph_name(settings))),
        graphs=graphs,
        classes=class_counts(union, settings.base_iri),
        files=files,
        store_path=store_path,
        manifest_path=settings.out_dir / "build.json",
        validated=validation[0],
        warnings=validation[1],
        sha256=sha,
    )


def manifest(
    result: BuildResult, settings: Settings, payloads: dict[str, bytes] | None = None
) -> bytes:
    """``build.json``: version, base IRI, counts and the sha256 of every dump (no timestamp).

    :param payloads: the dumps' bytes by format key, when they are not in place yet
        (sizes are then taken from them rather than from the files).
    """
    doc = {
        "version": result.version,
        "base_iri": settings.base_iri,
        "triples": result.triples,
        "quads": result.quads,
        "derived": result.derived,
        "validated": result.validated,
        "graphs": result.graphs,
        "classes": result.classes,
        "files": {
            p.name: {
                "format": k,
                "bytes": len(payloads[k]) if payloads else p.stat().st_size,
                "sha256": result.sha256[p.name],
            }
            for k, p in result.files.items()
        },
        "store": result.store_path.name,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def write_store(dataset: Dataset, target: Path) -> None:
    """Write ``dataset`` as a persistent Oxigraph store at ``target``, replacing it whole.

    The new store is built in a temporary folder next to ``target``; only when it is
    complete and closed is the old store moved aside and the new one renamed into place,
    then the old one is deleted. A failure leaves the old store as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with OutputBatch(target.parent) as batch:
        batch.add_dir(target.name, lambda tmp: _fill_store(dataset, tmp))
        batch.commit()


def _fill_store(dataset: Dataset, folder: Path) -> None:
    """Load ``dataset`` into a new persistent Oxigraph store in ``folder`` and close it."""
    folder.chmod(0o755)  # a temporary folder is private; the store is read by `serve`
    store = OxigraphStore(folder)
    store.load(dataset)
    del store
    gc.collect()  # close RocksDB before the folder is renamed
