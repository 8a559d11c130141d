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

The same sources give the same bytes in every file except the store.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from hamar_graph import __version__
from hamar_graph.config import Settings
from hamar_graph.export import RDF_FORMATS, serialize
from hamar_graph.namespaces import bind_prefixes
from hamar_graph.sources import SourceError, load_sources, source_files
from hamar_graph.store import OxigraphStore
from hamar_graph.terms import find_undeclared, prefixed_name

#: Called with one line of progress per step.
Progress = Callable[[str], None]

#: Source folders whose classes and predicates must be declared.
CHECKED_FOLDERS: tuple[str, ...] = ("ontology", "data", "shapes")


class BuildError(Exception):
    """The build cannot go on; ``str()`` says why (file and line where known).

    :param problems: one line per problem (parse error, undeclared term, violation).
    """

    def __init__(self, summary: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        lines = [summary, *(f"  {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


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


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


# --- assemble -----------------------------------------------------------------------------


def assemble(settings: Settings, progress: Progress | None = None) -> Dataset:
    """Load, check and complete the sources: the graph that is validated, served and dumped.

    1. Parse every ``*.ttl`` of ``ontology/``, ``data/`` and ``shapes/`` into its own
       named graph ``{base}graph/{folder}-{stem}``.
    2. Check that every class and predicate used is declared (:mod:`hamar_graph.terms`).
    3. Replace blank nodes from the sources, if any, by skolem IRIs
       ``{base}.well-known/genid/{hash}`` derived from their content, so the dumps are
       byte-identical across runs.
    4. Add ``{base}graph/derived``: ``rdfs:label`` for every ``skos:prefLabel``, and the
       inverse of every link whose property has an ``owl:inverseOf`` in ``ontology/``.
       Nothing else is derived, and nothing that the sources already state.

    :param settings: ``source_dir`` and ``base_iri`` are used.
    :param progress: called with one line per step.
    :raises BuildError: on a parse error (file and line) or an undeclared term (name, file
        and line).
    """
    try:
        dataset = load_sources(settings, progress=progress)
    except SourceError as exc:
        raise BuildError(f"cannot parse the sources: {exc}") from exc
    files = source_files(settings)
    _say(progress, "checking that every class and predicate is declared")
    graphs = {f.path: dataset.graph(f.graph) for f in files}
    ontology = [dataset.graph(f.graph) for f in files if f.folder == "ontology"]
    checked = {f.path: graphs[f.path] for f in files if f.folder in CHECKED_FOLDERS}
    undeclared = find_undeclared(
        checked, ontology, base_iri=settings.base_iri, display_root=settings.source_dir
    )
    if undeclared:
        raise BuildError(
            f"{len(undeclared)} term(s) declared neither in ontology/ nor in a standard "
            "vocabulary (hamar_graph.namespaces.STANDARD_VOCABULARIES):",
            [str(u) for u in undeclared],
        )
    for f in files:
        skolemize(dataset.graph(f.graph), settings.base_iri)
    _say(progress, "deriving rdfs:label from skos:prefLabel and the owl:inverseOf links")
    union = union_graph(dataset)
    ontology_union = Graph()
    for g in ontology:
        for triple in g:
            ontology_union.add(triple)
    derived = dataset.graph(derived_graph_name(settings))
    for triple in derive(union, ontology_union):
        derived.add(triple)
    return dataset


def derived_graph_name(settings: Settings) -> URIRef:
    """``{base}graph/derived``: the named graph holding what the build derives."""
    return URIRef(settings.base_iri + "graph/derived")


def derive(union: Graph, ontology: Graph) -> Graph:
    """The triples the build adds, and only those not already in ``union``.

    - ``s rdfs:label l`` for every ``s skos:prefLabel l``;
    - ``o q s`` for every ``s p o`` where the ontology says ``p owl:inverseOf q`` or
      ``q owl:inverseOf p`` (and ``o`` is not a literal), e.g. ``hms:hasMeasure`` from
      ``hms:servesGoal`` and ``hms:responsibleFor`` from ``hms:responsibleActor``.

    :param union: every triple of the sources.
    :param ontology: the ontology graphs, where ``owl:inverseOf`` is read.
    """
    out = Graph()
    for s, label in union.subject_objects(SKOS.prefLabel):
        out.add((s, RDFS.label, label))
    pairs: set[tuple[URIRef, URIRef]] = set()
    for p, q in ontology.subject_objects(OWL.inverseOf):
        if isinstance(p, URIRef) and isinstance(q, URIRef):
            pairs |= {(p, q), (q, p)}
    for p, q in sorted(pairs):
        for s, o in union.subject_objects(p):
            if not isinstance(o, Literal):
                out.add((o, q, s))
    for triple in list(out):
        if triple in union:
            out.remove(triple)
    return out


def skolemize(graph: Graph, base_iri: str) -> int:
    """Replace the blank nodes of ``graph`` in place by content-derived skolem IRIs.

    The IRI is ``{base}.well-known/genid/{h}`` where ``h`` hashes the graph's name with
    the blank node's canonical label (RDF dataset canonicalisation by
    :func:`rdflib.compare.to_canonical_graph`), so the same content gives the same IRI
    on every run (https://www.w3.org/TR/rdf11-concepts/#section-skolemization).

    :return: the number of blank nodes replaced.
    """
    if not any(isinstance(n, BNode) for t in graph for n in t):
        return 0
    canonical = list(to_canonical_graph(graph))
    prefix = f"{base_iri}.well-known/genid/"
    name = str(graph.identifier)
    replaced: dict[BNode, URIRef] = {}

    def iri(node: object) -> object:
        if isinstance(node, BNode):
            if node not in replaced:
                digest = hashlib.sha256(f"{name} {node}".encode()).hexdigest()[:32]
                replaced[node] = URIRef(prefix + digest)
            return replaced[node]
        return node

    graph.remove((None, None, None))
    for s, p, o in canonical:
        graph.add((iri(s), p, iri(o)))  # type: ignore[arg-type]
    return len(replaced)


def union_graph(dataset: Dataset) -> Graph:
    """Every triple of every named graph of ``dataset``, in one Graph with our prefixes."""
    union = bind_prefixes(Graph())
    for s, p, o, _g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def class_counts(graph: Graph, base_iri: str) -> dict[str, int]:
    """Resources per class (distinct subjects of ``rdf:type``), by prefixed name, sorted."""
    counter: Counter[str] = Counter()
    for cls in set(graph.objects(None, RDF.type)):
        if isinstance(cls, URIRef):
            counter[prefixed_name(cls, base_iri)] = len(set(graph.subjects(RDF.type, cls)))
    return dict(sorted(counter.items()))


# --- build --------------------------------------------------------------------------------


def _validate(dataset: Dataset, settings: Settings, progress: Progress | None) -> tuple[bool, int]:
    """Run SHACL validation; raise :class:`BuildError` on any Violation.

    :return: (validated, number of results below Violation).
    """
    try:
        # hamar_graph.validate (issue 3) is written in parallel; until it exists the build
        # runs without SHACL validation and says so. Any other import error is a real
        # failure and propagates.
        from hamar_graph.validate import validate_dataset
    except ModuleNotFoundError as exc:
        if exc.name != "hamar_graph.validate":
            raise
        _say(progress, "validating: skipped (hamar_graph.validate is not installed yet)")
        return False, 0
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


def serialize_nquads(dataset: Dataset) -> bytes:
    """The dataset's named graphs as N-Quads, lines sorted so the bytes are reproducible."""
    lines: list[str] = []
    for graph in dataset.graphs():
        if not len(graph) or not isinstance(graph.identifier, URIRef):
            continue
        name = graph.identifier.n3()
        text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        for line in text.splitlines():
            if line.endswith(" ."):  # each N-Triples statement is one line ending in " ."
                lines.append(f"{line[:-2]} {name} .")
    lines.sort()
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def build(settings: Settings, progress: Progress | None = None) -> BuildResult:
    """Assemble, validate and write every output (see the module docstring for the layout).

    Everything is serialised in memory first; only then is each file written to a
    temporary file in the output folder, flushed to disk and renamed over the old one.
    The store is built in ``store.tmp-<pid>`` and renamed over ``store`` when complete.
    ``build.json`` is written last.

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

    settings.out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for key, data in payloads.items():
        extension = RDF_FORMATS[key].extension if key in RDF_FORMATS else key
        path = dump_path(settings, extension)
        _say(progress, f"writing {path}")
        write_atomic(path, data)
        files[key] = path
    store_path = settings.out_dir / "store"
    _say(progress, f"writing the Oxigraph store {store_path}")
    write_store(dataset, store_path)

    graphs = {
        str(g.identifier): len(g)
        for g in sorted(dataset.graphs(), key=lambda g: str(g.identifier))
        if len(g)
    }
    sha = {p.name: hashlib.sha256(payloads[k]).hexdigest() for k, p in files.items()}
    result = BuildResult(
        version=__version__,
        triples=len(union),
        quads=sum(graphs.values()),
        derived=len(dataset.graph(derived_graph_name(settings))),
        graphs=graphs,
        classes=class_counts(union, settings.base_iri),
        files=files,
        store_path=store_path,
        manifest_path=settings.out_dir / "build.json",
        validated=validated,
        warnings=warnings,
        sha256=sha,
    )
    _say(progress, f"writing {result.manifest_path}")
    write_atomic(result.manifest_path, manifest(result, settings))
    return result


def manifest(result: BuildResult, settings: Settings) -> bytes:
    """``build.json``: version, base IRI, counts and the sha256 of every dump (no timestamp)."""
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
            p.name: {"format": k, "bytes": p.stat().st_size, "sha256": result.sha256[p.name]}
            for k, p in result.files.items()
        },
        "store": result.store_path.name,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


# --- atomic writes ------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same folder, fsync, rename.

    A reader sees either the old file or the new one, never a partial file.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_store(dataset: Dataset, target: Path) -> None:
    """Write ``dataset`` as a persistent Oxigraph store at ``target``, replacing it whole.

    The new store is built in ``{target}.tmp-<pid>``; only when it is complete and closed
    is the old store moved aside and the new one renamed into place, then the old one is
    deleted. A failure leaves the old store as it was.
    """
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    for leftover in (tmp, old):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        store = OxigraphStore(tmp)
        store.load(dataset)
        del store
        gc.collect()  # close RocksDB before the folder is renamed
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    _fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)
