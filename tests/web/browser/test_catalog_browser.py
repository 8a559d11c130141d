"""The publication's pages (catalogue, VoID, downloads) in headless Chromium: axe-core finds
no WCAG 2.1 A/AA violation, and nothing is loaded from another host."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, sync_playwright

from hamar_graph.publication.publish import Publication
from hamar_graph.store.base import Store
from tests.support.sparql import LiveServer
from tests.web.browser.test_browser_pages import ARGS, AXE, CHROMIUM, WCAG
from web import create_app

pytestmark = pytest.mark.browser

PAGES = [
    "/catalog",
    "/catalog?lang=en",
    "/catalog/dcat-ap-no",
    "/.well-known/void",
    "/.well-known/void?lang=en",
    "/download/",
]


@pytest.fixture(scope="module")
def live(published: Publication, store: Store) -> Iterator[str]:
    assert published.directory is not None
    app = create_app({"out_dir": published.directory}, store=store)
    with LiveServer(app) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("path", PAGES)
def test_publication_pages_pass_axe_and_stay_on_this_host(
    browser: Browser, live: str, path: str
) -> None:
    context = browser.new_context(locale="nb-NO")
    try:
        page = context.new_page()
        page.add_init_script(path=str(AXE))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        response = page.goto(live + path, wait_until="load")
        assert response is not None and response.status == 200
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
        page.wait_for_load_state("networkidle")
        assert {urlsplit(u).netloc for u in requests} == {urlsplit(live).netloc}
    finally:
        context.close()
