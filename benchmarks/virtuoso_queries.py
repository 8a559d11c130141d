"""Our queries on both engines, for :mod:`benchmarks.virtuoso_compare`.

The example queries of the query gallery, compared on Oxigraph and on Virtuoso as given;
the app's named queries (:mod:`hamar_graph.query.named`) with the bindings the pages use,
written three ways (a trailing ``VALUES`` clause, a ``VALUES`` block or ``BIND`` first in
the WHERE group), and two rewrites of them (booleans wrapped in ``xsd:boolean()``, key
figures chosen in a subquery); and the calls the app makes through
:class:`~hamar_graph.store.remote.RemoteStore` pointed at Virtuoso, with what each returns
or raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

import hamar_graph
from benchmarks.virtuoso_answers import GRAPH_PREFIX, HMS, ID, SKOS, compare
from benchmarks.virtuoso_tables import Report, _diff_text
from hamar_graph.query import named as app_queries
from hamar_graph.store.remote import RemoteStore, with_values

EXAMPLES = Path(hamar_graph.__file__).parent / "query" / "gallery"


def section_examples(report: Report, engines: dict[str, str], reference: str) -> None:
    report.h("The 15 example queries")
    report.p(
        "Rows compared as multisets of rdflib terms: *raw* = lexical forms as sent, "
        "*rdflib* = rdflib's literal normalisation, *client* = rdflib plus "
        "`client_normalise` (xsd:string dropped, xsd:boolean 1/0 → true/false). "
        "'order' compares the row order of ORDER BY queries once the rows are equal."
    )
    results: dict[str, list[dict[str, Any]]] = {}
    for label, url in engines.items():
        if label == reference:
            continue
        rows = []
        for path in sorted(EXAMPLES.glob("*.rq")):
            c = compare(
                path.stem, path.read_text("utf-8"), (reference, engines[reference]), (label, url)
            )
            rows.append(c)
        results[label] = [c.__dict__ | {"verdict": c.verdict()} for c in rows]
        report.p(f"\n**{reference} vs {label}**\n")
        report.table(
            ["query", "form", "rows/triples (ox / vt)", "verdict", "order", "differences"],
            [
                [
                    c.name,
                    c.form,
                    " / ".join(str(v) for v in c.size.values()) or "–",
                    c.verdict(),
                    {None: "–", True: "same", False: "differs"}[c.order_equal],
                    _diff_text(c),
                ]
                for c in rows
            ],
        )
    report.data["examples"] = results


def inner_values(query: str, bindings: dict[str, Node]) -> str:
    """The same bindings as a VALUES block at the start of the outermost WHERE group."""
    if not bindings:
        return query
    names = sorted(bindings)
    block = (
        "VALUES ("
        + " ".join(f"?{n}" for n in names)
        + ") { ("
        + " ".join(bindings[n].n3() for n in names)
        + ") }"
    )
    match = re.search(r"(?i)\bWHERE\s*\{", query) or re.search(r"\{", query)
    assert match is not None
    return query[: match.end()] + "\n  " + block + "\n" + query[match.end() :]


def bind_first(query: str, bindings: dict[str, Node]) -> str:
    """The same bindings as ``BIND(term AS ?var)`` at the start of the outermost WHERE group."""
    if not bindings:
        return query
    binds = " ".join(f"BIND({bindings[n].n3()} AS ?{n})" for n in sorted(bindings))
    match = re.search(r"(?i)\bWHERE\s*\{", query) or re.search(r"\{", query)
    assert match is not None
    return query[: match.end()] + "\n  " + binds + "\n" + query[match.end() :]


def boolean_rewrite(query: str) -> str:
    """``BIND(EXISTS {...} AS ?x)`` / ``BIND(true AS ?x)`` → ``BIND(xsd:boolean(...) AS ?x)``.

    Virtuoso types a boolean expression's value as ``xsd:integer`` 1/0; through the
    ``xsd:boolean`` cast it is ``"1"^^xsd:boolean``, which client normalisation makes
    ``"true"^^xsd:boolean``.
    """
    return re.sub(
        r"BIND\((EXISTS \{[^}]*\}|true|false) AS",
        r"BIND(<http://www.w3.org/2001/XMLSchema#boolean>(\1) AS",
        query,
    )


def key_figures_rewrite() -> str:
    """KEY_FIGURES with the transitive path in a subquery that picks the figures (the
    rewrite this record proposed; the app's query now uses ``hasSection/hasSection*``)."""
    path = re.search(r"  \?doc hms:hasSection\S* \?section \.\n", app_queries.KEY_FIGURES)
    assert path is not None, "KEY_FIGURES changed: update key_figures_rewrite()"
    old = path.group() + (
        "  ?fig hms:fromSection ?section ; a hms:KeyFigure ; skos:prefLabel ?label .\n"
    )
    new = (
        "  { SELECT DISTINCT ?doc ?fig WHERE {\n"
        "      ?doc hms:hasSection+ ?section .\n"
        "      ?fig hms:fromSection ?section ; a hms:KeyFigure } }\n"
        "  ?fig skos:prefLabel ?label .\n"
    )
    assert old in app_queries.KEY_FIGURES, "KEY_FIGURES changed: update key_figures_rewrite()"
    return app_queries.KEY_FIGURES.replace(old, new)


def app_query_cases() -> list[tuple[str, str, dict[str, Node]]]:
    doc = URIRef(ID + "dokument/internasjonal-strategi")
    lund = URIRef(ID + "vennskapsby/lund")
    home = URIRef(ID + "sted/hamar")
    return [
        ("OUTGOING", app_queries.OUTGOING, {"s": lund}),
        ("INCOMING", app_queries.INCOMING, {"s": lund}),
        ("BREADCRUMBS", app_queries.BREADCRUMBS, {"s": URIRef(ID + "tiltak/internasjonal-uke")}),
        ("DESCRIBE (CONSTRUCT)", app_queries.DESCRIBE, {"s": lund}),
        ("EXISTS (ASK)", app_queries.EXISTS, {"s": lund}),
        (
            "GRAPH_TRIPLES",
            app_queries.GRAPH_TRIPLES,
            {"g": URIRef(GRAPH_PREFIX + "ontology-hamar")},
        ),
        ("VOCABULARY", app_queries.VOCABULARY, {}),
        ("RESOURCE_TEXTS", app_queries.RESOURCE_TEXTS, {}),
        ("RESOURCE_TYPES", app_queries.RESOURCE_TYPES, {}),
        ("HOME_AXES", app_queries.HOME_AXES, {"doc": doc}),
        ("TREE", app_queries.TREE, {"doc": doc}),
        ("KEY_FIGURES", app_queries.KEY_FIGURES, {"doc": doc}),
        ("MAP_PLACES", app_queries.MAP_PLACES, {"doc": doc, "home": home}),
        ("RESPONSIBILITY", app_queries.RESPONSIBILITY, {"doc": doc}),
        ("STRATEGY", app_queries.STRATEGY, {}),
        (
            "MAP_PLACES, booleans wrapped in xsd:boolean()",
            boolean_rewrite(app_queries.MAP_PLACES),
            {"doc": doc, "home": home},
        ),
        ("KEY_FIGURES, figures chosen in a subquery", key_figures_rewrite(), {"doc": doc}),
    ]


def section_app_queries(report: Report, ox_url: str, vt_url: str) -> None:
    report.h("The app's named queries (hamar_graph/queries.py) with the pages' bindings")
    report.p(
        "Bindings as RemoteStore sent them before issue 15: a trailing `VALUES` clause "
        "(hamar_graph.store.sparql_text.with_values); then the same bindings as a `VALUES` block "
        "first in the WHERE group, and as `BIND(term AS ?var)` first in the WHERE group (what "
        "RemoteStore sends now). Virtuoso with the recommended graph restriction."
    )
    rows = []
    data = []
    for name, query, bindings in app_query_cases():
        for placement, text in (
            ("trailing VALUES", with_values(query, bindings)),
            ("VALUES first in WHERE", inner_values(query, bindings)),
            ("BIND first in WHERE", bind_first(query, bindings)),
        ):
            if placement != "trailing VALUES" and not bindings:
                continue
            c = compare(name, text, ("oxigraph", ox_url), ("virtuoso", vt_url))
            rows.append(
                [
                    name,
                    placement,
                    " / ".join(map(str, c.size.values())) or "–",
                    c.verdict(),
                    _diff_text(c),
                ]
            )
            data.append(c.__dict__ | {"placement": placement, "verdict": c.verdict()})
    report.table(["query", "bindings as", "rows (ox / vt)", "verdict", "differences"], rows)
    report.data["app_queries"] = data


def section_remote_store(report: Report, vt_url: str, our_graphs: set[str]) -> None:
    report.h("hamar_graph.store.remote.RemoteStore pointed at Virtuoso")
    store = RemoteStore(vt_url, timeout=30)
    lund = {"s": URIRef(ID + "vennskapsby/lund")}
    labels = f"?s <{SKOS}prefLabel> ?l"
    calls: list[tuple[str, Callable[[], object]]] = [
        (
            "graph_names() == our graphs",
            lambda: {str(g) for g in store.graph_names()} == our_graphs,
        ),
        ("len()", lambda: len(store)),
        (
            "select(SELECT ?s ?l ..., {s: lund})",
            lambda: sorted(
                r["l"].n3() for r in store.select(f"SELECT ?s ?l WHERE {{ {labels} }}", lund)
            ),
        ),
        (
            "select(SELECT ?l ... ORDER BY ?l, {s: lund}): ?s not projected",
            lambda: sorted(
                r["l"].n3()
                for r in store.select(f"SELECT ?l WHERE {{ {labels} }} ORDER BY ?l", lund)
            ),
        ),
        ("ask(ASK ..., no binding)", lambda: store.ask(f"ASK {{ ?s a <{HMS}TwinCity> }}")),
        ("ask(queries.EXISTS, {s: lund})", lambda: store.ask(app_queries.EXISTS, lund)),
        (
            "construct(CONSTRUCT ..., no binding)",
            lambda: len(
                store.construct(
                    f"CONSTRUCT {{ ?s a <{HMS}TwinCity> }} WHERE {{ ?s a <{HMS}TwinCity> }}"
                )
            ),
        ),
        (
            "construct(queries.DESCRIBE, {s: lund})",
            lambda: len(store.construct(app_queries.DESCRIBE, lund)),
        ),
        ("select(malformed)", lambda: store.select("SELECT ?s WHERE { ?s ?p }")),
    ]
    checks = []
    for label, call in calls:
        try:
            checks.append([label, repr(call())[:200]])
        except Exception as exc:  # record what the client raises
            checks.append([label, f"{type(exc).__name__}: {str(exc)[:200]}"])
    report.table(["call", "result"], checks)
    report.data["remote_store"] = checks
