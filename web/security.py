"""App-wide HTTP hardening: security headers, request limits, rate limiting, no debug.

:func:`init_app` installs, for every response the app makes (pages, ``/sparql``,
catalogue, dumps and error responses alike):

- a Content-Security-Policy (https://www.w3.org/TR/CSP3/) that allows scripts,
  styles, fonts and connections from our own origin only, images from our own
  origin and ``data:`` URLs, no plugins, and no framing (``frame-ancestors
  'none'``). No route can add ``'unsafe-inline'`` or ``'unsafe-eval'`` to
  ``script-src``: :func:`allow` refuses it;
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``, ``Permissions-Policy``,
  ``X-Frame-Options`` (for browsers without CSP 2) and, over HTTPS only,
  ``Strict-Transport-Security``;
- ``Server: hamar-graph``, with no product and no version: the HTTP server (granian)
  keeps the app's header and adds none of its own.

Before a request reaches a view it refuses, with a plain-text message:

- a URL longer than ``settings.max_url_bytes`` (414);
- a declared body larger than ``settings.max_query_bytes`` (413; Flask's
  ``MAX_CONTENT_LENGTH``, set in :func:`web.create_app`, also stops undeclared,
  chunked bodies when they are read);
- more than ``settings.rate_limit`` requests a minute from one address, when
  that setting is above 0 (429 with ``Retry-After``; :mod:`web.ratelimit`).

A store that fails (a remote engine down or past the deadline) is answered with 503
(504 for a timeout) and ``Retry-After``, never a 500 (:func:`store_failed`).

And it keeps the debug mode unreachable: :func:`init_app` refuses an app whose
debug flag is on (``FLASK_DEBUG``, also set by ``flask run --debug``), replaces
``app.run`` (Flask's development server) by a refusal, and a request reaching an
app whose debug flag was switched on later gets 503, not a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import quote

from flask import Flask, Response, current_app, g, request

from hamar_graph.config import Settings
from hamar_graph.store.base import StoreError
from web import state
from web.ratelimit import RateLimiter

log = logging.getLogger(__name__)

#: The Content-Security-Policy, directive by directive. Views may widen a
#: directive for their own response with :func:`allow`, never ``script-src``
#: with inline or eval.
CSP: Mapping[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

#: Headers set on every response (the CSP is added separately).
HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    ),
    "X-Frame-Options": "DENY",
}

#: Sent over HTTPS only (RFC 6797 §7.2: ignored over plain HTTP).
HSTS = "max-age=31536000"

#: Sources that no view may add to ``script-src``.
FORBIDDEN_SCRIPT_SOURCES = frozenset({"'unsafe-inline'", "'unsafe-eval'", "*", "data:"})

#: The ``Server`` value of every response (the HTTP server adds no name of its own).
SERVER_NAME = "hamar-graph"

_LIMITER_KEY = "hamar_rate_limiter"


class DebugModeRefused(RuntimeError):
    """The app was asked to run with Flask's debug mode, which is never allowed."""


def csp_header(extra: Mapping[str, str] | None = None) -> str:
    """The Content-Security-Policy value, with ``extra`` sources appended per directive.

    :param extra: directive → additional sources (space-separated).
    """
    directives = dict(CSP)
    for name, sources in (extra or {}).items():
        directives[name] = f"{directives.get(name, '')} {sources}".strip()
    return "; ".join(f"{name} {value}" for name, value in directives.items())


#: The policy as sent when no view widened it (computed once).
_CSP_VALUE = csp_header()


def allow(directive: str, sources: str) -> None:
    """Widen one CSP directive for the current response only.

    Call it from a view (for example ``allow("connect-src", "https://example.org")``).

    :param directive: a CSP directive name such as ``img-src``.
    :param sources: the sources to add, space-separated.
    :raises ValueError: for inline, eval, wildcard or ``data:`` scripts, and for
        widening ``frame-ancestors``.
    """
    tokens = set(sources.split())
    if directive in ("script-src", "default-src") and tokens & FORBIDDEN_SCRIPT_SOURCES:
        raise ValueError(f"{directive} may not allow {' '.join(sorted(tokens))}")
    if directive == "frame-ancestors":
        raise ValueError("frame-ancestors stays 'none'")
    extra: dict[str, str] = g.setdefault("hamar_csp_extra", {})
    extra[directive] = f"{extra.get(directive, '')} {sources}".strip()


def url_bytes(environ: Mapping[str, object]) -> int:
    """Length in bytes of the request target (path and query) as the client sent it."""
    path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    encoded = quote(path.encode("latin-1", "replace"), safe="/;:@&=+$,!~*'()-._")
    query = str(environ.get("QUERY_STRING", ""))
    computed = len(encoded) + (1 + len(query) if query else 0)
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    return max(computed, len(raw))


def _plain(message: str, status: int, headers: Mapping[str, str] | None = None) -> Response:
    response = Response(message + "\n", status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _settings() -> Settings:
    return state.settings()


def _refuse_debug() -> Response | None:
    if current_app.debug and not current_app.testing:
        return _plain(
            "This server was started in debug mode, which is never allowed: "
            "restart it with `hamar-graph serve`.",
            503,
        )
    return None


def _check_limits() -> Response | None:
    settings = _settings()
    length = url_bytes(request.environ)
    if length > settings.max_url_bytes:
        return _plain(
            f"The URL is {length} bytes long; the limit is {settings.max_url_bytes} bytes "
            "(HAMAR_GRAPH_MAX_URL_BYTES). Send a long query with POST instead.",
            414,
        )
    declared = request.content_length
    if declared is not None and declared > settings.max_query_bytes:
        return _plain(
            f"The request body is {declared} bytes; the limit is {settings.max_query_bytes} "
            "bytes (HAMAR_GRAPH_MAX_QUERY_BYTES).",
            413,
        )
    return None


def _rate_limit() -> Response | None:
    limiter: RateLimiter = state.state().peek(_LIMITER_KEY)
    if not limiter.enabled or request.path.startswith("/static/"):
        return None
    decision = limiter.hit(request.remote_addr or "unknown")
    if decision.allowed:
        return None
    return _plain(
        f"Too many requests: the limit is {limiter.rate} a minute per client. "
        f"Try again in {decision.retry_after} s.",
        429,
        {"Retry-After": str(decision.retry_after)},
    )


def _timed_out(error: BaseException) -> bool:
    cause = error.__cause__
    reason = getattr(cause, "reason", None)
    return isinstance(cause, TimeoutError) or isinstance(reason, TimeoutError)


def store_failed(error: StoreError) -> Response:
    """A store that is down or too slow: 503 (or 504 past the deadline), never a 500.

    The client learns what happened and when to retry; the engine's address and the
    underlying error go to the log only.
    """
    log.warning("the store failed: %s", error)
    timeout = _settings().query_timeout
    if _timed_out(error):
        return _plain(
            f"The data store did not answer within {timeout:g} s "
            "(HAMAR_GRAPH_QUERY_TIMEOUT). Try again in a moment.",
            504,
            {"Retry-After": "5"},
        )
    return _plain(
        "The data store cannot be reached right now. Try again in a moment.",
        503,
        {"Retry-After": "5"},
    )


def _before_request() -> Response | None:
    return _refuse_debug() or _rate_limit() or _check_limits()


def _after_request(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers[name] = value
    extra = g.get("hamar_csp_extra")
    response.headers["Content-Security-Policy"] = csp_header(extra) if extra else _CSP_VALUE
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers["Server"] = SERVER_NAME
    return response


def init_app(app: Flask) -> None:
    """Install the headers, the limits, the rate limiter and the debug guard on ``app``.

    Call it right after the app and its settings exist, before any blueprint is
    registered, so its ``before_request`` runs first.

    :param app: the app, with its :class:`~web.state.AppState`.
    :raises DebugModeRefused: when the app's debug flag is on (``FLASK_DEBUG``).
    """
    if app.debug:
        raise DebugModeRefused(
            "Flask's debug mode is on (FLASK_DEBUG is set): it would show stack traces "
            "and allow code execution to anyone. Unset FLASK_DEBUG; serve with "
            "`hamar-graph serve`."
        )
    app.run = _refuse_dev_server  # type: ignore[method-assign]
    app_state = state.state(app)
    app_state.put(_LIMITER_KEY, RateLimiter(app_state.settings.rate_limit))
    app.before_request(_before_request)
    app.after_request(_after_request)
    app.register_error_handler(StoreError, store_failed)


def _refuse_dev_server(*args: object, **kwargs: object) -> None:
    raise DebugModeRefused(
        "Flask's development server is never used: serve with `hamar-graph serve` (granian)."
    )
