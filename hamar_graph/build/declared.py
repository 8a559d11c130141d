"""The declared-term check: every class and predicate the sources use must exist.

Turtle that parses can still be wrong: ``rdfs:commet`` or ``hms:servesGoals``
parse silently and mean nothing (a typo parses as a new term). This module finds
every class (object of ``rdf:type``) and predicate used in the checked source
files, and reports each one that is

- not declared in ``ontology/`` (as the subject of ``rdf:type`` ``owl:Class``,
  ``rdfs:Class``, ``rdf:Property`` or any ``owl:…Property``), and
- not a term of a standard vocabulary: a namespace listed in
  :data:`hamar_graph.namespaces.STANDARD_VOCABULARIES`. Where the term list of
  that vocabulary is known (rdflib's closed namespaces, plus DCAT 3 and WGS84
  below) the term must be in the list, so ``rdfs:commet`` is caught; for the
  other listed namespaces (CPOV, ELI, ADMS, ...) the namespace is enough.

In shapes, the classes and predicates a shape points at count as used too:
the objects of ``sh:targetClass`` and ``sh:class``, and every IRI in a
``sh:path`` (a typo there makes a shape silently check nothing).

Each problem names the term, its full IRI and every file (and line, when the
term's written form is found in the file's text) that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import (
    DC,
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    VANN,
    VOID,
    DefinedNamespace,
)
from rdflib.term import Node

from hamar_graph.namespaces import GEO, SOURCE_BASE, STANDARD_VOCABULARIES
from hamar_graph.rdf.names import prefixed_name

#: Types whose subjects, in ontology/, count as declared classes.
CLASS_TYPES: frozenset[URIRef] = frozenset({OWL.Class, RDFS.Class, RDFS.Datatype})


#: Terms of DCAT 3 (https://www.w3.org/TR/vocab-dcat-3/) missing from rdflib's DCAT list.
_DCAT3_EXTRA = (
    "DatasetSeries first hasCurrentVersion hasVersion inSeries isVersionOf last next prev "
    "previousVersion replaces seriesMember version isDistributionOf"
)


#: WGS84 Basic Geo (https://www.w3.org/2003/01/geo/), which rdflib only knows under https.
_WGS84 = "SpatialThing Point lat long alt lat_long location"


def _terms(ns: type[DefinedNamespace]) -> frozenset[str]:
    return frozenset(ns.__annotations__) | frozenset(getattr(ns, "_extras", ()))


#: Namespace → its complete term list, for the standard vocabularies whose list we know.
KNOWN_TERMS: dict[str, frozenset[str]] = {
    **{
        str(ns._NS): _terms(ns)
        for ns in (RDF, RDFS, OWL, SKOS, DCTERMS, DC, PROV, ORG, FOAF, SH, VOID, VANN, SDO)
    },
    str(DCAT): _terms(DCAT) | frozenset(_DCAT3_EXTRA.split()),
    str(GEO): frozenset(_WGS84.split()),
}


_MEMBERSHIP = re.compile(r"_[1-9][0-9]*")


#: Shape predicates whose objects are classes.
_SHAPE_CLASS_LINKS = (SH.targetClass, SH["class"])


#: Shape predicates whose objects are predicates (or paths over predicates).
_SHAPE_PATH_LINKS = (SH.path, SH.targetSubjectsOf, SH.targetObjectsOf)


#: Path constructs that lead from a path node to the predicates it names.
_PATH_PARTS = (
    RDF.first,
    RDF.rest,
    SH.inversePath,
    SH.alternativePath,
    SH.zeroOrMorePath,
    SH.oneOrMorePath,
    SH.zeroOrOnePath,
)


@dataclass(frozen=True)
class Usage:
    """Where a term is used: a source file and, when found in its text, a line."""

    path: Path
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)


@dataclass
class UndeclaredTerm:
    """A class or predicate that neither ontology/ nor a standard vocabulary declares."""

    term: URIRef
    kind: str  #: ``class`` or ``predicate``
    name: str  #: the prefixed name, or ``<iri>`` when no prefix fits
    usages: list[Usage] = field(default_factory=list)

    def __str__(self) -> str:
        where = ", ".join(str(u) for u in self.usages)
        return f"undeclared {self.kind} {self.name} <{self.term}> used in {where}"


def declared_terms(ontology_graphs: Iterable[Graph]) -> set[URIRef]:
    """The classes and properties declared in the ontology graphs.

    A term is declared when it is the subject of ``rdf:type`` with ``owl:Class``,
    ``rdfs:Class``, ``rdfs:Datatype``, ``rdf:Property`` or an ``owl:…Property`` type.
    """
    declared: set[URIRef] = set()
    for graph in ontology_graphs:
        for s, o in graph.subject_objects(RDF.type):
            if isinstance(s, URIRef) and _is_declaring_type(o):
                declared.add(s)
    return declared


def _is_declaring_type(o: Node) -> bool:
    if o in CLASS_TYPES or o == RDF.Property:
        return True
    return isinstance(o, URIRef) and o.startswith(str(OWL)) and o.endswith("Property")


def is_standard_term(term: URIRef, vocabularies: Iterable[str] = STANDARD_VOCABULARIES) -> bool:
    """True when ``term`` belongs to a listed standard vocabulary (and its term list, if known)."""
    for ns in vocabularies:
        if term.startswith(ns):
            local = term[len(ns) :]
            known = KNOWN_TERMS.get(ns)
            if known is None:
                return bool(local)
            return local in known or (ns == str(RDF) and bool(_MEMBERSHIP.fullmatch(local)))
    return False


def used_terms(graph: Graph) -> dict[URIRef, str]:
    """The classes and predicates ``graph`` uses, each with its kind (``class``/``predicate``).

    Classes are the IRI objects of ``rdf:type`` and, in shapes, of ``sh:targetClass`` and
    ``sh:class``; predicates are every predicate and, in shapes, every IRI in a ``sh:path``.
    """
    used: dict[URIRef, str] = {}
    for p in graph.predicates(unique=True):
        if isinstance(p, URIRef):
            used[p] = "predicate"
    for link in (RDF.type, *_SHAPE_CLASS_LINKS):
        for o in graph.objects(None, link):
            if isinstance(o, URIRef):
                used[o] = "class"
    for link in _SHAPE_PATH_LINKS:
        for o in graph.objects(None, link):
            for term in _path_iris(graph, o):
                used.setdefault(term, "predicate")
    return used


def _path_iris(graph: Graph, node: Node, seen: set[Node] | None = None) -> Iterable[URIRef]:
    """The predicate IRIs named by a SHACL property path."""
    if isinstance(node, URIRef):
        if node != RDF.nil:
            yield node
        return
    seen = set() if seen is None else seen
    if node in seen:
        return
    seen.add(node)
    for part in _PATH_PARTS:
        for o in graph.objects(node, part):
            yield from _path_iris(graph, o, seen)


def find_undeclared(
    checked: Mapping[Path, Graph],
    ontology_graphs: Iterable[Graph],
    *,
    base_iri: str = SOURCE_BASE,
    vocabularies: Iterable[str] = STANDARD_VOCABULARIES,
    display_root: Path | None = None,
) -> list[UndeclaredTerm]:
    """Every class and predicate used in ``checked`` that nothing declares.

    :param checked: source file → its parsed graph, for each file to check.
    :param ontology_graphs: the graphs of ontology/, whose declarations count.
    :param base_iri: the base the graphs were rebased to (to find terms in the file text,
        which is written against :data:`~hamar_graph.namespaces.SOURCE_BASE`).
    :param vocabularies: namespaces of the standard vocabularies.
    :param display_root: paths in the report are shown relative to this folder.
    :return: the problems, sorted by term; empty when every term is declared.
    """
    vocabularies = tuple(vocabularies)
    declared = declared_terms(ontology_graphs)
    problems: dict[URIRef, UndeclaredTerm] = {}
    for path, graph in sorted(checked.items()):
        shown = _relative(path, display_root)
        text: str | None = None
        for term, kind in sorted(used_terms(graph).items()):
            if term in declared or is_standard_term(term, vocabularies):
                continue
            if text is None:
                text = _read(path)
            source_term = (
                URIRef(SOURCE_BASE + term[len(base_iri) :]) if term.startswith(base_iri) else term
            )
            problem = problems.setdefault(
                term, UndeclaredTerm(term, kind, prefixed_name(str(term), base_iri))
            )
            problem.usages.append(Usage(shown, find_line(text, source_term)))
    return [problems[t] for t in sorted(problems)]


_PREFIX_DECL = re.compile(
    r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE
)


_BASE_DECL = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def find_line(text: str, term: URIRef) -> int | None:
    """The first line of ``text`` that writes ``term``: prefixed, as ``<iri>`` or relative.

    :param text: the Turtle source.
    :param term: the full IRI, as written against the source's own base.
    :return: a 1-based line number, or ``None`` when no written form is found.
    """
    patterns = [re.escape(f"<{term}>")]
    for prefix, ns in _PREFIX_DECL.findall(text):
        if term.startswith(ns) and len(term) > len(ns):
            local = re.escape(term[len(ns) :])
            patterns.append(rf"(?<![\w:.-]){re.escape(prefix)}:{local}(?![\w-]|\.\w)")
    for base in _BASE_DECL.findall(text):
        if term.startswith(base) and len(term) > len(base):
            patterns.append(re.escape(f"<{term[len(base) :]}>"))
    found = re.compile("|".join(patterns))
    for number, line in enumerate(text.splitlines(), start=1):
        code = _strip_comment(line)
        if found.search(code):
            return number
    return None


def _strip_comment(line: str) -> str:
    """The line without a trailing ``#`` comment (a ``#`` inside ``<...>`` or quotes stays)."""
    in_iri = False
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote and line[i - 1] != "\\":
                quote = ""
        elif in_iri:
            in_iri = ch != ">"
        elif ch in "\"'":
            quote = ch
        elif ch == "<":
            in_iri = True
        elif ch == "#":
            return line[:i]
    return line


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _relative(path: Path, root: Path | None) -> Path:
    if root is None:
        return path
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path
