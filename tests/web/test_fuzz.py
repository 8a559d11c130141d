"""Bad input, fuzzed (issue 8, part 4): generated SPARQL queries, entity paths,
``Accept`` and ``Accept-Language`` headers, query parameters and form bodies, sent
through the Flask test client to an app with a 2-second query deadline.

For every one: never a 500, never a stack trace or an internal path in the body, and
never an answer later than the deadline allows (a hang guard with generous slack,
not a speed measure: a stopped query's worker is replaced before the next runs).
"""

from __future__ import annotations

import string
import time
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.store.base import Store
from web import create_app
from web.views import sparql

DEADLINE = 2.0
#: A request may take the deadline, plus replacing a stopped worker, plus a busy machine.
HANG = DEADLINE + 30.0

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: What must never reach a client.
LEAKS = ("Traceback (most recent call last)", 'File "/', "site-packages", str(PROJECT_ROOT))


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings, store: Store) -> Iterator[Flask]:
    app = create_app(
        {
            "out_dir": settings.out_dir,
            "store_path": settings.store_path,
            "query_timeout": DEADLINE,
            "query_workers": 1,
            "query_memory_mb": 512,
        },
        store=store,
    )
    # Not TESTING: an exception becomes the 500 a client would see, not a test error.
    client = app.test_client()
    for path in ("/", "/catalog", "/id/vennskapsby/lund", "/sparql?query=ASK%7B%7D"):
        client.get(path).close()  # warm up: what a server does once, before fuzzing
    yield app
    sparql.close_pool(app)


@pytest.fixture(scope="module")
def fuzz_client(fuzz_app: Flask) -> FlaskClient:
    return fuzz_app.test_client()


def send(client: FlaskClient, method: str, path: str, **kwargs: object) -> TestResponse:
    started = time.monotonic()
    response = client.open(path, method=method, **kwargs)  # type: ignore[arg-type]
    body = response.get_data()
    elapsed = time.monotonic() - started
    response.close()
    assert elapsed < HANG, f"{method} {path[:80]} took {elapsed:.1f} s"
    assert response.status_code != 500, f"{method} {path[:200]}: {body[:300]!r}"
    if response.status_code >= 500:
        assert response.status_code in (503, 504), response.status_code
    text = body.decode("utf-8", "replace")
    for leak in LEAKS:
        assert leak not in text, f"{method} {path[:80]} leaks {leak!r}: {text[:300]}"
    return response


# --- strategies ----------------------------------------------------------------------------

#: Printable text without line breaks: what a header value can hold.
header_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
    max_size=120,
)
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)

SPARQL_TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", ".", ";",
    ",", "*", "?s", "?p", "?o", "$x", "a", "<urn:x>", "<http://127.0.0.1:9/>", "<file:///etc/passwd>",
    '"lit"', "'x'@nb", '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', "1", "1.5e3",
    "FILTER", "REGEX", "CONCAT", "BIND", "AS", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE",
    "SILENT", "FROM", "NAMED", "LIMIT", "OFFSET", "ORDER", "BY", "GROUP", "COUNT", "VALUES",
    "INSERT", "DELETE", "DATA", "LOAD", "CLEAR", "DROP", "ALL", "PREFIX", "hms:", "BASE",
    "#", "\n", "skos:prefLabel", "STR", "LANG", "=", "&&", "||", "!", "^", "/", "|", "+",
    "EXISTS", "NOT", "IN", "DISTINCT", "REDUCED", "HAVING", "SUBSTR", "UUID", "NOW",
]  # fmt: skip
sparql_text = st.one_of(
    st.lists(st.sampled_from(SPARQL_TOKENS), max_size=40).map(" ".join),
    any_text,
    st.builds(
        lambda d, inner: "SELECT * WHERE " + "{ " * d + inner + " }" * d,
        st.integers(0, 300),
        st.sampled_from(["?s ?p ?o", "", "?s ?p ?o . ?a ?b ?c", "FILTER(?x)"]),
    ),
)

MEDIA = [
    "text/html", "application/xhtml+xml", "text/turtle", "application/n-triples",
    "application/ld+json", "application/rdf+xml", "application/sparql-results+json",
    "application/sparql-results+xml", "text/csv", "text/tab-separated-values", "*/*",
    "text/*", "application/*", "image/png", "", "*", "text/html;level=1", "application/json",
]  # fmt: skip
accept = st.one_of(
    st.lists(
        st.tuples(
            st.sampled_from(MEDIA),
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), header_text),
        ),
        max_size=5,
    ).map(lambda items: ", ".join(m if q is None else f"{m};q={q}" for m, q in items)),
    header_text,
)
accept_language = st.one_of(
    st.lists(
        st.tuples(
            st.sampled_from(["nb", "nn", "no", "en", "en-GB", "*", "sv", "", "nb-NO", "x"]),
            st.one_of(st.none(), st.floats(-1, 2), header_text),
        ),
        max_size=4,
    ).map(lambda items: ", ".join(m if q is None else f"{m};q={q}" for m, q in items)),
    header_text,
)

KINDS = ["akse", "mal", "tiltak", "vennskapsby", "organisasjon", "land", "seksjon", "x", ""]
path_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=60,
)
entity_path = st.one_of(
    st.builds(lambda k, s: f"/id/{k}/{quote(s, safe='')}", st.sampled_from(KINDS), path_text),
    st.builds(lambda s: "/id/" + quote(s, safe="/"), path_text),
    st.builds(lambda s: "/def/" + quote(s, safe="/#"), path_text),
    st.builds(lambda s: "/download/" + quote(s, safe=""), path_text),
    st.builds(
        lambda p, s: p + quote(s, safe="."),
        st.sampled_from(["/catalog.", "/.well-known/void.", "/id/vennskapsby/lund."]),
        path_text,
    ),
    st.builds(lambda s: "/" + quote(s, safe="/?=&%"), path_text),
)
PARAM_NAMES = [
    "query", "update", "default-graph-uri", "named-graph-uri", "format", "output", "results",
    "q", "side", "lang", "spraak", "using-graph-uri",
]  # fmt: skip
params = st.lists(
    st.tuples(st.one_of(st.sampled_from(PARAM_NAMES), any_text), any_text), max_size=6
)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update",
    "multipart/form-data; boundary=x", "text/plain", "application/json", "",
    "application/x-www-form-urlencoded; charset=latin-1", "application/sparql-query; charset=x",
]  # fmt: skip
PAGES = ["/", "/sok", "/id/", "/id/vennskapsby/", "/fullstendighet", "/def/", "/catalog",
         "/.well-known/void", "/download/", "/sparql", "/id/vennskapsby/lund"]  # fmt: skip


# --- the properties -------------------------------------------------------------------------


@FUZZ
@given(query=sparql_text, accept_header=accept)
def test_fuzzed_queries_by_get(fuzz_client: FlaskClient, query: str, accept_header: str) -> None:
    send(fuzz_client, "GET", "/sparql?" + urlencode({"query": query}),
         headers={"Accept": accept_header})  # fmt: skip


@FUZZ
@given(query=sparql_text, content_type=st.sampled_from(CONTENT_TYPES), as_form=st.booleans())
def test_fuzzed_queries_by_post(
    fuzz_client: FlaskClient, query: str, content_type: str, as_form: bool
) -> None:
    body = urlencode({"query": query}) if as_form else query
    headers = {"Content-Type": content_type, "Accept": "application/sparql-results+json"}
    send(fuzz_client, "POST", "/sparql", data=body.encode("utf-8"), headers=headers)


@FUZZ
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(CONTENT_TYPES),
    page=st.sampled_from(PAGES),
)
def test_fuzzed_form_bodies(
    fuzz_client: FlaskClient, body: bytes, content_type: str, page: str
) -> None:
    send(fuzz_client, "POST", page, data=body, headers={"Content-Type": content_type})


@FUZZ
@given(path=entity_path, accept_header=accept, lang=accept_language)
def test_fuzzed_entity_paths(
    fuzz_client: FlaskClient, path: str, accept_header: str, lang: str
) -> None:
    send(fuzz_client, "GET", path, headers={"Accept": accept_header, "Accept-Language": lang})


@FUZZ
@given(page=st.sampled_from(PAGES), accept_header=accept, lang=accept_language)
def test_fuzzed_headers_on_every_page(
    fuzz_client: FlaskClient, page: str, accept_header: str, lang: str
) -> None:
    send(fuzz_client, "GET", page, headers={"Accept": accept_header, "Accept-Language": lang})


@FUZZ
@given(page=st.sampled_from(PAGES), pairs=params, accept_header=accept)
def test_fuzzed_query_parameters(
    fuzz_client: FlaskClient, page: str, pairs: list[tuple[str, str]], accept_header: str
) -> None:
    send(fuzz_client, "GET", page + "?" + urlencode(pairs), headers={"Accept": accept_header})


@FUZZ
@given(
    raw=st.text(alphabet=string.printable.replace("\r", "").replace("\n", ""), max_size=200),
    page=st.sampled_from(PAGES),
)
def test_fuzzed_raw_query_strings(fuzz_client: FlaskClient, raw: str, page: str) -> None:
    send(fuzz_client, "GET", page, query_string=raw)


def test_the_endpoint_still_answers_after_the_fuzzing(fuzz_client: FlaskClient) -> None:
    response = send(
        fuzz_client,
        "GET",
        "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}),
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.json == {"head": {}, "boolean": True}
