"""What the action plan leaves open: goals without a measure, goals and measures
without a responsible actor, measures without a cost.

These are the completeness checks of the SHACL shapes, computed with one query
(:data:`~hamar_graph.queries.PLAN_GAPS`) so that pages never run pyshacl per
request. :func:`plan_gaps` is meant to run once per app; entity pages read
their warnings from it, and the completeness page shows it as a table per axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Node

from hamar_graph import i18n
from hamar_graph.namespaces import HMS
from hamar_graph.pages.labels import Text, pick, sort_key
from hamar_graph.query import named as queries
from hamar_graph.store.base import Store

#: The warning codes, in the order pages list them; each has a message (the shapes'
#: messages, in words staff use) in section ``gaps`` of the interface table.
CODES: tuple[str, ...] = ("no-measure", "no-responsible", "no-cost")


@dataclass(frozen=True)
class GapItem:
    """One goal or measure of the plan and what it lacks."""

    iri: str
    kind: str  #: ``goal`` or ``measure``
    labels: tuple[Literal, ...]
    axis: str
    axis_labels: tuple[Literal, ...]
    order: int
    lacks: tuple[str, ...]  #: warning codes, in :data:`CODES` order
    axis_notation: str = ""

    def label(self, lang: str) -> Text:
        return pick(self.labels, lang) or Text(self.iri)


@dataclass(frozen=True)
class PlanGaps:
    """Every goal and measure with its gaps, and an index by IRI."""

    items: tuple[GapItem, ...]

    def for_item(self, iri: str) -> tuple[str, ...]:
        """Warning codes for ``iri`` (empty when complete or not a goal/measure)."""
        codes: list[str] = []
        for item in self.items:
            if item.iri == iri:
                codes.extend(c for c in item.lacks if c not in codes)
        return tuple(codes)


def _true(node: Node | None) -> bool:
    return isinstance(node, Literal) and bool(node.toPython())


def plan_gaps(store: Store) -> PlanGaps:
    """Compute the plan's gaps with one query.

    A measure under goals of two axes appears once per axis.
    """
    merged: dict[tuple[str, str], dict[str, object]] = {}
    for row in store.select(queries.PLAN_GAPS):
        key = (str(row["item"]), str(row["axis"]))
        entry = merged.setdefault(
            key,
            {
                "kind": "goal" if row["kind"] == HMS.ActionPlanGoal else "measure",
                "labels": [],
                "axis_labels": [],
                "order": int(row["order"].toPython()) if "order" in row else 0,
                "flags": row,
            },
        )
        for name, target in (("label", "labels"), ("axislabel", "axis_labels")):
            value = row.get(name)
            bucket = entry[target]
            assert isinstance(bucket, list)
            if value is not None and value not in bucket:
                bucket.append(value)
    items = []
    for (iri, axis), entry in merged.items():
        flags = entry["flags"]
        assert isinstance(flags, dict)
        lacks = []
        if entry["kind"] == "goal" and not _true(flags.get("hasMeasure")):
            lacks.append("no-measure")
        if not _true(flags.get("hasResponsible")):
            lacks.append("no-responsible")
        if entry["kind"] == "measure" and not _true(flags.get("hasCost")):
            lacks.append("no-cost")
        items.append(
            GapItem(
                iri=iri,
                kind=str(entry["kind"]),
                labels=tuple(entry["labels"]),  # type: ignore[arg-type]
                axis=axis,
                axis_labels=tuple(entry["axis_labels"]),  # type: ignore[arg-type]
                order=int(entry["order"]),  # type: ignore[call-overload]
                lacks=tuple(lacks),
                axis_notation=str(flags.get("notation", "")),
            )
        )
    return PlanGaps(tuple(items))


@dataclass(frozen=True)
class GapRow:
    """One row of the completeness table."""

    iri: str
    path: str
    kind: str
    label: Text
    lacks: tuple[str, ...]


@dataclass(frozen=True)
class AxisGaps:
    """The completeness table of one axis."""

    iri: str
    path: str
    label: Text
    notation: str
    goals: tuple[GapRow, ...]
    measures: tuple[GapRow, ...]
    counts: dict[str, int]


@dataclass(frozen=True)
class CompletenessPage:
    """The plan-completeness page: one table per axis, and totals per warning."""

    lang: str
    axes: tuple[AxisGaps, ...]
    totals: dict[str, int]
    codes: tuple[str, ...]


def completeness_page(gaps: PlanGaps, base: str, lang: str) -> CompletenessPage:
    """Group the plan's gaps by axis for the completeness page (no query)."""
    by_axis: dict[str, list[GapItem]] = {}
    for item in gaps.items:
        by_axis.setdefault(item.axis, []).append(item)
    axes = []
    totals = dict.fromkeys(CODES, 0)
    for axis, items in by_axis.items():
        axis_label = pick(items[0].axis_labels, lang) or Text(axis)

        def rows(kind: str, items: list[GapItem] = items) -> tuple[GapRow, ...]:
            chosen = sorted(
                (i for i in items if i.kind == kind),
                key=lambda i: (i.order, sort_key(i.label(lang).value)),
            )
            return tuple(
                GapRow(i.iri, "/" + i.iri[len(base) :], i.kind, i.label(lang), i.lacks)
                for i in chosen
            )

        counts = dict.fromkeys(CODES, 0)
        for item in items:
            for code in item.lacks:
                counts[code] += 1
        axes.append(
            AxisGaps(
                axis,
                "/" + axis[len(base) :],
                axis_label,
                items[0].axis_notation,
                rows("goal"),
                rows("measure"),
                counts,
            )
        )
    unique: dict[str, tuple[str, ...]] = {}
    for item in gaps.items:
        unique[item.iri] = item.lacks
    for lacks in unique.values():
        for code in lacks:
            totals[code] += 1
    axes.sort(key=lambda a: (a.notation, sort_key(a.label.value)))
    return CompletenessPage(lang, tuple(axes), totals, CODES)


def message(code: str, lang: str) -> Text:
    """The message of a warning code in ``lang``."""
    return Text(i18n.text(f"gaps.{code}", lang), lang)
