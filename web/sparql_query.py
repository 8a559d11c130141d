"""The SPARQL endpoint's query path, shared by the Flask view (:mod:`web.views.sparql`)
and the fast path (:mod:`web.sparql_fast`): negotiation and guard (remembered), the
endpoint's URL, 304 before the query runs, the answer cache, the pool, and syntax
errors in words.

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from flask import Flask, request
from werkzeug.sansio.utils import get_current_url, get_host

from hamar_graph import i18n
from hamar_graph.config import Settings
from hamar_graph.namespaces import PREFIXES
from hamar_graph.rdf.formats import kind_of
from hamar_graph.sparql.cache import answer_key, deterministic
from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.explain import SyntaxProblem, explain, predeclare
from hamar_graph.sparql.guard import QueryScan, guard
from hamar_graph.sparql.request import SparqlRequest
from hamar_graph.sparql.worker import QueryJob, QueryOutcome, execute_bounded
from web import http_cache, state
from web.conneg import Negotiation, negotiate

#: On every answer of the endpoint (CORS: any origin may read it, and these headers).
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-Hamar-Truncated, X-Hamar-Row-Limit, Content-Type",
}

_PREFIXES = dict(PREFIXES)

#: How a query process starts the message of a query the engine could not parse.
SYNTAX_ERROR = "SPARQL syntax error: "


class QuerySyntaxError(ProtocolError):
    """400 for a query the engine could not parse, with the problem in words."""

    def __init__(self, problem: SyntaxProblem) -> None:
        super().__init__(400, problem.message("en"))
        self.problem = problem


def error_language(values: list[str]) -> str:
    """The language of a plain-text error: a ``lang`` parameter the page script sends
    (``nb`` or ``en``), English otherwise (the protocol's clients are programs)."""
    for value in values:
        if value in i18n.LANGUAGES:
            return value
    return "en"


def _error_text(error: ProtocolError, lang: str) -> str:
    if isinstance(error, QuerySyntaxError):
        return error.problem.message(lang)
    return error.message


@lru_cache(maxsize=256)
def _negotiate(accept: str | None, format_values: tuple[str, ...]) -> Negotiation:
    """:func:`web.conneg.negotiate`, remembered: clients send few distinct headers."""
    return negotiate(accept, format_values)


@lru_cache(maxsize=1024)
def _guard(query: str) -> QueryScan:
    """:func:`hamar_graph.sparql.guard.guard`, remembered for texts that pass it."""
    return guard(query)


@lru_cache(maxsize=64)
def _base_url(scheme: str, host: str, server: tuple[str, str], root: str, path: str) -> str:
    return get_current_url(
        scheme, get_host(scheme, host or None, (server[0], int(server[1] or 0))), root, path
    )


def endpoint_url(environ: Mapping[str, Any]) -> str:
    """The endpoint's URL as the client called it (what ``request.base_url`` says,
    remembered: it is the base IRI of relative IRIs in queries)."""
    return _base_url(
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_HOST", ""),
        (environ.get("SERVER_NAME", ""), environ.get("SERVER_PORT", "") or "0"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
    )


def _endpoint_url() -> str:
    return endpoint_url(request.environ)


def validator(
    query: str,
    scan: QueryScan,
    negotiation: Negotiation,
    if_none_match: str | None,
    accept_encoding: str | None,
    app: Flask | None = None,
    if_modified_since: str | None = None,
) -> tuple[str, str] | None:
    """The entity tag and ``Last-Modified`` of a 304 decided before the query runs: the
    answer's tag depends only on the data version, its media type and its coding
    (:mod:`web.http_cache`), all known now. None when the query must run.
    ``If-None-Match`` decides when present, else ``If-Modified-Since`` (RFC 9110, 13.2.2).
    """
    if not if_none_match and not if_modified_since:
        return None
    fmt = negotiation.for_form(scan.form)
    if fmt is None or not deterministic(query):
        return None
    try:
        meta = state.release(app)
    except Exception:  # the data version is unknown while the store is down
        return None
    gzip = http_cache.accepts_gzip(accept_encoding)
    modified = http_cache.last_modified(meta.modified)
    if not if_none_match:
        since = http_cache.parse_http_date(if_modified_since)
        if since is None or modified > since:
            return None
        # Without a tag to match, name the identity one (a 304 has no body to encode).
        etag = http_cache.make_etag(meta.data_version, fmt.media_type, None, None)
        return etag, http_cache.http_date(modified)
    # With gzip accepted, the coding (so the tag) depends on the body's size, unknown
    # before the query runs, except for a tag that names gzip: such a body was large.
    etag = http_cache.make_etag(meta.data_version, fmt.media_type, None, "gzip" if gzip else None)
    if http_cache.etag_matches(if_none_match, etag):
        return etag, http_cache.http_date(modified)
    return None


def run(
    sparql: SparqlRequest,
    negotiation: Negotiation,
    settings: Settings,
    scan: QueryScan | None = None,
    *,
    base_iri: str | None = None,
    client: str | None = None,
    app: Flask | None = None,
) -> QueryOutcome:
    """Guard ``sparql`` and run it in the app's pool, or take its answer from the cache; a
    query whose cost the row cap bounds (:func:`~hamar_graph.sparql.bounded.pattern_bounds`)
    runs on the store's own engine in this process, cut at the same row cap
    (:func:`~hamar_graph.sparql.worker.execute_bounded`).

    :raises ProtocolError: for a refused query, an unacceptable format, a stopped query
        or a query error (its status and message); 429 when the client is over its share
        or its budget.
    """
    scan = scan if scan is not None else _guard(sparql.query)
    kind = kind_of(scan.form)
    if negotiation.tabular is None and negotiation.graph is None:
        raise negotiation.not_acceptable(None)
    if kind is not None and negotiation.for_form(scan.form) is None:
        raise negotiation.not_acceptable(kind)
    tabular = negotiation.tabular.key if negotiation.tabular else None
    graph = negotiation.graph.key if negotiation.graph else None
    base_iri = base_iri if base_iri is not None else _endpoint_url()
    cache = state.answers(app)
    key = None
    if cache is not None and deterministic(sparql.query):
        key = answer_key(
            state.release(app).data_version,
            sparql.query,
            sparql.default_graphs,
            sparql.named_graphs,
            tabular,
            graph,
            settings.max_rows,
            base_iri,
        )
        kept = cache.get(key)
        if kept is not None:
            return kept
    text, added = predeclare(sparql.query, PREFIXES)
    job = QueryJob(
        query=text,
        tabular_format=tabular,
        graph_format=graph,
        max_rows=settings.max_rows,
        default_graphs=sparql.default_graphs,
        named_graphs=sparql.named_graphs,
        protocol_dataset=sparql.has_dataset,
        dataset_clause=scan.dataset_clause,
        prefixes=_PREFIXES,
        form=scan.form,
        base_iri=base_iri,
    )
    local = state.state(app).store.local_engine()
    bounds = scan.one_pattern  # the guard's pass found it: the text is read once
    if (
        local is not None
        and not sparql.has_dataset
        and bounds is not None
        and bounds.offset <= settings.max_rows
    ):
        # one triple pattern: at most max_rows index steps, so no process to stop it
        outcome = execute_bounded(local, job, bounds.limit)
    else:
        if client is None:
            client = request.remote_addr or ""
        outcome = state.pool(app).run(job, client)
    if outcome.status != 200:
        message = outcome.message or "The query failed."
        if outcome.status == 400 and message.startswith(SYNTAX_ERROR):
            problem = explain(message.removeprefix(SYNTAX_ERROR), sparql.query, added, PREFIXES)
            if problem is not None:
                raise QuerySyntaxError(problem)
        raise ProtocolError(outcome.status, message)
    if cache is not None and key is not None:
        cache.put(key, outcome)
    return outcome
