"""The query page in headless Chromium: YASGUI runs queries with no request to any other
host and no CSP violation, URLs are shareable, the examples load, and without JavaScript
the plain form still shows a results table."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from hamar_graph.store.base import Store
from tests.support.browser import AXE, AXE_RUN, WCAG
from tests.support.sparql import LiveServer, pool_app

pytestmark = pytest.mark.browser

TWIN_CITIES = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "SELECT ?name WHERE { ?c a hms:TwinCity ; skos:prefLabel ?name "
    'FILTER(lang(?name) = "nb") } ORDER BY ?name'
)


@pytest.fixture(scope="module")
def live(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with (
        pool_app(store, tmp_path_factory.mktemp("browser"), query_timeout=20) as app,
        LiveServer(app) as server,
    ):
        yield server


class Tab:
    """A page with what it requested and the console errors it logged."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def foreign(self) -> list[str]:
        """Requests to any host other than our server."""
        ours = urlsplit(self.base).netloc
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != ours
        ]


@pytest.fixture()
def tab(browser: Browser, live: LiveServer) -> Iterator[Tab]:
    context = browser.new_context(locale="nb-NO")
    yield Tab(context.new_page(), live.url)
    context.close()


def wait_for_table(page: Page, text: str) -> None:
    page.wait_for_selector(f"#yasgui .yasr table >> text={text}", timeout=30_000)


def test_yasgui_runs_a_query_and_calls_no_other_host(tab: Tab, live: LiveServer) -> None:
    page = tab.page
    page.goto(f"{live.url}/sparql", wait_until="load")
    page.wait_for_selector("#yasgui .CodeMirror", timeout=30_000)
    assert page.is_hidden("#sparql-form")  # YASGUI replaced the plain form
    editor_text = page.evaluate(
        "() => document.querySelector('#yasgui .CodeMirror').CodeMirror.getValue()"
    )
    assert "PREFIX hms: <https://data.hamar.kommune.no/def/>" in editor_text  # as it uses
    page.evaluate(
        "(q) => { const cm = document.querySelector('#yasgui .CodeMirror').CodeMirror;"
        " cm.setValue(q); }",
        TWIN_CITIES,
    )
    page.click("#yasgui .yasqe_queryButton")
    wait_for_table(page, "Khan Younis")
    # The page URL now carries the query: it can be shared.
    shared = parse_qs(urlsplit(page.url).query)["query"][0]
    assert "hms:TwinCity" in shared
    # Type into the editor to trigger the (local) autocompleters, too.
    page.click("#yasgui .CodeMirror")
    page.keyboard.type(" ?na")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(500)
    assert tab.foreign() == []
    assert tab.errors == []


def test_shared_url_loads_and_runs(tab: Tab, live: LiveServer) -> None:
    tab.page.goto(f"{live.url}/sparql?{urlencode({'query': TWIN_CITIES})}", wait_until="load")
    wait_for_table(tab.page, "Greifswald")
    assert tab.page.is_hidden("#server-results")  # the server's table gave way to YASGUI's
    assert tab.foreign() == [] and tab.errors == []


def test_example_loads_into_the_editor(tab: Tab, live: LiveServer) -> None:
    page = tab.page
    page.goto(f"{live.url}/sparql", wait_until="load")
    page.wait_for_selector("#yasgui .CodeMirror", timeout=30_000)
    page.click("#example-measures-serving-several-goals a")
    wait_for_table(page, "Internasjonal uke")
    assert "Tiltak som tjener" in parse_qs(urlsplit(page.url).query)["query"][0]
    assert tab.foreign() == [] and tab.errors == []


def test_without_javascript_the_form_works(browser: Browser, live: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False, locale="nb-NO")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live.url}/sparql", wait_until="load")
    assert page.is_visible("#sparql-form")
    page.fill("#sparql-query", TWIN_CITIES)
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector("table.sparql-table >> text=Karmiel")
    cells = page.locator("table.sparql-table tbody tr").count()
    assert cells == 8
    # An example link runs on the server, too.
    page.goto(f"{live.url}/sparql", wait_until="load")
    page.click("#example-goals-per-axis a")
    page.wait_for_selector("table.sparql-table >> text=Vennskapsbysamarbeid")
    assert all(urlsplit(u).netloc == urlsplit(live.url).netloc for u in requests)
    context.close()


@pytest.mark.parametrize(
    ("query", "shown"), [("ASK {}", "#yasgui .yasr"), (TWIN_CITIES, "#yasgui .yasr table")]
)
def test_axe_finds_no_wcag_violation(
    browser: Browser, live: LiveServer, query: str, shown: str
) -> None:
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.add_init_script(path=str(AXE))
    page.goto(f"{live.url}/sparql?{urlencode({'query': query})}", wait_until="load")
    page.wait_for_selector(shown, timeout=30_000)
    page.wait_for_timeout(500)
    result = page.evaluate(AXE_RUN, WCAG)
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    context.close()
    assert violations == [], "\n".join(map(str, violations))


# --- issue 13: the editor shows its query, YASGUI speaks the page's language, links stay here


def _editor_lines(page: Page) -> str:
    """What the editor shows on screen (CodeMirror's rendered lines, not its model)."""
    return page.inner_text("#yasgui .CodeMirror-code")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_editor_shows_the_query_on_load(browser: Browser, live: LiveServer, lang: str) -> None:
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live.url}/sparql?lang={lang}", wait_until="load")
    page.wait_for_selector("#yasgui .CodeMirror-code", timeout=30_000)
    page.wait_for_timeout(300)
    assert "SELECT ?number ?axis ?label" in _editor_lines(page)  # without a click
    page.goto(f"{live.url}/sparql?{urlencode({'query': TWIN_CITIES, 'lang': lang})}")
    page.wait_for_selector("#yasgui .CodeMirror-code", timeout=30_000)
    page.wait_for_timeout(300)
    shown = _editor_lines(page)
    assert "hms:TwinCity" in shown and "skos:prefLabel" in shown  # a shared link's query
    context.close()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nb", ["Tabell", "Svar", "Viser 1 til 8 av 8 rader", "8 resultater"]),
        ("en", ["Table", "Response", "Showing 1 to 8 of 8 entries", "8 results"]),
    ],
)
def test_yasgui_speaks_the_page_language(
    browser: Browser, live: LiveServer, lang: str, words: list[str]
) -> None:
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live.url}/sparql?{urlencode({'query': TWIN_CITIES, 'lang': lang})}")
    wait_for_table(page, "Greifswald")
    page.wait_for_timeout(300)
    text = page.inner_text("#yasgui")
    for word in words:
        assert word in text, (word, text[:2000])
    if lang == "nb":
        for english in ("Showing 1 to", "Simple view", " results in "):
            assert english not in text
    context.close()


def test_result_links_stay_on_this_server(tab: Tab, live: LiveServer) -> None:
    query = "SELECT ?c WHERE { ?c a hms:TwinCity } ORDER BY ?c"  # hms: is declared for us
    tab.page.goto(f"{live.url}/sparql?{urlencode({'query': query})}", wait_until="load")
    tab.page.wait_for_selector("#yasgui .yasr table a", timeout=30_000)
    tab.page.wait_for_timeout(300)
    hrefs = tab.page.eval_on_selector_all(
        "#yasgui .yasr table a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert hrefs and all(h.startswith("/id/") for h in hrefs), hrefs
    tab.page.click("#yasgui .yasr table a >> nth=0")
    tab.page.wait_for_load_state("load")
    assert tab.page.url.startswith(live.url + "/id/")  # this server's page of the resource
    assert tab.foreign() == [] and tab.errors == []


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_no_horizontal_scroll_at_375_px(browser: Browser, live: LiveServer, lang: str) -> None:
    context = browser.new_context(locale="nb-NO", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{live.url}/sparql?{urlencode({'query': TWIN_CITIES, 'lang': lang})}")
    wait_for_table(page, "Greifswald")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    context.close()
    assert width <= 375


@pytest.mark.parametrize(
    ("lang", "named"), [("nb", "Prefikset nope: er ikke deklarert"), ("en", "Unknown prefix nope:")]
)
def test_an_undeclared_prefix_is_named_on_the_page(
    browser: Browser, live: LiveServer, lang: str, named: str
) -> None:
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    query = "SELECT * WHERE { ?s nope:x ?o }"
    # A shared link: the server's answer names the prefix, the engine's words below.
    page.goto(f"{live.url}/sparql?{urlencode({'query': query, 'lang': lang})}")
    page.wait_for_selector("#yasgui .CodeMirror-code", timeout=30_000)
    shown = page.inner_text("#server-results")
    assert named in shown and "Prefix not found" in shown
    # Run from the editor: YASGUI shows the endpoint's message, in the page's language.
    page.click("#yasgui .yasqe_queryButton")
    page.wait_for_function(
        "(w) => document.querySelector('#yasgui .yasr').innerText.includes(w)",
        arg=named,
        timeout=30_000,
    )
    context.close()
