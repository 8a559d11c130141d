"""Issue 14: external identifiers only where verified, and English translations corrected.

Each place's Wikidata and GeoNames identifiers, the organisation numbers and the bounding box
of the municipality are checked against the graph as the build assembles it (the session
fixture ``dataset``) and against the table "External identifiers" of ``data/README.md``; each
corrected English text is checked against the Norwegian it translates, whose words are in the
source text (``tests/data/source/internasjonal-strategi.txt``). The readings themselves are
checked in ``tests/sources/test_issue14_readings.py``.
"""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SDO, SKOS

from hamar_graph.namespaces import GEO, HMS, ID
from tests.support.issue14 import README, one, words

DCAT_BBOX = URIRef("http://www.w3.org/ns/dcat#bbox")
WD = "http://www.wikidata.org/entity/"
GN = "https://sws.geonames.org/"


# --- external links -------------------------------------------------------------------------------


def external(g: Graph, s: URIRef) -> set[str]:
    return {str(o) for o in g.objects(s, OWL.sameAs)}


def test_places_have_both_wikidata_and_geonames_where_verified(g: Graph) -> None:
    missing_wikidata = {ID["vennskapsby/greifswald"]}  # no stored source (data/README.md)
    places = [
        *g.subjects(RDF.type, HMS.TwinCity),
        *g.subjects(RDF.type, HMS.Country),
        *g.subjects(RDF.type, HMS.Region),
        ID["sted/hamar"],
        ID["sted/europa"],
    ]
    assert len(places) == 21
    for place in places:
        links = external(g, place)
        assert any(link.startswith(GN) for link in links), place
        assert any(link.startswith(WD) for link in links) is (place not in missing_wikidata), place


@pytest.mark.parametrize(
    ("place", "identifier"),
    [
        ("vennskapsby/lund", WD + "Q2167"),
        ("vennskapsby/greifswald", GN + "2917788/"),
        ("vennskapsby/karmiel", WD + "Q152417"),
        ("vennskapsby/karmiel", GN + "294577/"),
        ("vennskapsby/khan-younis", GN + "281124/"),
        ("land/palestina", WD + "Q219060"),
        ("land/palestina", GN + "6254930/"),
        ("region/gaza", WD + "Q39760"),
        ("region/nord-dakota", WD + "Q1207"),
        ("region/nord-dakota", GN + "5690763/"),
        ("sted/hamar", GN + "3154084/"),
        ("sted/hamar-kommune", GN + "6453351/"),
    ],
)
def test_verified_identifier(g: Graph, place: str, identifier: str) -> None:
    assert identifier in external(g, ID[place])
    section = README.read_text(encoding="utf-8").split("## External identifiers", 1)[1]
    assert f"| `id:{place}`" in section and f"`{identifier}`" in section


def test_innlandet_is_close_to_the_county_not_the_same(g: Graph) -> None:
    innlandet = ID["sted/innlandet"]
    assert external(g, innlandet) == set()
    assert set(g.objects(innlandet, SKOS.closeMatch)) == {URIRef(GN + "12110598/")}


def test_norway_matches_the_eu_country_table(g: Graph) -> None:
    nor = URIRef("http://publications.europa.eu/resource/authority/country/NOR")
    assert (ID["land/norge"], SKOS.exactMatch, nor) in g


def test_hamar_municipality_area_has_a_verified_bounding_box_and_no_centroid(g: Graph) -> None:
    area = ID["sted/hamar-kommune"]
    (bbox,) = g.objects(area, DCAT_BBOX)
    assert bbox.datatype == URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")  # type: ignore[union-attr]
    polygon = str(bbox).split("POLYGON", 1)[1]
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", polygon)]
    assert min(numbers[0::2]) == 10.980979529367 and max(numbers[0::2]) == 11.279711792114
    assert min(numbers[1::2]) == 60.768984105408 and max(numbers[1::2]) == 61.23604469557
    assert not set(g.objects(area, URIRef("http://www.w3.org/ns/dcat#centroid")))
    assert not set(g.objects(area, GEO.lat))
    assert (ID["organisasjon/hamar-kommune"], DCTERMS.spatial, area) in g
    assert (ID["sted/hamar"], SDO.containedInPlace, area) in g


def test_organisation_numbers_and_unverified_links(g: Graph) -> None:
    county, ks = ID["organisasjon/hedmark-fylkeskommune"], ID["organisasjon/ks"]
    assert one(g, county, DCTERMS.identifier) == Literal("942116217")
    assert one(g, ks, DCTERMS.identifier) == Literal("971032146")
    for slug in ("hedmark-fylkeskommune", "ks", "ore", "hihm", "luna"):
        assert external(g, ID[f"organisasjon/{slug}"]) == set(), slug
    section = README.read_text(encoding="utf-8").split("## External identifiers", 1)[1]
    assert "no stored source found for any of them" in section


# --- English translations ------------------------------------------------------------------

BAD_ENGLISH = [
    "business plan",
    "into growth and development",
    "shares a community with",
    "think further",
    "partner in interaction",
    "International interaction",
    "international interaction",
    "economic plan",
    "Bring forward",
    "arises from",
    "exercised when",
    "EU apparatus",
]


def english(g: Graph) -> list[str]:
    return [
        str(o)
        for s, _p, o in g
        if isinstance(o, Literal) and o.language == "en" and str(s).startswith(str(ID))
    ]


@pytest.mark.parametrize("phrase", BAD_ENGLISH)
def test_awkward_english_is_gone(g: Graph, phrase: str) -> None:
    assert not [text for text in english(g) if phrase in text]


#: resource, Norwegian (verbatim, in hms:text), corrected English (in hms:textTranslation)
CORRECTED = [
    (
        "seksjon/3-3",
        "regionale tiltak som gir vekst og utvikling",
        "regional measures that create growth and development",
    ),
    ("seksjon/3", "Denne rollen utøves dersom kommunen", "This role is exercised if the"),
    ("seksjon/2", "er betinget av denne anerkjennelsen", "depends on this recognition"),
    ("seksjon/3-2", "har en felleskap med", "is part of a community with"),
    ("seksjon/4-4", "til å tenke videre", "to think beyond their own surroundings"),
    ("seksjon/5", "organisasjonens virksomhetsplaner", "operational plans"),
    ("seksjon/5", "Handlings- og økonomiplan", "action and financial plan"),
    (
        "handlingsmal/fronte-og-benytte-ansattes-internasjonalkompetanse",
        "Fronte og benytte",
        "Promote and make better use",
    ),
    (
        "handlingsmal/vaere-kompetent-og-engasjert-vertskommune",
        "samhandlingsaktør",
        "cooperation partner",
    ),
    (
        "aksemal/tjenesteutvikling-gjennom-eu-prosjekter",
        "Internasjonal samhandling",
        "International cooperation",
    ),
]


@pytest.mark.parametrize(("resource", "norwegian", "english_text"), CORRECTED)
def test_corrected_translation_against_the_source(
    g: Graph, resource: str, norwegian: str, english_text: str
) -> None:
    text = str(one(g, ID[resource], HMS.text))
    assert norwegian in text
    # the Norwegian is verbatim: its words are in the source (up to line breaks)
    first = norwegian.split()[0]
    assert first in words()
    assert english_text in str(one(g, ID[resource], HMS.textTranslation))


def test_plan_labels_in_english(g: Graph) -> None:
    for s in (ID["plan/virksomhetsplaner"], ID["ansvarsomrade/virksomhetsplaner"]):
        assert (s, SKOS.prefLabel, Literal("Operational plans", lang="en")) in g
    plan = ID["plan/handlings-og-okonomiplan"]
    assert (plan, SKOS.prefLabel, Literal("Action and financial plan", lang="en")) in g
