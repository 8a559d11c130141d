"""Content tests for ``data/places.ttl``, ``data/actors.ttl`` and ``data/references.ttl``.

The Turtle sources are parsed directly with rdflib, so these tests check what the files say
(twin cities, regions, the responsibility chart, the coordination function and the external
identifiers) independently of the build. The key figures, programmes and plans of
``data/references.ttl`` are checked in ``tests/sources/test_data_references.py``.
"""

from __future__ import annotations

import re

import pytest
from rdflib import OWL, RDF, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from tests.support.places_actors import DATA, HMS, ID, MY_FILES
from tests.support.places_actors import label as _label
from tests.support.places_actors import one as _one
from tests.support.places_actors import parse as _parse

GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
ORG = Namespace("http://www.w3.org/ns/org#")
NLOD = URIRef("http://publications.europa.eu/resource/authority/licence/NLOD_2_0")


@pytest.fixture(scope="module")
def everything() -> Graph:
    """Every Turtle file in data/ (for links into the other files)."""
    return _parse(*sorted(DATA.glob("*.ttl")))


# ---------------------------------------------------------------------------
# File headers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("stem", MY_FILES)
def test_file_header(stem: str) -> None:
    graph = _parse(DATA / f"{stem}.ttl")
    header = URIRef(f"https://data.hamar.kommune.no/graph/data-{stem}")
    assert (header, RDF.type, OWL.Ontology) in graph
    assert _one(graph, header, OWL.versionIRI) == URIRef(f"{header}/0.1.0")
    assert _one(graph, header, DCTERMS.license) == NLOD
    assert _one(graph, header, DCTERMS.modified) == Literal("2026-12-03", datatype=XSD.date)
    assert _one(graph, header, DCTERMS.source) == ID["dokument/internasjonal-strategi"]
    titles = {t.language for t in graph.objects(header, DCTERMS.title)}
    assert titles == {"nb", "en"}


# ---------------------------------------------------------------------------
# Labels and provenance of every resource the three files define
# ---------------------------------------------------------------------------


def test_every_resource_has_labels_and_a_source_section(mine: Graph, everything: Graph) -> None:
    subjects = {s for s in mine.subjects(RDF.type, None) if str(s).startswith(str(ID))}
    assert len(subjects) > 50
    sections = set(everything.subjects(RDF.type, HMS.SourceSection))
    problems = []
    for s in sorted(subjects):
        nb = [o for o in mine.objects(s, SKOS.prefLabel) if o.language == "nb"]
        en = [o for o in mine.objects(s, SKOS.prefLabel) if o.language == "en"]
        origins = set(mine.objects(s, HMS.fromSection))
        if len(nb) != 1 or not en:
            problems.append(f"{s}: prefLabel nb={nb} en={en}")
        if not origins:
            problems.append(f"{s}: no hms:fromSection")
        if origins - sections:
            problems.append(f"{s}: fromSection not a defined section: {origins - sections}")
    assert not problems, "\n".join(problems)


def test_texts_are_norwegian_and_translations_english(mine: Graph) -> None:
    texts = list(mine.subject_objects(HMS.text))
    translations = list(mine.subject_objects(HMS.textTranslation))
    assert texts and translations
    assert all(o.language == "nb" for _, o in texts)
    assert all(o.language == "en" for _, o in translations)
    assert {s for s, _ in texts} == {s for s, _ in translations}


# ---------------------------------------------------------------------------
# Twin cities (box "Hamars vennskapsbyer", section 4.3)
# ---------------------------------------------------------------------------

# slug, label @nb (as the source writes it), label @en, country, region, reference lat/long
TWIN_CITIES = [
    ("lund", "Lund", "Lund", "sverige", None, 55.704, 13.195),
    ("viborg", "Viborg", "Viborg", "danmark", None, 56.453, 9.402),
    ("porvoo", "Borgå", "Porvoo", "finland", None, 60.394, 25.664),
    ("dalvik", "Dalvik", "Dalvík", "island", None, 65.967, -18.533),
    ("greifswald", "Greifswald", "Greifswald", "tyskland", None, 54.083, 13.383),
    ("fargo", "Fargo", "Fargo", "usa", "nord-dakota", 46.877, -96.789),
    ("khan-younis", "Khan Younis", "Khan Yunis", "palestina", "gaza", 31.344, 34.303),
    ("karmiel", "Karmiel", "Karmiel", "israel", None, 32.914, 35.296),
]


@pytest.mark.parametrize(
    ("slug", "nb", "en", "country", "region", "lat", "long"),
    TWIN_CITIES,
    ids=[row[0] for row in TWIN_CITIES],
)
def test_twin_city(
    mine: Graph,
    slug: str,
    nb: str,
    en: str,
    country: str,
    region: str | None,
    lat: float,
    long: float,
) -> None:
    city = ID[f"vennskapsby/{slug}"]
    assert (city, RDF.type, HMS.TwinCity) in mine
    assert _label(mine, city, "nb") == nb
    assert _label(mine, city, "en") == en
    assert _one(mine, city, HMS.country) == ID[f"land/{country}"]
    assert (ID[f"land/{country}"], RDF.type, HMS.Country) in mine
    regions = set(mine.objects(city, HMS.region))
    assert regions == ({ID[f"region/{region}"]} if region else set())
    for prop, expected in ((GEO.lat, lat), (GEO.long, long)):
        value = _one(mine, city, prop)
        assert isinstance(value, Literal)
        assert value.datatype == XSD.decimal
        assert abs(float(value) - expected) < 0.05, f"{city} {prop}: {value}, expected ~{expected}"
    assert ID["seksjon/4-3-boks"] in set(mine.objects(city, HMS.fromSection))
    assert (ID["organisasjon/hamar-kommune"], HMS.twinCity, city) in mine


def test_hamar_kommune_has_exactly_the_eight_twin_cities(mine: Graph) -> None:
    cities = set(mine.objects(ID["organisasjon/hamar-kommune"], HMS.twinCity))
    assert cities == {ID[f"vennskapsby/{row[0]}"] for row in TWIN_CITIES}
    assert cities == set(mine.subjects(RDF.type, HMS.TwinCity))


def test_other_forms_of_twin_city_names_are_alt_labels(mine: Graph) -> None:
    def alts(slug: str) -> set[str]:
        return {str(o) for o in mine.objects(ID[f"vennskapsby/{slug}"], SKOS.altLabel)}

    assert "Porvoo" in alts("porvoo")
    assert "Dalvík" in alts("dalvik")
    assert "Khan Yunis" in alts("khan-younis")


@pytest.mark.parametrize(
    ("slug", "nb", "en", "country"),
    [("nord-dakota", "Nord-Dakota", "North Dakota", "usa"), ("gaza", "Gaza", "Gaza", "palestina")],
)
def test_region(mine: Graph, slug: str, nb: str, en: str, country: str) -> None:
    region = ID[f"region/{slug}"]
    assert (region, RDF.type, HMS.Region) in mine
    assert _label(mine, region, "nb") == nb
    assert _label(mine, region, "en") == en
    assert _one(mine, region, HMS.country) == ID[f"land/{country}"]


def test_regions_are_exactly_the_two_of_the_box(mine: Graph) -> None:
    assert set(mine.subjects(RDF.type, HMS.Region)) == {
        ID["region/nord-dakota"],
        ID["region/gaza"],
    }


def test_countries(mine: Graph) -> None:
    expected = {
        "norge",
        "sverige",
        "danmark",
        "finland",
        "island",
        "tyskland",
        "usa",
        "palestina",
        "israel",
    }
    assert set(mine.subjects(RDF.type, HMS.Country)) == {ID[f"land/{c}"] for c in expected}


def test_hamar_is_a_point_in_norway(mine: Graph) -> None:
    hamar = ID["sted/hamar"]
    assert _one(mine, hamar, HMS.country) == ID["land/norge"]
    assert abs(float(_one(mine, hamar, GEO.lat)) - 60.795) < 0.05
    assert abs(float(_one(mine, hamar, GEO.long)) - 11.068) < 0.05


# ---------------------------------------------------------------------------
# Actors and the responsibility chart (section 5)
# ---------------------------------------------------------------------------


def test_municipal_bodies_are_units_of_hamar_kommune(mine: Graph) -> None:
    kommune = ID["organisasjon/hamar-kommune"]
    units = {
        ID[f"aktor/{s}"] for s in ("kommunestyret", "formannskapet", "radmannen", "fagenhetene")
    }
    assert set(mine.subjects(ORG.unitOf, kommune)) == units
    assert all((u, RDF.type, HMS.OrganisationalUnit) in mine for u in units)
    assert (kommune, RDF.type, HMS.PublicOrganisation) in mine
    assert Literal("970540008") in set(mine.objects(kommune, DCTERMS.identifier))


def test_hamar_kommune_municipality_numbers(mine: Graph) -> None:
    adms = Namespace("http://www.w3.org/ns/adms#")
    notations = {
        str(n)
        for node in mine.objects(ID["organisasjon/hamar-kommune"], adms.identifier)
        for n in mine.objects(node, SKOS.notation)
    }
    assert notations == {"970540008", "0403", "3403"}


# area slug, row order, responsible actors
CHART = [
    ("overordnet-strategi", 1, {"aktor/formannskapet"}),
    ("styringssystemet", 2, {"aktor/radmannen"}),
    ("handlings-og-okonomiplan", 3, {"aktor/radmannen"}),
    ("virksomhetsplaner", 4, {"aktor/fagenhetene"}),
    ("gjennomforing-av-prosjekter", 5, {"aktor/fagenhetene"}),
    (
        "koordinering-veiledning-og-kompetanseheving",
        6,
        {"organisasjon/hamarregionen-utvikling", "aktor/regionale-myndigheter"},
    ),
]


def test_responsibility_chart_pairs_are_exactly_the_chart(mine: Graph) -> None:
    expected = {
        (ID[f"ansvarsomrade/{area}"], ID[actor]) for area, _, actors in CHART for actor in actors
    }
    actual = {
        (area, actor)
        for area in mine.subjects(RDF.type, HMS.ResponsibilityArea)
        for actor in mine.objects(area, HMS.responsibleActor)
    }
    assert actual == expected


@pytest.mark.parametrize(("area", "order", "actors"), CHART, ids=[row[0] for row in CHART])
def test_responsibility_area(mine: Graph, area: str, order: int, actors: set[str]) -> None:
    iri = ID[f"ansvarsomrade/{area}"]
    assert _one(mine, iri, HMS.rowOrder) == Literal(order)
    assert set(mine.objects(iri, HMS.fromSection)) == {ID["seksjon/5-organisasjonskart"]}
    for actor in actors:
        assert (ID[actor], RDF.type, None) in mine, f"{actor} is not defined"


@pytest.mark.parametrize(
    ("area", "plan"),
    [
        ("styringssystemet", "styringssystemet"),
        ("handlings-og-okonomiplan", "handlings-og-okonomiplan"),
        ("virksomhetsplaner", "virksomhetsplaner"),
    ],
)
def test_plan_areas_mention_their_plan(mine: Graph, area: str, plan: str) -> None:
    assert (ID[f"ansvarsomrade/{area}"], HMS.mentions, ID[f"plan/{plan}"]) in mine
    # "Styringssystemet" is a management system, not a plan (issue 14); its IRI is kept.
    expected = HMS.ManagementSystem if plan == "styringssystemet" else HMS.MunicipalPlan
    assert set(mine.objects(ID[f"plan/{plan}"], RDF.type)) == {expected}


def test_hru_and_regional_authorities(mine: Graph) -> None:
    """HrU and the text's "Hamarregionen" are one body (issue 14): no sub-organisation link to
    a second "Hamarregionen", whose IRI is deprecated and points to HrU."""
    hru = ID["organisasjon/hamarregionen-utvikling"]
    assert list(mine.objects(hru, ORG.subOrganizationOf)) == []
    assert Literal("HrU") in set(mine.objects(hru, HMS.abbreviation))
    old = ID["organisasjon/hamarregionen"]
    assert list(mine.objects(old, RDF.type)) == []
    assert _one(mine, old, OWL.deprecated).toPython() is True
    assert _one(mine, old, DCTERMS.isReplacedBy) == hru
    authorities = ID["aktor/regionale-myndigheter"]
    assert set(mine.objects(authorities, ORG.hasMember)) == {
        ID["organisasjon/hedmark-fylkeskommune"]
    }
    # stated in one direction only
    assert list(mine.objects(ID["organisasjon/hedmark-fylkeskommune"], ORG.memberOf)) == []


def test_coordination_function(mine: Graph) -> None:
    function = ID["funksjon/internasjonal-veiledning-og-koordinering"]
    assert (function, RDF.type, HMS.CoordinationFunction) in mine
    assert set(mine.objects(function, HMS.partner)) == {
        ID["organisasjon/hamarregionen-utvikling"],
        ID["organisasjon/hedmark-fylkeskommune"],
    }
    text = str(_one(mine, function, HMS.text))
    assert text.startswith("En internasjonal veilednings- og koordineringsfunksjon")
    assert text.endswith("etableres i samarbeid med Hamarregionen og Hedmark fylkeskommune.")
    # The source does not say who establishes the function.
    assert not set(mine.objects(function, HMS.establishedBy))


def test_hihm_and_luna_are_two_partners_and_luna_is_not_expanded(mine: Graph) -> None:
    """Issue 14: "HIHM/LUNA" names two bodies; HIHM is Høgskolen i Hedmark (a reading), and
    LUNA keeps its bare name. The old single IRI is deprecated and points to both."""
    hihm, luna = ID["organisasjon/hihm"], ID["organisasjon/luna"]
    assert _label(mine, hihm, "nb") == "HIHM"
    assert Literal("Høgskolen i Hedmark", lang="nb") in set(mine.objects(hihm, SKOS.altLabel))
    assert _label(mine, luna, "nb") == "LUNA"
    assert list(mine.objects(luna, SKOS.altLabel)) == []
    assert list(mine.objects(luna, HMS.abbreviation)) == []
    for partner in (hihm, luna):
        assert (partner, RDF.type, HMS.PartnerInstitution) in mine
    old = ID["organisasjon/hihm-luna"]
    assert list(mine.objects(old, RDF.type)) == []
    assert set(mine.objects(old, DCTERMS.isReplacedBy)) == {hihm, luna}


# ---------------------------------------------------------------------------
# External identifiers: the graph holds only those data/README.md lists as verified
# ---------------------------------------------------------------------------


def _identifier_table() -> dict[str, tuple[str, str]]:
    """Identifier IRI -> (verified, in graph), from the table in data/README.md."""
    text = (DATA / "README.md").read_text(encoding="utf-8")
    section = text.split("## External identifiers", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in {"resource", "---"}:
            continue
        for iri in re.findall(r"`(https?://[^`]+)`", cells[1]):
            rows[iri] = (cells[3], cells[4])
    return rows


def test_readme_identifier_table_is_parsed() -> None:
    rows = _identifier_table()
    assert rows["http://www.wikidata.org/entity/Q3738335"] == ("yes", "yes")
    assert rows["http://www.wikidata.org/entity/Q2167"] == ("yes", "yes")  # verified in issue 14
    assert rows["http://www.wikidata.org/entity/Q152418"] == ("no", "no")


def test_every_external_identifier_in_the_graph_is_verified_in_readme(everything: Graph) -> None:
    rows = _identifier_table()
    external = {
        str(o)
        for p in (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)
        for o in everything.objects(None, p)
        if isinstance(o, URIRef) and not str(o).startswith("https://data.hamar.kommune.no/")
    }
    assert external, "no external identifiers at all"
    missing = sorted(iri for iri in external if rows.get(iri, ("", ""))[0] != "yes")
    assert not missing, f"in the graph but not listed as verified in data/README.md: {missing}"


def test_identifiers_listed_as_not_used_are_not_in_the_graph(everything: Graph) -> None:
    rows = _identifier_table()
    for iri, (verified, in_graph) in rows.items():
        present = any(
            True
            for p in (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)
            for _ in everything.subjects(p, URIRef(iri))
        )
        assert present == (in_graph == "yes"), iri
        if verified != "yes":
            assert not present, iri


def test_identifiers_sit_on_the_right_resources(mine: Graph) -> None:
    wd = Namespace("http://www.wikidata.org/entity/")
    assert (ID["sted/hamar"], OWL.sameAs, wd.Q3738335) in mine
    assert (ID["land/norge"], OWL.sameAs, URIRef("https://sws.geonames.org/3144096/")) in mine
    assert (ID["vennskapsby/lund"], OWL.sameAs, URIRef("https://sws.geonames.org/2693678/")) in mine
    assert (
        ID["vennskapsby/greifswald"],
        OWL.sameAs,
        URIRef("https://sws.geonames.org/2917788/"),
    ) in mine
    # Issue 14: Karmiel's identifiers were verified; the third-party candidate Q152418 was not.
    assert set(mine.objects(ID["vennskapsby/karmiel"], OWL.sameAs)) == {
        wd.Q152417,
        URIRef("https://sws.geonames.org/294577/"),
    }
