"""Issue 13 on /sparql: the project's prefixes are declared for every query, an undeclared
prefix is named in words (with line and column, the engine's message below), the service
description and the page say which prefixes are declared, and the page's assets carry
their version in the URL, are cached for a year and sent gzipped."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from hamar_graph.namespaces import PREFIXES
from hamar_graph.store import Store
from tests.support.sparql import parse_rdf, pool_app
from web.assets import IMMUTABLE

SH = "http://www.w3.org/ns/shacl#"
UNDECLARED = "SELECT ?s WHERE {\n  ?s a hms:TwinCity ;\n     nope:name ?o }"


@pytest.fixture(scope="module")
def app(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with pool_app(store, tmp_path_factory.mktemp("page")) as app:
        yield app


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _get(client: FlaskClient, query: str, **params: str) -> tuple[int, str]:
    response = client.get(
        "/sparql?" + urlencode({"query": query, **params}),
        headers={"Accept": "application/sparql-results+json"},
    )
    return response.status_code, response.get_data(as_text=True)


def test_the_project_prefixes_are_declared_for_every_query(client: FlaskClient) -> None:
    status, body = _get(client, "SELECT ?c WHERE { ?c a hms:TwinCity ; skos:prefLabel ?l }")
    assert status == 200 and "vennskapsby" in body
    # A query's own PREFIX wins over ours.
    own = "PREFIX hms: <http://example.org/> ASK { ?c a hms:TwinCity }"
    assert '"boolean":false' in _get(client, own)[1].replace(" ", "")


def test_an_undeclared_prefix_is_named_with_line_and_column(client: FlaskClient) -> None:
    status, body = _get(client, UNDECLARED)
    assert status == 400
    first, _, rest = body.partition("\n")
    assert first.startswith("Unknown prefix nope: (line 3, column")  # the author's lines
    assert "Prefix not found" in rest and "error at 3:" in rest  # the engine's, same place
    status, body = _get(client, UNDECLARED, lang="nb")
    assert status == 400
    assert body.startswith("Prefikset nope: er ikke deklarert (linje 3, kolonne")


@pytest.mark.parametrize(
    ("lang", "named"), [("nb", "Prefikset nope: er ikke deklarert"), ("en", "Unknown prefix nope:")]
)
def test_the_page_names_the_prefix_and_keeps_the_engine_message(
    client: FlaskClient, lang: str, named: str
) -> None:
    response = client.get(
        "/sparql?" + urlencode({"query": UNDECLARED, "lang": lang}), headers={"Accept": "text/html"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert named in html
    assert html.index(named) < html.index("Prefix not found")  # the words first, then the engine


def test_a_plain_syntax_error_still_says_where(client: FlaskClient) -> None:
    status, body = _get(client, "SELECT * WHERE { ?s ?p ?o ")
    assert status == 400
    assert body.startswith("Syntax error at line 1, column")


def test_the_service_description_declares_the_prefixes_and_the_budget(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = parse_rdf(response.get_data(), "turtle")
    declared = {
        str(graph.value(d, URIRef(SH + "prefix"))): str(graph.value(d, URIRef(SH + "namespace")))
        for d in graph.subjects(RDF.type, URIRef(SH + "PrefixDeclaration"))
    }
    assert declared == dict(PREFIXES)
    service = URIRef("http://localhost/sparql")
    budget = graph.value(service, URIRef(PREFIXES["hms"] + "clientQueryBudget"))
    assert isinstance(budget, Literal) and budget.datatype == XSD.decimal and float(budget) == 60


def test_the_page_lists_the_declared_prefixes(client: FlaskClient) -> None:
    html = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "PREFIX hms: &lt;https://data.hamar.kommune.no/def/&gt;" in html
    assert "sparql-prefixes" in html


def test_assets_carry_their_version_and_are_cached_gzipped(client: FlaskClient) -> None:
    html = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    start = html.index("/static/sparql/yasgui.min.js?v=")
    url = html[start : html.index('"', start)]
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.headers["Cache-Control"] == IMMUTABLE == zipped.headers["Cache-Control"]
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert len(zipped.get_data()) < len(plain.get_data()) / 2
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in zipped.vary
    again = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert again.status_code == 304
    old = client.get("/static/sparql/yasgui.min.js?v=000000000000")
    assert old.headers.get("Cache-Control") != IMMUTABLE  # an old version is not pinned
    old.close()
    plain.close()


def test_the_page_counts_the_rows_of_a_one_pattern_query(client: FlaskClient) -> None:
    # one triple pattern runs in the web process with Oxigraph's own JSON, not counted
    # there (hamar_graph.sparql.worker.execute_bounded): the page counts the bindings
    response = client.get(
        "/sparql?" + urlencode({"query": "SELECT ?c WHERE { ?c a hms:TwinCity }"}),
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "8 rader" in page
    assert page.count("vennskapsby/") >= 8
