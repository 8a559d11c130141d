"""What SHACL validation costs: the Hamar graph, and 10× and 100× scaled copies.

Copy ``k`` (k ≥ 1) of the data graph has every instance IRI ``{base}id/...`` rewritten
with the suffix ``-c{k}`` (``id/vennskapsby/lund`` → ``id/vennskapsby/lund-c3``), so each
copy is a complete strategy of its own with the same shape and the same gaps: the scaled
graph must give exactly ``copies`` times the results of the original, which the script
checks. The shapes and the ontology are the project's, shared by all copies.

Each size is validated with ``inference="rdfs"`` (the default of
:func:`hamar_graph.build.validate.validate_graph`) and with ``inference="none"``, which gives the
same results because SHACL follows ``rdfs:subClassOf`` in the data graph. The table shows
seconds and the ratio to the 1× run of the same mode (best of ``--repeat`` runs).

Usage::

    python -m benchmarks.validation                    # 1×, 10×, 100×, both modes
    python -m benchmarks.validation --scales 1 10 --modes rdfs --repeat 3
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Sequence

from rdflib import Graph, URIRef

from hamar_graph.build.report import ValidationReport
from hamar_graph.build.sources import load_sources
from hamar_graph.build.validate import load_shapes, split_dataset, validate_graph
from hamar_graph.config import Settings


def scaled(data: Graph, copies: int, base_iri: str) -> Graph:
    """``copies`` copies of ``data``: copy 0 as it is, copy k with ``-c{k}`` after every
    instance IRI (``{base}id/...``)."""
    prefix = base_iri + "id/"
    out = Graph()
    out += data
    for k in range(1, copies):
        suffix = f"-c{k}"

        def move(node: object, suffix: str = suffix) -> object:
            if isinstance(node, URIRef) and node.startswith(prefix):
                return URIRef(str(node) + suffix)
            return node

        for s, p, o in data:
            out.add((move(s), p, move(o)))  # type: ignore[arg-type]
    return out


def counts(report: ValidationReport) -> tuple[int, int, int]:
    return len(report.violations), len(report.warnings), len(report.infos)


def run(scales: Sequence[int], modes: Sequence[str], repeat: int) -> list[dict[str, object]]:
    """Validate each scale in each mode; return one row per (mode, scale)."""
    settings = Settings()
    data, ontology = split_dataset(load_sources(settings))
    shapes = load_shapes(settings)
    rows: list[dict[str, object]] = []
    for mode in modes:
        base_seconds: float | None = None
        base_counts: tuple[int, int, int] | None = None
        for copies in scales:
            graph = scaled(data, copies, settings.base_iri)
            best = float("inf")
            report: ValidationReport | None = None
            for _ in range(repeat if copies == min(scales) else 1):
                start = time.perf_counter()
                report = validate_graph(graph, shapes, ontology, inference=mode)
                best = min(best, time.perf_counter() - start)
            assert report is not None
            found = counts(report)
            if base_seconds is None:
                base_seconds, base_counts = best, tuple(c // copies for c in found)  # type: ignore[assignment]
            expected = tuple(c * copies for c in base_counts)  # type: ignore[union-attr]
            rows.append(
                {
                    "mode": mode,
                    "copies": copies,
                    "triples": len(graph),
                    "seconds": best,
                    "ratio": best / base_seconds,
                    "results": found,
                    "as_expected": found == expected,
                }
            )
            print(_row(rows[-1]), flush=True)
    return rows


HEADER = (
    f"| {'inference':<9} | {'copies':>6} | {'triples':>8} | {'seconds':>8} | "
    f"{'× 1× run':>8} | {'violations/warnings/infos':>25} |"
)


def _row(row: dict[str, object]) -> str:
    v, w, i = row["results"]  # type: ignore[misc]
    check = "" if row["as_expected"] else "  (NOT copies × 1×)"
    return (
        f"| {row['mode']:<9} | {row['copies']:>6} | {row['triples']:>8} | "
        f"{row['seconds']:>8.2f} | {row['ratio']:>8.1f} | {f'{v}/{w}/{i}':>25} |{check}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--modes", nargs="+", choices=["rdfs", "none"], default=["rdfs", "none"])
    parser.add_argument("--repeat", type=int, default=3, help="runs of the smallest scale")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print(HEADER)
    print("|" + "|".join("-" * (len(c)) for c in HEADER.split("|")[1:-1]) + "|")
    rows = run(sorted(args.scales), args.modes, args.repeat)
    return 0 if all(r["as_expected"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
