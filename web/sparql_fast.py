"""The SPARQL protocol's data requests, answered without Flask's dispatch.

A ``GET`` or ``HEAD`` of ``/sparql?query=…`` from a client that wants results (not the
query page) is the endpoint's hot path: a few hundred microseconds of Flask's request
and response machinery and hooks were most of its fixed cost (benchmarks/README.md,
"Query path"). :class:`SparqlFastPath` wraps the app's WSGI callable and answers those
requests itself, with the very functions the Flask view uses (:mod:`web.views.sparql`:
negotiation, guard, the answer cache, the pool, 304 before running) and the same
headers the app's hooks add (:mod:`web.security`, :mod:`web.http_cache`).
``tests/web/test_sparql_fast.py`` checks that both paths give the same status, headers and
body for every kind of request.

Everything else goes to Flask unchanged: other paths and methods, the query page, the
service description, a URL over its limit (414), a rate-limited app, an HTTPS request
(which needs HSTS), and anything this path does not recognise.

.. versionadded:: 0.2
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from flask import Flask

from hamar_graph.config import Settings
from hamar_graph.rdf.formats import GRAPH_FORMATS, TABULAR_FORMATS, kind_of
from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.request import parse_request
from hamar_graph.sparql.worker import QueryOutcome
from web import http_cache, security, state
from web import sparql_query as query

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]

_FORMAT_PARAMETERS = ("format", "output", "results")


def _common(vary: str) -> Headers:
    """Headers every answer of this path has: CORS, Vary, the discovery links, the
    security headers and the server's name."""
    headers: Headers = list(query.CORS_HEADERS.items())
    headers.append(("Vary", vary))
    headers += [("Link", link) for link in http_cache.discovery_links("")]
    headers += list(security.HEADERS.items())
    headers.append(("Content-Security-Policy", security.csp_header()))
    headers.append(("Server", security.SERVER_NAME))
    return headers


_ERROR_HEADERS = _common("Accept")
_OK_TEXT_HEADERS = _common("Accept, Accept-Encoding")


class SparqlFastPath:
    """WSGI middleware in front of the Flask app (see the module's description).

    :param app: the Flask app, with its state; its ``wsgi_app`` is what is wrapped.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.inner = app.wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer = None
        if environ.get("PATH_INFO") == "/sparql" and not environ.get("SCRIPT_NAME"):
            answer = self._answer(environ)
        if answer is None:
            return self.inner(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    # -- the request

    def _answer(self, environ: dict[str, Any]) -> tuple[str, Headers, bytes] | None:
        method = environ.get("REQUEST_METHOD")
        query_string = environ.get("QUERY_STRING", "")
        if method not in ("GET", "HEAD") or "query=" not in query_string:
            return None
        if environ.get("wsgi.url_scheme", "http") != "http":
            return None
        st = state.state(self.app)
        settings = st.settings
        if self.app.debug or st.peek("hamar_rate_limiter").enabled:  # Flask says why
            return None
        if security.url_bytes(environ) > settings.max_url_bytes:
            return None
        args = parse_qs(query_string, keep_blank_values=True)
        formats = tuple(v for name in _FORMAT_PARAMETERS for v in args.get(name, ()))
        negotiation = query._negotiate(environ.get("HTTP_ACCEPT"), formats)
        if negotiation.html:
            return None
        try:
            sparql = parse_request("GET", None, args, b"", max_query_bytes=settings.max_query_bytes)
            if sparql is None:
                return None
            scan = query._guard(sparql.query)
            matched = query.validator(
                sparql.query,
                scan,
                negotiation,
                environ.get("HTTP_IF_NONE_MATCH"),
                environ.get("HTTP_ACCEPT_ENCODING"),
                self.app,
                environ.get("HTTP_IF_MODIFIED_SINCE"),
            )
            if matched is not None:
                return self._not_modified(*matched)
            outcome = query.run(
                sparql,
                negotiation,
                settings,
                scan,
                base_iri=query.endpoint_url(environ),
                client=environ.get("REMOTE_ADDR") or "",
                app=self.app,
            )
        except ProtocolError as error:
            return self._error(error, query.error_language(args.get("lang", [])))
        except Exception:
            log.exception("SPARQL request failed")
            return self._error(
                ProtocolError(500, "Internal error: the query could not be answered.")
            )
        return self._result(
            outcome, settings, environ, cacheable=http_cache.is_deterministic_query(sparql.query)
        )

    # -- the answers, with the headers the Flask path ends up with

    def _not_modified(self, etag: str, modified: str) -> tuple[str, Headers, bytes]:
        # As werkzeug sends a 304: the validators and caching headers of the 200 it
        # stands for (RFC 9110, 15.4.5), without Last-Modified, an entity header.
        headers = _common("Accept, Accept-Encoding")
        headers += [("ETag", etag), ("Cache-Control", http_cache.CACHE_CONTROL)]
        return "304 NOT MODIFIED", headers, b""

    def _error(self, error: ProtocolError, lang: str = "en") -> tuple[str, Headers, bytes]:
        body = (query._error_text(error, lang) + "\n").encode("utf-8")
        headers: Headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *error.headers.items(),
            *_ERROR_HEADERS,
        ]
        if error.status >= 400:
            headers.append(("Cache-Control", http_cache.NO_STORE))
        return _status(error.status), headers, body

    def _result(
        self, outcome: QueryOutcome, settings: Settings, environ: dict[str, Any], *, cacheable: bool
    ) -> tuple[str, Headers, bytes] | None:
        formats = TABULAR_FORMATS if kind_of(outcome.form) == "tabular" else GRAPH_FORMATS
        fmt = formats[outcome.format_key or ""]
        body = outcome.body
        headers: Headers = [("Content-Type", fmt.content_type)]
        if outcome.form != "ASK":
            headers.append(("X-Hamar-Row-Limit", str(settings.max_rows)))
            headers.append(("X-Hamar-Truncated", "true" if outcome.truncated else "false"))
        if not cacheable:
            headers += _common("Accept")
        else:
            try:
                meta = state.release(self.app)
            except Exception:  # the data version is unknown while the store is down
                return None
            gzip_now = (
                http_cache.accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
                and len(body) >= http_cache.MIN_GZIP_BYTES
            )
            coding = "gzip" if gzip_now else None
            etag = http_cache.make_etag(meta.data_version, fmt.media_type, None, coding)
            modified = http_cache.last_modified(meta.modified)
            if http_cache.not_modified(
                environ.get("HTTP_IF_NONE_MATCH"),
                environ.get("HTTP_IF_MODIFIED_SINCE"),
                etag,
                modified,
            ):
                return self._not_modified(etag, http_cache.http_date(modified))
            headers += _OK_TEXT_HEADERS
            headers += [
                ("ETag", etag),
                ("Last-Modified", http_cache.http_date(modified)),
                ("Cache-Control", http_cache.CACHE_CONTROL),
            ]
            if gzip_now:  # compressed once for an answer the answer cache keeps
                cache = state.answers(self.app)
                body = (
                    cache.compressed(outcome, http_cache.gzip_body)
                    if cache is not None
                    else http_cache.gzip_body(body)
                )
                headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        return "200 OK", headers, body


def _status(code: int) -> str:
    from http import HTTPStatus

    try:
        return f"{code} {HTTPStatus(code).phrase.upper()}"
    except ValueError:  # pragma: no cover
        return f"{code} UNKNOWN"


def init_app(app: Flask) -> None:
    """Put the fast path in front of ``app``'s WSGI callable."""
    app.wsgi_app = SparqlFastPath(app)  # type: ignore[method-assign]
