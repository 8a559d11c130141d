"""Describe one resource: the :class:`EntityPage` behind every ``/id/...`` page (and the
pages of named graphs, shapes and skolem IRIs), and the RDF description behind its
Turtle, N-Triples, JSON-LD and RDF/XML.

A page costs three queries whatever the resource links to: outgoing statements with the
names of their objects, incoming statements with the names of their subjects (and, for
statements of readings, what they say), and the breadcrumb paths (strategy → axis →
goal). Class and property labels come from the :class:`~hamar_graph.ontology_doc.Vocabulary`
and the plan warnings from :class:`~hamar_graph.gaps.PlanGaps`, both built once per app.

Staff read facts, not terms: every property under a label in words, each fact once
(a statement and its inverse are one fact, :mod:`hamar_graph.pages.facts`), statements
that are our reading of the source marked as such, and the data's bookkeeping (named
graphs, the ontology, row order, class IRIs) in a "Data" section of its own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.namespaces import GEO, HMS
from hamar_graph.pages.facts import (
    PAGE_ROOTS,
    TECHNICAL_PROPERTIES,
    FactKey,
    ReadingNote,
    converse_keys,
    fact_key,
    inverse_map,
    is_technical,
)
from hamar_graph.pages.gaps import PlanGaps, message
from hamar_graph.pages.labels import Labeller, Text, kind_label, lang_of, pick, sort_key
from hamar_graph.pages.ontology_doc import Vocabulary
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

#: The path of skolem IRIs: nodes the sources wrote without a name.
SKOLEM = "/.well-known/genid/"

#: Incoming statements shown elsewhere: a reading's statements in the readings section.
_READING_LINKS = {RDF.subject, RDF.object}


@dataclass(frozen=True)
class Link:
    """A linked resource: where to go and what to call it.

    ``plain`` is a vocabulary term (``xsd:string``, ``sh:Warning``) shown by its label,
    not linked.
    """

    iri: str
    href: str
    label: Text
    external: bool = False
    plain: bool = False


@dataclass(frozen=True)
class Value:
    """One value of a property: a link, or a literal with its language; ``reading`` is the
    statement of a reading this value rests on (the page marks it "tolkning")."""

    link: Link | None = None
    text: Text | None = None
    reading: ReadingNote | None = None


@dataclass(frozen=True)
class PropertyRow:
    """A property under its human label, with all its values."""

    iri: str
    label: str
    href: str | None
    values: tuple[Value, ...]


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


_EXTERNAL_SITES = {
    "www.wikidata.org": "Wikidata",
    "wikidata.org": "Wikidata",
    "sws.geonames.org": "GeoNames",
    "www.geonames.org": "GeoNames",
    "data.geonorge.no": "Geonorge",
}


def external_label(iri: str) -> str:
    """``Wikidata: Q2167`` for known sites, else the host and path."""
    parts = urlsplit(iri)
    site = _EXTERNAL_SITES.get(parts.netloc)
    if site:
        return f"{site}: {local_name(iri)}"
    return f"{parts.netloc}{parts.path}".rstrip("/") or iri


def make_link(iri: Node, labels: list[Node], base: str, lang: str, labeller: Labeller) -> Link:
    """A link to ``iri`` named by its label in ``lang``: a page of ours, a vocabulary term
    (its label in words, not linked), or an outside page (its site and identifier)."""
    text = str(iri)
    path = local_path(text, base, PAGE_ROOTS)
    label = pick(labels, lang)
    if path is not None:
        if label is None and labeller.has(iri):
            label = Text(labeller.term(iri, lang), lang)
        if label is None and path.startswith(SKOLEM):
            label = Text(i18n.text("page.unnamed", lang), lang)
        return Link(text, path, label or Text(local_name(text)))
    if labeller.has(iri):
        named = Text(labeller.term(iri, lang), lang)
        linked = text.startswith(("http://publications.europa.eu/", "https://www.w3.org/TR/"))
        return Link(text, text, named, external=True, plain=not linked)
    return Link(text, text, label or Text(external_label(text)), external=True)


def _literal_text(value: Literal, lang: str) -> Text:
    if value.datatype == XSD.boolean:
        yes = value.toPython() is True
        word = (
            i18n.text("page.boolean_true", lang) if yes else i18n.text("page.boolean_false", lang)
        )
        return Text(word, lang)
    return Text(str(value), lang_of(value))


Grouped = dict[URIRef, dict[Node, list[Node]]]


def _rows(
    grouped: Grouped,
    labeller: Labeller,
    lang: str,
    base: str,
    vocab: Vocabulary,
    marks: dict[tuple[URIRef, Node], ReadingNote] | None = None,
) -> tuple[PropertyRow, ...]:
    rows = []
    for predicate, objects in grouped.items():
        values: list[tuple[tuple[int, tuple[str, str], str], Value]] = []
        # The same words in two languages ("HrU"@nb, "HrU"@en) are shown once.
        literals = sorted(
            (o for o in objects if isinstance(o, Literal)), key=lambda o: lang_of(o) != lang
        )
        shown: set[str] = set()
        duplicates = set()
        for obj in literals:
            if str(obj) in shown:
                duplicates.add(obj)
            shown.add(str(obj))
        for obj, labels in objects.items():
            mark = (marks or {}).get((predicate, obj))
            if obj in duplicates:
                continue
            if isinstance(obj, Literal):
                text = _literal_text(obj, lang)
                first = 0 if text.lang in (None, lang) else 1
                key = (first, sort_key(text.value), obj.n3())
                values.append((key, Value(text=text, reading=mark)))
            elif isinstance(obj, URIRef):
                link = make_link(obj, labels, base, lang, labeller)
                key = (0, sort_key(link.label.value), obj.n3())
                values.append((key, Value(link=link, reading=mark)))
        if not values:
            continue
        href = local_path(str(predicate), base) if vocab.is_local(predicate) else None
        rows.append(
            PropertyRow(
                str(predicate),
                labeller.term(predicate, lang),
                href,
                tuple(v for _, v in sorted(values, key=lambda pair: pair[0])),
            )
        )
    return tuple(sorted(rows, key=lambda r: (sort_key(r.label), r.iri)))


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


def _readings(
    rows: list[dict[str, Node]], base: str, lang: str
) -> tuple[dict[str, ReadingNote], dict[str, list[Node]]]:
    """The statements of readings about this resource, by statement IRI, and their names."""
    names: dict[str, list[Node]] = defaultdict(list)
    reading_names: dict[str, list[Node]] = defaultdict(list)
    for row in rows:
        if "reading" in row:
            st = str(row["x"])
            if "xlabel" in row and row["xlabel"] not in names[st]:
                names[st].append(row["xlabel"])
            if "readinglabel" in row and row["readinglabel"] not in reading_names[st]:
                reading_names[st].append(row["readinglabel"])
    notes: dict[str, ReadingNote] = {}
    for row in rows:
        if "reading" not in row or str(row["x"]) in notes:
            continue
        st, reading = str(row["x"]), str(row["reading"])
        asserted = "asserted" not in row or row["asserted"].toPython() is not False  # type: ignore[union-attr]
        notes[st] = ReadingNote(
            iri=st,
            href=local_path(st, base, PAGE_ROOTS) or st,
            label=pick(names[st], lang) or Text(local_name(st)),
            reading_href=local_path(reading, base, PAGE_ROOTS),
            reading_label=pick(reading_names[st], lang),
            asserted=asserted,
            key=(row["sts"], URIRef(str(row["stp"])), row["sto"]),
        )
    return notes, reading_names


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
) -> EntityPage:
    """Build the page of ``iri`` in ``lang`` with three queries.

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
    outgoing: Grouped = defaultdict(dict)
    for row in store.select(queries.ENTITY_OUTGOING, {"s": subject}):
        labels = outgoing[URIRef(str(row["p"]))].setdefault(row["o"], [])
        if "olabel" in row and row["olabel"] not in labels:
            labels.append(row["olabel"])
    incoming_rows = store.select(queries.ENTITY_INCOMING, {"s": subject})
    if not outgoing and not incoming_rows:
        raise NotFound(iri)

    notes, _ = _readings(incoming_rows, base, lang)
    incoming: Grouped = defaultdict(dict)
    for row in incoming_rows:
        labels = incoming[URIRef(str(row["p"]))].setdefault(row["x"], [])
        if "xlabel" in row and row["xlabel"] not in labels:
            labels.append(row["xlabel"])

    labeller = vocab.labeller()
    backward = inverse_map(
        (term, other) for term in vocab.statements for other in vocab.values(term, OWL.inverseOf)
    )
    marks_by_key: dict[FactKey, ReadingNote] = {}
    for note in notes.values():
        if note.asserted:
            marks_by_key[fact_key(*note.key, backward)] = note

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

    # Each fact once: outgoing first (stated and implied directions), then incoming.
    technical_page = is_technical(iri, base)
    seen: set[FactKey] = set()
    main: Grouped = defaultdict(dict)
    data_rows: Grouped = defaultdict(dict)
    marks: dict[tuple[URIRef, Node], ReadingNote] = {}
    order = sorted(outgoing, key=lambda p: (p in backward or p == SKOS.topConceptOf, str(p)))
    for p in order:
        if p in _OWN_SECTIONS or (deprecated and p in (OWL.deprecated, DCTERMS.isReplacedBy)):
            continue
        for o, labels in outgoing[p].items():
            if p in _EXTERNAL and isinstance(o, URIRef) and not str(o).startswith(base):
                continue
            key = fact_key(subject, p, o, backward)
            if key in seen:
                continue
            seen.add(key)
            seen.update(converse_keys(subject, p, o, backward))
            if key in marks_by_key:
                marks[(p, o)] = marks_by_key[key]
            technical = p in TECHNICAL_PROPERTIES or (
                isinstance(o, URIRef) and is_technical(str(o), base)
            )
            target = data_rows if technical and not technical_page else main
            target[p][o] = labels
    main_in: Grouped = defaultdict(dict)
    data_in: Grouped = defaultdict(dict)
    in_marks: dict[tuple[URIRef, Node], ReadingNote] = {}
    for p, subjects in incoming.items():
        for x, labels in subjects.items():
            if p in _READING_LINKS and str(x) in notes:
                continue
            key = fact_key(x, p, subject, backward)
            if key in seen:
                continue
            seen.add(key)
            if key in marks_by_key:
                in_marks[(p, x)] = marks_by_key[key]
            technical = is_technical(str(x), base) and not technical_page
            (data_in if technical else main_in)[p][x] = labels

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
    return EntityPage(
        iri=iri,
        path=path,
        lang=lang,
        kind=kind,
        kind_label=kind_label(kind, lang),
        title=title,
        types=types,
        texts=texts,
        properties=_rows(main, labeller, lang, base, vocab, marks),
        incoming=_rows(main_in, labeller, lang, base, vocab, in_marks),
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
            rows=_rows(data_rows, labeller, lang, base, vocab),
            incoming=_rows(data_in, labeller, lang, base, vocab),
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
    )
