"""The completeness report: the plan's real gaps per axis (issue 3).

What the report must list comes from the reading of the source, ``data/README.md``
(section 6's table of goals and measures), not from the graph, so a wrong link in the
data or a wrong arrangement in the code both fail here.
"""

from __future__ import annotations

import json
import re

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from hamar_graph.build.completeness import (
    CATEGORIES,
    CompletenessReport,
    PlanGaps,
    completeness,
    plan_gaps,
    render_text,
)
from hamar_graph.build.validate import (
    load_ontology,
    load_shapes,
    split_dataset,
    validate_dataset,
    validate_graph,
)
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.namespaces import HMS, ID

README = PROJECT_ROOT / "data" / "README.md"


def readme_plan() -> list[tuple[str, int, str, str]]:
    """(axis label, row, goal text, measures cell) for every row of section 6's table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### 6 Handlingsplan", 1)[1].split("\n### ", 1)[0]
    rows: list[tuple[str, int, str, str]] = []
    axis = ""
    for line in section.splitlines():
        m = re.match(r"^\|\s*([^|]*?)\s*\|\s*(\d+)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|$", line)
        if m:
            axis = m.group(1).strip() or axis
            rows.append((axis, int(m.group(2)), m.group(3).strip(), m.group(4).strip()))
    return rows


@pytest.fixture(scope="module")
def data(dataset: Dataset) -> Graph:
    return split_dataset(dataset)[0]


@pytest.fixture(scope="module")
def report(dataset: Dataset, data: Graph) -> CompletenessReport:
    settings = Settings(source_dir=PROJECT_ROOT)
    validation = validate_graph(
        data, load_shapes(settings), split_dataset(dataset)[1] or load_ontology(settings)
    )
    return completeness(validation, data)


def _goal_by_text(data: Graph, text: str) -> URIRef:
    found = [
        g
        for g in data.subjects(RDF.type, HMS.ActionPlanGoal)
        if Literal(text, lang="nb") in set(data.objects(g, HMS.text))
    ]
    assert len(found) == 1, f"no single goal with the text {text!r}"
    return found[0]  # type: ignore[return-value]


def test_readme_table_is_read() -> None:
    rows = readme_plan()
    assert len(rows) == 17
    assert [r[1] for r in rows if r[0].startswith("Tjenesteutvikling")] == [1, 2, 3, 4, 5, 6]


def test_goals_without_measures_are_those_of_the_readme(
    report: CompletenessReport, data: Graph
) -> None:
    rows = readme_plan()
    without = {_goal_by_text(data, goal) for _axis, _row, goal, measures in rows if measures == "–"}
    with_measures = {
        _goal_by_text(data, goal) for _axis, _row, goal, measures in rows if measures != "–"
    }
    assert len(without) + len(with_measures) == 17
    assert report.iris("goals_without_measures") == {str(g) for g in without}
    assert report.totals()["goals_without_measures"] == len(without)


def test_every_goal_and_measure_lacks_a_responsible_actor_and_every_measure_a_cost(
    report: CompletenessReport, data: Graph
) -> None:
    goals = {str(g) for g in data.subjects(RDF.type, HMS.ActionPlanGoal)}
    measures = {str(m) for m in data.subjects(RDF.type, HMS.Measure)}
    assert len(goals) == 17 and len(measures) == 4
    assert report.goals == 17 and report.measures == 4
    assert report.iris("goals_without_responsible_actor") == goals
    assert report.iris("measures_without_responsible_actor") == measures
    assert report.iris("measures_without_cost") == measures
    assert report.totals() == {
        "goals_without_measures": 13,
        "goals_without_responsible_actor": 17,
        "measures_without_responsible_actor": 4,
        "measures_without_cost": 4,
    }


def test_axes_in_notation_order_with_each_goal_on_its_axis(
    report: CompletenessReport, data: Graph
) -> None:
    assert [a.notation for a in report.axes] == ["4.1", "4.2", "4.3", "4.4", "4.5"]
    rows = readme_plan()
    readme_axes = list(dict.fromkeys(axis for axis, _row, _goal, _m in rows))
    assert [a.label_nb for a in report.axes] == readme_axes
    for axis in report.axes:
        goals = axis.goals_without_responsible_actor
        expected = [
            (row, str(_goal_by_text(data, goal)))
            for name, row, goal, _m in rows
            if name == axis.label_nb
        ]
        assert [(g.row_order, g.iri) for g in goals] == expected
        for goal in goals:
            assert goal.label_nb and goal.label_en and goal.label_nb != goal.label_en


def test_a_measure_under_goals_on_two_axes_is_listed_under_both(
    report: CompletenessReport,
) -> None:
    week = str(ID["tiltak/internasjonal-uke"])
    placed = {
        (a.notation, item.row_order)
        for a in report.axes
        for item in a.measures_without_cost
        if item.iri == week
    }
    # "Internasjonal uke" stands on the rows of goals 1.1 and 4.1 (data/README.md)
    assert placed == {("4.1", 1), ("4.4", 1)}
    support = str(ID["tiltak/kartlegge-og-stotte-lag-og-foreningenes-internasjonale-arbeid"])
    placed = {
        (a.notation, item.row_order)
        for a in report.axes
        for item in a.measures_without_responsible_actor
        if item.iri == support
    }
    assert placed == {("4.1", 4), ("4.3", 1)}


def test_to_dict_is_json(report: CompletenessReport) -> None:
    data = json.loads(json.dumps(report.to_dict()))
    assert data["goals"] == 17
    assert [a["notation"] for a in data["axes"]] == ["4.1", "4.2", "4.3", "4.4", "4.5"]
    first = data["axes"][0]
    assert set(first) == {"iri", "notation", "label_nb", "label_en"} | {
        n for n, _s, _k in CATEGORIES
    }
    item = first["goals_without_measures"][0]
    assert set(item) == {"iri", "label_nb", "label_en", "row_order"}
    assert item["row_order"] == 2


TITLES = {
    "nb": ("Hva handlingsplanen lar stå åpent (17 mål og 4 tiltak)", "Mål uten tiltak"),
    "en": ("What the action plan leaves open (17 goals and 4 measures)", "Goals without a measure"),
}
TITLES_ROW = {"nb": "rad", "en": "row"}


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_render_text(report: CompletenessReport, data: Graph, lang: str) -> None:
    text = render_text(report, lang)
    title, heading = TITLES[lang]
    assert text.startswith(title)
    assert heading in text
    goal = ID["handlingsmal/videreutvikle-vertsskapsrollen"]
    labels = [str(x) for x in data.objects(goal, SKOS.prefLabel) if x.language == lang]  # type: ignore[attr-defined]
    assert len(labels) == 1
    assert f"- {TITLES_ROW[lang]} 2: {labels[0]}\n      <{goal}>" in text


def test_goal_without_axis_and_complete_axis() -> None:
    """A small graph: one complete axis, and a goal with no axis, listed last."""
    data = Graph().parse(
        data="""
        @prefix hms: <https://data.hamar.kommune.no/def/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix ex: <http://example.org/> .
        ex:axis a hms:Axis ; skos:notation "4.10" ; skos:prefLabel "Akse"@nb , "Axis"@en .
        ex:axis2 a hms:Axis ; skos:notation "4.9" ; skos:prefLabel "Akse 2"@nb .
        ex:done a hms:ActionPlanGoal ; hms:axis ex:axis ; hms:rowOrder 1 ;
            hms:responsibleActor ex:actor .
        ex:m a hms:Measure ; hms:servesGoal ex:done ; hms:responsibleActor ex:actor ;
            hms:cost ex:cost .
        ex:loose a hms:ActionPlanGoal ; skos:prefLabel "Løst mål"@nb ; hms:responsibleActor ex:a .
        """,
        format="turtle",
    )
    settings = Settings(source_dir=PROJECT_ROOT)
    validation = validate_graph(data, load_shapes(settings), load_ontology(settings))
    report = completeness(validation, data)
    # numeric notation order: 4.9 before 4.10; the axis-less group last
    assert [a.notation for a in report.axes] == ["4.9", "4.10", None]
    assert report.axes[0].is_complete and report.axes[1].is_complete
    loose = report.axes[2]
    assert loose.iri is None
    assert [i.iri for i in loose.goals_without_measures] == ["http://example.org/loose"]
    assert loose.goals_without_measures[0].row_order is None
    assert loose.label("en") == "Without an axis"
    text = render_text(report, "en")
    assert "4.9 Akse 2\n  <http://example.org/axis2>\n  (nothing missing)" in text
    assert "Without an axis\n  Goals without a measure (1):\n    - Løst mål" in text


def test_the_pages_model_agrees_with_the_report(
    report: CompletenessReport, dataset: Dataset
) -> None:
    """The pages read the same SHACL results (hamar_graph.build.completeness.plan_gaps): the
    model they read lists the same (resource, axis) pairs per category as the CLI's report."""
    codes = {
        ("goal", "no-measure"): "goals_without_measures",
        ("goal", "no-responsible"): "goals_without_responsible_actor",
        ("measure", "no-responsible"): "measures_without_responsible_actor",
        ("measure", "no-cost"): "measures_without_cost",
    }
    model = plan_gaps(validate_dataset(dataset), dataset)
    from_pages: dict[str, set[tuple[str, str]]] = {name: set() for name in codes.values()}
    for item in model.items:
        for code in item.lacks:
            from_pages[codes[(item.kind, code)]].add((item.iri, item.axis))
    from_shapes = {
        name: {(i.iri, str(a.iri)) for a in report.axes for i in a.items(name)}
        for name in codes.values()
    }
    assert from_pages == from_shapes
    assert PlanGaps.from_json(model.to_json()) == model
