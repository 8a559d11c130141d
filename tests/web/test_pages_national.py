"""Pages over several strategies (issue 15): a graph of three municipalities' strategies,
prepared as the national benchmark prepares 356 (benchmarks.pages.prepare: a persistent
store, the pages' database and the manifest). The home page and the completeness report
show one strategy, index and search pages read the pages' database, and what a page costs
does not depend on how many strategies the graph holds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from benchmarks.pages import hamar_nquads, prepare
from hamar_graph.build.completeness import PlanGaps
from hamar_graph.build.pages_db import PAGES_FILE
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.store.oxigraph import OxigraphStore
from tests.web.test_pages_bounded import CountingStore
from web import create_app, state

COPIES = 3
HAMAR = "/id/dokument/internasjonal-strategi"


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Path:
    """An output folder holding three strategies: Hamar's and two copies (``-k1``, ``-k2``)."""
    folder = tmp_path_factory.mktemp("national")
    gaps = PlanGaps.from_json((settings.out_dir / "plan.json").read_bytes())
    source = Settings(source_dir=PROJECT_ROOT)
    prepare(folder, hamar_nquads(source), gaps, COPIES, source)
    return folder


def _app(folder: Path, **config: object) -> Flask:
    app = create_app({"out_dir": folder, "store_path": folder / "store", **config})
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def client(national: Path) -> Iterator[FlaskClient]:
    with _app(national).test_client() as c:
        yield c


def _html(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_app_opens_the_pages_database_build_wrote(client: FlaskClient, national: Path) -> None:
    _html(client, "/sok?q=vennskapsby")
    db = state.site(client.application).db
    assert db.source == str(national / PAGES_FILE)


def test_completeness_shows_one_strategy_and_lists_the_others(client: FlaskClient) -> None:
    html = _html(client, "/fullstendighet")
    rows = set(re.findall(r'<th scope="row">.*?href="(/id/[^"]+)"', html))
    assert rows and all(not re.search(r"-k\d+$", path) for path in rows)
    listed = re.findall(r'href="/fullstendighet\?strategi=([^"&]+)"', html)
    assert len(listed) == COPIES
    other = _html(client, "/fullstendighet?strategi=" + HAMAR + "-k2")
    rows_k2 = set(re.findall(r'<th scope="row">.*?href="(/id/[^"]+)"', other))
    assert rows_k2 == {p + "-k2" for p in rows}
    # the same number of tables and gaps for each strategy: one strategy's report
    assert other.count('<table class="gaps">') == html.count('<table class="gaps">') == 5


def test_completeness_strategy_list_is_paginated(national: Path) -> None:
    with _app(national, page_size=2).test_client() as c:
        first = _html(c, "/fullstendighet")
        second = _html(c, "/fullstendighet?side=2")
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert len(re.findall(r'<ul class="strategies">\s*(?:<li>.*?</li>\s*)+</ul>', first, re.S)) == 1


def test_home_page_shows_the_configured_strategy(national: Path) -> None:
    with _app(national).test_client() as c:
        hamar = _html(c, "/")
    with _app(national, strategy=HAMAR.lstrip("/") + "-k1").test_client() as c:
        copy = _html(c, "/")
    axes = set(re.findall(r'href="(/id/akse/[^"?]+)"', hamar))
    assert axes and all("-k" not in a for a in axes)
    assert set(re.findall(r'href="(/id/akse/[^"?]+)"', copy)) == {a + "-k1" for a in axes}


def test_responsibility_page_shows_the_configured_strategy(national: Path) -> None:
    with _app(national).test_client() as c:
        hamar = _html(c, "/ansvar")
    with _app(national, strategy=HAMAR.lstrip("/") + "-k1").test_client() as c:
        copy = _html(c, "/ansvar")
    actors = set(re.findall(r'href="(/id/aktor/[^"?]+)"', hamar))
    assert actors and all("-k" not in a for a in actors)
    assert set(re.findall(r'href="(/id/aktor/[^"?]+)"', copy)) == {a + "-k1" for a in actors}


def test_index_and_search_see_every_strategy(client: FlaskClient) -> None:
    html = _html(client, "/id/vennskapsby/")
    assert f"av {8 * COPIES}" in html
    search = _html(client, "/sok?q=vennskapsby")
    assert f"Vennskapsbyer ({8 * COPIES})" in search


def test_pages_cost_the_same_queries_whatever_the_strategies(national: Path) -> None:
    counting = CountingStore(OxigraphStore(national / "store", read_only=True))
    app = create_app({"out_dir": national, "store_path": national / "store"}, store=counting)
    app.config["TESTING"] = True
    with app.test_client() as c:
        assert c.get("/sok?q=warm").status_code == 200
        for path, expected in (
            ("/", 6),
            ("/id/tiltak/", 0),
            ("/id/", 0),
            ("/sok?q=vennskapsby", 0),
            ("/fullstendighet", 0),
            (f"/fullstendighet?strategi={HAMAR}-k1", 0),
            ("/id/tiltak/internasjonal-uke-k2", 4),
            ("/ansvar", 5),
            ("/id/dokument/handlingsplan-2015-2019-k1", 6),
            ("/id/dokument/handlingsplan-2015-2019-k1.csv", 2),
            (f"{HAMAR}-k2", 10),
            ("/graph/data-actionplan", 4),  # its size: from pages.sqlite
        ):
            counting.count = 0
            assert c.get(path).status_code == 200, path
            assert counting.count == expected, path


def test_a_graph_holding_every_strategy_lists_its_sources_a_page_at_a_time(
    national: Path,
) -> None:
    """The named graph that holds every strategy's action plan has one source per strategy:
    one page of them is named at a time (two here), whatever their number, in the order of
    their IRIs, and the pages together list each once."""
    counting = CountingStore(OxigraphStore(national / "store", read_only=True))
    app = create_app(
        {"out_dir": national, "store_path": national / "store", "page_size": 2}, store=counting
    )
    app.config["TESTING"] = True
    sources = re.compile(r'href="(/id/dokument/internasjonal-strategi[^"?]*)"')
    shown: list[list[str]] = []
    with app.test_client() as c:
        assert c.get("/sok?q=warm").status_code == 200
        for side in (1, 2, 3):  # past the end (3): the last page again
            counting.count = 0
            html = _html(c, f"/graph/data-actionplan?side={side}")
            assert counting.count == 5  # incoming, sizes, values, names of the page, breadcrumbs
            facts = html[html.index('<section class="facts"') :]
            shown.append(sorted(sources.findall(facts[: facts.index("</section>")])))
    first, second, again = shown
    assert len(first) == 2 and len(second) == 1 and again == second
    assert sorted(first + second) == sorted(f"{HAMAR}{k}" for k in ("", "-k1", "-k2"))
    assert first == sorted(first) and max(first) < min(second)  # in the order of the IRIs


def test_the_first_request_reads_what_build_stored(national: Path) -> None:
    """A new app's first search opens the stored database: it reads the ontology's labels
    (one query) and nothing that grows with the graph."""
    counting = CountingStore(OxigraphStore(national / "store", read_only=True))
    app = create_app({"out_dir": national, "store_path": national / "store"}, store=counting)
    app.config["TESTING"] = True
    with app.test_client() as c:
        assert c.get("/sok?q=vennskapsby").status_code == 200
    assert counting.count == 1
    assert state.site(app).db.source.endswith(PAGES_FILE)


def test_a_database_of_other_data_is_not_used(national: Path, tmp_path: Path) -> None:
    """The stored database is used only for the data version it was made from; an app over
    other data makes its own, in memory, from its store."""
    from hamar_graph.pages.stored import open_pages_db

    assert open_pages_db(national / PAGES_FILE, "https://data.hamar.kommune.no/", "0+x") is None
    assert open_pages_db(national / PAGES_FILE, "http://other.example/", "0+x") is None
