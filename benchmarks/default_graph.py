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
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from benchmarks.query_path.workloads import HEAVY
from hamar_graph.default_graph import has_named_graphs


def _median_ms(store: ox.Store, query: str, union: bool, runs: int, tag: str) -> float:
    times = []
    for i in range(runs):
        text = f"{query}\n# {tag} {union} {i} {time.time()}"  # a new text every time
        started = time.perf_counter()
        result = store.query(text, use_default_graph_as_union=union)
        result.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


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
            union = _median_ms(store, query, True, args.runs, str(number))
            plain = _median_ms(store, query, False, args.runs, str(number))
            print(f"| {number} | {name} | {union:.1f} | {plain:.1f} | {union / plain:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
