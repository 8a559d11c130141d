"""How much the engine differs from itself: heavy queries on pyoxigraph in this process and
on the Oxigraph server (``oxigraph serve-read-only``), the same version, the same data.

Issue 12 asks for heavy queries within 1.1× of the Oxigraph server's latency at about 1M
triples, through our whole query path. This measures the floor under that ratio: the
engine library alone, without HTTP, our guard or our query processes, against the server
binary. Rounds alternate the two, each query text is new (a comment with a counter and the
time, so no cache answers), and the median of each side is printed with its ratio, per
round, so the spread between rounds shows what one run can tell.

Usage, on a folder that ``python -m benchmarks.pages --work DIR`` prepared (it holds
``store/`` and ``oxigraph-server/``, the same N-Quads loaded into each)::

    python -m benchmarks.engine_floor --folder DIR/copies-356 [--runs 5] [--rounds 2]

Only 127.0.0.1 is contacted; the server it starts is stopped before it exits.
"""

from __future__ import annotations

import argparse
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from benchmarks.pages import OxigraphServer
from benchmarks.query_path import HEAVY
from benchmarks.query_path.timing import median_ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, required=True, help="a prepared copies-N folder")
    parser.add_argument("--runs", type=int, default=5, help="requests per query and side")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of both sides")
    args = parser.parse_args(argv)
    store = ox.Store.read_only(str(args.folder / "store"))

    def in_process(query: str) -> object:
        return list(store.query(query, use_default_graph_as_union=True))

    with OxigraphServer(args.folder / "oxigraph-server", args.folder / "scaled.nq") as server:

        def over_http(query: str) -> object:
            url = server.query_url + "?" + urllib.parse.urlencode({"query": query})
            request = urllib.request.Request(
                url, headers={"Accept": "application/sparql-results+json"}
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.read()

        print(f"{len(store)} quads; median of {args.runs} requests per query and side")
        print("| round | query | pyoxigraph in-process ms | Oxigraph server ms | ratio |")
        print("|---:|---|---:|---:|---:|")
        for number in range(1, args.rounds + 1):
            for name, query in HEAVY.items():
                ours = median_ms(in_process, query, args.runs, "in-process")
                theirs = median_ms(over_http, query, args.runs, "server")
                print(f"| {number} | {name} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
