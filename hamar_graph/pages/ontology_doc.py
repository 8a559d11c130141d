"""The ontology's documentation: classes and properties with labels, definitions,
domains, ranges and alignments.

:func:`load_vocabulary` runs one query (:data:`~hamar_graph.query.named.VOCABULARY`)
and is meant to be called once per app; :func:`ontology_page` and
:func:`term_page` then build page contexts without touching the store. The
same :class:`Vocabulary` gives pages their property and class labels
(:meth:`Vocabulary.labeller`) and the schema.org type of a class.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SDO, SKOS
from rdflib.term import Node

from hamar_graph.pages.labels import Labeller, Text, lang_of, pick, sort_key
from hamar_graph.query import named as queries
from hamar_graph.rdf.names import local_path, prefixed_name
from hamar_graph.store.base import Store

_CLASS_KINDS = {OWL.Class, RDFS.Class}


_PROPERTY_KINDS = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}


class TermNotFound(LookupError):
    """No class or property of the ontology has this IRI."""


@dataclass
class Vocabulary:
    """What the ontology says about its terms, grouped by term.

    :param base: the deployment's base IRI.
    :param statements: term → predicate → objects.
    :param kinds: term → its ``rdf:type`` values among classes, properties, ontologies.
    """

    base: str
    statements: dict[URIRef, dict[URIRef, list[Node]]] = field(default_factory=dict)
    kinds: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    _labeller: Labeller | None = field(default=None, repr=False, compare=False)

    @property
    def ontology_iri(self) -> URIRef:
        """``{base}def/hamar``."""
        return URIRef(self.base + "def/hamar")

    def is_local(self, iri: Node) -> bool:
        """Whether ``iri`` is one of our terms (``{base}def/…``)."""
        return str(iri).startswith(self.base + "def/")

    def values(self, term: Node, predicate: URIRef) -> list[Node]:
        """The objects of ``term predicate ?o``."""
        return self.statements.get(URIRef(str(term)), {}).get(predicate, [])

    def labeller(self) -> Labeller:
        """Labels of every term (rdfs:label or skos:prefLabel), by language (cached)."""
        if self._labeller is not None:
            return self._labeller
        labels: dict[URIRef, dict[str, str]] = {}
        for term, props in self.statements.items():
            for predicate in (SKOS.prefLabel, RDFS.label):
                for value in props.get(predicate, []):
                    if isinstance(value, Literal):
                        labels.setdefault(term, {}).setdefault(lang_of(value) or "nb", str(value))
        self._labeller = Labeller(labels)
        return self._labeller

    def superclasses(self, term: Node) -> list[URIRef]:
        """``term`` and all its superclasses (transitively, in breadth-first order)."""
        seen: list[URIRef] = []
        todo = [URIRef(str(term))]
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.append(current)
            todo.extend(URIRef(str(s)) for s in self.values(current, RDFS.subClassOf))
        return seen

    def schema_type(self, classes: list[Node]) -> str:
        """The most specific schema.org type of a resource with these classes."""
        for cls in classes:
            for sup in self.superclasses(cls):
                if str(sup).startswith(str(SDO)):
                    return str(sup)[len(str(SDO)) :]
        return "Thing"


def load_vocabulary(store: Store, base: str) -> Vocabulary:
    """Read the ontology's terms from the store (one query).

    :param store: the store holding the ontology.
    :param base: the deployment's base IRI.
    """
    vocab = Vocabulary(base)
    statements: dict[URIRef, dict[URIRef, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for row in store.select(queries.VOCABULARY):
        term = URIRef(str(row["t"]))
        vocab.kinds.setdefault(term, set()).add(URIRef(str(row["kind"])))
        values = statements[term][URIRef(str(row["p"]))]
        if row["o"] not in values:
            values.append(row["o"])
    vocab.statements = {t: dict(p) for t, p in statements.items()}
    return vocab


@dataclass(frozen=True)
class TermRef:
    """A term named on a page: its label and where the link goes."""

    iri: str
    label: str
    href: str
    local: bool


@dataclass(frozen=True)
class TermDoc:
    """One class or property, documented."""

    iri: str
    curie: str
    anchor: str
    href: str
    kind: str  #: ``class`` or ``property``
    label: Text
    definition: Text | None
    comment: Text | None
    domains: tuple[TermRef, ...]
    ranges: tuple[TermRef, ...]
    parents: tuple[TermRef, ...]  #: superclasses or superproperties (the alignments)
    equivalents: tuple[TermRef, ...]
    inverse: tuple[TermRef, ...]
    children: tuple[TermRef, ...]


@dataclass(frozen=True)
class OntologyPage:
    """The ontology documentation page (``/def/hamar``)."""

    iri: str
    path: str
    lang: str
    title: Text
    description: Text | None
    version: str | None
    version_iri: str | None
    classes: tuple[TermDoc, ...]
    properties: tuple[TermDoc, ...]


@dataclass(frozen=True)
class TermPage:
    """The page of one term (``/def/Axis``)."""

    iri: str
    path: str
    lang: str
    term: TermDoc
    ontology_path: str


def _ref(vocab: Vocabulary, iri: Node, labeller: Labeller, lang: str) -> TermRef:
    text = str(iri)
    path = local_path(text, vocab.base)
    local = path is not None and vocab.is_local(iri)
    label = labeller.term(iri, lang) if local else prefixed_name(text, fallback=text)
    return TermRef(text, label, path if (local and path) else text, local)


def _doc(vocab: Vocabulary, term: URIRef, labeller: Labeller, lang: str) -> TermDoc:
    kinds = vocab.kinds.get(term, set())
    is_class = bool(kinds & _CLASS_KINDS)
    name = str(term)[len(vocab.base + "def/") :]

    def refs(*predicates: URIRef) -> tuple[TermRef, ...]:
        found = [v for p in predicates for v in vocab.values(term, p) if isinstance(v, URIRef)]
        unique = list(dict.fromkeys(found))
        return tuple(
            sorted(
                (_ref(vocab, v, labeller, lang) for v in unique),
                key=lambda r: (not r.local, sort_key(r.label)),
            )
        )

    parent_pred = RDFS.subClassOf if is_class else RDFS.subPropertyOf
    children = [t for t, props in vocab.statements.items() if term in props.get(parent_pred, [])]
    return TermDoc(
        iri=str(term),
        curie=prefixed_name(str(term), fallback=str(term)),
        anchor=name,
        href=local_path(str(term), vocab.base) or str(term),
        kind="class" if is_class else "property",
        label=Text(labeller.term(term, lang), lang),
        definition=pick(vocab.values(term, SKOS.definition), lang),
        comment=pick(vocab.values(term, RDFS.comment), lang),
        domains=refs(RDFS.domain),
        ranges=refs(RDFS.range),
        parents=refs(parent_pred),
        equivalents=refs(OWL.equivalentClass, OWL.equivalentProperty, SKOS.exactMatch),
        inverse=refs(OWL.inverseOf),
        children=tuple(
            sorted(
                (_ref(vocab, c, labeller, lang) for c in children),
                key=lambda r: sort_key(r.label),
            )
        ),
    )


def _terms(vocab: Vocabulary, kinds: set[URIRef]) -> list[URIRef]:
    return [t for t, k in vocab.kinds.items() if k & kinds and vocab.is_local(t)]


def ontology_page(vocab: Vocabulary, lang: str) -> OntologyPage:
    """The documentation of the whole ontology, classes and properties sorted by label."""
    labeller = vocab.labeller()
    iri = vocab.ontology_iri
    classes = [_doc(vocab, t, labeller, lang) for t in _terms(vocab, _CLASS_KINDS)]
    props = [_doc(vocab, t, labeller, lang) for t in _terms(vocab, _PROPERTY_KINDS)]
    title = pick(vocab.values(iri, DCTERMS.title), lang) or Text("hms", None)
    version = pick(vocab.values(iri, OWL.versionInfo), lang)
    version_iri = vocab.values(iri, OWL.versionIRI)
    return OntologyPage(
        iri=str(iri),
        path=local_path(str(iri), vocab.base) or str(iri),
        lang=lang,
        title=title,
        description=pick(vocab.values(iri, DCTERMS.description), lang),
        version=version.value if version else None,
        version_iri=str(version_iri[0]) if version_iri else None,
        classes=tuple(sorted(classes, key=lambda d: sort_key(d.label.value))),
        properties=tuple(sorted(props, key=lambda d: sort_key(d.label.value))),
    )


def term_page(vocab: Vocabulary, iri: str, lang: str) -> TermPage:
    """The page of one class or property.

    :raises TermNotFound: when the ontology has no such term.
    """
    term = URIRef(iri)
    kinds = vocab.kinds.get(term, set())
    if not vocab.is_local(term) or not kinds & (_CLASS_KINDS | _PROPERTY_KINDS):
        raise TermNotFound(iri)
    doc = _doc(vocab, term, vocab.labeller(), lang)
    ontology_path = local_path(str(vocab.ontology_iri), vocab.base) or str(vocab.ontology_iri)
    return TermPage(iri, doc.href, lang, doc, ontology_path)
