"""The publication blueprint: catalogue, VoID, dumps, sitemap and robots.txt.

``/catalog`` (DCAT-AP 3.0.1) and ``/catalog/dcat-ap-no`` (DCAT-AP-NO 2.00, the URL
to register at data.norge.no), ``/.well-known/void`` and the dumps under
``/download/`` are served from the publication that ``build`` wrote to the output
folder; without a build it is made from the store on first use and kept on the
app. Catalogue and VoID follow the pages' Cool-URIs pattern (:mod:`web.conneg`):
the URL answers 200 with the format chosen from ``Accept`` and names the document
in ``Content-Location`` (``/catalog.ttl``); each document has its own URL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, render_template, request

from hamar_graph.config import Settings
from hamar_graph.pages.catalog_page import catalog_page
from hamar_graph.pages.sitemap import page_paths, robots_txt, sitemap_xml
from hamar_graph.pages.void_page import void_page
from hamar_graph.publication.publish import Publication, load_publication, make_publication
from hamar_graph.publication.release import Release, dataset_from_store, store_release
from hamar_graph.publication.vocabulary import PROFILES
from hamar_graph.rdf.formats import RDF_FORMATS
from hamar_graph.rdf.serialize import serialize_description
from hamar_graph.store.base import Store, StoreError, StoreUnavailable
from web import conneg
from web.caching import accepts_gzip

bp = Blueprint("publication", __name__)


#: The path of each catalogue profile.
CATALOG_PATHS: dict[str, str] = {"dcat-ap": "/catalog", "dcat-ap-no": "/catalog/dcat-ap-no"}


#: Path segments (after the base IRI) that this site serves pages for.
SERVED_ROOTS: tuple[str, ...] = ("id/", "def/", "catalog", "download/", ".well-known/", "sparql")


_LOCK = threading.Lock()


#: Seconds to wait before asking a store that failed for the data version again.
RETRY_AFTER = 30.0


def _settings() -> Settings:
    return current_app.extensions["hamar_settings"]  # type: ignore[no-any-return]


def _store() -> Store:
    return current_app.extensions["hamar_store"]  # type: ignore[no-any-return]


def publication() -> Publication:
    """The app's publication: the build output, or made from the store on first use.

    .. versionadded:: 0.1
    """
    ext = current_app.extensions
    pub = ext.get("hamar_publication")
    if pub is None:
        with _LOCK:
            pub = ext.get("hamar_publication")
            if pub is None:
                settings = _settings()
                pub = load_publication(settings)
                if pub is None:
                    pub = make_publication(dataset_from_store(_store()), settings)
                ext["hamar_publication"] = pub
    return pub  # type: ignore[no-any-return]


def release() -> Release:
    """Version and dates of the served data, for validators (much cheaper than
    :func:`publication`: milliseconds on the embedded store).

    :raises StoreError: when the store cannot answer; for :data:`RETRY_AFTER` seconds
        after that, :class:`StoreUnavailable` at once, so a store that is down does not
        slow every answer down.

    .. versionadded:: 0.1
    """
    ext = current_app.extensions
    cached = ext.get("hamar_release")
    if cached is None:
        failed = ext.get("hamar_release_failed")
        if failed is not None and time.monotonic() - failed < RETRY_AFTER:
            raise StoreUnavailable("the data version is unknown while the store is down")
        with _LOCK:
            cached = ext.get("hamar_release")
            if cached is None:
                pub = ext.get("hamar_publication") or load_publication(_settings())
                if pub is not None:
                    ext["hamar_publication"] = pub
                    cached = Release(pub.meta.data_version, pub.meta.issued, pub.meta.modified)
                else:
                    try:
                        cached = store_release(_store())
                    except StoreError:
                        ext["hamar_release_failed"] = time.monotonic()
                        raise
                ext["hamar_release"] = cached
    return cached  # type: ignore[no-any-return]


def _lang() -> str:
    from web.i18n import choose_language

    return choose_language(request)[0]


def _html(body: str) -> Response:
    response = Response(body, mimetype="text/html")
    response.headers["Content-Language"] = _lang()
    response.vary.add("Accept-Language")
    return response


def _negotiated(
    path: str, suffix: str | None, html: Callable[[], str], rdf: Callable[[str], bytes]
) -> Response:
    """Answer ``path`` (or its ``suffix`` document) in the negotiated format."""
    if suffix is not None:
        key = suffix
    else:
        try:
            key = conneg.choose(request.accept_mimetypes, request.args.get("format"))
        except conneg.UnknownFormat as exc:
            return Response(f"{exc}\n", status=400, mimetype="text/plain")
        except conneg.NotAcceptable as exc:
            return Response(f"{exc}\n", status=406, mimetype="text/plain")
    if key == conneg.HTML:
        response = _html(html())
    else:
        response = Response(rdf(key), mimetype=RDF_FORMATS[key].media_type)
        response.headers["Content-Type"] = RDF_FORMATS[key].content_type
    response.headers["Content-Location"] = conneg.document(path, key)
    response.headers["Link"] = conneg.link_header(path)
    if suffix is None:
        response.vary.update(conneg.VARY.split(", "))
    return response


def _suffix(ext: str | None) -> str | None:
    if ext is None:
        return None
    key = conneg.SUFFIXES.get("." + ext)
    if key is None:
        abort(404)
    return key


def _catalog(profile: str, path: str, ext: str | None) -> Response:
    pub = publication()
    graph = pub.catalogs[profile]
    others = [
        (p.label, "/catalog" if k == "dcat-ap" else f"/catalog/{k}") for k, p in PROFILES.items()
    ]

    def html() -> str:
        page = catalog_page(graph, profile, _lang())
        return render_template(
            "publication/catalog.html",
            page=page,
            alternates=conneg.alternates(path),
            profiles=[o for o in others if o[1] != path],
            local=_local,
        )

    return _negotiated(path, _suffix(ext), html, lambda key: serialize_description(graph, key))


def _local(iri: str) -> str | None:
    """A link to ``iri``: our own IRIs as paths on this host, others unchanged.

    ``None`` for an IRI under the base that the site does not serve (such as the
    shapes graph's IRI), which the templates then show without a link.
    """
    base = _settings().base_iri
    if not iri.startswith(base):
        return iri
    rest = iri[len(base) :]
    return "/" + rest if rest == "" or rest.startswith(SERVED_ROOTS) else None


@bp.get("/catalog")
@bp.get("/catalog.<ext>")
def catalog(ext: str | None = None) -> Response:
    """The DCAT-AP 3.0.1 catalogue."""
    return _catalog("dcat-ap", "/catalog", ext)


@bp.get("/catalog/dcat-ap-no")
@bp.get("/catalog/dcat-ap-no.<ext>")
def catalog_no(ext: str | None = None) -> Response:
    """The same catalogue after DCAT-AP-NO 2.00 (SHA-1 checksums, ``xsd:decimal`` sizes)."""
    return _catalog("dcat-ap-no", "/catalog/dcat-ap-no", ext)


@bp.get("/.well-known/void")
@bp.get("/.well-known/void.<ext>")
def void(ext: str | None = None) -> Response:
    """The VoID description (https://www.w3.org/TR/void/#well-known)."""
    pub = publication()
    path = "/.well-known/void"

    def html() -> str:
        return render_template(
            "publication/void.html",
            page=void_page(pub.void, _lang()),
            alternates=conneg.alternates(path),
            local=_local,
        )

    return _negotiated(path, _suffix(ext), html, lambda key: serialize_description(pub.void, key))


@bp.get("/download/")
def downloads() -> Response:
    """The list of dump files with sizes and checksums."""
    pub = publication()
    return _html(render_template("publication/downloads.html", files=pub.files, meta=pub.meta))


@bp.get("/download/<name>")
def download(name: str) -> Response:
    """One dump file. A plain file is sent gzip-encoded when the client accepts it."""
    pub = publication()
    f = pub.file(name)
    if f is None:
        abort(404)
    body = None
    encoded = False
    if not f.compressed and accepts_gzip(request.headers.get("Accept-Encoding")):
        gz = pub.file(name + ".gz")
        if gz is not None:
            body, encoded = pub.read(gz.name), True
    response = Response(body if body is not None else pub.read(name))
    response.headers["Content-Type"] = f.content_type
    if encoded:
        response.headers["Content-Encoding"] = "gzip"
    if not f.compressed:
        response.vary.add("Accept-Encoding")
    return response


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every page of the site (https://www.sitemaps.org/protocol.html)."""
    root = request.url_root.rstrip("/")
    body = sitemap_xml(root, page_paths(_store(), _settings().base_iri), release().modified)
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawl rules, and where the sitemap is."""
    return Response(robots_txt(request.url_root.rstrip("/")), mimetype="text/plain")
