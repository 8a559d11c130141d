"""Describe one resource: the :class:`EntityPage` behind every ``/id/...`` page,
and the RDF description behind its Turtle, N-Triples, JSON-LD and RDF/XML.

A page costs three queries whatever the resource links to: outgoing statements
with the labels of their objects, incoming statements with the labels of their
subjects, and the breadcrumb paths (strategy → axis → goal). Class and property
labels come from the :class:`~hamar_graph.pages.ontology_doc.Vocabulary` and the plan
warnings from :class:`~hamar_graph.pages.gaps.PlanGaps`, both built once per app.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.namespaces import GEO, HMS
from hamar_graph.pages.gaps import PlanGaps, message
from hamar_graph.pages.labels import Text, kind_label, lang_of, pick, sort_key
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


@dataclass(frozen=True)
class Link:
    """A linked resource: where to go and what to call it."""

    iri: str
    href: str
    label: Text
    external: bool = False


@dataclass(frozen=True)
class Value:
    """One value of a property: a link, or a literal with its language."""

    link: Link | None = None
    text: Text | None = None


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
class EntityPage:
    """Everything the entity page shows, in the chosen language.

    .. versionadded:: 0.1
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


def _link(iri: Node, labels: list[Node], base: str, lang: str) -> Link:
    text = str(iri)
    path = local_path(text, base)
    if path is None:
        return Link(text, text, Text(external_label(text)), external=True)
    label = pick(labels, lang) or Text(local_name(text))
    return Link(text, path, label)


def _literal_text(value: Literal, lang: str) -> Text:
    if value.datatype == XSD.boolean:
        yes = value.toPython() is True
        word = (
            i18n.text("page.boolean_true", lang) if yes else i18n.text("page.boolean_false", lang)
        )
        return Text(word, lang)
    return Text(str(value), lang_of(value))


def _rows(
    grouped: dict[URIRef, dict[Node, list[Node]]],
    vocab: Vocabulary,
    labeller_lang: str,
    base: str,
) -> tuple[PropertyRow, ...]:
    labeller = vocab.labeller()
    rows = []
    for predicate, objects in grouped.items():
        values: list[tuple[tuple[int, tuple[str, str], str], Value]] = []
        for obj, labels in objects.items():
            if isinstance(obj, Literal):
                text = _literal_text(obj, labeller_lang)
                first = 0 if text.lang in (None, labeller_lang) else 1
                values.append(((first, sort_key(text.value), obj.n3()), Value(text=text)))
            elif isinstance(obj, URIRef):
                link = _link(obj, labels, base, labeller_lang)
                values.append(((0, sort_key(link.label.value), obj.n3()), Value(link=link)))
        if not values:
            continue
        href = local_path(str(predicate), base) if vocab.is_local(predicate) else None
        rows.append(
            PropertyRow(
                str(predicate),
                labeller.term(predicate, labeller_lang),
                href,
                tuple(v for _, v in sorted(values, key=lambda pair: pair[0])),
            )
        )
    return tuple(sorted(rows, key=lambda r: (sort_key(r.label), r.iri)))


def _breadcrumbs(
    store: Store, iri: str, self_link: Link, base: str, lang: str, kind: str
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
                path.append(_link(row[var], labels[(var, str(row[var]))], base, lang))
        paths.add((*path, self_link))
    if not paths:
        index = Link(base + f"id/{kind}/", f"/id/{kind}/", Text(kind_label(kind, lang), lang))
        return ((index, self_link),) if kind else ((self_link,),)
    return tuple(sorted(paths, key=lambda p: [sort_key(link.label.value) for link in p]))


def _jsonld(
    iri: str,
    path: str,
    vocab: Vocabulary,
    types: list[Node],
    outgoing: dict[URIRef, dict[Node, list[Node]]],
) -> str:
    doc: dict[str, object] = {
        "@context": "https://schema.org/",
        "@id": iri,
        "@type": vocab.schema_type(types),
        "url": iri,
    }
    # sorted, so the page is the same bytes whatever order the engine returned
    names = sorted(
        (
            {"@value": str(o), "@language": o.language}
            for o in outgoing.get(SKOS.prefLabel, {})
            if isinstance(o, Literal)
        ),
        key=lambda v: (str(v["@language"]), str(v["@value"])),
    )
    if names:
        doc["name"] = names
    texts = sorted(
        (
            {"@value": str(o), "@language": o.language}
            for p in (HMS.text, HMS.textTranslation)
            for o in outgoing.get(p, {})
            if isinstance(o, Literal)
        ),
        key=lambda v: (str(v["@language"]), str(v["@value"])),
    )
    if texts:
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
    outgoing: dict[URIRef, dict[Node, list[Node]]] = defaultdict(dict)
    for row in store.select(queries.OUTGOING, {"s": subject}):
        labels = outgoing[URIRef(str(row["p"]))].setdefault(row["o"], [])
        if "olabel" in row:
            labels.append(row["olabel"])
    incoming_rows = store.select(queries.INCOMING, {"s": subject})
    if not outgoing and not incoming_rows:
        raise NotFound(iri)

    incoming: dict[URIRef, dict[Node, list[Node]]] = defaultdict(dict)
    for row in incoming_rows:
        labels = incoming[URIRef(str(row["p"]))].setdefault(row["x"], [])
        if "xlabel" in row:
            labels.append(row["xlabel"])

    labeller = vocab.labeller()
    path = local_path(iri, base) or iri
    kind = kind_of(iri, base)
    title = pick(list(outgoing.get(SKOS.prefLabel, {})), lang) or Text(local_name(iri))
    type_nodes = sorted(outgoing.get(RDF.type, {}), key=str)
    types = tuple(
        Link(
            str(t),
            (local_path(str(t), base) if vocab.is_local(t) else None) or str(t),
            Text(labeller.term(t, lang), lang),
            external=not vocab.is_local(t),
        )
        for t in type_nodes
    )
    texts_by_pred = [
        Text(str(o), lang_of(o))
        for p in (HMS.text, HMS.textTranslation)
        for o in outgoing.get(p, {})
        if isinstance(o, Literal)
    ]
    texts = tuple(sorted(texts_by_pred, key=lambda t: (t.lang != lang, t.lang or "", t.value)))
    sections = tuple(
        sorted(
            (
                _link(o, labels, base, lang)
                for o, labels in outgoing.get(HMS.fromSection, {}).items()
            ),
            key=lambda link: (sort_key(link.label.value), link.iri),
        )
    )
    external = tuple(
        sorted(
            {
                _link(o, [], base, lang)
                for p in _EXTERNAL
                for o in outgoing.get(p, {})
                if isinstance(o, URIRef) and local_path(str(o), base) is None
            },
            key=lambda link: (link.label.value, link.iri),
        )
    )
    table = {
        p: {o: labels for o, labels in objects.items() if not _is_external(p, o, base)}
        for p, objects in outgoing.items()
        if p not in _OWN_SECTIONS
    }
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
        properties=_rows(table, vocab, lang, base),
        incoming=_rows(incoming, vocab, lang, base),
        breadcrumbs=_breadcrumbs(store, iri, self_link, base, lang, kind),
        sections=sections,
        external=external,
        warnings=tuple(PageWarning(code, message(code, lang)) for code in codes),
        jsonld=_jsonld(iri, path, vocab, list(type_nodes), outgoing),
    )


def _is_external(predicate: URIRef, obj: Node, base: str) -> bool:
    return predicate in _EXTERNAL and isinstance(obj, URIRef) and not str(obj).startswith(base)
