"""Literals and SPARQL 1.1 features on both engines, for :mod:`benchmarks.virtuoso_compare`.

Short probe queries: how each engine writes stored and computed literals in SPARQL JSON
results (decimals, booleans, dates, language tags, aggregates), and, for each SPARQL 1.1
feature our queries use (property paths, ``VALUES`` in every position, ``EXISTS``,
``GROUP_CONCAT``, subqueries, ``DESCRIBE``…), whether Virtuoso's answer equals
Oxigraph's.
"""

from __future__ import annotations

import json

from benchmarks.virtuoso_answers import (
    ACCEPT_GRAPH,
    ACCEPT_TABULAR,
    HMS,
    ID,
    SKOS,
    compare,
    graph_from,
    sparql,
    triple_key,
)
from benchmarks.virtuoso_tables import Report, _diff_text

#: Prefixes for the probe queries below (kept short so each fits on a line).
PROLOGUE = (
    f"PREFIX hms: <{HMS}> PREFIX id: <{ID}> PREFIX skos: <{SKOS}> "
    "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> "
    "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)


def pq(body: str) -> str:
    """``body`` with the probe prefixes."""
    return PROLOGUE + body


def section_literals(report: Report, ox_url: str, vt_url: str) -> None:
    report.h("Literals as each engine writes them (SPARQL JSON results)")
    one = "SELECT ?v WHERE { BIND(%s AS ?v) }"
    cases = {
        "stored xsd:decimal": f"SELECT ?v WHERE {{ <{ID}vennskapsby/lund> geo:lat ?v }}",
        'stored xsd:decimal "70"': 'SELECT ?v WHERE { ?f hms:value ?v FILTER(STR(?v) = "70") }',
        "stored xsd:boolean": "SELECT ?v WHERE { ?f hms:isLowerBound ?v } ORDER BY ?f LIMIT 1",
        "stored xsd:gYear": (
            "SELECT ?v WHERE { ?s ?p ?v FILTER(datatype(?v) = xsd:gYear) } ORDER BY ?v LIMIT 1"
        ),
        "stored xsd:date": "SELECT ?v WHERE { ?s ?p ?v FILTER(datatype(?v) = xsd:date) } LIMIT 1",
        "stored language tag": (
            f"SELECT ?v WHERE {{ <{ID}vennskapsby/dalvik> skos:prefLabel ?v "
            'FILTER(lang(?v) = "is") }'
        ),
        "13.195": one % "13.195",
        "1.50": one % "1.50",
        "1.0e0": one % "1.0e0",
        "1+1": one % "1+1",
        "true": one % "true",
        "EXISTS {}": one % "EXISTS { ?s ?p ?o }",
        "1 < 2": one % "1 < 2",
        "xsd:boolean(EXISTS {})": one % "xsd:boolean(EXISTS { ?s ?p ?o })",
        '"x"^^xsd:string': one % '"x"^^xsd:string',
        "STR(<urn:a>)": one % "STR(<urn:a>)",
        'CONCAT("a", "b")': one % 'CONCAT("a", "b")',
        '"y"@EN-gb': one % '"y"@EN-gb',
        'LANG("y"@EN-gb)': one % 'LANG("y"@EN-gb)',
        "AVG of the latitudes": "SELECT (AVG(?l) AS ?v) WHERE { ?s geo:lat ?l }",
        "COUNT": "SELECT (COUNT(*) AS ?v) WHERE { ?s a hms:TwinCity }",
        "GROUP_CONCAT": (
            'SELECT (GROUP_CONCAT(?l; separator="|") AS ?v) '
            f"WHERE {{ <{ID}vennskapsby/dalvik> skos:prefLabel ?l }}"
        ),
    }
    rows = []
    for label, body in cases.items():
        cells = []
        for url in (ox_url, vt_url):
            ans = sparql(url, pq(body), ACCEPT_TABULAR)
            if ans.status != 200:
                cells.append(f"{ans.status}: {ans.first_line(80)}")
                continue
            bindings = json.loads(ans.body)["results"]["bindings"]
            cell = bindings[0].get("v") if bindings else None
            cells.append("(unbound)" if cell is None else json.dumps(cell, ensure_ascii=False))
        rows.append([label, *cells])
    report.table(["value", "oxigraph", "virtuoso"], rows)


def section_features(report: Report, ox_url: str, vt_url: str) -> None:
    report.h("SPARQL 1.1 features our queries use")
    labels = "?s skos:prefLabel ?l"
    lund = f"<{ID}vennskapsby/lund>"
    doc = f"<{ID}dokument/internasjonal-strategi>"
    cases = {
        "property path a/b": "SELECT ?a WHERE { ?m hms:servesGoal/hms:axis ?a }",
        "property path +, constant start": f"SELECT ?s WHERE {{ {doc} hms:hasSection+ ?s }}",
        "property path +, both ends variable": "SELECT ?d ?s WHERE { ?d hms:hasSection+ ?s }",
        "property path +, start bound by VALUES": (
            f"SELECT ?d ?s WHERE {{ VALUES ?d {{ {doc} }} ?d hms:hasSection+ ?s }}"
        ),
        "property path +, start bound by BIND": (
            f"SELECT ?d ?s WHERE {{ BIND({doc} AS ?d) ?d hms:hasSection+ ?s }}"
        ),
        "property path + joined, start bound by VALUES": (
            f"SELECT ?d ?f WHERE {{ VALUES ?d {{ {doc} }} ?d hms:hasSection+ ?s . "
            "?f hms:fromSection ?s ; a hms:KeyFigure }"
        ),
        "property path + joined, start bound by BIND": (
            f"SELECT ?d ?f WHERE {{ BIND({doc} AS ?d) ?d hms:hasSection+ ?s . "
            "?f hms:fromSection ?s ; a hms:KeyFigure }"
        ),
        "trailing VALUES binding a variable not projected": (
            f"SELECT ?l WHERE {{ {labels} }} VALUES ?s {{ {lund} }}"
        ),
        "alternative path |": "SELECT ?t WHERE { ?x hms:text|hms:textTranslation ?t }",
        "inverse path ^": f"SELECT ?x WHERE {{ {lund} ^hms:twinCity ?x }}",
        "BIND(EXISTS {})": (
            "SELECT ?g ?e WHERE { ?g a hms:ActionPlanGoal "
            "BIND(EXISTS { ?m hms:servesGoal ?g } AS ?e) }"
        ),
        "FILTER NOT EXISTS": (
            "SELECT ?g WHERE { ?g a hms:ActionPlanGoal "
            "FILTER NOT EXISTS { ?g hms:responsibleActor ?x } }"
        ),
        "GROUP_CONCAT separator": (
            'SELECT ?s (GROUP_CONCAT(?l; separator=" | ") AS ?ls) '
            f"WHERE {{ ?s a hms:TwinCity . {labels} }} GROUP BY ?s"
        ),
        "subquery": (
            f"SELECT ?s ?n WHERE {{ {{ SELECT ?s (COUNT(?l) AS ?n) WHERE {{ {labels} }} "
            "GROUP BY ?s } FILTER(?n > 1) }"
        ),
        "STRSTARTS(STR())": (
            "SELECT ?w WHERE { ?c owl:sameAs ?w "
            'FILTER(STRSTARTS(STR(?w), "http://www.wikidata.org/entity/")) }'
        ),
        "lang() filter": f'SELECT ?l WHERE {{ {labels} FILTER(lang(?l) = "nb") }}',
        "langMatches": f'SELECT ?l WHERE {{ {labels} FILTER(langMatches(lang(?l), "EN")) }}',
        "VALUES inside the group": f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {lund} }} {labels} }}",
        "trailing VALUES": f"SELECT ?s ?l WHERE {{ {labels} }} VALUES ?s {{ {lund} }}",
        "trailing VALUES, 2 variables": (
            f'SELECT ?s ?l WHERE {{ {labels} }} VALUES (?s ?l) {{ ({lund} "Lund"@nb) }}'
        ),
        "trailing VALUES, UNDEF": (
            f"SELECT ?s ?l WHERE {{ {labels} }} VALUES (?s ?l) {{ ({lund} UNDEF) }}"
        ),
        "trailing VALUES after GROUP BY": (
            f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ {labels} }} GROUP BY ?s VALUES ?s {{ {lund} }}"
        ),
        "trailing VALUES on ASK": f"ASK {{ {labels} }} VALUES ?s {{ {lund} }}",
        "VALUES inside ASK": f"ASK {{ VALUES ?s {{ {lund} }} {labels} }}",
        "trailing VALUES on CONSTRUCT": (
            f"CONSTRUCT {{ ?s skos:prefLabel ?l }} WHERE {{ {labels} }} VALUES ?s {{ {lund} }}"
        ),
        "VALUES inside CONSTRUCT": (
            f"CONSTRUCT {{ ?s skos:prefLabel ?l }} WHERE {{ VALUES ?s {{ {lund} }} {labels} }}"
        ),
        "OPTIONAL with FILTER inside": (
            "SELECT ?s ?l WHERE { ?s a hms:TwinCity "
            f'OPTIONAL {{ {labels} FILTER(lang(?l) = "ar") }} }}'
        ),
        "UNION + BIND": "SELECT ?x WHERE { { BIND(1 AS ?x) } UNION { BIND(2 AS ?x) } }",
        "ORDER BY DESC": "SELECT ?l WHERE { ?s geo:lat ?l } ORDER BY DESC(?l)",
        "HAVING": (
            f"SELECT ?s (COUNT(?l) AS ?n) WHERE {{ {labels} }} GROUP BY ?s HAVING (COUNT(?l) > 1)"
        ),
        "isIRI / isBlank / isLiteral": (
            "SELECT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && !isBlank(?o) && isLiteral(?o)) } "
            "ORDER BY ?s LIMIT 3"
        ),
        "REGEX": f'SELECT ?l WHERE {{ {labels} FILTER(REGEX(?l, "^Dal", "i")) }}',
        "COALESCE / IF": 'SELECT ?v WHERE { BIND(COALESCE(?nope, IF(1 > 0, "yes", "no")) AS ?v) }',
        "MINUS": "SELECT ?s WHERE { ?s a hms:TwinCity MINUS { ?s geo:lat ?l } }",
        "DESCRIBE": f"DESCRIBE {lund}",
    }
    # Virtuoso-only pragma (Oxigraph refuses it): compare it with Oxigraph's plain DESCRIBE.
    pragma = 'define sql:describe-mode "CBD" '
    rows = []
    for label, body in cases.items():
        c = compare(label, pq(body), ("oxigraph", ox_url), ("virtuoso", vt_url))
        sizes = " / ".join(map(str, c.size.values())) or "–"
        rows.append([label, sizes, c.verdict(), _diff_text(c)[:300]])
    ox_graph = graph_from(sparql(ox_url, pq(cases["DESCRIBE"]), ACCEPT_GRAPH))
    vt_graph = graph_from(sparql(vt_url, pragma + pq(cases["DESCRIBE"]), ACCEPT_GRAPH))
    same = {triple_key(t, True) for t in ox_graph} == {triple_key(t, True) for t in vt_graph}
    rows.append(
        [
            'DESCRIBE, Virtuoso given define sql:describe-mode "CBD"',
            f"{len(ox_graph)} / {len(vt_graph)}",
            "equal" if same else "DIFFERENT",
            "",
        ]
    )
    report.table(["feature", "rows (ox / vt)", "verdict", "differences"], rows)
