"""The SPARQL 1.1 Protocol, read-only: parse a request, guard the query, choose a format.

Implements the query operation of the SPARQL 1.1 Protocol
(https://www.w3.org/TR/sparql11-protocol/) and the SPARQL 1.1 Service
Description (https://www.w3.org/TR/sparql11-service-description/). The web
layer (:mod:`web.sparql`) hands plain values in (method, content type, the
parameters, the body) and gets plain values back; nothing here knows Flask.

The read-only guard has three layers, each enough on its own for the cases it
covers (DESIGN.md, "The query sandbox"):

1. :func:`scan_query`, a tokenizer that follows the SPARQL 1.1 grammar's
   terminals (strings, IRIs, comments, variables, names), run in the web
   process before anything else: it finds the query form, update keywords,
   ``SERVICE`` used as a keyword, ``FROM`` clauses and the bracket nesting depth.
   Linear in the query length.
2. :func:`algebra_guard`, run inside the query worker (so that a slow or
   hostile parse is under the deadline): rdflib parses the query and
   translates it to SPARQL algebra, which is walked for ``ServiceGraphPattern``;
   a text that parses as SPARQL Update is refused. Where rdflib cannot parse a
   text that Oxigraph can (rdflib recurses on long triple blocks), layer 1
   still holds.
3. Oxigraph's ``Store.query`` parses queries only, never updates, and never
   loads what ``FROM`` names; the worker process also drops its network access
   where the kernel allows (:mod:`hamar_graph.sandbox`).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, VOID, XSD

from hamar_graph.examples import Example
from hamar_graph.export import RDF_FORMATS
from hamar_graph.namespaces import HMS, PREFIXES, SD, bind_prefixes, sparql_prologue

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

#: The W3C format IRIs (https://www.w3.org/ns/formats/).
FORMATS_NS = "http://www.w3.org/ns/formats/"


class ProtocolError(Exception):
    """A request the endpoint answers with an error status and a plain message.

    :param status: the HTTP status code.
    :param message: what went wrong and what to do, for a person.
    :param headers: extra response headers (``Allow``, ``Retry-After`` ...).
    """

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})


# --- result formats -------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFormat:
    """One serialisation of query results.

    .. versionadded:: 0.1
    """

    key: str  #: short name: ``json``, ``xml``, ``csv``, ``tsv``, ``ttl``, ``nt``, ``jsonld``...
    media_type: str  #: the exact media type we send
    kind: str  #: ``tabular`` (SELECT, ASK) or ``graph`` (CONSTRUCT, DESCRIBE)
    label: str  #: human name
    w3c: str  #: the format's IRI under http://www.w3.org/ns/formats/
    aliases: tuple[str, ...] = ()  #: other media types a client may ask for
    names: tuple[str, ...] = ()  #: values of the ``format`` parameter that choose it

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header: the media type with ``charset=utf-8``."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every media type that selects this format."""
        return (self.media_type, *self.aliases)


TABULAR_FORMATS: dict[str, ResultFormat] = {
    f.key: f
    for f in (
        ResultFormat(
            "json",
            "application/sparql-results+json",
            "tabular",
            "SPARQL Results JSON",
            FORMATS_NS + "SPARQL_Results_JSON",
            ("application/json",),
            ("json", "srj"),
        ),
        ResultFormat(
            "xml",
            "application/sparql-results+xml",
            "tabular",
            "SPARQL Results XML",
            FORMATS_NS + "SPARQL_Results_XML",
            ("application/xml", "text/xml"),
            ("xml", "srx"),
        ),
        ResultFormat(
            "csv", "text/csv", "tabular", "CSV", FORMATS_NS + "SPARQL_Results_CSV", (), ("csv",)
        ),
        ResultFormat(
            "tsv",
            "text/tab-separated-values",
            "tabular",
            "TSV",
            FORMATS_NS + "SPARQL_Results_TSV",
            (),
            ("tsv",),
        ),
    )
}

_GRAPH_EXTRA: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # key: (W3C IRI, aliases, format-parameter names)
    "ttl": (
        FORMATS_NS + "Turtle",
        ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),
        ("ttl", "turtle", "n3"),
    ),
    "nt": (
        FORMATS_NS + "N-Triples",
        ("text/plain",),
        ("nt", "ntriples", "n-triples"),
    ),
    "jsonld": (
        FORMATS_NS + "JSON-LD",
        ("application/x-json+ld", "application/json"),
        ("jsonld", "json-ld", "json"),
    ),
    "rdf": (
        FORMATS_NS + "RDF_XML",
        ("application/xml", "text/xml"),
        ("rdf", "rdfxml", "rdf+xml", "xml", "owl"),
    ),
}

GRAPH_FORMATS: dict[str, ResultFormat] = {
    key: ResultFormat(
        key,
        RDF_FORMATS[key].media_type,
        "graph",
        RDF_FORMATS[key].label,
        _GRAPH_EXTRA[key][0],
        _GRAPH_EXTRA[key][1],
        _GRAPH_EXTRA[key][2],
    )
    for key in ("ttl", "nt", "jsonld", "rdf")
}

#: The HTML query page's media types.
HTML_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")


def supported_types(kind: str | None = None) -> list[str]:
    """The media types we send, for 406 messages and the service description."""
    formats: list[ResultFormat] = []
    if kind in (None, "tabular"):
        formats += TABULAR_FORMATS.values()
    if kind in (None, "graph"):
        formats += GRAPH_FORMATS.values()
    return [f.media_type for f in formats]


def kind_of(form: str | None) -> str | None:
    """``tabular`` for SELECT and ASK, ``graph`` for CONSTRUCT and DESCRIBE."""
    if form in ("SELECT", "ASK"):
        return "tabular"
    if form in ("CONSTRUCT", "DESCRIBE"):
        return "graph"
    return None


# --- content negotiation ----------------------------------------------------------------


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 3 exact, 2 ``type/*``,
        1 ``*/*``, 0 no match."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == mtype and self.subtype == "*":
            return 2
        if self.type == mtype and self.subtype == msub:
            return 3
        return 0


_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header (RFC 9110, section 12.5.1); malformed entries are skipped.

    An absent or empty header means ``*/*``.
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        mtype, _, msub = pieces[0].lower().partition("/")
        if not mtype or not msub or not _TOKEN.match(mtype) or not _TOKEN.match(msub):
            continue
        if mtype == "*" and msub != "*":
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                q = min(max(q, 0.0), 1.0)
        ranges.append(MediaRange(mtype, msub, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """The quality the client gives ``media_type``: the q of the most specific matching
    range, and that range's specificity (0 when nothing matches)."""
    best = (0.0, 0)
    for r in ranges:
        spec = r.specificity(media_type)
        if spec > best[1]:
            best = (r.q, spec)
    return best


def _best(ranges: Sequence[MediaRange], formats: Iterable[ResultFormat]) -> ResultFormat | None:
    chosen: ResultFormat | None = None
    chosen_score = (0.0, 0, 0)
    for fmt in formats:
        # A format's quality is the best over its media type and aliases; on a tie, a
        # match on the format's own media type beats a match on an alias.
        score = max((*quality(ranges, mt), int(mt == fmt.media_type)) for mt in fmt.accepted)
        if score[0] > 0 and score > chosen_score:
            chosen, chosen_score = fmt, score
    return chosen


@dataclass(frozen=True)
class Negotiation:
    """The outcome of content negotiation for one request.

    ``tabular`` and ``graph`` are the formats for each family of query forms
    (``None`` when the client accepts none of ours: 406 for that family).
    ``html`` is true when the client prefers the HTML query page.
    """

    html: bool
    tabular: ResultFormat | None
    graph: ResultFormat | None
    requested: str = ""  #: what the client asked for, for the 406 message
    fallback: frozenset[str] = frozenset()  #: families given their default, not asked for

    def for_form(self, form: str | None) -> ResultFormat | None:
        """The format for a query of ``form``."""
        kind = kind_of(form)
        if kind == "tabular":
            return self.tabular
        if kind == "graph":
            return self.graph
        return None

    def not_acceptable(self, kind: str | None) -> ProtocolError:
        """The 406 error for ``kind``, listing what we do send."""
        types = ", ".join(supported_types(kind))
        what = {"tabular": "SELECT and ASK", "graph": "CONSTRUCT and DESCRIBE"}.get(
            kind or "", "query"
        )
        return ProtocolError(
            406,
            f"Not acceptable: {self.requested or 'the requested format'}. "
            f"{what} results are available as: {types}. "
            "Ask for one in the Accept header or the format parameter.",
        )


def negotiate(accept: str | None, format_values: Sequence[str] = ()) -> Negotiation:
    """Choose result formats from the ``Accept`` header and ``format`` parameter values.

    When ``Accept`` names formats of only one family (SELECT/ASK results, or RDF), the
    other family falls back to its default (JSON, Turtle); 406 is for a request that
    accepts none of our formats. A ``format`` parameter (a short name such as ``json``,
    ``csv``, ``turtle``, or a media type) overrides ``Accept``; several values may be
    given (SPARQLWrapper sends a name and a media type), and the first one we know for
    each family wins.

    :param accept: the ``Accept`` header, or ``None``.
    :param format_values: the values of the ``format`` parameter (and its aliases
        ``output`` and ``results``), in order.
    """
    values = [v.strip().lower() for v in format_values if v and v.strip()]
    if values:
        if any(v in ("html", *HTML_TYPES) for v in values):
            return Negotiation(True, TABULAR_FORMATS["json"], GRAPH_FORMATS["ttl"])
        tabular = _by_name(values, TABULAR_FORMATS.values())
        graph = _by_name(values, GRAPH_FORMATS.values())
        return Negotiation(False, tabular, graph, f"format={','.join(values)}")
    ranges = parse_accept(accept)
    html_q = max(quality(ranges, t) for t in HTML_TYPES)
    tabular = _best(ranges, TABULAR_FORMATS.values())
    graph = _best(ranges, GRAPH_FORMATS.values())
    # The page only for clients that name text/html explicitly and like it at least as
    # much as any result format they name: */* or text/* alone (curl, libraries) gets data.
    html = html_q[1] == 3 and html_q[0] > 0
    if html:
        for fmt in (tabular, graph):
            if fmt is not None:
                score = max(quality(ranges, mt) for mt in fmt.accepted)
                if score[1] == 3 and score[0] > html_q[0]:
                    html = False
    if html:
        return Negotiation(True, TABULAR_FORMATS["json"], GRAPH_FORMATS["ttl"])
    # A client that accepts some of our formats, but only those of the other family
    # (rdflib's SPARQLStore asks for results JSON even for CONSTRUCT), gets the family's
    # default rather than 406; one that accepts none of our formats gets 406.
    fallback: set[str] = set()
    if tabular is None and graph is not None:
        tabular = TABULAR_FORMATS["json"]
        fallback.add("tabular")
    elif graph is None and tabular is not None:
        graph = GRAPH_FORMATS["ttl"]
        fallback.add("graph")
    requested = f"Accept: {accept}" if accept else ""
    return Negotiation(False, tabular, graph, requested, frozenset(fallback))


def _by_name(values: Sequence[str], formats: Iterable[ResultFormat]) -> ResultFormat | None:
    formats = list(formats)
    for value in values:
        for fmt in formats:
            if value in fmt.names or value in fmt.accepted:
                return fmt
    return None


# --- request parsing ---------------------------------------------------------------------

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*$")

Params = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class SparqlRequest:
    """A query operation: the query and the protocol's RDF dataset.

    .. versionadded:: 0.1
    """

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def has_dataset(self) -> bool:
        """True when ``default-graph-uri`` or ``named-graph-uri`` was given."""
        return bool(self.default_graphs or self.named_graphs)


READ_ONLY_MESSAGE = (
    "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, "
    "ADD, MOVE, COPY) is not accepted. Download the dumps to work on a copy of the data."
)


def parse_request(
    method: str,
    content_type: str | None,
    args: Params,
    body: bytes = b"",
    *,
    max_query_bytes: int | None = None,
) -> SparqlRequest | None:
    """Read a SPARQL 1.1 Protocol query operation.

    :param method: ``GET`` or ``POST``.
    :param content_type: the request's ``Content-Type`` header (POST).
    :param args: the URL's query parameters, each name with all its values.
    :param body: the request body (POST).
    :param max_query_bytes: the longest query accepted (413 beyond).
    :returns: the request, or ``None`` for a GET that carries no query (the caller
        answers with the service description or the query page).
    :raises ProtocolError: 400 for a malformed request, 403 for an update, 405 for
        another method, 413 for a long query, 415 for an unsupported content type.
    """
    method = method.upper()
    if method == "GET":
        if "update" in args:
            raise ProtocolError(403, READ_ONLY_MESSAGE)
        if "query" not in args:
            return None
        return _build(args, args, max_query_bytes)
    if method != "POST":
        raise ProtocolError(
            405,
            f"Method {method} is not allowed; use GET or POST.",
            {"Allow": "GET, POST, OPTIONS"},
        )
    mimetype, params = _split_content_type(content_type)
    if mimetype == FORM_TYPE:
        text = _decode(body, params.get("charset"), "form body")
        form = parse_qs(text, keep_blank_values=True)
        if "update" in form:
            raise ProtocolError(403, READ_ONLY_MESSAGE)
        if "query" not in form:
            raise ProtocolError(
                400, "Missing query: send the SPARQL query in the 'query' form field."
            )
        # The protocol puts the dataset in the body; accept it in the URL too (the W3C
        # protocol tests do both).
        merged: dict[str, list[str]] = {k: list(v) for k, v in args.items()}
        for key, values in form.items():
            merged.setdefault(key, [])
            merged[key] = [*values, *merged[key]] if key != "query" else list(values)
        return _build(merged, merged, max_query_bytes)
    if mimetype == QUERY_TYPE:
        if "query" in args:
            raise ProtocolError(
                400, "A direct POST carries the query in its body; do not also send ?query=."
            )
        query = _decode(body, params.get("charset"), "query")
        return _build({**args, "query": [query]}, args, max_query_bytes)
    if mimetype == UPDATE_TYPE:
        raise ProtocolError(403, READ_ONLY_MESSAGE)
    shown = mimetype or "no Content-Type"
    raise ProtocolError(
        415,
        f"Unsupported Content-Type: {shown}. POST the query as {FORM_TYPE} "
        f"(query=...) or as {QUERY_TYPE} (the query as the body, UTF-8).",
    )


def _split_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    if not value:
        return "", {}
    parts = [p.strip() for p in value.split(";")]
    params: dict[str, str] = {}
    for p in parts[1:]:
        name, _, val = p.partition("=")
        params[name.strip().lower()] = val.strip().strip('"').lower()
    return parts[0].lower(), params


def _decode(body: bytes, charset: str | None, what: str) -> str:
    if charset not in (None, "", "utf-8", "utf8", "us-ascii"):
        raise ProtocolError(
            415, f"Unsupported charset {charset!r} for the {what}: send it as UTF-8."
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            400, f"The {what} is not valid UTF-8 (byte {exc.start}); send it as UTF-8."
        ) from None


def _build(params: Params, graphs: Params, max_query_bytes: int | None) -> SparqlRequest:
    queries = list(params.get("query", []))
    if len(queries) > 1:
        raise ProtocolError(400, "Send exactly one query; this request has several 'query' values.")
    query = queries[0] if queries else ""
    if not query.strip():
        raise ProtocolError(400, "Missing query: the 'query' parameter is empty.")
    if max_query_bytes is not None and len(query.encode("utf-8")) > max_query_bytes:
        raise ProtocolError(
            413,
            f"The query is {len(query.encode('utf-8'))} bytes; the limit is {max_query_bytes} "
            "bytes (HAMAR_GRAPH_MAX_QUERY_BYTES).",
        )
    default = tuple(_graph_iri(v, "default-graph-uri") for v in graphs.get("default-graph-uri", []))
    named = tuple(_graph_iri(v, "named-graph-uri") for v in graphs.get("named-graph-uri", []))
    return SparqlRequest(query, default, named)


def _graph_iri(value: str, name: str) -> str:
    value = value.strip()
    if not _IRI.match(value):
        raise ProtocolError(400, f"{name} must be an absolute IRI, got {value[:200]!r}.")
    return value


# --- the tokenizer guard (layer 1) -------------------------------------------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_VAR_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_CHARS = _VAR_CHARS + "\\-"

_LEXER_PATTERN = r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<long1>'''(?:(?:'|'')?(?:[^'\\]|\\.))*''')
  | (?P<long2>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\")
  | (?P<str1>'(?:[^'\\\n\r]|\\.)*')
  | (?P<str2>"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][VAR]*)
  | (?P<word>(?:[PN:]|\\.)(?:[PN.:%]|\\.)*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<other>.)
"""
_LEXER = re.compile(
    _LEXER_PATTERN.replace("VAR", _VAR_CHARS).replace("PN", _PN_CHARS), re.VERBOSE | re.DOTALL
)

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


def _words(text: str) -> Iterable[tuple[str, str]]:
    """Yield (kind, value) tokens, skipping whitespace, comments, strings and IRIs' insides."""
    for m in _LEXER.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        yield kind, m.group()


def _scan(text: str) -> QueryScan:
    form: str | None = None
    update: str | None = None
    service = False
    dataset = False
    depth = 0
    max_depth = 0
    expect: list[str] = []  # the prologue's pending parts: "iri" after BASE, "pname" then "iri"
    lead_found = False
    for kind, value in _words(text):
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
    return QueryScan(form, update, service, dataset, max_depth)


def _unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""

    return _UNICODE_ESCAPE.sub(repl, text)


def scan_query(text: str) -> QueryScan:
    """Tokenize ``text`` and report its form, updates, ``SERVICE``, ``FROM`` and nesting.

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


# --- the algebra guard (layer 2, run in the worker) -------------------------------------


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


# --- service description ------------------------------------------------------------------

ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")

#: Our own terms for the endpoint's limits (``hms:``), described in the service
#: description itself: (local name, label, comment, datatype).
LIMIT_TERMS: tuple[tuple[str, str, str, URIRef], ...] = (
    (
        "queryTimeout",
        "query timeout",
        "Deadline in seconds for one query; past it the query is stopped and the client gets 503.",
        XSD.decimal,
    ),
    (
        "queryMemoryLimit",
        "query memory limit",
        "Memory cap in MiB of the process that runs one query; past it the query is "
        "stopped and the client gets 503.",
        XSD.integer,
    ),
    (
        "resultRowLimit",
        "result row limit",
        "Most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) returned; a longer result is "
        "cut and says so in the header X-Hamar-Truncated.",
        XSD.integer,
    ),
    (
        "maxQueryBytes",
        "largest query",
        "Largest accepted request body and query, in bytes; larger gets 413.",
        XSD.integer,
    ),
    (
        "maxUrlBytes",
        "longest URL",
        "Longest accepted request URL, in bytes; longer gets 414.",
        XSD.integer,
    ),
)


@dataclass(frozen=True)
class Limits:
    """The endpoint's limits, as published in the service description."""

    query_timeout: float
    query_memory_mb: int
    max_rows: int
    max_query_bytes: int
    max_url_bytes: int

    def values(self) -> dict[str, Literal]:
        return {
            "queryTimeout": Literal(f"{self.query_timeout:g}", datatype=XSD.decimal),
            "queryMemoryLimit": Literal(self.query_memory_mb, datatype=XSD.integer),
            "resultRowLimit": Literal(self.max_rows, datatype=XSD.integer),
            "maxQueryBytes": Literal(self.max_query_bytes, datatype=XSD.integer),
            "maxUrlBytes": Literal(self.max_url_bytes, datatype=XSD.integer),
        }


@dataclass(frozen=True)
class GraphStats:
    """Triple counts of the store, for ``sd:defaultDataset``."""

    default_triples: int
    named: tuple[tuple[str, int], ...] = field(default_factory=tuple)


GRAPH_COUNTS_QUERY = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""
DEFAULT_COUNT_QUERY = """
SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
"""


def graph_stats(store: Any) -> GraphStats:
    """Count the triples of the default (union) graph and of each named graph.

    :param store: a :class:`hamar_graph.store.Store`.
    """
    named = tuple(
        (str(row["g"]), int(row["n"]))  # type: ignore[call-overload]
        for row in store.select(GRAPH_COUNTS_QUERY)
        if isinstance(row.get("g"), URIRef)
    )
    rows = store.select(DEFAULT_COUNT_QUERY)
    total = int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]
    return GraphStats(total, named)


def service_description(endpoint: str, stats: GraphStats, limits: Limits) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``.

    :param endpoint: the endpoint's URL as the client called it (``sd:endpoint``).
    :param stats: triple counts (:func:`graph_stats`).
    :param limits: the limits to publish.
    """
    g = bind_prefixes(Graph())
    for prefix, namespace in SD_PREFIXES.items():
        g.bind(prefix, namespace)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    for title, lang in (
        ("Hamar kommune: internasjonal strategi", "nb"),
        ("Hamar municipality: international strategy", "en"),
    ):
        g.add((service, DCTERMS.title, Literal(title, lang=lang)))
    g.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only SPARQL 1.1 query endpoint. Updates and SERVICE are refused; FROM and "
                "FROM NAMED only name graphs already in the store (nothing is fetched). Each query "
                "runs under a deadline and a memory cap, and results are capped at a number of "
                "rows (see the hms: limit properties).",
                lang="en",
            ),
        )
    )
    for fmt in (*TABULAR_FORMATS.values(), *GRAPH_FORMATS.values()):
        g.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(stats.default_triples, datatype=XSD.integer)))
    g.add(
        (
            default,
            RDFS.comment,
            Literal("The default graph is the union of all named graphs.", lang="en"),
        )
    )
    for i, (name, count) in enumerate(stats.named):
        ng = BNode(f"namedGraph{i}")
        inner = BNode(f"graph{i}")
        g.add((dataset, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, URIRef(name)))
        g.add((ng, SD.graph, inner))
        g.add((inner, RDF.type, SD.Graph))
        g.add((inner, VOID.triples, Literal(count, datatype=XSD.integer)))
    for name, value in limits.values().items():
        g.add((service, HMS[name], value))
    for name, label, comment, datatype in LIMIT_TERMS:
        term = HMS[name]
        g.add((term, RDF.type, OWL.DatatypeProperty))
        g.add((term, RDFS.label, Literal(label, lang="en")))
        g.add((term, RDFS.comment, Literal(comment, lang="en")))
        g.add((term, RDFS.domain, SD.Service))
        g.add((term, RDFS.range, datatype))
    return g


#: Prefixes of the service description, beyond :data:`PREFIXES`.
SD_PREFIXES: dict[str, str] = {
    "sd": str(SD),
    "formats": FORMATS_NS,
    "ent": "http://www.w3.org/ns/entailment/",
}


def serialize_description(graph: Graph, key: str) -> bytes:
    """Serialise a service description in the format ``key`` (``ttl``, ``nt``, ``jsonld``,
    ``rdf``), with the ``sd:`` and ``formats:`` prefixes bound."""
    if key == "jsonld":
        context = {**PREFIXES, **SD_PREFIXES}
        return graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
    return graph.serialize(format=RDF_FORMATS[key].rdflib_format, encoding="utf-8")


# --- results as an HTML table -------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One value in a results table."""

    text: str  #: what to show
    href: str | None = None  #: a link, for IRIs
    title: str | None = None  #: the full IRI or datatype
    lang: str | None = None  #: the literal's language tag
    kind: str = "literal"  #: ``uri``, ``literal``, ``bnode`` or ``unbound``


@dataclass(frozen=True)
class ResultTable:
    """SELECT or ASK results, ready for the page template."""

    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Cell, ...], ...] = ()
    boolean: bool | None = None


def compact(iri: str) -> str:
    """``iri`` as a prefixed name with our prefixes, or unchanged."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best = ns
            name = f"{prefix}:{iri[len(ns) :]}"
    return name if best and re.fullmatch(r"[\w.:/%-]*", name.partition(":")[2]) else iri


def local_href(iri: str, base_iri: str) -> str:
    """A link for ``iri``: IRIs under our base become site paths, so local runs link
    to themselves (DESIGN.md, "IRIs")."""
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri) :]
    return iri


def results_table(data: Mapping[str, Any], base_iri: str) -> ResultTable:
    """Turn a SPARQL JSON results document into a :class:`ResultTable`."""
    if "boolean" in data:
        return ResultTable(boolean=bool(data["boolean"]))
    columns = tuple(str(v) for v in data.get("head", {}).get("vars", []))
    rows: list[tuple[Cell, ...]] = []
    for binding in data.get("results", {}).get("bindings", []):
        rows.append(tuple(_cell(binding.get(c), base_iri) for c in columns))
    return ResultTable(columns, tuple(rows))


def _cell(value: Mapping[str, str] | None, base_iri: str) -> Cell:
    if value is None:
        return Cell("", kind="unbound")
    kind = value.get("type", "literal")
    text = value.get("value", "")
    if kind == "uri":
        return Cell(compact(text), local_href(text, base_iri), text, kind="uri")
    if kind == "bnode":
        return Cell(f"_:{text}", kind="bnode")
    lang = value.get("xml:lang")
    datatype = value.get("datatype")
    title = compact(datatype) if datatype else None
    return Cell(text, None, title, lang, "literal")


# --- the query page -------------------------------------------------------------------------

DEFAULT_BODY = """
SELECT ?number ?axis ?label
WHERE {
  ?axis a hms:Axis ;
        skos:notation ?number ;
        skos:prefLabel ?label .
  FILTER(lang(?label) = "nb")
}
ORDER BY ?number
"""


def default_query() -> str:
    """The query the page starts with: our prefixes, then the five axes."""
    return sparql_prologue() + DEFAULT_BODY


@dataclass(frozen=True)
class QueryPage:
    """What the query page (``sparql.html``) shows.

    .. versionadded:: 0.1
    """

    query: str  #: the text in the editor
    endpoint: str  #: the endpoint's URL as the client called it
    examples: tuple[Example, ...]
    limits: Limits
    prefixes_json: str  #: our prefix map, for the editor
    ran: bool = False  #: a query was sent (results or an error follow)
    error: str | None = None
    form: str | None = None
    table: ResultTable | None = None  #: SELECT and ASK
    graph_text: str | None = None  #: CONSTRUCT and DESCRIBE, as Turtle
    truncated: bool = False
    count: int = 0
    downloads: tuple[tuple[str, str], ...] = ()  #: (label, link) per result format

    def replace(self, **changes: Any) -> QueryPage:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)

    def with_outcome(self, outcome: Any, base_iri: str) -> QueryPage:
        """A copy showing a worker's outcome (JSON for SELECT/ASK, Turtle otherwise)."""
        common = {"form": outcome.form, "truncated": outcome.truncated, "count": outcome.count}
        if kind_of(outcome.form) == "tabular":
            table = results_table(json.loads(outcome.body), base_iri)
            return self.replace(table=table, **common)
        return self.replace(graph_text=outcome.body.decode("utf-8"), **common)
