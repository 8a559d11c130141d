"""Build the graph: assemble, validate, and write the publication and the store, once.

:func:`~hamar_graph.build.assembly.assemble` turns ``ontology/``, ``data/`` and
``shapes/`` into one Dataset (one named graph per file, plus ``{base}graph/derived``);
:func:`build` validates it with SHACL, renders the publication once
(:func:`hamar_graph.publication.publish.make_publication`: every dump, the catalogues,
VoID) and writes it with the plan's gaps and the persistent Oxigraph store. Nothing is
written when a step fails, and everything is replaced together, so the previous
output stays whole until the new one is complete.

The output folder::

    {out_dir}/hamar-graph-{version}.ttl     Turtle      (union of all graphs)
    {out_dir}/hamar-graph-{version}.nt      N-Triples   (union, sorted lines)
    {out_dir}/hamar-graph-{version}.jsonld  JSON-LD     (union)
    {out_dir}/hamar-graph-{version}.rdf     RDF/XML     (union)
    {out_dir}/hamar-graph-{version}.nq      N-Quads     (named graphs kept, sorted lines)
    {out_dir}/*.gz, hamar-graph-{data,ontology,shapes}-{version}.ttl   the other dumps
    {out_dir}/catalog.ttl, catalog-dcat-ap-no.ttl, void.ttl           the descriptions
    {out_dir}/plan.json                     the plan's gaps (SHACL S80–S83), for the pages
    {out_dir}/pages.sqlite                  the pages' database: search index, index lists,
                                            strategies and gaps (hamar_graph.build.pages_db)
    {out_dir}/store/                        persistent Oxigraph store, opened read-only by serve
    {out_dir}/publication.json              the one manifest: version, counts, every file

The same sources give the same bytes in every file except the store. What the build
adds to the sources (derived triples, skolem IRIs, engine literals) is in
:mod:`hamar_graph.build.derive`.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset

from hamar_graph import __version__
from hamar_graph.build.assembly import (
    BuildError,
    Progress,
    _say,
    assemble,
    class_counts,
    derived_graph_name,
)
from hamar_graph.build.completeness import PLAN_FILE, PlanGaps, plan_gaps
from hamar_graph.build.pages_db import PAGES_FILE, pages_db_bytes
from hamar_graph.build.report import ValidationReport
from hamar_graph.build.validate import validate_dataset
from hamar_graph.config import Settings
from hamar_graph.publication.dumps import dump_name
from hamar_graph.publication.publish import (
    MANIFEST,
    Publication,
    make_publication,
    publication_files,
    with_extras,
)
from hamar_graph.rdf.atomic import OutputBatch
from hamar_graph.rdf.datasets import union_graph
from hamar_graph.rdf.formats import NQUADS, RDF_FORMATS
from hamar_graph.store.base import counts_fingerprint
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
    manifest_path: Path  #: ``publication.json``, the one manifest
    validated: bool  #: the graph was validated with SHACL (always, since 0.2)
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

    def manifest_section(self) -> dict[str, Any]:
        """What the manifest records of the build (no paths, no timestamps)."""
        return {
            "triples": self.triples,
            "quads": self.quads,
            "derived": self.derived,
            "validated": self.validated,
            "warnings": self.warnings,
            "graphs": self.graphs,
            "classes": self.classes,
            "store": self.store_path.name,
        }


def _validate(dataset: Dataset, settings: Settings, progress: Progress | None) -> ValidationReport:
    """Run SHACL validation; raise :class:`BuildError` on any Violation."""
    _say(progress, "validating with SHACL (shapes/)")
    report = validate_dataset(dataset, settings)
    # Only Violations stop the build: Warnings report the plan's own gaps.
    violations = list(report.violations)
    if violations:
        raise BuildError(
            f"validation found {len(violations)} Violation(s); nothing was written:",
            [str(v) for v in violations],
        )
    _say(
        progress,
        f"validation: no Violation ({len(report.warnings)} warning(s) about the plan's gaps)",
    )
    return report


def dump_path(settings: Settings, extension: str) -> Path:
    """``{out_dir}/hamar-graph-{version}.{extension}``."""
    return settings.out_dir / f"hamar-graph-{__version__}.{extension}"


def build(settings: Settings, progress: Progress | None = None) -> BuildResult:
    """Assemble, validate and write every output (see the module docstring for the layout).

    The publication is rendered once, in memory; then every file is written to a
    temporary file in the output folder and flushed to disk, and the store is built in
    a temporary folder (:class:`hamar_graph.rdf.atomic.OutputBatch`). Only when all of
    them are complete are they renamed over the old ones, the manifest last; a failure
    before that (disk full, folder unwritable) removes what was staged and leaves the
    old output as it was.

    :param settings: ``source_dir``, ``base_iri`` and ``out_dir`` are used.
    :param progress: called with one line per step (parsing each file, checking terms,
        validating, each dump, writing each file).
    :raises BuildError: on a parse error, an undeclared term or a SHACL Violation; the
        output folder is then left untouched.

    .. versionadded:: 0.1
    """
    dataset = assemble(settings, progress)
    report = _validate(dataset, settings, progress)
    pub = make_publication(dataset, settings, progress)
    result = _result(settings, dataset, pub, report)
    gaps = plan_gaps(report, dataset)
    pages = _pages_db(dataset, settings, pub, gaps, progress)
    with_extras(pub, {PLAN_FILE: gaps.to_json(), PAGES_FILE: pages}, result.manifest_section())
    with OutputBatch(settings.out_dir) as batch:
        _say(progress, f"writing the Oxigraph store {result.store_path}")
        batch.add_dir(result.store_path.name, lambda tmp: _fill_store(dataset, tmp))
        for name, data in publication_files(pub).items():
            _say(progress, f"writing {settings.out_dir / name}")
            batch.add(name, data)
        batch.commit()
    pub.directory = settings.out_dir
    return result


def _pages_db(
    dataset: Dataset,
    settings: Settings,
    pub: Publication,
    gaps: PlanGaps,
    progress: Progress | None,
) -> bytes:
    """The pages' database (:mod:`hamar_graph.build.pages_db`) of the data as served,
    valid under the manifest's data version and under the one a remote engine holding
    the same graphs gives (its triple counts)."""
    served = OxigraphStore()
    served.load(dataset)
    versions = [pub.meta.data_version, f"{__version__}+{counts_fingerprint(served)[:12]}"]
    return pages_db_bytes(
        served, settings.base_iri, gaps, data_versions=versions, progress=progress
    )


def _result(
    settings: Settings, dataset: Dataset, pub: Publication, report: ValidationReport
) -> BuildResult:
    graphs = {
        str(g.identifier): len(g)
        for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier))
        if len(g)
    }
    union = union_graph(dataset)
    formats = {**RDF_FORMATS, NQUADS.key: NQUADS}
    files = {
        key: settings.out_dir / dump_name("all", fmt, __version__, compressed=False)
        for key, fmt in formats.items()
    }
    return BuildResult(
        version=__version__,
        triples=len(union),
        quads=sum(graphs.values()),
        derived=len(dataset.graph(derived_graph_name(settings))),
        graphs=graphs,
        classes=class_counts(union, settings.base_iri),
        files=files,
        store_path=settings.out_dir / "store",
        manifest_path=settings.out_dir / MANIFEST,
        validated=True,
        warnings=len(report.warnings),
        sha256={f.name: f.sha256 for f in pub.files},
    )


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
