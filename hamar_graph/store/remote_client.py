"""The one HTTP client of a remote SPARQL 1.1 engine, and how its answers are read.

:class:`SparqlClient` is the only code that talks to a remote engine: it sends a query
with the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/, POST
``application/x-www-form-urlencoded``) under the app's deadline, and answers with the
body, its media type and the headers that matter (:class:`Answer`), or raises
:class:`SyntaxError` (the engine refused the query: a 400, or a 500 whose message shows it
is the query's fault) or :class:`~hamar_graph.store.base.StoreUnavailable` (down, too slow,
stopped by its own time limit, or failing). :func:`normalise_literal` and the helpers
below read every engine's answers in one standard form; :mod:`hamar_graph.store.remote`
explains why, engine by engine (docs/virtuoso.md).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from hamar_graph.rdf.formats import GRAPH_FORMATS, TABULAR_FORMATS
from hamar_graph.store.base import StoreError, StoreUnavailable

log = logging.getLogger("hamar_graph.store.remote")

#: The engines RemoteStore knows apart (``HAMAR_GRAPH_REMOTE_DIALECT``).
DIALECTS = ("auto", "standard", "virtuoso")

#: Prefix of the stand-in datatype under which a loader stores a literal that the engine
#: would otherwise rewrite (Virtuoso parses every ``geo:wktLiteral`` into its own geometry
#: type and cannot load one with a CRS IRI): ``{OPAQUE_DATATYPE}{original datatype IRI}``.
#: Answers get the original datatype back.
OPAQUE_DATATYPE = "urn:x-hamar-graph:datatype:"

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD + "string"
_XSD_BOOLEAN = XSD + "boolean"

#: What to ask a remote engine for, by the kind of query.
ACCEPT = {
    "tabular": TABULAR_FORMATS["json"].media_type,
    "graph": f"{GRAPH_FORMATS['nt'].media_type}, {GRAPH_FORMATS['ttl'].media_type};q=0.9",
    None: f"{TABULAR_FORMATS['json'].media_type}, {GRAPH_FORMATS['nt'].media_type};q=0.9",
}

#: Virtuoso's DESCRIBE answers the triples pointing *to* the resource unless told to give
#: its concise bounded description, as Oxigraph does (docs/virtuoso.md §1 #11).
_VIRTUOSO_DESCRIBE = 'define sql:describe-mode "CBD"\n'

#: A 500 whose message starts like this is the query's fault, not the engine's:
#: Virtuoso's SPARQL compiler (37000: syntax, "transitive start not given"), invalid
#: values (22xxx: a bad language tag, a number out of range), an unknown column (S0022).
_QUERY_ERROR = re.compile(r"^Virtuoso (37000|22\d\d\d|S0022|42S22) ")

#: A 500 (or 200 header) that says the engine's own time limit stopped the query.
_ENGINE_TIMEOUT = re.compile(r"S1T00|SR171|S1TAT|estimated execution time")


def engine_message(raw: bytes) -> str:
    """The engine's error message without the query it echoes (Virtuoso adds
    ``SPARQL query:`` and the whole text after a blank line), at most 1000 characters."""
    text = raw.decode("utf-8", "replace").strip()
    text = re.split(r"\n\s*\n\s*SPARQL query:", text, maxsplit=1)[0]
    return text.strip()[:1000]


def dialect_of(server: str | None) -> str:
    """``virtuoso`` when the ``Server`` header names it, else ``standard``."""
    return "virtuoso" if server and "virtuoso" in server.lower() else "standard"


@dataclass(frozen=True)
class Answer:
    """One engine answer: media type, body, and the headers that matter."""

    media_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return dialect_of(self.headers.get("Server"))

    @property
    def max_rows(self) -> int | None:
        """The engine's row limit when it says it applied one (``X-SPARQL-MaxRows``)."""
        value = self.headers.get("X-SPARQL-MaxRows")
        return int(value) if value and value.strip().isdigit() else None


_KEPT_HEADERS = ("Server", "X-SPARQL-MaxRows", "X-SQL-State", "X-SQL-Message")


@dataclass(frozen=True)
class SparqlClient:
    """The one HTTP client of a remote SPARQL 1.1 query endpoint.

    :param endpoint: the query URL (operator-configured, never taken from a request).
    :param timeout: seconds to wait for an answer.

    .. versionadded:: 0.2
    """

    endpoint: str
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if urlsplit(self.endpoint).scheme not in ("http", "https"):
            raise StoreError(f"only http(s) endpoints are supported, not {self.endpoint!r}")

    def post(
        self, query: str, accept: str, params: list[tuple[str, str]] | None = None
    ) -> tuple[str, bytes]:
        """Send ``query`` (and protocol ``params``); return (media type, body).

        See :meth:`send`, which also gives the answer's headers.
        """
        answer = self.send(query, accept, params)
        return answer.media_type, answer.body

    def send(self, query: str, accept: str, params: list[tuple[str, str]] | None = None) -> Answer:
        """Send ``query`` (and protocol ``params``) and return the engine's answer.

        :raises SyntaxError: when the engine refuses the query (400, or a 500 that its
            message shows is the query's fault), with the engine's first line.
        :raises StoreUnavailable: when it cannot be reached, is too slow (also by its own
            time limit, or an answer it marks as cut short by one), or fails; the message
            names no address (it may reach a public client), the log does. Timeouts are
            raised *from* a :class:`TimeoutError`.
        """
        form = [("query", query), *(params or [])]
        request = urllib.request.Request(  # noqa: S310 - http(s) checked in __post_init__
            self.endpoint,
            data=urllib.parse.urlencode(form).encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                headers = {k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers}
                answer = Answer(response.headers.get_content_type(), response.read(), headers)
        except urllib.error.HTTPError as exc:
            detail = engine_message(exc.read())
            if exc.code == 400 or (exc.code == 500 and _QUERY_ERROR.match(detail)):
                raise SyntaxError(detail or "the engine refused the query") from None
            log.warning("the SPARQL engine at %s answered %s: %s", self.endpoint, exc.code, detail)
            if _ENGINE_TIMEOUT.search(detail):
                raise StoreUnavailable(
                    f"the SPARQL engine stopped the query at its own time limit: {detail}"
                ) from TimeoutError(detail)
            raise StoreUnavailable(f"the SPARQL engine answered {exc.code}: {detail}") from exc
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            log.warning("the SPARQL engine at %s failed: %s", self.endpoint, reason)
            if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
                raise StoreUnavailable(
                    f"the SPARQL engine did not answer within {self.timeout:g} s "
                    "(HAMAR_GRAPH_QUERY_TIMEOUT)"
                ) from exc
            raise StoreUnavailable(
                f"the SPARQL engine cannot be reached ({reason}); check that it is running"
            ) from exc
        state = answer.headers.get("X-SQL-State")
        if state:
            message = answer.headers.get("X-SQL-Message", "")
            log.warning(
                "the SPARQL engine at %s cut its answer: %s %s", self.endpoint, state, message
            )
            raise StoreUnavailable(
                f"the SPARQL engine stopped the query at its own time limit and answered "
                f"only part of it ({state}); the answer is not used"
            ) from TimeoutError(state)
        return answer


# --- reading answers -------------------------------------------------------------------------


def normalise_literal(
    value: str, datatype: str | None, language: str | None
) -> tuple[str, str | None, str | None]:
    """The same literal as every engine should write it (see the module's docstring)."""
    if language:
        return value, None, language
    if datatype == _XSD_STRING:
        return value, None, None
    if datatype == _XSD_BOOLEAN and value in ("1", "0"):
        return ("true" if value == "1" else "false"), datatype, None
    if datatype is not None and datatype.startswith(OPAQUE_DATATYPE):
        return value, datatype[len(OPAQUE_DATATYPE) :], None
    return value, datatype, None


def normalise_cell(cell: Mapping[str, str]) -> dict[str, str]:
    """A SPARQL 1.1 JSON term (``typed-literal`` and ``lang`` read as their standard keys)."""
    kind = cell.get("type")
    if kind not in ("literal", "typed-literal"):
        return dict(cell)
    value, datatype, language = normalise_literal(
        cell["value"], cell.get("datatype"), cell.get("xml:lang") or cell.get("lang")
    )
    out = {"type": "literal", "value": value}
    if language:
        out["xml:lang"] = language
    elif datatype:
        out["datatype"] = datatype
    return out


def normalise_json(doc: dict[str, Any]) -> dict[str, Any]:
    if "results" in doc:
        doc["results"]["bindings"] = [
            {name: normalise_cell(cell) for name, cell in row.items()}
            for row in doc["results"]["bindings"]
        ]
    return doc


def term_from_json(cell: Mapping[str, str]) -> Node:
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    normal = normalise_cell(cell)
    if "xml:lang" in normal:
        return Literal(normal["value"], lang=normal["xml:lang"])
    if "datatype" in normal:
        return Literal(normal["value"], datatype=URIRef(normal["datatype"]))
    return Literal(normal["value"])


def normalise_rdflib(term: Node) -> Node:
    if not isinstance(term, Literal):
        return term
    datatype = str(term.datatype) if term.datatype is not None else None
    value, new_type, language = normalise_literal(str(term), datatype, term.language)
    if (value, new_type) == (str(term), datatype):
        return term
    return Literal(value, lang=language, datatype=URIRef(new_type) if new_type else None)


def normalise_ox(term: Any) -> Any:
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    value, new_type, language = normalise_literal(term.value, datatype, term.language)
    if (value, new_type) == (term.value, datatype):
        return term
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=ox.NamedNode(new_type) if new_type else None)


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise StoreUnavailable("the SPARQL engine's answer is not SPARQL JSON") from exc
    if not isinstance(doc, dict):
        raise StoreUnavailable("the SPARQL engine's answer is not SPARQL JSON")
    return doc


def cut_message(limit: int) -> str:
    return (
        f"the SPARQL engine cut this answer at {limit} rows, its own limit (Virtuoso: "
        "[SPARQL] ResultSetMaxRows in virtuoso.ini); the rest is missing"
    )


def with_describe_mode(query: str, form: str | None, dialect: str) -> str:
    return _VIRTUOSO_DESCRIBE + query if dialect == "virtuoso" and form == "DESCRIBE" else query
