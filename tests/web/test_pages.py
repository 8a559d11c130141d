"""Entity, home, index, ontology, completeness and 404 pages (issue 5).

The number of queries each page costs is checked in ``tests/web/test_pages_bounded.py``.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from hamar_graph.config import Settings
from hamar_graph.pages.labels import normalise, sort_key
from hamar_graph.store.base import Store
from web import create_app, state

BASE = "https://data.hamar.kommune.no/"


class Elements(HTMLParser):
    """Collects (tag, attrs, text) of every element, with the nearest ``lang``."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.found: list[tuple[str, dict[str, str | None], str]] = []
        self.texts: list[tuple[str, str]] = []  # (text, effective lang)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"meta", "link", "input", "br", "img", "path", "rect", "circle", "line"}:
            self.found.append((tag, dict(attrs), ""))
            return
        self.stack.append((tag, dict(attrs)))
        self.found.append((tag, dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in ("script", "style"):
            return
        if data.strip():
            lang = next((a["lang"] for _, a in reversed(self.stack) if a.get("lang")), None)
            self.texts.append((data.strip(), lang or ""))

    def lang_of(self, text: str) -> str:
        """The effective ``lang`` of the first text node holding ``text``."""
        return next(lang for t, lang in self.texts if text in t)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every ``<a>``."""
    return [
        (m.group(1), re.sub(r"<[^>]+>", "", m.group(2)).strip())
        for m in re.finditer(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', html, re.S)
    ]


def get(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


# --- entity pages -------------------------------------------------------------------


def test_title_is_preflabel_in_chosen_language(client: FlaskClient) -> None:
    nb = get(client, "/id/akse/vennskapsbysamarbeid")
    assert "<h1>Vennskapsbysamarbeid</h1>" in nb
    assert '<html lang="nb">' in nb
    en = get(client, "/id/akse/vennskapsbysamarbeid?lang=en")
    assert "<h1>Twin-city cooperation</h1>" in en
    assert '<html lang="en">' in en
    by_header = get(client, "/id/akse/vennskapsbysamarbeid", **{"Accept-Language": "en-GB,en"})
    assert "<h1>Twin-city cooperation</h1>" in by_header
    norwegian = get(client, "/id/akse/vennskapsbysamarbeid", **{"Accept-Language": "no,en;q=0.5"})
    assert "<h1>Vennskapsbysamarbeid</h1>" in norwegian


def test_language_switch_is_visible_and_kept_across_links(client: FlaskClient) -> None:
    nb = get(client, "/id/vennskapsby/lund")
    assert 'href="/id/vennskapsby/lund?lang=en" hreflang="en" lang="en">English</a>' in nb
    en = get(client, "/id/vennskapsby/lund?lang=en")
    internal = [h for h, _ in links(en) if h.startswith("/") and not h.startswith("/static")]
    pages = [h for h in internal if not re.search(r"\.(ttl|nt|jsonld|rdf)$", h)]
    # Every internal page link keeps the chosen language, except the switch back to nb
    # and the routes of other blueprints (SPARQL, catalogue, VoID).
    others = {"/sparql", "/catalog", "/.well-known/void"}
    kept = [h for h in pages if h not in others and "lang=nb" not in h]
    assert kept and all("lang=en" in h for h in kept), kept
    assert 'name="lang" value="en"' in en  # the search form keeps it too


def test_type_properties_and_links_by_label(client: FlaskClient) -> None:
    html = get(client, "/id/tiltak/internasjonal-uke")
    assert '<p class="type"><a href="/def/Measure">tiltak</a></p>' in html
    texts = [text for _, text in links(html)]
    assert "bidrar til mål" in texts  # the ontology's nb label of hms:servesGoal
    assert "Oppfylle FNs Tusenårsmål og delta i utvikling av demokratisk styresett." in texts
    assert not any(t.startswith("https://data.hamar") for t in texts)


def test_foreign_language_literals_carry_lang(client: FlaskClient) -> None:
    en = parse(get(client, "/id/akse/vennskapsbysamarbeid?lang=en"))
    assert en.lang_of("Vennskapsbysamarbeidet har i lengre tid") == "nb"
    assert en.lang_of("Twin-city cooperation has for a long time") == "en"
    nb = parse(get(client, "/id/akse/vennskapsbysamarbeid"))
    assert nb.lang_of("Twin-city cooperation has for a long time") == "en"
    assert nb.lang_of("Vennskapsbysamarbeidet har i lengre tid") == "nb"


def test_incoming_links(client: FlaskClient) -> None:
    html = get(client, "/id/vennskapsby/lund")
    section = html[html.index('id="incoming-h"') :]
    assert ("/id/organisasjon/hamar-kommune", "Hamar kommune") in links(section)


def test_breadcrumb_shows_both_paths_of_a_measure_with_two_goals(client: FlaskClient) -> None:
    html = get(client, "/id/tiltak/internasjonal-uke")
    nav = html[html.index('class="breadcrumbs"') : html.index("</nav>", html.index("breadcrumbs"))]
    trails = re.findall(r"<ol>(.*?)</ol>", nav, re.S)
    assert len(trails) == 2
    hrefs = [[h for h, _ in links(t)] for t in trails]
    for trail in hrefs:
        assert trail[0] == "/" and trail[1] == "/id/dokument/internasjonal-strategi"
        assert trail[2].startswith("/id/akse/") and trail[3].startswith("/id/handlingsmal/")
    assert {t[2] for t in hrefs} == {
        "/id/akse/globalt-partnerskap-og-solidaritet",
        "/id/akse/det-internasjonale-samfunn-i-hamar",
    }
    assert all('aria-current="page">Internasjonal uke<' in t for t in trails)


def test_source_section_and_external_links(client: FlaskClient) -> None:
    html = get(client, "/id/vennskapsby/lund")
    source = html[html.index('id="source-h"') :]
    assert links(source)[0][0] == "/id/seksjon/4-3-boks"
    external = html[
        html.index('id="external-h"') : html.index("</section>", html.index("external-h"))
    ]
    assert ("https://sws.geonames.org/2693678/", "GeoNames: 2693678") in links(external)


def test_validation_warnings_on_measure_and_goal(client: FlaskClient) -> None:
    measure = get(client, "/id/tiltak/internasjonal-uke")
    assert "Ingen ansvarlig aktør" in measure and "Ingen kostnad" in measure
    goal = get(client, "/id/handlingsmal/videreutvikle-vertsskapsrollen?lang=en")
    assert "No measure" in goal and "No responsible actor" in goal
    city = get(client, "/id/vennskapsby/lund")
    assert 'id="warnings-h"' not in city


def test_embedded_schema_org_jsonld(client: FlaskClient) -> None:
    html = get(client, "/id/vennskapsby/lund")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    doc = json.loads(block.group(1))
    assert doc["@context"] == "https://schema.org/"
    assert doc["@type"] == "City"
    assert doc["@id"] == BASE + "id/vennskapsby/lund"
    assert "https://sws.geonames.org/2693678/" in doc["sameAs"]
    assert {"@value": "Lund", "@language": "nb"} in doc["name"]
    assert doc["geo"]["latitude"] == "55.7039"


def test_print_stylesheet(client: FlaskClient) -> None:
    html = get(client, "/id/vennskapsby/lund")
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    with client.get("/static/css/print.css") as css:
        assert css.status_code == 200 and b".main-nav" in css.data


def test_formats_linked_on_the_page_and_in_head(client: FlaskClient) -> None:
    html = get(client, "/id/vennskapsby/lund")
    for suffix, media in (
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
    ):
        assert f'<link rel="alternate" type="{media}" href="/id/vennskapsby/lund.{suffix}"' in html
        assert f'<a href="/id/vennskapsby/lund.{suffix}" type="{media}">' in html


# --- home page ------------------------------------------------------------------------


def test_home_page(client: FlaskClient) -> None:
    html = get(client, "/")
    hrefs = {h for h, _ in links(html)}
    for axis in (
        "globalt-partnerskap-og-solidaritet",
        "tjenesteutvikling-gjennom-eu-prosjekter",
        "vennskapsbysamarbeid",
        "det-internasjonale-samfunn-i-hamar",
        "utdanning-forskning-og-naeringsliv",
    ):
        assert f"/id/akse/{axis}" in hrefs
    # table 4.6: goal and main strategy of an axis
    assert "Delta i EU-prosjekter sammen med vennskapsbyer og gjennom ORE." in html
    assert "Kommunen bidrar til å oppfylle FNs Tusenårsmål" in html
    # key figures
    assert "over 70 %" in html and "44 språk" in html and "2/3" in html
    for target in (
        "/id/dokument/handlingsplan-2015-2019",
        "/id/dokument/internasjonal-strategi",
        "/ansvar",
        "/id/organisasjon/",
        "/id/vennskapsby/",
        "/catalog",
        "/.well-known/void",
        "/sparql",
    ):
        assert target in hrefs, target
    assert "Hamar kommunes internasjonale strategi sier" in html


def test_home_page_pictures_are_accessible_svg(client: FlaskClient) -> None:
    html = get(client, "/")
    svgs = re.findall(r"<svg [^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 2  # the chart of section 5 is on the responsibility page
    for svg in svgs:
        ident = re.search(r'aria-labelledby="([\w-]+)-title \1-desc"', svg)
        assert ident and 'role="img"' in svg
        assert f'<title id="{ident.group(1)}-title">' in svg
        assert f'<desc id="{ident.group(1)}-desc">' in svg
        assert "style=" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    tree, world = svgs
    assert "Internasjonal uke" in tree and "4.3 Vennskapsbysamarbeid" in tree
    for city in (
        "Lund",
        "Viborg",
        "Borgå",
        "Dalvik",
        "Greifswald",
        "Fargo",
        "Khan Younis",
        "Karmiel",
    ):
        assert f">{city}</text>" in world
    assert "<path d=" in world  # the land outline
    # text alternatives next to the pictures
    assert "Som tekst: Kart over Hamar og vennskapsbyene" in html


# --- index pages ----------------------------------------------------------------------


def test_index_page_sorted_counted_and_paginated(settings: Settings, store: Store) -> None:
    app = create_app(
        {"out_dir": settings.out_dir, "store_path": settings.store_path, "page_size": 5},
        store=store,
    )
    app.config["TESTING"] = True
    seen: list[str] = []
    with app.test_client() as c:
        first = c.get("/id/handlingsmal/").get_data(as_text=True)
        assert "Viser 1–5 av 17" in first
        assert '<link rel="next" href="/id/handlingsmal/?side=2">' in first
        assert 'rel="prev"' not in first
        for n in range(1, 5):
            html = c.get(f"/id/handlingsmal/?side={n}").get_data(as_text=True)
            items = re.findall(r'<li><a href="(/id/handlingsmal/[^"]+)"[^>]*>([^<]+)</a>', html)
            seen.extend(label for _, label in items)
        last = c.get("/id/handlingsmal/?side=4").get_data(as_text=True)
        assert '<link rel="prev" href="/id/handlingsmal/?side=3">' in last
        assert 'rel="next"' not in last
    assert len(seen) == 17 == len(set(seen))
    assert seen == sorted(seen, key=sort_key)
    # Norwegian order: Ø after V
    assert seen.index(
        "Øke innsats med tilrettelegging og koordinering av internasjonal virksomhet."
    ) > seen.index("Videreutvikle vertsskapsrollen.")


def test_sort_key_puts_ae_oe_aa_after_z() -> None:
    words = ["Åsnes", "Zeta", "Ærø", "ørsta", "alfa", "Élan"]
    assert sorted(words, key=sort_key) == ["alfa", "Élan", "Zeta", "Ærø", "ørsta", "Åsnes"]


def test_register_lists_every_kind(client: FlaskClient) -> None:
    html = get(client, "/id/")
    hrefs = {h for h, _ in links(html)}
    for kind in ("akse", "tiltak", "handlingsmal", "aktor", "vennskapsby", "organisasjon"):
        assert f"/id/{kind}/" in hrefs
    assert "/id/akser" in hrefs


# --- ontology -------------------------------------------------------------------------


def test_ontology_page_documents_terms(client: FlaskClient) -> None:
    html = get(client, "/def/hamar")
    assert "Ontologi for Hamar kommunes internasjonale strategi" in html
    measure = html[html.index('id="Measure"') :]
    measure = measure[: measure.index("</section>")]
    assert "tiltak" in measure and "prov:Plan" in measure
    serves = html[html.index('id="servesGoal"') :]
    serves = serves[: serves.index("</section>")]
    assert 'href="/def/Measure"' in serves and 'href="/def/ActionPlanGoal"' in serves
    assert "Gjelder for (domene)" in serves and "Verdi (verdiområde)" in serves
    en = get(client, "/def/hamar?lang=en")
    assert "Ontology for Hamar kommune" in en and "Subclass of" in en


def test_every_term_iri_dereferences(client: FlaskClient, store: Store) -> None:
    rows = store.select(
        "SELECT ?t WHERE { ?t <http://www.w3.org/2000/01/rdf-schema#isDefinedBy> ?o }"
    )
    terms = {str(r["t"]) for r in rows if str(r["t"]).startswith(BASE + "def/")}
    assert len(terms) > 50
    for term in sorted(terms):
        path = term[len(BASE) - 1 :]
        html = get(client, path)
        assert "<h1>" in html and 'aria-current="page"' in html


# --- completeness ---------------------------------------------------------------------


def test_completeness_page_per_axis(client: FlaskClient) -> None:
    html = get(client, "/fullstendighet")
    gaps = state.site(client.application).gaps
    no_responsible = {i.iri for i in gaps.items if "no-responsible" in i.lacks}
    assert no_responsible  # every Ansvar cell of the plan is empty
    assert len(re.findall(r'<table class="gaps">', html)) == 5
    for iri in no_responsible:
        assert f'href="/{iri[len(BASE) :]}"' in html
    totals = re.search(r'<table class="totals">.*?</table>', html, re.S)
    assert totals and f'<td class="num">{len(no_responsible)}</td>' in totals.group(0)
    assert "Ingen ansvarlig aktør" in html and "Ingen kostnad" in html and "Ingen tiltak" in html


# --- 404 ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/id/tiltak/finnes-ikke", "/def/FinnesIkke", "/id/nokind/"])
def test_unknown_iri_gets_helpful_404(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Fant ikke siden" in html and 'action="/sok"' in html and 'href="/"' in html
    en = client.get(path + "?lang=en", headers={"Accept": "text/html"})
    assert en.status_code == 404 and "Page not found" in en.get_data(as_text=True)
    rdf = client.get(path, headers={"Accept": "text/turtle"})
    assert rdf.status_code == 404 and rdf.mimetype == "text/plain"


def test_normalise_folds_norwegian_letters() -> None:
    assert normalise("Økt KUNNSKAPSNIVÅ") == normalise("okt kunnskapsniva")
    assert normalise("Næringsliv") == normalise("naeringsliv")
    assert normalise("Dalvík") == "dalvik"


def _inside(lon: float, lat: float, ring: tuple[tuple[float, float], ...]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@pytest.mark.parametrize(
    ("place", "lon", "lat", "on_land"),
    [
        ("Hamar", 11.07, 60.79, True),
        ("Fargo", -96.79, 46.88, True),
        ("Karmiel", 35.3, 32.9, True),
        ("Lund", 13.19, 55.70, True),
        ("North Atlantic", -35.0, 45.0, False),
        ("Norwegian Sea", 2.0, 68.0, False),
    ],
)
def test_packaged_world_outline_decodes(place: str, lon: float, lat: float, on_land: bool) -> None:
    from hamar_graph.pages.diagrams import land_rings

    assert any(_inside(lon, lat, ring) for ring in land_rings()) is on_land, place
