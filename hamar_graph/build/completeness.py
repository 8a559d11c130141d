"""The completeness report: what the action plan leaves open, per axis, for staff.

It arranges the completeness Warnings of the shapes (``shapes/hamar-shapes.ttl``):

=====  ==========================================================
S80    an action-plan goal that no measure serves
S81    an action-plan goal without a responsible actor
S82    a measure without a responsible actor
S83    a measure without a cost
=====  ==========================================================

per axis (ordered by ``skos:notation``) and, within an axis, by the row order of the
source table. A goal belongs to its ``hms:axis``; a measure to the axes of the goals it
serves, so a measure listed under goals on two axes appears under both. The result is
plain dataclasses with :meth:`CompletenessReport.to_dict` for JSON, so pages can show the
same report; :func:`render_text` is the CLI's rendering in nb or en.

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.build.report import ValidationReport
from hamar_graph.build.validate import split_dataset
from hamar_graph.namespaces import HMS

#: The plan's gaps, written by ``build`` next to the dumps for the pages.
PLAN_FILE = "plan.json"

#: Shape ID of each category of gap, in report order.
GOALS_WITHOUT_MEASURES = "S80"


GOALS_WITHOUT_RESPONSIBLE_ACTOR = "S81"


MEASURES_WITHOUT_RESPONSIBLE_ACTOR = "S82"


MEASURES_WITHOUT_COST = "S83"


#: (field name, shape ID, kind of resource) per category, in report order.
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("goals_without_measures", GOALS_WITHOUT_MEASURES, "goal"),
    ("goals_without_responsible_actor", GOALS_WITHOUT_RESPONSIBLE_ACTOR, "goal"),
    ("measures_without_responsible_actor", MEASURES_WITHOUT_RESPONSIBLE_ACTOR, "measure"),
    ("measures_without_cost", MEASURES_WITHOUT_COST, "measure"),
)


@dataclass(frozen=True)
class CompletenessItem:
    """One goal or measure with a gap.

    ``row_order`` is the row in the plan's table: a goal's own ``hms:rowOrder``; for a
    measure its own ``hms:rowOrder`` if it has one, else the row of the first goal it
    serves on this axis (the row the measure stands on in the source).
    """

    iri: str
    label_nb: str | None
    label_en: str | None
    row_order: int | None

    def label(self, lang: str = "nb") -> str:
        """The label in ``lang``, falling back to the other language, then to the IRI."""
        first, second = (
            (self.label_en, self.label_nb) if lang == "en" else (self.label_nb, self.label_en)
        )
        return first or second or self.iri

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label_nb": self.label_nb,
            "label_en": self.label_en,
            "row_order": self.row_order,
        }


@dataclass(frozen=True)
class AxisCompleteness:
    """The gaps on one axis (``iri`` is None for goals and measures without an axis)."""

    iri: str | None
    notation: str | None
    label_nb: str | None
    label_en: str | None
    goals_without_measures: list[CompletenessItem] = field(default_factory=list)
    goals_without_responsible_actor: list[CompletenessItem] = field(default_factory=list)
    measures_without_responsible_actor: list[CompletenessItem] = field(default_factory=list)
    measures_without_cost: list[CompletenessItem] = field(default_factory=list)

    def items(self, category: str) -> list[CompletenessItem]:
        """The items of one category (a name from :data:`CATEGORIES`)."""
        return list(getattr(self, category))

    @property
    def is_complete(self) -> bool:
        """True when nothing is missing on this axis."""
        return not any(self.items(name) for name, _sid, _kind in CATEGORIES)

    def label(self, lang: str = "nb") -> str:
        first, second = (
            (self.label_en, self.label_nb) if lang == "en" else (self.label_nb, self.label_en)
        )
        return first or second or self.iri or i18n.text("completeness.no_axis", lang)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "iri": self.iri,
            "notation": self.notation,
            "label_nb": self.label_nb,
            "label_en": self.label_en,
        }
        for name, _sid, _kind in CATEGORIES:
            out[name] = [item.to_dict() for item in self.items(name)]
        return out


@dataclass(frozen=True)
class CompletenessReport:
    """The plan's gaps per axis, with totals.

    .. versionadded:: 0.1
    """

    axes: list[AxisCompleteness]  #: every axis of the data, by notation; "no axis" last
    goals: int  #: action-plan goals in the data
    measures: int  #: measures in the data

    def totals(self) -> dict[str, int]:
        """Distinct goals or measures per category (a measure on two axes counts once)."""
        return {
            name: len({item.iri for axis in self.axes for item in axis.items(name)})
            for name, _sid, _kind in CATEGORIES
        }

    def iris(self, category: str) -> set[str]:
        """The distinct IRIs of one category over every axis."""
        return {item.iri for axis in self.axes for item in axis.items(category)}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return {
            "goals": self.goals,
            "measures": self.measures,
            "totals": self.totals(),
            "axes": [axis.to_dict() for axis in self.axes],
        }


def _label(graph: Graph, node: Node, lang: str) -> str | None:
    """The node's ``skos:prefLabel`` in ``lang`` (the first in sort order if several)."""
    labels = sorted(
        str(label)
        for label in graph.objects(node, SKOS.prefLabel)
        if isinstance(label, Literal) and label.language == lang
    )
    return labels[0] if labels else None


def _row(graph: Graph, node: Node) -> int | None:
    for value in graph.objects(node, HMS.rowOrder):
        if isinstance(value, Literal):
            try:
                return int(value.toPython())
            except (TypeError, ValueError):
                continue
    return None


def _notation_key(notation: str | None) -> tuple[Any, ...]:
    if notation is None:
        return (1, ())
    return (0, tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\s]", notation)))


def completeness(report: ValidationReport, data_graph: Graph | Dataset) -> CompletenessReport:
    """Arrange the report's completeness Warnings (S80-S83) per axis.

    :param report: a validation report of the same data.
    :param data_graph: the data: labels, axes, notations and row orders are read from it.
        A Dataset is reduced to its data graphs (:func:`~hamar_graph.build.validate.split_dataset`).
    """
    graph = split_dataset(data_graph)[0] if isinstance(data_graph, Dataset) else data_graph

    axes: dict[str | None, AxisCompleteness] = {}

    def axis_entry(axis: Node | None) -> AxisCompleteness:
        key = str(axis) if axis is not None else None
        if key not in axes:
            notations = [str(n) for n in graph.objects(axis, SKOS.notation)] if axis else []
            axes[key] = AxisCompleteness(
                iri=key,
                notation=min(notations) if notations else None,
                label_nb=_label(graph, axis, "nb") if axis is not None else None,
                label_en=_label(graph, axis, "en") if axis is not None else None,
            )
        return axes[key]

    for axis in sorted(set(graph.subjects(RDF.type, HMS.Axis)), key=str):
        axis_entry(axis)

    by_shape = {sid: (name, kind) for name, sid, kind in CATEGORIES}
    for result in report.results:
        if result.shape_id not in by_shape or not isinstance(result.focus_node, URIRef):
            continue
        name, kind = by_shape[result.shape_id]
        node = result.focus_node
        own_row = _row(graph, node)
        if kind == "goal":
            placements = [(a, own_row) for a in graph.objects(node, HMS.axis)] or [(None, own_row)]
        else:
            rows: dict[Node | None, list[int]] = {}
            for goal in graph.objects(node, HMS.servesGoal):
                goal_row = _row(graph, goal)
                for axis in list(graph.objects(goal, HMS.axis)) or [None]:
                    rows.setdefault(axis, [])
                    if goal_row is not None:
                        rows[axis].append(goal_row)
            placements = [
                (axis, own_row if own_row is not None else min(found, default=None))
                for axis, found in rows.items()
            ]
            placements = placements or [(None, own_row)]
        for axis, row in placements:
            entry = axis_entry(axis)
            items = getattr(entry, name)
            if all(item.iri != str(node) for item in items):
                items.append(
                    CompletenessItem(
                        iri=str(node),
                        label_nb=_label(graph, node, "nb"),
                        label_en=_label(graph, node, "en"),
                        row_order=row,
                    )
                )

    for entry in axes.values():
        for name, _sid, _kind in CATEGORIES:
            getattr(entry, name).sort(
                key=lambda i: (i.row_order is None, i.row_order or 0, i.label_nb or "", i.iri)
            )
    ordered = sorted(axes.values(), key=lambda a: (a.iri is None, _notation_key(a.notation), a.iri))
    return CompletenessReport(
        axes=ordered,
        goals=len(set(graph.subjects(RDF.type, HMS.ActionPlanGoal))),
        measures=len(set(graph.subjects(RDF.type, HMS.Measure))),
    )


def render_text(report: CompletenessReport, lang: str = "nb") -> str:
    """The report as plain text for the terminal, in ``nb`` or ``en``."""
    if lang not in i18n.LANGUAGES:
        raise ValueError(f"lang must be nb or en, not {lang!r}")
    totals = report.totals()
    plan = i18n.text("completeness.plan", lang, goals=report.goals, measures=report.measures)
    lines = [f"{i18n.text('completeness.title', lang)} ({plan})"]
    headings = {name: i18n.text(f"completeness.{name}", lang) for name, _sid, _kind in CATEGORIES}
    width = max(len(heading) for heading in headings.values())
    of = i18n.text("completeness.of", lang)
    for name, sid, kind in CATEGORIES:
        whole = report.goals if kind == "goal" else report.measures
        lines.append(f"  {headings[name].ljust(width)}  {totals[name]:>3} {of} {whole}  ({sid})")
    for axis in report.axes:
        heading = f"{axis.notation} " if axis.notation else ""
        lines += ["", f"{heading}{axis.label(lang)}"]
        if axis.iri:
            lines.append(f"  <{axis.iri}>")
        if axis.is_complete:
            lines.append(f"  ({i18n.text('completeness.none', lang)})")
            continue
        for name, _sid, _kind in CATEGORIES:
            items = axis.items(name)
            if not items:
                continue
            lines.append(f"  {headings[name]} ({len(items)}):")
            for item in items:
                row = (
                    f"{i18n.text('completeness.row', lang)} {item.row_order}: "
                    if item.row_order is not None
                    else ""
                )
                lines.append(f"    - {row}{item.label(lang)}")
                lines.append(f"      <{item.iri}>")
    return "\n".join(lines) + "\n"


# --- the plan's gaps, item by item: what the pages read ------------------------------------

#: Warning code of each completeness shape (the pages' words for it are ``gaps.{code}``).
CODE_OF_SHAPE: dict[str, str] = {
    GOALS_WITHOUT_MEASURES: "no-measure",
    GOALS_WITHOUT_RESPONSIBLE_ACTOR: "no-responsible",
    MEASURES_WITHOUT_RESPONSIBLE_ACTOR: "no-responsible",
    MEASURES_WITHOUT_COST: "no-cost",
}
#: The warning codes, in the order pages list them.
CODES: tuple[str, ...] = ("no-measure", "no-responsible", "no-cost")


@dataclass(frozen=True)
class PlanItem:
    """One goal or measure of the plan on one axis, and what the shapes say it lacks.

    A measure that serves goals on two axes is one item per axis.
    """

    iri: str
    kind: str  #: ``goal`` or ``measure``
    labels: dict[str, str]  #: language → ``skos:prefLabel``
    axis: str
    axis_labels: dict[str, str]
    axis_notation: str
    order: int  #: the item's own ``hms:rowOrder`` (0 when it has none)
    lacks: tuple[str, ...]  #: warning codes, in :data:`CODES` order


@dataclass(frozen=True)
class PlanGaps:
    """Every goal and measure of the plan with its gaps: the SHACL completeness results
    (S80–S83) joined with the plan's structure. Built by ``build`` (stored next to the
    dumps as ``plan.json``) or from a validation of the served data.

    .. versionadded:: 0.2
    """

    items: tuple[PlanItem, ...]

    def for_item(self, iri: str) -> tuple[str, ...]:
        """Warning codes for ``iri`` (empty when complete or not a goal or measure)."""
        codes: list[str] = []
        for item in self.items:
            if item.iri == iri:
                codes.extend(c for c in item.lacks if c not in codes)
        return tuple(codes)

    def to_json(self) -> bytes:
        """The model as JSON (sorted keys: the same data gives the same bytes)."""
        doc = {"items": [asdict(item) for item in self.items]}
        return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes) -> PlanGaps:
        """Read :meth:`to_json`'s output.

        :raises ValueError: when it is not such a document.
        """
        try:
            raw = json.loads(data)["items"]
            return cls(tuple(PlanItem(**{**i, "lacks": tuple(i["lacks"])}) for i in raw))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a plan-gaps document: {exc}") from exc


def _labels(graph: Graph, node: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for lang in ("nb", "en"):
        label = _label(graph, node, lang)
        if label is not None:
            out[lang] = label
    return out


def plan_gaps(report: ValidationReport, data_graph: Graph | Dataset) -> PlanGaps:
    """Every action-plan goal and measure, per axis, with the gaps the report names.

    :param report: a validation report of the same data; its completeness Warnings
        (S80–S83) are the gaps.
    :param data_graph: the data (a Dataset is reduced to its data graphs).
    """
    graph = split_dataset(data_graph)[0] if isinstance(data_graph, Dataset) else data_graph
    lacks: dict[str, set[str]] = {}
    for result in report.results:
        code = CODE_OF_SHAPE.get(result.shape_id)
        if code is not None:
            lacks.setdefault(str(result.focus_node), set()).add(code)

    def item(node: Node, kind: str, axis: Node) -> PlanItem:
        notations = sorted(str(n) for n in graph.objects(axis, SKOS.notation))
        codes = lacks.get(str(node), set())
        return PlanItem(
            iri=str(node),
            kind=kind,
            labels=_labels(graph, node),
            axis=str(axis),
            axis_labels=_labels(graph, axis),
            axis_notation=notations[0] if notations else "",
            order=_row(graph, node) or 0,
            lacks=tuple(c for c in CODES if c in codes),
        )

    items: list[PlanItem] = []
    for goal in sorted(set(graph.subjects(RDF.type, HMS.ActionPlanGoal)), key=str):
        for axis in sorted(set(graph.objects(goal, HMS.axis)), key=str):
            items.append(item(goal, "goal", axis))
    for measure in sorted(set(graph.subjects(RDF.type, HMS.Measure)), key=str):
        axes = {
            a for g in graph.objects(measure, HMS.servesGoal) for a in graph.objects(g, HMS.axis)
        }
        for axis in sorted(axes, key=str):
            items.append(item(measure, "measure", axis))
    return PlanGaps(tuple(items))
