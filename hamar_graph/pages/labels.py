"""Human labels: picking a label in a language, labels of standard terms, sorting, paths.

Pages show resources and properties by their labels, never by IRI. This module
holds the small, query-free helpers for that:

- :func:`pick` chooses the literal in the wanted language (falling back to
  Norwegian, then any language);
- :data:`STANDARD_LABELS` names the standard-vocabulary terms our data uses
  (``skos:prefLabel``, ``owl:sameAs`` …), which the ontology does not label;
- :func:`sort_key` sorts Norwegian text with æ, ø, å after z;
- :func:`normalise` folds text for search (æ→ae, ø→o, å→a, accents stripped);
- :func:`local_path` maps an IRI under the base to the path the server answers on.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from hamar_graph.namespaces import ELI, GEO
from hamar_graph.rdf.names import prefixed_name

#: The languages pages are offered in; the first is the default.
LANGUAGES: tuple[str, ...] = ("nb", "en")


DEFAULT_LANGUAGE = "nb"


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


def _l(nb: str, en: str) -> dict[str, str]:
    return {"nb": nb, "en": en}


#: Labels of standard-vocabulary terms the data uses and the ontology does not label.
STANDARD_LABELS: dict[URIRef, dict[str, str]] = {
    RDF.type: _l("type", "type"),
    RDFS.label: _l("etikett", "label"),
    RDFS.comment: _l("kommentar", "comment"),
    RDFS.seeAlso: _l("se også", "see also"),
    RDFS.isDefinedBy: _l("definert i", "defined by"),
    SKOS.prefLabel: _l("navn", "name"),
    SKOS.altLabel: _l("alternativt navn", "alternative name"),
    SKOS.definition: _l("definisjon", "definition"),
    SKOS.notation: _l("nummer", "notation"),
    SKOS.inScheme: _l("i begrepssystem", "in scheme"),
    SKOS.topConceptOf: _l("toppbegrep i", "top concept of"),
    SKOS.hasTopConcept: _l("har toppbegrep", "has top concept"),
    SKOS.exactMatch: _l("samme som", "exact match"),
    SKOS.closeMatch: _l("nær samsvar med", "close match"),
    OWL.sameAs: _l("samme som", "same as"),
    DCTERMS.title: _l("tittel", "title"),
    DCTERMS.description: _l("beskrivelse", "description"),
    DCTERMS.publisher: _l("utgiver", "publisher"),
    DCTERMS.creator: _l("opphav", "creator"),
    DCTERMS.language: _l("språk", "language"),
    DCTERMS.license: _l("lisens", "licence"),
    DCTERMS.source: _l("kilde", "source"),
    DCTERMS.modified: _l("endret", "modified"),
    DCTERMS.created: _l("opprettet", "created"),
    DCTERMS.identifier: _l("identifikator", "identifier"),
    DCAT.startDate: _l("startår", "start year"),
    DCAT.endDate: _l("sluttår", "end year"),
    GEO.lat: _l("breddegrad", "latitude"),
    GEO.long: _l("lengdegrad", "longitude"),
    ELI.passed_by: _l("vedtatt av", "passed by"),
    ELI.number: _l("nummer", "number"),
    FOAF.homepage: _l("hjemmeside", "homepage"),
}


#: The kinds of things (first path segment after ``id/``), as in docs/MODEL.md.
KINDS: dict[str, dict[str, str]] = {
    "dokument": _l("Dokumenter", "Documents"),
    "seksjon": _l("Deler av kildedokumentet", "Sections of the source"),
    "vedtak": _l("Vedtak", "Adoptions"),
    "periode": _l("Perioder", "Periods"),
    "mal": _l("Overordnet mål", "Overall goal"),
    "resultat": _l("Ønskede resultater", "Intended results"),
    "akse": _l("Akser", "Axes"),
    "aksemal": _l("Mål for aksene", "Axis goals"),
    "hovedstrategi": _l("Hovedstrategier", "Main strategies"),
    "handlingsmal": _l("Mål i handlingsplanen", "Action-plan goals"),
    "tiltak": _l("Tiltak", "Measures"),
    "ansvarsomrade": _l("Ansvarsområder", "Areas of responsibility"),
    "aktor": _l("Aktører", "Actors"),
    "funksjon": _l("Funksjoner", "Functions"),
    "organisasjon": _l("Organisasjoner og samarbeidspartnere", "Organisations and partners"),
    "person": _l("Personer", "People"),
    "vennskapsby": _l("Vennskapsbyer", "Twin cities"),
    "sted": _l("Steder", "Places"),
    "land": _l("Land", "Countries"),
    "region": _l("Regioner", "Regions"),
    "nokkeltall": _l("Nøkkeltall", "Key figures"),
    "avtale": _l("Avtaler", "Agreements"),
    "program": _l("Programmer", "Programmes"),
    "strategi": _l("Strategier", "Strategies"),
    "plan": _l("Kommunale planer", "Municipal plans"),
    "tema": _l("Temaer", "Topics"),
    "arrangement": _l("Arrangementer", "Events"),
    "institusjon": _l("Institusjoner", "Institutions"),
}


def kind_label(kind: str, lang: str) -> str:
    """The heading of the index page of ``kind`` (the slug itself when unknown)."""
    labels = KINDS.get(kind)
    return labels[lang] if labels else kind


class Labeller:
    """Labels of vocabulary terms (classes, properties), built once per app.

    :param labels: term → language → label, from the ontology.
    """

    def __init__(self, labels: Mapping[URIRef, Mapping[str, str]]) -> None:
        self._labels = {**STANDARD_LABELS, **{k: dict(v) for k, v in labels.items()}}

    def term(self, iri: Node, lang: str) -> str:
        """The label of a class or property, in ``lang`` if there is one."""
        labels = self._labels.get(URIRef(str(iri)), {})
        return (
            labels.get(lang)
            or labels.get(DEFAULT_LANGUAGE)
            or prefixed_name(str(iri), fallback=str(iri))
        )

    def has(self, iri: Node) -> bool:
        """Whether ``iri`` has a label of its own (ontology or standard)."""
        return URIRef(str(iri)) in self._labels


#: æ, ø, å sort after every other letter (code points above all of Latin).
_NB_ORDER = {"æ": "\U0010fff1", "ø": "\U0010fff2", "å": "\U0010fff3"}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sort_key(text: str) -> tuple[str, str]:
    """Sort key for Norwegian text: case-insensitive, æ ø å after z, é sorted as e."""
    lowered = text.casefold()
    out = []
    for char in lowered:
        if char in _NB_ORDER:
            out.append(_NB_ORDER[char])
        else:
            out.append(_strip_accents(char))
    return "".join(out), text


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ß": "ss", "œ": "oe"})


def normalise(text: str) -> str:
    """Fold text for search on both sides: lower case, æ→ae, ø→o, å→a, aa→a, no accents.

    >>> normalise("Økt kunnskapsnivå") == normalise("okt kunnskapsniva")
    True
    """
    folded = _strip_accents(text.casefold().translate(_FOLD))
    folded = folded.replace("aa", "a")
    return " ".join(folded.split())
