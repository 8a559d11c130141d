"""Virtuoso against the Oxigraph server, on our data and our queries, measured.

Starts both engines on loopback ports with the same N-Quads (one named graph per source
file), then records, for docs/virtuoso.md:

1. **timings**: Virtuoso install check, start, bulk load (``ld_dir`` + ``rdf_loader_run``),
   restart; Oxigraph load and start; a load through the Graph Store Protocol;
2. **examples**: every ``hamar_graph/queries/examples/*.rq`` on both engines, the answers
   compared as multisets of rows (or sets of triples, or the boolean) of rdflib terms, at
   three levels: *raw* (lexical forms as sent), *rdflib* (rdflib's literal normalisation)
   and *client* (rdflib plus the normalisation docs/virtuoso.md recommends for the remote
   store). Each example runs on Virtuoso as installed ("virtuoso") and after restricting
   the anonymous SPARQL user to our graphs ("virtuoso+acl", the recommended setting);
3. **app queries**: the named queries of :mod:`hamar_graph.query.named` with the bindings the
   pages use, sent as :class:`hamar_graph.store.remote.RemoteStore` sends them (a trailing
   ``VALUES`` clause), and again with the ``VALUES`` block inside the WHERE group;
4. **protocol**: the media type each engine answers for each form and each ``Accept``
   header the app's clients send; malformed queries; dataset parameters and
   ``FROM``/``FROM NAMED``; literal forms; blank nodes; limits (``ResultSetMaxRows``,
   ``MaxQueryExecutionTime``, the ``timeout`` parameter); SPARQL Update and the Graph
   Store Protocol, before and after ``GRANT SPARQL_UPDATE``.

Usage::

    python -m benchmarks.virtuoso_compare                 # builds the graph itself
    python -m benchmarks.virtuoso_compare --nquads dist/hamar-graph-0.1.0.nq --json out.json

Only 127.0.0.1 is contacted; every server it starts is stopped before it exits.
Install Virtuoso first: ``bash scripts/install-virtuoso.sh``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

import hamar_graph
from hamar_graph.query import named as app_queries
from hamar_graph.store.remote import RemoteStore, with_values
from hamar_graph.store.remote_load import load_dataset
from tests.support.oxigraph_server import OxigraphServer, oxigraph_binary
from tests.support.virtuoso_server import VirtuosoServer, virtuoso_missing

EXAMPLES = Path(hamar_graph.__file__).parent / "queries" / "examples"
BASE = "https://data.hamar.kommune.no/"
HMS = BASE + "def/"
ID = BASE + "id/"
GRAPH_PREFIX = BASE + "graph/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

# --- HTTP ----------------------------------------------------------------------------


@dataclass
class Answer:
    """One HTTP exchange."""

    status: int
    media_type: str
    headers: dict[str, str]
    body: bytes
    seconds: float
    error: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def first_line(self, limit: int = 160) -> str:
        lines = [line for line in self.text.strip().splitlines() if line.strip()]
        return (lines[0][:limit] if lines else "") or self.error


def http(
    url: str,
    *,
    method: str = "POST",
    params: Iterable[tuple[str, str]] = (),
    body: bytes | None = None,
    content_type: str | None = None,
    accept: str | None = None,
    timeout: float = 120.0,
) -> Answer:
    """One request to a loopback server; never raises for an HTTP status."""
    params = list(params)
    headers: dict[str, str] = {}
    if accept is not None:
        headers["Accept"] = accept
    if body is None and method == "POST":
        body = urllib.parse.urlencode(params).encode("utf-8")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        if params:
            url = f"{url}?{urllib.parse.urlencode(params)}"
        if content_type:
            headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
            return Answer(
                response.status,
                response.headers.get_content_type(),
                dict(response.headers.items()),
                data,
                time.monotonic() - began,
            )
    except urllib.error.HTTPError as exc:
        return Answer(
            exc.code,
            exc.headers.get_content_type() if exc.headers else "",
            dict(exc.headers.items()) if exc.headers else {},
            exc.read(),
            time.monotonic() - began,
        )
    except (urllib.error.URLError, OSError) as exc:
        return Answer(0, "", {}, b"", time.monotonic() - began, error=str(exc))


def sparql(
    url: str, query: str, accept: str | None, params: Iterable[tuple[str, str]] = ()
) -> Answer:
    return http(url, params=[("query", query), *params], accept=accept)


# --- terms and answers -----------------------------------------------------------------

#: Accept headers our clients send (hamar_graph/sandbox.py RemoteEngine; SPARQLWrapper 2.0
#: as hamar_graph/store/remote.py RemoteStore uses it).
ACCEPT_TABULAR = "application/sparql-results+json"
ACCEPT_GRAPH = "application/n-triples"
ACCEPT_EITHER = "application/sparql-results+json, application/n-triples;q=0.9"
ACCEPT_WRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
ACCEPT_WRAPPER_N3 = (
    "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"
)


def term_from_json(cell: dict[str, str], normalize: bool) -> Node:
    """An rdflib term from a SPARQL JSON cell, accepting Virtuoso's variants.

    Virtuoso writes ``"type": "typed-literal"`` (SPARQL 1.0 JSON) and, in a CONSTRUCT
    answered as a result set, ``"lang"`` instead of ``"xml:lang"``.
    """
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    lang = cell.get("xml:lang") or cell.get("lang")
    if lang:
        return Literal(cell["value"], lang=lang, normalize=normalize)
    if "datatype" in cell:
        return Literal(cell["value"], datatype=URIRef(cell["datatype"]), normalize=normalize)
    return Literal(cell["value"], normalize=normalize)


def client_normalise(term: Node) -> Node:
    """What docs/virtuoso.md recommends the remote-store client does to Virtuoso's terms.

    - ``"x"^^xsd:string`` → ``"x"`` (RDF 1.1: the same literal; Oxigraph writes the short
      form, Virtuoso the long one, and rdflib treats them as different terms);
    - ``"1"^^xsd:boolean`` / ``"0"^^xsd:boolean`` → ``"true"`` / ``"false"`` (canonical
      lexical form; Virtuoso stores booleans as numbers);
    - ``xsd:decimal``/``xsd:double``/``xsd:float``/``xsd:integer`` → the canonical form
      of the value (Virtuoso rounds a decimal AVG to 18 digits, Oxigraph to 17...).
    """
    if not isinstance(term, Literal) or term.language:
        return term
    if term.datatype == XSD.string:
        return Literal(str(term))
    if term.datatype == XSD.boolean:
        return Literal("true" if str(term) in ("1", "true") else "false", datatype=XSD.boolean)
    return term


def rows_from_json(doc: dict[str, Any], normalize: bool, fix: bool) -> list[dict[str, Node]]:
    rows = []
    for binding in doc["results"]["bindings"]:
        row = {}
        for name, cell in binding.items():
            term = term_from_json(cell, normalize)
            row[name] = client_normalise(term) if fix else term
        rows.append(row)
    return rows


def row_key(row: dict[str, Node]) -> tuple[tuple[str, str], ...]:
    """A hashable row; blank nodes compare equal to each other (labels are local)."""
    return tuple(sorted((k, "_:b" if isinstance(v, BNode) else v.n3()) for k, v in row.items()))


def graph_from(answer: Answer) -> Graph:
    fmt = {
        "application/n-triples": "nt",
        "text/plain": "nt",
        "text/turtle": "turtle",
        "application/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/ld+json": "json-ld",
    }.get(answer.media_type)
    if fmt is None:
        raise ValueError(f"not an RDF media type: {answer.media_type}")
    graph = Graph()
    graph.parse(data=answer.body, format=fmt)
    return graph


def triple_key(triple: tuple[Node, Node, Node], fix: bool) -> tuple[str, ...]:
    return tuple(
        "_:b" if isinstance(t, BNode) else (client_normalise(t) if fix else t).n3() for t in triple
    )


def query_form(query: str) -> str:
    text = re.sub(r"(?is)\b(PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)", "", query)
    text = re.sub(r"(?m)^\s*#.*$", "", text)
    match = re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text)
    return match.group(1).upper() if match else "SELECT"


@dataclass
class Comparison:
    """Two engines' answers to one query."""

    name: str
    form: str
    status: dict[str, int] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)
    equal: dict[str, bool] = field(default_factory=dict)  # level -> equal
    order_equal: bool | None = None
    only_left: list[str] = field(default_factory=list)
    only_right: list[str] = field(default_factory=list)
    note: str = ""

    def verdict(self) -> str:
        if not all(code == 200 for code in self.status.values()):
            return "error"
        if self.equal.get("raw"):
            return "equal"
        if self.equal.get("rdflib"):
            return "equal after rdflib normalisation"
        if self.equal.get("client"):
            return "equal after client normalisation"
        if self.equal.get("concat"):
            return "equal but for GROUP_CONCAT order and language tag"
        return "DIFFERENT"


def _fetch(url: str, query: str, form: str, params: Iterable[tuple[str, str]] = ()) -> Answer:
    accept = ACCEPT_GRAPH if form in ("CONSTRUCT", "DESCRIBE") else ACCEPT_TABULAR
    return sparql(url, query, accept, params)


def compare(
    name: str,
    query: str,
    left: tuple[str, str],
    right: tuple[str, str],
    params: Iterable[tuple[str, str]] = (),
) -> Comparison:
    """Run ``query`` on two engines ``(label, url)`` and compare the answers."""
    form = query_form(query)
    result = Comparison(name, form)
    answers = {label: _fetch(url, query, form, params) for label, url in (left, right)}
    for label, answer in answers.items():
        result.status[label] = answer.status
    if any(a.status != 200 for a in answers.values()):
        result.note = "; ".join(
            f"{label}: {a.status} {a.first_line()}"
            for label, a in answers.items()
            if a.status != 200
        )
        return result
    a, b = answers[left[0]], answers[right[0]]
    if form == "ASK":
        va, vb = json.loads(a.body)["boolean"], json.loads(b.body)["boolean"]
        result.size = {left[0]: int(va), right[0]: int(vb)}
        for level in ("raw", "rdflib", "client"):
            result.equal[level] = va == vb
        return result
    if form in ("CONSTRUCT", "DESCRIBE"):
        ga, gb = graph_from(a), graph_from(b)
        result.size = {left[0]: len(ga), right[0]: len(gb)}
        for level, fix in (("raw", False), ("rdflib", False), ("client", True)):
            ka = Counter(triple_key(t, fix) for t in ga)
            kb = Counter(triple_key(t, fix) for t in gb)
            result.equal[level] = ka == kb
            if level == "client" and ka != kb:
                result.only_left = sorted(" ".join(k) for k in (ka - kb))[:6]
                result.only_right = sorted(" ".join(k) for k in (kb - ka))[:6]
        return result
    da, db = json.loads(a.body), json.loads(b.body)
    for level, normalize, fix in (
        ("raw", False, False),
        ("rdflib", True, False),
        ("client", True, True),
    ):
        ra, rb = rows_from_json(da, normalize, fix), rows_from_json(db, normalize, fix)
        ka, kb = Counter(map(row_key, ra)), Counter(map(row_key, rb))
        result.equal[level] = ka == kb
        result.size = {left[0]: len(ra), right[0]: len(rb)}
        if level == "client":
            if ka != kb:
                result.only_left = [_row_text(k) for k in sorted(ka - kb)][:6]
                result.only_right = [_row_text(k) for k in sorted(kb - ka)][:6]
                ca = Counter(row_key(concat_parts(query, r)) for r in ra)
                cb = Counter(row_key(concat_parts(query, r)) for r in rb)
                result.equal["concat"] = ca == cb
            if re.search(r"(?i)\bORDER\s+BY\b", query):
                keys_a = [row_key(concat_parts(query, r)) for r in ra]
                keys_b = [row_key(concat_parts(query, r)) for r in rb]
                if Counter(keys_a) == Counter(keys_b):
                    result.order_equal = keys_a == keys_b
    return result


_GROUP_CONCAT = re.compile(
    r'(?is)GROUP_CONCAT\s*\((?:[^;()]|\([^()]*\))*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)'
)


def concat_parts(query: str, row: dict[str, Node]) -> dict[str, Node]:
    """``row`` with every GROUP_CONCAT value's parts sorted (SPARQL leaves their order open)."""
    out = dict(row)
    for separator, name in _GROUP_CONCAT.findall(query):
        value = out.get(name)
        if isinstance(value, Literal) and separator:
            parts = sorted(str(value).split(separator))
            out[name] = Literal(separator.join(parts))  # and ignore the language tag
    return out


def _row_text(key: tuple[tuple[str, str], ...]) -> str:
    return "{" + ", ".join(f"?{k}={v}" for k, v in key) + "}"


# --- set-up --------------------------------------------------------------------------


def build_nquads(folder: Path) -> Path:
    """Assemble the graph from the sources and write it as N-Quads (no network)."""
    from hamar_graph.build import assemble
    from hamar_graph.config import PROJECT_ROOT, Settings
    from hamar_graph.rdf.serialize import serialize_nquads

    settings = Settings(source_dir=PROJECT_ROOT, out_dir=folder, store_path=folder / "none")
    path = folder / "hamar-graph.nq"
    path.write_bytes(serialize_nquads(assemble(settings)))
    return path


def graph_counts(path: Path) -> dict[str, int]:
    """Distinct triples per named graph in an N-Quads file."""
    import pyoxigraph as ox

    triples: dict[str, set[tuple[str, str, str]]] = {}
    for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        triples.setdefault(name, set()).add(
            (str(quad.subject), str(quad.predicate), str(quad.object))
        )
    return {name: len(found) for name, found in triples.items() if name}


def engine_counts(url: str) -> dict[str, int]:
    answer = sparql(
        url,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        ACCEPT_TABULAR,
    )
    doc = json.loads(answer.body)
    return {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- the report ----------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.data: dict[str, Any] = {}

    def h(self, title: str) -> None:
        self.lines += ["", f"## {title}", ""]
        print(f"\n## {title}\n", flush=True)

    def p(self, text: str = "") -> None:
        self.lines.append(text)
        print(text, flush=True)

    def table(self, header: list[str], rows: Iterable[Iterable[object]]) -> None:
        self.p("| " + " | ".join(header) + " |")
        self.p("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            cells = [str(c).replace("|", "\\|").replace("\n", " ") for c in row]
            self.p("| " + " | ".join(cells) + " |")


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    began = time.monotonic()
    value = fn()
    return value, time.monotonic() - began


# --- sections ------------------------------------------------------------------------


def section_counts(report: Report, nquads: Path, ox_url: str, vt_url: str) -> set[str]:
    report.h("Triples per named graph")
    expected = graph_counts(nquads)
    ox, vt = engine_counts(ox_url), engine_counts(vt_url)
    names = sorted(set(expected) | set(ox) | set(vt))
    report.table(
        ["graph", "N-Quads file", "oxigraph", "virtuoso"],
        [[g, expected.get(g, "–"), ox.get(g, "–"), vt.get(g, "–")] for g in names],
    )
    report.data["counts"] = {"file": expected, "oxigraph": ox, "virtuoso": vt}
    return set(expected)


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


def _diff_text(c: Comparison) -> str:
    parts = []
    if c.note:
        parts.append(c.note)
    if c.only_left:
        parts.append("only oxigraph: " + "; ".join(c.only_left[:3]))
    if c.only_right:
        parts.append("only virtuoso: " + "; ".join(c.only_right[:3]))
    return " ".join(parts)[:700]


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
    """KEY_FIGURES with the transitive path in a subquery that picks the figures."""
    old = (
        "  ?doc hms:hasSection+ ?section .\n"
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
        "Bindings as RemoteStore sends them: a trailing `VALUES` clause "
        "(hamar_graph.store.sparql_text.with_values); then the same bindings as a `VALUES` "
        "block first in the WHERE group, and as `BIND(term AS ?var)` first in the WHERE group. "
        "Virtuoso with the recommended graph restriction."
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


def section_limits(report: Report, nquads: Path, folder: Path) -> None:
    report.h("Limits: ResultSetMaxRows, MaxQueryExecutionTime, the timeout parameter")
    server = VirtuosoServer(folder / "limits", max_rows=100, max_seconds=2)
    try:
        server.start()
        server.load_nquads(nquads)
        url = server.query_url
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
        cases = [
            (
                "SELECT of every triple, ResultSetMaxRows=100",
                "SELECT * WHERE { ?s ?p ?o }",
                ACCEPT_TABULAR,
                [],
            ),
            (
                "CONSTRUCT of every triple, ResultSetMaxRows=100",
                "CONSTRUCT WHERE { ?s ?p ?o }",
                ACCEPT_GRAPH,
                [],
            ),
            ("slow query, MaxQueryExecutionTime=2", heavy, ACCEPT_TABULAR, []),
            ("slow query, timeout=500 (ms)", heavy, ACCEPT_TABULAR, [("timeout", "500")]),
            (
                "slow query, timeout=10000 > MaxQueryExecutionTime",
                heavy,
                ACCEPT_TABULAR,
                [("timeout", "10000")],
            ),
            (
                "cross product of 3 patterns (cost estimate)",
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                ACCEPT_TABULAR,
                [],
            ),
        ]
        rows = []
        for label, query, accept, params in cases:
            a = sparql(url, query, accept, params)
            if a.media_type == ACCEPT_TABULAR and a.status == 200:
                bindings = json.loads(a.body)["results"]["bindings"]
                size = f"{len(bindings)} rows" + (
                    f", n={bindings[0]['n']['value']}" if bindings and "n" in bindings[0] else ""
                )
            elif a.status == 200:
                size = f"{len([ln for ln in a.text.splitlines() if ln.strip()])} triples"
            else:
                size = a.first_line(120)
            x_headers = {k: v[:70] for k, v in a.headers.items() if k.lower().startswith("x-")}
            rows.append(
                [
                    label,
                    f"{a.status} {a.media_type}",
                    f"{a.seconds:.2f}",
                    size,
                    json.dumps(x_headers),
                ]
            )
        report.table(["case", "answer", "seconds", "content", "X- headers"], rows)
    finally:
        server.stop()


def section_update(report: Report, nquads: Path, folder: Path, dataset_graphs: set[str]) -> None:
    report.h("SPARQL Update and the Graph Store Protocol")
    server = VirtuosoServer(folder / "update")
    rows = []
    try:
        server.start()
        url, gsp = server.query_url, server.graph_store_url
        nt = b'<urn:x:a> <urn:x:b> "c" .\n_:n1 <urn:x:b> "blank" .\n'

        def record(label: str, a: Answer) -> None:
            rows.append([label, f"{a.status} {a.media_type}", f"`{a.first_line(140)}`"])

        update = 'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> "c" } }'
        record("update= before the grant", http(url, params=[("update", update)]))
        record(
            "PUT /sparql-graph-crud before the grant",
            http(
                gsp,
                method="PUT",
                params=[("graph", "urn:x:g1")],
                body=nt,
                content_type="application/n-triples",
            ),
        )
        server.allow_sparql_update()
        record(
            "update= after GRANT SPARQL_UPDATE",
            http(url, params=[("update", update)], accept=ACCEPT_TABULAR),
        )
        record(
            "query=INSERT DATA after the grant",
            http(url, params=[("query", update.replace('"c"', '"d"'))], accept=ACCEPT_TABULAR),
        )
        record(
            "POST application/sparql-update",
            http(
                url,
                method="POST",
                body=update.replace('"c"', '"e"').encode(),
                content_type="application/sparql-update",
            ),
        )
        record(
            "PUT ?graph= (GSP)",
            http(
                gsp,
                method="PUT",
                params=[("graph", "urn:x:g1")],
                body=nt,
                content_type="application/n-triples",
            ),
        )
        record(
            "PUT ?graph-uri= (Virtuoso's name)",
            http(
                gsp,
                method="PUT",
                params=[("graph-uri", "urn:x:g2")],
                body=nt,
                content_type="application/n-triples",
            ),
        )
        record(
            "GET ?graph=",
            http(gsp, method="GET", params=[("graph", "urn:x:g1")], accept="application/n-triples"),
        )
        record(
            "MOVE SILENT GRAPH",
            http(url, params=[("update", "MOVE SILENT GRAPH <urn:x:g1> TO GRAPH <urn:x:g3>")]),
        )
        record(
            "SELECT a blank node",
            sparql(url, 'SELECT ?s WHERE { GRAPH <urn:x:g3> { ?s ?p "blank" } }', ACCEPT_TABULAR),
        )
        record(
            "CONSTRUCT a blank node",
            sparql(url, 'CONSTRUCT WHERE { GRAPH <urn:x:g3> { ?s ?p "blank" } }', ACCEPT_GRAPH),
        )
        record(
            "/update (Oxigraph's path)", http(server.base + "/update", params=[("update", update)])
        )
        record(
            "/store (Oxigraph's path)",
            http(server.base + "/store", method="GET", params=[("graph", "urn:x:g1")]),
        )
        report.table(["request", "answer", "body"], rows)

        # A whole load through RemoteStore (GSP PUT of temporary graphs, then one MOVE update).
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(data=nquads.read_bytes(), format="nquads")
        store = RemoteStore(url, update_endpoint=url, store_endpoint=gsp, timeout=60)
        _, seconds = timed(lambda: load_dataset(store, dataset))
        counts = engine_counts(url)
        ours = {g: n for g, n in counts.items() if g in dataset_graphs}
        leftovers = [g for g in counts if "-loading-" in g]
        report.p("")
        report.p(
            f"`load_dataset(RemoteStore(/sparql, update_endpoint=/sparql, store_endpoint="
            f"/sparql-graph-crud))`: {seconds:.2f} s for {sum(ours.values())} triples in "
            f"{len(ours)} graphs; temporary graphs left: {len(leftovers)}"
        )
        report.data["gsp_load_seconds"] = seconds
    finally:
        server.stop()


def section_timings(
    report: Report, nquads: Path, folder: Path, graphs: set[str]
) -> tuple[OxigraphServer, VirtuosoServer, dict[str, float]]:
    times: dict[str, float] = {}
    _, times["virtuoso install check (scripts/install-virtuoso.sh, already installed)"] = timed(
        lambda: subprocess.run(
            ["bash", str(Path(__file__).parents[1] / "scripts" / "install-virtuoso.sh")],
            check=True,
            capture_output=True,
        )
    )
    vt = VirtuosoServer(folder / "virtuoso")
    vt.start()
    times["virtuoso start, new database"] = vt.startup_seconds or 0.0
    times["virtuoso bulk load (ld_dir + rdf_loader_run + checkpoint)"] = vt.load_nquads(nquads)
    _, times["virtuoso stop (SIGTERM)"] = timed(vt.stop)
    vt.start()
    times["virtuoso start, existing database"] = vt.startup_seconds or 0.0
    times["virtuoso RSS after load, MiB"] = rss_mib(vt.process.pid if vt.process else 0)

    ox_dir = folder / "oxigraph"
    _, times["oxigraph load (oxigraph load --file)"] = timed(
        lambda: subprocess.run(
            [oxigraph_binary(), "load", "--location", str(ox_dir), "--file", str(nquads)],
            check=True,
            capture_output=True,
        )
    )
    ox = OxigraphServer(ox_dir)
    _, times["oxigraph start"] = timed(ox.start)
    times["oxigraph RSS, MiB"] = rss_mib(ox.process.pid if ox.process else 0)
    return ox, vt, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nquads", type=Path, help="the N-Quads file (default: build it)")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--markdown", type=Path, help="write the report here too")
    parser.add_argument("--quick", action="store_true", help="skip the limits and update sections")
    args = parser.parse_args(argv)

    problem = virtuoso_missing()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    report = Report()
    with tempfile.TemporaryDirectory(prefix="virtuoso-compare-") as tmp:
        folder = Path(tmp)
        nquads = args.nquads or build_nquads(folder)
        graphs = set(graph_counts(nquads))
        ox, vt = None, None
        try:
            ox, vt, times = section_timings(report, nquads, folder, graphs)
            report.h("Timings on this machine")
            report.table(["step", "seconds"], [[k, f"{v:.2f}"] for k, v in times.items()])
            report.data["timings"] = times
            section_counts(report, nquads, ox.query_url, vt.query_url)

            # As installed: every graph readable by the anonymous SPARQL user.
            engines = {"oxigraph": ox.query_url, "virtuoso": vt.query_url}
            report.h("As installed")
            section_datasets(report, ox.query_url, vt.query_url)
            section_examples(report, engines, "oxigraph")

            # The recommended setting: the anonymous user reads our graphs only.
            vt.publish_only(graphs)
            report.h("After restricting the SPARQL user to our graphs (publish_only)")
            section_datasets(report, ox.query_url, vt.query_url)
            section_examples(
                report, {"oxigraph": ox.query_url, "virtuoso+acl": vt.query_url}, "oxigraph"
            )
            section_app_queries(report, ox.query_url, vt.query_url)
            section_remote_store(report, vt.query_url, graphs)
            section_features(report, ox.query_url, vt.query_url)
            section_literals(report, ox.query_url, vt.query_url)
            section_protocol(report, ox.query_url, vt.query_url)
        finally:
            if vt is not None:
                vt.stop()
            if ox is not None:
                ox.stop()
        if not args.quick:
            section_limits(report, nquads, folder)
            section_update(report, nquads, folder, graphs)
    if args.json:
        args.json.write_text(json.dumps(report.data, indent=2, default=str), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text("\n".join(report.lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
