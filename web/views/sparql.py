"""The ``/sparql`` blueprint: the SPARQL 1.1 Protocol endpoint and its query page.

The view reads the request (:func:`hamar_graph.protocol.parse_request`), chooses
the formats (:func:`~hamar_graph.protocol.negotiate`), refuses what must not run
(:func:`~hamar_graph.protocol.guard`) and hands the query to the app's
:class:`~hamar_graph.sandbox.QueryPool`. The worker returns the whole body, so the
status is known before a byte is sent. Browsers get the query page
(``sparql.html``): YASGUI over a plain form that works without JavaScript.

Every response carries ``Vary: Accept`` and ``Access-Control-Allow-Origin: *``;
``OPTIONS`` answers CORS preflight requests.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.sansio.utils import get_current_url, get_host

from hamar_graph import i18n
from hamar_graph.config import Settings
from hamar_graph.namespaces import PREFIXES
from hamar_graph.pages.query_page import QueryPage, default_query
from hamar_graph.query.examples import load_examples
from hamar_graph.rdf.formats import GRAPH_FORMATS, TABULAR_FORMATS, kind_of
from hamar_graph.sparql.description import (
    GraphStats,
    Limits,
    serialize_description,
    service_description,
)
from hamar_graph.sparql.cache import answer_key, deterministic
from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.explain import SyntaxProblem, explain, predeclare
from hamar_graph.sparql.guard import QueryScan, guard
from hamar_graph.sparql.pool import QueryPool
from hamar_graph.sparql.request import SparqlRequest, parse_request
from hamar_graph.sparql.worker import QueryJob, QueryOutcome
from web import http_cache, state
from web.conneg import Negotiation, negotiate

log = logging.getLogger(__name__)


bp = Blueprint("sparql", __name__)


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-Hamar-Truncated, X-Hamar-Row-Limit, Content-Type",
}


PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, Cache-Control, X-Requested-With",
    "Access-Control-Max-Age": "86400",
}


_PREFIXES = dict(PREFIXES)

#: How a query process starts the message of a query the engine could not parse.
SYNTAX_ERROR = "SPARQL syntax error: "


class QuerySyntaxError(ProtocolError):
    """400 for a query the engine could not parse, with the problem in words."""

    def __init__(self, problem: SyntaxProblem) -> None:
        super().__init__(400, problem.message("en"))
        self.problem = problem


def get_pool(app: Flask | None = None) -> QueryPool:
    """The app's query pool (:func:`web.state.pool`)."""
    return state.pool(app)


def close_pool(app: Flask) -> None:
    """Stop the app's query processes (:func:`web.state.close_pool`)."""
    state.close_pool(app)


def _stats() -> GraphStats:
    return state.graph_stats()


def _settings() -> Settings:
    return state.settings()


def _limits(settings: Settings) -> Limits:
    return Limits(
        settings.query_timeout,
        settings.query_memory_mb,
        settings.max_rows,
        settings.max_query_bytes,
        settings.max_url_bytes,
        settings.long_query,
        settings.query_budget,
    )


def _finish(response: Response, *, html: bool = False) -> Response:
    for name, value in CORS_HEADERS.items():
        response.headers[name] = value
    response.vary.add("Accept")
    if html:
        response.vary.add("Accept-Language")
    return response


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


def _plain(error: ProtocolError) -> Response:
    values = request.args.getlist("lang")
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        values += request.form.getlist("lang")
    text = _error_text(error, error_language(values))
    response = Response(text + "\n", status=error.status, mimetype="text/plain")
    for name, value in error.headers.items():
        response.headers[name] = value
    return _finish(response)


def _format_values() -> list[str]:
    values: list[str] = []
    for name in ("format", "output", "results"):
        values += request.args.getlist(name)
        if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
            values += request.form.getlist(name)
    return values


def _lang() -> str:
    from web.i18n import choose_language

    return choose_language(request)[0]


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol query operation, the service description and the page."""
    if request.method == "OPTIONS":
        response = Response(status=204)
        for name, value in PREFLIGHT_HEADERS.items():
            response.headers[name] = value
        response.headers["Allow"] = "GET, POST, OPTIONS"
        return _finish(response)
    negotiation = _negotiate(request.headers.get("Accept"), ())
    try:
        settings = _settings()
        body = request.get_data(cache=True) if request.method == "POST" else b""
        sparql = parse_request(
            "GET" if request.method == "HEAD" else request.method,  # HEAD is a GET, bodiless
            request.headers.get("Content-Type"),
            request.args.to_dict(flat=False),
            body,
            max_query_bytes=settings.max_query_bytes,
        )
        negotiation = _negotiate(request.headers.get("Accept"), tuple(_format_values()))
        if sparql is None:
            return _no_query(negotiation, settings)
        if negotiation.html:
            return _page(settings, sparql)
        scan = _guard(sparql.query)
        early = _not_modified(sparql, scan, negotiation)
        if early is not None:
            return early
        outcome = run(sparql, negotiation, settings, scan)
        return _result(outcome, settings)
    except ProtocolError as error:
        if negotiation.html and error.status not in (405, 413):
            return _page(settings, None, error=error)
        return _plain(error)
    except RequestEntityTooLarge:
        return _plain(
            ProtocolError(
                413,
                f"The request body is larger than {_settings().max_query_bytes} bytes "
                "(HAMAR_GRAPH_MAX_QUERY_BYTES).",
            )
        )
    except HTTPException:
        raise
    except Exception:
        log.exception("SPARQL request failed")
        return _plain(ProtocolError(500, "Internal error: the query could not be answered."))


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


def _not_modified(
    sparql: SparqlRequest, scan: QueryScan, negotiation: Negotiation
) -> Response | None:
    if request.method not in ("GET", "HEAD"):
        return None
    matched = validator(
        sparql.query,
        scan,
        negotiation,
        request.headers.get("If-None-Match"),
        request.headers.get("Accept-Encoding"),
        if_modified_since=request.headers.get("If-Modified-Since"),
    )
    if matched is None:
        return None
    response = Response(status=304)
    response.headers["ETag"], response.headers["Last-Modified"] = matched
    response.headers["Cache-Control"] = http_cache.CACHE_CONTROL
    response.vary.update(("Accept", "Accept-Encoding"))
    return _finish(response)


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
    """Guard ``sparql`` and run it in the app's pool, or take its answer from the cache.

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
    if client is None:
        client = request.remote_addr or ""
    outcome = get_pool(app).run(job, client)
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


def _result(outcome: QueryOutcome, settings: Settings) -> Response:
    formats = TABULAR_FORMATS if kind_of(outcome.form) == "tabular" else GRAPH_FORMATS
    fmt = formats[outcome.format_key or ""]
    response = Response(outcome.body, status=200, content_type=fmt.content_type)
    if outcome.form != "ASK":
        response.headers["X-Hamar-Row-Limit"] = str(settings.max_rows)
        response.headers["X-Hamar-Truncated"] = "true" if outcome.truncated else "false"
    return _finish(response)


def _no_query(negotiation: Negotiation, settings: Settings) -> Response:
    if negotiation.html:
        return _page(settings, None)
    if negotiation.graph is None or "graph" in negotiation.fallback:
        raise ProtocolError(
            400,
            "Missing query: send a SPARQL query as ?query=, or POST it. A GET without a query "
            "returns the service description to clients that accept RDF (text/turtle, "
            "application/ld+json).",
        )
    graph = service_description(request.base_url, _stats(), _limits(settings), dict(PREFIXES))
    response = Response(serialize_description(graph, negotiation.graph.key), status=200)
    response.headers["Content-Type"] = negotiation.graph.content_type
    return _finish(response)


def _page(
    settings: Settings, sparql: SparqlRequest | None, error: ProtocolError | None = None
) -> Response:
    lang = _lang()
    page = QueryPage(
        query=sparql.query if sparql else default_query(),
        endpoint=request.base_url,
        examples=load_examples(),
        limits=_limits(settings),
        prefixes_json=json.dumps(PREFIXES, sort_keys=True),
        ran=sparql is not None,
    )
    status = 200
    if error is not None:
        page = _with_error(page, error, lang)
        status = error.status
    elif sparql is not None:
        negotiation = negotiate("text/html")
        try:
            outcome = run(sparql, negotiation, settings)
        except ProtocolError as exc:
            page = _with_error(page, exc, lang)
            status = exc.status
        else:
            page = page.with_outcome(outcome, settings.base_iri)
            page = page.replace(downloads=_downloads(sparql, outcome.form))
    html = render_template(
        "sparql.html",
        page=page,
        yasgui_words=_yasgui_words(lang),
        base_iri=settings.base_iri,
        predeclared=PREFIXES,
        long_query=settings.long_query,
        query_budget=settings.query_budget,
        example_href=lambda example: _query_href(example.query),
        tabular=TABULAR_FORMATS,
        graph=GRAPH_FORMATS,
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Language"] = lang
    return _finish(response, html=True)


@lru_cache(maxsize=4)
def _yasgui_words(lang: str) -> str:
    """YASGUI's words for the page script: each key's English (YASGUI's own text) and
    its text in ``lang`` (hamar_graph/text.toml, section ``[yasgui]``)."""
    entries = i18n.section("yasgui")
    return json.dumps(
        {
            "en": {key: value["en"] for key, value in entries.items()},
            "text": {key: i18n.text(f"yasgui.{key}", lang) for key in entries},
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _with_error(page: QueryPage, error: ProtocolError, lang: str) -> QueryPage:
    """The page showing ``error``: a syntax error in the page's language, with the
    engine's own message below it."""
    if isinstance(error, QuerySyntaxError):
        return page.replace(error=error.problem.describe(lang), error_detail=error.problem.engine)
    return page.replace(error=error.message)


def _query_href(query: str, **params: str) -> str:
    args = {"query": query, **params}
    lang = request.args.get("lang")
    if lang:
        args["lang"] = lang
    return f"{request.path}?{urlencode(args)}"


def _downloads(sparql: SparqlRequest, form: str | None) -> tuple[tuple[str, str], ...]:
    formats = TABULAR_FORMATS if kind_of(form) == "tabular" else GRAPH_FORMATS
    out = []
    for fmt in formats.values():
        href = _query_href(sparql.query, format=fmt.key)
        for g in sparql.default_graphs:
            href += "&" + urlencode({"default-graph-uri": g})
        for g in sparql.named_graphs:
            href += "&" + urlencode({"named-graph-uri": g})
        out.append((fmt.label, href))
    return tuple(out)


@bp.app_errorhandler(405)
def method_not_allowed(error: HTTPException) -> Response | HTTPException:
    """A plain 405 for ``/sparql`` (PUT, DELETE ...); other paths keep the default."""
    if request.path.rstrip("/") != "/sparql":
        return error
    response = _plain(
        ProtocolError(
            405,
            f"Method {request.method} is not allowed on /sparql; use GET or POST.",
            {"Allow": "GET, POST, OPTIONS"},
        )
    )
    return response
