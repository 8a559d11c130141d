"""Page latency on the Hamar graph and on a 100× scaled graph, as a ratio table.

Copy ``k`` of the graph rewrites every thing ``{base}id/{kind}/{slug}`` to
``{base}id/{kind}/{slug}-k{k}`` (and ``{base}id/akser`` to ``…/akser-k{k}``), so
every kind holds 100× as many resources while the ontology is shared. Pages are
requested in-process through Flask's test client on the embedded Oxigraph store,
after one warm-up request (which builds the once-per-app data: labels, plan gaps,
the search index). The table gives the median per page on each graph and their
ratio; a page whose cost is bounded by what it shows, not by the size of the
graph, stays near 1×.

Usage: ``python -m benchmarks.pages [--copies 100] [--repeat 30]``
"""

from __future__ import annotations

import argparse
import statistics
import time

from rdflib import Dataset, Graph

from benchmarks.scale import hamar_ntriples, scaled_lines
from hamar_graph.config import Settings
from hamar_graph.store.oxigraph import OxigraphStore
from web import create_app

#: The pages measured: one of every type.
PAGES: tuple[tuple[str, str], ...] = (
    ("home", "/"),
    ("entity: measure", "/id/tiltak/internasjonal-uke"),
    ("entity: twin city", "/id/vennskapsby/lund"),
    ("entity: section 6", "/id/seksjon/6"),
    ("entity: Turtle", "/id/vennskapsby/lund.ttl"),
    ("index: measures", "/id/tiltak/"),
    ("index: goals, page 2", "/id/handlingsmal/?side=2"),
    ("search", "/sok?q=vennskapsby"),
    ("completeness", "/fullstendighet"),
    ("ontology", "/def/hamar"),
)


def store_for(lines: list[str]) -> OxigraphStore:
    """An embedded Oxigraph store holding the N-Triples ``lines`` in one named graph."""
    graph = Graph().parse(data="\n".join(lines), format="nt")
    dataset = Dataset()
    target = dataset.graph("https://data.hamar.kommune.no/graph/ontology-hamar")
    for triple in graph:
        target.add(triple)
    store = OxigraphStore()
    store.load(dataset)
    return store


def measure(store: OxigraphStore, repeat: int) -> dict[str, float]:
    """Median milliseconds per page over ``repeat`` requests, after a warm-up."""
    app = create_app({}, store=store)
    app.config["TESTING"] = True
    medians: dict[str, float] = {}
    with app.test_client() as client:
        for name, path in PAGES:
            warm = client.get(path)
            assert warm.status_code == 200, (path, warm.status_code)
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.get(path)
                response.get_data()
                times.append((time.perf_counter() - start) * 1000)
            medians[name] = statistics.median(times)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100, help="size of the scaled graph")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page")
    args = parser.parse_args()
    lines = hamar_ntriples(Settings.from_env())
    big_lines = list(scaled_lines(lines, args.copies))
    small, big = store_for(lines), store_for(big_lines)
    print(f"Hamar graph: {len(small)} triples; scaled graph: {len(big)} triples ({args.copies}×)")
    base = measure(small, args.repeat)
    large = measure(big, args.repeat)
    print()
    print(f"| page | Hamar, ms | {args.copies}×, ms | ratio |")
    print("|---|---:|---:|---:|")
    for name, _ in PAGES:
        print(
            f"| {name} | {base[name]:.1f} | {large[name]:.1f} | {large[name] / base[name]:.1f}× |"
        )


if __name__ == "__main__":
    main()
