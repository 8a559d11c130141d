"""The publication's pages (catalogue, VoID, downloads) in headless Chromium: axe-core finds
no WCAG 2.1 A/AA violation, and nothing is loaded from another host."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from hamar_graph.publication.publish import Publication
from hamar_graph.store.base import Store
from tests.support.browser import Tabs
from tests.support.sparql import LiveServer
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
def live_server(published: Publication, store: Store) -> Iterator[str]:
    """The app serving the session's publication folder (the tabs browse this one)."""
    assert published.directory is not None
    app = create_app({"out_dir": published.directory}, store=store)
    with LiveServer(app) as server:
        yield server.url


@pytest.mark.parametrize("path", PAGES)
def test_publication_pages_pass_axe_and_stay_on_this_host(
    tabs: Tabs, live_server: str, path: str
) -> None:
    tab = tabs("nb")
    page = tab.open(path)
    assert tab.failed == []
    assert tab.axe_violations() == []
    page.wait_for_load_state("networkidle")
    assert {urlsplit(u).netloc for u in tab.requests} == {urlsplit(live_server).netloc}
