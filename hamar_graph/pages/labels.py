"""Human labels: picking a label in a language, labels of standard terms, sorting, paths.

Pages show resources and properties by their labels, never by IRI. This module
holds the small, query-free helpers for that:

- :func:`pick` chooses the literal in the wanted language (falling back to
  Norwegian, then any language);
- :func:`standard_labels` names the standard-vocabulary terms our data uses
  (``skos:prefLabel``, ``owl:sameAs`` …), which the ontology does not label (their
  words are in the interface table, :mod:`hamar_graph.i18n`), and :func:`other_labels`
  the other IRIs the data links to (EU authority tables, standards);
- :func:`humanise` turns a term's local name into words, for a term nobody labelled;
- :func:`sort_key` sorts Norwegian text with æ, ø, å after z;
- :func:`normalise` folds text for search (æ→ae, ø→o, å→a, accents stripped);
- :func:`local_path` maps an IRI under the base to the path the server answers on.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.folding import normalise as normalise
from hamar_graph.folding import sort_key as sort_key
from hamar_graph.i18n import DEFAULT_LANGUAGE as DEFAULT_LANGUAGE
from hamar_graph.i18n import LANGUAGES as LANGUAGES
from hamar_graph.namespaces import PREFIXES
from hamar_graph.rdf.names import prefixed_name


@dataclass(frozen=True)
class Text:
    """A piece of text and its language (``None`` when the literal has none)."""

    value: str
    lang: str | None = None

    def __str__(self) -> str:
        return self.value


def lang_of(literal: Literal) -> str | None:
    """The primary language of a literal: ``nb`` for ``nb-NO``, ``None`` when untagged."""
    if literal.language:
        return literal.language.split("-")[0].lower()
    return None


def pick(values: Iterable[Node], lang: str) -> Text | None:
    """Choose the literal in ``lang``; else Norwegian; else untagged; else any.

    :param values: candidate terms; non-literals are ignored.
    :param lang: the wanted language (``nb`` or ``en``).
    :returns: the chosen text, or ``None`` when there is no literal.
    """
    by_lang: dict[str | None, list[str]] = {}
    for value in values:
        if isinstance(value, Literal):
            by_lang.setdefault(lang_of(value), []).append(str(value))
    for wanted in (lang, DEFAULT_LANGUAGE, None):
        if wanted in by_lang:
            return Text(sorted(by_lang[wanted])[0], wanted)
    if by_lang:
        first = sorted(by_lang, key=lambda k: k or "")[0]
        return Text(sorted(by_lang[first])[0], first)
    return None


def pick_text(values: Iterable[tuple[str, str | None]], lang: str) -> tuple[str, str | None]:
    """As :func:`pick`, over ``(text, language)`` pairs; the first pair when none is in
    ``lang``, Norwegian or untagged.

    :raises IndexError: when ``values`` is empty.
    """
    pairs = list(values)
    for wanted in (lang, DEFAULT_LANGUAGE, None):
        chosen = sorted(p for p in pairs if p[1] == wanted)
        if chosen:
            return chosen[0]
    return pairs[0]


@functools.cache
def standard_labels() -> dict[URIRef, dict[str, str]]:
    """Labels of standard-vocabulary terms the data uses and the ontology does not label
    (section ``terms`` of the interface table, keyed there by prefixed name)."""
    labels: dict[URIRef, dict[str, str]] = {}
    for name, texts in i18n.section("terms").items():
        prefix, _, local = name.partition(":")
        labels[URIRef(PREFIXES[prefix] + local)] = texts
    return labels


@functools.cache
def other_labels() -> dict[URIRef, dict[str, str]]:
    """Labels of other IRIs the data links to (EU authority tables, standards, terms of
    vocabularies without a prefix): section ``labels`` of the interface table, by full IRI."""
    return {URIRef(iri): texts for iri, texts in i18n.section("labels").items()}


def humanise(iri: str) -> str:
    """Words from a term's local name: ``unitOf`` → ``unit of``, ``has_part`` → ``has part``.

    >>> humanise("http://www.w3.org/ns/org#unitOf")
    'unit of'
    """
    name = iri.rstrip("/#")
    for sep in ("#", "/"):
        name = name.rsplit(sep, 1)[-1]
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in name.replace("_", " "))
    return " ".join(spaced.split()) or iri


def kinds() -> tuple[str, ...]:
    """The kinds of things (first path segment after ``id/``, as in docs/MODEL.md), in
    the order the index pages list them."""
    return tuple(i18n.section("kinds"))


def kind_label(kind: str, lang: str) -> str:
    """The heading of the index page of ``kind`` (the slug itself when unknown)."""
    try:
        return i18n.text(f"kinds.{kind}", lang)
    except KeyError:
        return kind


class Labeller:
    """Labels of vocabulary terms (classes, properties), built once per app.

    :param labels: term → language → label, from the ontology.
    """

    def __init__(self, labels: Mapping[URIRef, Mapping[str, str]]) -> None:
        self._labels = {
            **other_labels(),
            **standard_labels(),
            **{k: dict(v) for k, v in labels.items()},
        }

    def term(self, iri: Node, lang: str) -> str:
        """The label of a class or property, in ``lang`` if there is one; words made from
        its local name when nobody labelled it (never a prefixed name)."""
        labels = self._labels.get(URIRef(str(iri)), {})
        return labels.get(lang) or labels.get(DEFAULT_LANGUAGE) or humanise(str(iri))

    def prefixed(self, iri: Node) -> str:
        """The prefixed name of ``iri`` (``skos:prefLabel``), or the IRI, for technical pages."""
        return prefixed_name(str(iri), fallback=str(iri))

    def has(self, iri: Node) -> bool:
        """Whether ``iri`` has a label of its own (ontology or standard)."""
        return URIRef(str(iri)) in self._labels


def labels_by(rows: Iterable[Mapping[str, Node]], key: str, label: str) -> dict[str, list[Node]]:
    """The values of column ``label`` per value of column ``key`` in query rows, each once
    and in row order (a thing's labels in every language, for :func:`pick`); a key without
    rows has none (``[]``)."""
    out: dict[str, list[Node]] = defaultdict(list)
    for row in rows:
        if key in row and label in row and row[label] not in out[str(row[key])]:
            out[str(row[key])].append(row[label])
    return out
