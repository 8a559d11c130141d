"""The Store interface: Oxigraph and rdflib's engine give the same answers; bindings are data.

Issue 2, item 5. Both engines are loaded with the same assembled graph, asked the same
queries, and compared on the terms they return.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from hamar_graph.build.assembly import assemble
from hamar_graph.config import Settings
from hamar_graph.namespaces import HMS, ID, sparql_prologue
from hamar_graph.store.base import Row, Store, StoreError, load_triples, union_graph
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.oxigraph import OxigraphStore

P = sparql_prologue()
INJECTION = '"> } ; DROP ALL ; INSERT DATA { <http://evil.test/a> <http://evil.test/b> "c" } #'


@pytest.fixture(scope="module")
def assembled(source_copy: Path) -> Dataset:
    return assemble(Settings(source_dir=source_copy))


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def engine(request: pytest.FixtureRequest, assembled: Dataset) -> Store:
    store: Store = OxigraphStore() if request.param == "oxigraph" else MemoryStore()
    store.load(assembled)
    return store


@pytest.fixture(scope="module")
def both(assembled: Dataset) -> tuple[Store, Store]:
    ox_store, mem_store = OxigraphStore(), MemoryStore()
    ox_store.load(assembled)
    mem_store.load(assembled)
    return ox_store, mem_store


def _term_key(term: Node) -> str:
    """A term's N3. Exact: the build writes literals as Oxigraph stores them
    (``hamar_graph.build.engine_literals``), so both engines must return the same terms.
    """
    return term.n3()


def _canon(rows: list[Row]) -> list[tuple[tuple[str, str], ...]]:
    """Rows as sorted tuples of (variable, term key): comparable across engines."""
    return sorted(tuple(sorted((k, _term_key(v)) for k, v in row.items())) for row in rows)


def _canon_graph(graph: Graph) -> set[tuple[str, str, str]]:
    return {(_term_key(s), _term_key(p), _term_key(o)) for s, p, o in graph}


SELECTS = {
    "axes with nb labels": (
        "SELECT ?axis ?label WHERE { ?axis a hms:Axis ; skos:prefLabel ?label "
        'FILTER(lang(?label) = "nb") }',
        None,
    ),
    "measures and their goals": (
        "SELECT ?m ?g WHERE { ?m a hms:Measure ; hms:servesGoal ?g }",
        None,
    ),
    "derived inverse links": ("SELECT ?g ?m WHERE { ?g hms:hasMeasure ?m }", None),
    "twin city with bound country": (
        "SELECT ?city ?country ?lat ?long WHERE { ?city hms:country ?country ; geo:lat ?lat ; "
        "geo:long ?long }",
        {"country": ID["land/sverige"]},
    ),
    "optional and unbound columns": (
        "SELECT ?goal ?actor WHERE { ?goal a hms:ActionPlanGoal "
        "OPTIONAL { ?goal hms:responsibleActor ?actor } }",
        None,
    ),
    "bound literal label": (
        "SELECT ?s ?label WHERE { ?s skos:prefLabel ?label }",
        {"label": Literal("Vennskapsbysamarbeid", lang="nb")},
    ),
    "aggregate per class": (
        "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class FILTER(STRSTARTS(STR(?class), "
        "STR(hms:))) } GROUP BY ?class",
        None,
    ),
}


@pytest.mark.parametrize("name", list(SELECTS))
def test_select_gives_the_same_rows_on_both_engines(both: tuple[Store, Store], name: str) -> None:
    query, bindings = SELECTS[name]
    ox_rows = both[0].select(P + query, bindings)
    mem_rows = both[1].select(P + query, bindings)
    assert ox_rows, f"{name}: no rows, the comparison would prove nothing"
    assert _canon(ox_rows) == _canon(mem_rows)


def test_select_values_are_the_expected_resources(engine: Store, assembled: Dataset) -> None:
    """Bound variables must be projected: Oxigraph substitutes only projected ones (SEP-0007)."""
    label = Literal("Vennskapsbysamarbeid", lang="nb")
    rows = engine.select(
        P + "SELECT ?s ?label WHERE { ?s skos:prefLabel ?label }", {"label": label}
    )
    expected = {s for s, _p, _o, _g in assembled.quads((None, SKOS.prefLabel, label, None))}
    assert ID["akse/vennskapsbysamarbeid"] in expected
    assert {r["s"] for r in rows} == expected
    assert {r["label"] for r in rows} == {label}
    lund = engine.select(
        P + "SELECT ?city ?country WHERE { ?city hms:country ?country }",
        {"country": ID["land/sverige"]},
    )
    assert {r["city"] for r in lund} == {ID["vennskapsby/lund"]}


@pytest.mark.parametrize(
    ("query", "bindings", "expected"),
    [
        ("ASK { ?a a hms:Axis }", None, True),
        ("ASK { ?a a hms:NoSuchClass }", None, False),
        ("ASK { ?c hms:country ?land }", {"land": ID["land/island"]}, True),
        ("ASK { ?c hms:country ?land }", {"land": ID["land/no-such-country"]}, False),
    ],
)
def test_ask_on_both_engines(
    both: tuple[Store, Store], query: str, bindings: dict[str, URIRef] | None, expected: bool
) -> None:
    assert both[0].ask(P + query, bindings) is expected
    assert both[1].ask(P + query, bindings) is expected


@pytest.mark.parametrize(
    ("query", "bindings"),
    [
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": ID["vennskapsby/lund"]}),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", {"s": ID["akse/vennskapsbysamarbeid"]}),
        (
            "CONSTRUCT { ?m hms:servesGoal ?g ; skos:prefLabel ?l } WHERE { ?m hms:servesGoal ?g ;"
            " skos:prefLabel ?l }",
            None,
        ),
    ],
)
def test_construct_gives_isomorphic_graphs_on_both_engines(
    both: tuple[Store, Store], query: str, bindings: dict[str, URIRef] | None
) -> None:
    ox_graph = both[0].construct(P + query, bindings)
    mem_graph = both[1].construct(P + query, bindings)
    assert len(ox_graph) > 0
    assert _canon_graph(ox_graph) == _canon_graph(mem_graph)


def test_construct_of_a_resource_is_its_triples(engine: Store, assembled: Dataset) -> None:
    lund = ID["vennskapsby/lund"]
    got = engine.construct(P + "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": lund})
    expected = Graph()
    for s, p, o, _g in assembled.quads((lund, None, None, None)):
        expected.add((s, p, o))
    assert _canon_graph(got) == _canon_graph(expected)
    assert (lund, RDF.type, HMS.TwinCity) in got


def test_bound_values_are_substituted_never_pasted(assembled: Dataset) -> None:
    """A value that would break out of a pasted query is only ever matched as a value."""
    victim = URIRef("http://example.org/victim")
    extra = Graph()
    extra.add((victim, SKOS.prefLabel, Literal(INJECTION)))
    for engine_cls in (OxigraphStore, MemoryStore):
        store = engine_cls()
        load_triples(
            store,
            [(g.identifier, g) for g in assembled.graphs() if len(g)]
            + [(URIRef("http://example.org/graph"), extra)],
        )
        size = len(store)
        rows = store.select(
            "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }",
            {"label": Literal(INJECTION)},
        )
        assert [r["s"] for r in rows] == [victim], engine_cls.name
        assert store.ask("ASK { ?s ?p ?o }", {"o": Literal(INJECTION)}) is True
        assert store.ask("ASK { ?s ?p ?o }", {"o": Literal(INJECTION + "x")}) is False
        assert len(store) == size
        assert URIRef("http://evil.test/a") not in {t[0] for t in union_graph(store)}


def test_both_engines_hold_the_same_graphs(both: tuple[Store, Store], assembled: Dataset) -> None:
    names = sorted(URIRef(g.identifier) for g in assembled.graphs() if len(g))
    assert both[0].graph_names() == names
    assert both[1].graph_names() == names
    quads = sum(1 for _ in assembled.quads((None, None, None, None)))
    assert len(both[0]) == len(both[1]) == quads
    assert _canon_graph(union_graph(both[0])) == _canon_graph(union_graph(both[1]))


@pytest.mark.parametrize(
    ("method", "query"),
    [
        ("select", "ASK { ?s ?p ?o }"),
        ("ask", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"),
        ("construct", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"),
    ],
)
def test_the_wrong_query_form_is_refused(engine: Store, method: str, query: str) -> None:
    with pytest.raises(ValueError):
        getattr(engine, method)(query)


def test_load_replaces_the_whole_content(assembled: Dataset) -> None:
    for store in (OxigraphStore(), MemoryStore()):
        store.load(assembled)
        small = Graph()
        small.add((URIRef("http://example.org/s"), RDF.type, URIRef("http://example.org/C")))
        load_triples(store, [(URIRef("http://example.org/g"), small)])
        assert len(store) == 1
        assert store.graph_names() == [URIRef("http://example.org/g")]


def test_a_persistent_store_round_trips_and_opens_read_only(
    assembled: Dataset, tmp_path: Path
) -> None:
    path = tmp_path / "store"
    writable = OxigraphStore(path)
    writable.load(assembled)
    expected = len(writable)
    del writable
    reader = OxigraphStore(path, read_only=True)
    assert len(reader) == expected
    assert reader.ask(P + "ASK { id:vennskapsby\\/lund a hms:TwinCity }")
    with pytest.raises(RuntimeError):
        reader.native.update("CLEAR ALL")
    assert len(reader) == expected


def test_opening_a_missing_store_read_only_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="hamar-graph build"):
        OxigraphStore(tmp_path / "nothing", read_only=True)
