"""Every page type in headless Chromium (issue 5, part 7).

Debian's Chromium, driven by Playwright through its executable path, loads the pages
from a live server on a free loopback port. For each page type the tests check:
axe-core (``tests/data/axe/axe.min.js``, injected from the local file) reports no
violation of WCAG 2.0/2.1 A and AA; Tab reaches the language switch, the search field
and every link; ``lang`` is right for Norwegian and English text; no request leaves
for another host; no console error (a CSP violation would show there).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.support.browser import Tab, Tabs

pytestmark = pytest.mark.browser

#: One page of every type: home, entity (measure, twin city, section), index, register,
#: search, completeness, ontology, term, 404, English versions, and the staff's views (the
#: document, the action plan, Ansvar) and the pages of a named graph and a shape.
PAGES = [
    "/",
    "/id/tiltak/internasjonal-uke",
    "/id/vennskapsby/lund",
    "/id/akse/vennskapsbysamarbeid?lang=en",
    "/id/handlingsmal/",
    "/id/",
    "/sok?q=vennskapsby",
    "/fullstendighet",
    "/def/hamar",
    "/def/Measure",
    "/id/finnes/ikke",
    "/?lang=en",
    "/id/dokument/internasjonal-strategi",
    "/id/dokument/handlingsplan-2015-2019?lang=en",
    "/ansvar",
    "/graph/data-actionplan",
    "/shapes/S01",
]


Visit = Callable[..., Tab]


@pytest.fixture()
def visit(tabs: Tabs) -> Visit:
    """Load a page in the module's tab for the browser language of ``locale``."""

    def open_page(path: str, locale: str = "nb-NO") -> Tab:
        tab = tabs("en" if locale.startswith("en") else "nb")
        tab.open(path)
        return tab

    return open_page


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_violation(visit: Visit, path: str) -> None:
    assert visit(path).axe_violations() == []


@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_for_another_host(visit: Visit, live_server: str, path: str) -> None:
    v = visit(path)
    v.page.wait_for_load_state("networkidle")
    assert v.requests, "no request recorded"
    assert v.foreign() == []
    # stylesheets came from us and applied (the header band has its colour)
    colour = v.page.evaluate(
        "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert colour == "rgb(238, 243, 248)"
    assert v.errors == []  # no CSP violation, no script error
    # nothing the page loads is missing (the 404 page's own document excepted)
    assert [u for u in v.failed if u != live_server + path] == []


KEYBOARD = [
    "/",
    "/ansvar",
    "/id/dokument/handlingsplan-2015-2019",
    "/id/tiltak/internasjonal-uke",
    "/id/vennskapsby/lund?lang=en",
    "/id/handlingsmal/",
    "/sok?q=hamar",
    "/fullstendighet",
    "/def/Measure",
    "/id/finnes/ikke",
]


@pytest.mark.parametrize("path", KEYBOARD)
def test_keyboard_reaches_switch_search_and_every_link(visit: Visit, path: str) -> None:
    v = visit(path)
    page = v.page
    # what a <details> holds (the Data section) must be reachable once it is opened
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    total = page.evaluate(
        """() => {
        const all = [...document.querySelectorAll(
            'a[href], input:not([type=hidden]), button, summary, [tabindex="0"]')];
        all.forEach((e, i) => e.setAttribute('data-kbd', String(i)));
        return all.length;
    }"""
    )
    expected = set(
        page.evaluate(
            """() => [...document.querySelectorAll('[data-kbd]')]
            .filter(e => e.getClientRects().length > 0 || e.classList.contains('skip-link'))
            .map(e => e.getAttribute('data-kbd'))"""
        )
    )
    reached: list[str | None] = []
    for _ in range(total + 3):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.getAttribute('data-kbd')"))
    missing = expected - set(reached)
    assert not missing, page.evaluate(
        "(ids) => ids.map(i => document.querySelector(`[data-kbd='${i}']`).outerHTML)",
        sorted(missing),
    )
    switch = page.evaluate(
        "() => document.querySelector('.lang-switch a').getAttribute('data-kbd')"
    )
    search = page.evaluate("() => document.querySelector('#site-q').getAttribute('data-kbd')")
    assert switch in reached and search in reached
    # the skip link comes first and is visible when focused
    page.keyboard.press("Home")
    first = page.evaluate(
        """() => { document.activeElement.blur(); window.scrollTo(0, 0); return true; }"""
    )
    assert first
    page.goto(page.url)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().top") >= 0


def _lang_of(page: Page, text: str) -> str:
    return page.get_by_text(text).first.evaluate("e => e.closest('[lang]').getAttribute('lang')")


def test_lang_attributes_for_norwegian_and_english_text(visit: Visit) -> None:
    en = visit("/id/akse/vennskapsbysamarbeid?lang=en").page
    assert en.evaluate("() => document.documentElement.lang") == "en"
    assert _lang_of(en, "Vennskapsbysamarbeidet har i lengre tid") == "nb"
    assert _lang_of(en, "Twin-city cooperation has for a long time") == "en"
    assert _lang_of(en, "Norsk") == "nb"  # the switch names its language in that language

    nb = visit("/id/akse/vennskapsbysamarbeid").page
    assert nb.evaluate("() => document.documentElement.lang") == "nb"
    assert _lang_of(nb, "Twin-city cooperation has for a long time") == "en"
    assert _lang_of(nb, "English") == "en"

    by_header = visit("/id/akse/vennskapsbysamarbeid", locale="en-GB").page
    assert by_header.evaluate("() => document.documentElement.lang") == "en"
    assert by_header.locator("h1").inner_text() == "Twin-city cooperation"


def test_language_switch_and_search_by_keyboard(visit: Visit, live_server: str) -> None:
    page = visit("/id/vennskapsby/lund").page
    page.locator(".lang-switch a").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/id/vennskapsby/lund?lang=en")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.locator("#site-q").focus()
    page.keyboard.type("okt kunnskapsniva")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/sok?" in page.url and "lang=en" in page.url
    assert page.locator("ol.results a[href*='/id/resultat/okt-kunnskapsniva']").count() == 1


def test_axe_as_these_tests_run_it_reports_what_it_finds(visit: Visit) -> None:
    """The check can fail: a low-contrast paragraph and an image without a text
    alternative, added to a page, are reported with the elements that have them."""
    tab = visit("/id/vennskapsby/lund")
    tab.page.evaluate(
        """() => {
          const p = document.createElement('p');
          p.id = 'faint'; p.textContent = 'Svak tekst';
          p.style.color = '#cccccc'; p.style.background = '#ffffff';
          const img = document.createElement('img');
          img.id = 'no-alt'; img.src = '/static/favicon.svg';
          document.querySelector('main').append(p, img);
        }"""
    )
    found = {rule: targets for rule, _, targets in tab.axe_violations()}
    assert found.get("color-contrast") == [["#faint"]]
    assert found.get("image-alt") == [["#no-alt"]]
