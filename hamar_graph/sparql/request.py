"""Read a SPARQL 1.1 Protocol query operation (https://www.w3.org/TR/sparql11-protocol/)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from hamar_graph.sparql.errors import ProtocolError

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
