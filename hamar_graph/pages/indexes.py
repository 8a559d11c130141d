"""Index pages: one per kind of thing (``/id/akse/``, ``/id/tiltak/`` …) and the
register of all kinds (``/id/``).

Built from the :class:`~hamar_graph.pages.search.ResourceIndex` (no query per
request), sorted by label with Norwegian collation (æ, ø, å after z) and cut
into pages of ``page_size``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hamar_graph.pages.labels import Labeller, Text, kind_label, sort_key
from hamar_graph.pages.labels import kinds as known_kinds
from hamar_graph.pages.search import ResourceIndex
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


def index_page(
    index: ResourceIndex,
    kind: str,
    *,
    lang: str,
    labeller: Labeller,
    page: int = 1,
    page_size: int = 50,
) -> IndexPage:
    """The ``page``-th page of the resources of ``kind``, sorted by label.

    :raises KindNotFound: when no resource has this kind.
    """
    key = ("index", kind, lang)
    items = index.cache.get(key)
    if items is None:
        items = index.cache[key] = _sorted_items(index, kind, lang, labeller)
    assert isinstance(items, list)
    if not items:
        raise KindNotFound(kind)
    pages = max(1, math.ceil(len(items) / page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    return IndexPage(
        kind=kind,
        path=f"/id/{kind}/",
        lang=lang,
        title=kind_label(kind, lang),
        total=len(items),
        page=page,
        pages=pages,
        first=start + 1,
        items=tuple(items[start : start + page_size]),
    )


def _sorted_items(
    index: ResourceIndex, kind: str, lang: str, labeller: Labeller
) -> list[IndexItem]:
    return sorted(
        (
            IndexItem(
                e.iri,
                local_path(e.iri, index.base) or e.iri,
                e.label(lang),
                ", ".join(labeller.term(t, lang) for t in e.types),
            )
            for e in index.kind_entries(kind)
        ),
        key=lambda i: (sort_key(i.label.value), i.iri),
    )


def register_page(index: ResourceIndex, lang: str, labeller: Labeller) -> RegisterPage:
    """Every kind of thing with its count, in the order of docs/MODEL.md."""
    counts = index.kinds()
    order = {k: i for i, k in enumerate(known_kinds())}
    kinds = tuple(
        KindSummary(k, f"/id/{k}/", kind_label(k, lang), n)
        for k, n in sorted(counts.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    )
    prefix = index.base + "id/"
    others = tuple(
        sorted(
            (
                IndexItem(
                    e.iri,
                    local_path(e.iri, index.base) or e.iri,
                    e.label(lang),
                    ", ".join(labeller.term(t, lang) for t in e.types),
                )
                for iri, e in index.entries.items()
                if iri.startswith(prefix) and "/" not in iri[len(prefix) :]
            ),
            key=lambda i: sort_key(i.label.value),
        )
    )
    return RegisterPage(lang, kinds, sum(counts.values()) + len(others), others)
