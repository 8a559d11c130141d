"""The plan-completeness page: what the action plan leaves open, per axis.

The gaps themselves are the SHACL shapes' completeness results (S80–S83), joined with
the plan's structure by :func:`hamar_graph.build.completeness.plan_gaps`: ``build``
stores them next to the dumps (``plan.json``) and in the pages' database, under the
strategy whose axis each goal or measure is on; an app without a build validates its
store once. The page shows one strategy (:func:`strategy_completeness`), so its cost
does not grow with the number of strategies in the graph.
Pages never run pyshacl per request; entity pages read their warnings from the same
model, and this module groups it per axis for the completeness page.
"""

from __future__ import annotations

from dataclasses import dataclass

from hamar_graph import i18n
from hamar_graph.build.completeness import CODES, PlanGaps, PlanItem
from hamar_graph.i18n import DEFAULT_LANGUAGE
from hamar_graph.pages.labels import Text, sort_key
from hamar_graph.pages.stored import PagesDB

__all__ = [
    "CODES",
    "AxisGaps",
    "CompletenessPage",
    "GapRow",
    "PlanGaps",
    "ScopedCompleteness",
    "StrategyLink",
    "StrategyList",
    "chosen_strategy",
    "completeness_page",
    "message",
    "strategy_completeness",
]


def _text(labels: dict[str, str], lang: str, fallback: str) -> Text:
    for wanted in (lang, DEFAULT_LANGUAGE, *sorted(labels)):
        if wanted in labels:
            return Text(labels[wanted], wanted)
    return Text(fallback)


def item_label(item: PlanItem, lang: str) -> Text:
    """The label of a goal or measure in ``lang`` (Norwegian, then any, then its IRI)."""
    return _text(item.labels, lang, item.iri)


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
    by_axis: dict[str, list[PlanItem]] = {}
    for item in gaps.items:
        by_axis.setdefault(item.axis, []).append(item)
    axes = []
    totals = dict.fromkeys(CODES, 0)
    for axis, items in by_axis.items():
        axis_label = _text(items[0].axis_labels, lang, axis)

        def rows(kind: str, items: list[PlanItem] = items) -> tuple[GapRow, ...]:
            chosen = sorted(
                (i for i in items if i.kind == kind),
                key=lambda i: (i.order, sort_key(item_label(i, lang).value)),
            )
            return tuple(
                GapRow(i.iri, "/" + i.iri[len(base) :], i.kind, item_label(i, lang), i.lacks)
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


@dataclass(frozen=True)
class StrategyLink:
    """A strategy document, as a link to its completeness page."""

    iri: str
    path: str
    label: Text


@dataclass(frozen=True)
class StrategyList:
    """One page of the strategies of the graph (``page``/``pages`` for the pager)."""

    total: int
    page: int
    pages: int
    items: tuple[StrategyLink, ...]


@dataclass(frozen=True)
class ScopedCompleteness:
    """The completeness page of one strategy, with one page of the other strategies."""

    completeness: CompletenessPage
    strategy: StrategyLink | None
    strategies: StrategyList


def chosen_strategy(db: PagesDB, wanted: str | None, default: str) -> str:
    """The strategy to show: ``wanted`` when the graph has it, else ``default``, else the
    first by label; ``""`` (the items on no strategy's axes) when there is none."""
    for candidate in (wanted, default):
        if candidate and db.has_strategy(candidate):
            return candidate
    first = db.strategies(0, 1)
    return first[0] if first else ""


def strategy_completeness(
    db: PagesDB, strategy: str, base: str, lang: str, *, page: int = 1, page_size: int = 50
) -> ScopedCompleteness:
    """The gaps of ``strategy`` per axis, and the ``page``-th page of the strategies (a
    bounded number of SQL queries on the pages' database, none on the store)."""
    total = db.strategy_count()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    listed = db.strategies((page - 1) * page_size, page_size)
    found = db.by_iris([*listed, strategy], lang)

    def link(iri: str) -> StrategyLink:
        r = found.get(iri)
        label = Text(r.label, r.label_lang) if r else Text(iri)
        return StrategyLink(iri, "/" + iri[len(base) :] if iri.startswith(base) else iri, label)

    return ScopedCompleteness(
        completeness_page(db.strategy_gaps(strategy), base, lang),
        link(strategy) if strategy else None,
        StrategyList(total, page, pages, tuple(link(i) for i in listed)),
    )
