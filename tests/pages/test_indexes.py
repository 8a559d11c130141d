"""Index pages (hamar_graph.pages.indexes): every kind of thing, sorted in Norwegian
order, counted and cut into pages, from the pages' database (no query on the store)."""

from __future__ import annotations

import pytest

from hamar_graph.pages.indexes import KindNotFound, index_page, register_page
from hamar_graph.pages.labels import Labeller, sort_key
from hamar_graph.pages.stored import PagesDB

BASE = "https://data.hamar.kommune.no/"


def test_twin_cities_are_eight_sorted_by_label(db: PagesDB, labeller: Labeller) -> None:
    page = index_page(db, "vennskapsby", base=BASE, lang="nb", labeller=labeller)
    assert page.total == 8 and page.pages == 1 and page.first == 1
    labels = [i.label.value for i in page.items]
    assert labels == sorted(labels, key=sort_key)
    assert all(i.path.startswith("/id/vennskapsby/") for i in page.items)
    assert page.prev_page is None and page.next_page is None


def test_pages_cover_every_item_once(db: PagesDB, labeller: Labeller) -> None:
    first = index_page(db, "tiltak", base=BASE, lang="en", labeller=labeller, page=1, page_size=3)
    seen = []
    for number in range(1, first.pages + 1):
        page = index_page(
            db, "tiltak", base=BASE, lang="en", labeller=labeller, page=number, page_size=3
        )
        assert page.first == (number - 1) * 3 + 1
        seen += [i.iri for i in page.items]
    assert len(seen) == len(set(seen)) == first.total
    last = index_page(db, "tiltak", base=BASE, lang="en", labeller=labeller, page=999, page_size=3)
    assert last.page == first.pages and last.next_page is None  # clamped


def test_norwegian_letters_sort_after_z() -> None:
    assert sorted(["Ålesund", "Zürich", "Øya", "Ærø", "Aas"], key=sort_key) == [
        "Aas",
        "Zürich",
        "Ærø",
        "Øya",
        "Ålesund",
    ]


def test_unknown_kind(db: PagesDB, labeller: Labeller) -> None:
    with pytest.raises(KindNotFound):
        index_page(db, "no-such-kind", base=BASE, lang="nb", labeller=labeller)


def test_register_counts_every_kind(db: PagesDB, labeller: Labeller) -> None:
    page = register_page(db, BASE, "nb", labeller)
    counts = {k.kind: k.count for k in page.kinds}
    assert counts["vennskapsby"] == 8 and counts["akse"] == 5 and counts["handlingsmal"] == 17
    assert page.total == sum(counts.values()) + len(page.others)
    assert all(k.path == f"/id/{k.kind}/" for k in page.kinds)


def test_english_pages_sort_by_english_label(db: PagesDB, labeller: Labeller) -> None:
    page = index_page(db, "akse", base=BASE, lang="en", labeller=labeller)
    labels = [i.label.value for i in page.items]
    assert labels == sorted(labels, key=sort_key)
    assert all(i.label.lang == "en" for i in page.items)


def test_a_page_is_read_with_limit_and_offset(db: PagesDB) -> None:
    """The index page of a kind reads only its own rows (LIMIT/OFFSET on the index of
    (kind, sort key)), so its cost does not grow with the kind."""
    whole = db.kind_page("handlingsmal", "nb", 0, 100)
    assert [r.iri for r in db.kind_page("handlingsmal", "nb", 5, 5)] == [r.iri for r in whole[5:10]]
    plan = " ".join(
        str(row)
        for row in db.rows(
            "EXPLAIN QUERY PLAN SELECT iri FROM resources WHERE kind = ? "
            "ORDER BY sort_nb, iri LIMIT 5 OFFSET 5",
            ("handlingsmal",),
        )
    )
    assert "resources_kind_nb" in plan and "TEMP B-TREE" not in plan
