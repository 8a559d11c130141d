"""Values on a page: links named by their labels, literals with their language, and rows
of a property under its label in words with all its values.

Shared by the resource pages (:mod:`hamar_graph.pages.entity`) and their views.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.pages.facts import PAGE_ROOTS, ReadingNote
from hamar_graph.pages.labels import Labeller, Text, lang_of, pick, sort_key
from hamar_graph.pages.ontology_doc import Vocabulary
from hamar_graph.rdf.names import local_name, local_path

#: The path of skolem IRIs: nodes the sources wrote without a name.
SKOLEM = "/.well-known/genid/"

#: Property → object → the object's labels, as a page's queries return them.
Grouped = dict[URIRef, dict[Node, list[Node]]]


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
    total: int = 0  #: how many values the property has, when ``values`` is one page of them


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


def literal_text(value: Literal, lang: str) -> Text:
    if value.datatype == XSD.boolean:
        yes = value.toPython() is True
        word = (
            i18n.text("page.boolean_true", lang) if yes else i18n.text("page.boolean_false", lang)
        )
        return Text(word, lang)
    return Text(str(value), lang_of(value))


def rows(
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
                text = literal_text(obj, lang)
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
