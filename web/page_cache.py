"""Finished answers to page requests, kept: the data is read-only, so a page is fixed by
its URL and the request headers it varies on.

The home page costs about 50 ms of Python and the server has one interpreter per
process, so under load pages queued behind each other (and behind /sparql's threads)
for seconds. :class:`PageCache` wraps the app's WSGI callable (outermost) and keeps the
complete answer (status, headers, body) of every ``GET`` that :mod:`web.http_cache`
marked as depending only on the data (it carries an ``ETag``), keyed by path, query
string, ``Host`` and the headers answers vary on (``Accept``, ``Accept-Language``,
``Accept-Encoding``). Later requests with the same key get those bytes without
running the app.

Left to the app, every time: ``/sparql`` (its answers have their own cache,
:mod:`hamar_graph.sparql.cache`), static files, conditional and range requests (the app
answers 304 or 206 itself), requests with cookies or credentials, HTTPS requests, and
everything while rate limiting is on (the limiter must count every request). A single
answer over a quarter of the budget, or without ``Content-Length`` (a streamed dump),
is not kept.

.. versionadded:: 0.2
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from web import state

StartResponse = Callable[..., Any]
Entry = tuple[str, list[tuple[str, str]], bytes]

_SKIPPED_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_RANGE",
    "HTTP_IF_RANGE",
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
)


class PageCache:
    """WSGI middleware (see the module's description).

    :param app: the Flask app; its current ``wsgi_app`` is what is wrapped.
    :param max_bytes: bodies kept at most; 0 keeps nothing.
    """

    def __init__(self, app: Flask, max_bytes: int) -> None:
        self.app = app
        self.inner = app.wsgi_app
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def _key(self, environ: dict[str, Any]) -> tuple[str, ...] | None:
        if self.max_bytes <= 0 or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith(("/sparql", "/static/")) or environ.get("SCRIPT_NAME"):
            return None
        if environ.get("wsgi.url_scheme", "http") != "http":
            return None
        if any(environ.get(name) for name in _SKIPPED_HEADERS):
            return None
        limiter = state.state(self.app).peek("hamar_rate_limiter")
        if limiter is not None and limiter.enabled:
            return None
        return (
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("HTTP_ACCEPT", ""),
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            environ.get("HTTP_ACCEPT_ENCODING", ""),
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.inner(environ, start_response)
        head = environ.get("REQUEST_METHOD") == "HEAD"
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
        if entry is not None:
            status, headers, body = entry
            start_response(status, list(headers))
            return [] if head else [body]
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return (
                start_response(status, headers, exc_info)
                if exc_info
                else start_response(status, headers)
            )

        answer = self.inner(environ, capture)
        headers = seen.get("headers") or []
        names = {name.lower(): value for name, value in headers}
        length = names.get("content-length")
        keep = (
            not head
            and str(seen.get("status", "")).startswith("200")
            and "etag" in names
            and "set-cookie" not in names
            and length is not None
            and length.isdigit()
            and int(length) <= self.max_bytes // 4
        )
        if not keep:
            return answer
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        if len(body) == int(length or -1):
            self._put(key, (seen["status"], list(headers), body))
        return [body]

    def _put(self, key: tuple[str, ...], entry: Entry) -> None:
        cost = len(entry[2]) + 1024
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old[2]) + 1024
            self._entries[key] = entry
            self._bytes += cost
            while self._bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped[2]) + 1024


def init_app(app: Flask) -> None:
    """Put the page cache in front of ``app`` (outermost), sized by ``answer_cache_mb``."""
    st = state.state(app)
    if st.settings.answer_cache_mb > 0 and st.store.name != "remote":
        app.wsgi_app = PageCache(app, st.settings.answer_cache_mb * 2**20)  # type: ignore[method-assign]
