"""``benchmarks.default_graph`` times the heavy queries both ways on a store without named
graphs and prints one row per query and round; a store with named graphs is refused, as its
default graph is not the union there. Behaviour only, no timing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.default_graph import main
from benchmarks.query_path.workloads import HEAVY

EX = "https://example.org/"


def _store(path: Path, graph: ox.NamedNode | ox.DefaultGraph) -> Path:
    store = ox.Store(str(path))
    store.add(ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal("o"), graph))
    store.flush()
    del store
    return path


def test_one_row_per_query_and_round(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = _store(tmp_path / "plain", ox.DefaultGraph())
    assert main(["--store", str(store), "--runs", "1", "--rounds", "2"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    body = rows[1:]  # the header row, then one row per query and round
    assert len(body) == 2 * len(HEAVY)
    assert {line.split("|")[2].strip() for line in body} == set(HEAVY)
    assert all(line.rstrip(" |").endswith("×") for line in body)


def test_a_store_with_named_graphs_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path / "named", ox.NamedNode(f"{EX}g"))
    with pytest.raises(SystemExit) as stopped:
        main(["--store", str(store)])
    assert stopped.value.code == 2
