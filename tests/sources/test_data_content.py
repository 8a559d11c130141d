"""Content of the instance data: the document, the axes (table 4.6) and the action plan.

The expectations are tables copied from ``data/README.md`` (the reading of the source). The
Turtle files are parsed directly with rdflib, so these tests do not depend on the build.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, SKOS, XSD

from tests.support.paths import ROOT

DATA = ROOT / "data"
OWN_FILES = ("document.ttl", "axes.ttl", "actionplan.ttl")

HMS = Namespace("https://data.hamar.kommune.no/def/")
ID = Namespace("https://data.hamar.kommune.no/id/")
PLAN = ID["dokument/handlingsplan-2015-2019"]
DOCUMENT = ID["dokument/internasjonal-strategi"]


def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.fixture(scope="module")
def own() -> dict[str, Graph]:
    """Each of this engineer's files, parsed on its own."""
    return {name: _parse(DATA / name) for name in OWN_FILES}


@pytest.fixture(scope="module")
def own_union(own: dict[str, Graph]) -> Graph:
    """The union of document.ttl, axes.ttl and actionplan.ttl."""
    union = Graph()
    for graph in own.values():
        for triple in graph:
            union.add(triple)
    return union


@pytest.fixture(scope="module")
def data() -> Graph:
    """Every ``data/*.ttl`` file, merged."""
    union = Graph()
    for path in sorted(DATA.glob("*.ttl")):
        union.parse(path, format="turtle")
    return union


def _nb(text: str) -> Literal:
    return Literal(text, lang="nb")


def _one(graph: Graph, subject: URIRef, predicate: URIRef) -> object:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: expected one value, got {values}"
    return values[0]


@pytest.mark.parametrize("path", sorted(DATA.glob("*.ttl")), ids=lambda p: p.name)
def test_every_data_file_parses(path: Path) -> None:
    assert len(_parse(path)) > 0


@pytest.mark.parametrize("name", OWN_FILES)
def test_file_header(own: dict[str, Graph], name: str) -> None:
    graph = own[name]
    header = URIRef(f"https://data.hamar.kommune.no/graph/data-{Path(name).stem}")
    assert (header, RDF.type, OWL.Ontology) in graph
    assert (header, OWL.versionIRI, URIRef(f"{header}/0.1.0")) in graph
    licence = URIRef("http://publications.europa.eu/resource/authority/licence/NLOD_2_0")
    assert (header, URIRef("http://purl.org/dc/terms/license"), licence) in graph


# ---------------------------------------------------------------------------
# Table 4.6: axis, notation, heading, goal (MÅL), main strategy (HOVEDSTRATEGI)
# ---------------------------------------------------------------------------

AXES = [
    (
        "globalt-partnerskap-og-solidaritet",
        "4.1",
        "Globalt partnerskap og solidaritet",
        "Kommunen bidrar til å oppfylle FNs Tusenårsmål og deltar i prosjekter som utvikler og "
        "styrker demokratiet.",
        "Kommunen tilrettelegger for kunnskapsutvikling om internasjonale spørsmål og sørger for "
        "at det skapes møteplasser som underbygger globalt partnerskap og solidaritet.",
    ),
    (
        "tjenesteutvikling-gjennom-eu-prosjekter",
        "4.2",
        "Tjenesteutvikling gjennom deltakelse i EU-prosjekter",
        "Internasjonal samhandling skal være et virkemiddel i finansiering og utvikling av "
        "kommunale tjenester. Potensialet i EUs Indre marked utnyttes fullt ut.",
        "Delta i EU-prosjekter sammen med vennskapsbyer og gjennom ORE.",
    ),
    (
        "vennskapsbysamarbeid",
        "4.3",
        "Vennskapsbysamarbeid",
        "Kommunen bidrar til at vennskapsbysamarbeidet blir et strategisk virkemiddel for "
        "prosjektutvikling og solidaritetsarbeid.",
        "Kommunen tilrettelegger for at offentlig tjenesteapparat og frivillige organisasjoner "
        "opprettholder og videreutvikler internasjonale samarbeidsprosjekter.",
    ),
    (
        "det-internasjonale-samfunn-i-hamar",
        "4.4",
        "Det internasjonale samfunn i Hamar",
        "Kommunen bidrar til at Hamar og Hamar region blir en attraktiv for bosetting av nye "
        "innbyggere fra andre land.",
        "Bosetting av nye innbyggere, uavhengig av oppholdsgrunnlag, blir et virkemiddel til å "
        "oppfylle kommunens mål om befolkningsvekst og rekruttering av arbeidskraft.",
    ),
    (
        "utdanning-forskning-og-naeringsliv",
        "4.5",
        "Utdanning, forskning og næringsliv",
        "Kommunen bidrar til mer samarbeid og økt samspill mellom utdannings-, forsknings-, og "
        "næringslivsaktører og institusjoner på internasjonale arenaer.",
        "Kartlegge og utvikle de ulike nettverk som utdannings-, forsknings- og næringslivet "
        "deltar i. Legge til rette for møtepunkt for aktører som drives internasjonalt.",
    ),
]


def test_scheme_has_exactly_the_five_axes(own_union: Graph) -> None:
    scheme = ID["akser"]
    expected = {ID[f"akse/{slug}"] for slug, *_ in AXES}
    assert (scheme, RDF.type, SKOS.ConceptScheme) in own_union
    assert set(own_union.objects(scheme, SKOS.hasTopConcept)) == expected
    assert set(own_union.subjects(RDF.type, HMS.Axis)) == expected
    assert (DOCUMENT, HMS.axisScheme, scheme) in own_union


@pytest.mark.parametrize(
    ("slug", "notation", "heading", "goal", "strategy"), AXES, ids=[a[0] for a in AXES]
)
def test_axis_with_goal_and_main_strategy(
    own_union: Graph, slug: str, notation: str, heading: str, goal: str, strategy: str
) -> None:
    g = own_union
    axis = ID[f"akse/{slug}"]
    assert (axis, SKOS.inScheme, ID["akser"]) in g
    assert (axis, SKOS.topConceptOf, ID["akser"]) in g
    assert _one(g, axis, SKOS.notation) == Literal(notation)
    assert (axis, SKOS.prefLabel, _nb(heading)) in g
    section = ID["seksjon/" + notation.replace(".", "-")]
    assert (axis, HMS.fromSection, section) in g
    assert _one(g, axis, HMS.text) == _one(g, section, HMS.text)

    axis_goal = _one(g, axis, HMS.axisGoal)
    assert axis_goal == ID[f"aksemal/{slug}"]
    assert (axis_goal, RDF.type, HMS.AxisGoal) in g
    assert _one(g, axis_goal, HMS.text) == _nb(goal)
    assert _one(g, axis_goal, HMS.axis) == axis
    assert (axis_goal, HMS.fromSection, ID["seksjon/4-6"]) in g

    main = _one(g, axis, HMS.mainStrategy)
    assert main == ID[f"hovedstrategi/{slug}"]
    assert (main, RDF.type, HMS.MainStrategy) in g
    assert _one(g, main, HMS.text) == _nb(strategy)
    assert _one(g, main, HMS.axis) == axis
    assert (main, HMS.fromSection, ID["seksjon/4-6"]) in g


# ---------------------------------------------------------------------------
# Section 6: the action plan, row by row
# ---------------------------------------------------------------------------

GP, EU, VB, IS, UF = (
    "globalt-partnerskap-og-solidaritet",
    "tjenesteutvikling-gjennom-eu-prosjekter",
    "vennskapsbysamarbeid",
    "det-internasjonale-samfunn-i-hamar",
    "utdanning-forskning-og-naeringsliv",
)

GOALS = [
    (GP, 1, "oppfylle-fns-tusenarsmal",
     "Oppfylle FNs Tusenårsmål og delta i utvikling av demokratisk styresett."),
    (GP, 2, "vaere-kompetent-og-engasjert-vertskommune",
     "Være en kompetent og engasjert vertskommune og samhandlingsaktør for miljøer, bedrifter "
     "og organisasjoner som jobber internasjonalt."),
    (GP, 3, "sette-internasjonal-samhandling-pa-dagsorden",
     "Sette internasjonal samhandling på dagsorden som et virkemiddel i finansiering og "
     "utvikling av kommunale tjenester."),
    (GP, 4, "bidra-til-at-barn-og-unge-deltar",
     "Bidra til at barn og unge deltar i internasjonale programmer, kulturutveksling og "
     "kontaktskapende arbeid prioriteres."),
    (EU, 1, "delta-i-etablering-av-regionalt-kompetansesenter",
     "Delta i etablering av et regionalt kompetansesenter som kan koordinere og fremme økt "
     "internasjonalt engasjement for Hamar og nabokommunene."),
    (EU, 2, "oke-innsats-med-tilrettelegging-og-koordinering",
     "Øke innsats med tilrettelegging og koordinering av internasjonal virksomhet."),
    (EU, 3, "fronte-og-benytte-ansattes-internasjonalkompetanse",
     "Fronte og benytte ansattes internasjonalkompetanse bedre."),
    (EU, 4, "bruke-osloregionens-europakontor-aktivt",
     "Bruke Osloregionens Europakontor aktivt og målrettet i utviklingen av det "
     "internasjonale arbeidet."),
    (EU, 5, "sikre-bedre-samhandling-med-hihm-luna",
     "Sikre bedre samhandling med HIHM/LUNA og andre forsknings- og kunnskapsinstitusjoner på "
     "det internasjonale området."),
    (EU, 6, "fremme-arbeid-med-a-tilrettelegge",
     "Fremme arbeid med å tilrettelegge for at prosjekter som gir muligheter for ekstern "
     "finansiering eller medfinansiering prioriteres."),
    (VB, 1, "bruke-vennskapsbysamarbeidet-strategisk",
     "Bruke vennskapsbysamarbeidet strategisk for prosjektutvikling."),
    (VB, 2, "videreutvikle-vertsskapsrollen", "Videreutvikle vertsskapsrollen."),
    (VB, 3, "vurdere-kommunens-behov-og-muligheter",
     "Vurdere kommunens behov og muligheter for konkrete resultater ved inngåelse av nye "
     "prosjektsamarbeid og relasjoner med internasjonale aktører."),
    (IS, 1, "sikre-at-integrering-fremstar",
     "Sikre at integrering fremstår som en del av kommunens internasjonalt arbeid og "
     "integreringsperspektivet inngår kommunale planer og temaplaner."),
    (IS, 2, "etablere-faste-kanaler-for-dialog",
     "Etablere faste kanaler for dialog og samarbeid med næringslivet for integrering av nye "
     "innbyggere og rekruttering av arbeidskraft."),
    (UF, 1, "vaere-lopende-orientert",
     "Være løpende orientert om ulike utdannings-, forsknings- og næringslivs aktører og "
     "hvordan de arbeider internasjonalt."),
    (UF, 2, "etablere-moteplasser-og-samhandlingsarenaer",
     "Etablere møteplasser og samhandlingsarenaer mellom utdannings-, forsknings-, og "
     "næringslivs aktører om internasjonale prosjekter."),
]  # fmt: skip

MEASURES = {
    "internasjonal-uke": "Internasjonal uke",
    "kartlegge-og-stotte-lag-og-foreningenes-internasjonale-arbeid": (
        "Kartlegge og støtte lag og foreningenes internasjonalt arbeid."
    ),
    "benytte-nasjonale-tilskuddsordninger": "Benytte nasjonale tilskuddsordninger.",
    "festivalstotte-til-stoppested-verden": "Festivalstøtte til Stoppested Verden",
}

#: (measure, goal on whose row it stands)
SERVES = {
    ("internasjonal-uke", "oppfylle-fns-tusenarsmal"),
    ("internasjonal-uke", "sikre-at-integrering-fremstar"),
    ("kartlegge-og-stotte-lag-og-foreningenes-internasjonale-arbeid",
     "bidra-til-at-barn-og-unge-deltar"),
    ("kartlegge-og-stotte-lag-og-foreningenes-internasjonale-arbeid",
     "bruke-vennskapsbysamarbeidet-strategisk"),
    ("benytte-nasjonale-tilskuddsordninger", "sikre-at-integrering-fremstar"),
    ("festivalstotte-til-stoppested-verden", "sikre-at-integrering-fremstar"),
}  # fmt: skip


def test_plan_has_exactly_the_17_goals(own_union: Graph) -> None:
    expected = {ID[f"handlingsmal/{slug}"] for _, _, slug, _ in GOALS}
    assert len(expected) == 17
    assert set(own_union.subjects(RDF.type, HMS.ActionPlanGoal)) == expected
    assert set(own_union.objects(PLAN, HMS.hasGoal)) == expected
    assert (PLAN, RDF.type, HMS.ActionPlan) in own_union
    assert (DOCUMENT, HMS.hasActionPlan, PLAN) in own_union


@pytest.mark.parametrize(("axis", "row", "slug", "text"), GOALS, ids=[g[2] for g in GOALS])
def test_goal_row(own_union: Graph, axis: str, row: int, slug: str, text: str) -> None:
    g = own_union
    goal = ID[f"handlingsmal/{slug}"]
    assert _one(g, goal, HMS.axis) == ID[f"akse/{axis}"]
    assert _one(g, goal, HMS.rowOrder) == Literal(row, datatype=XSD.integer)
    assert _one(g, goal, HMS.text) == _nb(text)
    assert [o for o in g.objects(goal, SKOS.prefLabel) if o.language == "nb"] == [_nb(text)]
    assert (goal, HMS.fromSection, ID["seksjon/6"]) in g


def test_row_orders_are_one_to_n_within_each_axis(own_union: Graph) -> None:
    by_axis: dict[object, list[int]] = {}
    for goal in own_union.subjects(RDF.type, HMS.ActionPlanGoal):
        axis = _one(own_union, goal, HMS.axis)
        row = _one(own_union, goal, HMS.rowOrder)
        by_axis.setdefault(axis, []).append(int(row))  # type: ignore[call-overload]
    counts = {ID[f"akse/{a}"]: n for a, n in [(GP, 4), (EU, 6), (VB, 3), (IS, 2), (UF, 2)]}
    assert {axis: sorted(rows) for axis, rows in by_axis.items()} == {
        axis: list(range(1, n + 1)) for axis, n in counts.items()
    }


def test_measures_and_the_goals_they_serve(own_union: Graph) -> None:
    g = own_union
    expected_measures = {ID[f"tiltak/{slug}"] for slug in MEASURES}
    assert set(g.subjects(RDF.type, HMS.Measure)) == expected_measures
    pairs = {
        (str(m).rsplit("/", 1)[1], str(goal).rsplit("/", 1)[1])
        for m, goal in g.subject_objects(HMS.servesGoal)
    }
    assert pairs == SERVES
    for slug, text in MEASURES.items():
        measure = ID[f"tiltak/{slug}"]
        assert _one(g, measure, HMS.text) == _nb(text)
        assert (measure, HMS.fromSection, ID["seksjon/6"]) in g
    festival = ID["tiltak/festivalstotte-til-stoppested-verden"]
    assert (festival, HMS.mentions, ID["arrangement/stoppested-verden"]) in g


def test_no_responsibility_or_cost_in_the_action_plan(own: dict[str, Graph], data: Graph) -> None:
    """Every Ansvar and Kostnad cell is empty in the source: the graph invents nothing."""
    for predicate in (HMS.responsibleActor, HMS.cost):
        assert list(own["actionplan.ttl"].triples((None, predicate, None))) == []
        for cls in (HMS.ActionPlanGoal, HMS.Measure):
            for subject in data.subjects(RDF.type, cls):
                assert list(data.objects(subject, predicate)) == [], (subject, predicate)


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


# ---------------------------------------------------------------------------
# Rules for every resource defined in these files
# ---------------------------------------------------------------------------


def _resources(graph: Graph) -> set[URIRef]:
    headers = set(graph.subjects(RDF.type, OWL.Ontology))
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s not in headers}


def test_every_resource_has_one_nb_label_and_an_en_label(own_union: Graph) -> None:
    problems = []
    for resource in sorted(_resources(own_union)):
        labels = list(own_union.objects(resource, SKOS.prefLabel))
        nb = [lbl for lbl in labels if isinstance(lbl, Literal) and lbl.language == "nb"]
        en = [lbl for lbl in labels if isinstance(lbl, Literal) and lbl.language == "en"]
        if len(nb) != 1 or not en:
            problems.append((str(resource), len(nb), len(en)))
    assert problems == []


def test_every_resource_has_a_source_section(own_union: Graph) -> None:
    """Every resource but a section names the sections it comes from; a section is not its
    own provenance (issue 14): it has no hms:fromSection, and is part of the document."""
    sections = set(own_union.subjects(RDF.type, HMS.SourceSection))
    missing = []
    for resource in sorted(_resources(own_union)):
        found = set(own_union.objects(resource, HMS.fromSection))
        if resource in sections:
            if found or not set(own_union.subjects(HMS.hasSection, resource)):
                missing.append(str(resource))
        elif not found or not found <= sections:
            missing.append(str(resource))
    assert missing == []


def test_text_languages(own_union: Graph) -> None:
    for predicate, lang in ((HMS.text, "nb"), (HMS.textTranslation, "en")):
        for value in own_union.objects(None, predicate):
            assert isinstance(value, Literal)
            assert value.language == lang, (predicate, value)
    # every resource with a Norwegian text has its translation, and vice versa
    with_text = set(own_union.subjects(HMS.text, None))
    assert with_text == set(own_union.subjects(HMS.textTranslation, None))


def test_things_use_the_id_namespace_only(own_union: Graph) -> None:
    """Every subject is an ``{base}id/{kind}/{slug}`` IRI (or the scheme ``id/akser``)."""
    for resource in _resources(own_union):
        local = str(resource).removeprefix(str(ID))
        assert local != str(resource), resource
        assert local == "akser" or local.count("/") == 1, resource
