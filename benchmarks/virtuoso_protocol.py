"""The SPARQL Protocol as each engine speaks it, for :mod:`benchmarks.virtuoso_compare`.

The media type each engine answers for each query form and each ``Accept`` header the
app's clients send, and what SPARQLWrapper 2.0 gets with its extra format parameters;
how many triples ``DESCRIBE`` returns in each of Virtuoso's describe modes; the status and
message for malformed and refused queries; and the dataset each engine queries for the
default graph, ``FROM``/``FROM NAMED`` and the protocol's ``default-graph-uri`` and
``named-graph-uri`` parameters.
"""

from __future__ import annotations

import json

from benchmarks.virtuoso_answers import (
    ACCEPT_EITHER,
    ACCEPT_GRAPH,
    ACCEPT_TABULAR,
    ACCEPT_WRAPPER_JSON,
    ACCEPT_WRAPPER_N3,
    GRAPH_PREFIX,
    HMS,
    ID,
    SKOS,
    graph_from,
    sparql,
)
from benchmarks.virtuoso_tables import Report


def section_protocol(report: Report, ox_url: str, vt_url: str) -> None:
    report.h("Media types answered, per form and Accept header")
    forms = {
        "SELECT": f"SELECT ?s WHERE {{ ?s a <{HMS}TwinCity> }} LIMIT 1",
        "ASK": f"ASK {{ ?s a <{HMS}TwinCity> }}",
        "CONSTRUCT": (
            f"CONSTRUCT {{ ?s a <{HMS}TwinCity> }} WHERE {{ ?s a <{HMS}TwinCity> }} LIMIT 1"
        ),
        "DESCRIBE": f"DESCRIBE <{ID}vennskapsby/lund>",
    }
    accepts = [
        ("RemoteEngine tabular", ACCEPT_TABULAR),
        ("RemoteEngine graph", ACCEPT_GRAPH),
        ("RemoteEngine unknown form", ACCEPT_EITHER),
        ("SPARQLWrapper JSON", ACCEPT_WRAPPER_JSON),
        ("SPARQLWrapper XML", "application/sparql-results+xml"),
        ("SPARQLWrapper CSV", "text/csv"),
        ("SPARQLWrapper TSV", "text/tab-separated-values"),
        ("SPARQLWrapper N3 (RemoteStore.construct)", ACCEPT_WRAPPER_N3),
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("text/plain", "text/plain"),
        ("*/*", "*/*"),
        ("(no Accept)", None),
    ]
    rows = []
    data = []
    for form, query in forms.items():
        for label, accept in accepts:
            cells = []
            for url in (ox_url, vt_url):
                a = sparql(url, query, accept)
                cell = f"{a.status} {a.media_type}"
                if a.status == 200 and form in ("SELECT", "ASK") and a.media_type == "text/csv":
                    cell += " `" + a.text.strip().replace("\n", "⏎")[:40] + "`"
                if a.status == 200 and form in ("SELECT", "ASK") and "tab-sep" in a.media_type:
                    cell += " `" + a.text.strip().replace("\n", "⏎").replace("\t", "→")[:40] + "`"
                if a.status == 200 and form == "ASK" and a.media_type == "text/html":
                    cell += " `" + a.text.strip()[:20] + "`"
                cells.append(cell)
                data.append(
                    {
                        "form": form,
                        "accept": accept,
                        "url": url,
                        "status": a.status,
                        "media_type": a.media_type,
                        "body": a.text[:300],
                    }
                )
            rows.append([form, label, *cells])
    report.table(["form", "Accept", "oxigraph", "virtuoso"], rows)
    report.data["media_types"] = data

    report.h("What SPARQLWrapper 2.0 gets (Accept header plus format=/output=/results=)")
    report.p(
        "SPARQLWrapper, as hamar_graph/remote.py uses it (POST, setReturnFormat), also sends "
        "`format=`, `output=` and `results=` parameters with the format's name; Virtuoso obeys "
        "them over the Accept header."
    )
    from SPARQLWrapper import CSV, JSON, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

    rows = []
    for form, query in forms.items():
        for fmt in (JSON, XML, CSV, TSV, N3, TURTLE, RDFXML):
            if form in ("SELECT", "ASK") and fmt in (N3, TURTLE, RDFXML):
                continue
            if form in ("CONSTRUCT", "DESCRIBE") and fmt in (JSON, CSV, TSV):
                continue
            cells = []
            for url in (ox_url, vt_url):
                wrapper = SPARQLWrapper(url)
                wrapper.setMethod("POST")
                wrapper.setQuery(query)
                wrapper.setReturnFormat(fmt)
                wrapper.setTimeout(30)
                try:
                    response = wrapper.query().response
                    cells.append(f"{response.status} {response.headers.get_content_type()}")
                    response.read()
                except Exception as exc:  # record the client's error
                    cells.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:80]}")
            rows.append([form, fmt, *cells])
    report.table(["form", "setReturnFormat", "oxigraph", "virtuoso"], rows)

    report.h("DESCRIBE")
    iri = f"{ID}vennskapsby/lund"
    out = []
    for label, url, pragma in (
        ("oxigraph", ox_url, ""),
        ("virtuoso", vt_url, ""),
        ('virtuoso, define sql:describe-mode "CBD"', vt_url, 'define sql:describe-mode "CBD" '),
        ('virtuoso, define sql:describe-mode "SCBD"', vt_url, 'define sql:describe-mode "SCBD" '),
    ):
        g = graph_from(sparql(url, f"{pragma}DESCRIBE <{iri}>", ACCEPT_GRAPH))
        subj = sum(1 for s, _, _ in g if str(s) == iri)
        obj = sum(1 for _, _, o in g if str(o) == iri)
        out.append([label, len(g), subj, obj])
    report.table(["engine", "triples", "with the IRI as subject", "with the IRI as object"], out)

    report.h("Malformed and refused queries")
    bad = {
        "syntax error": "SELECT ?s WHERE { ?s ?p }",
        "unknown keyword": "SELEC * WHERE {}",
        "ungrouped variable": f"SELECT ?s WHERE {{ ?s <{SKOS}prefLabel> ?o }} GROUP BY ?o",
        "undefined prefix": "SELECT * WHERE { ?s nope:x ?o }",
        "BNODE()": "SELECT (BNODE() AS ?b) WHERE {}",
        "STRLANG with upper-case tag": 'SELECT (STRLANG("x", "NB-no") AS ?l) WHERE {}',
        "update sent as query=": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    }
    rows = []
    for label, query in bad.items():
        cells = []
        for url in (ox_url, vt_url):
            a = sparql(url, query, ACCEPT_TABULAR)
            cells.append(f"{a.status} {a.media_type}: `{a.first_line(120)}`")
        rows.append([label, f"`{query}`", *cells])
    report.table(["case", "query", "oxigraph", "virtuoso"], rows)


def section_datasets(report: Report, ox_url: str, vt_url: str) -> None:
    report.h("Default graph, FROM / FROM NAMED and protocol dataset parameters")
    a, b = GRAPH_PREFIX + "derived", GRAPH_PREFIX + "data-axes"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    cases = [
        ("default graph, no dataset", count, []),
        ("GRAPH ?g, no dataset", per_graph, []),
        (
            "default-graph-uri=derived&default-graph-uri=data-axes",
            count,
            [("default-graph-uri", a), ("default-graph-uri", b)],
        ),
        ("GRAPH ?g with only default-graph-uri=derived", per_graph, [("default-graph-uri", a)]),
        ("GRAPH ?g with named-graph-uri=derived", per_graph, [("named-graph-uri", a)]),
        ("default graph with only named-graph-uri=derived", count, [("named-graph-uri", a)]),
        ("FROM derived FROM data-axes", count.replace("WHERE", f"FROM <{a}> FROM <{b}> WHERE"), []),
        ("FROM derived, GRAPH ?g", per_graph.replace("WHERE", f"FROM <{a}> WHERE"), []),
        ("FROM NAMED derived, GRAPH ?g", per_graph.replace("WHERE", f"FROM NAMED <{a}> WHERE"), []),
        (
            "FROM NAMED derived, default graph",
            count.replace("WHERE", f"FROM NAMED <{a}> WHERE"),
            [],
        ),
        (
            "FROM derived + default-graph-uri=data-axes",
            count.replace("WHERE", f"FROM <{a}> WHERE"),
            [("default-graph-uri", b)],
        ),
    ]
    rows = []
    for label, query, params in cases:
        cells = []
        for url in (ox_url, vt_url):
            ans = sparql(url, query, ACCEPT_TABULAR, params)
            if ans.status != 200:
                cells.append(f"{ans.status} {ans.first_line(80)}")
                continue
            doc = json.loads(ans.body)
            bindings = doc["results"]["bindings"]
            if "g" in doc["head"]["vars"]:
                ours = sum(1 for x in bindings if x["g"]["value"].startswith(GRAPH_PREFIX))
                cells.append(f"{len(bindings)} graphs ({ours} ours)")
            else:
                cells.append(bindings[0]["n"]["value"] if bindings else "0")
        rows.append([label, *cells])
    report.table(["case", "oxigraph", "virtuoso"], rows)
