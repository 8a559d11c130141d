"""``hamar-graph export-site``: the publication as static files, served by Python's
http.server and crawled: no dead link, every page in both languages, every resource in
every format, dumps with the sizes and checksums the catalogue states."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT

from hamar_graph.build.pipeline import BuildResult
from hamar_graph.cli import main
from hamar_graph.store.base import Store
from tests.support.sparql import free_port
from web import conneg
from web.static_export import DOCUMENT_SUFFIXES, Fetched, crawl_export, static_path

pytestmark = pytest.mark.server

BASE = "https://data.hamar.kommune.no/"
LINK = re.compile(r'\b(?:href|src)="([^"]*)"')


# --- the mapping from URLs to files ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "file"),
    [
        ("/", "index.html"),
        ("/?lang=en", "index.lang-en.html"),
        ("/id/", "id/index.html"),
        ("/id/tiltak/?side=2&lang=en", "id/tiltak/index.lang-en.side-2.html"),
        ("/id/vennskapsby/lund", "id/vennskapsby/lund/index.html"),
        ("/id/vennskapsby/lund?lang=en", "id/vennskapsby/lund/index.lang-en.html"),
        ("/id/vennskapsby/lund.ttl", "id/vennskapsby/lund.ttl"),
        ("/catalog", "catalog/index.html"),
        ("/catalog/dcat-ap-no.jsonld", "catalog/dcat-ap-no.jsonld"),
        ("/.well-known/void", ".well-known/void/index.html"),
        ("/download/hamar-graph-0.1.0.ttl.gz", "download/hamar-graph-0.1.0.ttl.gz"),
        ("/static/css/site.css", "static/css/site.css"),
        ("/sok?q=lund", None),
        ("/sparql?query=ASK%7B%7D", None),
        ("/id/x.ttl?lang=en", None),
        ("/id/../../etc/passwd", None),
    ],
)
def test_static_path(url: str, file: str | None) -> None:
    assert static_path(url) == file


def test_document_suffixes_are_the_conneg_ones() -> None:
    assert set(DOCUMENT_SUFFIXES) == set(conneg.SUFFIXES)


def _fake_site(pages: dict[str, tuple[str, str]]):  # type: ignore[no-untyped-def]
    def fetch(url: str, accept: str) -> Fetched:
        if url not in pages:
            return Fetched(404, "text/plain", b"")
        media, body = pages[url]
        return Fetched(200, media, body.encode())

    return fetch


def test_crawl_rewrites_static_queries_and_reports_broken_links(tmp_path: Path) -> None:
    site = {
        "/": (
            "text/html",
            '<a href="/a?lang=en#x">A</a> <a href="/gone">G</a> '
            '<a href="https://example.org/">E</a> <a href="/sok?q=1">S</a>',
        ),
        "/a?lang=en": ("text/html", '<link href="/s.css" rel="stylesheet"><a href="b">B</a>'),
        "/b": ("text/html", "<p>b</p>"),
        "/s.css": ("text/css", "body { background: url('/img.svg') }"),
        "/img.svg": ("image/svg+xml", "<svg/>"),
    }
    report = crawl_export(_fake_site(site), tmp_path, ["/"], BASE)
    assert report.failed == {"/gone": 404}
    assert report.skipped == {"/sok?q=1"}
    home = (tmp_path / "index.html").read_text()
    assert 'href="/a/index.lang-en.html#x"' in home
    assert 'href="https://example.org/"' in home
    assert (tmp_path / "a" / "index.lang-en.html").exists()
    assert (tmp_path / "b" / "index.html").exists()
    assert (tmp_path / "img.svg").read_text() == "<svg/>"


def test_crawl_prefixes_root_relative_links_with_the_base_path(tmp_path: Path) -> None:
    site = {"/": ("text/html", '<a href="/id/x">x</a> <a href="/id/y?lang=en">y</a>')}
    crawl_export(_fake_site(site), tmp_path, ["/"], "https://example.org/hamar/")
    home = (tmp_path / "index.html").read_text()
    assert 'href="/hamar/id/x"' in home
    assert 'href="/hamar/id/y/index.lang-en.html"' in home


# --- the whole site, served statically -------------------------------------------------


@pytest.fixture(scope="module")
def site(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``hamar-graph export-site DIR`` through the CLI, after ``build`` (the session's)."""
    folder = tmp_path_factory.mktemp("site")
    out = built.manifest_path.parent
    result = CliRunner().invoke(
        main, ["export-site", str(folder)], env={"HAMAR_GRAPH_OUT_DIR": str(out)}
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def static_server(site: Path) -> Iterator[str]:
    """``python -m http.server`` serving the folder on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(site),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/robots.txt", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def local(url: str, server: str) -> str:
    """A ``{base}…`` URL on the static server."""
    assert url.startswith(BASE), url
    return server + "/" + url[len(BASE) :]


def test_crawl_finds_no_dead_link(static_server: str, store: Store) -> None:
    seen: dict[str, int] = {}
    queue = deque([static_server + "/", static_server + "/index.lang-en.html"])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        status, media, body = get(url)
        seen[url] = status
        if status != 200 or media != "text/html":
            continue
        for raw in LINK.findall(body.decode("utf-8")):
            target = urldefrag(urljoin(url, raw.replace("&amp;", "&")))[0]
            if target.startswith(static_server) and target not in seen:
                queue.append(target)
    dead = {u: s for u, s in seen.items() if s != 200}
    assert not dead, sorted(dead.items())[:20]
    pages = {urlsplit(u).path for u in seen}
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    things = {str(r["s"])[len(BASE) - 1 :] for r in rows if str(r["s"]).startswith(BASE + "id/")}
    reached = {p.removesuffix("/index.html").removesuffix("/") for p in pages}
    assert things <= reached | {p.rstrip("/") for p in pages}
    assert any(p.endswith("index.lang-en.html") for p in pages)


def test_every_sitemap_url_is_a_page(static_server: str) -> None:
    status, _, body = get(static_server + "/sitemap.xml")
    assert status == 200
    locs = re.findall(r"<loc>([^<]+)</loc>", body.decode("utf-8"))
    assert len(locs) > 200
    for loc in locs:
        status, media, _ = get(local(loc, static_server))
        assert (status, media) == (200, "text/html"), loc
    robots = get(static_server + "/robots.txt")[2].decode()
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def test_english_pages_are_in_english(static_server: str) -> None:
    status, _, body = get(static_server + "/id/vennskapsby/lund/index.lang-en.html")
    assert status == 200
    assert '<html lang="en">' in body.decode("utf-8")
    home = get(static_server + "/")[2].decode("utf-8")
    assert 'href="/index.lang-en.html"' in home


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".jsonld", ".rdf"])
def test_every_resource_in_every_format(site: Path, store: Store, suffix: str) -> None:
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    things = sorted(str(r["s"])[len(BASE) :] for r in rows if str(r["s"]).startswith(BASE + "id/"))
    assert len(things) > 100
    missing = [t for t in things if not (site / (t + suffix)).is_file()]
    assert not missing, missing[:10]
    fmt = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}[suffix]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph = Graph().parse(site / ("id/vennskapsby/lund" + suffix), format=fmt)
    lund = URIRef(BASE + "id/vennskapsby/lund")
    assert (lund, None, None) in graph


def test_catalogue_and_dumps_are_served_as_stated(static_server: str, site: Path) -> None:
    status, _, body = get(static_server + "/catalog.ttl")
    assert status == 200
    catalog = Graph().parse(data=body, format="turtle")
    assert isomorphic(catalog, Graph().parse(site / "catalog.ttl", format="turtle"))
    spdx = "http://spdx.org/rdf/terms#"
    downloads = list(catalog.subject_objects(DCAT.downloadURL))
    assert len(downloads) == 16
    for dist, url in downloads:
        status, _, data = get(local(str(url), static_server))
        assert status == 200, url
        assert len(data) == int(catalog.value(dist, DCAT.byteSize)), url  # type: ignore[arg-type]
        checksum = catalog.value(dist, URIRef(spdx + "checksum"))
        value = str(catalog.value(checksum, URIRef(spdx + "checksumValue")))
        assert hashlib.sha256(data).hexdigest() == value, url
    for path in ("/catalog/dcat-ap-no.ttl", "/.well-known/void.ttl", "/.well-known/void"):
        assert get(static_server + path)[0] == 200, path
