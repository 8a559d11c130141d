"""Search over names and texts in Norwegian and English, grouped by kind.

The full-text index is the pages' database that ``build`` writes
(:mod:`hamar_graph.build.pages_db`: SQLite FTS5, ranked with BM25). Both the indexed text
and the query are folded with :func:`~hamar_graph.folding.normalise` (case, æ→ae, ø→o,
å→a, aa→a, accents), so ``okt kunnskapsniva`` finds *Økt kunnskapsnivå* and the other
way round. Every word of the query must match the start of a word of the resource's
labels, alternative names, kind and type names (``vennskapsby``, ``twin city`` find the
twin cities) or texts.

A search page costs a handful of SQL queries on the database (the index's terms that
start with each word, at most four FTS5 counts, one per tier, the page's row ids, then its
resources and the texts that can be its snippets) and none on the store. Ranking
(:mod:`hamar_graph.pages.search_index`) needs no join: a row id tells the hit's kind and
its label order.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from hamar_graph import i18n
from hamar_graph.build.pages_db import exact_token
from hamar_graph.folding import normalise
from hamar_graph.pages.labels import Labeller, Text, kind_label
from hamar_graph.pages.stored import PagesDB, StoredResource
from hamar_graph.rdf.names import local_path

#: Longest query searched for (characters); a longer one is cut.
MAX_QUERY = 200

#: Most words of a query that are searched for.
MAX_WORDS = 12


@dataclass(frozen=True)
class SearchHit:
    """One result: the resource's label, type and the text that matched."""

    iri: str
    path: str
    label: Text
    type_label: str
    snippet: Text | None
    group: str = ""


@dataclass(frozen=True)
class SearchGroup:
    """A kind with hits: its name, how many hits it has, and its hits on this page."""

    group: str
    label: str
    count: int
    hits: tuple[SearchHit, ...] = ()


@dataclass(frozen=True)
class SearchPage:
    """The search page: the query, one page of hits grouped by kind, and paging.

    ``groups`` lists every kind with hits (with its count), best first; ``page_groups``
    holds this page's hits under their kinds, in the same order. ``group`` is the kind
    the search is limited to (``?type=``), if any.
    """

    query: str
    lang: str
    total: int
    page: int
    pages: int
    hits: tuple[SearchHit, ...]
    groups: tuple[SearchGroup, ...] = ()
    page_groups: tuple[SearchGroup, ...] = ()
    group: str | None = None

    @property
    def prev_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def group_label(group: str, lang: str) -> str:
    """The heading of a group of hits: the kind's name, or the ontology, or "other"."""
    if group == "":
        return i18n.text("search.group_things", lang)
    if group in ("def", "other"):
        return i18n.text(f"search.group_{group}", lang)
    return kind_label(group, lang)


def words_of(query: str) -> list[str]:
    """The folded words of ``query`` that hold a letter or digit (at most
    :data:`MAX_WORDS`)."""
    words = [w for w in normalise(query[:MAX_QUERY]).split() if any(c.isalnum() for c in w)]
    return words[:MAX_WORDS]


def _snippet(raw: str, folded: str, words: list[str], lang: str | None, width: int = 180) -> Text:
    position = min((folded.find(w) for w in words if folded.find(w) >= 0), default=0)
    # Folding can change lengths (æ→ae); map the position back proportionally.
    start = int(position * len(raw) / max(len(folded), 1))
    start = max(0, start - width // 3)
    piece = raw[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(raw) else ""
    return Text(prefix + piece.strip() + suffix, lang)


def _choose_snippet(
    texts: list[tuple[str, str | None, str]], words: list[str], lang: str
) -> Text | None:
    """The text holding every word, in the page's language where there is one (as
    :func:`~hamar_graph.pages.labels.pick_text` picks among the texts that hold them);
    ``texts`` are (value, language, folded value) as
    :meth:`~hamar_graph.pages.stored.PagesDB.texts` gives them."""
    rank = {None: 2, i18n.DEFAULT_LANGUAGE: 1, lang: 0}
    # the preferred languages' texts in order, each language's sorted; the rest as they came
    candidates = sorted(texts, key=lambda p: (rank[p[1]], p[0]) if p[1] in rank else (3, ""))
    for text, tag, folded in candidates:
        if all(w in folded for w in words):
            return _snippet(text, folded, words, tag)
    return None


def _hit(r: StoredResource, path: str, type_label: str, snippet: Text | None) -> SearchHit:
    return SearchHit(r.iri, path, Text(r.label, r.label_lang), type_label, snippet, r.group)


def search(
    db: PagesDB,
    query: str,
    *,
    base: str,
    lang: str,
    labeller: Labeller,
    page: int = 1,
    page_size: int = 50,
    group: str | None = None,
) -> SearchPage:
    """One page of the resources whose names or texts hold every word of ``query``.

    Hits are grouped by kind, the group of the best hit first; within a group, hits
    whose label is the query come first, then hits of a kind or type the query names,
    then hits whose labels or alternative names hold every word, then the rest (by BM25
    rank in a kind with at most 500 of them), each by label.

    :param query: what the user typed; an empty query finds nothing.
    :param page: 1-based page number; out-of-range pages are clamped.
    :param group: limit the hits to one kind (a group of :attr:`SearchPage.groups`).
    """
    words = words_of(query)
    if not words:
        return SearchPage(query, lang, 0, 1, 1, ())
    exact = exact_token(query[:MAX_QUERY])
    requested = max(1, page)
    found = db.find(words, exact, group, (requested - 1) * page_size, page_size)
    known = dict(found.groups)
    chosen = group if group in known else None
    total = known[chosen] if chosen is not None else sum(known.values())
    pages = max(1, math.ceil(total / page_size))
    page = min(requested, pages)
    ids = list(found.ids)
    if page != requested or chosen != group:  # out of range, or an unknown kind: ask again
        ids = list(db.find(words, exact, chosen, (page - 1) * page_size, page_size).ids)
    groups = tuple(SearchGroup(g, group_label(g, lang), n) for g, n in found.groups)
    resources = db.by_ids(ids, lang)
    texts = db.texts(ids, words)  # only those that can be a snippet
    type_labels: dict[tuple[str, ...], str] = {}  # the hits of a page mostly share types
    hits: list[SearchHit] = []
    for i in ids:
        r = resources[i]
        type_label = type_labels.get(r.types)
        if type_label is None:
            type_label = type_labels[r.types] = ", ".join(labeller.term(t, lang) for t in r.types)
        snippet = _choose_snippet(texts.get(i, []), words, lang)
        hits.append(_hit(r, local_path(r.iri, base) or r.iri, type_label, snippet))
    page_groups = tuple(
        SearchGroup(g, group_label(g, lang), known[g], tuple(members))
        for g, members in itertools.groupby(hits, key=lambda hit: hit.group)
    )
    return SearchPage(query, lang, total, page, pages, tuple(hits), groups, page_groups, chosen)
