"""Index pages: one per kind of thing (``/id/akse/``, ``/id/tiltak/`` …) and the
register of all kinds (``/id/``).

Read from the pages' database (:class:`~hamar_graph.pages.stored.PagesDB`, written by
``build``; no query on the store): one page of a kind is one indexed SQL query, sorted by
label with Norwegian collation (æ, ø, å after z), cut into pages of ``page_size``, so
its cost does not grow with the number of resources of the kind.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hamar_graph.pages.labels import Labeller, Text, kind_label
from hamar_graph.pages.labels import kinds as known_kinds
from hamar_graph.pages.stored import PagesDB, StoredResource
from hamar_graph.rdf.names import local_path


class KindNotFound(LookupError):
    """No resource has this kind."""


@dataclass(frozen=True)
class IndexItem:
    """One row of an index page."""

    iri: str
    path: str
    label: Text
    type_label: str


@dataclass(frozen=True)
class IndexPage:
    """One page of the index of a kind.

    ``page`` is 1-based; ``prev_page``/``next_page`` are ``None`` at the ends.
    """

    kind: str
    path: str
    lang: str
    title: str
    total: int
    page: int
    pages: int
    first: int  #: 1-based position of the first item on this page
    items: tuple[IndexItem, ...]

    @property
    def prev_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


@dataclass(frozen=True)
class KindSummary:
    """A kind on the register page, with its count."""

    kind: str
    path: str
    label: str
    count: int


@dataclass(frozen=True)
class RegisterPage:
    """The register (``/id/``): every kind with its count."""

    lang: str
    kinds: tuple[KindSummary, ...]
    total: int
    others: tuple[IndexItem, ...]  #: things directly under ``id/`` (the axis scheme)


def _item(r: StoredResource, base: str, lang: str, labeller: Labeller) -> IndexItem:
    return IndexItem(
        r.iri,
        local_path(r.iri, base) or r.iri,
        Text(r.label, r.label_lang),
        ", ".join(labeller.term(t, lang) for t in r.types),
    )


def index_page(
    db: PagesDB,
    kind: str,
    *,
    base: str,
    lang: str,
    labeller: Labeller,
    page: int = 1,
    page_size: int = 50,
) -> IndexPage:
    """The ``page``-th page of the resources of ``kind``, sorted by label (two SQL
    queries: the count and the page).

    :raises KindNotFound: when no resource has this kind.
    """
    total = db.kind_count(kind) if kind else 0
    if not total:
        raise KindNotFound(kind)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    return IndexPage(
        kind=kind,
        path=f"/id/{kind}/",
        lang=lang,
        title=kind_label(kind, lang),
        total=total,
        page=page,
        pages=pages,
        first=start + 1,
        items=tuple(
            _item(r, base, lang, labeller) for r in db.kind_page(kind, lang, start, page_size)
        ),
    )


def register_page(
    db: PagesDB, base: str, lang: str, labeller: Labeller, *, page_size: int = 50
) -> RegisterPage:
    """Every kind of thing with its count, in the order of docs/MODEL.md, and the first
    ``page_size`` things directly under ``{base}id/`` (the axis schemes)."""
    counts = db.kinds()
    order = {k: i for i, k in enumerate(known_kinds())}
    kinds = tuple(
        KindSummary(k, f"/id/{k}/", kind_label(k, lang), n)
        for k, n in sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    )
    others_total = db.kind_count("")
    others = tuple(_item(r, base, lang, labeller) for r in db.kind_page("", lang, 0, page_size))
    return RegisterPage(lang, kinds, sum(counts.values()) + others_total, others)
