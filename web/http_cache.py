"""App-wide HTTP caching, compression and discovery links.

Installed by :func:`init_app` as an ``after_request`` hook that runs after the
views (and after every blueprint's own hooks). For each successful GET or HEAD
whose answer depends only on the data:

- ``ETag`` from the data version, the media type, the page language and the
  content coding (:func:`hamar_graph.caching.make_etag`);
- ``Last-Modified`` from the data's ``dct:modified``;
- ``304 Not Modified`` for a matching ``If-None-Match`` or ``If-Modified-Since``;
- ``Cache-Control: public, max-age=3600``;
- gzip for text bodies when ``Accept-Encoding`` allows it, with ``Vary: Accept-Encoding``.

Errors get ``Cache-Control: no-store`` and no validators. Answers that already
carry their own validators (static files) or say ``no-store``/``private``, and
SPARQL queries that use ``NOW()``, ``RAND()`` and the like, are left alone.

Every response, errors included, carries ``Link`` headers to the catalogue, the
VoID description and the SPARQL endpoint (RFC 8288).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from hamar_graph.store.base import StoreError
from web import state
from web.caching import (
    CACHE_CONTROL,
    MIN_GZIP_BYTES,
    NO_STORE,
    accepts_gzip,
    gzip_body,
    http_date,
    is_compressible,
    is_deterministic_query,
    last_modified,
    make_etag,
    not_modified,
)

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
