"""HTTP caching: validators, conditional requests, gzip and discovery links.

Every answer of the app depends only on the data version, the format, the page
language and the content coding, so that is what the entity tag says
(``W/"0.1.0+1d2ded2a0c38-text/turtle-nb-gzip"``), and ``Last-Modified`` is the
data's ``dct:modified`` date at midnight UTC. A client that sends the tag back
in ``If-None-Match`` (or a date not older than that in ``If-Modified-Since``)
gets ``304 Not Modified`` and no body. The tags are weak: two answers with the
same tag are equivalent, not always byte-identical (a SPARQL engine may number
blank nodes differently). The gzip variant has its own tag.

Installed by :func:`init_app` as an ``after_request`` hook that runs after the
views (and after every blueprint's own hooks). For each successful GET or HEAD
whose answer depends only on the data it adds ``ETag``, ``Last-Modified`` and
``Cache-Control: public, max-age=3600``, answers conditional requests with 304,
and compresses text bodies when ``Accept-Encoding`` allows it (``Vary:
Accept-Encoding``). Errors get ``Cache-Control: no-store`` and no validators.
Answers that already carry their own validators (static files) or say
``no-store``/``private``, and SPARQL queries that use ``NOW()``, ``RAND()`` and
the like, are left alone. Every response, errors included, carries ``Link``
headers to the catalogue, the VoID description and the SPARQL endpoint (RFC 8288).

Entity tags, dates and ``Accept-Encoding`` are read and written with werkzeug's
HTTP helpers. Specifications: HTTP Semantics (RFC 9110) sections 8.8 (validators),
13 (conditional requests), 12.5.3 (Accept-Encoding); HTTP Caching (RFC 9111).
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from functools import lru_cache

from flask import Flask, Response, current_app, g, request
from werkzeug.http import http_date as _http_date
from werkzeug.http import parse_accept_header, parse_date, parse_etags, quote_etag

from hamar_graph.rdf.formats import ALL_FORMATS, HTML_TYPES
from hamar_graph.store.base import StoreError
from web import state

#: ``Cache-Control`` for answers that depend only on the data version.
CACHE_CONTROL = "public, max-age=3600"
#: ``Cache-Control`` for errors and answers that must not be stored.
NO_STORE = "no-store"
#: Smaller bodies are not worth compressing.
MIN_GZIP_BYTES = 512

#: Media types that compress well: text, and every RDF and SPARQL result format.
_COMPRESSIBLE = {
    *(media_type for f in ALL_FORMATS for media_type in f.accepted),
    *HTML_TYPES,
    "application/json",
    "application/xml",
    "application/javascript",
    "application/trig",
    "image/svg+xml",
}

#: SPARQL functions whose result changes from one run to the next.
_NONDETERMINISTIC = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


# --- the rules ----------------------------------------------------------------------------


@lru_cache(maxsize=512)
def make_etag(
    data_version: str,
    media_type: str,
    language: str | None = None,
    coding: str | None = None,
    variant: str | None = None,
) -> str:
    """A weak entity tag for one representation of the data at ``data_version``.

    :param data_version: the data's version (:class:`hamar_graph.publication.release.Release`).
    :param media_type: the representation's media type, without parameters.
    :param language: the page language, for pages that have one.
    :param coding: ``gzip`` when the body is compressed.
    :param variant: what else the body depends on, when a view says so in
        ``flask.g.etag_variant`` (the catalogue's download URLs on another host).

    .. versionadded:: 0.1
    """
    parts = [data_version, media_type.split(";")[0].strip().lower()]
    parts += [p for p in (language, variant, coding) if p]
    tag = "".join(c for c in "-".join(parts) if 0x21 <= ord(c) <= 0x7E and c != '"')
    return quote_etag(tag, weak=True)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison of ``etag`` against an ``If-None-Match`` header (RFC 9110, 13.1.2)."""
    if not if_none_match:
        return False
    opaque = etag.removeprefix("W/").strip('"')
    return parse_etags(if_none_match).contains_weak(opaque)


@lru_cache(maxsize=64)
def last_modified(date: dt.date) -> dt.datetime:
    """The ``Last-Modified`` instant of data modified on ``date``: midnight UTC."""
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


@lru_cache(maxsize=64)
def http_date(moment: dt.datetime) -> str:
    """An IMF-fixdate (``Fri, 27 Nov 2026 00:00:00 GMT``)."""
    return _http_date(moment)


def parse_http_date(value: str | None) -> dt.datetime | None:
    """Parse an HTTP date; ``None`` when absent or invalid."""
    return parse_date(value) if value else None


def not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    etag: str,
    modified: dt.datetime,
) -> bool:
    """Whether a GET or HEAD may be answered with 304 (RFC 9110, 13.2.2).

    ``If-None-Match`` decides when present; ``If-Modified-Since`` is used only without it.

    .. versionadded:: 0.1
    """
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = parse_http_date(if_modified_since)
    return since is not None and modified <= since


@lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip``, ``x-gzip`` or ``*``, with q > 0)."""
    if not accept_encoding:
        return False
    # An explicit gzip (or x-gzip) entry decides, even with q=0; only then does "*".
    entries = {value.lower(): q for value, q in parse_accept_header(accept_encoding)}
    for name in ("gzip", "x-gzip"):
        if name in entries:
            return entries[name] > 0
    return entries.get("*", 0) > 0


@lru_cache(maxsize=256)
def is_compressible(media_type: str | None) -> bool:
    """Whether a body of ``media_type`` is text worth compressing."""
    if not media_type:
        return False
    base = media_type.split(";")[0].strip().lower()
    return base.startswith("text/") or base in _COMPRESSIBLE or base.endswith("+json")


def gzip_body(data: bytes) -> bytes:
    """Compress a response body (reproducibly: no name, ``mtime=0``)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def is_deterministic_query(query: str | None) -> bool:
    """Whether a SPARQL query's answer depends only on the data (no ``NOW()``, ``RAND()`` ...)."""
    return not (query and _NONDETERMINISTIC.search(query))


# --- the hook -----------------------------------------------------------------------------

#: Headers a 304 repeats from the 200 it stands for (RFC 9110, 15.4.5).
_KEEP_ON_304 = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Location", "Expires")


def discovery_links(root: str) -> list[str]:
    """``Link`` values to the catalogue, the VoID description and the SPARQL endpoint.

    :param root: the app's mount point (``request.script_root``), usually empty.
    """
    return [
        f'<{root}/catalog>; rel="describedby"; type="text/turtle"; title="DCAT catalogue"',
        f'<{root}/.well-known/void>; rel="describedby"; type="text/turtle"; '
        'title="VoID description"',
        f'<{root}/sparql>; rel="http://rdfs.org/ns/void#sparqlEndpoint"; title="SPARQL endpoint"',
    ]


def _cacheable(response: Response) -> bool:
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    control = (response.headers.get("Cache-Control") or "").lower()
    if "no-store" in control or "private" in control or "no-cache" in control:
        return False
    if "Set-Cookie" in response.headers or "ETag" in response.headers:
        return False
    if request.path.rstrip("/").endswith("/sparql"):
        return is_deterministic_query(request.args.get("query"))
    return True


def _not_modified(response: Response) -> Response:
    answer = current_app.response_class(status=304)
    for name in _KEEP_ON_304:
        for value in response.headers.getlist(name):
            answer.headers.add(name, value)
    for value in response.headers.getlist("Link"):
        answer.headers.add("Link", value)
    response.close()
    return answer


def after_request(response: Response) -> Response:
    """Add validators, answer conditional requests, compress, and add discovery links."""
    for value in discovery_links(request.script_root):
        response.headers.add("Link", value)
    if response.status_code >= 400:
        response.headers.setdefault("Cache-Control", NO_STORE)
        return response
    if not _cacheable(response):
        return response
    try:
        meta = state.release()
    except StoreError:
        return response  # the data version is unknown while the store is down
    compressible = is_compressible(response.mimetype)
    gzip_now = (
        compressible
        and "Content-Encoding" not in response.headers
        and not response.is_streamed
        and not response.direct_passthrough
        and accepts_gzip(request.headers.get("Accept-Encoding"))
        and (response.content_length or 0) >= MIN_GZIP_BYTES
    )
    coding = "gzip" if gzip_now else response.headers.get("Content-Encoding")
    etag = make_etag(
        meta.data_version,
        response.mimetype or "application/octet-stream",
        response.headers.get("Content-Language"),
        coding,
        g.get("etag_variant"),
    )
    modified = last_modified(meta.modified)
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(modified)
    response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    if compressible or "Content-Encoding" in response.headers:
        response.vary.add("Accept-Encoding")
    if not_modified(
        request.headers.get("If-None-Match"),
        request.headers.get("If-Modified-Since"),
        etag,
        modified,
    ):
        return _not_modified(response)
    if gzip_now:
        response.set_data(gzip_body(response.get_data()))
        response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    """Install the hook. Call it before registering blueprints so that it runs last.

    .. versionadded:: 0.1
    """
    app.after_request(after_request)
