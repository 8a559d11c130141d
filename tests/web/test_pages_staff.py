"""The pages as staff read them (issue 13): words, not terms, on every staff page in both
languages; the action plan as a table with a CSV; the document; the "Ansvar" page in the
main menu; the sitemap's language versions; and a bounded number of queries per page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hamar_graph.config import Settings
from hamar_graph.namespaces import PREFIXES
from hamar_graph.pages.sitemap import page_paths
from hamar_graph.store.base import Store
from tests.web.test_pages import links
from tests.web.test_pages_bounded import _counting_app, _queries_for
from web import state

BASE = "https://data.hamar.kommune.no/"
PREFIXED = re.compile(r"\b(?:" + "|".join(sorted(PREFIXES, key=len, reverse=True)) + r"):[A-Za-z_]")
#: Words the issue found on staff pages, in both languages.
TECHNICAL = ("i begrepssystem", "toppbegrep", "radnummer", "in scheme", "top concept", "row order")


class VisibleText(HTMLParser):
    """The text a person reads: no script, no style, no SVG source."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def staff_paths(app: Flask) -> list[str]:
    """Every page staff read: home, the document, the plan, Ansvar, every resource under
    /id/ and every index, search, completeness and the 404 page (not the ontology, shapes,
    named graphs, SPARQL or the catalogue, which are for the technically minded)."""
    paths = page_paths(state.state(app).store, BASE)
    pages = [p for p in paths if p.startswith("/id/") or p in ("/", "/ansvar", "/fullstendighet")]
    return [*pages, "/sok?q=vennskapsby", "/id/finnes-ikke/her"]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_staff_pages_show_no_prefixed_names_or_technical_words(
    client: FlaskClient, app: Flask, lang: str
) -> None:
    found = {}
    paths = staff_paths(app)
    notes = {
        " ".join(str(r["o"]).split())
        for r in state.state(app).store.select(
            "SELECT ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#editorialNote> ?o }"
        )
    }
    assert len(paths) > 180
    for path in paths:
        sep = "&" if "?" in path else "?"
        response = client.get(f"{path}{sep}lang={lang}")
        assert response.status_code in (200, 404), path
        html = response.get_data(as_text=True)
        # the Data section, for the technically minded, may use the ontology's own words
        # ("radnummer", the class IRIs), but no page shows a prefixed name
        staff_part = html.split('<section class="data"')[0]
        text = visible(staff_part).lower()
        # the data's own texts are quoted as they are (two editorial notes of readings name
        # the properties they are about); the interface's words are checked
        words = visible(html)
        for quoted in notes:
            words = words.replace(quoted, " ")
        bad = PREFIXED.findall(words) + [w for w in TECHNICAL if w in text]
        if bad:
            found[path] = bad
    assert found == {}


def test_the_main_menu_leads_to_what_staff_ask_for(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('class="main-nav"') : html.index("</nav>", html.index("main-nav"))]
    assert [h for h, _ in links(nav)][:4] == [
        "/",
        "/id/dokument/internasjonal-strategi",
        "/id/dokument/handlingsplan-2015-2019",
        "/ansvar",
    ]
    assert ("/ansvar", "Ansvar") in links(nav)
    plan = client.get("/id/dokument/handlingsplan-2015-2019").get_data(as_text=True)
    assert 'href="/id/dokument/handlingsplan-2015-2019" aria-current="page"' in plan


def test_the_action_plan_page_is_a_table_with_a_csv(client: FlaskClient) -> None:
    html = client.get("/id/dokument/handlingsplan-2015-2019").get_data(as_text=True)
    assert html.count('<table class="plan-table">') == 5
    assert html.count('<th scope="row" data-label="Mål">') == 17
    assert html.count('<span class="not-stated">ikke angitt i planen</span>') == 2 * 17
    assert html.count("ingen tiltak i planen") == 13
    assert html.count('class="shared"') == 4
    assert 'href="/id/dokument/handlingsplan-2015-2019.csv" type="text/csv" download' in html
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    assert 'class="entity plan-page"' in html
    with client.get("/static/css/print.css") as css:
        assert b"size: A4 landscape" in css.data and b".plan-page" in css.data
    en = client.get("/id/dokument/handlingsplan-2015-2019?lang=en").get_data(as_text=True)
    assert en.count('<span class="not-stated">not stated in the plan</span>') == 2 * 17


def test_csv_download(client: FlaskClient) -> None:
    response = client.get("/id/dokument/handlingsplan-2015-2019.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8; header=present"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="handlingsplan-2015-2019.csv"'
    assert response.data.startswith(b"\xef\xbb\xbfAkse;M\xc3\xa5l;Tiltak;")
    assert response.data.count(b"\r\n") == 1 + 19
    en = client.get("/id/dokument/handlingsplan-2015-2019.csv?lang=en")
    assert en.data.startswith(b"\xef\xbb\xbfAxis;Goal;Measure;")
    assert en.headers["Content-Disposition"].endswith('-en.csv"')
    by_header = client.get(
        "/id/dokument/handlingsplan-2015-2019.csv", headers={"Accept-Language": "en"}
    )
    assert by_header.data == en.data and "Accept-Language" in by_header.headers["Vary"]


def test_the_document_page(client: FlaskClient) -> None:
    html = client.get("/id/dokument/internasjonal-strategi").get_data(as_text=True)
    toc = html[html.index('<nav class="toc"') : html.index("</nav>", html.index('class="toc"'))]
    assert re.findall(r'href="#(del-[\w-]+)"', toc)[:4] == ["del-1", "del-1-boks", "del-2", "del-3"]
    for anchor in re.findall(r'href="#(del-[\w-]+)"', toc):
        assert f'id="{anchor}"' in html
    body = html[html.index('<div class="document">') :]
    assert '<a href="/id/aktor/formannskapet">Formannskapet</a> har det overordnete ansvar' in body
    assert "Kommunen bidrar til å oppfylle FNs Tusenårsmål" in body  # table 4.6
    assert "Koordinering, veiledning og kompetanseheving" in body  # the chart
    assert body.count('<table class="plan-table">') == 5  # table 6
    assert "Les dokumentet" in client.get("/").get_data(as_text=True)


def test_the_responsibility_page(client: FlaskClient) -> None:
    html = client.get("/ansvar").get_data(as_text=True)
    assert "<h1>Hvem har ansvar for hva</h1>" in html
    hrefs = {h for h, _ in links(html)}
    for actor in (
        "/id/aktor/formannskapet",
        "/id/aktor/radmannen",
        "/id/aktor/fagenhetene",
        "/id/organisasjon/hamarregionen-utvikling",
        "/id/aktor/regionale-myndigheter",
    ):
        assert actor in hrefs, actor
    assert html.count('class="reading-mark"') >= 7
    assert len(re.findall(r"<svg [^>]*role=\"img\"", html)) == 1
    assert "Organisering av internasjonalt arbeid" in html
    en = client.get("/ansvar?lang=en").get_data(as_text=True)
    assert "<h1>Who is responsible for what</h1>" in en and '<html lang="en">' in en


def test_readings_and_deprecated_in_plain_words(client: FlaskClient) -> None:
    actor = client.get("/id/aktor/formannskapet").get_data(as_text=True)
    assert re.search(
        r'<a class="reading-mark" href="/id/utsagn/ansvar-overordnet-strategi">tolkning', actor
    )
    old = client.get("/id/organisasjon/hamarregionen").get_data(as_text=True)
    assert "Utgått" in old and 'href="/id/organisasjon/hamarregionen-utvikling"' in old


def test_sitemap_lists_every_page_in_both_languages(client: FlaskClient, app: Flask) -> None:
    root = ET.fromstring(client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = root.findall("s:url", ns)
    locs = [str(u.findtext("s:loc", namespaces=ns)) for u in urls]
    paths = page_paths(state.state(app).store, BASE)
    assert len(locs) == 2 * len(paths) and "/ansvar" in paths and "/graph/data-actionplan" in paths
    for url, loc in zip(urls, locs, strict=True):
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
        plain = loc.removesuffix("?lang=en")
        assert alternates == {"nb": plain, "en": plain + "?lang=en", "x-default": plain}, loc
    page = client.get("/id/vennskapsby/lund").get_data(as_text=True)
    assert '<link rel="alternate" hreflang="nb" href="/id/vennskapsby/lund">' in page
    assert '<link rel="alternate" hreflang="en" href="/id/vennskapsby/lund?lang=en">' in page


@pytest.mark.parametrize(
    ("path", "cost"),
    [
        ("/id/dokument/handlingsplan-2015-2019", 6),
        ("/id/dokument/handlingsplan-2015-2019.csv", 2),
        ("/id/dokument/internasjonal-strategi", 10),
        ("/ansvar", 5),
        ("/graph/data-actionplan", 4),  # that it is a graph, and its size: pages database
        ("/graph/data-actionplan.ttl", 1),  # the graph's triples, nothing to list the graphs
        ("/shapes/S01", 4),
    ],
)
def test_staff_pages_cost_bounded_queries(
    settings: Settings, store: Store, crowded_store: Store, path: str, cost: int
) -> None:
    plain = _queries_for(*_counting_app(settings, store), path)
    crowded = _queries_for(*_counting_app(settings, crowded_store), path)
    assert plain == crowded == cost


@pytest.fixture(scope="module")
def crowded_store(dataset: object) -> Store:
    from tests.web.test_pages_bounded import crowded_store as make

    return make.__wrapped__(dataset)  # type: ignore[attr-defined]
