"""The graphs the benchmark serves: the Hamar graph as ``build`` writes it and scaled copies,
loaded into persistent stores for each server, and checked to give the same rows."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.query_path.client import result_rows
from benchmarks.query_path.processes import bin_path
from benchmarks.query_path.report import log
from benchmarks.query_path.servers import Server
from benchmarks.query_path.workloads import UNIQUE_TEMPLATE


@dataclass
class Graph:
    """A built graph: its N-Triples, our output folder and the Oxigraph server's store."""

    nt: Path
    triples: int
    ours_dir: Path  #: for ``serve``: HAMAR_GRAPH_OUT_DIR (Hamar) or the store (scale)
    oxigraph_dir: Path
    subjects: list[str]
    load_s: dict[str, float] = field(default_factory=dict)


_SUBJECT = re.compile(r"^<([^>]+)> ")


def read_subjects(nt: Path) -> tuple[list[str], int]:
    """Distinct IRI subjects of an N-Triples file, sorted, and its triple count."""
    subjects: set[str] = set()
    count = 0
    with nt.open(encoding="utf-8") as fh:
        for line in fh:
            match = _SUBJECT.match(line)
            if match:
                subjects.add(match.group(1))
            count += line.strip() != ""
    return sorted(subjects), count


def oxigraph_load(nt: Path, location: Path) -> float:
    """``oxigraph load`` then ``oxigraph optimize`` (as our bulk loader does); seconds."""
    started = time.monotonic()
    exe = bin_path("oxigraph")
    subprocess.run(
        [exe, "load", "--location", str(location), "--file", str(nt)],
        check=True,
        capture_output=True,
    )
    subprocess.run([exe, "optimize", "--location", str(location)], check=True, capture_output=True)
    return time.monotonic() - started


def build_hamar(work: Path) -> Graph:
    """``hamar-graph build --out DIR``, and the Oxigraph server's store of its N-Triples."""
    out = work / "dist"
    started = time.monotonic()
    subprocess.run(
        [bin_path("hamar-graph"), "build", "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=900,
    )
    build_s = time.monotonic() - started
    nts = sorted(out.glob("hamar-graph-*.nt"))
    nts = [p for p in nts if re.fullmatch(r"hamar-graph-\d[^-]*\.nt", p.name)]
    if len(nts) != 1 or not (out / "store").is_dir():
        raise RuntimeError(f"expected one hamar-graph-<version>.nt and store/ in {out}")
    subjects, triples = read_subjects(nts[0])
    ox_dir = work / "oxigraph-hamar"
    ox_s = oxigraph_load(nts[0], ox_dir)
    return Graph(nts[0], triples, out, ox_dir, subjects, {"ours": build_s, "oxigraph": ox_s})


#: Our bulk loader, called in a subprocess so that this script imports none of the
#: project's internals (they are moving); if it moved, pyoxigraph's own bulk load with
#: the same calls writes the same kind of store.
_OUR_LOADER = """
import sys
from pathlib import Path
try:
    from hamar_graph.store import bulk_load_file
except ImportError:
    import pyoxigraph as ox
    store = ox.Store(sys.argv[2])
    store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    store.optimize()
    print("pyoxigraph.Store.bulk_load")
else:
    bulk_load_file(Path(sys.argv[1]), Path(sys.argv[2]))
    print("hamar_graph.store.oxigraph.bulk_load_file")
"""


def build_scaled(work: Path, hamar: Graph, copies: int) -> tuple[Graph, str]:
    """``copies`` strategies (benchmarks/scale.py) from the Hamar N-Triples, loaded into a
    persistent store for each server; returns the graph and the name of our loader."""
    from benchmarks.scale import scaled_lines

    nt = work / f"scaled-{copies}.nt"
    lines = [line for line in hamar.nt.read_text(encoding="utf-8").splitlines() if line]
    with nt.open("w", encoding="utf-8") as out:
        for line in scaled_lines(lines, copies):
            out.write(line + "\n")
    subjects, triples = read_subjects(nt)
    ox_dir = work / f"oxigraph-{copies}"
    ox_s = oxigraph_load(nt, ox_dir)
    ours_dir = work / f"ours-store-{copies}"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _OUR_LOADER, str(nt), str(ours_dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    ours_s = time.monotonic() - started
    graph = Graph(nt, triples, ours_dir, ox_dir, subjects, {"ours": ours_s, "oxigraph": ox_s})
    return graph, done.stdout.strip()


def check_same_rows(
    servers: Sequence[Server], queries: Mapping[str, str], strict: bool = True
) -> dict[str, int]:
    """Ask every query of ``queries`` on every server; all must give the same row count.

    :param strict: a server that does not answer 200 stops the run; otherwise (at scale,
        where a query may run into our deadline) it is logged and the query left out of
        the comparison, and its timing shows the failures.
    """
    counts: dict[str, int] = {}
    for name, query in queries.items():
        seen = {}
        for server in servers:
            client = server.client(timeout=120)
            answer = client.sparql(server.query_path, query)
            client.close()
            rows = result_rows(answer)
            if rows is None:
                message = f"{server.name} answered {answer.status} to {name}: {answer.body[:300]!r}"
                if strict:
                    raise RuntimeError(message)
                log(f"  note: {message}")
                continue
            seen[server.name] = rows
        if len(seen) < len(servers):
            continue
        if len(set(seen.values())) != 1:
            raise RuntimeError(f"the servers disagree on {name}: {seen}")
        counts[name] = next(iter(seen.values()))
    return counts


def unique_text(iri: str, n: str) -> str:
    return UNIQUE_TEMPLATE.replace("__IRI__", iri).replace("__N__", n)
