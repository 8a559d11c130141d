"""The "Ansvar" page (hamar_graph.pages.responsibility) against section 5 of the source:
the chart's boxes in the chart's order, every actor its "Ansvar" row names listed and
linked, each pairing marked as our reading, and the text of section 5."""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef

from hamar_graph.pages.ontology_doc import load_vocabulary
from hamar_graph.pages.responsibility import ResponsibilityPage, responsibility_page
from hamar_graph.store.base import Store
from tests.support import source

BASE = "https://data.hamar.kommune.no/"


@pytest.fixture(scope="module", params=["nb", "en"])
def page(request: pytest.FixtureRequest, store: Store) -> ResponsibilityPage:
    labeller = load_vocabulary(store, BASE).labeller()
    return responsibility_page(store, BASE, request.param, labeller)


@pytest.fixture(scope="module")
def nb(store: Store) -> ResponsibilityPage:
    return responsibility_page(store, BASE, "nb", load_vocabulary(store, BASE).labeller())


def names_of(store: Store, iri: str) -> set[str]:
    """Every name an actor goes by in Norwegian (labels, alternative labels, abbreviation)."""
    rows = store.select(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX hms: <https://data.hamar.kommune.no/def/> "
        "SELECT ?a ?n WHERE { ?a skos:prefLabel|skos:altLabel|hms:abbreviation ?n "
        "FILTER(lang(?n) IN ('nb', '')) }",
        {"a": URIRef(iri)},
    )
    return {str(r["n"]) for r in rows}


def test_the_boxes_of_the_chart_in_the_charts_order(nb: ResponsibilityPage) -> None:
    chart = source.chart()
    boxes, _, _ = chart.partition(" Ansvar ")
    areas = [row.area.label.value for row in nb.chart.rows]
    assert len(areas) == 6
    positions = [boxes.find(area) for area in areas]
    assert -1 not in positions and positions == sorted(positions)
    # and nothing in the boxes part that is not a box (the heading actor excepted)
    rest = boxes
    for area in areas:
        rest = rest.replace(area, " ", 1)
    assert rest.split() == ["Formannskapet"]


def test_every_actor_the_chart_names_is_listed_and_linked(
    nb: ResponsibilityPage, store: Store
) -> None:
    _, _, row = source.chart().partition(" Ansvar ")
    # the "Ansvar" row: Formannskapet Rådmann Fagenheter HrU og Regionale myndigheter
    listed = nb.chart_actors
    assert len(listed) == 5
    rest = row
    for entry in listed:
        assert entry.actor.href.startswith("/id/"), entry
        names = sorted(names_of(store, entry.actor.iri), key=len, reverse=True)
        found = next((n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", rest)), None)
        assert found, (entry.actor.label, names, rest)
        rest = rest.replace(found, " ", 1)
    assert rest.split() == ["og"], rest  # every name on the row is an actor of the page
    hru = next(e for e in listed if e.actor.iri.endswith("hamarregionen-utvikling"))
    assert hru.actor.label.value == "Hamarregionen Utvikling"
    assert [a.label.value for a in hru.answers_for] == [
        "Koordinering, veiledning og kompetanseheving"
    ]


def test_each_pairing_is_marked_as_our_reading(page: ResponsibilityPage) -> None:
    pairs = [(row.area, c) for row in page.chart.rows for c in row.actors]
    assert len(pairs) == 7
    for _, c in pairs:
        assert c.reading is not None and c.reading.href.startswith("/id/utsagn/ansvar-")
    regional = next(e for e in page.chart_actors if e.actor.iri.endswith("regionale-myndigheter"))
    assert [m.actor.iri for m in regional.members] == [
        BASE + "id/organisasjon/hedmark-fylkeskommune"
    ]
    assert regional.members[0].reading is not None


def test_the_text_of_section_5_and_the_picture(page: ResponsibilityPage) -> None:
    assert [s.number for s in page.sections] == ["5"]
    text = page.sections[0].text
    assert text is not None and text.lang == page.lang
    hrefs = {seg.href for para in text.paragraphs for line in para for seg in line if seg.href}
    assert "/id/organisasjon/hedmark-fylkeskommune" in hrefs
    assert page.chart_svg.startswith("<svg") and 'role="img"' in page.chart_svg
    for row in page.chart.rows:
        assert row.area.label.value.split()[0] in page.chart_svg


def test_other_actors_of_the_strategy(nb: ResponsibilityPage) -> None:
    others = {e.actor.iri.rsplit("/", 1)[1] for e in nb.other_actors}
    assert {"kommunestyret", "hamar-kommune", "ore", "hedmark-fylkeskommune", "utvalget"} <= others
    assert not others & {e.actor.iri.rsplit("/", 1)[1] for e in nb.chart_actors}
    assert all(e.kinds for e in nb.other_actors)
    assert not any(":" in k for e in nb.other_actors for k in e.kinds)
