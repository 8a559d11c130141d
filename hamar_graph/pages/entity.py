"""Describe one resource: the :class:`EntityPage` behind every ``/id/...`` page (and the
pages of named graphs, shapes and skolem IRIs), and the RDF description behind its
Turtle, N-Triples, JSON-LD and RDF/XML.

A page costs four queries whatever the resource links to: incoming statements with the
names of their subjects (and, for statements of readings, what they say), the number of
values of each outgoing property, the outgoing statements with the names of their objects
(two queries when a list is longer than a page: :mod:`hamar_graph.pages.long_lists`), and
the breadcrumb paths (strategy → axis → goal). Class and property labels come from the
:class:`~hamar_graph.pages.ontology_doc.Vocabulary` and the plan warnings from
:class:`~hamar_graph.pages.gaps.PlanGaps`, both built once per app.

Staff read facts, not terms: every property under a label in words, each fact once
(a statement and its inverse are one fact, :mod:`hamar_graph.pages.facts`), statements
that are our reading of the source marked as such, and the data's bookkeeping (named
graphs, the ontology, row order, class IRIs) in a "Data" section of its own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.namespaces import GEO, HMS
from hamar_graph.pages.facts import (
    PAGE_ROOTS,
    ReadingNote,
    inverse_map,
    reading_notes,
    sort_facts,
)
from hamar_graph.pages.gaps import PlanGaps, message
from hamar_graph.pages.labels import Labeller, Text, kind_label, lang_of, pick, sort_key
from hamar_graph.pages.long_lists import outgoing_facts, page_of, with_totals
from hamar_graph.pages.ontology_doc import Vocabulary
from hamar_graph.pages.values import (
    SKOLEM,
    Grouped,
    Link,
    PropertyRow,
    Value,
    external_label,
    make_link,
    rows,
)
from hamar_graph.query import named as queries
from hamar_graph.rdf.names import local_name, local_path
from hamar_graph.store.base import Store


class NotFound(LookupError):
    """The graph says nothing about this IRI."""


#: Properties shown in their own sections, not in the property table.
_OWN_SECTIONS = {
    RDF.type,
    SKOS.prefLabel,
    RDFS.label,
    HMS.text,
    HMS.textTranslation,
    HMS.fromSection,
}


#: Properties whose external objects are listed as external links.
_EXTERNAL = {OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch, HMS.homepage, FOAF.homepage}


@dataclass(frozen=True)
class PageWarning:
    """A validation warning on this resource (what the plan leaves open)."""

    code: str
    message: Text


@dataclass(frozen=True)
class DataSection:
    """The data behind a page, for the technically minded: the IRI, the classes, and the
    statements about the data's own bookkeeping (row order, versions, named graphs)."""

    iri: str
    types: tuple[Link, ...] = ()
    rows: tuple[PropertyRow, ...] = ()
    incoming: tuple[PropertyRow, ...] = ()


@dataclass(frozen=True)
class EntityPage:
    """Everything the entity page shows, in the chosen language.

    .. versionadded:: 0.1
    .. versionchanged:: 0.3
       ``data``, ``readings``, ``title_reading``, ``deprecated`` and ``replaced_by``; a fact
       is in ``properties`` or ``incoming``, not both.
    """

    iri: str
    path: str
    lang: str
    kind: str
    kind_label: str
    title: Text
    types: tuple[Link, ...]
    texts: tuple[Text, ...]
    properties: tuple[PropertyRow, ...]
    incoming: tuple[PropertyRow, ...]
    breadcrumbs: tuple[tuple[Link, ...], ...]
    sections: tuple[Link, ...]
    external: tuple[Link, ...]
    warnings: tuple[PageWarning, ...]
    jsonld: str
    data: DataSection | None = None
    readings: tuple[ReadingNote, ...] = ()
    title_reading: ReadingNote | None = None
    deprecated: bool = False
    replaced_by: tuple[Link, ...] = ()
    outgoing_iris: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1  #: which slice of the long lists this page shows (``?side=``)
    pages: int = 1

    @property
    def prev_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None

    def values_of(self, predicate: str) -> tuple[str, ...]:
        """The IRIs this resource links to with ``predicate`` (for the specialised views)."""
        return self.outgoing_iris.get(predicate, ())


def kind_of(iri: str, base: str) -> str:
    """The kind segment of ``{base}id/{kind}/{slug}`` (``""`` when there is none)."""
    rest = iri[len(base) :] if iri.startswith(base) else ""
    parts = rest.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "id" else ""


def exists(store: Store, iri: str) -> bool:
    """Whether the graph mentions ``iri`` at all."""
    return store.ask(queries.EXISTS, {"s": URIRef(iri)})


def is_valid_iri(iri: str) -> bool:
    """Whether ``iri`` is an IRI at all (RFC 3987); a request path turned into one may not be.

    Checked with Oxigraph's own IRI parser, the strictest of our engines.
    """
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def describe_graph(store: Store, iri: str) -> Graph:
    """The RDF description of ``iri``: outgoing triples (with blank-node closure) and
    incoming triples.

    :raises NotFound: when the graph says nothing about ``iri``.
    """
    if not is_valid_iri(iri):  # a request path can hold what no IRI may (RFC 3987)
        raise NotFound(iri)
    graph = store.construct(queries.DESCRIBE, {"s": URIRef(iri)})
    if len(graph) == 0:
        raise NotFound(iri)
    return graph


def _breadcrumbs(
    store: Store, iri: str, self_link: Link, base: str, lang: str, kind: str, labeller: Labeller
) -> tuple[tuple[Link, ...], ...]:
    paths: set[tuple[Link, ...]] = set()
    rows = store.select(queries.BREADCRUMBS, {"s": URIRef(iri)})
    labels: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for row in rows:
        for var, lvar in (("doc", "doclabel"), ("axis", "axislabel"), ("goal", "goallabel")):
            if var in row and lvar in row:
                labels[(var, str(row[var]))].append(row[lvar])
    for row in rows:
        path: list[Link] = []
        for var in ("doc", "axis", "goal"):
            if var in row and str(row[var]) != iri:
                path.append(make_link(row[var], labels[(var, str(row[var]))], base, lang, labeller))
        paths.add((*path, self_link))
    if not paths:
        index = Link(base + f"id/{kind}/", f"/id/{kind}/", Text(kind_label(kind, lang), lang))
        return ((index, self_link),) if kind else ((self_link,),)
    return tuple(sorted(paths, key=lambda p: [sort_key(link.label.value) for link in p]))


def _jsonld(iri: str, vocab: Vocabulary, types: list[Node], outgoing: Grouped) -> str:
    doc: dict[str, object] = {
        "@context": "https://schema.org/",
        "@id": iri,
        "@type": vocab.schema_type(types),
        "url": iri,
    }

    def literals(*predicates: URIRef) -> list[dict[str, str]]:
        # sorted, so the page is the same bytes whatever order the engine returned
        return sorted(
            (
                {"@value": str(o), "@language": o.language}
                for p in predicates
                for o in outgoing.get(p, {})
                if isinstance(o, Literal)
            ),
            key=lambda v: (str(v["@language"]), str(v["@value"])),
        )

    if names := literals(SKOS.prefLabel):
        doc["name"] = names
    if texts := literals(HMS.text, HMS.textTranslation):
        doc["description"] = texts
    same = sorted(str(o) for p in _EXTERNAL for o in outgoing.get(p, {}) if isinstance(o, URIRef))
    if same:
        doc["sameAs"] = same
    lat = next(iter(outgoing.get(GEO.lat, {})), None)
    long = next(iter(outgoing.get(GEO.long, {})), None)
    if lat is not None and long is not None:
        doc["geo"] = {"@type": "GeoCoordinates", "latitude": str(lat), "longitude": str(long)}
    sections = sorted(str(o) for o in outgoing.get(HMS.fromSection, {}))
    if sections:
        doc["isBasedOn"] = sections
    text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)
    # Safe inside <script type="application/ld+json">: no "</script>", no "<!--".
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _title(outgoing: Grouped, incoming: Grouped, iri: str, lang: str) -> Text:
    """The preferred label; for things without one (named graphs, versions, skolem IRIs)
    their title, notation or what they are a version or part of."""
    for predicate in (SKOS.prefLabel, DCTERMS.title, SKOS.notation):
        found = pick(list(outgoing.get(predicate, {})), lang)
        if found:
            return found
    for predicate in (OWL.versionIRI, OWL.priorVersion):
        for subject, labels in incoming.get(predicate, {}).items():
            name = pick(labels, lang) or Text(local_name(str(subject)))
            return Text(
                i18n.text("page.version_of", lang, name=name.value, version=local_name(iri)), lang
            )
    if SKOLEM in iri:
        for subjects in incoming.values():
            for subject, labels in sorted(subjects.items(), key=lambda kv: str(kv[0])):
                name = pick(labels, lang) or Text(local_name(str(subject)))
                return Text(i18n.text("page.part_of", lang, name=name.value), lang)
    return Text(local_name(iri))


def describe(
    store: Store,
    iri: str,
    *,
    base: str,
    lang: str,
    vocab: Vocabulary,
    gaps: PlanGaps | None = None,
    page: int = 1,
    page_size: int = 0,
) -> EntityPage:
    """Build the page of ``iri`` in ``lang`` with three queries.

    A list that grows (a property with more than ``page_size`` values, such as the
    resources that mention a place) shows its ``page``-th slice of ``page_size`` values;
    shorter ones are shown in full on every page. ``page_size`` 0 shows everything.

    :param store: the store to ask.
    :param iri: the resource.
    :param base: the deployment's base IRI (links to IRIs under it become local paths).
    :param lang: ``nb`` or ``en``.
    :param vocab: the ontology, for class and property labels.
    :param gaps: the plan's gaps, for the page's warnings.
    :raises NotFound: when the graph says nothing about ``iri``.
    """
    if not is_valid_iri(iri):
        raise NotFound(iri)
    subject = URIRef(iri)
    incoming_rows = store.select(queries.ENTITY_INCOMING, {"s": subject})
    said = outgoing_facts(store, subject, incoming_rows, page, page_size)
    outgoing, long = said.values, said.long
    if not outgoing and not incoming_rows:
        raise NotFound(iri)

    notes = reading_notes(incoming_rows, base, lang)
    incoming: Grouped = defaultdict(dict)
    for row in incoming_rows:
        labels = incoming[URIRef(str(row["p"]))].setdefault(row["x"], [])
        if "xlabel" in row and row["xlabel"] not in labels:
            labels.append(row["xlabel"])

    labeller = vocab.labeller()
    backward = inverse_map(
        (term, other) for term in vocab.statements for other in vocab.values(term, OWL.inverseOf)
    )
    path = local_path(iri, base, PAGE_ROOTS) or iri
    kind = kind_of(iri, base)
    title = _title(outgoing, incoming, iri, lang)
    type_nodes = sorted(outgoing.get(RDF.type, {}), key=str)
    types = tuple(
        Link(
            str(t),
            (local_path(str(t), base) if vocab.is_local(t) else None) or str(t),
            Text(labeller.term(t, lang), lang),
            external=not vocab.is_local(t),
            plain=not vocab.is_local(t),
        )
        for t in type_nodes
    )
    texts = tuple(
        sorted(
            (
                Text(str(o), lang_of(o))
                for p in (HMS.text, HMS.textTranslation)
                for o in outgoing.get(p, {})
                if isinstance(o, Literal)
            ),
            key=lambda t: (t.lang != lang, t.lang or "", t.value),
        )
    )
    sections = tuple(
        sorted(
            (
                make_link(o, labels, base, lang, labeller)
                for o, labels in outgoing.get(HMS.fromSection, {}).items()
            ),
            key=lambda link: (sort_key(link.label.value), link.iri),
        )
    )
    external = tuple(
        sorted(
            {
                make_link(o, [], base, lang, labeller)
                for p in _EXTERNAL
                for o in outgoing.get(p, {})
                if isinstance(o, URIRef) and local_path(str(o), base) is None
            },
            key=lambda link: (link.label.value, link.iri),
        )
    )
    deprecated = any(
        isinstance(o, Literal) and o.toPython() is True for o in outgoing.get(OWL.deprecated, {})
    )
    replaced_by = tuple(
        sorted(
            (
                make_link(o, labels, base, lang, labeller)
                for o, labels in outgoing.get(DCTERMS.isReplacedBy, {}).items()
            ),
            key=lambda link: sort_key(link.label.value),
        )
    )

    facts = sort_facts(
        subject,
        outgoing,
        incoming,
        notes,
        backward,
        base,
        hidden={*_OWN_SECTIONS, *((OWL.deprecated, DCTERMS.isReplacedBy) if deprecated else ())},
        external=_EXTERNAL,
        elsewhere=said.elsewhere,
    )
    title_reading = next(
        (
            n
            for n in notes.values()
            if n.asserted
            and n.key[1] == SKOS.prefLabel
            and n.key[2] == Literal(title.value, lang=title.lang)
        ),
        None,
    )
    self_link = Link(iri, path, title)
    codes = gaps.for_item(iri) if gaps is not None else ()
    properties = with_totals(rows(facts.main, labeller, lang, base, vocab, facts.marks), long)
    linked_here = rows(facts.main_in, labeller, lang, base, vocab, facts.in_marks)
    longest = max((r.total or len(r.values) for r in properties + linked_here), default=0)
    pages = max(1, -(-longest // page_size)) if page_size > 0 else 1
    page = min(max(1, page), pages)
    if pages > 1:
        properties, linked_here = (
            page_of(properties, page, page_size),
            page_of(linked_here, page, page_size),
        )
    return EntityPage(
        iri=iri,
        path=path,
        lang=lang,
        kind=kind,
        kind_label=kind_label(kind, lang),
        title=title,
        types=types,
        texts=texts,
        properties=properties,
        incoming=linked_here,
        breadcrumbs=_breadcrumbs(store, iri, self_link, base, lang, kind, labeller),
        sections=sections,
        external=external,
        warnings=tuple(PageWarning(code, message(code, lang)) for code in codes),
        jsonld=_jsonld(iri, vocab, list(type_nodes), outgoing),
        data=DataSection(
            iri=iri,
            types=tuple(
                Link(str(t), link.href, link.label, link.external, link.plain)
                for t, link in zip(type_nodes, types, strict=True)
            ),
            rows=with_totals(rows(facts.data, labeller, lang, base, vocab), long),
            incoming=rows(facts.data_in, labeller, lang, base, vocab),
        ),
        readings=tuple(
            sorted(notes.values(), key=lambda n: (not n.asserted, sort_key(n.label.value)))
        ),
        title_reading=title_reading,
        deprecated=deprecated,
        replaced_by=replaced_by,
        outgoing_iris={
            str(p): tuple(sorted(str(o) for o in objs if isinstance(o, URIRef)))
            for p, objs in outgoing.items()
        },
        page=page,
        pages=pages,
    )


__all__ = [
    "DataSection",
    "EntityPage",
    "Link",
    "NotFound",
    "PageWarning",
    "PropertyRow",
    "Value",
    "describe",
    "describe_graph",
    "exists",
    "external_label",
    "is_valid_iri",
    "kind_of",
    "make_link",
]
