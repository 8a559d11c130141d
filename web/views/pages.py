"""The pages blueprint: home, resources (``/id/…``), ontology (``/def/…``), named graphs
(``/graph/…``), shapes (``/shapes/…``) and skolem IRIs (``/.well-known/genid/…``), the
action plan's CSV, the responsibility page (``/ansvar``), index pages, search and plan
completeness.

Routes parse the request, call one :mod:`hamar_graph` function and choose the
format (:mod:`web.conneg`). What is built once per app (ontology labels, plan
gaps, the pages' database) is :func:`web.state.site`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from rdflib import URIRef
from rdflib.namespace import OWL
from werkzeug.exceptions import HTTPException, NotFound

from hamar_graph import i18n
from hamar_graph.config import Settings
from hamar_graph.pages import entity as entity_lib
from hamar_graph.pages.action_plan import plan_csv
from hamar_graph.pages.gaps import chosen_strategy, message, strategy_completeness
from hamar_graph.pages.home import home_page, picture_title
from hamar_graph.pages.indexes import KindNotFound, index_page, register_page
from hamar_graph.pages.ontology_doc import (
    TermNotFound,
    ontology_page,
    term_page,
)
from hamar_graph.pages.resource import ResourcePage, plan_of, resource_page
from hamar_graph.pages.responsibility import responsibility_page
from hamar_graph.pages.search import search
from hamar_graph.pages.site import SiteData
from hamar_graph.query import named as queries
from hamar_graph.rdf.serialize import serialize
from hamar_graph.store.base import Store
from web import conneg, markup, state
from web.i18n import choose_language

bp = Blueprint("pages", __name__)


def _settings() -> Settings:
    return state.settings()


def _store() -> Store:
    return state.store()


def site() -> SiteData:
    """The once-per-app data (:func:`web.state.site`)."""
    return state.site()


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


def language_versions() -> list[tuple[str, str]]:
    """``(hreflang, URL)`` of this page in every language, as the sitemap lists them."""
    params = {k: v for k, v in request.args.items() if k != "lang"}
    query = "?" + urlencode(params) if params else ""
    out = []
    for code in i18n.LANGUAGES:
        extra = {} if code == i18n.DEFAULT_LANGUAGE else {"lang": code}
        joined = urlencode({**params, **extra})
        out.append((code, request.path + ("?" + joined if joined else "")))
    return [*out, ("x-default", request.path + query)]


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    current = lang()
    return {
        "lang": current,
        "other_lang": "en" if current == "nb" else "nb",
        "t": lambda key, **values: i18n.text(key, current, **values),
        "href": href,
        "text": markup.text,
        "lang_attr": markup.lang_attr,
        "link": lambda l, page_lang: markup.link(l, page_lang, href),  # noqa: E741
        "search_hits": lambda hits, page_lang: markup.search_hits(hits, page_lang, href),
        "switch_href": switch_href,
        "language_versions": language_versions,
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


#: The template of each view of a resource page.
_TEMPLATES = {
    "entity": "entity.html",
    "document": "document.html",
    "plan": "action_plan.html",
    "graph": "graph.html",
}


def _resource(path: str, suffix: str | None, *, graph: bool = False) -> Response:
    """Answer for the IRI ``{base}{path}``: its page, or its RDF (a named graph's RDF is
    the graph itself; any other IRI's is its description)."""
    base = _settings().base_iri
    iri = base + path.lstrip("/")
    store = _store()

    def html() -> Response:
        data = site()
        try:
            res: ResourcePage = resource_page(
                store,
                iri,
                base=base,
                lang=lang(),
                vocab=data.vocab,
                gaps=data.gaps,
                page=_page_number(),
                page_size=_settings().page_size,
                graph_sizes=data.db.graph_size,
            )
        except entity_lib.NotFound:
            raise _not_found() from None
        body = render_template(
            _TEMPLATES[res.view],
            page=res.entity,
            res=res,
            alternates=conneg.alternates(path),
            path=path,
        )
        return _html(body)

    def rdf(key: str) -> bytes:
        if graph and site().db.graph_size(iri) is not None:  # a named graph: the graph itself
            return serialize(store.construct(queries.GRAPH_TRIPLES, {"g": URIRef(iri)}), key)
        try:
            return serialize(entity_lib.describe_graph(store, iri), key)
        except entity_lib.NotFound:
            raise _not_found(rdf=True) from None

    return conneg.respond(path, suffix, html, rdf)


@bp.get("/id/<path:rest>")
def resource(rest: str) -> Response:
    """A thing: ``/id/{kind}/{slug}`` (negotiated) or one of its documents (``.ttl`` …);
    an action plan's table as CSV (``.csv``)."""
    if rest.endswith("/"):
        return kind_index(rest.rstrip("/"))
    if rest.endswith(".csv") and len(rest) > 4:
        return plan_table_csv("/id/" + rest[: -len(".csv")])
    path, suffix = conneg.split_suffix("/id/" + rest)
    return _resource(path, suffix)


def plan_table_csv(path: str) -> Response:
    """The action plan at ``path`` as CSV (UTF-8 with BOM, ``;``, CRLF: Excel-friendly)."""
    base = _settings().base_iri
    current = lang()
    try:
        table = plan_of(_store(), base + path.lstrip("/"), base=base, lang=current)
    except entity_lib.NotFound:
        raise _not_found() from None
    response = Response(plan_csv(table), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    name = path.rstrip("/").rsplit("/", 1)[-1]
    suffix = "" if current == "nb" else f"-{current}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    response.headers["Content-Language"] = current
    response.vary.add("Accept-Language")
    return response


@bp.get("/graph/<path:rest>")
def named_graph(rest: str) -> Response:
    """A named graph (its statements as RDF, a page for people) or a version IRI of one."""
    path, suffix = conneg.split_suffix("/graph/" + rest)
    return _resource(path, suffix, graph=True)


@bp.get("/shapes/")
@bp.get("/shapes/<path:rest>")
def shape(rest: str = "") -> Response:
    """A SHACL shape (``/shapes/S01``) or the shapes document (``/shapes/``)."""
    path, suffix = conneg.split_suffix("/shapes/" + rest)
    return _resource(path, suffix)


@bp.get("/.well-known/genid/<path:rest>")
def skolem(rest: str) -> Response:
    """A skolem IRI: a node the sources wrote without a name (an identifier, a rule part)."""
    path, suffix = conneg.split_suffix("/.well-known/genid/" + rest)
    return _resource(path, suffix)


@bp.get("/ansvar")
def responsibility() -> Response:
    """Who answers for what: the chart of section 5 as a table and a picture, the actors."""
    settings = _settings()
    page = responsibility_page(
        _store(),
        settings.base_iri,
        lang(),
        site().vocab.labeller(),
        strategy_iri=settings.strategy_iri,
    )
    return _html(render_template("ansvar.html", page=page))


@bp.get("/id/")
def register() -> Response:
    """Every kind of thing, with counts."""
    settings = _settings()
    page = register_page(
        site().db,
        settings.base_iri,
        lang(),
        site().vocab.labeller(),
        page_size=settings.page_size,
    )
    return _html(render_template("register.html", page=page))


def _page_number() -> int:
    """``?side=N`` (1 when absent or not a number)."""
    try:
        return int(request.args.get("side", "1"))
    except ValueError:
        return 1


def kind_index(kind: str) -> Response:
    """The index page of one kind (``/id/akse/``), paginated with ``?side=``."""
    settings = _settings()
    number = _page_number()
    try:
        page = index_page(
            site().db,
            kind,
            base=settings.base_iri,
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
    """The ontology (``/def/hamar`` and its version IRI) or one of its terms (``/def/Axis``),
    negotiated; any other IRI under ``/def/`` the graph mentions (an earlier version) has
    its description."""
    path, suffix = conneg.split_suffix("/def/" + rest)
    settings = _settings()
    iri = settings.base_iri + path.lstrip("/")
    data = site()
    versions = {str(v) for v in data.vocab.values(data.vocab.ontology_iri, OWL.versionIRI)}
    is_ontology = URIRef(iri) == data.vocab.ontology_iri or iri in versions
    is_term = URIRef(iri) in data.vocab.kinds and not is_ontology
    if not is_ontology and not is_term:
        return _resource(path, suffix)

    def html() -> Response:
        if is_ontology:
            return _html(
                render_template(
                    "ontology.html",
                    page=ontology_page(data.vocab, lang()),
                    alternates=conneg.alternates(path),
                )
            )
        try:
            tpage = term_page(data.vocab, iri, lang())
        except TermNotFound:
            raise _not_found() from None
        return _html(render_template("term.html", page=tpage, alternates=conneg.alternates(path)))

    def rdf(key: str) -> bytes:
        if is_ontology:
            graph = _store().construct(
                queries.GRAPH_TRIPLES, {"g": URIRef(settings.base_iri + "graph/ontology-hamar")}
            )
            if len(graph) == 0:
                raise _not_found(rdf=True)
        else:
            graph = entity_lib.describe_graph(_store(), iri)
        return serialize(graph, key)

    return conneg.respond(path, suffix, html, rdf)


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
    settings = _settings()
    page = home_page(_store(), settings.base_iri, lang(), settings.strategy_iri)
    return _html(render_template("index.html", page=page))


@bp.get("/sok")
def search_page() -> Response:
    """Search over names and texts, grouped by kind (a plain GET form; no JavaScript).

    ``?q=`` the query, ``?type=`` one kind only, ``?side=`` the page.
    """
    settings = _settings()
    query = request.args.get("q", "").strip()[:200]
    group = request.args.get("type")
    result = search(
        site().db,
        query,
        base=settings.base_iri,
        lang=lang(),
        labeller=site().vocab.labeller(),
        page=_page_number(),
        page_size=settings.page_size,
        group=group,
    )
    return _html(render_template("search.html", page=result))


@bp.get("/fullstendighet")
def completeness() -> Response:
    """What one strategy's plan lacks, per axis (``?strategi=/id/dokument/…``), and a
    page of the other strategies (``?side=``)."""
    settings, db = _settings(), site().db
    wanted = request.args.get("strategi", "")
    wanted_iri = settings.base_iri + wanted.lstrip("/") if wanted else None
    strategy = chosen_strategy(db, wanted_iri, settings.strategy_iri)
    scoped = strategy_completeness(
        db, strategy, settings.base_iri, lang(), page=_page_number(), page_size=settings.page_size
    )
    return _html(render_template("completeness.html", page=scoped.completeness, scope=scoped))


def _not_found(rdf: bool = False) -> HTTPException:
    if rdf or conneg.wants_rdf():
        return conneg.plain(404, i18n.text("page.not_found_rdf", lang()))
    response = _html(render_template("404.html"), status=404)
    response.vary.update(conneg.VARY.split(", "))
    return conneg.PlainError(response)


@bp.app_errorhandler(404)
def page_not_found(error: NotFound) -> Response:
    """A 404 page that helps: search box and a link home, in the chosen language."""
    exc = _not_found()
    assert exc.response is not None
    return exc.response  # type: ignore[return-value]
