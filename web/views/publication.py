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

import hashlib

from flask import Blueprint, Response, abort, g, render_template, request

from hamar_graph.config import Settings
from hamar_graph.pages.catalog_page import catalog_page
from hamar_graph.pages.sitemap import page_paths, robots_txt, sitemap_xml
from hamar_graph.pages.void_page import void_page
from hamar_graph.publication.locations import served_public_url
from hamar_graph.publication.publish import Publication, describes, description_file
from hamar_graph.publication.release import Release
from hamar_graph.publication.vocabulary import PROFILES
from hamar_graph.rdf.names import SERVED, local_path
from hamar_graph.rdf.serialize import serialize_description
from hamar_graph.store.base import Store
from web import conneg, state
from web.http_cache import accepts_gzip

bp = Blueprint("publication", __name__)


#: The path of each catalogue profile.
CATALOG_PATHS: dict[str, str] = {"dcat-ap": "/catalog", "dcat-ap-no": "/catalog/dcat-ap-no"}


def _settings() -> Settings:
    return state.settings()


def _store() -> Store:
    return state.store()


def publication() -> Publication:
    """The app's publication (:func:`web.state.publication`)."""
    return state.publication()


def release() -> Release:
    """The served data's version and dates (:func:`web.state.release`)."""
    return state.release()


def _lang() -> str:
    from web.i18n import choose_language

    return choose_language(request)[0]


def _html(body: str) -> Response:
    response = Response(body, mimetype="text/html")
    response.headers["Content-Language"] = _lang()
    response.vary.add("Accept-Language")
    return response


def _suffix(ext: str | None) -> str | None:
    """The format key of a ``.{ext}`` document URL (404 for an unknown suffix)."""
    if ext is None:
        return None
    key = conneg.SUFFIXES.get("." + ext)
    if key is None:
        abort(404)
    return key


def public_url(files_at: str | None = None) -> str:
    """Where this request finds the files (:func:`served_public_url`).

    When that is not where the files say they are (``files_at``: the publication's
    recorded location; by default the settings' public URL or base IRI), the answer
    differs from the files, so its entity tag gets a variant of its own
    (:func:`web.http_cache.make_etag`).
    """
    settings = _settings()
    url = served_public_url(settings, request.url_root)
    if url != (files_at or settings.public_url or settings.base_iri):
        g.etag_variant = "at-" + hashlib.sha256(url.encode()).hexdigest()[:10]
    return url


def _missing(key: str) -> Response:
    """503 for a build output whose catalogue or VoID file is empty: say which, and what
    to do, rather than a 500 from the page or an empty document a harvester would take."""
    body = (
        f"This server's build output has no {'VoID' if key == 'void' else 'catalogue'}: its "
        f"{description_file(key)} is empty. Run `hamar-graph build` and restart the server.\n"
    )
    return Response(body, status=503, mimetype="text/plain")


def _catalog(profile: str, path: str, ext: str | None) -> Response:
    pub = publication()
    graph = pub.located(profile, public_url(pub.meta.location))
    if not describes(graph, profile):
        return _missing(profile)
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

    return conneg.respond(
        path, _suffix(ext), lambda: _html(html()), lambda key: serialize_description(graph, key)
    )


def _local(iri: str) -> str | None:
    """A link to ``iri``: our own IRIs as paths on this host, others unchanged.

    ``None`` for an IRI under the base that the site does not serve (such as the
    shapes graph's IRI), which the templates then show without a link. Locations on this
    server (download URLs, the endpoint) become paths too.
    """
    base = _settings().base_iri
    if iri.startswith(base):
        return "/" if iri == base else local_path(iri, base, SERVED)
    located = served_public_url(_settings(), request.url_root)
    if iri.startswith(located):
        return "/" + iri[len(located) :]
    return iri


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
    graph = pub.located("void", public_url(pub.meta.location))
    if not describes(graph, "void"):
        return _missing("void")

    def html() -> str:
        return render_template(
            "publication/void.html",
            page=void_page(graph, _lang()),
            alternates=conneg.alternates(path),
            local=_local,
        )

    return conneg.respond(
        path, _suffix(ext), lambda: _html(html()), lambda key: serialize_description(graph, key)
    )


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
    root = public_url().rstrip("/")
    body = sitemap_xml(root, page_paths(_store(), _settings().base_iri), release().modified)
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawl rules, and where the sitemap is."""
    return Response(robots_txt(public_url().rstrip("/")), mimetype="text/plain")
