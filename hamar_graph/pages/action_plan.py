"""The action plan as staff read it: table 6 of the source, axis by axis.

:func:`action_plan_table` reads an ``hms:ActionPlan`` with two queries (its goals with
their axes and responsible actors; the measures of those goals with their actors, costs
and the readings that link them to a goal) and lays it out as the plan does: the axes
in the plan's order, each goal under its axis in the plan's order (``hms:rowOrder``),
its measures beside it. A measure that serves two goals appears under both, marked as
shared. Where the plan's Ansvar (responsible) or Kostnad (cost) cell is empty, the page
says so ("ikke angitt i planen") rather than leaving a blank.

:func:`plan_csv` writes the same table as CSV for spreadsheets: UTF-8 with a byte-order
mark, semicolons and CRLF line ends (what Excel expects in a Norwegian locale), one line
per goal and measure.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.namespaces import HMS
from hamar_graph.pages.facts import PAGE_ROOTS, reading_statement
from hamar_graph.pages.labels import Text, labels_by, pick, sort_key
from hamar_graph.query import named as queries
from hamar_graph.rdf.names import local_name, local_path
from hamar_graph.store.base import Store


@dataclass(frozen=True)
class Named:
    """A thing in the table: its page and its name in the page's language."""

    iri: str
    href: str
    label: Text


@dataclass(frozen=True)
class PlanMeasure:
    """A measure in a goal's row: its other goals (when shared), actors, costs, and the
    statement of a reading that puts it on this row."""

    measure: Named
    shared_with: tuple[Named, ...]
    actors: tuple[Named, ...]
    costs: tuple[Text, ...]
    reading: Named | None


@dataclass(frozen=True)
class PlanGoal:
    """One row of the plan: a goal, its measures, who answers for it, what it costs."""

    goal: Named
    order: int
    measures: tuple[PlanMeasure, ...]
    actors: tuple[Named, ...]

    @property
    def responsible(self) -> tuple[Named, ...]:
        """Actors of the goal and of its measures, each once."""
        seen: dict[str, Named] = {a.iri: a for a in self.actors}
        for m in self.measures:
            for a in m.actors:
                seen.setdefault(a.iri, a)
        return tuple(seen.values())

    @property
    def costs(self) -> tuple[Text, ...]:
        """The costs of the goal's measures."""
        return tuple(c for m in self.measures for c in m.costs)


@dataclass(frozen=True)
class PlanAxis:
    """The goals of one axis, in the plan's order."""

    axis: Named
    notation: str
    goals: tuple[PlanGoal, ...]


@dataclass(frozen=True)
class ActionPlanTable:
    """The whole plan, axis by axis."""

    plan: str
    lang: str
    axes: tuple[PlanAxis, ...]
    href: str = ""  #: the plan's page

    @property
    def goal_count(self) -> int:
        return sum(len(a.goals) for a in self.axes)

    @property
    def measure_count(self) -> int:
        """Distinct measures (a shared measure counts once)."""
        return len({m.measure.iri for a in self.axes for g in a.goals for m in g.measures})


def named_link(iri: str, labels: list[Node], base: str, lang: str) -> Named:
    """``iri`` as a link to its page under its label in ``lang`` (else its local name)."""
    return Named(
        iri, local_path(iri, base, PAGE_ROOTS) or iri, pick(labels, lang) or Text(local_name(iri))
    )


def _int(node: Node | None) -> int:
    try:
        return int(str(node)) if node is not None else 0
    except ValueError:
        return 0


def action_plan_table(store: Store, plan: str, *, base: str, lang: str) -> ActionPlanTable:
    """The action plan ``plan`` as a table (two queries).

    :param store: the store to ask.
    :param plan: the IRI of an ``hms:ActionPlan``.
    :param base: the deployment's base IRI.
    :param lang: ``nb`` or ``en``.
    """
    bound = {"plan": URIRef(plan)}
    goal_rows = store.select(queries.ACTION_PLAN_GOALS, bound)
    measure_rows = store.select(queries.ACTION_PLAN_MEASURES, bound)
    goal_labels = labels_by(goal_rows, "goal", "goallabel")
    axis_labels = labels_by(goal_rows, "axis", "axislabel")
    actor_labels = labels_by(goal_rows + measure_rows, "actor", "actorlabel")
    measure_labels = labels_by(measure_rows, "measure", "measurelabel")
    cost_labels = labels_by(measure_rows, "cost", "costlabel")

    goals: dict[str, dict[str, object]] = {}
    for row in goal_rows:
        goal = str(row["goal"])
        info = goals.setdefault(
            goal,
            {"order": _int(row.get("order")), "axis": None, "notation": "", "actors": set()},
        )
        if "axis" in row:
            info["axis"] = str(row["axis"])
            info["notation"] = str(row.get("notation", ""))
        if "actor" in row:
            info["actors"].add(str(row["actor"]))  # type: ignore[attr-defined]

    goals_of: dict[str, set[str]] = defaultdict(set)
    measure_actors: dict[str, set[str]] = defaultdict(set)
    measure_costs: dict[str, set[str]] = defaultdict(set)
    readings: dict[tuple[str, str], str] = {}
    for row in measure_rows:
        measure, goal = str(row["measure"]), str(row["goal"])
        goals_of[measure].add(goal)
        if "actor" in row:
            measure_actors[measure].add(str(row["actor"]))
        if "cost" in row:
            measure_costs[measure].add(str(row["cost"]))
        statement = reading_statement(row, HMS.servesGoal, row["goal"])
        if statement is not None:
            readings[(measure, goal)] = statement

    def named(iri: str, labels: dict[str, list[Node]]) -> Named:
        return named_link(iri, labels[iri], base, lang)

    def by_label(items: set[str], labels: dict[str, list[Node]]) -> tuple[Named, ...]:
        return tuple(
            sorted((named(i, labels) for i in items), key=lambda n: sort_key(n.label.value))
        )

    reading_label = Text(i18n.text("page.reading_mark", lang), lang)
    by_axis: dict[str | None, list[PlanGoal]] = defaultdict(list)
    for goal, info in goals.items():
        measures = []
        for measure in sorted(
            (m for m, gs in goals_of.items() if goal in gs),
            key=lambda m: sort_key(named(m, measure_labels).label.value),
        ):
            others = sorted(
                (g for g in goals_of[measure] if g != goal),
                key=lambda g: (
                    str(goals[g]["notation"]) if g in goals else "",
                    _int(goals[g]["order"]) if g in goals else 0,  # type: ignore[arg-type]
                ),
            )
            statement = readings.get((measure, goal))
            measures.append(
                PlanMeasure(
                    measure=named(measure, measure_labels),
                    shared_with=tuple(named(g, goal_labels) for g in others),
                    actors=by_label(measure_actors[measure], actor_labels),
                    costs=tuple(
                        sorted(
                            (
                                pick(cost_labels[c], lang) or Text(local_name(c))
                                for c in measure_costs[measure]
                            ),
                            key=lambda t: sort_key(t.value),
                        )
                    ),
                    reading=Named(
                        statement,
                        local_path(statement, base, PAGE_ROOTS) or statement,
                        reading_label,
                    )
                    if statement
                    else None,
                )
            )
        by_axis[info["axis"]].append(  # type: ignore[index]
            PlanGoal(
                goal=named(goal, goal_labels),
                order=_int(info["order"]),  # type: ignore[arg-type]
                measures=tuple(measures),
                actors=by_label(info["actors"], actor_labels),  # type: ignore[arg-type]
            )
        )
    axes = []
    for axis, plan_goals in by_axis.items():
        notation = next(
            (str(goals[g.goal.iri]["notation"]) for g in plan_goals if g.goal.iri in goals), ""
        )
        axis_named = (
            named(axis, axis_labels)
            if axis
            else Named("", "", Text(i18n.text("completeness.no_axis", lang), lang))
        )
        axes.append(
            PlanAxis(
                axis=axis_named,
                notation=notation,
                goals=tuple(
                    sorted(plan_goals, key=lambda g: (g.order, sort_key(g.goal.label.value)))
                ),
            )
        )
    axes.sort(key=lambda a: (a.axis.iri == "", a.notation, sort_key(a.axis.label.value)))
    return ActionPlanTable(
        plan=plan, lang=lang, axes=tuple(axes), href=local_path(plan, base, PAGE_ROOTS) or plan
    )


def csv_columns(lang: str) -> list[str]:
    """The CSV's header row in ``lang``."""
    names = ("axis", "goal", "measure", "shared", "responsible", "cost", "goal_iri", "measure_iri")
    return [i18n.text(f"plan.csv_{name}", lang) for name in names]


def plan_csv(table: ActionPlanTable) -> bytes:
    """The plan as CSV: one line per goal and measure (a goal without a measure has one
    line saying so), UTF-8 with a byte-order mark, ``;`` between fields, CRLF line ends."""
    lang = table.lang
    missing = i18n.text("plan.not_stated", lang)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(csv_columns(lang))
    for axis in table.axes:
        axis_name = f"{axis.notation} {axis.axis.label.value}".strip()
        for goal in axis.goals:
            goal_actors = [a.label.value for a in goal.actors]
            if not goal.measures:
                writer.writerow(
                    [
                        axis_name,
                        goal.goal.label.value,
                        i18n.text("plan.no_measure", lang),
                        "",
                        ", ".join(goal_actors) or missing,
                        missing,
                        goal.goal.iri,
                        "",
                    ]
                )
            for m in goal.measures:
                actors = goal_actors + [
                    a.label.value for a in m.actors if a.label.value not in goal_actors
                ]
                writer.writerow(
                    [
                        axis_name,
                        goal.goal.label.value,
                        m.measure.label.value,
                        " | ".join(g.label.value for g in m.shared_with),
                        ", ".join(actors) or missing,
                        ", ".join(c.value for c in m.costs) or missing,
                        goal.goal.iri,
                        m.measure.iri,
                    ]
                )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
