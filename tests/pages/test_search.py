"""Search over labels and texts, nb and en, tolerant of æ/ø/å (issue 5, part 5), by kind
and alternative names, grouped by kind (issue 13, item 7), on the full-text index that
build ships with the store (issue 15, item 3)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from hamar_graph.build.pages_db import GROUP_SHIFT, exact_token
from hamar_graph.config import Settings
from hamar_graph.pages.labels import Labeller
from hamar_graph.pages.search import search, words_of
from hamar_graph.pages.search_index import prefix_term
from hamar_graph.pages.stored import PagesDB
from hamar_graph.store.base import Store
from web import create_app

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
        ("Borgå", "/id/vennskapsby/porvoo"),
        ("Porvoo", "/id/vennskapsby/porvoo"),
        ("twin-city cooperation", "/id/akse/vennskapsbysamarbeid"),
        ("international week", "/id/tiltak/internasjonal-uke"),
        ("festivalstotte", "/id/tiltak/festivalstotte-til-stoppested-verden"),
        ("festivalstøtte", "/id/tiltak/festivalstotte-til-stoppested-verden"),
    ],
)
def test_search_finds(client: FlaskClient, query: str, expected: str) -> None:
    assert expected in _hits(client, query)


def test_search_in_texts_shows_snippet_with_lang(client: FlaskClient) -> None:
    response = client.get("/sok", query_string={"q": "rettferdig og etisk handel", "lang": "en"})
    html = response.get_data(as_text=True)
    assert "/id/akse/globalt-partnerskap-og-solidaritet" in html
    assert re.search(r'<p class="snippet"><span lang="nb">[^<]*rettferdig og etisk handel', html)


def test_snippet_in_the_page_language_where_there_is_one(db: PagesDB, labeller: Labeller) -> None:
    for lang, word in (("nb", "kunnskapsniva"), ("en", "knowledge")):
        page = search(db, word, base=BASE, lang=lang, labeller=labeller)
        assert any(h.snippet and h.snippet.lang == lang for h in page.hits), lang


def test_label_hits_rank_before_text_hits(db: PagesDB, labeller: Labeller) -> None:
    page = search(db, "vennskapsbysamarbeid", base=BASE, lang="nb", labeller=labeller)
    # the groups of the two resources whose label is the query come first, each led by it
    assert {(g.group, g.hits[0].path) for g in page.page_groups[:2]} == {
        ("akse", "/id/akse/vennskapsbysamarbeid"),
        ("seksjon", "/id/seksjon/4-3"),
    }
    exact = [h for h in page.hits if h.label.value.lower() == "vennskapsbysamarbeid"]
    assert {h.path for h in exact} == {"/id/akse/vennskapsbysamarbeid", "/id/seksjon/4-3"}
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


def test_search_paginates(db: PagesDB, labeller: Labeller) -> None:
    whole = search(db, "hamar", base=BASE, lang="nb", labeller=labeller, page_size=1000)
    assert whole.total > 10 and len(whole.hits) == whole.total
    first = search(db, "hamar", base=BASE, lang="nb", labeller=labeller, page=1, page_size=5)
    second = search(db, "hamar", base=BASE, lang="nb", labeller=labeller, page=2, page_size=5)
    assert first.pages == -(-whole.total // 5)
    assert [h.iri for h in first.hits + second.hits] == [h.iri for h in whole.hits[:10]]
    assert first.next_page == 2 and second.prev_page == 1
    last = search(db, "hamar", base=BASE, lang="nb", labeller=labeller, page=999, page_size=5)
    assert last.page == first.pages  # clamped


def test_search_pages_link_prev_and_next(settings: Settings, store: Store) -> None:
    app = create_app(
        {"out_dir": settings.out_dir, "store_path": settings.store_path, "page_size": 5},
        store=store,
    )
    with app.test_client() as c:
        html = c.get("/sok", query_string={"q": "hamar", "side": "2"}).get_data(as_text=True)
    assert re.search(r'<a rel="prev" href="/sok\?[^"]*side=1[^"]*">', html)
    assert re.search(r'<a rel="next" href="/sok\?[^"]*side=3[^"]*">', html)
    assert re.search(r'<link rel="prev" href="/sok\?[^"]*side=1[^"]*q=hamar', html)
    assert re.search(r'<link rel="next" href="/sok\?[^"]*side=3[^"]*q=hamar', html)


# --- issue 13, item 7: by kind and alternative names, grouped by kind -----------------

TWIN_CITIES = {
    f"/id/vennskapsby/{slug}"
    for slug in ("lund", "viborg", "porvoo", "dalvik", "greifswald", "fargo", "khan-younis")
} | {"/id/vennskapsby/karmiel"}


@pytest.mark.parametrize("query", ["vennskapsby", "Vennskapsbyer", "twin city", "twin cities"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_search_finds_the_twin_cities_by_their_kind(
    client: FlaskClient, query: str, lang: str
) -> None:
    assert set(_hits(client, query, lang)) >= TWIN_CITIES


def test_twin_cities_are_one_group_before_mere_mentions(db: PagesDB, labeller: Labeller) -> None:
    page = search(db, "vennskapsby", base=BASE, lang="nb", labeller=labeller)
    groups = [g.group for g in page.groups]
    twin = next(g for g in page.page_groups if g.group == "vennskapsby")
    assert twin.label == "Vennskapsbyer" and twin.count == 8
    assert {h.path for h in twin.hits} == TWIN_CITIES
    # the kind the query names comes before every group that only mentions the word
    assert groups.index("vennskapsby") < min(groups.index(g) for g in ("akse", "seksjon"))
    # grouped: each group's hits stand together, in the order of the groups
    order = [h.group for h in page.hits]
    assert order == sorted(order, key=groups.index)
    labels = [h.label.value for h in twin.hits]
    assert labels == sorted(labels)  # within the group, by label


def test_search_limited_to_one_kind(client: FlaskClient) -> None:
    html = client.get("/sok", query_string={"q": "vennskapsby"}).get_data(as_text=True)
    assert 'href="/sok?q=vennskapsby&amp;type=vennskapsby">Vennskapsbyer (8)</a>' in html
    assert '<h3 class="group" id="group-' in html
    response = client.get("/sok", query_string={"q": "vennskapsby", "type": "vennskapsby"})
    html = response.get_data(as_text=True)
    assert set(_hits(client, "vennskapsby")) >= TWIN_CITIES
    found = re.findall(r'<li>\s*<a href="([^"?]+)', html[html.index('class="results"') :])
    assert set(found) & {p for p in found if p.startswith("/id/")} == TWIN_CITIES
    assert "8 treff" in html


def test_alternative_names_are_found(db: PagesDB, labeller: Labeller) -> None:
    """skos:altLabel and hms:abbreviation are searched like labels (ORE, HRU ...)."""
    short = db.rows(
        "SELECT r.iri, t.text FROM texts t JOIN resources r ON r.id = t.rid "
        "WHERE length(t.text) BETWEEN 2 AND 12 AND r.iri LIKE ? ORDER BY r.iri",
        (BASE + "id/%",),
    )
    assert short
    for iri, text in short[:5]:
        page = search(db, text, base=BASE, lang="nb", labeller=labeller, page_size=500)
        assert iri in {h.iri for h in page.hits}, text


# --- the query language is not exposed ---------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ['"', "AND OR NOT", "NEAR(a b)", "label : x", "*", "^a", "a -b", "(", "{label}: x", "'"],
)
def test_fts_syntax_in_a_query_is_only_text(client: FlaskClient, query: str) -> None:
    assert client.get("/sok", query_string={"q": query}).status_code == 200


def test_every_word_is_quoted() -> None:
    assert words_of("Økt  kunnskapsnivå!!") == ["okt", "kunnskapsniva!!"]
    assert words_of("-- ** ()") == []
    assert [prefix_term(w) for w in ['a"b', "twin-city"]] == ['"a""b"*', '"twin-city"*']


def _prefix_tiers(db: PagesDB, words: list[str], exact: str) -> list[set[int]]:
    """The hits of each tier, by the prefix expressions the index answered before its
    terms were listed (one prefix query per column filter)."""
    match = " ".join(prefix_term(w) for w in words)
    whole = f'exact : "{exact or "_"}"'
    kind, label = f"kind : ({match})", f"{{label alt}} : ({match})"
    expressions = (
        whole,
        f"({kind}) NOT ({whole})",
        f"({label}) NOT ({kind}) NOT ({whole})",
        f"({match}) NOT ({label}) NOT ({kind}) NOT ({whole})",
    )
    sql = "SELECT rowid FROM search WHERE search MATCH ?"
    return [{r for (r,) in db.rows(sql, (e,))} for e in expressions]


@pytest.mark.parametrize(
    "query",
    [
        "vennskapsby",
        "hamar",
        "okt kunnskapsniva",
        "twin city",
        "twin-city cooperation",
        "a",
        "samarbeid",
        "lund",
        "internasjonal uke",
        "hamar_kommune",
        "zzz",
        "hamar zzz",
        "tiltak",
        "handlingsmal",
        "measure",
        "vennskapsby lund",
        "organisasjon",
        "strategi",
    ],
)
def test_words_as_the_index_terms_find_what_prefixes_find(db: PagesDB, query: str) -> None:
    """A word is written as the index's terms that start with it, per column; the hits of
    every group and the page's hits are those its prefix finds."""
    words, exact = words_of(query), exact_token(query)
    tiers = _prefix_tiers(db, words, exact)
    everything = set().union(*tiers)
    found = db.find(words, exact, None, 0, 10_000)
    assert found.total == len(everything)
    assert set(found.ids) == everything
    expected_groups = {}
    for rid in everything:
        expected_groups[rid >> GROUP_SHIFT] = expected_groups.get(rid >> GROUP_SHIFT, 0) + 1
    names = dict(db.rows("SELECT idx, grp FROM groups"))
    assert dict(found.groups) == {names[g]: n for g, n in expected_groups.items()}
    # within a group, the tiers come in order; one group alone, and pages of it, are the
    # same hits in the same order
    tier_of = {rid: t for t, hits in enumerate(tiers) for rid in hits}
    for g in expected_groups:
        in_group = [r for r in found.ids if r >> GROUP_SHIFT == g]
        assert [tier_of[r] for r in in_group] == sorted(tier_of[r] for r in in_group)
        alone = db.find(words, exact, names[g], 0, 10_000)
        assert list(alone.ids) == in_group and alone.total == len(in_group)
        paged = [
            r
            for start in range(0, len(in_group), 7)
            for r in db.find(words, exact, names[g], start, 7).ids
        ]
        assert paged == in_group


def test_word_terms_per_column(db: PagesDB) -> None:
    terms = db.word_terms("vennskapsby")
    assert terms is not None
    assert "vennskapsby" in terms["kind"], "the twin cities' kind"
    assert all(t.startswith("vennskapsby") for col in terms.values() for t in col)
    assert db.word_terms("twin-city") is None, "not one term: searched as a prefix phrase"
    assert db.word_terms("zzzz") == {}, "no term starts with it"
    assert db.word_terms("a") is None, "too many terms start with it: a prefix"


@pytest.mark.parametrize(
    ("query", "named"),
    [("vennskapsby", {"vennskapsby"}), ("twin city", {"vennskapsby"}), ("measure", {"tiltak"})],
)
def test_a_kind_named_for_whole_groups_is_counted_from_their_sizes(
    db: PagesDB, query: str, named: set[str]
) -> None:
    """The queries above take the path that counts those groups without reading their hits
    (so the test before compares that path with the prefix expressions too)."""
    from hamar_graph.pages import search_index

    words = words_of(query)
    groups = db._search_groups()
    tiers = search_index._Tiers.of(
        db.rows, groups, words, [db.word_terms(w) for w in words], exact_token(query)
    )
    assert tiers is not None
    assert {groups.names[g] for g in tiers.named} == named
    hits = db.find(words, exact_token(query), None, 0, 10_000)
    for name in named:
        size = next(n for g, n in groups.sizes.items() if groups.names[g] == name)
        assert dict(hits.groups)[name] == size, "every resource of the group is a hit"
