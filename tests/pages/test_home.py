"""The home page's model (hamar_graph.pages.home): the strategy at a glance, read from the
store with six queries, and the key figures in words."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from hamar_graph.pages.home import HomePage, format_figure, home_page
from hamar_graph.pages.labels import Text
from hamar_graph.store.base import Store

BASE = "https://data.hamar.kommune.no/"


@pytest.fixture(scope="module", params=["nb", "en"])
def page(request: pytest.FixtureRequest, store: Store) -> HomePage:
    return home_page(store, BASE, request.param)


def test_the_five_axes_in_the_plans_order_with_goal_and_main_strategy(page: HomePage) -> None:
    assert [a.notation for a in page.axes] == ["4.1", "4.2", "4.3", "4.4", "4.5"]
    for axis in page.axes:
        assert axis.href.startswith("/id/akse/")
        assert axis.goal is not None and axis.goal_href and axis.goal_href.startswith("/id/")
        assert axis.strategy is not None and axis.strategy_href
    first = page.axes[0].label.value
    assert first == {"nb": "Globalt partnerskap og solidaritet"}.get(page.lang, first)


def test_strategy_and_action_plan_link_to_their_pages(page: HomePage) -> None:
    assert page.strategy is not None and page.strategy.href == "/id/dokument/internasjonal-strategi"
    assert page.action_plan is not None and page.action_plan.href.startswith("/id/dokument/")


def test_key_figures_in_words(page: HomePage) -> None:
    values = {f.value for f in page.key_figures}
    assert "2/3" in values
    assert "over 70 %" in values
    assert ("70 mrd. euro" if page.lang == "nb" else "EUR 70 billion") in values


def test_tree_places_and_chart(page: HomePage) -> None:
    assert len(page.tree) == 5
    assert sum(len(a.goals) for a in page.tree) == 17  # the plan's 17 goals
    homes = [p for p in page.places if p.home]
    assert [p.place.label for p in homes] == ["Hamar"]
    assert len(page.places) == 9  # Hamar and its eight twin cities
    assert page.chart and all(area.area.href.startswith("/id/") for area in page.chart)
    for svg in (page.tree_svg, page.map_svg, page.chart_svg):
        assert svg.startswith("<svg") and "<title" in svg and "<desc" in svg


@pytest.mark.parametrize(
    ("value", "unit", "code", "lower", "lang", "expected"),
    [
        (Literal("70", datatype=XSD.decimal), None, "P1", True, "nb", "over 70 %"),
        (Literal("12.5", datatype=XSD.decimal), None, "P1", False, "nb", "12,5 %"),
        (Literal("12.5", datatype=XSD.decimal), None, "P1", False, "en", "12.5 %"),
        (Literal("70000000000", datatype=XSD.decimal), None, "EUR", False, "en", "EUR 70 billion"),
        (Literal("70000000000", datatype=XSD.decimal), None, "EUR", False, "nb", "70 mrd. euro"),
        (Fraction(2, 3), None, "", False, "nb", "2/3"),
        (Literal("0.25", datatype=XSD.decimal), None, "", False, "en", "1/4"),
        (Literal("44", datatype=XSD.integer), Text("språk", "nb"), "", False, "nb", "44 språk"),
        (None, None, "", False, "nb", ""),
    ],
)
def test_format_figure(
    value: Literal | Fraction | None,
    unit: Text | None,
    code: str,
    lower: bool,
    lang: str,
    expected: str,
) -> None:
    assert format_figure(value, unit, code, lower, lang) == expected


def test_a_decimal_that_is_no_simple_fraction_stays_a_decimal() -> None:
    assert (
        format_figure(Literal(str(Decimal("0.4142")), datatype=XSD.decimal), None, "", False, "en")
        == "0.4142"
    )
