"""Search over labels and texts, nb and en, tolerant of æ/ø/å (issue 5, part 5)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from hamar_graph.pages.ontology_doc import load_vocabulary
from hamar_graph.pages.search import build_index, search
from hamar_graph.store.base import Store

BASE = "https://data.hamar.kommune.no/"


def _hits(client: FlaskClient, query: str, lang: str = "nb") -> list[str]:
    response = client.get("/sok", query_string={"q": query, "lang": lang})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    results = html[html.index('class="results"') :] if 'class="results"' in html else ""
    return re.findall(r'<li>\s*<a href="([^"?]+)', results)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Økt kunnskapsnivå", "/id/resultat/okt-kunnskapsniva"),
        ("okt kunnskapsniva", "/id/resultat/okt-kunnskapsniva"),
        ("OKT KUNNSKAPSNIVAA", "/id/resultat/okt-kunnskapsniva"),
        ("naeringsliv", "/id/akse/utdanning-forskning-og-naeringsliv"),
        ("borga", "/id/vennskapsby/porvoo"),
        ("Porvoo", "/id/vennskapsby/porvoo"),
        ("twin-city cooperation", "/id/akse/vennskapsbysamarbeid"),
        ("international week", "/id/tiltak/internasjonal-uke"),
        ("festivalstotte", "/id/tiltak/festivalstotte-til-stoppested-verden"),
    ],
)
def test_search_finds(client: FlaskClient, query: str, expected: str) -> None:
    assert expected in _hits(client, query)


def test_search_in_texts_shows_snippet_with_lang(client: FlaskClient) -> None:
    response = client.get("/sok", query_string={"q": "rettferdig og etisk handel", "lang": "en"})
    html = response.get_data(as_text=True)
    assert "/id/akse/globalt-partnerskap-og-solidaritet" in html
    assert re.search(r'<p class="snippet"><span lang="nb">[^<]*rettferdig og etisk handel', html)


def test_label_hits_rank_before_text_hits(store: Store) -> None:
    index = build_index(store, BASE)
    labeller = load_vocabulary(store, BASE).labeller()
    page = search(index, "vennskapsbysamarbeid", lang="nb", labeller=labeller)
    # the two resources whose label is exactly the query come first, then partial matches
    assert {h.path for h in page.hits[:2]} == {"/id/akse/vennskapsbysamarbeid", "/id/seksjon/4-3"}
    assert all(h.label.value.lower() != "vennskapsbysamarbeid" for h in page.hits[2:])
    assert page.total > 3


def test_empty_and_missing_queries(client: FlaskClient) -> None:
    assert _hits(client, "") == []
    assert _hits(client, "zzzyyyxxx") == []
    html = client.get("/sok", query_string={"q": "zzzyyyxxx"}).get_data(as_text=True)
    assert "Ingen treff." in html


def test_search_form_works_without_javascript(client: FlaskClient) -> None:
    html = client.get("/sok").get_data(as_text=True)
    assert '<form class="big-search" role="search" action="/sok" method="get">' in html
    assert '<label for="q">' in html and '<input id="q" name="q" type="search"' in html
    assert "<script" not in html.replace('<script type="application/ld+json">', "")


def test_search_paginates(client: FlaskClient, store: Store) -> None:
    index = build_index(store, BASE)
    labeller = load_vocabulary(store, BASE).labeller()
    whole = search(index, "hamar", lang="nb", labeller=labeller, page_size=1000)
    assert whole.total > 10
    first = search(index, "hamar", lang="nb", labeller=labeller, page=1, page_size=5)
    second = search(index, "hamar", lang="nb", labeller=labeller, page=2, page_size=5)
    assert first.pages == -(-whole.total // 5)
    assert [h.iri for h in first.hits + second.hits] == [h.iri for h in whole.hits[:10]]
