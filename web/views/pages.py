"""The pages blueprint: home, resources (``/id/…``), ontology (``/def/…``), index
pages, search and plan completeness.

Routes parse the request, call one :mod:`hamar_graph` function and choose the
format (:mod:`web.conneg`). What is built once per app (ontology labels, plan
gaps, the resource index) lives in ``app.extensions["hamar_pages"]``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import URIRef
from werkzeug.exceptions import HTTPException, NotFound

from hamar_graph import i18n
from hamar_graph.config import Settings
from hamar_graph.pages import entity as entity_lib
from hamar_graph.pages.gaps import CompletenessPage, PlanGaps, completeness_page, message, plan_gaps
from hamar_graph.pages.home import home_page, picture_title
from hamar_graph.pages.indexes import KindNotFound, index_page, register_page
from hamar_graph.pages.ontology_doc import (
    TermNotFound,
    Vocabulary,
    load_vocabulary,
    ontology_page,
    term_page,
)
from hamar_graph.pages.search import ResourceIndex, build_index, search
from hamar_graph.query import named as queries
from hamar_graph.rdf.serialize import serialize
from hamar_graph.store.base import Store
from web import conneg
from web.i18n import choose_language

bp = Blueprint("pages", __name__)


@dataclass
class SiteData:
    """What the pages compute once per app."""

    vocab: Vocabulary
    gaps: PlanGaps
    index: ResourceIndex
    completeness: dict[str, CompletenessPage] = field(default_factory=dict)


_LOCK = threading.Lock()


def _settings() -> Settings:
    return current_app.extensions["hamar_settings"]  # type: ignore[no-any-return]


def _store() -> Store:
    return current_app.extensions["hamar_store"]  # type: ignore[no-any-return]


def site() -> SiteData:
    """The once-per-app data, built on first use (thread-safe)."""
    cached = current_app.extensions.get("hamar_pages")
    if cached is None:
        with _LOCK:
            cached = current_app.extensions.get("hamar_pages")
            if cached is None:
                store, base = _store(), _settings().base_iri
                cached = SiteData(
                    load_vocabulary(store, base), plan_gaps(store), build_index(store, base)
                )
                current_app.extensions["hamar_pages"] = cached
    return cached  # type: ignore[no-any-return]


def lang() -> str:
    """The language of this request's page."""
    return choose_language(request)[0]


def href(path: str, **params: Any) -> str:
    """An internal link that keeps an explicitly chosen language (``?lang=en``)."""
    chosen, explicit = choose_language(request)
    query = {k: v for k, v in params.items() if v is not None}
    if explicit:
        query["lang"] = chosen
    return path + ("?" + urlencode(query) if query else "")


def switch_href() -> str:
    """This page in the other language (the visible switch)."""
    other = "en" if lang() == "nb" else "nb"
    params = {k: v for k, v in request.args.items() if k != "lang"}
    params["lang"] = other
    return request.path + "?" + urlencode(params)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    current = lang()
    return {
        "lang": current,
        "other_lang": "en" if current == "nb" else "nb",
        "t": lambda key, **values: i18n.text(key, current, **values),
        "href": href,
        "switch_href": switch_href,
        "explicit_lang": choose_language(request)[1],
        "message": lambda code: message(code, current),
        "picture_title": lambda name: picture_title(name, current),
    }


def _html(body: str, status: int = 200, vary: bool = True) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Language"] = lang()
    if vary:
        response.vary.add("Accept-Language")
    return response


def _negotiate(path: str, suffix: str | None) -> str:
    """The format to answer with; a suffix document never negotiates."""
    if suffix is not None:
        return suffix
    try:
        return conneg.choose(request.accept_mimetypes, request.args.get("format"))
    except conneg.UnknownFormat as exc:
        raise _plain(400, str(exc)) from exc
    except conneg.NotAcceptable as exc:
        raise _plain(406, str(exc)) from exc


class _PlainError(HTTPException):
    def __init__(self, response: Response) -> None:
        super().__init__(response=response)


def _plain(status: int, text: str) -> _PlainError:
    response = Response(text + "\n", status=status, mimetype="text/plain")
    response.vary.update(conneg.VARY.split(", "))
    return _PlainError(response)


def _finish(response: Response, path: str, key: str, negotiated: bool) -> Response:
    response.headers["Content-Location"] = conneg.document(path, key)
    response.headers["Link"] = conneg.link_header(path)
    if negotiated:
        response.vary.update(conneg.VARY.split(", "))
    return response


def _rdf(graph_triples: Any, path: str, key: str, negotiated: bool) -> Response:
    from hamar_graph.rdf.formats import RDF_FORMATS

    body = serialize(graph_triples, key)
    response = Response(body, mimetype=RDF_FORMATS[key].media_type)
    response.headers["Content-Type"] = RDF_FORMATS[key].content_type
    return _finish(response, path, key, negotiated)


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    """A thing: ``/id/{kind}/{slug}`` (negotiated) or one of its documents (``.ttl`` …)."""
    if rest.endswith("/"):
        return kind_index(rest.rstrip("/"))
    path, suffix = conneg.split_suffix("/id/" + rest)
    key = _negotiate(path, suffix)
    iri = _settings().base_iri + path.lstrip("/")
    store = _store()
    if key != conneg.HTML:
        try:
            graph = entity_lib.describe_graph(store, iri)
        except entity_lib.NotFound:
            raise _not_found(rdf=True) from None
        return _rdf(graph, path, key, suffix is None)
    data = site()
    try:
        page = entity_lib.describe(
            store, iri, base=_settings().base_iri, lang=lang(), vocab=data.vocab, gaps=data.gaps
        )
    except entity_lib.NotFound:
        raise _not_found() from None
    body = render_template("entity.html", page=page, alternates=conneg.alternates(path), path=path)
    return _finish(_html(body), path, key, suffix is None)


@bp.get("/id/")
def register() -> Response:
    """Every kind of thing, with counts."""
    page = register_page(site().index, lang(), site().vocab.labeller())
    return _html(render_template("register.html", page=page))


def kind_index(kind: str) -> Response:
    """The index page of one kind (``/id/akse/``), paginated with ``?side=``."""
    settings = _settings()
    try:
        number = int(request.args.get("side", "1"))
    except ValueError:
        number = 1
    try:
        page = index_page(
            site().index,
            kind,
            lang=lang(),
            labeller=site().vocab.labeller(),
            page=number,
            page_size=settings.page_size,
        )
    except KindNotFound:
        raise _not_found() from None
    return _html(render_template("class.html", page=page))


@bp.get("/def/<path:rest>")
def term(rest: str) -> Response:
    """The ontology (``/def/hamar``) or one of its terms (``/def/Axis``), negotiated."""
    path, suffix = conneg.split_suffix("/def/" + rest)
    key = _negotiate(path, suffix)
    settings = _settings()
    iri = settings.base_iri + path.lstrip("/")
    data = site()
    is_ontology = URIRef(iri) == data.vocab.ontology_iri
    if key != conneg.HTML:
        if is_ontology:
            graph = _store().construct(
                queries.GRAPH_TRIPLES, {"g": URIRef(settings.base_iri + "graph/ontology-hamar")}
            )
            if len(graph) == 0:
                raise _not_found(rdf=True)
        else:
            if URIRef(iri) not in data.vocab.kinds:
                raise _not_found(rdf=True)
            graph = entity_lib.describe_graph(_store(), iri)
        return _rdf(graph, path, key, suffix is None)
    if is_ontology:
        body = render_template(
            "ontology.html",
            page=ontology_page(data.vocab, lang()),
            alternates=conneg.alternates(path),
        )
    else:
        try:
            tpage = term_page(data.vocab, iri, lang())
        except TermNotFound:
            raise _not_found() from None
        body = render_template("term.html", page=tpage, alternates=conneg.alternates(path))
    return _finish(_html(body), path, key, suffix is None)


@bp.get("/def/")
def ontology_root() -> Response:
    """``/def/`` shows the ontology page too (the namespace document)."""
    page = ontology_page(site().vocab, lang())
    return _html(
        render_template("ontology.html", page=page, alternates=conneg.alternates(page.path))
    )


@bp.get("/")
def index() -> Response:
    """The home page."""
    page = home_page(_store(), _settings().base_iri, lang())
    return _html(render_template("index.html", page=page))


@bp.get("/sok")
def search_page() -> Response:
    """Search over labels and texts (a plain GET form; no JavaScript)."""
    query = request.args.get("q", "").strip()[:200]
    try:
        number = int(request.args.get("side", "1"))
    except ValueError:
        number = 1
    result = search(
        site().index,
        query,
        lang=lang(),
        labeller=site().vocab.labeller(),
        page=number,
        page_size=_settings().page_size,
    )
    return _html(render_template("search.html", page=result))


@bp.get("/fullstendighet")
def completeness() -> Response:
    """What the plan lacks, per axis."""
    data, current = site(), lang()
    page = data.completeness.get(current)
    if page is None:
        page = data.completeness[current] = completeness_page(
            data.gaps, _settings().base_iri, current
        )
    return _html(render_template("completeness.html", page=page))


def _wants_rdf() -> bool:
    try:
        return conneg.choose(request.accept_mimetypes, request.args.get("format")) != conneg.HTML
    except (conneg.UnknownFormat, conneg.NotAcceptable):
        return True


def _not_found(rdf: bool = False) -> HTTPException:
    if rdf or _wants_rdf():
        return _plain(404, i18n.text("page.not_found_rdf", lang()))
    response = _html(render_template("404.html"), status=404)
    response.vary.update(conneg.VARY.split(", "))
    return _PlainError(response)


@bp.app_errorhandler(404)
def page_not_found(error: NotFound) -> Response:
    """A 404 page that helps: search box and a link home, in the chosen language."""
    exc = _not_found()
    assert exc.response is not None
    return exc.response  # type: ignore[return-value]
