"""The protocol library on its own: request parsing, negotiation, the tokenizer and
algebra guards, the service description and the results table."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD

from hamar_graph.namespaces import HMS, SD
from hamar_graph.pages.query_page import results_table
from hamar_graph.rdf.names import local_path, prefixed_name
from hamar_graph.sparql.description import (
    GraphStats,
    Limits,
    serialize_description,
    service_description,
)
from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.guard import MAX_NESTING, algebra_guard, guard, scan_query
from hamar_graph.sparql.request import parse_request
from tests.support.sparql import parse_rdf
from web.conneg import negotiate

# --- negotiation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "tabular", "graph", "html"),
    [
        (None, "json", "ttl", False),
        ("*/*", "json", "ttl", False),
        # Only one family named: the other falls back to its default.
        ("application/sparql-results+json", "json", "ttl", False),
        ("application/sparql-results+xml", "xml", "ttl", False),
        ("text/csv", "csv", "ttl", False),
        ("text/tab-separated-values", "tsv", "ttl", False),
        ("text/turtle", "json", "ttl", False),
        ("application/n-triples", "json", "nt", False),
        ("application/ld+json", "json", "jsonld", False),
        ("application/rdf+xml", "json", "rdf", False),
        ("application/turtle,text/turtle", "json", "ttl", False),
        ("application/json", "json", "jsonld", False),
        ("application/xml", "xml", "rdf", False),
        ("text/csv;q=0.5, text/tab-separated-values", "tsv", "ttl", False),
        ("text/csv;q=0, */*;q=0.1", "json", "ttl", False),
        ("text/*", "csv", "ttl", False),
        ("image/png", None, None, False),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "json", "ttl", True),
        ("application/sparql-results+json,*/*;q=0.9", "json", "ttl", False),  # YASGUI
        ("text/html;q=0.5, application/sparql-results+json", "json", "ttl", False),
    ],
)
def test_negotiate_accept(
    accept: str | None, tabular: str | None, graph: str | None, html: bool
) -> None:
    chosen = negotiate(accept)
    assert chosen.html is html
    if not html:
        assert (chosen.tabular.key if chosen.tabular else None) == tabular
        assert (chosen.graph.key if chosen.graph else None) == graph


@pytest.mark.parametrize(
    ("values", "tabular", "graph"),
    [
        (["json"], "json", "jsonld"),
        (["xml"], "xml", "rdf"),
        (["csv"], "csv", None),
        (["tsv", "text/tab-separated-values"], "tsv", None),  # SPARQLWrapper sends both
        (["turtle"], None, "ttl"),
        (["n3"], None, "ttl"),
        (["json-ld", "application/ld+json"], None, "jsonld"),
        (["rdf+xml", "application/rdf+xml"], None, "rdf"),
        (["nt"], None, "nt"),
        (["text/csv"], "csv", None),
        (["nonsense"], None, None),
    ],
)
def test_format_parameter_overrides_accept(
    values: list[str], tabular: str | None, graph: str | None
) -> None:
    chosen = negotiate("application/sparql-results+json", values)
    assert (chosen.tabular.key if chosen.tabular else None) == tabular
    assert (chosen.graph.key if chosen.graph else None) == graph


def test_format_html_asks_for_the_page() -> None:
    assert negotiate("application/sparql-results+json", ["html"]).html


def test_not_acceptable_lists_the_types() -> None:
    error = negotiate("image/png").not_acceptable("tabular")
    assert error.status == 406
    for media_type in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ):
        assert media_type in error.message


def test_garbage_in_accept_is_ignored() -> None:
    """werkzeug drops the malformed entries; the JSON results the client named still win."""
    chosen = negotiate("text/csv;q=abc, ,/, */json, application/json;q=0.3")
    assert chosen.tabular is not None and chosen.tabular.key == "json"


# --- request parsing ---------------------------------------------------------------------


def test_get_with_dataset() -> None:
    req = parse_request(
        "GET",
        None,
        {
            "query": ["ASK {}"],
            "default-graph-uri": ["http://a/1", "http://a/2"],
            "named-graph-uri": ["http://a/3"],
        },
    )
    assert req is not None
    assert req.query == "ASK {}"
    assert req.default_graphs == ("http://a/1", "http://a/2")
    assert req.named_graphs == ("http://a/3",)
    assert req.has_dataset


def test_get_without_query_is_none() -> None:
    assert parse_request("GET", None, {}) is None


def test_post_form_and_direct() -> None:
    form = parse_request(
        "POST",
        "application/x-www-form-urlencoded; charset=UTF-8",
        {"default-graph-uri": ["http://a/1"]},
        b"query=SELECT%20*%20%7B%7D&named-graph-uri=http%3A%2F%2Fa%2F2",
    )
    assert form is not None
    assert form.query == "SELECT * {}"
    assert form.default_graphs == ("http://a/1",)
    assert form.named_graphs == ("http://a/2",)
    direct = parse_request("POST", "application/sparql-query", {}, "ASK { ?s ?p 'ø' }".encode())
    assert direct is not None and direct.query == "ASK { ?s ?p 'ø' }"


@pytest.mark.parametrize(
    ("method", "content_type", "args", "body", "status"),
    [
        ("GET", None, {"query": ["ASK {}", "ASK {}"]}, b"", 400),
        ("GET", None, {"query": [""]}, b"", 400),
        ("GET", None, {"query": ["   "]}, b"", 400),
        ("GET", None, {"update": ["CLEAR ALL"]}, b"", 403),
        ("GET", None, {"query": ["ASK {}"], "default-graph-uri": ["not an iri"]}, b"", 400),
        ("POST", "application/x-www-form-urlencoded", {}, b"other=1", 400),
        ("POST", "application/x-www-form-urlencoded", {}, b"update=CLEAR%20ALL", 403),
        ("POST", "application/sparql-update", {}, b"CLEAR ALL", 403),
        ("POST", "text/plain", {}, b"ASK {}", 415),
        ("POST", None, {}, b"ASK {}", 415),
        ("POST", "application/sparql-query; charset=UTF-16", {}, "ASK {}".encode("utf-16"), 415),
        ("POST", "application/sparql-query", {}, "ASK {}".encode("utf-16"), 400),
        ("POST", "application/sparql-query", {"query": ["ASK {}"]}, b"ASK {}", 400),
        ("PUT", "application/sparql-query", {}, b"ASK {}", 405),
        ("GET", None, {"query": ["SELECT * { ?s ?p ?o }" + " " * 200]}, b"", 413),
    ],
)
def test_bad_requests(
    method: str, content_type: str | None, args: dict[str, list[str]], body: bytes, status: int
) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_request(method, content_type, args, body, max_query_bytes=100)
    assert caught.value.status == status
    assert caught.value.message


# --- the tokenizer guard -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("select*{?s ?p ?o}", "SELECT"),
        ("PREFIX ex: <http://x/> BASE <http://y/> PREFIX : <http://z/>\nASK {}", "ASK"),
        ("# a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://x/>", "DESCRIBE"),
        ("PREFIX select: <http://x/> ASK { ?s select:p ?o }", "ASK"),
    ],
)
def test_scan_finds_the_form(query: str, form: str) -> None:
    assert scan_query(query).form == form


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a/> <http://a/> <http://a/> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <file:///etc/passwd>",
        "CLEAR ALL",
        "DROP GRAPH <http://a/>",
        "CREATE GRAPH <http://a/>",
        "ADD <http://a/> TO <http://b/>",
        "MOVE DEFAULT TO <http://b/>",
        "COPY DEFAULT TO <http://b/>",
        "PREFIX ex: <http://x/> WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "# comment first\nclear default",
    ],
)
def test_updates_are_refused(update: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        guard(update)
    assert caught.value.status == 403
    assert "read-only" in caught.value.message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * { service silent ?x { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o . sErViCe <http://127.0.0.1:9/> { ?a ?b ?c } }",
        # Oxigraph reads a keyword glued to a number or a boolean.
        "SELECT * { ?s ?p 1SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
        "SELECT * { ?s ?p 1.5SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
        "SELECT * { ?s ?p trueSERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
        # Unicode escapes, which the grammar lets an engine decode first.
        "SELECT * { ?s ?p ?o . \\u0053ERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
        "SELECT * { FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } } }",
        "SELECT * { ?s ?p ?o FILTER(?o < 3) SERVICE <http://127.0.0.1:9/> {} }",
    ],
)
def test_service_is_refused(query: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        guard(query)
    assert caught.value.status == 403
    assert "SERVICE" in caught.value.message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p 'SERVICE' }",
        'SELECT * { ?s ?p """a\nSERVICE <x> {}""" }',
        "SELECT * { ?s <http://example.org/service> ?o }",
        "SELECT * { ?s ?p ?o } # no SERVICE here",
        "PREFIX ex: <http://x/> SELECT * { ?s ex:service ?o }",
        "SELECT ?service { ?service ?p ?o }",
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
        "SELECT * { ?x a sd:Service }",
    ],
)
def test_service_in_names_strings_and_comments_is_fine(query: str) -> None:
    assert guard(query).service is False


def test_from_clause_is_noticed() -> None:
    assert scan_query("SELECT * FROM <http://a/> { ?s ?p ?o }").dataset_clause
    assert scan_query("SELECT * FROM NAMED <http://a/> { ?s ?p ?o }").dataset_clause
    assert not scan_query("SELECT ?from { ?from ?p 'FROM' }").dataset_clause


def test_nesting_limit() -> None:
    ok = "SELECT * WHERE " + "{" * MAX_NESTING + "?s ?p ?o" + "}" * MAX_NESTING
    assert guard(ok).depth == MAX_NESTING
    deep = "SELECT * WHERE " + "{" * 200 + "?s ?p ?o" + "}" * 200
    with pytest.raises(ProtocolError) as caught:
        guard(deep)
    assert caught.value.status == 400
    assert "200 levels" in caught.value.message
    brackets = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    with pytest.raises(ProtocolError):
        guard(brackets)


# --- the algebra guard -------------------------------------------------------------------


def test_algebra_guard_finds_service_by_parsing() -> None:
    verdict = algebra_guard(
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?q ?z } } }"
    )
    assert verdict.parsed
    assert verdict.form == "SELECT"
    assert verdict.refusal is not None and verdict.refusal[0] == 403


def test_algebra_guard_refuses_a_text_that_parses_as_update() -> None:
    verdict = algebra_guard("LOAD <file:///etc/passwd>")
    assert verdict.refusal is not None and verdict.refusal[0] == 403
    assert "read-only" in verdict.refusal[1]


def test_algebra_guard_passes_ordinary_queries() -> None:
    verdict = algebra_guard("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1")
    assert verdict.parsed and verdict.form == "CONSTRUCT" and verdict.refusal is None


def test_algebra_guard_survives_what_rdflib_cannot_parse() -> None:
    deep = "SELECT * WHERE " + "{" * 60 + "?s ?p ?o" + "}" * 60
    verdict = algebra_guard(deep)
    assert not verdict.parsed and verdict.refusal is None and "recursed" in verdict.note
    assert algebra_guard("SELECT * WHERE {").refusal is None


# --- service description -----------------------------------------------------------------


def test_service_description_content() -> None:
    stats = GraphStats(10, (("http://g/1", 4), ("http://g/2", 6)))
    limits = Limits(10.0, 1024, 500, 100_000, 8192)
    g = service_description("http://127.0.0.1:5000/sparql", stats, limits)
    service = URIRef("http://127.0.0.1:5000/sparql")
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    formats = {str(o) for o in g.objects(service, SD.resultFormat)}
    assert formats == {
        "http://www.w3.org/ns/formats/" + name
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
        )
    }
    dataset = g.value(service, SD.defaultDataset)
    default = g.value(dataset, SD.defaultGraph)
    assert g.value(default, VOID.triples) == Literal(10, datatype=XSD.integer)
    named = {
        str(g.value(ng, SD.name)): int(g.value(g.value(ng, SD.graph), VOID.triples))
        for ng in g.objects(dataset, SD.namedGraph)
    }
    assert named == {"http://g/1": 4, "http://g/2": 6}
    assert g.value(service, HMS.queryTimeout) == Literal("10", datatype=XSD.decimal)
    assert int(g.value(service, HMS.resultRowLimit)) == 500
    assert int(g.value(service, HMS.queryMemoryLimit)) == 1024
    assert int(g.value(service, HMS.maxQueryBytes)) == 100_000
    assert int(g.value(service, HMS.maxUrlBytes)) == 8192
    for key, fmt in (("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt")):
        again = parse_rdf(serialize_description(g, key), fmt)
        assert len(again) == len(g)


# --- results table -----------------------------------------------------------------------


def test_results_table_cells() -> None:
    data = {
        "head": {"vars": ["a", "b", "c", "d"]},
        "results": {
            "bindings": [
                {
                    "a": {"type": "uri", "value": "https://data.hamar.kommune.no/id/akse/x"},
                    "b": {"type": "literal", "value": "Lund", "xml:lang": "nb"},
                    "c": {
                        "type": "literal",
                        "value": "4",
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    },
                }
            ]
        },
    }
    table = results_table(data, "https://data.hamar.kommune.no/")
    assert table.columns == ("a", "b", "c", "d")
    a, b, c, d = table.rows[0]
    assert (a.kind, a.href, a.text) == ("uri", "/id/akse/x", "id:akse/x")
    assert (b.text, b.lang) == ("Lund", "nb")
    assert (c.text, c.title) == ("4", "xsd:integer")
    assert d.kind == "unbound"
    assert results_table({"head": {}, "boolean": False}, "x").boolean is False


def test_prefixed_names_and_local_paths() -> None:
    assert prefixed_name("http://www.w3.org/2004/02/skos/core#prefLabel") == "skos:prefLabel"
    assert prefixed_name("http://example.org/x") == "<http://example.org/x>"
    assert prefixed_name("http://example.org/x", fallback="x") == "x"
    assert prefixed_name("https://data.hamar.kommune.no/id/akse/a") == "id:akse/a"
    assert prefixed_name("http://h/def/Axis", "http://h/") == "hms:Axis"  # rebased
    base = "https://data.hamar.kommune.no/"
    assert local_path(base + "id/x", base) == "/id/x"
    assert local_path(base + "graph/data-axes", base) is None
    assert local_path(base + "graph/data-axes", base, ("",)) == "/graph/data-axes"
    assert local_path("http://example.org/x", base) is None
