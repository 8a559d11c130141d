"""The page of any IRI we mint, chosen by what it is.

:func:`resource_page` is what a resource's URL shows a person: the facts of the
resource (:func:`~hamar_graph.pages.entity.describe`, three queries) and, for the kinds
staff read as a whole, the whole: a strategy document as a document (its sections with
texts and tables), an action plan as its table, a named graph with its size. Every IRI
under the base that the graph mentions has a page (things, terms' versions, shapes,
skolem IRIs); a named graph has one even when nothing describes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from rdflib import URIRef
from rdflib.namespace import RDF

from hamar_graph import i18n
from hamar_graph.namespaces import HMS
from hamar_graph.pages.action_plan import ActionPlanTable, action_plan_table
from hamar_graph.pages.document import DocSection, section_tree
from hamar_graph.pages.entity import EntityPage, NotFound, describe, kind_of
from hamar_graph.pages.facts import PAGE_ROOTS
from hamar_graph.pages.gaps import PlanGaps
from hamar_graph.pages.home import AxisSummary, axes_of
from hamar_graph.pages.labels import Text
from hamar_graph.pages.ontology_doc import Vocabulary
from hamar_graph.pages.responsibility import ChartTable, chart_table
from hamar_graph.query import named as queries
from hamar_graph.rdf.names import local_name, local_path
from hamar_graph.store.base import Store


@dataclass(frozen=True)
class DocumentView:
    """A strategy document read as a document: sections in order, and its tables."""

    sections: tuple[DocSection, ...]
    axes: tuple[AxisSummary, ...]
    chart: ChartTable | None
    plan: ActionPlanTable | None

    def toc(self) -> list[tuple[int, DocSection]]:
        """(depth, section) in reading order, for the table of contents."""
        out: list[tuple[int, DocSection]] = []

        def walk(sections: tuple[DocSection, ...], depth: int) -> None:
            for s in sections:
                out.append((depth, s))
                walk(s.children, depth + 1)

        walk(self.sections, 0)
        return out


@dataclass(frozen=True)
class GraphView:
    """A named graph: how many statements it holds."""

    triples: int


@dataclass(frozen=True)
class ResourcePage:
    """What a resource's URL shows a person.

    ``view`` is ``document``, ``plan``, ``graph`` or ``entity``.
    """

    entity: EntityPage
    view: str
    document: DocumentView | None = None
    plan: ActionPlanTable | None = None
    graph: GraphView | None = None


def _types(page: EntityPage) -> set[str]:
    return set(page.values_of(str(RDF.type)))


def document_view(
    store: Store, doc: str, page: EntityPage, *, base: str, lang: str
) -> DocumentView:
    """The strategy ``doc`` as a document (six queries: sections, what they name, table
    4.6, the chart, the action plan's goals and measures)."""
    sections = section_tree(store, doc, base=base, lang=lang, skip=doc)
    tables = {s.table for top in sections for s in top.walk()}
    plans = page.values_of(str(HMS.hasActionPlan))
    return DocumentView(
        sections=sections,
        axes=axes_of(store, URIRef(doc), base, lang) if "axes" in tables else (),
        chart=chart_table(store, doc, base=base, lang=lang) if "chart" in tables else None,
        plan=action_plan_table(store, plans[0], base=base, lang=lang)
        if plans and "plan" in tables
        else None,
    )


def _graph_page(store: Store, iri: str, base: str, lang: str) -> EntityPage:
    """The page of a named graph that nothing describes (the derived graph)."""
    name = local_name(iri)
    key = f"page.graph_{name}" if name == "derived" else "page.graph_untitled"
    title = Text(i18n.text(key, lang, name=name), lang)
    path = local_path(iri, base, PAGE_ROOTS) or iri
    return EntityPage(
        iri=iri,
        path=path,
        lang=lang,
        kind="",
        kind_label="",
        title=title,
        types=(),
        texts=(),
        properties=(),
        incoming=(),
        breadcrumbs=(),
        sections=(),
        external=(),
        warnings=(),
        jsonld="{}",
    )


def resource_page(
    store: Store,
    iri: str,
    *,
    base: str,
    lang: str,
    vocab: Vocabulary,
    gaps: PlanGaps | None = None,
    page: int = 1,
    page_size: int = 0,
    graph_sizes: Callable[[str], int | None] | None = None,
) -> ResourcePage:
    """The page of ``iri`` in ``lang`` (long lists in slices: ``page`` of ``page_size``).

    :param graph_sizes: a named graph's triples as ``build`` counted them, ``None`` for an
        IRI that names no graph (:meth:`~hamar_graph.pages.stored.PagesDB.graph_size`);
        without it, the store lists its graphs and counts the triples (two queries whose
        cost grows with the data: 0.4 s at 356 strategies on the Oxigraph server).

    :raises NotFound: when the graph says nothing about ``iri`` and it names no graph.
    """
    if graph_sizes is not None:
        size = graph_sizes(iri)
        is_graph = size is not None
    else:
        size = None
        is_graph = iri.startswith(base + "graph/") and URIRef(iri) in set(store.graph_names())
    try:
        entity = describe(
            store,
            iri,
            base=base,
            lang=lang,
            vocab=vocab,
            gaps=gaps,
            page=page,
            page_size=page_size,
        )
    except NotFound:
        if not is_graph:
            raise
        entity = _graph_page(store, iri, base, lang)
    if is_graph:
        if size is None:
            rows = store.select(queries.GRAPH_SIZE, {"g": URIRef(iri)})
            size = int(str(rows[0]["triples"])) if rows else 0
        return ResourcePage(entity, "graph", graph=GraphView(size))
    types = _types(entity)
    if str(HMS.StrategyDocument) in types:
        view = document_view(store, iri, entity, base=base, lang=lang)
        return ResourcePage(_without(entity, HMS.hasSection), "document", document=view)
    if str(HMS.ActionPlan) in types:
        plan = action_plan_table(store, iri, base=base, lang=lang)
        return ResourcePage(_without(entity, HMS.hasGoal), "plan", plan=plan)
    return ResourcePage(entity, "entity")


def _without(page: EntityPage, predicate: URIRef) -> EntityPage:
    """``page`` without the facts a view shows in full (the plan's goals, the sections)."""
    return replace(page, properties=tuple(r for r in page.properties if r.iri != str(predicate)))


def plan_of(store: Store, iri: str, *, base: str, lang: str) -> ActionPlanTable:
    """The table of action plan ``iri`` for its CSV (two queries).

    :raises NotFound: when ``iri`` is no action plan the graph knows (its table is empty).
    """
    table = action_plan_table(store, iri, base=base, lang=lang)
    if not table.axes:
        raise NotFound(iri)
    return table


__all__ = [
    "DocumentView",
    "GraphView",
    "NotFound",
    "ResourcePage",
    "document_view",
    "kind_of",
    "plan_of",
    "resource_page",
]
