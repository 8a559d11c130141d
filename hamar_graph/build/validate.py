"""SHACL validation of the graph against ``shapes/``, as plain dataclasses.

:func:`validate_dataset` wraps :func:`pyshacl.validate` (https://www.w3.org/TR/shacl/):

- the **data graph** is the union of the dataset's named graphs except the ontology
  (``{base}graph/ontology-*``) and the shapes (``{base}graph/shapes-*``); the build's
  ``{base}graph/derived`` is data too;
- the **ontology** goes in as pyshacl's ``ont_graph``, reduced to its class and property
  hierarchy (``rdfs:subClassOf``, ``rdfs:subPropertyOf``), and ``inference="rdfs"`` uses
  it: a ``hms:TwinCity`` is then a ``hms:Place`` and meets the Place shapes. The
  ontology's ``rdfs:domain`` and ``rdfs:range`` are left out on purpose: RDFS range
  inference would type every object of ``hms:country`` as a ``hms:Country``, and the
  shapes that check that a link points to a resource of the expected class
  (``sh:class``) could never fail;
- the **shapes** are read from the ``shapes/*.ttl`` files (rebased to the configured base
  IRI). The build keeps their blank nodes (a skolem IRI in ``sh:path`` would turn
  ``[ sh:inversePath p ]`` into a predicate path), so the shapes graph it publishes gives
  the same results (``tests/publication/test_harvester.py``);
- no ``owl:imports`` are fetched; nothing goes to the network.

Each result names its shape by ID (``S01`` ...), with the shape's own messages in nb and
en, so reports and pages can show them in either language. The module never prints.

.. versionadded:: 0.1
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node
from rdflib.util import guess_format

from hamar_graph.build.report import (
    ValidationReport,
    _restore_messages,
    _results,
    declared_shapes,
)
from hamar_graph.build.sources import SourceError, parse_file
from hamar_graph.config import Settings
from hamar_graph.namespaces import SOURCE_BASE, bind_prefixes

#: Triples of the ontology that validation uses: the class and property hierarchy.
HIERARCHY_PREDICATES: tuple[URIRef, ...] = (RDFS.subClassOf, RDFS.subPropertyOf)


#: Named-graph name prefixes (after ``{base}graph/``) that are not data.
_NOT_DATA = ("ontology-", "shapes-")


class ShapesError(ValueError):
    """The shapes graph itself is broken (pyshacl refuses it); ``str()`` says why."""


def shape_files(settings: Settings) -> list[Path]:
    """The shapes files: every ``*.ttl`` in ``{source_dir}/shapes``, sorted."""
    return sorted((settings.source_dir / "shapes").glob("*.ttl"))


def load_shapes(settings: Settings | None = None) -> Graph:
    """Parse the shapes files into one graph, rebased to the configured base IRI.

    :raises SourceError: when a shapes file cannot be parsed (file and line).
    """
    settings = settings or Settings()
    graph = bind_prefixes(Graph())
    for path in shape_files(settings):
        graph += parse_file(path, settings.base_iri)
    return graph


def load_ontology(settings: Settings | None = None) -> Graph:
    """Parse ``{source_dir}/ontology/*.ttl`` into one graph (empty when there is none)."""
    settings = settings or Settings()
    graph = bind_prefixes(Graph())
    for path in sorted((settings.source_dir / "ontology").glob("*.ttl")):
        graph += parse_file(path, settings.base_iri)
    return graph


def hierarchy(ontology: Graph) -> Graph:
    """The ontology's class and property hierarchy: the ``ont_graph`` validation uses.

    Only ``rdfs:subClassOf`` and ``rdfs:subPropertyOf`` between IRIs are kept; see the
    module docstring for why ``rdfs:domain`` and ``rdfs:range`` are not.
    """
    out = Graph()
    for predicate in HIERARCHY_PREDICATES:
        for s, o in ontology.subject_objects(predicate):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                out.add((s, predicate, o))
    return out


def _graph_kind(name: Node) -> str:
    """``ontology``, ``shapes`` or ``data`` for a named graph ``{base}graph/{folder}-{stem}``."""
    local = str(name).rsplit("/graph/", 1)[-1]
    for prefix in _NOT_DATA:
        if local.startswith(prefix):
            return prefix.rstrip("-")
    return "data"


def split_dataset(dataset: Dataset) -> tuple[Graph, Graph]:
    """Split a dataset into (data graph, ontology graph) by named-graph name.

    The data graph is the union of every graph that is neither ``ontology-*`` nor
    ``shapes-*``; the ontology graph is the union of the ``ontology-*`` graphs.
    """
    data = bind_prefixes(Graph())
    ontology = Graph()
    for graph in dataset.graphs():
        kind = _graph_kind(graph.identifier)
        if kind == "data":
            data += graph
        elif kind == "ontology":
            ontology += graph
    return data, ontology


def validate_dataset(
    dataset_or_graph: Dataset | Graph,
    settings: Settings | None = None,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    inference: str = "rdfs",
) -> ValidationReport:
    """Validate the project's graph against the shapes.

    :param dataset_or_graph: a Dataset with one named graph per source file (as
        :func:`hamar_graph.build.sources.load_sources` and the build make it), or a plain Graph
        holding data only.
    :param settings: where ``shapes/`` and ``ontology/`` are read and the base IRI;
        defaults to :class:`~hamar_graph.config.Settings` ``()``.
    :param shapes: the shapes graph; default: the ``shapes/*.ttl`` files.
    :param ontology: the ontology; default: the dataset's ``ontology-*`` graphs, or the
        ``ontology/*.ttl`` files when the dataset has none (or a Graph is given).
    :param inference: pyshacl's inference mode; ``rdfs`` (default) or ``none``. The
        results are the same either way for these shapes (SHACL follows
        ``rdfs:subClassOf`` in the data graph, where the hierarchy is mixed in);
        ``benchmarks/validation.py`` measures both.
    :return: the report; ``conforms`` is False only when there is a Violation.
    """
    settings = settings or Settings()
    if isinstance(dataset_or_graph, Dataset):
        data, dataset_ontology = split_dataset(dataset_or_graph)
        if ontology is None and len(dataset_ontology):
            ontology = dataset_ontology
    else:
        data = dataset_or_graph
    if ontology is None:
        ontology = load_ontology(settings)
    if shapes is None:
        shapes = load_shapes(settings)
    return validate_graph(data, shapes, ontology, inference=inference)


def validate_graph(
    data: Graph, shapes: Graph, ontology: Graph | None = None, inference: str = "rdfs"
) -> ValidationReport:
    """Validate one data graph against ``shapes`` with the hierarchy of ``ontology``.

    This is the core the other functions call; it reads no files.
    """
    # imported here: pyshacl (and the rdflib SPARQL engine it loads) takes about 0.5 s to
    # import, and the web app, which imports this module, validates only without a build
    import pyshacl

    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=hierarchy(ontology) if ontology is not None else None,
        inference=inference,
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
        advanced=False,
        meta_shacl=False,
        do_owl_imports=False,
    )
    if not isinstance(report_graph, Graph):
        # pyshacl returns (not raises) a ValidationFailure for a broken shapes graph
        raise ShapesError(f"the shapes cannot be used: {report_graph}")
    results = _results(report_graph, shapes, data)
    _restore_messages(report_graph, shapes)
    bind_prefixes(report_graph)
    return ValidationReport(
        conforms=not any(r.severity == "Violation" for r in results),
        results=results,
        report_graph=report_graph,
        data_triples=len(data),
        shapes_count=len(declared_shapes(shapes)),
    )


def validate_files(
    paths: Sequence[Path | str], settings: Settings | None = None
) -> ValidationReport:
    """Validate the given RDF files (any format rdflib reads, guessed from the extension).

    The files together are the data graph; the shapes and the ontology are the project's.

    :raises SourceError: naming the file (and line, where the parser tells it) that cannot
        be read or parsed.
    """
    settings = settings or Settings()
    return validate_dataset(load_files(paths, settings.base_iri), settings)


def load_files(paths: Sequence[Path | str], base_iri: str = SOURCE_BASE) -> Graph:
    """Parse RDF files (format by extension) into one graph.

    :raises SourceError: naming the file (and line) that cannot be read or parsed.
    """
    data = bind_prefixes(Graph())
    for path in paths:
        data += parse_rdf_file(Path(path), base_iri)
    return data


_LINE_PATTERNS = (
    re.compile(r"(?:at line|line:?)\s*(\d+)", re.IGNORECASE),
    re.compile(r":(\d+):\d+:"),  # SAX (RDF/XML): <unknown>:3:0: ...
    re.compile(r"\(line (\d+)", re.IGNORECASE),
)


def parse_rdf_file(path: Path, base_iri: str = SOURCE_BASE) -> Graph:
    """Parse one RDF file in the format its extension names (Turtle when unknown).

    :raises SourceError: naming the file and, where the parser tells it, the line.
    """
    rdf_format = guess_format(str(path)) or "turtle"
    if rdf_format in ("turtle", "n3"):
        return parse_file(path, base_iri)
    if not path.is_file():
        raise SourceError(path, "no such file")
    graph = bind_prefixes(Graph())
    try:
        with warnings.catch_warnings():
            # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(source=str(path), format=rdf_format)
    except Exception as exc:  # rdflib's parsers raise many types
        text = str(exc).strip()
        line = None
        if rdf_format in ("nt", "nquads"):
            line = _first_bad_line(path, rdf_format)
        for pattern in () if line is not None else _LINE_PATTERNS:
            match = pattern.search(text)
            if match:
                line = int(match.group(1))
                break
        reason = text.splitlines()[-1] if text else type(exc).__name__
        raise SourceError(path, f"{rdf_format} syntax error: {reason}", line) from exc
    return graph


def _first_bad_line(path: Path, rdf_format: str) -> int | None:
    """The first line of a line-based file (N-Triples, N-Quads) that does not parse alone."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                (Dataset() if rdf_format == "nquads" else Graph()).parse(
                    data=line, format=rdf_format
                )
        except Exception:  # the line is broken: that is what we are looking for
            return number
    return None
