"""Assemble the graph: parse the sources, check terms, skolemise, derive, normalise literals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from hamar_graph.build.declared import find_undeclared
from hamar_graph.build.derive import derive, engine_literals, skolemize
from hamar_graph.build.sources import SourceError, load_sources, source_files
from hamar_graph.config import Settings
from hamar_graph.rdf.datasets import union_graph
from hamar_graph.rdf.names import prefixed_name

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


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


def assemble(settings: Settings, progress: Progress | None = None) -> Dataset:
    """Load, check and complete the sources: the graph that is validated, served and dumped.

    1. Parse every ``*.ttl`` of ``ontology/``, ``data/`` and ``shapes/`` into its own
       named graph ``{base}graph/{folder}-{stem}``.
    2. Check that every class and predicate used is declared (:mod:`hamar_graph.build.declared`).
    3. Replace blank nodes from the sources, if any, by skolem IRIs
       ``{base}.well-known/genid/{hash}`` derived from their content, so the dumps are
       byte-identical across runs.
    4. Add ``{base}graph/derived``: ``rdfs:label`` for every ``skos:prefLabel``, and the
       inverse of every link whose property has an ``owl:inverseOf`` in ``ontology/``.
       Nothing else is derived, and nothing that the sources already state.
    5. Write every typed literal as the query engine stores it (:func:`engine_literals`:
       ``"13.1950"^^xsd:decimal`` becomes ``"13.195"``), so that dumps, store and
       endpoint hold the same terms.

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
    _say(progress, "writing literals in the form the query engine stores them")
    engine_literals(dataset)
    return dataset


def derived_graph_name(settings: Settings) -> URIRef:
    """``{base}graph/derived``: the named graph holding what the build derives."""
    return URIRef(settings.base_iri + "graph/derived")


def class_counts(graph: Graph, base_iri: str) -> dict[str, int]:
    """Resources per class (distinct subjects of ``rdf:type``), by prefixed name, sorted."""
    counter: Counter[str] = Counter()
    for cls in set(graph.objects(None, RDF.type)):
        if isinstance(cls, URIRef):
            counter[prefixed_name(str(cls), base_iri)] = len(set(graph.subjects(RDF.type, cls)))
    return dict(sorted(counter.items()))
