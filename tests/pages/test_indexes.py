"""Index pages (hamar_graph.pages.indexes): every kind of thing, sorted in Norwegian
order, counted and cut into pages, from the resource index (no query per request)."""

from __future__ import annotations

import pytest

from hamar_graph.pages.indexes import KindNotFound, index_page, register_page
from hamar_graph.pages.labels import sort_key
from hamar_graph.pages.ontology_doc import load_vocabulary
from hamar_graph.pages.search import ResourceIndex, build_index
from hamar_graph.store.base import Store

BASE = "https://data.hamar.kommune.no/"


@pytest.fixture(scope="module")
def index(store: Store) -> ResourceIndex:
    return build_index(store, BASE)


def test_twin_cities_are_eight_sorted_by_label(index: ResourceIndex, store: Store) -> None:
    labeller = load_vocabulary(store, BASE).labeller()
    page = index_page(index, "vennskapsby", lang="nb", labeller=labeller)
    assert page.total == 8 and page.pages == 1 and page.first == 1
    labels = [i.label.value for i in page.items]
    assert labels == sorted(labels, key=sort_key)
    assert all(i.path.startswith("/id/vennskapsby/") for i in page.items)
    assert page.prev_page is None and page.next_page is None


def test_pages_cover_every_item_once(index: ResourceIndex, store: Store) -> None:
    labeller = load_vocabulary(store, BASE).labeller()
    first = index_page(index, "tiltak", lang="en", labeller=labeller, page=1, page_size=3)
    seen = []
    for number in range(1, first.pages + 1):
        page = index_page(index, "tiltak", lang="en", labeller=labeller, page=number, page_size=3)
        assert page.first == (number - 1) * 3 + 1
        seen += [i.iri for i in page.items]
    assert len(seen) == len(set(seen)) == first.total
    last = index_page(index, "tiltak", lang="en", labeller=labeller, page=999, page_size=3)
    assert last.page == first.pages and last.next_page is None  # clamped


def test_norwegian_letters_sort_after_z() -> None:
    assert sorted(["Ålesund", "Zürich", "Øya", "Ærø", "Aas"], key=sort_key) == [
        "Aas",
        "Zürich",
        "Ærø",
        "Øya",
        "Ålesund",
    ]


def test_unknown_kind(index: ResourceIndex, store: Store) -> None:
    labeller = load_vocabulary(store, BASE).labeller()
    with pytest.raises(KindNotFound):
        index_page(index, "no-such-kind", lang="nb", labeller=labeller)


def test_register_counts_every_kind(index: ResourceIndex, store: Store) -> None:
    labeller = load_vocabulary(store, BASE).labeller()
    page = register_page(index, "nb", labeller)
    counts = {k.kind: k.count for k in page.kinds}
    assert counts["vennskapsby"] == 8 and counts["akse"] == 5 and counts["handlingsmal"] == 17
    assert page.total == sum(counts.values()) + len(page.others)
    assert all(k.path == f"/id/{k.kind}/" for k in page.kinds)
