"""Who answers for what: the responsibility chart of section 5 and the strategy's actors.

:func:`chart_table` reads the chart (one query): its areas in the chart's order, the
actors responsible for each, and the statement of a reading that pairs them (the
source lists the boxes and the "Ansvar" row without pairing them; data/README.md, R1).
:func:`responsibility_page` is the "Ansvar" page: the chart as a table and as a
picture, every actor the chart names with what they answer for, the text of the
section the chart belongs to, and the strategy's other actors (five queries).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import ORG

from hamar_graph import i18n
from hamar_graph.namespaces import HMS
from hamar_graph.pages import diagrams
from hamar_graph.pages.action_plan import Named, named_link
from hamar_graph.pages.diagrams import ChartArea
from hamar_graph.pages.diagrams import Node as PictureNode
from hamar_graph.pages.document import DocSection, section_tree
from hamar_graph.pages.facts import PAGE_ROOTS, reading_statement
from hamar_graph.pages.home import strategy_rows
from hamar_graph.pages.labels import Labeller, Text, labels_by, sort_key
from hamar_graph.query import named as queries
from hamar_graph.rdf.names import local_name, local_path
from hamar_graph.store.base import Store


@dataclass(frozen=True)
class ChartActor:
    """An actor in a box of the chart, and the statement of the reading that puts it there."""

    actor: Named
    reading: Named | None


@dataclass(frozen=True)
class ChartRow:
    """One box of the chart and who answers for it."""

    area: Named
    order: int
    actors: tuple[ChartActor, ...]


@dataclass(frozen=True)
class ChartTable:
    """The chart: the section it is in (and the section that one is part of), and its
    boxes in order."""

    section: Named | None
    rows: tuple[ChartRow, ...]
    parent: str | None = None

    @property
    def actors(self) -> tuple[Named, ...]:
        """The actors of the chart, each once, in the order of the boxes."""
        seen: dict[str, Named] = {}
        for row in self.rows:
            for a in row.actors:
                seen.setdefault(a.actor.iri, a.actor)
        return tuple(seen.values())


@dataclass(frozen=True)
class ActorEntry:
    """An actor of the strategy: what kind it is, what it answers for, its members."""

    actor: Named
    kinds: tuple[str, ...]
    in_chart: bool
    answers_for: tuple[Named, ...]
    members: tuple[ChartActor, ...]


@dataclass(frozen=True)
class ResponsibilityPage:
    """The "Ansvar" page."""

    lang: str
    strategy: Named | None
    chart: ChartTable
    chart_svg: str
    chart_actors: tuple[ActorEntry, ...]
    other_actors: tuple[ActorEntry, ...]
    sections: tuple[DocSection, ...]


def _statement(iri: str | None, base: str, lang: str) -> Named | None:
    if iri is None:
        return None
    label = Text(i18n.text("page.reading_mark", lang), lang)
    return Named(iri, local_path(iri, base, PAGE_ROOTS) or iri, label)


def chart_table(store: Store, doc: str, *, base: str, lang: str) -> ChartTable:
    """The responsibility chart of strategy ``doc`` (one query)."""
    rows = store.select(queries.RESPONSIBILITY_CHART, {"doc": URIRef(doc)})
    area_labels = labels_by(rows, "area", "arealabel")
    actor_labels = labels_by(rows, "actor", "actorlabel")
    areas: dict[str, tuple[int, dict[str, str | None]]] = {}
    section: str | None = None
    parent: str | None = None
    for row in rows:
        section = section or str(row["section"])
        parent = parent or (str(row["parent"]) if "parent" in row else None)
        order = int(str(row["order"])) if "order" in row else 0
        _, actors = areas.setdefault(str(row["area"]), (order, {}))
        if "actor" in row:
            actor = str(row["actor"])
            statement = reading_statement(row, HMS.responsibleActor, row["actor"])
            if actors.get(actor) is None:
                actors[actor] = statement
    chart = tuple(
        ChartRow(
            area=named_link(area, area_labels[area], base, lang),
            order=order,
            actors=tuple(
                sorted(
                    (
                        ChartActor(
                            named_link(a, actor_labels[a], base, lang), _statement(st, base, lang)
                        )
                        for a, st in actors.items()
                    ),
                    key=lambda c: sort_key(c.actor.label.value),
                )
            ),
        )
        for area, (order, actors) in sorted(areas.items(), key=lambda kv: (kv[1][0], kv[0]))
    )
    return ChartTable(
        named_link(section, labels_by(rows, "section", "sectionlabel")[section], base, lang)
        if section
        else None,
        chart,
        parent,
    )


def strategy_of(store: Store, base: str, lang: str, preferred: str | None = None) -> Named | None:
    """The strategy a site-wide page shows: ``preferred`` (``HAMAR_GRAPH_STRATEGY``, Hamar's
    by default) when the graph has it, else the first by IRI. One query bound to that
    strategy, whatever else the graph holds; two more only when it lacks it."""
    rows = strategy_rows(store, preferred or base + "id/dokument/internasjonal-strategi")
    labels = labels_by(rows, "doc", "label")
    doc = next(iter(sorted(labels)), None)
    return named_link(doc, labels[doc], base, lang) if doc else None


def actors_of(
    store: Store, doc: str, *, base: str, lang: str, labeller: Labeller
) -> tuple[ActorEntry, ...]:
    """Every actor the strategy's sections name, with kind and responsibilities (one query)."""
    rows = store.select(queries.STRATEGY_ACTORS, {"doc": URIRef(doc)})
    labels = labels_by(rows, "actor", "label")
    item_labels = labels_by(rows, "item", "itemlabel")
    member_labels = labels_by(rows, "member", "memberlabel")
    kinds: dict[str, set[str]] = defaultdict(set)
    in_chart: set[str] = set()
    items: dict[str, set[str]] = defaultdict(set)
    members: dict[str, dict[str, str | None]] = defaultdict(dict)
    for row in rows:
        actor = str(row["actor"])
        kinds[actor].add(str(row["type"]))
        if "chart" in row:
            in_chart.add(actor)
        if "item" in row:
            items[actor].add(str(row["item"]))
        if "member" in row:
            member = str(row["member"])
            statement = reading_statement(row, ORG.hasMember, row["member"])
            if members[actor].get(member) is None:
                members[actor][member] = statement
    entries = []
    for actor in kinds:
        # the most specific kinds: drop a kind that another of its kinds specialises
        names = sorted({labeller.term(URIRef(k), lang) for k in kinds[actor]}, key=sort_key)
        entries.append(
            ActorEntry(
                actor=named_link(actor, labels[actor], base, lang),
                kinds=tuple(names),
                in_chart=actor in in_chart,
                answers_for=tuple(
                    sorted(
                        (named_link(i, item_labels[i], base, lang) for i in items[actor]),
                        key=lambda n: sort_key(n.label.value),
                    )
                ),
                members=tuple(
                    sorted(
                        (
                            ChartActor(
                                named_link(m, member_labels[m], base, lang),
                                _statement(st, base, lang),
                            )
                            for m, st in members[actor].items()
                        ),
                        key=lambda c: sort_key(c.actor.label.value),
                    )
                ),
            )
        )
    return tuple(sorted(entries, key=lambda e: sort_key(e.actor.label.value)))


def responsibility_page(
    store: Store,
    base: str,
    lang: str,
    labeller: Labeller,
    doc: str | None = None,
    *,
    strategy_iri: str | None = None,
) -> ResponsibilityPage:
    """The "Ansvar" page of strategy ``doc``, or else of the configured strategy
    (``strategy_iri``, :func:`strategy_of`): five queries (four with ``doc`` given), each
    bound to that strategy."""
    strategy = (
        Named(doc, local_path(doc, base, PAGE_ROOTS) or doc, Text(local_name(doc)))
        if doc
        else strategy_of(store, base, lang, strategy_iri)
    )
    if strategy is None:
        return ResponsibilityPage(lang, None, ChartTable(None, ()), "", (), (), ())
    doc = strategy.iri
    chart = chart_table(store, doc, base=base, lang=lang)
    actors = actors_of(store, doc, base=base, lang=lang, labeller=labeller)
    chart_iris = {a.iri for a in chart.actors}
    order = {iri: i for i, iri in enumerate(a.iri for a in chart.actors)}
    named_in_chart = tuple(
        sorted(
            (e for e in actors if e.actor.iri in chart_iris or e.in_chart),
            key=lambda e: (order.get(e.actor.iri, len(order)), sort_key(e.actor.label.value)),
        )
    )
    others = tuple(e for e in actors if e not in named_in_chart)
    sections: tuple[DocSection, ...] = ()
    if chart.parent is not None:
        # the text of the section the chart belongs to (section 5)
        sections = section_tree(store, chart.parent, base=base, lang=lang)
    svg = diagrams.responsibility_chart(
        [
            ChartArea(
                PictureNode(r.area.label.value, r.area.href, r.area.label.lang),
                tuple(
                    PictureNode(a.actor.label.value, a.actor.href, a.actor.label.lang)
                    for a in r.actors
                ),
            )
            for r in chart.rows
        ],
        title=i18n.text("pictures.chart_title", lang),
        desc=i18n.text("pictures.chart_description", lang),
        heading=i18n.text("pictures.chart_heading", lang),
    )
    return ResponsibilityPage(
        lang=lang,
        strategy=strategy,
        chart=chart,
        chart_svg=svg,
        chart_actors=named_in_chart,
        other_actors=others,
        sections=sections,
    )
