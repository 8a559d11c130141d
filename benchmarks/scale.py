"""Scaled graphs shaped like ours: N municipalities' strategies.

Copy ``k`` (k ≥ 1) of the Hamar graph gives every instance IRI the suffix ``-k{k}``,
so each copy is a complete strategy of its own, with the same shape, and every
resource keeps its ``{base}id/{kind}/`` path (index pages and search see them all).

Usage: ``python -m benchmarks.scale --copies 500 --out /tmp/scaled.nt``
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from hamar_graph.config import Settings
from hamar_graph.namespaces import ID


def hamar_ntriples(settings: Settings | None = None) -> list[str]:
    """The assembled Hamar graph as sorted N-Triples lines."""
    from hamar_graph.build.assembly import assemble
    from hamar_graph.rdf.serialize import serialize
    from hamar_graph.store.base import union_graph
    from hamar_graph.store.oxigraph import OxigraphStore

    store = OxigraphStore()
    store.load(assemble(settings or Settings.from_env()))
    text = serialize(union_graph(store), "nt").decode("utf-8")
    return [line for line in text.splitlines() if line]


_THING = re.compile("<" + re.escape(str(ID)) + r"([^>/]+)(/[^>]+)?>")


def scaled_lines(lines: list[str], copies: int) -> Iterator[str]:
    """``copies`` copies of the N-Triples ``lines``; copy 0 is the original.

    Copy ``k`` rewrites every thing ``{base}id/{kind}/{slug}`` to ``…/{slug}-k{k}``
    (and ``{base}id/akser`` to ``…/akser-k{k}``), so every kind holds ``copies`` times
    as many resources. Triples without instance IRIs (the ontology, the shapes) are
    shared, not copied.
    """
    yield from lines
    for k in range(1, copies):

        def move(match: re.Match[str], k: int = k) -> str:
            return f"<{ID}{match.group(1)}{match.group(2) or ''}-k{k}>"

        for line in lines:
            if f"<{ID}" in line:
                yield _THING.sub(move, line)


def write_scaled(path: Path, copies: int, settings: Settings | None = None) -> int:
    """Write ``copies`` copies of the Hamar graph to ``path`` as N-Triples; return triples."""
    lines = hamar_ntriples(settings)
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for line in scaled_lines(lines, copies):
            out.write(line)
            out.write("\n")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="number of strategies")
    parser.add_argument("--out", type=Path, required=True, help="N-Triples file to write")
    args = parser.parse_args()
    n = write_scaled(args.out, args.copies)
    print(f"wrote {n} triples ({args.copies} copies) to {args.out}")


if __name__ == "__main__":
    main()
