"""The union of all graphs, read as the default graph when a store has no named graph
(hamar_graph.default_graph): the same answers, and Oxigraph asked for the cheaper
read only when the two graphs are the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from hamar_graph.default_graph import UNION, has_named_graphs, union_arguments
from hamar_graph.sparql.worker import NativeEngine, QueryJob, execute
from hamar_graph.store.oxigraph import OxigraphEngine, OxigraphStore

EX = "https://example.org/"
SELECT = f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }} ORDER BY ?o"


class RecordingStore:
    """A pyoxigraph store that keeps the keyword arguments of each query it runs."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.calls: list[dict[str, Any]] = []

    def named_graphs(self) -> Any:
        return self.store.named_graphs()

    def query(self, query: str, **kwargs: Any) -> Any:
        self.calls.append(dict(kwargs))
        return self.store.query(query, **kwargs)


def _quad(o: str, graph: str | None = None) -> ox.Quad:
    name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    return ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal(o), name)


def _objects(engine: Any) -> list[str]:
    outcome = execute(engine, QueryJob(SELECT, "json", None, 100, form="SELECT"))
    assert outcome.status == 200, outcome.message
    rows = json.loads(outcome.body)["results"]["bindings"]
    return [row["o"]["value"] for row in rows]


@pytest.mark.parametrize(
    ("quads", "named", "objects"),
    [
        # without named graphs the union is the default graph: Oxigraph reads that
        ([_quad("one"), _quad("two")], False, ["one", "two"]),
        (
            [_quad("in the default graph"), _quad("in a named graph", f"{EX}g")],
            True,
            ["in a named graph", "in the default graph"],
        ),
    ],
    ids=["no-named-graph-read-as-default-graph", "named-graphs-read-as-union"],
)
def test_the_union_is_asked_for_only_when_the_store_has_named_graphs(
    quads: list[ox.Quad], named: bool, objects: list[str]
) -> None:
    store = ox.Store()
    store.extend(quads)
    recording = RecordingStore(store)
    engine = NativeEngine(recording)  # type: ignore[arg-type]
    assert engine.named_graphs is named
    assert _objects(engine) == objects
    assert recording.calls[-1][UNION] is named


def test_a_dataset_the_query_names_is_left_alone() -> None:
    # FROM or the protocol's graphs: no union is asked for, none is added
    protocol = {"default_graph": [ox.NamedNode(f"{EX}g")], "named_graphs": []}
    assert union_arguments(dict(protocol), False) == protocol
    assert union_arguments({UNION: False}, True) == {UNION: False}
    assert union_arguments({UNION: True}, True) == {UNION: True}
    assert union_arguments({UNION: True}, False) == {UNION: False}


def test_the_store_answers_the_same_either_way() -> None:
    # the same triples, once in the default graph and once each in a named graph
    plain, named = ox.Store(), ox.Store()
    plain.extend([_quad("a"), _quad("b")])
    named.extend([_quad("a", f"{EX}g1"), _quad("b", f"{EX}g2")])
    assert not has_named_graphs(plain) and has_named_graphs(named)
    assert _objects(OxigraphEngine(plain)) == _objects(OxigraphEngine(named)) == ["a", "b"]


def test_a_read_only_store_makes_its_engine_once(tmp_path: Path) -> None:
    writable = OxigraphStore(tmp_path / "store")
    writable.native.extend([_quad("a")])
    assert writable.local_engine().named_graphs is False
    writable.native.extend([_quad("b", f"{EX}g")])
    # a writable store may gain a named graph: its engine is made for each call
    assert writable.local_engine().named_graphs is True
    writable.native.flush()
    del writable
    read_only = OxigraphStore(tmp_path / "store", read_only=True)
    assert read_only.local_engine() is read_only.local_engine()
    assert [row["o"].toPython() for row in read_only.select(SELECT)] == ["a", "b"]
