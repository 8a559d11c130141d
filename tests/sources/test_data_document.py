"""Content of the instance data: the strategy document, its sections, its overall goal, the
people who sign it, and what each text names.

As in ``tests/sources/test_data_content.py`` (the axes and the action plan), the expectations
are tables copied from ``data/README.md`` (the reading of the source), and the Turtle files are
parsed directly with rdflib, so these tests do not depend on the build.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, SKOS, XSD

from tests.support.document_files import (
    DOCUMENT,
    EU,
    GP,
    HMS,
    ID,
    IS,
    PLAN,
    UF,
    VB,
)
from tests.support.document_files import nb as _nb
from tests.support.document_files import one as _one

# ---------------------------------------------------------------------------
# The document, its sections, overall goal, people
# ---------------------------------------------------------------------------

SECTIONS = {
    "1": ("1", "Utvalgets sammendrag"),
    "1-boks": ("1 (boks)", "Hamar i en internasjonal sammenheng"),
    "2": ("2", "Innledning"),
    "3": ("3", "Forankring"),
    "3-1": ("3.1", "Nasjonalt"),
    "3-2": ("3.2", "Regionalt"),
    "3-3": ("3.3", "Lokalt"),
    "3-boks": ("3 (boks)", None),
    "4": ("4", "Den internasjonale aksen"),
    "4-1": ("4.1", "Globalt partnerskap og solidaritet"),
    "4-2": ("4.2", "Tjenesteutvikling gjennom deltakelse i EU-prosjekter"),
    "4-3": ("4.3", "Vennskapsbysamarbeid"),
    "4-3-boks": ("4.3 (boks)", "Hamars vennskapsbyer"),
    "4-4": ("4.4", "Det internasjonale samfunn i Hamar"),
    "4-5": ("4.5", "Utdanning, forskning og næringsliv"),
    "4-6": ("4.6", "Mål og strategi for internasjonalt arbeid"),
    "5": ("5", "Organisering av internasjonalt arbeid"),
    "5-organisasjonskart": ("5 (organisasjonskart)", None),
    "6": ("6", "Handlingsplan for internasjonalt arbeid 2015 – 2019"),
}

#: parent -> children (hms:hasSection); the document's top-level sections under None.
SECTION_TREE = {
    None: {"1", "2", "3", "4", "5", "6"},
    "1": {"1-boks"},
    "3": {"3-1", "3-2", "3-3", "3-boks"},
    "4": {"4-1", "4-2", "4-3", "4-4", "4-5", "4-6"},
    "4-3": {"4-3-boks"},
    "5": {"5-organisasjonskart"},
}


def test_sections_numbers_and_headings(own_union: Graph) -> None:
    g = own_union
    assert set(g.subjects(RDF.type, HMS.SourceSection)) == {ID[f"seksjon/{k}"] for k in SECTIONS}
    for key, (number, heading) in SECTIONS.items():
        section = ID[f"seksjon/{key}"]
        assert _one(g, section, HMS.sectionNumber) == Literal(number)
        if heading is not None:  # boxes without a heading in the source get editorial labels
            assert (section, SKOS.prefLabel, _nb(heading)) in g


def test_section_tree(own_union: Graph) -> None:
    for parent, children in SECTION_TREE.items():
        node = DOCUMENT if parent is None else ID[f"seksjon/{parent}"]
        found = set(own_union.objects(node, HMS.hasSection))
        assert found == {ID[f"seksjon/{c}"] for c in children}, parent


SECTION_TEXT_STARTS = {
    "1": "I denne planen vedtar kommunestyret hvordan Hamar kommune skal agere",
    "2": "Hamar kommune skal være sentrum for det mest attraktive boområdet i Innlandet.",
    "3": "Hamar kommunes internasjonale strategi er forankret i Hamars kommuneplan 2009 – 2020.",
    "3-1": "Norges forpliktelser til internasjonale avtaler, traktater og konvensjoner",
    "3-2": "Hamar kommune er engasjert i ulike regionale og interkommunale samarbeidsallianser.",
    "3-3": "Globalisering, overnasjonale politiske prosesser,",
    "4-2": "Økt internasjonalt engasjement og utnyttelse av de mulighetene EU/EØS",
    "5": "Formannskapet er ansvarlig for utvikling av kommunens internasjonale strategi.",
}


@pytest.mark.parametrize(("key", "start"), SECTION_TEXT_STARTS.items())
def test_section_text(own_union: Graph, key: str, start: str) -> None:
    section = ID[f"seksjon/{key}"]
    text = _one(own_union, section, HMS.text)
    assert isinstance(text, Literal)
    assert text.language == "nb"
    assert str(text).startswith(start)
    translation = _one(own_union, section, HMS.textTranslation)
    assert isinstance(translation, Literal)
    assert translation.language == "en"
    assert str(translation).count("\n\n") == str(text).count("\n\n")


def test_summary_has_five_paragraphs(own_union: Graph) -> None:
    text = str(_one(own_union, ID["seksjon/1"], HMS.text))
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[3] == (
        "Formannskapet har det overordnete ansvar for at den vedtatte internasjonale strategien "
        "følges og gjennomføres."
    )
    assert paragraphs[4].endswith("og vedtas i kommunens budsjett.")


MENTIONS = [
    ("seksjon/3-2", {"organisasjon/ore", "organisasjon/hedmark-fylkeskommune",
                     "organisasjon/hamar-kommune"}),
    ("seksjon/3-1", {"avtale/eos-avtalen", "tema/eus-indre-marked", "land/norge",
                     "organisasjon/eu"}),
    ("seksjon/4-2", {"strategi/eu2020", "program/horisont-2020", "organisasjon/europaparlamentet",
                     "program/eus-programmer"}),
    ("seksjon/4-1", {"vennskapsby/khan-younis"}),
    ("seksjon/1", {"aktor/kommunestyret", "aktor/formannskapet", "plan/kommuneplan-2009-2020",
                   "plan/handlings-og-okonomiplan", "plan/kommunebudsjett"}
                  | {f"akse/{a}" for a in (GP, EU, VB, IS, UF)}),
    ("seksjon/1-boks", {"nokkeltall/eos-saker-i-kommunestyrer",
                        "nokkeltall/innvandrere-av-netto-innflytting",
                        "nokkeltall/sprak-i-hamarskolen", "avtale/eos-avtalen",
                        "organisasjon/ks", "institusjon/hamarskolen", "sted/hamar"}),
    ("seksjon/2", {"sted/innlandet", "plan/kommuneplan-2009-2020"}),
    ("seksjon/5", {"aktor/formannskapet", "funksjon/internasjonal-veiledning-og-koordinering",
                   "organisasjon/hamarregionen-utvikling", "organisasjon/hedmark-fylkeskommune",
                   "plan/handlings-og-okonomiplan", "plan/virksomhetsplaner",
                   "plan/styringssystemet"}),
    ("seksjon/4-3-boks", {f"vennskapsby/{c}" for c in ("lund", "viborg", "porvoo", "dalvik",
                                                       "greifswald", "fargo", "khan-younis",
                                                       "karmiel")}),
    ("aksemal/globalt-partnerskap-og-solidaritet", {"program/fns-tusenarsmal"}),
    ("aksemal/tjenesteutvikling-gjennom-eu-prosjekter", {"tema/eus-indre-marked"}),
    ("hovedstrategi/tjenesteutvikling-gjennom-eu-prosjekter", {"organisasjon/ore"}),
    ("handlingsmal/oppfylle-fns-tusenarsmal", {"program/fns-tusenarsmal"}),
    ("handlingsmal/bruke-osloregionens-europakontor-aktivt", {"organisasjon/ore"}),
    ("handlingsmal/sikre-bedre-samhandling-med-hihm-luna", {"organisasjon/hihm",
                                                           "organisasjon/luna"}),
]  # fmt: skip


@pytest.mark.parametrize(("subject", "expected"), MENTIONS, ids=[m[0] for m in MENTIONS])
def test_text_links_to_what_it_names(own_union: Graph, subject: str, expected: set[str]) -> None:
    found = set(own_union.objects(ID[subject], HMS.mentions))
    assert {ID[e] for e in expected} <= found


def test_document_adoption_and_anchoring(own_union: Graph) -> None:
    g = own_union
    eli = Namespace("http://data.europa.eu/eli/ontology#")
    dct = Namespace("http://purl.org/dc/terms/")
    council = ID["aktor/kommunestyret"]
    assert (DOCUMENT, RDF.type, HMS.StrategyDocument) in g
    assert (DOCUMENT, eli.passed_by, council) in g
    assert (DOCUMENT, dct.publisher, ID["organisasjon/hamar-kommune"]) in g
    adoption = _one(g, DOCUMENT, HMS.adoption)
    assert adoption == ID["vedtak/internasjonal-strategi"]
    assert _one(g, adoption, HMS.adoptedBy) == council
    # The source gives no date of adoption: none is invented.
    assert [p for p in g.predicates(adoption, None) if "date" in str(p).lower()] == []
    assert _one(g, DOCUMENT, HMS.basedOn) == ID["plan/kommuneplan-2009-2020"]
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    period = _one(g, PLAN, HMS.period)
    assert period == ID["periode/2015-2019"]
    assert _one(g, period, dcat.startDate) == Literal("2015", datatype=XSD.gYear)
    assert _one(g, period, dcat.endDate) == Literal("2019", datatype=XSD.gYear)


def test_overall_goal_and_its_four_results(own_union: Graph) -> None:
    g = own_union
    goal = _one(g, DOCUMENT, HMS.overallGoal)
    assert goal == ID["mal/overordnet-mal"]
    assert _one(g, goal, HMS.text) == _nb(
        "Det er et overordnet mål for Hamar kommunens internasjonale arbeid at arbeidet skal "
        "forbedre kommunens innsats innenfor sine ansvarsområder."
    )
    results = {
        "okt-verdiskapning": "Økt verdiskapning",
        "okt-kunnskapsniva": "Økt kunnskapsnivå",
        "okt-solidaritet": "Økt solidaritet",
        "styrket-omdomme": "Styrket omdømme",
    }
    assert set(g.objects(goal, HMS.intendedResult)) == {ID[f"resultat/{s}"] for s in results}
    for slug, label in results.items():
        result = ID[f"resultat/{slug}"]
        assert (result, RDF.type, HMS.IntendedResult) in g
        assert (result, SKOS.prefLabel, _nb(label)) in g


def test_people_sign_for_the_committee_without_job_titles(own_union: Graph) -> None:
    """The source names three people by the summary but not their role: their membership is
    a reading (issue 14), marked in data/readings.ttl (tests/sources/test_issue14_readings.py)."""
    g = own_union
    committee = ID["aktor/utvalget"]
    assert (committee, RDF.type, HMS.Committee) in g
    people = {
        "geir-lorents-byberg": "Geir Lorents Byberg",
        "knut-fangberget": "Knut Fangberget",
        "inger-mokkelbost-haug": "Inger Mokkelbost Haug",
    }
    assert set(g.subjects(RDF.type, HMS.Person)) == {ID[f"person/{p}"] for p in people}
    for slug, name in people.items():
        person = ID[f"person/{slug}"]
        assert (person, SKOS.prefLabel, _nb(name)) in g
        assert _one(g, person, HMS.memberOf) == committee
        assert (ID["seksjon/1"], HMS.mentions, person) in g
        # "[Jobbtittel]" is an unfilled placeholder: no job title is stated.
        assert list(g.objects(person, HMS.jobTitle)) == []
    assert not any("Jobbtittel" in str(o) for o in g.objects())
