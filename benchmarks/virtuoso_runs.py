"""The engines started, loaded and measured for :mod:`benchmarks.virtuoso_compare`.

Builds the N-Quads file when none is given, counts the triples per named graph in the
file and in each engine, and times each step of setting the engines up: the Virtuoso
install check, start, bulk load, stop and restart, Oxigraph's load and start, and each
server's resident memory. Two more Virtuoso servers run on their own database: one with
low limits (``ResultSetMaxRows``, ``MaxQueryExecutionTime``, the ``timeout`` parameter)
and one that records what SPARQL Update and the Graph Store Protocol answer before and
after ``GRANT SPARQL_UPDATE``, then loads the whole dataset through
:class:`~hamar_graph.store.remote.RemoteStore`.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from benchmarks.virtuoso_answers import (
    ACCEPT_GRAPH,
    ACCEPT_TABULAR,
    Answer,
    http,
    sparql,
)
from benchmarks.virtuoso_tables import Report, timed
from hamar_graph.store.base import StoreError
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_load import load_dataset
from tests.support.oxigraph_server import OxigraphServer, oxigraph_binary
from tests.support.virtuoso_server import VirtuosoServer

# --- set-up --------------------------------------------------------------------------


def build_nquads(folder: Path) -> Path:
    """Assemble the graph from the sources and write it as N-Quads (no network)."""
    from hamar_graph.build import assemble
    from hamar_graph.config import PROJECT_ROOT, Settings
    from hamar_graph.rdf.serialize import serialize_nquads

    settings = Settings(source_dir=PROJECT_ROOT, out_dir=folder, store_path=folder / "none")
    path = folder / "hamar-graph.nq"
    path.write_bytes(serialize_nquads(assemble(settings)))
    return path


def graph_counts(path: Path) -> dict[str, int]:
    """Distinct triples per named graph in an N-Quads file."""
    import pyoxigraph as ox

    triples: dict[str, set[tuple[str, str, str]]] = {}
    for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        triples.setdefault(name, set()).add(
            (str(quad.subject), str(quad.predicate), str(quad.object))
        )
    return {name: len(found) for name, found in triples.items() if name}


def engine_counts(url: str) -> dict[str, int]:
    answer = sparql(
        url,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        ACCEPT_TABULAR,
    )
    doc = json.loads(answer.body)
    return {b["g"]["value"]: int(b["n"]["value"]) for b in doc["results"]["bindings"]}


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# --- sections ------------------------------------------------------------------------


def section_counts(report: Report, nquads: Path, ox_url: str, vt_url: str) -> set[str]:
    report.h("Triples per named graph")
    expected = graph_counts(nquads)
    ox, vt = engine_counts(ox_url), engine_counts(vt_url)
    names = sorted(set(expected) | set(ox) | set(vt))
    report.table(
        ["graph", "N-Quads file", "oxigraph", "virtuoso"],
        [[g, expected.get(g, "–"), ox.get(g, "–"), vt.get(g, "–")] for g in names],
    )
    report.data["counts"] = {"file": expected, "oxigraph": ox, "virtuoso": vt}
    return set(expected)


def section_limits(report: Report, nquads: Path, folder: Path) -> None:
    report.h("Limits: ResultSetMaxRows, MaxQueryExecutionTime, the timeout parameter")
    server = VirtuosoServer(folder / "limits", max_rows=100, max_seconds=2)
    try:
        server.start()
        server.load_nquads(nquads)
        url = server.query_url
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
        cases = [
            (
                "SELECT of every triple, ResultSetMaxRows=100",
                "SELECT * WHERE { ?s ?p ?o }",
                ACCEPT_TABULAR,
                [],
            ),
            (
                "CONSTRUCT of every triple, ResultSetMaxRows=100",
                "CONSTRUCT WHERE { ?s ?p ?o }",
                ACCEPT_GRAPH,
                [],
            ),
            ("slow query, MaxQueryExecutionTime=2", heavy, ACCEPT_TABULAR, []),
            ("slow query, timeout=500 (ms)", heavy, ACCEPT_TABULAR, [("timeout", "500")]),
            (
                "slow query, timeout=10000 > MaxQueryExecutionTime",
                heavy,
                ACCEPT_TABULAR,
                [("timeout", "10000")],
            ),
            (
                "cross product of 3 patterns (cost estimate)",
                "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                ACCEPT_TABULAR,
                [],
            ),
        ]
        rows = []
        for label, query, accept, params in cases:
            a = sparql(url, query, accept, params)
            if a.media_type == ACCEPT_TABULAR and a.status == 200:
                bindings = json.loads(a.body)["results"]["bindings"]
                size = f"{len(bindings)} rows" + (
                    f", n={bindings[0]['n']['value']}" if bindings and "n" in bindings[0] else ""
                )
            elif a.status == 200:
                size = f"{len([ln for ln in a.text.splitlines() if ln.strip()])} triples"
            else:
                size = a.first_line(120)
            x_headers = {k: v[:70] for k, v in a.headers.items() if k.lower().startswith("x-")}
            rows.append(
                [
                    label,
                    f"{a.status} {a.media_type}",
                    f"{a.seconds:.2f}",
                    size,
                    json.dumps(x_headers),
                ]
            )
        report.table(["case", "answer", "seconds", "content", "X- headers"], rows)
    finally:
        server.stop()


def section_update(report: Report, nquads: Path, folder: Path, dataset_graphs: set[str]) -> None:
    report.h("SPARQL Update and the Graph Store Protocol")
    server = VirtuosoServer(folder / "update")
    rows = []
    try:
        server.start()
        url, gsp = server.query_url, server.graph_store_url
        nt = b'<urn:x:a> <urn:x:b> "c" .\n_:n1 <urn:x:b> "blank" .\n'

        def record(label: str, a: Answer) -> None:
            rows.append([label, f"{a.status} {a.media_type}", f"`{a.first_line(140)}`"])

        update = 'INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> "c" } }'
        record("update= before the grant", http(url, params=[("update", update)]))
        record(
            "PUT /sparql-graph-crud before the grant",
            http(
                gsp,
                method="PUT",
                params=[("graph", "urn:x:g1")],
                body=nt,
                content_type="application/n-triples",
            ),
        )
        server.allow_sparql_update()
        record(
            "update= after GRANT SPARQL_UPDATE",
            http(url, params=[("update", update)], accept=ACCEPT_TABULAR),
        )
        record(
            "query=INSERT DATA after the grant",
            http(url, params=[("query", update.replace('"c"', '"d"'))], accept=ACCEPT_TABULAR),
        )
        record(
            "POST application/sparql-update",
            http(
                url,
                method="POST",
                body=update.replace('"c"', '"e"').encode(),
                content_type="application/sparql-update",
            ),
        )
        record(
            "PUT ?graph= (GSP)",
            http(
                gsp,
                method="PUT",
                params=[("graph", "urn:x:g1")],
                body=nt,
                content_type="application/n-triples",
            ),
        )
        record(
            "PUT ?graph-uri= (Virtuoso's name)",
            http(
                gsp,
                method="PUT",
                params=[("graph-uri", "urn:x:g2")],
                body=nt,
                content_type="application/n-triples",
            ),
        )
        record(
            "GET ?graph=",
            http(gsp, method="GET", params=[("graph", "urn:x:g1")], accept="application/n-triples"),
        )
        record(
            "MOVE SILENT GRAPH",
            http(url, params=[("update", "MOVE SILENT GRAPH <urn:x:g1> TO GRAPH <urn:x:g3>")]),
        )
        record(
            "SELECT a blank node",
            sparql(url, 'SELECT ?s WHERE { GRAPH <urn:x:g3> { ?s ?p "blank" } }', ACCEPT_TABULAR),
        )
        record(
            "CONSTRUCT a blank node",
            sparql(url, 'CONSTRUCT WHERE { GRAPH <urn:x:g3> { ?s ?p "blank" } }', ACCEPT_GRAPH),
        )
        record(
            "/update (Oxigraph's path)", http(server.base + "/update", params=[("update", update)])
        )
        record(
            "/store (Oxigraph's path)",
            http(server.base + "/store", method="GET", params=[("graph", "urn:x:g1")]),
        )
        report.table(["request", "answer", "body"], rows)

        # A whole load through RemoteStore (GSP PUT of temporary graphs, then one MOVE update).
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(data=nquads.read_bytes(), format="nquads")
        store = RemoteStore(url, update_endpoint=url, store_endpoint=gsp, timeout=60)
        try:
            _, seconds = timed(lambda: load_dataset(store, dataset))
        except StoreError as exc:
            # Virtuoso parses every geo:wktLiteral, and refuses ours (with its CRS IRI);
            # `hamar-graph load` uses its bulk loader with a stand-in datatype instead.
            report.p("")
            report.p(
                "`load_dataset` through the Graph Store Protocol failed: "
                f"`{_engine_message(exc)}` (docs/virtuoso.md, geo:wktLiteral: "
                "`hamar-graph load` uses the bulk loader for Virtuoso)"
            )
            report.data["gsp_load_error"] = str(exc)[:2000]
            return
        counts = engine_counts(url)
        ours = {g: n for g, n in counts.items() if g in dataset_graphs}
        leftovers = [g for g in counts if "-loading-" in g]
        report.p("")
        report.p(
            f"`load_dataset(RemoteStore(/sparql, update_endpoint=/sparql, store_endpoint="
            f"/sparql-graph-crud))`: {seconds:.2f} s for {sum(ours.values())} triples in "
            f"{len(ours)} graphs; temporary graphs left: {len(leftovers)}"
        )
        report.data["gsp_load_seconds"] = seconds
    finally:
        server.stop()


def _engine_message(exc: Exception) -> str:
    """The engine's own words in a failed load's message (Virtuoso puts them in ``xmp``)."""
    found = re.search(r"<xmp>(.*?)</xmp>", str(exc), re.DOTALL)
    return (found.group(1) if found else str(exc)).strip()[:300]


def section_timings(
    report: Report, nquads: Path, folder: Path, graphs: set[str]
) -> tuple[OxigraphServer, VirtuosoServer, dict[str, float]]:
    times: dict[str, float] = {}
    _, times["virtuoso install check (scripts/install-virtuoso.sh, already installed)"] = timed(
        lambda: subprocess.run(
            ["bash", str(Path(__file__).parents[1] / "scripts" / "install-virtuoso.sh")],
            check=True,
            capture_output=True,
        )
    )
    vt = VirtuosoServer(folder / "virtuoso")
    vt.start()
    times["virtuoso start, new database"] = vt.startup_seconds or 0.0
    times["virtuoso bulk load (ld_dir + rdf_loader_run + checkpoint)"] = vt.load_nquads(nquads)
    _, times["virtuoso stop (SIGTERM)"] = timed(vt.stop)
    vt.start()
    times["virtuoso start, existing database"] = vt.startup_seconds or 0.0
    times["virtuoso RSS after load, MiB"] = rss_mib(vt.process.pid if vt.process else 0)

    ox_dir = folder / "oxigraph"
    _, times["oxigraph load (oxigraph load --file)"] = timed(
        lambda: subprocess.run(
            [oxigraph_binary(), "load", "--location", str(ox_dir), "--file", str(nquads)],
            check=True,
            capture_output=True,
        )
    )
    ox = OxigraphServer(ox_dir)
    _, times["oxigraph start"] = timed(ox.start)
    times["oxigraph RSS, MiB"] = rss_mib(ox.process.pid if ox.process else 0)
    return ox, vt, times
