"""The SPARQL 1.1 Protocol, read-only: parse a request, guard the query, choose a format.

Implements the query operation of the SPARQL 1.1 Protocol
(https://www.w3.org/TR/sparql11-protocol/) and the SPARQL 1.1 Service
Description (https://www.w3.org/TR/sparql11-service-description/). The web
layer (:mod:`web.views.sparql`) hands plain values in (method, content type, the
parameters, the body) and gets plain values back; nothing here knows Flask.

The read-only guard has three layers, each enough on its own for the cases it
covers (docs/DECISIONS.md, "The query sandbox"):

1. :func:`scan_query`, a tokenizer that follows the SPARQL 1.1 grammar's
   terminals (strings, IRIs, comments, variables, names), run in the web
   process before anything else: it finds the query form, update keywords,
   ``SERVICE`` used as a keyword, ``FROM`` clauses and the bracket nesting depth.
   Linear in the query length.
2. :func:`algebra_guard`, run inside the query worker (so that a slow or
   hostile parse is under the deadline), only for texts that contain the letters
   ``service`` anywhere, in any case, also after decoding ``\\u`` escapes
   (:func:`mentions_service`): rdflib parses the query and translates it to SPARQL
   algebra, which is walked for ``ServiceGraphPattern``. No other text can hold a
   ``SERVICE`` clause, so no other text pays for rdflib's parse (30–250 ms for a new
   text, 70 % of a query process's time before; benchmarks/README.md). Where rdflib
   cannot parse a text that Oxigraph can (rdflib recurses on long triple blocks),
   layer 1 still holds.
3. Oxigraph's ``Store.query`` parses queries only, never updates, and never
   loads what ``FROM`` names. It does run ``SERVICE`` (pyoxigraph has an HTTP
   client), which is why layers 1 and 2 refuse it and the query processes drop their
   network access (a new network namespace) where the kernel allows
   (:mod:`hamar_graph.sparql.procs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hamar_graph.sparql.bounded import MAX_TEXT, PatternBounds, pattern_bounds
from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.lexer import words as _words
from hamar_graph.sparql.request import (
    READ_ONLY_MESSAGE,
)

#: Query forms of SPARQL 1.1 Query.
QUERY_FORMS: tuple[str, ...] = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


#: Keywords that start a SPARQL 1.1 Update operation.
UPDATE_KEYWORDS: frozenset[str] = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


#: Deepest bracket nesting (``{``, ``(``, ``[`` together) a query may have. Oxigraph's
#: parser recurses per level and overflows its stack somewhere past a few thousand;
#: no real query comes near this.
MAX_NESTING = 100


_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class QueryScan:
    """What the tokenizer found in a query text.

    .. versionadded:: 0.1
    """

    form: str | None  #: SELECT, CONSTRUCT, DESCRIBE, ASK, or None when no form keyword leads
    update: str | None  #: the update keyword that leads the text, if any
    service: bool  #: ``SERVICE`` appears as a keyword
    dataset_clause: bool  #: a ``FROM`` / ``FROM NAMED`` clause is present
    depth: int  #: deepest bracket nesting
    #: When the text is one triple pattern whose cost the row cap bounds
    #: (:func:`hamar_graph.sparql.bounded.pattern_bounds`): its ``OFFSET`` and ``LIMIT``;
    #: else None. Found in the same pass, so the endpoint reads a text once.
    one_pattern: PatternBounds | None = None


def _scan(text: str) -> QueryScan:
    form: str | None = None
    update: str | None = None
    service = False
    dataset = False
    depth = 0
    max_depth = 0
    expect: list[str] = []  # the prologue's pending parts: "iri" after BASE, "pname" then "iri"
    lead_found = False
    tokens: list[tuple[str, str]] | None = [] if len(text) <= MAX_TEXT else None
    for kind, value in _words(text):
        if tokens is not None:
            tokens.append((kind, value))
        if kind == "open":
            depth += 1
            max_depth = max(max_depth, depth)
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
            continue
        if kind != "word":
            if not lead_found and expect and kind == expect[0]:
                expect.pop(0)
            elif not lead_found and kind != "other":
                lead_found = True
            continue
        # A keyword never contains ':'; a name with ':' is a prefixed name.
        upper = value.upper()
        keywords = [] if ":" in value else [p for p in upper.split(".") if p]
        if not lead_found:
            if expect and expect[0] == "pname" and value.endswith(":"):
                expect.pop(0)
                continue
            head = keywords[0] if keywords else ""
            if head == "BASE" and not expect:
                expect = ["iri"]
                continue
            if head == "PREFIX" and not expect:
                expect = ["pname", "iri"]
                continue
            lead_found = True
            if head in QUERY_FORMS:
                form = head
            elif head in UPDATE_KEYWORDS:
                update = head
        # Oxigraph's parser reads a keyword right after a number or a boolean
        # ("1SERVICE <x> {}"), so a bare word that merely contains SERVICE counts; in a
        # prefixed name, a part after a dot counts too, in case a parser splits there.
        in_name = "SERVICE" in upper.split(".")[1:]
        if ("SERVICE" in upper and ":" not in value) or (":" in value and in_name):
            service = True
        if "FROM" in keywords:
            dataset = True
    bounds = pattern_bounds(tokens) if tokens is not None else None
    return QueryScan(form, update, service, dataset, max_depth, bounds)


def _unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""

    return _UNICODE_ESCAPE.sub(repl, text)


def scan_query(text: str) -> QueryScan:
    """Tokenize ``text`` and report its form, updates, ``SERVICE``, ``FROM``, nesting and
    whether it is one triple pattern whose cost the row cap bounds.

    The text is scanned as written and again with ``\\uXXXX`` escapes decoded (the
    SPARQL grammar allows engines to decode them before parsing); ``SERVICE`` found in
    either counts.
    """
    first = _scan(text)
    if "\\u" not in text and "\\U" not in text:
        return first
    second = _scan(_unescape(text))
    return QueryScan(
        first.form or second.form,
        first.update or second.update,
        first.service or second.service,
        first.dataset_clause or second.dataset_clause,
        max(first.depth, second.depth),
    )


SERVICE_MESSAGE = (
    "SERVICE (federated query) is not allowed on this endpoint: it never calls other "
    "services. Run the federated part on your side, or query each endpoint yourself."
)


def guard(text: str, *, max_nesting: int = MAX_NESTING) -> QueryScan:
    """Layer 1 of the read-only guard: refuse before anything runs.

    :raises ProtocolError: 403 for an update or ``SERVICE``, 400 for nesting deeper
        than ``max_nesting``.
    """
    scan = scan_query(text)
    if scan.update:
        raise ProtocolError(403, f"{READ_ONLY_MESSAGE} (This text starts with {scan.update}.)")
    if scan.service:
        raise ProtocolError(403, SERVICE_MESSAGE)
    if scan.depth > max_nesting:
        raise ProtocolError(
            400,
            f"The query nests brackets {scan.depth} levels deep; the limit is {max_nesting}. "
            "Flatten the groups (a group inside a group means the same as its content).",
        )
    return scan


#: An IRI reference as the SPARQL grammar's IRIREF terminal has it: no space, quote,
#: brace, pipe, caret, backquote or backslash inside.
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")


def mentions_service(text: str) -> bool:
    """Whether ``text`` contains the letters ``service`` (any case) outside IRI
    references: in a keyword, a name, a string or a comment, as written or with ``\\u``
    escapes decoded.

    A text for which this is False cannot contain a ``SERVICE`` clause, whatever the
    parser: the keyword must be followed by white space or an IRI or variable and then
    ``{``, none of which an IRI reference can hold, so it is never inside one. This is
    the cheap, deliberately over-eager trigger of :func:`algebra_guard`; IRIs are left
    out because vocabularies such as ``<http://www.w3.org/ns/sparql-service-description#>``
    would otherwise send ordinary lookups through rdflib.
    """
    if "\\u" in text or "\\U" in text:
        text = _unescape(text)
    rest = _IRIREF.sub(" ", text)
    return "service" in rest.casefold() or "service" in rest.lower()


@dataclass(frozen=True)
class AlgebraVerdict:
    """What rdflib's parser says about a query text."""

    parsed: bool  #: rdflib parsed and translated it
    form: str | None = None
    refusal: tuple[int, str] | None = None  #: (status, message) when the text must not run
    note: str = ""  #: why rdflib could not parse it (for logs)


_RDFLIB_FORMS = {
    "SelectQuery": "SELECT",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
    "AskQuery": "ASK",
}


@lru_cache(maxsize=512)
def algebra_guard(text: str) -> AlgebraVerdict:
    """Parse ``text`` with rdflib and walk its algebra for ``SERVICE``; refuse updates.

    Cached per text: the same query is parsed once per process.
    """
    from rdflib.plugins.sparql.algebra import translateQuery, traverse
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = translateQuery(parseQuery(text))
    except RecursionError:
        return AlgebraVerdict(False, note="rdflib's parser recursed too deeply")
    except Exception as exc:  # pyparsing and rdflib raise many types
        try:
            parseUpdate(text)
        except RecursionError:
            return AlgebraVerdict(False, note="rdflib's parser recursed too deeply")
        except Exception:
            return AlgebraVerdict(False, note=f"rdflib could not parse it: {type(exc).__name__}")
        return AlgebraVerdict(False, refusal=(403, READ_ONLY_MESSAGE))

    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, CompValue):
            names.add(node.name)

    try:
        traverse(parsed.algebra, visitPre=visit)
    except RecursionError:
        return AlgebraVerdict(False, note="the algebra is too deep to walk")
    form = _RDFLIB_FORMS.get(getattr(parsed.algebra, "name", ""))
    if "ServiceGraphPattern" in names:
        return AlgebraVerdict(True, form, (403, SERVICE_MESSAGE))
    return AlgebraVerdict(True, form)
