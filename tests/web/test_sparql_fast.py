"""The endpoint's fast path (:mod:`web.sparql_fast`) answers exactly as the Flask view
and the app's hooks do: same status, same body, same headers, for every kind of request
it takes, and it leaves the rest to Flask."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from flask import Flask
from werkzeug.test import Client
from werkzeug.wrappers import Response

from hamar_graph.store import Store
from tests.support.sparql import pool_app
from web import http_cache
from web.sparql_fast import SparqlFastPath

SELECT = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/> "
    "SELECT ?c WHERE { ?c a hms:TwinCity } ORDER BY ?c"
)
CONSTRUCT = (
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://data.hamar.kommune.no/def/TwinCity> ; ?p ?o }"
)
ASK = "ASK { ?s ?p ?o }"
#: Five long texts (the row cap): always over the size from which answers are gzipped,
#: whichever five the engine gives first.
LONG_TEXTS = (
    "CONSTRUCT { ?s <https://data.hamar.kommune.no/def/text> ?o } WHERE "
    "{ ?s <https://data.hamar.kommune.no/def/text> ?o FILTER(STRLEN(?o) > 200) }"
)

CASES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("select json", {"query": SELECT}, {"Accept": "application/sparql-results+json"}),
    ("select csv by format", {"query": SELECT, "format": "csv"}, {}),
    ("select xml", {"query": SELECT}, {"Accept": "application/sparql-results+xml"}),
    (
        "select tsv gzip",
        {"query": SELECT},
        {"Accept": "text/tab-separated-values", "Accept-Encoding": "gzip"},
    ),
    ("truncated", {"query": "SELECT * WHERE { ?s ?p ?o }"}, {"Accept": "*/*"}),
    ("construct turtle", {"query": CONSTRUCT}, {"Accept": "text/turtle"}),
    (
        "construct json-ld gzip",
        {"query": LONG_TEXTS},
        {"Accept": "application/ld+json", "Accept-Encoding": "gzip"},
    ),
    ("ask", {"query": ASK}, {}),
    ("not deterministic", {"query": "SELECT (NOW() AS ?t) WHERE {}"}, {}),
    ("relative iri", {"query": "SELECT ?x WHERE { BIND(<thing> AS ?x) }"}, {}),
    ("syntax error", {"query": "SELECT * WHERE {"}, {}),
    ("unknown prefix", {"query": "SELECT * WHERE { ?s nope:x ?o }"}, {}),
    ("update", {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, {}),
    ("service", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, {}),
    ("not acceptable", {"query": SELECT}, {"Accept": "image/png"}),
    ("bad format", {"query": CONSTRUCT, "format": "csv"}, {}),
    ("two queries", {"query": [SELECT, ASK]}, {}),  # type: ignore[dict-item]
    ("empty query", {"query": ""}, {}),
    ("bad graph", {"query": SELECT, "default-graph-uri": "not an iri"}, {}),
    (
        "dataset",
        {"query": SELECT, "named-graph-uri": "https://data.hamar.kommune.no/graph/data-places"},
        {},
    ),
]


@pytest.fixture(scope="module")
def app(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with pool_app(store, tmp_path_factory.mktemp("fast"), max_rows=5, answer_cache_mb=0) as app:
        yield app


def _fast(app: Flask) -> SparqlFastPath:
    wrapped = app.wsgi_app
    while not isinstance(wrapped, SparqlFastPath):
        wrapped = wrapped.inner  # type: ignore[attr-defined]
    return wrapped


def _both(
    app: Flask, params: dict[str, str], headers: dict[str, str], method: str = "GET"
) -> tuple[Response, Response]:
    url = "/sparql?" + urlencode(params, doseq=True)
    fast = _fast(app)
    through_fast = Client(fast, Response).open(url, method=method, headers=headers)
    through_flask = Client(fast.inner, Response).open(url, method=method, headers=headers)
    return through_fast, through_flask


def _same(fast: Response, flask: Response) -> None:
    assert fast.status == flask.status
    assert fast.get_data() == flask.get_data()

    def normal(response: Response) -> list[tuple[str, str]]:
        out = []
        for name, value in response.headers.items():
            if name.lower() == "vary":
                value = ", ".join(sorted(v.strip() for v in value.split(",")))
            out.append((name.lower(), value))
        return sorted(out)

    assert normal(fast) == normal(flask)


@pytest.mark.parametrize(("name", "params", "headers"), CASES, ids=[c[0] for c in CASES])
def test_fast_path_answers_as_flask_does(
    app: Flask, name: str, params: dict[str, str], headers: dict[str, str]
) -> None:
    fast, flask = _both(app, params, headers)
    if name == "not deterministic":  # NOW() differs between the two runs, nothing else
        assert (
            fast.status == flask.status
            and fast.headers["Content-Type"] == flask.headers["Content-Type"]
        )
        assert "ETag" not in fast.headers and "ETag" not in flask.headers
        return
    _same(fast, flask)
    if name == "construct json-ld gzip":
        assert fast.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(fast.get_data())


def test_head_and_conditional_requests(app: Flask) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    fast, flask = _both(app, {"query": SELECT}, accept, method="HEAD")
    _same(fast, flask)
    first = _both(app, {"query": SELECT}, accept)[0]
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    for conditional in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        fast, flask = _both(app, {"query": SELECT}, {**accept, **conditional})
        assert fast.status_code == 304
        _same(fast, flask)
    big = {"Accept": "text/turtle", "Accept-Encoding": "gzip"}
    zipped = _both(app, {"query": CONSTRUCT}, big)[0]
    fast, flask = _both(app, {"query": CONSTRUCT}, {**big, "If-None-Match": zipped.headers["ETag"]})
    assert fast.status_code == 304
    _same(fast, flask)


def test_what_the_fast_path_leaves_to_flask(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/sparql?" + urlencode({"query": ASK}), headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and description.mimetype == "text/turtle"
    long_url = client.get("/sparql?query=" + "x" * 9000)
    assert long_url.status_code == 414
    posted = client.post("/sparql", data={"query": ASK})
    assert posted.status_code == 200


def test_a_kept_answer_is_gzipped_once(
    store: Store, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the answer cache keeps the compressed copy: clients that accept gzip get the same
    # bytes, and the fast path compresses the answer once, not on every request
    calls: list[int] = []
    real = http_cache.gzip_body

    def counting(data: bytes) -> bytes:
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(http_cache, "gzip_body", counting)
    lookup = "SELECT ?p ?o WHERE { <https://data.hamar.kommune.no/id/vennskapsby/lund> ?p ?o }"
    headers = {"Accept": "application/sparql-results+json", "Accept-Encoding": "gzip"}
    with pool_app(store, tmp_path_factory.mktemp("gzip"), answer_cache_mb=1) as app:
        fast = Client(_fast(app), Response)
        answers = [fast.get("/sparql?" + urlencode({"query": lookup}), headers=headers)]
        answers += [fast.get("/sparql?" + urlencode({"query": lookup}), headers=headers)]
        plain = fast.get(
            "/sparql?" + urlencode({"query": lookup}),
            headers={"Accept": "application/sparql-results+json"},
        )
    assert all(a.status_code == 200 and a.headers["Content-Encoding"] == "gzip" for a in answers)
    assert answers[0].get_data() == answers[1].get_data()
    assert gzip.decompress(answers[0].get_data()) == plain.get_data()
    rows = json.loads(plain.get_data())["results"]["bindings"]
    assert {"type": "literal", "value": "Lund", "xml:lang": "nb"} in [r["o"] for r in rows]
    assert len(calls) == 1 and calls[0] == len(plain.get_data())
