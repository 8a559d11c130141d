"""Crawl the site from the home page: no broken internal link, every resource reached
(issue 5, part 7), and the completeness warnings agree with the SHACL shapes."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

from flask.testing import FlaskClient
from rdflib import Dataset

from hamar_graph.build.completeness import CATEGORIES, completeness
from hamar_graph.build.validate import validate_dataset
from hamar_graph.store.base import Store
from web import state

BASE = "https://data.hamar.kommune.no/"
LINKS = re.compile(r'(?:href|action)="([^"]*)"')
HREFS = re.compile(r'href="([^"]*)"')
#: A page's links to itself in each language, for search engines (``hreflang``).
ALTERNATES = re.compile(r'<link rel="alternate" hreflang="[^"]*" href="[^"]*">')


def crawl(
    client: FlaskClient,
    start: str = "/",
    skip: tuple[str, ...] = (),
    forms: bool = True,
    alternates: bool = True,
) -> tuple[dict[str, int], set[str]]:
    """Visit every internal URL reachable from ``start`` (except URLs containing one of ``skip``);
    return the status of each and the external links found.

    :param forms: follow form actions too (without their fields).
    :param alternates: follow the ``hreflang`` alternates in the head too.
    """
    pattern = LINKS if forms else HREFS
    seen: dict[str, int] = {}
    external: set[str] = set()
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.mimetype != "text/html" or response.status_code >= 400:
            response.close()
            continue
        html = response.get_data(as_text=True)
        if not alternates:
            html = ALTERNATES.sub("", html)
        for raw in pattern.findall(html):
            target = urldefrag(urljoin(url, raw.replace("&amp;", "&")))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                external.add(target)
            elif target and target not in seen and not any(s in target for s in skip):
                queue.append(target)
    return seen, external


def test_crawler_finds_no_broken_link_and_reaches_every_resource(
    client: FlaskClient, store: Store
) -> None:
    seen, external = crawl(client)
    broken = {url: status for url, status in seen.items() if status >= 400}
    assert not broken, broken
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    things = {str(r["s"]) for r in rows if str(r["s"]).startswith(BASE + "id/")}
    reached = {BASE + urlsplit(url).path[1:] for url in seen}
    missing = sorted(things - reached)
    assert not missing, missing
    # Outgoing links are plain links to the known identifier services and licences only.
    hosts = {urlsplit(url).netloc for url in external if url.startswith(("http:", "https:"))}
    assert hosts <= {
        "www.wikidata.org",
        "sws.geonames.org",
        "data.geonorge.no",
        "ec.europa.eu",
        "publications.europa.eu",
        "www.hamar.kommune.no",
        "www.w3.org",
        "www.ks.no",
        "schema.org",
        "purl.org",
        "xmlns.com",
        "data.europa.eu",
        "organization-catalog.fellesdatakatalog.digdir.no",
        "data.norge.no",
        "data.hamar.kommune.no",  # named-graph IRIs: plain links, not pages of ours
    }, hosts


def test_crawl_in_english_keeps_language(client: FlaskClient) -> None:
    seen, _ = crawl(
        client,
        "/id/akse/?lang=en",
        # not the switch back to nb, and not the pages of the other blueprints
        skip=("lang=nb", "/sparql", "/catalog", "/.well-known/"),
        forms=False,
        # the head's hreflang links name the page in each language, for search engines
        alternates=False,
    )
    pages = [u for u in seen if u.startswith("/id/") and not re.search(r"\.\w+$", u)]
    # the format documents (.ttl …) are language-neutral; every page keeps ?lang=en
    assert len(pages) > 20
    assert all("lang=en" in u for u in pages), [u for u in pages if "lang=en" not in u][:5]


def test_page_warnings_agree_with_the_shapes(dataset: Dataset, client: FlaskClient) -> None:
    """The gaps the pages show are the SHACL completeness report's (S80-S83)."""
    report = completeness(validate_dataset(dataset), dataset)
    from_shapes: set[tuple[str, str]] = set()
    codes = {
        "goals_without_measures": "no-measure",
        "goals_without_responsible_actor": "no-responsible",
        "measures_without_responsible_actor": "no-responsible",
        "measures_without_cost": "no-cost",
    }
    for axis in report.axes:
        for name, _, _ in CATEGORIES:
            for item in getattr(axis, name):
                from_shapes.add((item.iri, codes[name]))
    gaps = state.site(client.application).gaps
    from_pages = {(item.iri, code) for item in gaps.items for code in item.lacks}
    assert from_shapes
    assert from_pages == from_shapes
