"""Content of the instance data: the axes (table 4.6) and the action plan.

The expectations are tables copied from ``data/README.md`` (the reading of the source). The
Turtle files are parsed directly with rdflib, so these tests do not depend on the build. The
document itself (its sections, overall goal, people and what its texts name) is checked in
``tests/sources/test_data_document.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS, XSD

from tests.support.document_files import (
    DATA,
    DOCUMENT,
    EU,
    GP,
    HMS,
    ID,
    IS,
    OWN_FILES,
    PLAN,
    UF,
    VB,
)
from tests.support.document_files import nb as _nb
from tests.support.document_files import one as _one
from tests.support.document_files import parse as _parse


@pytest.fixture(scope="module")
def data() -> Graph:
    """Every ``data/*.ttl`` file, merged."""
    union = Graph()
    for path in sorted(DATA.glob("*.ttl")):
        union.parse(path, format="turtle")
    return union


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
