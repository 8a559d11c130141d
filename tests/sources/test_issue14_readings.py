"""Issue 14: our readings marked as readings, and every correction checked against the source.

The source is ``tests/data/source/internasjonal-strategi.txt``, a copy of the text the data is
read from (a PDF extraction: columns interleaved, fragments repeated). Each test here holds a
correction of issue 14 against the exact words of that text, and against the graph as the
build assembles it (the session fixtures ``dataset`` and ``store``).

A reading is our inference where the source does not say something in its own words: a
``hms:Reading`` with the ``hms:ReadingStatement`` s that rest on it (RDF reification), each
saying with ``hms:isAsserted`` whether the triple is in the graph (marked) or left out.
``data/README.md``, "Readings", lists them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SDO, SKOS, XSD

from hamar_graph.namespaces import HMS, ID
from tests.support.issue14 import README, line_numbers, lines, non_empty_after, one, words

ORG = "http://www.w3.org/ns/org#"


# --- the graph -----------------------------------------------------------------------------


def nb(text: str) -> Literal:
    return Literal(text, lang="nb")


def statements(graph: Graph) -> dict[tuple[object, object, object], tuple[set[str], bool]]:
    """(subject, predicate, object) → (reading slugs, asserted), for every reading statement."""
    found: dict[tuple[object, object, object], tuple[set[str], bool]] = {}
    for st in graph.subjects(RDF.type, HMS.ReadingStatement):
        triple = (
            one(graph, st, RDF.subject),
            one(graph, st, RDF.predicate),
            one(graph, st, RDF.object),
        )
        readings = {
            str(r).removeprefix(str(ID) + "lesning/") for r in graph.objects(st, HMS.fromReading)
        }
        asserted = one(graph, st, HMS.isAsserted)
        assert isinstance(asserted, Literal) and asserted.datatype == XSD.boolean
        assert triple not in found, f"two statements reify {triple}"
        found[triple] = (readings, bool(asserted.toPython()))
    return found


def marked(graph: Graph, s: URIRef, p: URIRef, o: object, reading: str, asserted: bool) -> None:
    """The triple is reified as a statement of ``reading``, asserted or left out as said, and
    the graph agrees."""
    table = statements(graph)
    assert (s, p, o) in table, f"({s}, {p}, {o}) is not marked as a reading"
    readings, flag = table[(s, p, o)]
    assert reading in readings, readings
    assert flag is asserted
    assert ((s, p, o) in graph) is asserted


# --- the source fixture is the text data/README.md reads --------------------------------------


def test_source_fixture_is_the_extracted_text() -> None:
    assert lines()[0] == "1 Utvalgets sammendrag"
    assert len(lines()) == 904
    assert lines()[775 - 1] == "Formannskapet  Rådmann Fagenheter"
    assert "Tiltak" in lines()[779 - 1] and "Ansvar" in lines()[779 - 1]


# --- the mechanism: every statement is well formed and honest -------------------------------

#: reading slug → the README's number for it
READINGS = {
    "ansvarskartet": "R1",
    "utvalgets-medlemmer": "R2",
    "stoppested-verden-i-hamar": "R3",
    "kilde-for-nokkeltall": "R4",
    "tiltak-pa-malets-rad": "R5",
    "tiltakscellen-for-mal-om-integrering": "R6",
    "hru-og-hamarregionen": "R7",
    "regionale-myndigheter": "R8",
    "hihm-og-luna": "R9",
    "aksenes-navn-i-sammendraget": "R10",
    "forkortelser": "R11",
}


def test_the_readings_are_exactly_those_the_readme_lists(g: Graph) -> None:
    in_graph = {
        str(r).removeprefix(str(ID) + "lesning/") for r in g.subjects(RDF.type, HMS.Reading)
    }
    assert in_graph == set(READINGS)
    section = README.read_text(encoding="utf-8").split("## Readings", 1)[1].split("\n## ", 1)[0]
    for slug, number in READINGS.items():
        assert re.search(rf"^\| {number} \| `{slug}`", section, re.M), slug


def test_every_reading_states_its_grounds_and_sections(g: Graph) -> None:
    sections = set(g.subjects(RDF.type, HMS.SourceSection))
    for reading in g.subjects(RDF.type, HMS.Reading):
        notes = {n.language for n in g.objects(reading, SKOS.editorialNote)}  # type: ignore[attr-defined]
        assert {"nb", "en"} <= notes, reading
        origins = set(g.objects(reading, HMS.fromSection))
        assert origins and origins <= sections, reading
        assert set(g.subjects(HMS.fromReading, reading)), f"{reading} has no statement"


def test_every_statement_is_well_formed_and_agrees_with_the_graph(g: Graph) -> None:
    table = statements(g)
    assert len(table) == 36
    for (s, p, o), (_readings, asserted) in table.items():
        assert isinstance(s, URIRef) and isinstance(p, URIRef)
        assert set(g.objects(s, SKOS.prefLabel)), f"the subject {s} is not described"
        assert ((s, p, o) in g) is asserted, (s, p, o)
    left_out = sorted(str(s) for (s, _p, _o), (_r, a) in table.items() if not a)
    assert len(left_out) == 3  # the three figure sources the text does not name


def test_a_query_finds_the_mark_on_a_triple(store: Any) -> None:
    """A reader of the SPARQL endpoint can tell a reading from the source's words."""
    rows = store.select(
        """
        PREFIX hms: <https://data.hamar.kommune.no/def/>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?reading ?asserted WHERE {
          ?st rdf:subject <https://data.hamar.kommune.no/id/ansvarsomrade/styringssystemet> ;
              rdf:predicate hms:responsibleActor ;
              rdf:object <https://data.hamar.kommune.no/id/aktor/radmannen> ;
              hms:fromReading ?reading ;
              hms:isAsserted ?asserted .
        }"""
    )
    assert [(str(r["reading"]), r["asserted"].toPython()) for r in rows] == [  # type: ignore[union-attr]
        (str(ID["lesning/ansvarskartet"]), True)
    ]


# --- R1: the chart of section 5 -------------------------------------------------------------

CHART_BOXES = [
    "Overordnet strategi",
    "Styringssystemet",
    "Handlings- og økonomiplan",
    "Virksomhetsplaner",
    "Gjennomføring av prosjekter",
    "Koordinering, veiledning og kompetanseheving",
]


def test_the_source_lists_the_chart_without_pairing_it() -> None:
    chart = " ".join(line for line in lines()[747 - 1 : 777] if line)
    position = 0
    for box in CHART_BOXES:
        position = chart.index(box, position)  # the boxes, in this order
    ansvar = lines().index("Ansvar") + 1
    row = " ".join(non_empty_after(ansvar, 3))
    assert row == "Formannskapet  Rådmann Fagenheter HrU og Regionale myndigheter"
    # no line of the chart names a box and an actor together
    for line in lines()[747 - 1 : 777]:
        boxes = [b for b in CHART_BOXES if b.split()[0] in line]
        actors = [a for a in ("Rådmann", "Fagenheter", "HrU") if a in line]
        assert not (boxes and actors), line


def test_every_responsibility_pairing_is_marked_as_a_reading(g: Graph) -> None:
    pairs = list(g.subject_objects(HMS.responsibleActor))
    assert len(pairs) == 7
    for area, actor in pairs:
        assert (area, RDF.type, HMS.ResponsibilityArea) in g
        marked(g, area, HMS.responsibleActor, actor, "ansvarskartet", asserted=True)
    actors = {actor for _area, actor in pairs}
    # exactly the actors of the "Ansvar" row
    names = {str(label) for a in actors for label in g.objects(a, SKOS.altLabel)} | {
        str(label) for a in actors for label in g.objects(a, SKOS.prefLabel)
    }
    for word in ("Formannskapet", "Rådmann", "Fagenheter", "HrU", "Regionale myndigheter"):
        assert word in names, word


# --- R2: the people by "Utvalgets sammendrag" -------------------------------------------------


def test_the_source_names_the_people_but_not_their_role() -> None:
    for name in ("Geir Lorents Byberg", "Knut Fangberget"):
        for number in line_numbers(name):
            assert non_empty_after(number, 1) == ["[Jobbtittel]"], name
    assert line_numbers("Inger Mokkelbost Haug") == [92, 128]
    assert "medlem" not in words().lower()


def test_committee_membership_is_a_marked_reading(g: Graph) -> None:
    committee = ID["aktor/utvalget"]
    members = set(g.subjects(HMS.memberOf, committee))
    assert len(members) == 3 and len(list(g.subject_objects(HMS.memberOf))) == 3
    for slug in ("geir-lorents-byberg", "knut-fangberget", "inger-mokkelbost-haug"):
        person = ID[f"person/{slug}"]
        marked(g, person, HMS.memberOf, committee, "utvalgets-medlemmer", asserted=True)
        assert (ID["seksjon/1"], HMS.mentions, person) in g
        assert list(g.objects(person, HMS.jobTitle)) == []  # "[Jobbtittel]" only


# --- R3: Stoppested Verden ------------------------------------------------------------------


def test_the_source_does_not_say_where_stoppested_verden_is() -> None:
    (number,) = line_numbers("Festivalstøtte til Stoppested")
    assert non_empty_after(number, 1) == ["Verden"]
    assert words().count("Stoppested") == 1


def test_stoppested_verden_in_hamar_is_a_marked_reading_with_evidence(g: Graph) -> None:
    festival, hamar = ID["arrangement/stoppested-verden"], ID["sted/hamar"]
    marked(g, festival, SDO.location, hamar, "stoppested-verden-i-hamar", asserted=True)
    evidence = {str(o) for o in g.objects(ID["lesning/stoppested-verden-i-hamar"], DCTERMS.source)}
    assert evidence == {
        "http://www.stoppestedverden.no/forsiden/om-stoppested-verden/",
        "http://www.junihamar.no/Festivalene/StoppestedVerden.aspx",
    }


# --- R4: the sources of the key figures -------------------------------------------------------


def test_the_source_names_a_source_for_one_figure_only() -> None:
    assert words().count("kilde") == 1
    assert line_numbers("(kilde KS)") == [79]
    assert line_numbers("2/3 av netto innflytting") and line_numbers("44 språk")


def test_figure_sources_are_only_what_the_text_names(g: Graph) -> None:
    sources = set(g.subject_objects(HMS.figureSource))
    assert sources == {(ID["nokkeltall/eos-saker-i-kommunestyrer"], ID["organisasjon/ks"])}
    for slug in (
        "innvandrere-av-netto-innflytting",
        "sprak-i-hamarskolen",
        "horisont-2020-budsjett",
    ):
        figure = ID[f"nokkeltall/{slug}"]
        document = ID["dokument/internasjonal-strategi"]
        marked(g, figure, HMS.figureSource, document, "kilde-for-nokkeltall", asserted=False)


# --- "2/3" ----------------------------------------------------------------------------------


def test_two_thirds_is_exact(g: Graph, store: Any) -> None:
    assert "• 2/3 av netto innflytting til" in lines()[81 - 1]
    figure = ID["nokkeltall/innvandrere-av-netto-innflytting"]
    assert one(g, figure, HMS.numerator) == Literal(2, datatype=XSD.integer)
    assert one(g, figure, HMS.denominator) == Literal(3, datatype=XSD.integer)
    assert list(g.objects(figure, HMS.value)) == []
    assert not any("0.6667" in str(o) for o in g.objects())
    rows = store.select(
        """
        PREFIX hms: <https://data.hamar.kommune.no/def/>
        SELECT ?n ?d WHERE {
          <https://data.hamar.kommune.no/id/nokkeltall/innvandrere-av-netto-innflytting>
            hms:numerator ?n ; hms:denominator ?d .
        }"""
    )
    assert [(int(r["n"]), int(r["d"])) for r in rows] == [(2, 3)]  # type: ignore[arg-type]
    # the other figures keep one exact decimal value each
    for slug, value in (("eos-saker-i-kommunestyrer", "70"), ("sprak-i-hamarskolen", "44")):
        assert one(g, ID[f"nokkeltall/{slug}"], HMS.value) == Literal(value, datatype=XSD.decimal)


# --- R5 and R6: the measures of the action plan -----------------------------------------------


def test_the_source_has_the_measure_cell_of_goal_4_1_on_five_lines() -> None:
    (goal,) = line_numbers("kommunale planer og temaplaner.")
    assert non_empty_after(goal, 5) == [
        "Benytte nasjonale",
        "tilskuddsordninger.",
        "Festivalstøtte til Stoppested",
        "Verden",
        "Internasjonal uke",
    ]
    assert len(line_numbers("Internasjonal uke")) == 2  # goal 1.1's row, and goal 4.1's cell


def test_every_measure_link_is_a_marked_reading(g: Graph) -> None:
    links = list(g.subject_objects(HMS.servesGoal))
    assert len(links) == 6
    integration = ID["handlingsmal/sikre-at-integrering-fremstar"]
    for measure, goal in links:
        marked(g, measure, HMS.servesGoal, goal, "tiltak-pa-malets-rad", asserted=True)
        if goal == integration:
            readings, _ = statements(g)[(measure, HMS.servesGoal, goal)]
            assert "tiltakscellen-for-mal-om-integrering" in readings
    assert len([m for m, goal in links if goal == integration]) == 3
    text = README.read_text(encoding="utf-8")
    assert "is split into three measures (R6)" in text


# --- R7: HrU and "Hamarregionen"; near-duplicate labels ------------------------------------------


def test_the_source_gives_the_coordination_box_to_hru_and_the_function_to_hamarregionen() -> None:
    assert "Denne funksjonen etableres i samarbeid med Hamarregionen og Hedmark" in words()
    assert "HrU og Regionale myndigheter" in " ".join(non_empty_after(776 - 1, 2))
    assert "Hamar og Hamar region blir en attraktiv" in words()
    assert "Hamarregionen Utvikling" not in words()


def test_hru_and_hamarregionen_are_one_body(g: Graph) -> None:
    hru, old = ID["organisasjon/hamarregionen-utvikling"], ID["organisasjon/hamarregionen"]
    function = ID["funksjon/internasjonal-veiledning-og-koordinering"]
    marked(g, function, HMS.partner, hru, "hru-og-hamarregionen", asserted=True)
    marked(g, hru, SKOS.prefLabel, nb("Hamarregionen Utvikling"), "hru-og-hamarregionen", True)
    assert list(g.objects(hru, URIRef(ORG + "subOrganizationOf"))) == []
    # the old IRI still resolves: labelled, deprecated, no class, pointing to HrU
    assert list(g.objects(old, RDF.type)) == []
    assert one(g, old, OWL.deprecated) == Literal(True)
    assert one(g, old, DCTERMS.isReplacedBy) == hru
    assert not set(g.subjects(None, old)), "something still links to the deprecated IRI"


#: Kinds of bodies and places, where one label for two resources makes them look like one.
BODIES_AND_PLACES = (
    "organisasjon/",
    "aktor/",
    "funksjon/",
    "person/",
    "sted/",
    "land/",
    "region/",
    "vennskapsby/",
)


def test_no_two_live_bodies_or_places_share_a_label(g: Graph) -> None:
    by_label: dict[tuple[str, str], set[URIRef]] = {}
    typed = {s for s in g.subjects(RDF.type, None) if str(s).startswith(str(ID))}
    for s in {s for s in typed if str(s).removeprefix(str(ID)).startswith(BODIES_AND_PLACES)}:
        for label in g.objects(s, SKOS.prefLabel):
            by_label.setdefault((str(label), label.language), set()).add(s)  # type: ignore[attr-defined]
    shared = {k: v for k, v in by_label.items() if len(v) > 1}
    assert shared == {}
    region = ID["sted/hamarregionen"]
    assert (region, SKOS.prefLabel, nb("Hamar region")) in g
    assert (region, SKOS.altLabel, nb("Hamarregionen")) in g


# --- R8 -----------------------------------------------------------------------------------------


def test_regional_authorities_membership_is_marked_and_stated_once(g: Graph) -> None:
    authorities, county = (
        ID["aktor/regionale-myndigheter"],
        ID["organisasjon/hedmark-fylkeskommune"],
    )
    marked(g, authorities, URIRef(ORG + "hasMember"), county, "regionale-myndigheter", True)
    assert list(g.objects(county, URIRef(ORG + "memberOf"))) == []


# --- R9: "HIHM/LUNA" ------------------------------------------------------------------------------


def test_the_source_writes_hihm_luna_once_and_expands_neither() -> None:
    assert line_numbers("HIHM/LUNA") == [833]
    assert words().count("LUNA") == 1 and words().count("HIHM") == 1
    assert "Høgskolen" not in words() and "høgskole" not in words().lower()
    assert "og andre forsknings- og kunnskapsinstitusjoner" in " ".join(non_empty_after(832, 2))


def test_hihm_and_luna_are_two_resources_and_luna_is_not_resolved(g: Graph) -> None:
    hihm, luna = ID["organisasjon/hihm"], ID["organisasjon/luna"]
    goal = ID["handlingsmal/sikre-bedre-samhandling-med-hihm-luna"]
    for partner in (hihm, luna):
        assert (partner, RDF.type, HMS.PartnerInstitution) in g
        marked(g, goal, HMS.mentions, partner, "hihm-og-luna", asserted=True)
    assert one(g, hihm, HMS.abbreviation) == Literal("HIHM")
    marked(g, hihm, SKOS.altLabel, nb("Høgskolen i Hedmark"), "hihm-og-luna", asserted=True)
    labels = {str(o) for p in (SKOS.prefLabel, SKOS.altLabel) for o in g.objects(luna, p)}
    assert labels == {"LUNA"}
    assert not set(g.objects(luna, OWL.sameAs))
    old = ID["organisasjon/hihm-luna"]
    assert set(g.objects(old, DCTERMS.isReplacedBy)) == {hihm, luna}
    assert not set(g.subjects(None, old))


# --- R10: the summary's names of the axes -------------------------------------------------------

AXIS_NAMES = {
    "tjenesteutvikling-gjennom-eu-prosjekter": "tjenesteutvikling gjennom EU-apparatet",
    "det-internasjonale-samfunn-i-hamar": "kommunens innbyggernes internasjonale profil",
    "utdanning-forskning-og-naeringsliv": (
        "innsatsen til utdannings-, forsknings- og næringslivsaktører"
    ),
}


def test_the_summary_names_the_axes_in_the_order_of_section_4(g: Graph) -> None:
    assert "skjer langs fem akser: Globalt partnerskap og solidaritet, tjenesteutvikling" in words()
    assert "kommunens innbyggernes internasjonale profil og innsatsen til" in words()
    assert "utdannings-, forsknings- og næringslivsaktører." in words()
    summary = str(one(g, ID["seksjon/1"], HMS.text))
    positions = [summary.index(name) for name in AXIS_NAMES.values()]
    assert positions == sorted(positions)


@pytest.mark.parametrize(("axis", "name"), AXIS_NAMES.items())
def test_the_summary_names_are_marked_alt_labels(g: Graph, axis: str, name: str) -> None:
    marked(g, ID[f"akse/{axis}"], SKOS.altLabel, nb(name), "aksenes-navn-i-sammendraget", True)
    assert name in str(one(g, ID["seksjon/1"], HMS.text))


# --- R11 and the class choices -------------------------------------------------------------


def test_class_choices_follow_what_the_text_does(g: Graph) -> None:
    # KS is only cited as a source: "(kilde KS)"
    assert words().count("KS") == 1
    ks = ID["organisasjon/ks"]
    assert set(g.objects(ks, RDF.type)) >= {HMS.Organisation}
    assert (ks, RDF.type, HMS.PartnerInstitution) not in g
    assert (ks, RDF.type, HMS.Actor) not in g
    marked(g, ks, SKOS.altLabel, nb("Kommunesektorens organisasjon"), "forkortelser", True)
    # "FNs Tusenårsmål" are goals set by the UN
    mdg = ID["program/fns-tusenarsmal"]
    assert (mdg, RDF.type, HMS.ExternalGoal) in g
    assert (mdg, RDF.type, HMS.Programme) not in g
    assert one(g, mdg, DCTERMS.creator) == ID["organisasjon/fn"]
    # "styringssystemet" follows the work up "gjennom indikatorer": a system, not a plan
    # (fragments: "styringssystemet gjennom" on line 727, "indikatorer." on line 606)
    assert line_numbers("styringssystemet gjennom") == [727]
    assert line_numbers("indikatorer.") == [606]
    section_5 = str(one(g, ID["seksjon/5"], HMS.text))
    assert "det administrative styringssystemet gjennom indikatorer." in section_5
    system = ID["plan/styringssystemet"]
    assert (system, RDF.type, HMS.ManagementSystem) in g
    assert (system, RDF.type, HMS.MunicipalPlan) not in g


def test_no_section_is_its_own_provenance(g: Graph) -> None:
    for section in g.subjects(RDF.type, HMS.SourceSection):
        assert list(g.objects(section, HMS.fromSection)) == [], section
        assert set(g.subjects(HMS.hasSection, section)), section
