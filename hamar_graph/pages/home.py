"""The home page: the strategy at a glance.

:func:`home_page` runs six queries (strategy, axes with table 4.6, key figures,
tree, map places, responsibility chart), each bound to one strategy document, and
draws the three pictures of :mod:`hamar_graph.pages.diagrams`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from rdflib import Literal, URIRef
from rdflib.term import Node as RdfNode

from hamar_graph import i18n
from hamar_graph.pages import diagrams
from hamar_graph.pages.diagrams import ChartArea, MapPlace, Node, TreeAxis, TreeGoal
from hamar_graph.pages.labels import Text, labels_by, pick, sort_key
from hamar_graph.query import named as queries
from hamar_graph.rdf.names import local_name, local_path
from hamar_graph.store.base import Store


@dataclass(frozen=True)
class AxisSummary:
    """One row of table 4.6: the axis, its goal and its main strategy."""

    href: str
    notation: str
    label: Text
    goal: Text | None
    goal_href: str | None
    strategy: Text | None
    strategy_href: str | None


@dataclass(frozen=True)
class KeyFigure:
    """A key figure: its label, the value in words and the source's sentence."""

    href: str
    label: Text
    value: str
    text: Text | None


@dataclass(frozen=True)
class HomePage:
    """Everything the home page shows, in the chosen language."""

    lang: str
    strategy: Node | None
    action_plan: Node | None
    axes: tuple[AxisSummary, ...]
    key_figures: tuple[KeyFigure, ...]
    tree: tuple[TreeAxis, ...]
    places: tuple[MapPlace, ...]
    chart: tuple[ChartArea, ...]
    tree_svg: str
    map_svg: str
    chart_svg: str


def _node(iri: str, labels: list[RdfNode], base: str, lang: str) -> Node:
    text = pick(labels, lang) or Text(local_name(iri))
    return Node(text.value, local_path(iri, base) or iri, text.lang)


def format_figure(
    value: Literal | Fraction | None, unit: Text | None, code: str, lower: bool, lang: str
) -> str:
    """The value of a key figure in words: ``over 70 %``, ``2/3``, ``EUR 70 billion``.

    :param value: the figure's ``hms:value``, or the exact fraction its
        ``hms:numerator``/``hms:denominator`` state.
    """
    if value is None:
        return ""
    if isinstance(value, Fraction):
        shown = f"{value.numerator}/{value.denominator}"
        return i18n.text("figures.over", lang, value=shown) if lower else shown
    number = Decimal(str(value))
    shown = _figure_value(number, unit, code, lang)
    return i18n.text("figures.over", lang, value=shown) if lower else shown


def _figure_value(number: Decimal, unit: Text | None, code: str, lang: str) -> str:
    if code == "P1":
        return (
            f"{number.normalize():f}".replace(".", i18n.text("figures.decimal_mark", lang)) + " %"
        )
    if code == "EUR" and number >= 1_000_000_000:
        billions = (number / 1_000_000_000).normalize()
        return i18n.text("figures.billions", lang, value=f"{billions:f}")
    if 0 < number < 1:
        fraction = Fraction(str(number)).limit_denominator(12)
        if abs(float(fraction) - float(number)) < 0.001:
            return f"{fraction.numerator}/{fraction.denominator}"
    text = f"{number.normalize():f}"
    return f"{text} {unit.value}" if unit else text


def _axes(store: Store, doc: URIRef, base: str, lang: str) -> tuple[AxisSummary, ...]:
    rows = store.select(queries.HOME_AXES, {"doc": doc})
    labels = labels_by(rows, "axis", "label")
    goal_texts = labels_by(rows, "goal", "goaltext")
    strategy_texts = labels_by(rows, "strategy", "strategytext")
    seen: dict[str, AxisSummary] = {}
    for row in rows:
        iri = str(row["axis"])
        if iri in seen:
            continue
        goal = str(row["goal"]) if "goal" in row else None
        strategy = str(row["strategy"]) if "strategy" in row else None
        seen[iri] = AxisSummary(
            href=local_path(iri, base) or iri,
            notation=str(row.get("notation", "")),
            label=pick(labels[iri], lang) or Text(local_name(iri)),
            goal=pick(goal_texts[goal], lang) if goal else None,
            goal_href=local_path(goal, base) if goal else None,
            strategy=pick(strategy_texts[strategy], lang) if strategy else None,
            strategy_href=local_path(strategy, base) if strategy else None,
        )
    return tuple(sorted(seen.values(), key=lambda a: (a.notation, sort_key(a.label.value))))


def axes_of(store: Store, doc: URIRef, base: str, lang: str) -> tuple[AxisSummary, ...]:
    """Table 4.6 of strategy ``doc``: each axis with its goal and main strategy (one query)."""
    return _axes(store, doc, base, lang)


def _figures(store: Store, doc: URIRef, base: str, lang: str) -> tuple[KeyFigure, ...]:
    rows = store.select(queries.KEY_FIGURES, {"doc": doc})
    labels = labels_by(rows, "fig", "label")
    texts = labels_by(rows, "fig", "text")
    units = labels_by(rows, "fig", "unit")
    figures: dict[str, KeyFigure] = {}
    for row in rows:
        iri = str(row["fig"])
        if iri in figures:
            continue
        lower = bool(row["lower"].toPython()) if "lower" in row else False
        value: Literal | Fraction | None = row.get("value")  # type: ignore[assignment]
        if value is None and "numerator" in row and "denominator" in row:
            value = Fraction(int(row["numerator"]), int(row["denominator"]))
        figures[iri] = KeyFigure(
            href=local_path(iri, base) or iri,
            label=pick(labels[iri], lang) or Text(local_name(iri)),
            value=format_figure(
                value if isinstance(value, Literal | Fraction) else None,
                pick(units[iri], lang),
                str(row.get("code", "")),
                lower,
                lang,
            ),
            text=pick(texts[iri], lang),
        )
    return tuple(sorted(figures.values(), key=lambda f: sort_key(f.label.value)))


def _tree(store: Store, doc: URIRef, base: str, lang: str) -> tuple[TreeAxis, ...]:
    rows = store.select(queries.TREE, {"doc": doc})
    axis_labels = labels_by(rows, "axis", "axislabel")
    goal_labels = labels_by(rows, "goal", "goallabel")
    measure_labels = labels_by(rows, "measure", "measurelabel")
    axes: dict[str, tuple[str, dict[str, tuple[int, set[str]]]]] = {}
    for row in rows:
        axis = str(row["axis"])
        _, goals = axes.setdefault(axis, (str(row.get("notation", "")), {}))
        if "goal" in row:
            order = int(row["order"].toPython()) if "order" in row else 0
            _, measures = goals.setdefault(str(row["goal"]), (order, set()))
            if "measure" in row:
                measures.add(str(row["measure"]))
    result = []
    for axis, (notation, goals) in axes.items():
        goal_nodes = []
        for goal, (_order, measures) in sorted(
            goals.items(),
            key=lambda kv: (kv[1][0], sort_key(pick(goal_labels[kv[0]], lang).value)),  # type: ignore[union-attr]
        ):
            measure_nodes = tuple(
                sorted(
                    (_node(m, measure_labels[m], base, lang) for m in measures),
                    key=lambda n: sort_key(n.label),
                )
            )
            goal_nodes.append(TreeGoal(_node(goal, goal_labels[goal], base, lang), measure_nodes))
        result.append(
            TreeAxis(_node(axis, axis_labels[axis], base, lang), notation, tuple(goal_nodes))
        )
    return tuple(sorted(result, key=lambda a: (a.notation, sort_key(a.axis.label))))


def _places(store: Store, doc: URIRef, base: str, lang: str) -> tuple[MapPlace, ...]:
    rows = store.select(queries.MAP_PLACES, {"doc": doc, "home": URIRef(base + "id/sted/hamar")})
    labels = labels_by(rows, "place", "label")
    countries = labels_by(rows, "place", "countrylabel")
    home = base + "id/sted/hamar"
    places: dict[str, MapPlace] = {}
    for row in rows:
        iri = str(row["place"])
        if iri in places or not ("twin" in row or iri == home):
            continue
        country = pick(countries[iri], lang)
        places[iri] = MapPlace(
            _node(iri, labels[iri], base, lang),
            float(row["lat"].toPython()),
            float(row["long"].toPython()),
            home=iri == home,
            country=country.value if country else "",
        )
    return tuple(sorted(places.values(), key=lambda p: (not p.home, sort_key(p.place.label))))


def _chart(store: Store, doc: URIRef, base: str, lang: str) -> tuple[ChartArea, ...]:
    rows = store.select(queries.RESPONSIBILITY, {"doc": doc})
    area_labels = labels_by(rows, "area", "arealabel")
    actor_labels = labels_by(rows, "actor", "actorlabel")
    areas: dict[str, tuple[int, set[str]]] = {}
    for row in rows:
        order = int(row["order"].toPython()) if "order" in row else 0
        _, actors = areas.setdefault(str(row["area"]), (order, set()))
        if "actor" in row:
            actors.add(str(row["actor"]))
    return tuple(
        ChartArea(
            _node(area, area_labels[area], base, lang),
            tuple(
                sorted(
                    (_node(a, actor_labels[a], base, lang) for a in actors),
                    key=lambda n: sort_key(n.label),
                )
            ),
        )
        for area, (_, actors) in sorted(areas.items(), key=lambda kv: (kv[1][0], kv[0]))
    )


def picture_title(name: str, lang: str) -> str:
    """The title of picture ``name`` (``tree``, ``map``, ``chart``)."""
    return i18n.text(f"pictures.{name}_title", lang)


def picture_description(name: str, lang: str) -> str:
    """The description of picture ``name`` (the SVG's ``<desc>``)."""
    return i18n.text(f"pictures.{name}_description", lang)


def strategy_rows(store: Store, preferred: str) -> list[dict[str, RdfNode]]:
    """The rows of :data:`~hamar_graph.query.named.STRATEGY` for one strategy: ``preferred``
    when the graph has it, else the first by IRI (two more queries, only then)."""
    rows = store.select(queries.STRATEGY, {"doc": URIRef(preferred)})
    if rows:
        return rows
    first = store.select(queries.FIRST_STRATEGY)
    return store.select(queries.STRATEGY, {"doc": first[0]["doc"]}) if first else []


def home_page(store: Store, base: str, lang: str, strategy: str | None = None) -> HomePage:
    """Build the home page of one strategy in ``lang`` (six queries, each scoped to that
    strategy document, whatever else the graph holds).

    :param store: the store to ask.
    :param base: the deployment's base IRI.
    :param lang: ``nb`` or ``en``.
    :param strategy: the strategy document's IRI (``HAMAR_GRAPH_STRATEGY``); Hamar's
        international strategy by default, the first strategy when the graph lacks it.
    """
    preferred = strategy or base + "id/dokument/internasjonal-strategi"
    rows = strategy_rows(store, preferred)
    doc = URIRef(str(rows[0]["doc"])) if rows else URIRef(preferred)
    doc_labels = labels_by(rows, "doc", "label")
    plan_labels = labels_by(rows, "plan", "planlabel")
    strategy_node = (
        _node(str(rows[0]["doc"]), doc_labels[str(rows[0]["doc"])], base, lang) if rows else None
    )
    plan_row = next((r for r in rows if "plan" in r), None)
    plan = (
        _node(str(plan_row["plan"]), plan_labels[str(plan_row["plan"])], base, lang)
        if plan_row
        else None
    )
    tree = _tree(store, doc, base, lang)
    places = _places(store, doc, base, lang)
    chart = _chart(store, doc, base, lang)
    return HomePage(
        lang=lang,
        strategy=strategy_node,
        action_plan=plan,
        axes=_axes(store, doc, base, lang),
        key_figures=_figures(store, doc, base, lang),
        tree=tree,
        places=places,
        chart=chart,
        tree_svg=diagrams.strategy_tree(
            list(tree),
            title=picture_title("tree", lang),
            desc=picture_description("tree", lang),
            shared=i18n.text("pictures.tree_shared", lang),
        ),
        map_svg=diagrams.twin_city_map(
            list(places),
            title=picture_title("map", lang),
            desc=picture_description("map", lang),
        ),
        chart_svg=diagrams.responsibility_chart(
            list(chart),
            title=picture_title("chart", lang),
            desc=picture_description("chart", lang),
            heading=i18n.text("pictures.chart_heading", lang),
        ),
    )
