"""Running one query from the shell (hamar_graph.query.run, what ``hamar-graph query``
calls): parsing, predeclared prefixes, bindings, and every result format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from hamar_graph.namespaces import HMS, ID, PREFIXES
from hamar_graph.query.run import (
    QUERY_FORMATS,
    QueryFormatError,
    QuerySyntaxError,
    cell,
    format_result,
    parse_query,
    run_query,
    tsv,
    with_prologue,
)
from hamar_graph.store.base import Store

AXES = "SELECT ?axis ?n WHERE { ?axis a hms:Axis ; skos:notation ?n } ORDER BY ?n"


def test_parse_finds_form_and_columns_in_text_order() -> None:
    assert parse_query(AXES, PREFIXES).variables == ("axis", "n")
    star = parse_query("SELECT * WHERE { ?b ?a ?c }")
    assert star.form == "SELECT" and star.variables == ("b", "a", "c")
    assert parse_query("ASK {}").form == "ASK"
    assert parse_query("CONSTRUCT WHERE { ?s ?p ?o }").form == "CONSTRUCT"
    with pytest.raises(QuerySyntaxError):
        parse_query("SELECT * WHERE {")
    with pytest.raises(QuerySyntaxError):
        parse_query("SELECT ?x WHERE { ?x a undeclared:Thing }")


def test_prologue_adds_only_what_the_query_does_not_declare() -> None:
    text = with_prologue("PREFIX hms: <http://other/>\nASK {}", {"hms": "x:", "skos": "y:"})
    assert text.startswith("PREFIX skos: <y:>\n") and "PREFIX hms: <x:>" not in text


def test_run_with_predeclared_prefixes_and_bindings(store: Store) -> None:
    result = run_query(store, AXES)
    assert result.form == "SELECT" and str(result.rows[0]["n"]) == "4.1"
    bound = run_query(
        store,
        "SELECT ?axis ?label WHERE { ?axis skos:prefLabel ?label FILTER(lang(?label) = 'en') }",
        bindings={"axis": ID["akse/vennskapsbysamarbeid"]},
    )
    assert [str(r["label"]) for r in bound.rows] == ["Twin-city cooperation"]
    assert run_query(store, "ASK { ?s a hms:TwinCity }").boolean is True


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_select_formats(store: Store, fmt: str) -> None:
    data = format_result(run_query(store, AXES), fmt).decode("utf-8")
    if fmt == "json":
        bindings = json.loads(data)["results"]["bindings"]
        assert [b["n"]["value"] for b in bindings] == ["4.1", "4.2", "4.3", "4.4", "4.5"]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(data)))
        assert rows[0] == ["axis", "n"] and len(rows) == 6
    elif fmt == "tsv":
        assert data.splitlines()[0] == "?axis\t?n" and '"4.1"' in data
    elif fmt == "table":
        assert "id:akse/" in data and data.rstrip().endswith("(5 rows)")
    else:
        assert "<sparql" in data and "4.5" in data


def test_graph_formats_and_refused_combinations(store: Store) -> None:
    result = run_query(store, "CONSTRUCT { ?s a hms:TwinCity } WHERE { ?s a hms:TwinCity }")
    graph = Graph().parse(data=format_result(result, "ttl"), format="turtle")
    assert len(graph) == 8
    assert format_result(result, "table").decode().rstrip().endswith("(8 rows)")
    with pytest.raises(QueryFormatError):
        format_result(run_query(store, AXES), "ttl")
    with pytest.raises(QueryFormatError):
        format_result(run_query(store, AXES), "yaml")
    assert set(QUERY_FORMATS) >= {"table", "json", "ttl", "nt", "jsonld", "rdf"}


def test_cells_and_tsv_escape() -> None:
    assert cell(HMS.Axis) == "hms:Axis"
    assert cell(URIRef("http://example.org/x")) == "<http://example.org/x>"
    assert cell(Literal("a\nb", lang="nb")) == "a b@nb"
    assert cell(Literal("2015", datatype=XSD.gYear)) == "2015"
    assert cell(Literal("x" * 100), width=10) == "x" * 9 + "…"
    assert tsv(["v"], [{"v": Literal("a\tb")}]) == '?v\n"a\\tb"\n'
