"""Run one SPARQL query on a Store and write its result in a chosen format.

This is what ``hamar-graph query`` calls; it works on any
:class:`~hamar_graph.store.base.Store`. The query is first parsed with rdflib's
SPARQL 1.1 parser, which gives its form (SELECT, ASK, CONSTRUCT, DESCRIBE),
the order of its result columns and, for a malformed query, a message with line
and column. The project's prefixes (:data:`hamar_graph.namespaces.PREFIXES`:
``hms:``, ``id:``, ``skos:`` ...) are predeclared; a query's own ``PREFIX``
wins.

Result formats (:data:`QUERY_FORMATS`):

- SELECT and ASK: ``table`` (aligned text columns with prefixed names),
  ``json``, ``xml``, ``csv`` and ``tsv`` (the SPARQL 1.1 result formats);
- CONSTRUCT and DESCRIBE: ``ttl``, ``nt``, ``jsonld``, ``rdf``
  (:mod:`hamar_graph.rdf.serialize`); ``table``, ``csv`` and ``tsv`` list the triples
  as subject, predicate, object rows; ``json`` is JSON-LD and ``xml`` RDF/XML.

Spec: https://www.w3.org/TR/sparql11-query/ and
https://www.w3.org/TR/sparql11-results-json/, …-results-csv-tsv/, rdf-sparql-XMLres/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.query import Result
from rdflib.term import Node

from hamar_graph.namespaces import PREFIXES, SOURCE_BASE
from hamar_graph.rdf.formats import QUERY_FORMATS, RDF_FORMATS
from hamar_graph.rdf.names import prefixed_name
from hamar_graph.rdf.serialize import serialize
from hamar_graph.store.base import Bindings, Row, Store

#: Longest cell of the ``table`` format; longer values end in "…" (other formats are whole).
TABLE_CELL_WIDTH = 80


class QuerySyntaxError(ValueError):
    """The query does not parse; ``str()`` is the parser's message."""


class QueryFormatError(ValueError):
    """The result format does not fit the query form (e.g. ``ttl`` for a SELECT)."""


@dataclass(frozen=True)
class ParsedQuery:
    """What the parser tells about a query before it runs."""

    form: str  #: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``
    variables: tuple[str, ...] = ()  #: result columns of a SELECT, in order


@dataclass(frozen=True)
class QueryResult:
    """The answer to one query.

    .. versionadded:: 0.1
    """

    form: str  #: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``
    variables: tuple[str, ...] = ()  #: SELECT columns
    rows: list[Row] = field(default_factory=list)  #: SELECT rows (unbound columns absent)
    boolean: bool | None = None  #: ASK answer
    graph: Graph | None = None  #: CONSTRUCT / DESCRIBE triples


_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


_DECLARED_PREFIX = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)


_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\uffff]+)")


def parse_query(query: str, prefixes: Mapping[str, str] | None = None) -> ParsedQuery:
    """Parse ``query`` and return its form and result columns.

    :param query: the SPARQL text.
    :param prefixes: prefixes the query may use without declaring them.
    :raises QuerySyntaxError: with the parser's message (and line and column) when the
        query is malformed, or is an update.
    """
    try:
        prepared = prepareQuery(query, initNs=dict(prefixes or {}))
    except Exception as exc:  # pyparsing.ParseException, and plain Exception for prefixes
        raise QuerySyntaxError(str(exc).strip() or type(exc).__name__) from exc
    form = _FORMS.get(prepared.algebra.name)
    if form is None:  # pragma: no cover - prepareQuery only returns the four forms
        raise QuerySyntaxError(f"not a query: {prepared.algebra.name}")
    variables: tuple[str, ...] = ()
    if form == "SELECT":
        names = [str(v) for v in prepared.algebra.get("PV", [])]
        if re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", query, re.IGNORECASE):
            # SELECT *: rdflib lists the variables in no fixed order; use their order of
            # first appearance in the text, as Oxigraph does.
            first = {}
            for match in _VARIABLE.finditer(query):
                first.setdefault(match.group(1), match.start())
            names.sort(key=lambda n: (first.get(n, len(query)), n))
        variables = tuple(names)
    return ParsedQuery(form, variables)


def with_prologue(query: str, prefixes: Mapping[str, str]) -> str:
    """``query`` preceded by a ``PREFIX`` line for each prefix it does not declare itself.

    The declarations go on one line, so the query's own line numbers move by one.
    """
    declared = {m.group(1) or "" for m in _DECLARED_PREFIX.finditer(query)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items() if p not in declared]
    return (" ".join(missing) + "\n" + query) if missing else query


def run_query(
    store: Store,
    query: str,
    bindings: Bindings | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> QueryResult:
    """Parse ``query``, run it on ``store`` and return the result.

    :param store: the engine that answers.
    :param query: SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE.
    :param bindings: values substituted for variables by the engine (never pasted).
    :param prefixes: predeclared prefixes; default :data:`~hamar_graph.namespaces.PREFIXES`.
    :raises QuerySyntaxError: when the query is malformed.
    """
    prefixes = PREFIXES if prefixes is None else prefixes
    parsed = parse_query(query, prefixes)
    text = with_prologue(query, prefixes)
    try:
        if parsed.form == "SELECT":
            rows = store.select(text, bindings)
            return QueryResult("SELECT", parsed.variables, rows)
        if parsed.form == "ASK":
            return QueryResult("ASK", boolean=store.ask(text, bindings))
        return QueryResult(parsed.form, graph=store.construct(text, bindings))
    except SyntaxError as exc:  # the engine's parser disagrees with rdflib's
        raise QuerySyntaxError(str(exc)) from exc


def format_result(result: QueryResult, fmt: str = "table", base_iri: str = SOURCE_BASE) -> bytes:
    """Write ``result`` in ``fmt`` (one of :data:`QUERY_FORMATS`), UTF-8 encoded.

    :param base_iri: the deployment's base, so ``table`` shows ``id:…`` and ``hms:…`` names.
    :raises QueryFormatError: when ``fmt`` does not fit the query form.
    """
    if fmt not in QUERY_FORMATS:
        raise QueryFormatError(f"unknown format {fmt!r}; use one of {', '.join(QUERY_FORMATS)}")
    if result.graph is not None:
        return _format_graph(result.graph, fmt, base_iri)
    if fmt in RDF_FORMATS:
        raise QueryFormatError(
            f"--format {fmt} needs a CONSTRUCT or DESCRIBE query; a {result.form} gives "
            "table, json, csv, tsv or xml"
        )
    if result.form == "ASK":
        if fmt in ("json", "xml"):
            answer = Result("ASK")
            answer.askAnswer = bool(result.boolean)
            return _ensure_newline(answer.serialize(format=fmt))
        return b"true\n" if result.boolean else b"false\n"
    if fmt == "table":
        return table(list(result.variables), result.rows, base_iri).encode("utf-8")
    if fmt == "tsv":
        return tsv(list(result.variables), result.rows).encode("utf-8")
    answer = Result("SELECT")
    answer.vars = [Variable(v) for v in result.variables]
    answer.bindings = [{Variable(k): v for k, v in row.items()} for row in result.rows]
    return _ensure_newline(answer.serialize(format=fmt))


def _format_graph(graph: Graph, fmt: str, base_iri: str) -> bytes:
    if fmt in RDF_FORMATS:
        return serialize(graph, fmt)
    if fmt in ("json", "xml"):
        return serialize(graph, "jsonld" if fmt == "json" else "rdf")
    names = ["subject", "predicate", "object"]
    rows: list[Row] = [
        dict(zip(names, t, strict=True)) for t in sorted(graph, key=lambda t: [n.n3() for n in t])
    ]
    if fmt == "table":
        return table(names, rows, base_iri).encode("utf-8")
    if fmt == "tsv":
        return tsv(names, rows).encode("utf-8")
    answer = Result("SELECT")
    answer.vars = [Variable(v) for v in names]
    answer.bindings = [{Variable(k): v for k, v in row.items()} for row in rows]
    return _ensure_newline(answer.serialize(format="csv"))


def _ensure_newline(data: bytes | str | None) -> bytes:
    raw = data.encode("utf-8") if isinstance(data, str) else (data or b"")
    return raw if raw.endswith(b"\n") else raw + b"\n"


def cell(term: Node | None, base_iri: str = SOURCE_BASE, width: int = TABLE_CELL_WIDTH) -> str:
    """One value as the ``table`` format shows it.

    IRIs as prefixed names (``id:akse/vennskapsbysamarbeid``) or ``<iri>``; literals as
    their text with ``@lang`` (or ``^^datatype`` when not a string, number or year);
    blank nodes as ``_:id``; line breaks as spaces; cut at ``width`` characters with "…".
    """
    if term is None:
        text = ""
    elif isinstance(term, URIRef):
        text = prefixed_name(str(term), base_iri)
    elif isinstance(term, BNode):
        text = f"_:{term}"
    elif isinstance(term, Literal):
        text = str(term)
        if term.language:
            text += f"@{term.language}"
        elif term.datatype is not None and term.datatype not in _PLAIN_TYPES:
            text += "^^" + prefixed_name(str(term.datatype), base_iri)
    else:  # pragma: no cover - no other term kinds come out of a store
        text = str(term)
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


_PLAIN_TYPES = frozenset(
    {XSD.string, XSD.integer, XSD.decimal, XSD.double, XSD.boolean, XSD.gYear, XSD.date}
)


def table(variables: list[str], rows: list[Row], base_iri: str = SOURCE_BASE) -> str:
    """Rows as aligned text columns under a header, with a final ``(n rows)`` line."""
    cells = [[cell(row.get(v), base_iri) for v in variables] for row in rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def tsv(variables: list[str], rows: list[Row]) -> str:
    """SPARQL 1.1 TSV results: ``?var`` header, terms in Turtle/N-Triples syntax."""
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join(_tsv_term(row.get(v)) for v in variables))
    return "\n".join(lines) + "\n"


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        term = Literal(str(term))
    text = term.n3()
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
