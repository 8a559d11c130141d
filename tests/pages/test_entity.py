"""A resource page as staff read it (hamar_graph.pages.entity): every property under a
label in words, in nb and en; each fact once; our readings of the source marked; the
data's bookkeeping in a Data section; a deprecated resource says what replaced it."""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef

from hamar_graph.i18n import LANGUAGES
from hamar_graph.namespaces import PREFIXES
from hamar_graph.pages.entity import EntityPage, describe
from hamar_graph.pages.labels import humanise
from hamar_graph.pages.ontology_doc import Vocabulary, load_vocabulary
from hamar_graph.store.base import Store

BASE = "https://data.hamar.kommune.no/"
ID = BASE + "id/"

#: A prefixed name of one of the graph's prefixes (``org:unitOf``, ``skos:ConceptScheme``).
PREFIXED = re.compile(r"\b(?:" + "|".join(sorted(PREFIXES, key=len, reverse=True)) + r"):[A-Za-z_]")


@pytest.fixture(scope="module")
def vocab(store: Store) -> Vocabulary:
    return load_vocabulary(store, BASE)


def page(store: Store, vocab: Vocabulary, path: str, lang: str = "nb") -> EntityPage:
    return describe(store, ID + path, base=BASE, lang=lang, vocab=vocab)


def values(rows: object, predicate_end: str) -> list[str]:
    for row in rows:  # type: ignore[attr-defined]
        if row.iri.endswith(predicate_end):
            return [v.link.href if v.link else v.text.value for v in row.values]
    return []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_predicate_and_class_in_the_graph_has_a_label_in_words(
    store: Store, vocab: Vocabulary, lang: str
) -> None:
    labeller = vocab.labeller()
    preds = {str(r["p"]) for r in store.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")}
    types = {str(r["t"]) for r in store.select("SELECT DISTINCT ?t WHERE { ?s a ?t }")}
    unlabelled = sorted(t for t in preds | types if not labeller.has(URIRef(t)))
    assert unlabelled == []
    for term in preds | types:
        label = labeller.term(URIRef(term), lang)
        assert label and not PREFIXED.search(label) and "://" not in label, (term, label)


def test_an_unknown_term_still_gets_words() -> None:
    assert humanise("http://www.w3.org/ns/org#unitOf") == "unit of"


STAFF_PAGES = [
    "organisasjon/hamar-kommune",
    "akse/vennskapsbysamarbeid",
    "akser",
    "aktor/formannskapet",
    "tiltak/internasjonal-uke",
    "handlingsmal/sikre-at-integrering-fremstar",
    "utsagn/ansvar-overordnet-strategi",
    "dokument/internasjonal-strategi",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_prefixed_names_and_no_fact_twice(
    store: Store, vocab: Vocabulary, path: str, lang: str
) -> None:
    p = page(store, vocab, path, lang)
    shown = [r.label for r in p.properties + p.incoming]
    shown += [v.link.label.value for r in p.properties + p.incoming for v in r.values if v.link]
    shown += [t.label.value for t in p.types]
    assert not [s for s in shown if PREFIXED.search(s)]
    # a resource linked with a property and its inverse (or from both ends) is shown once
    outgoing = {v.link.iri for r in p.properties for v in r.values if v.link}
    for row in p.incoming:
        for v in row.values:
            assert not (v.link and v.link.iri in outgoing and row.iri in INVERSE_OF), (row.iri, v)


INVERSE_OF = {
    "http://www.w3.org/ns/org#unitOf",
    "http://www.w3.org/ns/org#hasUnit",
    BASE + "def/servesGoal",
    BASE + "def/hasMeasure",
    BASE + "def/responsibleActor",
    BASE + "def/responsibleFor",
    BASE + "def/axis",
    BASE + "def/axisGoal",
    BASE + "def/mainStrategy",
    "http://www.w3.org/2004/02/skos/core#inScheme",
    "http://www.w3.org/2004/02/skos/core#topConceptOf",
    "http://www.w3.org/2004/02/skos/core#hasTopConcept",
}


def test_the_units_of_hamar_kommune_once(store: Store, vocab: Vocabulary) -> None:
    p = page(store, vocab, "organisasjon/hamar-kommune")
    units = values(p.properties, "#hasUnit")
    assert len(units) == 4
    assert values(p.incoming, "#unitOf") == []


def test_an_axis_in_its_scheme_once(store: Store, vocab: Vocabulary) -> None:
    axis = page(store, vocab, "akse/vennskapsbysamarbeid")
    assert values(axis.properties, "#inScheme") == ["/id/akser"]
    assert values(axis.properties, "#topConceptOf") == []
    # its axis goal and main strategy are facts of the axis, not repeated as links to it
    incoming = values(axis.incoming, "def/axis")
    assert incoming and not [v for v in incoming if "/aksemal/" in v or "/hovedstrategi/" in v]
    scheme = page(store, vocab, "akser")
    assert len(values(scheme.properties, "#hasTopConcept")) == 5
    assert values(scheme.incoming, "#inScheme") == values(scheme.incoming, "#topConceptOf") == []


def test_readings_are_marked_where_the_fact_is_shown(store: Store, vocab: Vocabulary) -> None:
    body = page(store, vocab, "aktor/formannskapet")
    row = next(r for r in body.properties if r.iri == BASE + "def/responsibleFor")
    (value,) = row.values
    assert (
        value.reading is not None and value.reading.href == "/id/utsagn/ansvar-overordnet-strategi"
    )
    assert [n.href for n in body.readings] == ["/id/utsagn/ansvar-overordnet-strategi"]
    hru = page(store, vocab, "organisasjon/hamarregionen-utvikling")
    assert hru.title_reading is not None and hru.title_reading.href == "/id/utsagn/hru-navn"
    # the statements of readings are not repeated among the links to the page
    assert all(
        r.iri
        not in (
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#object",
        )
        for r in hru.incoming
    )


def test_readings_left_out_of_the_graph_are_listed_as_such(store: Store, vocab: Vocabulary) -> None:
    doc = page(store, vocab, "dokument/internasjonal-strategi")
    left_out = [n for n in doc.readings if not n.asserted]
    assert len(left_out) == 3 and all(
        [href for href, _ in n.readings] == ["/id/lesning/kilde-for-nokkeltall"] for n in left_out
    )


def test_a_statement_on_two_readings_names_both_in_order(store: Store, vocab: Vocabulary) -> None:
    measure = page(store, vocab, "tiltak/internasjonal-uke")
    both = [n for n in measure.readings if len(n.readings) == 2]
    assert both, "internasjonal-uke serves a goal on two readings (data/readings.ttl)"
    assert [href for href, _ in both[0].readings] == [
        "/id/lesning/tiltak-pa-malets-rad",
        "/id/lesning/tiltakscellen-for-mal-om-integrering",
    ]
    assert all(label is not None for _, label in both[0].readings)


def test_named_graphs_and_authority_tables_as_labelled_links(
    store: Store, vocab: Vocabulary
) -> None:
    doc = page(store, vocab, "dokument/internasjonal-strategi")
    language = next(r for r in doc.properties if r.iri.endswith("/language"))
    assert [v.link.label.value for v in language.values if v.link] == ["norsk bokmål"]
    assert doc.data is not None
    graphs = [v.link for r in doc.data.incoming for v in r.values if v.link]
    assert len(graphs) == 7 and all(g.href.startswith("/graph/data-") for g in graphs)
    assert all(not g.label.value.startswith(("http", "data.hamar")) for g in graphs)
    shown = [v.link.href for r in doc.properties + doc.incoming for v in r.values if v.link]
    assert not [h for h in shown if h.startswith("/graph/")]


def test_row_order_is_data_not_a_fact_for_staff(store: Store, vocab: Vocabulary) -> None:
    goal = page(store, vocab, "handlingsmal/videreutvikle-vertsskapsrollen")
    assert values(goal.properties, "def/rowOrder") == []
    assert goal.data is not None and values(goal.data.rows, "def/rowOrder") == ["2"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_deprecated_resource_says_what_replaced_it(
    store: Store, vocab: Vocabulary, lang: str
) -> None:
    old = page(store, vocab, "organisasjon/hihm-luna", lang)
    assert old.deprecated
    assert [r.href for r in old.replaced_by] == ["/id/organisasjon/hihm", "/id/organisasjon/luna"]
    assert not [r for r in old.properties if r.iri.endswith(("#deprecated", "/isReplacedBy"))]


def test_same_words_in_two_languages_once(store: Store, vocab: Vocabulary) -> None:
    hru = page(store, vocab, "organisasjon/hamarregionen-utvikling")
    assert values(hru.properties, "#altLabel") == ["HrU"]
