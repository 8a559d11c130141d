"""The action plan as a table (hamar_graph.pages.action_plan) and its CSV, checked row by
row against table 6 of the source text (tests/data/source/internasjonal-strategi.txt), not
against the data: the axes in the source's order, each goal under its axis in the source's
order, each measure on its goal's row, and the Ansvar and Kostnad cells empty, so the table
says so."""

from __future__ import annotations

import csv
import io

import pytest

from hamar_graph.pages.action_plan import ActionPlanTable, action_plan_table, plan_csv
from hamar_graph.store.base import Store
from tests.support import source

BASE = "https://data.hamar.kommune.no/"
PLAN = BASE + "id/dokument/handlingsplan-2015-2019"


@pytest.fixture(scope="module", params=["nb", "en"])
def table(request: pytest.FixtureRequest, store: Store) -> ActionPlanTable:
    return action_plan_table(store, PLAN, base=BASE, lang=request.param)


@pytest.fixture(scope="module")
def nb(store: Store) -> ActionPlanTable:
    return action_plan_table(store, PLAN, base=BASE, lang="nb")


def rows(table: ActionPlanTable) -> list[tuple[str, str, list[str]]]:
    """(axis, goal, measures) for every row, in the table's order."""
    return [
        (
            axis.axis.label.value,
            goal.goal.label.value,
            [m.measure.label.value for m in goal.measures],
        )
        for axis in table.axes
        for goal in axis.goals
    ]


def test_the_table_follows_table_6_of_the_source_row_by_row(nb: ActionPlanTable) -> None:
    text = source.table6()
    table = rows(nb)
    assert len(table) == 17 and nb.goal_count == 17 and nb.measure_count == 4
    # every goal is the source's words, and the goals come in the source's order
    starts = [text.find(goal) for _, goal, _ in table]
    assert -1 not in starts, [g for (_, g, _), s in zip(table, starts, strict=True) if s < 0]
    assert starts == sorted(starts)
    all_measures = {m for _, _, ms in table for m in ms}
    axes_in_order = list(dict.fromkeys(axis for axis, _, _ in table))
    for i, (axis, goal, measures) in enumerate(table):
        # the row: from the end of this goal to the start of the next goal
        end = starts[i + 1] if i + 1 < len(table) else len(text)
        row = text[starts[i] + len(goal) : end]
        # this row's measures stand in it; no other measure does
        for measure in measures:
            assert measure in row, (goal, measure)
        for other in all_measures - set(measures):
            assert other not in row, (goal, other)
        # and nothing else: the Ansvar and Kostnad cells are empty in the source. What is
        # left may only be the repeated header and the next axis's name.
        rest = row
        for measure in measures:
            rest = rest.replace(measure, " ", 1)
        rest = rest.replace(source.TABLE6_HEADER, " ")
        later = axes_in_order[axes_in_order.index(axis) + 1 :]
        if i + 1 < len(table) and table[i + 1][0] != axis:
            assert source.squeeze(rest) == source.squeeze(later[0]), (goal, rest)
        else:
            assert source.squeeze(rest) == "", (goal, rest)
    # the first axis stands before the first goal
    assert source.squeeze(text[: starts[0]]) == source.squeeze(
        source.TABLE6_HEADER + axes_in_order[0]
    )


def test_empty_cells_are_said_to_be_empty(nb: ActionPlanTable) -> None:
    for axis in nb.axes:
        for goal in axis.goals:
            assert goal.responsible == () and goal.costs == ()


def test_a_measure_under_two_goals_appears_under_both_marked_as_shared(
    table: ActionPlanTable,
) -> None:
    shared = {
        m.measure.iri: m.shared_with
        for axis in table.axes
        for goal in axis.goals
        for m in goal.measures
        if m.shared_with
    }
    assert set(shared) == {
        BASE + "id/tiltak/internasjonal-uke",
        BASE + "id/tiltak/kartlegge-og-stotte-lag-og-foreningenes-internasjonale-arbeid",
    }
    listed = [
        (goal.goal.iri, m.measure.iri)
        for axis in table.axes
        for goal in axis.goals
        for m in goal.measures
    ]
    assert sum(1 for _, m in listed if m == BASE + "id/tiltak/internasjonal-uke") == 2
    assert all(len(goals) == 1 for goals in shared.values())


def test_each_measure_on_its_row_is_marked_as_a_reading(table: ActionPlanTable) -> None:
    for axis in table.axes:
        for goal in axis.goals:
            for m in goal.measures:
                assert m.reading is not None and m.reading.href.startswith("/id/utsagn/")


def test_axes_in_the_plans_order_with_notation(table: ActionPlanTable) -> None:
    assert [a.notation for a in table.axes] == ["4.1", "4.2", "4.3", "4.4", "4.5"]
    assert [len(a.goals) for a in table.axes] == [4, 6, 3, 2, 2]
    if table.lang == "en":
        assert table.axes[2].axis.label.value == "Twin-city cooperation"


def parse_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, for Excel"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_is_the_table_row_by_row(nb: ActionPlanTable) -> None:
    lines = parse_csv(plan_csv(nb))
    header, body = lines[0], lines[1:]
    assert header[:6] == ["Akse", "Mål", "Tiltak", "Tiltaket står også under", "Ansvar", "Kostnad"]
    # one line per goal and measure, in the table's order; a goal without a measure says so
    expected = []
    for _axis, goal, measures in rows(nb):
        for measure in measures or ["ingen tiltak i planen"]:
            expected.append((goal, measure))
    assert [(line[1], line[2]) for line in body] == expected
    assert len(body) == 13 + 6  # 13 goals without a measure, 6 goal–measure links
    assert {line[4] for line in body} == {line[5] for line in body} == {"ikke angitt i planen"}
    axes = [line[0] for line in body]
    assert axes[0] == "4.1 Globalt partnerskap og solidaritet"
    assert list(dict.fromkeys(axes)) == [f"{a.notation} {a.axis.label.value}" for a in nb.axes]
    shared = {line[2]: line[3] for line in body if line[3]}
    assert shared["Internasjonal uke"] in {
        "Oppfylle FNs Tusenårsmål og delta i utvikling av demokratisk styresett.",
        "Sikre at integrering fremstår som en del av kommunens internasjonalt arbeid og "
        "integreringsperspektivet inngår kommunale planer og temaplaner.",
    }
    assert all(line[6].startswith(BASE + "id/handlingsmal/") for line in body)


def test_csv_in_english(store: Store) -> None:
    en = action_plan_table(store, PLAN, base=BASE, lang="en")
    lines = parse_csv(plan_csv(en))
    assert lines[0][:3] == ["Axis", "Goal", "Measure"]
    assert {line[4] for line in lines[1:]} == {"not stated in the plan"}
    assert lines[1][0] == "4.1 Global partnership and solidarity"


def test_an_unknown_plan_has_no_rows(store: Store) -> None:
    assert (
        action_plan_table(store, BASE + "id/dokument/finnes-ikke", base=BASE, lang="nb").axes == ()
    )
