"""HTTP caching: the pure rules, and the app-wide hook on pages, catalogue, VoID, dumps
and GET /sparql (ETag, Last-Modified, 304, Cache-Control, gzip, Link, errors)."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from hamar_graph import __version__
from hamar_graph.publication.publish import Publication
from hamar_graph.store.base import Store, StoreUnavailable
from web import create_app
from web.http_cache import (
    accepts_gzip,
    etag_matches,
    http_date,
    is_compressible,
    is_deterministic_query,
    last_modified,
    make_etag,
    not_modified,
    parse_http_date,
)

MODIFIED = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)

# --- the rules -----------------------------------------------------------------------------


def test_etag_names_version_format_language_and_coding() -> None:
    assert make_etag("0.1.0+abc", "text/html; charset=utf-8", "nb") == 'W/"0.1.0+abc-text/html-nb"'
    assert make_etag("0.1.0+abc", "text/turtle", None, "gzip") == 'W/"0.1.0+abc-text/turtle-gzip"'
    assert make_etag('v"1 2', "text/plain") == 'W/"v12-text/plain"'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('W/"v-text/html"', True),
        ('"v-text/html"', True),  # weak comparison ignores W/
        ('"other", W/"v-text/html"', True),
        ("*", True),
        ('W/"v-text/turtle"', False),
        ("", False),
        (None, False),
    ],
)
def test_if_none_match_uses_weak_comparison(header: str | None, expected: bool) -> None:
    assert etag_matches(header, 'W/"v-text/html"') is expected


@pytest.mark.parametrize(
    ("inm", "ims", "expected"),
    [
        (None, "Fri, 27 Nov 2026 00:00:00 GMT", True),
        (None, "Sat, 28 Nov 2026 10:00:00 GMT", True),
        (None, "Thu, 26 Nov 2026 23:59:59 GMT", False),
        (None, "not a date", False),
        (None, None, False),
        ('W/"old"', "Sat, 28 Nov 2026 10:00:00 GMT", False),  # If-None-Match decides
        ('W/"tag"', "Thu, 26 Nov 2026 00:00:00 GMT", True),
    ],
)
def test_not_modified(inm: str | None, ims: str | None, expected: bool) -> None:
    assert not_modified(inm, ims, 'W/"tag"', MODIFIED) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*, gzip;q=0", False),
        ("identity", False),
        ("deflate", False),
        ("", False),
        (None, False),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/html; charset=utf-8", True),
        ("text/turtle", True),
        ("application/ld+json", True),
        ("application/sparql-results+json", True),
        ("application/rdf+xml", True),
        ("application/n-quads", True),
        ("application/gzip", False),
        ("image/png", False),
        (None, False),
    ],
)
def test_is_compressible(media_type: str | None, expected: bool) -> None:
    assert is_compressible(media_type) is expected


def test_nondeterministic_queries_are_recognised() -> None:
    assert is_deterministic_query("SELECT * WHERE { ?s ?p ?o }")
    assert is_deterministic_query(None)
    assert not is_deterministic_query("SELECT (NOW() AS ?t) WHERE {}")
    assert not is_deterministic_query("SELECT ?s WHERE { ?s ?p ?o } ORDER BY rand ()")
    assert not is_deterministic_query("SELECT (STRUUID() AS ?u) {}")


def test_dates() -> None:
    assert last_modified(dt.date(2026, 11, 27)) == MODIFIED
    assert http_date(MODIFIED) == "Fri, 27 Nov 2026 00:00:00 GMT"
    assert parse_http_date("Fri, 27 Nov 2026 00:00:00 GMT") == MODIFIED
    assert parse_http_date("yesterday") is None


# --- the app -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pub_app(published: Publication, store: Store) -> Flask:
    assert published.directory is not None
    app = create_app({"out_dir": published.directory}, store=store)
    app.config["TESTING"] = True
    return app


@pytest.fixture()
def web(pub_app: Flask) -> FlaskClient:
    return pub_app.test_client()


SPARQL = "/sparql?query=" + "SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Fc%20%7D%20LIMIT%205"

#: (path, Accept) of answers that depend only on the data.
CACHED = [
    ("/", "text/html"),
    ("/id/vennskapsby/lund", "text/html"),
    ("/id/vennskapsby/lund", "text/turtle"),
    ("/id/vennskapsby/lund.jsonld", "*/*"),
    ("/def/hamar", "text/html"),
    ("/catalog", "text/turtle"),
    ("/catalog", "text/html"),
    ("/catalog/dcat-ap-no", "application/ld+json"),
    ("/.well-known/void", "text/turtle"),
    ("/.well-known/void", "text/html"),
    (f"/download/hamar-graph-{__version__}.nt", "*/*"),
    (f"/download/hamar-graph-{__version__}.ttl.gz", "*/*"),
    ("/sitemap.xml", "*/*"),
    (SPARQL, "application/sparql-results+json"),
]


@pytest.mark.parametrize(("path", "accept"), CACHED)
def test_validators_and_304(
    web: FlaskClient, published: Publication, path: str, accept: str
) -> None:
    first = web.get(path, headers={"Accept": accept, "Accept-Encoding": "identity"})
    assert first.status_code == 200, path
    etag = first.headers["ETag"]
    assert etag.startswith(f'W/"{published.meta.data_version}-'), etag
    assert first.headers["Last-Modified"] == http_date(last_modified(published.meta.modified))
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    again = web.get(path, headers={"Accept": accept, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=3600"
    since = web.get(
        path, headers={"Accept": accept, "If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    before = http_date(last_modified(published.meta.modified) - dt.timedelta(seconds=1))
    older = web.get(path, headers={"Accept": accept, "If-Modified-Since": before})
    assert older.status_code == 200
    if not path.startswith("/sparql"):  # the endpoint answers GET and POST only
        head = web.head(path, headers={"Accept": accept, "If-None-Match": etag})
        assert head.status_code == 304


def test_etag_differs_by_format_and_language(web: FlaskClient) -> None:
    html = web.get("/id/vennskapsby/lund", headers={"Accept": "text/html"})
    turtle = web.get("/id/vennskapsby/lund", headers={"Accept": "text/turtle"})
    english = web.get("/id/vennskapsby/lund?lang=en", headers={"Accept": "text/html"})
    tags = {html.headers["ETag"], turtle.headers["ETag"], english.headers["ETag"]}
    assert len(tags) == 3
    assert html.headers["ETag"].endswith('-text/html-nb"')
    assert english.headers["ETag"].endswith('-text/html-en"')
    mismatch = web.get(
        "/id/vennskapsby/lund",
        headers={"Accept": "text/turtle", "If-None-Match": html.headers["ETag"]},
    )
    assert mismatch.status_code == 200


SPARQL_50 = SPARQL.replace("LIMIT%205", "LIMIT%2050")  # bodies under 512 bytes stay plain


@pytest.mark.parametrize(
    "path", ["/", "/catalog.ttl", "/.well-known/void.jsonld", "/sitemap.xml", SPARQL_50]
)
def test_text_is_gzipped_when_accepted(web: FlaskClient, path: str) -> None:
    plain = web.get(path, headers={"Accept-Encoding": "identity"})
    zipped = web.get(path, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert "Accept-Encoding" in zipped.vary and "Accept-Encoding" in plain.vary
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert len(zipped.data) < len(plain.data)
    cached = web.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert cached.status_code == 304
    stale = web.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]}
    )
    assert stale.status_code == 200 and stale.headers["Content-Encoding"] == "gzip"


def test_small_bodies_are_not_gzipped(web: FlaskClient) -> None:
    response = web.get("/robots.txt", headers={"Accept-Encoding": "gzip"})
    assert len(response.data) < 512
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.vary


def test_binary_is_not_gzipped_again(web: FlaskClient) -> None:
    response = web.get(
        f"/download/hamar-graph-{__version__}.ttl.gz", headers={"Accept-Encoding": "gzip"}
    )
    assert "Content-Encoding" not in response.headers
    assert response.mimetype == "application/gzip"


def test_errors_are_not_cached(web: FlaskClient) -> None:
    for path in ("/id/vennskapsby/nowhere", "/download/nothing.ttl", "/catalog.pdf"):
        response = web.get(path)
        assert response.status_code == 404
        assert "ETag" not in response.headers
        assert "Last-Modified" not in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        assert web.get(path, headers={"If-None-Match": "*"}).status_code == 404


def test_sparql_post_and_nondeterministic_queries_are_not_cached(web: FlaskClient) -> None:
    posted = web.post(
        "/sparql",
        data={"query": "SELECT ?s WHERE { ?s a ?c } LIMIT 1"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert posted.status_code == 200
    assert "ETag" not in posted.headers
    now = web.get(
        "/sparql?query=SELECT%20(NOW()%20AS%20%3Ft)%20WHERE%20%7B%7D",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert now.status_code == 200
    assert "ETag" not in now.headers


@pytest.mark.parametrize(
    "path", ["/", "/catalog", "/id/vennskapsby/lund.ttl", "/nowhere", "/download/"]
)
def test_every_response_links_catalogue_void_and_sparql(web: FlaskClient, path: str) -> None:
    links = ", ".join(web.get(path).headers.getlist("Link"))
    assert '</catalog>; rel="describedby"' in links
    assert '</.well-known/void>; rel="describedby"' in links
    assert '</sparql>; rel="http://rdfs.org/ns/void#sparqlEndpoint"' in links


def test_304_keeps_the_link_headers(web: FlaskClient) -> None:
    etag = web.get("/catalog").headers["ETag"]
    links = ", ".join(web.get("/catalog", headers={"If-None-Match": etag}).headers.getlist("Link"))
    assert "</sparql>" in links and "</catalog.ttl>" in links


class _DownStore:
    """A store that is down: every query fails, and the calls are counted."""

    name = "remote"

    def __init__(self) -> None:
        self.calls = 0

    def select(self, query: str, bindings: object = None) -> list[dict[str, object]]:
        self.calls += 1
        raise StoreUnavailable("down")

    ask = construct = select  # type: ignore[assignment]

    def graph_names(self) -> list[object]:
        self.calls += 1
        raise StoreUnavailable("down")

    def __len__(self) -> int:
        raise StoreUnavailable("down")

    def fingerprint(self) -> str:
        self.calls += 1
        raise StoreUnavailable("down")

    def engine_source(self) -> object:
        raise StoreUnavailable("down")

    def local_engine(self) -> None:
        return None


def test_a_store_that_is_down_costs_one_try_per_interval(tmp_path: Path) -> None:
    """Answers that do not need the store still come, without validators, and quickly."""
    down = _DownStore()
    app = create_app({"out_dir": tmp_path}, store=down)  # type: ignore[arg-type]
    client = app.test_client()
    for _ in range(3):
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert "ETag" not in response.headers
    assert down.calls == 1
