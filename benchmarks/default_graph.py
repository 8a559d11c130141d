"""What reading the union of all graphs costs Oxigraph, against reading the default graph.

The endpoint's default graph is the union of the store's graphs. Oxigraph reads that union
(``use_default_graph_as_union``) from its index of every graph, even when the store holds no
named graph; in such a store the default graph is the same graph, and
``hamar_graph.default_graph`` reads it instead. This runs the heavy queries of
``benchmarks.query_path`` on one store both ways, in this process, alternating, and prints
the median of each and the ratio union / default graph per round. On a store with named
graphs the two give different answers (the default graph is then empty), so it refuses one.

Usage, on a store without named graphs (the scale section's, ``--workdir DIR``)::

    python -m benchmarks.default_graph --store DIR/ours-store-620 [--runs 7] [--rounds 2]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from benchmarks.query_path.timing import median_ms
from benchmarks.query_path.workloads import HEAVY
from hamar_graph.default_graph import has_named_graphs


def _reader(store: ox.Store, union: bool) -> Callable[[str], object]:
    """A query on ``store`` over the union of all graphs or the default graph, serialised."""

    def read(text: str) -> object:
        result = store.query(text, use_default_graph_as_union=union)
        return result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]

    return read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store without named graphs")
    parser.add_argument("--runs", type=int, default=7, help="queries per side and round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of both sides")
    args = parser.parse_args(argv)
    store = ox.Store.read_only(str(args.store))
    if has_named_graphs(store):
        parser.error(f"{args.store} holds named graphs: its default graph is not the union")
    print(f"{len(store):,} triples, no named graph; median of {args.runs} queries a side")
    print("| round | query | union of all graphs ms | default graph ms | ratio |")
    print("|---:|---|---:|---:|---:|")
    for number in range(1, args.rounds + 1):
        for name, query in HEAVY.items():
            union = median_ms(_reader(store, True), query, args.runs, f"{number} union")
            plain = median_ms(_reader(store, False), query, args.runs, f"{number} default")
            print(f"| {number} | {name} | {union:.1f} | {plain:.1f} | {union / plain:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
