"""The strategy read as a document (hamar_graph.pages.document and the document view of
hamar_graph.pages.resource): every section in the source's order with its number, its
text, and the things it names linked to their pages."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from hamar_graph.pages.document import DocSection, link_names, number_key, section_tree
from hamar_graph.pages.ontology_doc import load_vocabulary
from hamar_graph.pages.resource import ResourcePage, resource_page
from hamar_graph.store.base import Store
from tests.support import source

BASE = "https://data.hamar.kommune.no/"
DOC = BASE + "id/dokument/internasjonal-strategi"

#: The sections in the order the source prints them (line numbers in data/README.md).
ORDER = [
    "1", "1 (boks)", "2", "3", "3.1", "3.2", "3.3", "3 (boks)", "4", "4.1", "4.2", "4.3",
    "4.3 (boks)", "4.4", "4.5", "4.6", "5", "5 (organisasjonskart)", "6",
]  # fmt: skip


@pytest.fixture(scope="module", params=["nb", "en"])
def page(request: pytest.FixtureRequest, store: Store) -> ResourcePage:
    vocab = load_vocabulary(store, BASE)
    return resource_page(store, DOC, base=BASE, lang=request.param, vocab=vocab)


def walk(sections: tuple[DocSection, ...]) -> list[DocSection]:
    return [s for top in sections for s in top.walk()]


def test_the_strategy_page_is_the_document(page: ResourcePage) -> None:
    assert page.view == "document" and page.document is not None
    flat = walk(page.document.sections)
    assert [s.number for s in flat] == ORDER
    assert [s.number for _, s in page.document.toc()] == ORDER
    assert [d for d, s in page.document.toc() if s.number in ("1", "3", "6")] == [0, 0, 0]
    assert [d for d, s in page.document.toc() if s.number in ("3.1", "4.3 (boks)")] == [1, 2]
    # the sections are not listed again among the document's facts
    assert all(
        r.iri != "https://data.hamar.kommune.no/def/hasSection" for r in page.entity.properties
    )


def test_every_text_in_the_page_language_first_and_the_other_beside_it(page: ResourcePage) -> None:
    assert page.document is not None
    sections = {s.number: s for s in walk(page.document.sections)}
    summary = sections["1"]
    assert summary.text is not None and summary.other is not None
    assert summary.text.lang == page.entity.lang
    norwegian = summary.text if page.entity.lang == "nb" else summary.other
    words = "".join(seg.text for para in norwegian.paragraphs for line in para for seg in line)
    # the source's words, paragraph by paragraph (data/README.md, section 1)
    assert "Formannskapet har det overordnete ansvar for at den vedtatte" in words
    assert "Formannskapet har det overordnete ansvar" in source.words("\n".join(source.lines()))
    # tables: 4.6, the chart and the action plan are shown as tables
    assert sections["4.6"].table == "axes" and page.document.axes
    assert sections["5 (organisasjonskart)"].table == "chart" and page.document.chart
    assert sections["6"].table == "plan" and page.document.plan
    assert page.document.plan.goal_count == 17


def test_each_named_thing_is_linked_in_the_text_or_listed(page: ResourcePage, store: Store) -> None:
    assert page.document is not None
    rows = store.select(
        "SELECT ?s ?t WHERE { ?s a <https://data.hamar.kommune.no/def/SourceSection> ; "
        "<https://data.hamar.kommune.no/def/mentions> ?t }"
    )
    mentioned: dict[str, set[str]] = {}
    for row in rows:
        mentioned.setdefault(str(row["s"]), set()).add(str(row["t"]))
    for section in walk(page.document.sections):
        linked = set(section.text.linked) if section.text else set()
        listed = {n.iri for n in section.also_named}
        expected = mentioned.get(section.iri, set()) - {DOC}
        assert expected <= linked | listed, (section.number, expected - linked - listed)
    summary = next(s for s in walk(page.document.sections) if s.number == "1")
    assert summary.text is not None
    hrefs = {seg.href for para in summary.text.paragraphs for line in para for seg in line}
    assert "/id/aktor/formannskapet" in hrefs and "/id/aktor/kommunestyret" in hrefs


def test_link_names_links_the_longest_name_once_whole_words_only() -> None:
    names = {"a": ["Hamar"], "b": ["Hamar kommune"], "c": ["EU"]}
    hrefs = {"a": "/a", "b": "/b", "c": "/c"}
    paras, linked = link_names(
        "Hamar kommune og Hamar.\n\nEUs mål, euro og EU-prosjekter", names, hrefs
    )
    first = paras[0][0]
    assert [(s.text, s.href) for s in first] == [
        ("Hamar kommune", "/b"),
        (" og ", None),
        ("Hamar", "/a"),
        (".", None),
    ]
    second = paras[1][0]
    assert [(s.text, s.href) for s in second if s.href] == [("EUs", "/c")]
    assert linked == {"a", "b", "c"}


def test_number_key_puts_boxes_after_the_numbered_subsections() -> None:
    numbers = ["3 (boks)", "3.10", "3.2", "3.1", "3"]
    assert sorted(numbers, key=number_key) == ["3", "3.1", "3.2", "3.10", "3 (boks)"]


def test_a_section_as_root_gives_itself_and_below(store: Store) -> None:
    tree = section_tree(store, BASE + "id/seksjon/5", base=BASE, lang="nb")
    assert [s.number for s in walk(tree)] == ["5", "5 (organisasjonskart)"]
    assert tree[0].text is not None and URIRef(tree[0].iri) == URIRef(BASE + "id/seksjon/5")
