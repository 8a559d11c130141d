"""Staff pages on any screen, in Chromium (issue 13): for every kind of page in Norwegian
and English, no sideways scrolling at 375 px (with every ``<details>`` opened) and no
WCAG 2.1 AA violation found by axe-core, at 375 px and at 1280 px; the pictures keep
every label inside its box; the action plan prints as its table."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.support.browser import Tab, Tabs

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
def test_no_sideways_scrolling_at_375_px(tabs: Tabs, path: str, lang: str) -> None:
    tab = tabs(lang, 375)
    page = tab.open(path, lang)
    assert page.evaluate("() => document.documentElement.lang") == lang
    tab.open_all_details()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, _overflow(page)


STAFF_PAGES = [
    "/id/dokument/internasjonal-strategi",
    "/id/dokument/handlingsplan-2015-2019",
    "/ansvar",
    "/id/organisasjon/hamarregionen-utvikling",
    "/id/organisasjon/hihm-luna",
    "/graph/data-actionplan",
    "/shapes/S01",
    "/",
]
#: (path, language) that test_browser_pages.py already checks with axe-core at 1280 px.
AXE_AT_1280_ELSEWHERE = {
    ("/", "nb"),
    ("/id/dokument/internasjonal-strategi", "nb"),
    ("/ansvar", "nb"),
    ("/graph/data-actionplan", "nb"),
    ("/shapes/S01", "nb"),
    ("/id/dokument/handlingsplan-2015-2019", "en"),
}


@pytest.mark.parametrize(
    ("path", "lang", "width"),
    [
        (path, lang, width)
        for path in STAFF_PAGES
        for lang in ("nb", "en")
        for width in (375, 1280)
        if width == 375 or (path, lang) not in AXE_AT_1280_ELSEWHERE
    ],
)
def test_axe_finds_no_wcag_violation_on_staff_pages(
    tabs: Tabs, path: str, lang: str, width: int
) -> None:
    tab = tabs(lang, width)
    tab.open(path, lang)
    tab.open_all_details()
    assert tab.axe_violations() == []


def _nb_at_1280(tabs: Tabs, path: str) -> Tab:
    tab = tabs("nb", 1280)
    tab.open(path, "nb")
    return tab


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("path", ["/", "/ansvar"])
def test_every_picture_label_inside_its_box(tabs: Tabs, path: str, lang: str) -> None:
    page = tabs(lang, 1280).open(path, lang)
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('svg g.node')].map(g => {
            const r = g.querySelector('rect').getBBox(), t = g.querySelector('text').getBBox();
            return {text: g.textContent, inside: t.x >= r.x && t.y >= r.y
                    && t.x + t.width <= r.x + r.width && t.y + t.height <= r.y + r.height};
        })"""
    )
    assert boxes, "no labelled box found"
    assert [b["text"] for b in boxes if not b["inside"]] == []


def test_every_measure_goal_link_can_be_followed(tabs: Tabs) -> None:
    """Each line from a goal to a measure stays inside the goal's own band: it starts at the
    goal's right edge and ends at the measure's left edge, crossing no other box."""
    page = _nb_at_1280(tabs, "/").page
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


def test_the_action_plan_prints_as_its_table(tabs: Tabs) -> None:
    page = _nb_at_1280(tabs, "/id/dokument/handlingsplan-2015-2019").page
    page.emulate_media(media="print")
    try:
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
        page.emulate_media(media="screen")  # the tab goes on to other tests


def test_the_pages_left_to_the_other_module_are_checked_there() -> None:
    """axe-core at 1280 px is not repeated here for the pages test_browser_pages.py checks."""
    from tests.web.browser.test_browser_pages import PAGES

    for path, lang in AXE_AT_1280_ELSEWHERE:
        assert (path if lang == "nb" else f"{path}?lang=en") in PAGES
