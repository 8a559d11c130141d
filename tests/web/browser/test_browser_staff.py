"""Staff pages on any screen, in Chromium (issue 13): for every kind of page in Norwegian
and English, no sideways scrolling at 375 px (with every ``<details>`` opened) and no
WCAG 2.1 AA violation found by axe-core, at 375 px and at 1280 px; the pictures keep
every label inside its box; the action plan prints as its table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from hamar_graph.config import Settings
from hamar_graph.store.base import Store
from tests.support.sparql import LiveServer
from tests.web.browser.test_browser_pages import ARGS, AXE, CHROMIUM, WCAG
from web import create_app

pytestmark = pytest.mark.browser

#: One page of every kind (the query page has its own: tests/web/browser/test_sparql_browser.py).
KINDS = [
    "/",
    "/id/dokument/internasjonal-strategi",
    "/id/dokument/handlingsplan-2015-2019",
    "/ansvar",
    "/id/akse/tjenesteutvikling-gjennom-eu-prosjekter",
    "/id/handlingsmal/sikre-at-integrering-fremstar",
    "/id/tiltak/internasjonal-uke",
    "/id/vennskapsby/khan-younis",
    "/id/organisasjon/hamar-kommune",
    "/id/organisasjon/hihm-luna",
    "/id/utsagn/ansvar-overordnet-strategi",
    "/id/lesning/ansvarskartet",
    "/id/seksjon/4-6",
    "/id/akser",
    "/id/handlingsmal/",
    "/id/",
    "/sok?q=vennskapsby",
    "/fullstendighet",
    "/def/hamar",
    "/def/Measure",
    "/graph/data-actionplan",
    "/shapes/S01",
    "/catalog",
    "/.well-known/void",
    "/download/",
    "/id/finnes/ikke",
]


@pytest.fixture(scope="module")
def live_server(settings: Settings, store: Store) -> Iterator[str]:
    app: Flask = create_app(
        {"out_dir": settings.out_dir, "store_path": settings.store_path, "page_size": 10},
        store=store,
    )
    with LiveServer(app) as server:
        yield server.url


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


def _open(browser: Browser, url: str, width: int, lang: str) -> Page:
    context = browser.new_context(
        locale="nb-NO" if lang == "nb" else "en-GB", viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.add_init_script(path=str(AXE))
    sep = "&" if "?" in url else "?"
    page.goto(f"{url}{sep}lang={lang}", wait_until="load")
    return page


def _overflow(page: Page) -> list[str]:
    """Elements that stick out of the window to the right (outside a box that scrolls)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
                         && !e.closest('.picture-scroll, .table-wrap'))
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + '.' + e.className + ': '
                      + (e.textContent || '').trim().slice(0, 50))"""
    )


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("path", KINDS)
def test_no_sideways_scrolling_at_375_px(
    browser: Browser, live_server: str, path: str, lang: str
) -> None:
    page = _open(browser, live_server + path, 375, lang)
    try:
        assert page.evaluate("() => document.documentElement.lang") == lang
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, _overflow(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize(
    "path",
    [
        "/id/dokument/internasjonal-strategi",
        "/id/dokument/handlingsplan-2015-2019",
        "/ansvar",
        "/id/organisasjon/hamarregionen-utvikling",
        "/id/organisasjon/hihm-luna",
        "/graph/data-actionplan",
        "/shapes/S01",
        "/",
    ],
)
def test_axe_finds_no_wcag_violation_on_staff_pages(
    browser: Browser, live_server: str, path: str, lang: str, width: int
) -> None:
    page = _open(browser, live_server + path, width, lang)
    try:
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG,
        )
        violations = [
            (x["id"], x["help"], [n["target"] for n in x["nodes"]][:3])
            for x in result["violations"]
        ]
        assert violations == []
        assert result["passes"]
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("path", ["/", "/ansvar"])
def test_every_picture_label_inside_its_box(
    browser: Browser, live_server: str, path: str, lang: str
) -> None:
    page = _open(browser, live_server + path, 1280, lang)
    try:
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('svg g.node')].map(g => {
                const r = g.querySelector('rect').getBBox(), t = g.querySelector('text').getBBox();
                return {text: g.textContent, inside: t.x >= r.x && t.y >= r.y
                        && t.x + t.width <= r.x + r.width && t.y + t.height <= r.y + r.height};
            })"""
        )
        assert boxes, "no labelled box found"
        assert [b["text"] for b in boxes if not b["inside"]] == []
    finally:
        page.context.close()


def test_every_measure_goal_link_can_be_followed(browser: Browser, live_server: str) -> None:
    """Each line from a goal to a measure stays inside the goal's own band: it starts at the
    goal's right edge and ends at the measure's left edge, crossing no other box."""
    page = _open(browser, live_server + "/", 1280, "nb")
    try:
        crossings = page.evaluate(
            """() => {
              const svg = document.querySelector('svg#tree, svg[aria-labelledby^="tree-"]');
              const rects = [...svg.querySelectorAll('g.node rect')].map(r => r.getBBox());
              const bad = [];
              for (const path of svg.querySelectorAll('path[fill="none"]')) {
                const b = path.getBBox();
                for (const r of rects) {
                  const overlapX = Math.min(b.x + b.width, r.x + r.width) - Math.max(b.x, r.x);
                  const overlapY = Math.min(b.y + b.height, r.y + r.height) - Math.max(b.y, r.y);
                  if (overlapX > 1 && overlapY > 1) bad.push(path.getAttribute('d'));
                }
              }
              return [svg.querySelectorAll('path[fill="none"]').length, bad];
            }"""
        )
        count, bad = crossings
        assert count == 6  # the plan's six goal–measure links
        assert bad == []
    finally:
        page.context.close()


def test_the_action_plan_prints_as_its_table(browser: Browser, live_server: str) -> None:
    page = _open(browser, live_server + "/id/dokument/handlingsplan-2015-2019", 1280, "nb")
    try:
        page.emulate_media(media="print")
        shown = page.evaluate(
            """() => ({
              tables: [...document.querySelectorAll('.plan-table')]
                .filter(t => t.offsetParent).length,
              nav: !!document.querySelector('.main-nav').offsetParent,
              data: !!document.querySelector('.data').offsetParent,
              facts: !!document.querySelector('.facts').offsetParent,
            })"""
        )
        assert shown == {"tables": 5, "nav": False, "data": False, "facts": False}
        pdf = page.pdf(prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
    finally:
        page.context.close()
