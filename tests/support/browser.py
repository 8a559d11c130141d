"""Headless Chromium for the browser tests: Debian's Chromium driven by Playwright, axe-core
from a local file, and tabs that are opened once and reused.

Opening a browser context and a page costs about 0.35 s each time and loading axe-core into
a fresh page another 0.35 s; navigating a page that is already open costs about 0.1 s. The
tests therefore keep one tab per language and window width for a whole module
(:class:`Tabs`) and navigate it; every :meth:`Tab.open` starts a new document, so nothing a
test did to the previous page (opened ``<details>``, focus, scrolling) carries over.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response

from tests.support.paths import TEST_DATA

AXE = TEST_DATA / "axe" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The axe-core tags of WCAG 2.0 and 2.1, levels A and AA.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCALES = {"nb": "nb-NO", "en": "en-GB"}
#: axe-core over the whole document for ``tags``. Every rule runs and every violation is
#: reported with all its elements; passes are listed with one element each
#: (``resultTypes``), which takes a third of the time on the strategy document's page.
AXE_RUN = (
    "async (tags) => await axe.run(document, "
    "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
)


def launch(playwright_chromium: Callable[..., Browser]) -> Browser:
    """Debian's Chromium, headless, with nothing that calls home."""
    return playwright_chromium(executable_path=CHROMIUM, args=ARGS)


class Tab:
    """One reusable page with what its last document requested, which of those failed and
    the console errors it logged."""

    def __init__(self, context: BrowserContext, base: str) -> None:
        self.context = context
        self.base = base
        self.page: Page = context.new_page()
        self.requests: list[str] = []
        self.failed: list[str] = []  #: URLs answered with status >= 400
        self.errors: list[str] = []  #: console errors other than failed loads
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", self._response)
        self.page.on("console", self._console)

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(response.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def open(self, path: str, lang: str | None = None) -> Page:
        """Load ``path`` (with ``lang=`` added when given) as a new document."""
        self.requests.clear()
        self.failed.clear()
        self.errors.clear()
        url = self.base + path
        if lang is not None:
            url += ("&" if "?" in url else "?") + f"lang={lang}"
        self.page.goto(url, wait_until="load")
        return self.page

    def foreign(self) -> list[str]:
        """Requests of the last document to any host other than our server."""
        ours = urlsplit(self.base).netloc
        return [u for u in self.requests if urlsplit(u).netloc != ours]

    def axe_violations(self) -> list[tuple[str, str, list[object]]]:
        """What axe-core finds against WCAG 2.1 A and AA on the page as it is now (rule,
        help text, the first three elements); raises if axe ran no check at all."""
        result = self.page.evaluate(AXE_RUN, WCAG)
        if not result["passes"]:
            raise AssertionError("axe-core ran no check")
        return [
            (x["id"], x["help"], [n["target"] for n in x["nodes"]][:3])
            for x in result["violations"]
        ]

    def open_all_details(self) -> None:
        """Open every ``<details>``, so that what they hold is laid out and checked too."""
        self.page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


class Tabs:
    """The tabs of one test module, one per browser language and window width, made on
    first use and closed together."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self._tabs: dict[tuple[str, int], Tab] = {}

    def __call__(self, lang: str = "nb", width: int = 1280) -> Tab:
        key = (lang, width)
        if key not in self._tabs:
            context = self.browser.new_context(
                locale=LOCALES[lang], viewport={"width": width, "height": 800}
            )
            context.add_init_script(path=str(AXE))  # runs outside the page's CSP
            self._tabs[key] = Tab(context, self.base)
        return self._tabs[key]

    def close(self) -> None:
        for tab in self._tabs.values():
            tab.context.close()
        self._tabs.clear()
