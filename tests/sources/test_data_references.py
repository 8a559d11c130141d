"""Content tests for the key figures, programmes and plans of ``data/references.ttl``.

As in ``tests/sources/test_data_places_actors.py``, the Turtle sources are parsed directly with
rdflib, so these tests check what the files say (the four key figures with their units, bounds,
sources and periods, the exact fraction "2/3", Horizon 2020, who created the external
strategies and programmes, the period of the municipal plan) independently of the build.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from tests.support.places_actors import HMS, ID
from tests.support.places_actors import label as _label
from tests.support.places_actors import one as _one

# ---------------------------------------------------------------------------
# Key figures
# ---------------------------------------------------------------------------

# slug, value, unit nb, unit en, unit code, lower bound, source, measured thing, period, section
# "2/3" has no hms:value but the exact fraction (see test_fraction_is_exact); only "over 70 %"
# has a source in the text (issue 14).
KEY_FIGURES = [
    (
        "eos-saker-i-kommunestyrer",
        Decimal("70"),
        "prosent",
        "percent",
        "P1",
        True,
        "organisasjon/ks",
        "avtale/eos-avtalen",
        None,
        "seksjon/1-boks",
    ),
    (
        "innvandrere-av-netto-innflytting",
        None,
        "andel",
        "share",
        "C62",
        False,
        None,
        "sted/hamar",
        "periode/2008-2014",
        "seksjon/1-boks",
    ),
    (
        "sprak-i-hamarskolen",
        Decimal("44"),
        "språk",
        "languages",
        "C62",
        False,
        None,
        "institusjon/hamarskolen",
        None,
        "seksjon/1-boks",
    ),
    (
        "horisont-2020-budsjett",
        Decimal("70000000000"),
        "euro",
        "euro",
        "EUR",
        False,
        None,
        "program/horisont-2020",
        None,
        "seksjon/4-2",
    ),
]


@pytest.mark.parametrize(
    (
        "slug",
        "value",
        "unit_nb",
        "unit_en",
        "code",
        "lower",
        "source",
        "thing",
        "period",
        "section",
    ),
    KEY_FIGURES,
    ids=[row[0] for row in KEY_FIGURES],
)
def test_key_figure(
    mine: Graph,
    slug: str,
    value: Decimal | None,
    unit_nb: str,
    unit_en: str,
    code: str,
    lower: bool,
    source: str | None,
    thing: str,
    period: str | None,
    section: str,
) -> None:
    figure = ID[f"nokkeltall/{slug}"]
    assert (figure, RDF.type, HMS.KeyFigure) in mine
    if value is None:
        assert list(mine.objects(figure, HMS.value)) == []
    else:
        literal = _one(mine, figure, HMS.value)
        assert isinstance(literal, Literal)
        assert literal.datatype == XSD.decimal
        assert literal.toPython() == value
    units = {(o.language, str(o)) for o in mine.objects(figure, HMS.unit)}
    assert units == {("nb", unit_nb), ("en", unit_en)}
    assert _one(mine, figure, HMS.unitCode) == Literal(code)
    assert _one(mine, figure, HMS.isLowerBound).toPython() is lower
    assert set(mine.objects(figure, HMS.figureSource)) == ({ID[source]} if source else set())
    assert _one(mine, figure, HMS.measuredThing) == ID[thing]
    assert set(mine.objects(figure, HMS.period)) == ({ID[period]} if period else set())
    assert set(mine.objects(figure, HMS.fromSection)) == {ID[section]}
    assert _one(mine, figure, HMS.text).language == "nb"


def test_key_figures_are_exactly_four(mine: Graph) -> None:
    assert set(mine.subjects(RDF.type, HMS.KeyFigure)) == {
        ID[f"nokkeltall/{row[0]}"] for row in KEY_FIGURES
    }


def test_fraction_is_kept_verbatim(mine: Graph) -> None:
    text = str(_one(mine, ID["nokkeltall/innvandrere-av-netto-innflytting"], HMS.text))
    assert text.startswith("2/3 av netto innflytting til Hamar")


def test_fraction_is_exact(mine: Graph) -> None:
    """ "2/3" is stored as numerator 2 and denominator 3, integers, never as 0.6667."""
    figure = ID["nokkeltall/innvandrere-av-netto-innflytting"]
    assert _one(mine, figure, HMS.numerator) == Literal(2)
    assert _one(mine, figure, HMS.denominator) == Literal(3)
    assert _one(mine, figure, HMS.numerator).datatype == XSD.integer


def test_horizon_2020(mine: Graph) -> None:
    programme = ID["program/horisont-2020"]
    assert _one(mine, programme, HMS.budget) == ID["nokkeltall/horisont-2020-budsjett"]
    assert _one(mine, programme, HMS.homepage) == URIRef(
        "http://ec.europa.eu/programmes/horizon2020/"
    )
    assert _label(mine, programme, "nb") == "Horisont 2020"
    assert "Horizon2020" in {str(o) for o in mine.objects(programme, SKOS.altLabel)}


@pytest.mark.parametrize(
    ("thing", "creator"),
    [
        ("strategi/eu2020", "organisasjon/europaparlamentet"),
        ("program/fns-tusenarsmal", "organisasjon/fn"),
        ("program/eus-programmer", "organisasjon/eu"),
    ],
)
def test_creator_as_the_source_attributes_it(mine: Graph, thing: str, creator: str) -> None:
    # The UN Millennium Development Goals are goals, not a programme (issue 14): dct:creator.
    predicate = DCTERMS.creator if thing == "program/fns-tusenarsmal" else HMS.creatorOrg
    assert _one(mine, ID[thing], predicate) == ID[creator]


def test_kommuneplan_period(mine: Graph) -> None:
    plan = ID["plan/kommuneplan-2009-2020"]
    assert (plan, RDF.type, HMS.MunicipalPlan) in mine
    assert _one(mine, plan, HMS.period) == ID["periode/2009-2020"]
