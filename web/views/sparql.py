"""The ``/sparql`` blueprint: the SPARQL 1.1 Protocol endpoint and its query page.

The view reads the request (:func:`hamar_graph.sparql.request.parse_request`), chooses
the formats (:func:`~web.conneg.negotiate`), refuses what must not run
(:func:`~hamar_graph.sparql.guard.guard`) and hands the query to the app's
:class:`~hamar_graph.sparql.pool.QueryPool`. The worker returns the whole body, so the
status is known before a byte is sent. Browsers get the query page
(``sparql.html``): YASGUI over a plain form that works without JavaScript.

Every response carries ``Vary: Accept`` and ``Access-Control-Allow-Origin: *``;
``OPTIONS`` answers CORS preflight requests.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

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
from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.guard import QueryScan
from hamar_graph.sparql.pool import QueryPool
from hamar_graph.sparql.request import SparqlRequest, parse_request
from hamar_graph.sparql.worker import QueryOutcome
from web import http_cache, state
from web.conneg import Negotiation, negotiate
from web.sparql_query import (
    CORS_HEADERS,
    QuerySyntaxError,
    _error_text,
    _guard,
    _negotiate,
    error_language,
    run,
    validator,
)

log = logging.getLogger(__name__)


bp = Blueprint("sparql", __name__)


PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, Cache-Control, X-Requested-With",
    "Access-Control-Max-Age": "86400",
}


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
