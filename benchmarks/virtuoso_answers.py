"""HTTP to the two engines and their answers compared, for :mod:`benchmarks.virtuoso_compare`.

One request at a time to a loopback server (:func:`http`, :func:`sparql`: an HTTP error
status comes back as an :class:`Answer`, never as an exception); the answers read into
rdflib terms, accepting Virtuoso's JSON variants; and :func:`compare`, which runs one query
on both engines and compares the answers as multisets of rows (or sets of triples, or the
boolean) at three levels: *raw* lexical forms, *rdflib*'s literal normalisation, and
*client*, rdflib plus :func:`client_normalise` (what docs/virtuoso.md recommends for the
remote store), with GROUP_CONCAT parts sorted for a last comparison. Also the namespaces
the probe queries are written with.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

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
