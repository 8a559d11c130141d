"""/sparql through Flask's test client: formats, headers, CORS, the service description,
the query page and every error the issue lists."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, VOID, XSD

from hamar_graph.namespaces import HMS, SD
from hamar_graph.store.base import Store, union_graph
from tests.support.sparql import parse_rdf, pool_app

ID = "https://data.hamar.kommune.no/id/"
TWIN_CITIES = """
PREFIX hms: <https://data.hamar.kommune.no/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?city ?name WHERE { ?city a hms:TwinCity ; skos:prefLabel ?name FILTER(lang(?name) = "nb") }
ORDER BY ?name
"""
CITY_NAMES = ["Borgå", "Dalvik", "Fargo", "Greifswald", "Karmiel", "Khan Younis", "Lund", "Viborg"]
CONSTRUCT_CITIES = """
PREFIX hms: <https://data.hamar.kommune.no/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?city skos:prefLabel ?name ; hms:country ?c } WHERE {
  ?city a hms:TwinCity ; skos:prefLabel ?name ; hms:country ?c }
"""
ASK_LUND = "ASK { <https://data.hamar.kommune.no/id/vennskapsby/lund> ?p ?o }"


@pytest.fixture(scope="module")
def sparql_app(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with pool_app(store, tmp_path_factory.mktemp("sparql"), query_timeout=20, max_rows=5) as app:
        yield app


@pytest.fixture()
def sc(sparql_app: Flask) -> Iterator[FlaskClient]:
    with sparql_app.test_client() as client:
        yield client


def get(client: FlaskClient, query: str, accept: str | None = None, **params: str):
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


# --- results in every format ------------------------------------------------------------


def test_select_json(sc: FlaskClient) -> None:
    r = get(sc, TWIN_CITIES, "application/sparql-results+json")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    data = json.loads(r.data)
    assert data["head"]["vars"] == ["city", "name"]
    names = [b["name"]["value"] for b in data["results"]["bindings"]]
    # max_rows=5 in this app: the first five of the eight, and the result says it is cut.
    assert names == CITY_NAMES[:5]
    assert r.headers["X-Hamar-Truncated"] == "true"
    assert r.headers["X-Hamar-Row-Limit"] == "5"


def test_select_not_truncated_says_so(sc: FlaskClient) -> None:
    r = get(sc, TWIN_CITIES + " LIMIT 3", "application/sparql-results+json")
    assert len(json.loads(r.data)["results"]["bindings"]) == 3
    assert r.headers["X-Hamar-Truncated"] == "false"


def test_select_xml(sc: FlaskClient) -> None:
    r = get(sc, TWIN_CITIES, "application/sparql-results+xml")
    assert r.headers["Content-Type"] == "application/sparql-results+xml; charset=utf-8"
    text = r.data.decode()
    assert "<sparql" in text and 'xml:lang="nb">Borgå</literal>' in text


def test_select_csv_and_tsv(sc: FlaskClient) -> None:
    r = get(sc, TWIN_CITIES, "text/csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.data.decode())))
    assert rows[0] == ["city", "name"]
    assert rows[1] == [ID + "vennskapsby/porvoo", "Borgå"]
    r = get(sc, TWIN_CITIES, "text/tab-separated-values")
    assert r.headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    lines = r.data.decode().splitlines()
    assert lines[0] == "?city\t?name"
    assert lines[1] == f'<{ID}vennskapsby/porvoo>\t"Borgå"@nb'


def test_ask_formats(sc: FlaskClient) -> None:
    assert json.loads(get(sc, ASK_LUND).data)["boolean"] is True
    r = get(sc, ASK_LUND, "application/sparql-results+xml")
    assert "<boolean>true</boolean>" in r.data.decode()
    assert "X-Hamar-Truncated" not in r.headers


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_formats(sc: FlaskClient, store: Store, accept: str, fmt: str) -> None:
    r = get(sc, CONSTRUCT_CITIES, accept)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{accept}; charset=utf-8"
    assert "Accept" in [v.strip() for v in r.headers["Vary"].split(",")]
    got = parse_rdf(r.data, fmt)
    # max_rows=5: five triples of the 24 (8 cities: labels nb and en, country), all of
    # them true in the store.
    assert len(got) == 5
    assert r.headers["X-Hamar-Truncated"] == "true"
    whole = store.construct(CONSTRUCT_CITIES)
    assert len(whole) == 24
    assert set(got) <= set(whole)


def test_describe(sc: FlaskClient) -> None:
    r = get(sc, f"DESCRIBE <{ID}organisasjon/ore>", "text/turtle")
    assert r.status_code == 200
    got = parse_rdf(r.data, "turtle")
    assert len(got) == 5
    assert all(s == URIRef(ID + "organisasjon/ore") for s in got.subjects())


def test_format_parameter_overrides_accept(sc: FlaskClient) -> None:
    r = get(sc, TWIN_CITIES, "application/sparql-results+json", format="csv")
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    r = get(sc, CONSTRUCT_CITIES, "text/turtle", format="json")
    assert r.headers["Content-Type"] == "application/ld+json; charset=utf-8"


def test_post_form_and_direct(sc: FlaskClient) -> None:
    r = sc.post(
        "/sparql",
        data={"query": TWIN_CITIES},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200
    assert len(json.loads(r.data)["results"]["bindings"]) == 5
    r = sc.post(
        "/sparql",
        data=ASK_LUND.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert r.status_code == 200 and r.data.decode().strip() == "true"


# --- the protocol's dataset and FROM -----------------------------------------------------

NAMES_IN_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


def test_default_graph_uri_restricts_the_default_graph(sc: FlaskClient, store: Store) -> None:
    places = "https://data.hamar.kommune.no/graph/data-places"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = get(sc, query, "application/sparql-results+json", **{"default-graph-uri": places})
    n = int(json.loads(r.data)["results"]["bindings"][0]["n"]["value"])
    expected = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{places}> {{ ?s ?p ?o }} }}")
    assert n == int(expected[0]["n"]) > 0
    # Only default-graph-uri given: the named graphs are empty (SPARQL 1.1 Protocol 2.1.4).
    r = get(sc, NAMES_IN_GRAPHS, "application/sparql-results+json", **{"default-graph-uri": places})
    assert json.loads(r.data)["results"]["bindings"] == []


def test_named_graph_uri_limits_graph_patterns(sc: FlaskClient) -> None:
    places = "https://data.hamar.kommune.no/graph/data-places"
    r = get(sc, NAMES_IN_GRAPHS, "application/sparql-results+json", **{"named-graph-uri": places})
    assert [b["g"]["value"] for b in json.loads(r.data)["results"]["bindings"]] == [places]


def test_unknown_graph_is_empty_not_fetched(sc: FlaskClient) -> None:
    r = get(
        sc,
        "SELECT * WHERE { ?s ?p ?o }",
        "application/sparql-results+json",
        **{"default-graph-uri": "http://example.org/not-here"},
    )
    assert r.status_code == 200
    assert json.loads(r.data)["results"]["bindings"] == []


def test_from_picks_store_graphs(sc: FlaskClient) -> None:
    query = (
        "PREFIX hms: <https://data.hamar.kommune.no/def/> SELECT (COUNT(?c) AS ?n) "
        "FROM <https://data.hamar.kommune.no/graph/data-places> WHERE { ?c a hms:TwinCity }"
    )
    assert json.loads(get(sc, query).data)["results"]["bindings"][0]["n"]["value"] == "8"
    query = query.replace("data-places", "data-actionplan")
    assert json.loads(get(sc, query).data)["results"]["bindings"][0]["n"]["value"] == "0"


# --- headers -----------------------------------------------------------------------------


def test_cors_and_vary(sc: FlaskClient) -> None:
    r = get(sc, ASK_LUND, "application/sparql-results+json")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Hamar-Truncated" in r.headers["Access-Control-Expose-Headers"]
    assert "Accept" in r.headers["Vary"]
    error = sc.get("/sparql", query_string={"query": "SELECT"})
    assert error.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in error.headers["Vary"]


def test_preflight(sc: FlaskClient) -> None:
    r = sc.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]
    assert int(r.headers["Access-Control-Max-Age"]) > 0


# --- service description -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_service_description(sc: FlaskClient, store: Store, accept: str, fmt: str) -> None:
    r = sc.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{accept}; charset=utf-8"
    g = parse_rdf(r.data, fmt)
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/Turtle")) in g
    dataset = g.value(service, SD.defaultDataset)
    default = g.value(dataset, SD.defaultGraph)
    assert int(g.value(default, VOID.triples)) == len(union_graph(store))
    names = {g.value(ng, SD.name) for ng in g.objects(dataset, SD.namedGraph)}
    assert names == set(store.graph_names())
    assert int(g.value(service, HMS.resultRowLimit)) == 5
    timeout = g.value(service, HMS.queryTimeout)
    assert isinstance(timeout, Literal) and timeout.datatype == XSD.decimal
    assert float(timeout) == 20.0


def test_no_query_and_no_rdf_is_400(sc: FlaskClient) -> None:
    r = sc.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 400
    assert "Missing query" in r.data.decode()


# --- the query page ----------------------------------------------------------------------


def test_page_has_editor_form_and_examples(sc: FlaskClient) -> None:
    r = sc.get("/sparql", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    html = r.data.decode()
    assert '<form id="sparql-form"' in html and 'method="post"' in html
    assert "PREFIX hms: &lt;https://data.hamar.kommune.no/def/&gt;" in html
    assert html.count('class="sparql-example"') >= 10
    assert "/static/sparql/yasgui.min.js" in html and "/static/sparql/sparql.js" in html
    # CSP-friendly: every script is a file of ours; no inline script, no handler attribute.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert not re.search(r"\son[a-z]+=", html)
    # Every script and stylesheet is served by us.
    assets = re.findall(r'<(?:script|link rel="stylesheet")[^>]*(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets)


def test_page_runs_the_query_without_javascript(sc: FlaskClient) -> None:
    r = sc.get(
        "/sparql",
        query_string={"query": TWIN_CITIES, "format": "html"},
        headers={"Accept": "text/html"},
    )
    html = r.data.decode()
    assert r.status_code == 200
    assert '<table class="sparql-table">' in html
    assert '<a href="/id/vennskapsby/porvoo"' in html  # links stay on this server
    assert 'lang="nb">Borgå</span>' in html
    assert 'class="sparql-truncated"' in html  # 8 cities, max_rows=5
    assert "first 5 rows" in html or "første 5 radene" in html
    assert "format=csv" in html  # download links


def test_page_form_post(sc: FlaskClient) -> None:
    r = sc.post("/sparql", data={"query": ASK_LUND, "format": "html"})
    assert r.status_code == 200
    assert 'class="sparql-boolean"' in r.data.decode()
    r = sc.post("/sparql", data={"query": CONSTRUCT_CITIES, "format": "html"})
    assert "skos:prefLabel" in r.data.decode()


def test_page_shows_errors_with_their_status(sc: FlaskClient) -> None:
    r = sc.get("/sparql", query_string={"query": "SELECT * {"}, headers={"Accept": "text/html"})
    assert r.status_code == 400
    assert 'role="alert"' in r.data.decode()
    assert "error at 1:" in r.data.decode()


def test_example_links_are_shareable(sc: FlaskClient) -> None:
    html = sc.get("/sparql", headers={"Accept": "text/html"}).data.decode()
    first = re.search(r'class="sparql-example" href="([^"]+)"', html)
    assert first is not None
    r = sc.get(first.group(1).replace("&amp;", "&"), headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "Internasjonal uke" in r.data.decode()


def test_english_page(sc: FlaskClient) -> None:
    html = sc.get("/sparql?lang=en", headers={"Accept": "text/html"}).data.decode()
    assert "Example queries" in html and "Measures that serve more than one goal" in html


# --- errors ------------------------------------------------------------------------------


def test_malformed_query_is_400_with_position(sc: FlaskClient) -> None:
    r = get(sc, "SELECT * WHERE { ?s ?p }")
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "error at 1:25" in r.data.decode()  # Oxigraph's message: line and column


def test_missing_query_is_400(sc: FlaskClient) -> None:
    assert sc.get("/sparql?query=").status_code == 400
    r = sc.post("/sparql", data={"format": "json"})
    assert r.status_code == 400 and "Missing query" in r.data.decode()


def test_unsupported_accept_is_406_listing_types(sc: FlaskClient) -> None:
    r = get(sc, TWIN_CITIES, "image/png")
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.data.decode()
    r = get(sc, CONSTRUCT_CITIES, None, format="csv")
    assert r.status_code == 406
    assert "text/turtle" in r.data.decode()
    # Accept naming only SELECT result types: a CONSTRUCT gets Turtle, not 406.
    r = get(sc, CONSTRUCT_CITIES, "application/sparql-results+json")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_wrong_content_type_is_415(sc: FlaskClient) -> None:
    r = sc.post("/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "application/sparql-query" in r.data.decode()


def test_oversized_body_is_413(sc: FlaskClient, sparql_app: Flask) -> None:
    limit = sparql_app.extensions["hamar"].settings.max_query_bytes
    query = "ASK {}" + "#" * limit
    headers = {"Content-Type": "application/sparql-query"}
    r = sc.post("/sparql", data=query.encode(), headers=headers)
    assert r.status_code == 413


def test_oversized_url_is_414(sc: FlaskClient, sparql_app: Flask) -> None:
    limit = sparql_app.extensions["hamar"].settings.max_url_bytes
    r = sc.get("/sparql?query=" + quote("ASK {}" + "#" * limit))
    assert r.status_code == 414


def test_deep_nesting_is_400_not_500(sc: FlaskClient) -> None:
    query = "SELECT * WHERE " + "{" * 200 + "?s ?p ?o" + "}" * 200
    r = sc.post("/sparql", data={"query": query})
    assert r.status_code == 400
    assert "nests" in r.data.decode()


def test_update_is_403_and_changes_nothing(sc: FlaskClient, store: Store) -> None:
    before = len(store)
    for update in (
        "INSERT DATA { <http://a/> <http://a/> <http://a/> }",
        "CLEAR ALL",
        "DROP DEFAULT",
    ):
        assert sc.post("/sparql", data={"query": update}).status_code == 403
        assert sc.post("/sparql", data={"update": update}).status_code == 403
    assert len(store) == before
    r = get(sc, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "text/csv")
    assert r.data.decode().split()[1] == str(len(union_graph(store)))


def test_service_is_403(sc: FlaskClient) -> None:
    r = get(sc, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert r.status_code == 403
    assert "SERVICE" in r.data.decode()


def test_put_is_405(sc: FlaskClient) -> None:
    r = sc.put("/sparql", data="ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 405
    assert "GET, POST" in r.headers["Allow"]
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o FILTER(regex(?o, '(')) }",
        "SELECT * WHERE { BIND(1/0 AS ?x) }",
        "SELECT (<http://x/f>(?s) AS ?y) WHERE { ?s ?p ?o } LIMIT 1",
        "\x00\x01\x02",
        "ASK { <a:\u00ff> ?p 'x'@en-US--x }",
    ],
)
def test_odd_queries_never_leak_a_trace(sc: FlaskClient, query: str) -> None:
    r = sc.post("/sparql", data={"query": query})
    assert r.status_code < 500 or r.status_code == 503
    assert "Traceback" not in r.data.decode("utf-8", "replace")
    assert "/work/" not in r.data.decode("utf-8", "replace")


def test_labels_in_results_are_from_the_store(sc: FlaskClient, store: Store) -> None:
    r = get(sc, CONSTRUCT_CITIES + " LIMIT 100", "application/n-triples")
    got = parse_rdf(r.data, "nt")
    for city, label in got.subject_objects(SKOS.prefLabel):
        assert (city, SKOS.prefLabel, label) in union_graph(store)


def test_encoded_path_query_roundtrip(sc: FlaskClient) -> None:
    r = sc.get("/sparql?" + urlencode({"query": "SELECT ('æøå' AS ?x) {}"}) + "&format=json")
    assert json.loads(r.data)["results"]["bindings"][0]["x"]["value"] == "æøå"
