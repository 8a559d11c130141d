"""Search over labels and texts in Norwegian and English.

:func:`build_index` reads every resource's labels, texts and types with two
queries, once per app; the :class:`ResourceIndex` then answers searches and
feeds the index pages without touching the store. Matching folds both sides
with :func:`~hamar_graph.pages.labels.normalise` (case, æ→ae, ø→o, å→a, accents), so
``okt kunnskapsniva`` finds *Økt kunnskapsnivå*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from hamar_graph.pages.labels import Labeller, Text, lang_of, normalise, pick
from hamar_graph.pages.labels import sort_key as _sort_key
from hamar_graph.query import named as queries
from hamar_graph.rdf.names import local_name, local_path
from hamar_graph.store.base import Store

_LABEL_PREDICATES = {str(SKOS.prefLabel)}


@dataclass
class Entry:
    """One resource in the index: its labels, other texts and types."""

    iri: str
    labels: list[Literal] = field(default_factory=list)
    texts: list[Literal] = field(default_factory=list)
    types: list[URIRef] = field(default_factory=list)
    folded_labels: str = ""
    folded_texts: list[str] = field(default_factory=list)

    def label(self, lang: str) -> Text:
        """The preferred label in ``lang`` (or the IRI's last segment)."""
        return pick(self.labels, lang) or Text(local_name(self.iri))


@dataclass
class ResourceIndex:
    """Every resource under the base IRI, by IRI, with folded text for matching."""

    base: str
    entries: dict[str, Entry] = field(default_factory=dict)
    #: Results computed from the entries and kept for the app's lifetime
    #: (sorted index lists per kind and language).
    cache: dict[object, object] = field(default_factory=dict, repr=False)

    def kind_entries(self, kind: str) -> list[Entry]:
        """Entries whose IRI is ``{base}id/{kind}/…``."""
        prefix = f"{self.base}id/{kind}/"
        return [e for iri, e in self.entries.items() if iri.startswith(prefix)]

    def kinds(self) -> dict[str, int]:
        """Kind → number of resources, for every kind under ``{base}id/``."""
        counts: dict[str, int] = {}
        prefix = self.base + "id/"
        for iri in self.entries:
            if iri.startswith(prefix):
                parts = iri[len(prefix) :].split("/")
                if len(parts) == 2 and parts[1]:
                    counts[parts[0]] = counts.get(parts[0], 0) + 1
        return counts

    def things(self) -> list[str]:
        """Every resource IRI directly under ``{base}id/`` (``id/akser``) or a kind."""
        prefix = self.base + "id/"
        return sorted(i for i in self.entries if i.startswith(prefix))


def build_index(store: Store, base: str) -> ResourceIndex:
    """Read labels, texts and types of every resource under ``base`` (two queries)."""
    index = ResourceIndex(base)

    def entry(iri: str) -> Entry:
        return index.entries.setdefault(iri, Entry(iri))

    for row in store.select(queries.RESOURCE_TEXTS):
        iri = str(row["s"])
        text = row["text"]
        if not iri.startswith(base) or not isinstance(text, Literal):
            continue
        target = entry(iri)
        if str(row["p"]) in _LABEL_PREDICATES:
            target.labels.append(text)
        else:
            target.texts.append(text)
    for row in store.select(queries.RESOURCE_TYPES):
        iri = str(row["s"])
        if iri.startswith(base):
            entry(iri).types.append(URIRef(str(row["type"])))
    for e in index.entries.values():
        e.folded_labels = " | ".join(normalise(str(label)) for label in e.labels)
        e.folded_texts = [normalise(str(t)) for t in e.texts]
        e.types.sort()
    return index


@dataclass(frozen=True)
class SearchHit:
    """One result: the resource's label, type and the text that matched."""

    iri: str
    path: str
    label: Text
    type_label: str
    snippet: Text | None


@dataclass(frozen=True)
class SearchPage:
    """The search page: the query, one page of hits, and paging."""

    query: str
    lang: str
    total: int
    page: int
    pages: int
    hits: tuple[SearchHit, ...]


def _snippet(text: Literal, words: list[str], width: int = 180) -> Text:
    raw = str(text)
    folded = normalise(raw)
    position = min((folded.find(w) for w in words if folded.find(w) >= 0), default=0)
    # Folding can change lengths (æ→ae); map the position back proportionally.
    start = int(position * len(raw) / max(len(folded), 1))
    start = max(0, start - width // 3)
    piece = raw[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(raw) else ""
    return Text(prefix + piece.strip() + suffix, lang_of(text))


def search(
    index: ResourceIndex,
    query: str,
    *,
    lang: str,
    labeller: Labeller,
    page: int = 1,
    page_size: int = 50,
) -> SearchPage:
    """Find resources whose labels or texts hold every word of ``query``.

    Hits whose label is the query come first, then hits whose label holds the whole
    query, then hits whose label holds every word, then hits in texts only; ties sort
    by label, then IRI.

    :param query: what the user typed; an empty query finds nothing.
    :param page: 1-based page number; out-of-range pages are clamped.
    """
    folded = normalise(query)
    words = folded.split()
    scored: list[tuple[tuple[int, tuple[str, str], str], SearchHit]] = []
    if words:
        for e in index.entries.values():
            in_label = all(w in e.folded_labels for w in words)
            matching = [
                t
                for t, f in zip(e.texts, e.folded_texts, strict=True)
                if all(w in f for w in words)
            ]
            if not in_label and not matching:
                continue
            labels = e.folded_labels.split(" | ")
            rank = (
                0 if folded in labels else 1 if folded in e.folded_labels else 2 if in_label else 3
            )
            label = e.label(lang)
            snippet = None
            if matching:
                chosen = pick(matching, lang)
                source = next(
                    (m for m in matching if chosen and str(m) == chosen.value), matching[0]
                )
                snippet = _snippet(source, words)
            type_label = ", ".join(labeller.term(t, lang) for t in e.types)
            hit = SearchHit(
                e.iri, local_path(e.iri, index.base) or e.iri, label, type_label, snippet
            )
            scored.append(((rank, _sort_key(label.value), e.iri), hit))
    scored.sort(key=lambda pair: pair[0])
    total = len(scored)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    chosen_hits = tuple(hit for _, hit in scored[(page - 1) * page_size : page * page_size])
    return SearchPage(query, lang, total, page, pages, chosen_hits)
