"""Fixtures of the browser tests: one Chromium per test process, a live server of the pages
and reusable tabs for each module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from hamar_graph.config import Settings
from hamar_graph.store.base import Store
from tests.support.browser import Tabs, launch
from tests.support.sparql import LiveServer
from web import create_app


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, started once per test process and closed at its end."""
    with sync_playwright() as p:
        chromium = launch(p.chromium.launch)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def live_server(settings: Settings, store: Store) -> Iterator[str]:
    """The app of the built graph on a free loopback port (ten rows to a list page)."""
    app = create_app(
        {"out_dir": settings.out_dir, "store_path": settings.store_path, "page_size": 10},
        store=store,
    )
    with LiveServer(app) as server:
        yield server.url


@pytest.fixture(scope="module")
def tabs(browser: Browser, live_server: str) -> Iterator[Tabs]:
    """One tab per language and window width for the module, navigated by each test."""
    made = Tabs(browser, live_server)
    yield made
    made.close()
