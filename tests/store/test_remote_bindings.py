"""Bindings for remote engines: ``BIND(term AS ?v)`` first in the outermost WHERE group.

The text is checked form by form; every named query with the pages' bindings, sent as a
remote engine gets it, answers exactly as the engine's own substitution on the embedded
stores (pyoxigraph and rdflib), and as the embedded store on the Oxigraph server and on
Virtuoso (docs/virtuoso.md §5).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD

from hamar_graph.query import named
from hamar_graph.store.base import Bindings, Store
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_query import query_form, safe_term, with_bindings, with_values
from tests.support.oxigraph_server import OxigraphServer
from tests.support.remote import (
    CASE_IDS,
    LUND,
    NAMED_CASES,
    answer,
    oxigraph_loaded,
    same_answer,
    virtuoso_loaded,
)
from tests.support.virtuoso_server import VirtuosoServer, virtuoso_missing

X = URIRef("https://data.hamar.kommune.no/id/x")


# --- the text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "SELECT ?s ?p WHERE { ?s ?p ?o }",
            "SELECT ?s ?p WHERE { BIND(<{x}> AS ?s)\n ?s ?p ?o }",
        ),
        ("SELECT * { ?s ?p ?o }", "SELECT * { BIND(<{x}> AS ?s)\n ?s ?p ?o }"),
        ("ASK { ?s ?p ?o }", "ASK { BIND(<{x}> AS ?s)\n ?s ?p ?o }"),
        ("ask where {?s ?p ?o}", "ask where { BIND(<{x}> AS ?s)\n?s ?p ?o}"),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2",
            "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<{x}> AS ?s)\n ?s ?p ?o } LIMIT 2",
        ),
        (
            "CONSTRUCT {?s ?p ?o} {?s ?p ?o}",
            "CONSTRUCT {?s ?p ?o} { BIND(<{x}> AS ?s)\n?s ?p ?o}",
        ),
        (
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
            "CONSTRUCT {  ?s ?p ?o  }\nWHERE { BIND(<{x}> AS ?s)\n ?s ?p ?o  } LIMIT 3",
        ),
        ("DESCRIBE ?s", "DESCRIBE ?s\nWHERE { BIND(<{x}> AS ?s) }\n"),
        ("DESCRIBE ?s LIMIT 5", "DESCRIBE ?s \nWHERE { BIND(<{x}> AS ?s) }\nLIMIT 5"),
        ("DESCRIBE ?s WHERE { ?s a ?c }", "DESCRIBE ?s WHERE { BIND(<{x}> AS ?s)\n ?s a ?c }"),
        (
            "SELECT * WHERE { SELECT ?s WHERE { ?s ?p ?o } } ORDER BY ?s",
            "SELECT * WHERE { BIND(<{x}> AS ?s)\n{  SELECT ?s WHERE { ?s ?p ?o }  }\n} ORDER BY ?s",
        ),
        # braces in strings, IRIs, comments, a projection's EXISTS, prefixed names
        (
            'PREFIX where: <http://x/{}> # WHERE {\nSELECT ?s (EXISTS { ?s ?p "}" } AS ?e) '
            "WHERE { ?s where:p '''{''' }",
            'PREFIX where: <http://x/{}> # WHERE {\nSELECT ?s (EXISTS { ?s ?p "}" } AS ?e) '
            "WHERE { BIND(<{x}> AS ?s)\n ?s where:p '''{''' }",
        ),
    ],
)
def test_bind_goes_first_in_the_outermost_group(query: str, expected: str) -> None:
    assert with_bindings(query, {"s": X}) == expected.replace("{x}", str(X))


def test_several_bindings_and_literals() -> None:
    text = with_bindings(
        "SELECT * WHERE { ?a ?b ?c }",
        {"c": Literal('say "hi"\n\\', lang="nb"), "a": X, "b": Literal(1)},
    )
    assert text == (
        f'SELECT * WHERE {{ BIND(<{X}> AS ?a) BIND("1"^^<{XSD.integer}> AS ?b) '
        'BIND("say \\"hi\\"\\n\\\\"@nb AS ?c)\n ?a ?b ?c }'
    )


def test_no_bindings_leave_the_text_alone() -> None:
    assert with_bindings("SELECT * {}", None) == "SELECT * {}"
    assert with_bindings("SELECT * {}", {}) == "SELECT * {}"


@pytest.mark.parametrize(
    "term",
    [
        URIRef("http://x/> } DROP ALL { <http://y"),
        Literal("x", datatype=URIRef("http://x/> } DROP ALL { <http://y")),
        BNode("b"),
    ],
)
def test_terms_that_could_break_out_are_refused(term: object) -> None:
    with pytest.raises(ValueError):
        safe_term(term)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        with_bindings("SELECT * { ?s ?p ?o }", {"s": term})  # type: ignore[dict-item]


def test_bad_variable_names_and_texts_are_refused() -> None:
    with pytest.raises(ValueError, match="variable name"):
        with_bindings("SELECT * { ?s ?p ?o }", {"s) } DROP ALL": X})
    with pytest.raises(ValueError, match="not a SPARQL query"):
        with_bindings("DROP ALL", {"s": X})
    with pytest.raises(ValueError, match="without a WHERE group"):
        with_bindings("SELECT ?s", {"s": X})


def test_query_form() -> None:
    assert query_form(named.DESCRIBE) == "CONSTRUCT"
    assert query_form("PREFIX describe: <http://x/> # SELECT\nDESCRIBE <http://x/>") == "DESCRIBE"
    assert query_form(named.EXISTS) == "ASK"


def test_the_old_trailing_values_are_still_there() -> None:
    assert with_values("SELECT ?s {}", {"s": X}).endswith(f"VALUES (?s) {{ (<{X}>) }}")


# --- the named queries on the embedded stores ------------------------------------------------


@pytest.fixture(scope="module")
def memory(dataset: Dataset) -> Store:
    store = MemoryStore()
    store.load(dataset)
    return store


class _Inlined:
    """A store that gets its bindings as a remote engine does: written into the text."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    def select(self, query: str, bindings: Bindings | None = None) -> object:
        return self.inner.select(with_bindings(query, bindings))

    def ask(self, query: str, bindings: Bindings | None = None) -> object:
        return self.inner.ask(with_bindings(query, bindings))

    def construct(self, query: str, bindings: Bindings | None = None) -> object:
        return self.inner.construct(with_bindings(query, bindings))


@pytest.mark.parametrize(("name", "bindings"), NAMED_CASES, ids=CASE_IDS)
def test_written_bindings_answer_as_substituted_ones(
    store: Store, memory: Store, name: str, bindings: Bindings | None
) -> None:
    for engine in (store, memory):
        expected = answer(engine, name, bindings)
        assert same_answer(answer(_Inlined(engine), name, bindings), expected), name  # type: ignore[arg-type]
    assert same_answer(answer(memory, name, bindings), answer(store, name, bindings)), name


# --- and on real engines ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph(
    tmp_path_factory: pytest.TempPathFactory, dataset: Dataset
) -> Iterator[OxigraphServer]:
    with oxigraph_loaded(tmp_path_factory.mktemp("bind-oxigraph"), dataset) as server:
        yield server


@pytest.fixture(scope="module")
def virtuoso(
    tmp_path_factory: pytest.TempPathFactory, dataset: Dataset
) -> Iterator[VirtuosoServer]:
    missing = virtuoso_missing()
    if missing:
        pytest.skip(missing)
    with virtuoso_loaded(tmp_path_factory.mktemp("bind-virtuoso"), dataset) as server:
        yield server


@pytest.mark.server
@pytest.mark.parametrize(("name", "bindings"), NAMED_CASES, ids=CASE_IDS)
def test_named_queries_on_the_oxigraph_server(
    oxigraph: OxigraphServer, store: Store, name: str, bindings: Bindings | None
) -> None:
    remote = RemoteStore(oxigraph.query_url, timeout=30)
    assert same_answer(answer(remote, name, bindings), answer(store, name, bindings)), name


@pytest.mark.server
@pytest.mark.parametrize(("name", "bindings"), NAMED_CASES, ids=CASE_IDS)
def test_named_queries_on_virtuoso(
    virtuoso: VirtuosoServer, store: Store, name: str, bindings: Bindings | None
) -> None:
    remote = RemoteStore(virtuoso.query_url, timeout=30)
    assert same_answer(answer(remote, name, bindings), answer(store, name, bindings)), name
    assert remote.dialect == "virtuoso"


#: The forms the named queries do not use, with a binding: DESCRIBE with and without a WHERE
#: clause, and CONSTRUCT's short form.
FORMS = [
    "DESCRIBE ?s WHERE { ?s a <https://data.hamar.kommune.no/def/TwinCity> }",
    "DESCRIBE ?s",
    "CONSTRUCT WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
    "ASK WHERE { ?s a <https://data.hamar.kommune.no/def/TwinCity> }",
]


def _run(store: Store, query: str) -> object:
    bindings = {"s": LUND}
    if query.startswith("ASK"):
        return store.ask(query, bindings)
    return store.construct(query, bindings)


@pytest.mark.server
@pytest.mark.parametrize("query", FORMS)
def test_other_forms_on_both_engines(
    oxigraph: OxigraphServer, virtuoso: VirtuosoServer, store: Store, query: str
) -> None:
    expected = _run(store, query)
    assert expected is True or len(expected) > 0  # type: ignore[arg-type]
    for url in (oxigraph.query_url, virtuoso.query_url):
        assert same_answer(_run(RemoteStore(url, timeout=30), query), expected), url
