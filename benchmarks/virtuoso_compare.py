"""Virtuoso against the Oxigraph server, on our data and our queries, measured.

Starts both engines on loopback ports with the same N-Quads (one named graph per source
file), then records, for docs/virtuoso.md:

1. **timings**: Virtuoso install check, start, bulk load (``ld_dir`` + ``rdf_loader_run``),
   restart; Oxigraph load and start; a load through the Graph Store Protocol;
2. **examples**: every ``hamar_graph/queries/examples/*.rq`` on both engines, the answers
   compared as multisets of rows (or sets of triples, or the boolean) of rdflib terms, at
   three levels: *raw* (lexical forms as sent), *rdflib* (rdflib's literal normalisation)
   and *client* (rdflib plus the normalisation docs/virtuoso.md recommends for the remote
   store). Each example runs on Virtuoso as installed ("virtuoso") and after restricting
   the anonymous SPARQL user to our graphs ("virtuoso+acl", the recommended setting);
3. **app queries**: the named queries of :mod:`hamar_graph.query.named` with the bindings the
   pages use, sent as :class:`hamar_graph.store.remote.RemoteStore` sends them (a trailing
   ``VALUES`` clause), and again with the ``VALUES`` block inside the WHERE group;
4. **protocol**: the media type each engine answers for each form and each ``Accept``
   header the app's clients send; malformed queries; dataset parameters and
   ``FROM``/``FROM NAMED``; literal forms; blank nodes; limits (``ResultSetMaxRows``,
   ``MaxQueryExecutionTime``, the ``timeout`` parameter); SPARQL Update and the Graph
   Store Protocol, before and after ``GRANT SPARQL_UPDATE``.

This module runs the sections in order; they live in :mod:`benchmarks.virtuoso_runs`
(set-up, timings, counts, limits, update), :mod:`benchmarks.virtuoso_queries` (examples,
app queries, RemoteStore), :mod:`benchmarks.virtuoso_features` (literals, SPARQL 1.1
features) and :mod:`benchmarks.virtuoso_protocol` (media types, malformed queries,
datasets), on :mod:`benchmarks.virtuoso_answers` (HTTP, comparing answers) and
:mod:`benchmarks.virtuoso_tables` (the report).

Usage::

    python -m benchmarks.virtuoso_compare                 # builds the graph itself
    python -m benchmarks.virtuoso_compare --nquads dist/hamar-graph-0.1.0.nq --json out.json

Only 127.0.0.1 is contacted; every server it starts is stopped before it exits.
Install Virtuoso first: ``bash scripts/install-virtuoso.sh``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from benchmarks.virtuoso_answers import (
    ACCEPT_EITHER,
    ACCEPT_GRAPH,
    ACCEPT_TABULAR,
    ACCEPT_WRAPPER_JSON,
    ACCEPT_WRAPPER_N3,
    BASE,
    GRAPH_PREFIX,
    HMS,
    ID,
    SKOS,
    Answer,
    Comparison,
    client_normalise,
    compare,
    concat_parts,
    graph_from,
    http,
    query_form,
    row_key,
    rows_from_json,
    sparql,
    term_from_json,
    triple_key,
)
from benchmarks.virtuoso_features import PROLOGUE, pq, section_features, section_literals
from benchmarks.virtuoso_protocol import section_datasets, section_protocol
from benchmarks.virtuoso_queries import (
    EXAMPLES,
    app_query_cases,
    bind_first,
    boolean_rewrite,
    inner_values,
    key_figures_rewrite,
    section_app_queries,
    section_examples,
    section_remote_store,
)
from benchmarks.virtuoso_runs import (
    build_nquads,
    engine_counts,
    graph_counts,
    rss_mib,
    section_counts,
    section_limits,
    section_timings,
    section_update,
)
from benchmarks.virtuoso_tables import Report, timed
from tests.support.virtuoso_server import virtuoso_missing

__all__ = [
    "ACCEPT_EITHER",
    "ACCEPT_GRAPH",
    "ACCEPT_TABULAR",
    "ACCEPT_WRAPPER_JSON",
    "ACCEPT_WRAPPER_N3",
    "BASE",
    "EXAMPLES",
    "GRAPH_PREFIX",
    "HMS",
    "ID",
    "PROLOGUE",
    "SKOS",
    "Answer",
    "Comparison",
    "Report",
    "app_query_cases",
    "bind_first",
    "boolean_rewrite",
    "build_nquads",
    "client_normalise",
    "compare",
    "concat_parts",
    "engine_counts",
    "graph_counts",
    "graph_from",
    "http",
    "inner_values",
    "key_figures_rewrite",
    "main",
    "pq",
    "query_form",
    "row_key",
    "rows_from_json",
    "rss_mib",
    "section_app_queries",
    "section_counts",
    "section_datasets",
    "section_examples",
    "section_features",
    "section_limits",
    "section_literals",
    "section_protocol",
    "section_remote_store",
    "section_timings",
    "section_update",
    "sparql",
    "term_from_json",
    "timed",
    "triple_key",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nquads", type=Path, help="the N-Quads file (default: build it)")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--markdown", type=Path, help="write the report here too")
    parser.add_argument("--quick", action="store_true", help="skip the limits and update sections")
    args = parser.parse_args(argv)

    problem = virtuoso_missing()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    report = Report()
    with tempfile.TemporaryDirectory(prefix="virtuoso-compare-") as tmp:
        folder = Path(tmp)
        nquads = args.nquads or build_nquads(folder)
        graphs = set(graph_counts(nquads))
        ox, vt = None, None
        try:
            ox, vt, times = section_timings(report, nquads, folder, graphs)
            report.h("Timings on this machine")
            report.table(["step", "seconds"], [[k, f"{v:.2f}"] for k, v in times.items()])
            report.data["timings"] = times
            section_counts(report, nquads, ox.query_url, vt.query_url)

            # As installed: every graph readable by the anonymous SPARQL user.
            engines = {"oxigraph": ox.query_url, "virtuoso": vt.query_url}
            report.h("As installed")
            section_datasets(report, ox.query_url, vt.query_url)
            section_examples(report, engines, "oxigraph")

            # The recommended setting: the anonymous user reads our graphs only.
            vt.publish_only(graphs)
            report.h("After restricting the SPARQL user to our graphs (publish_only)")
            section_datasets(report, ox.query_url, vt.query_url)
            section_examples(
                report, {"oxigraph": ox.query_url, "virtuoso+acl": vt.query_url}, "oxigraph"
            )
            section_app_queries(report, ox.query_url, vt.query_url)
            section_remote_store(report, vt.query_url, graphs)
            section_features(report, ox.query_url, vt.query_url)
            section_literals(report, ox.query_url, vt.query_url)
            section_protocol(report, ox.query_url, vt.query_url)
        finally:
            if vt is not None:
                vt.stop()
            if ox is not None:
                ox.stop()
        if not args.quick:
            section_limits(report, nquads, folder)
            section_update(report, nquads, folder, graphs)
    if args.json:
        args.json.write_text(json.dumps(report.data, indent=2, default=str), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text("\n".join(report.lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
