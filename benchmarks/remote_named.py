"""The app's named queries on remote engines at national scale, timed with the pages' bindings.

Issue 15, item 4: every query the app sends a remote engine must be correct on the Oxigraph
server and on Virtuoso, and use its bindings first, so that none runs past the deadline at
356 strategies (about 1.25M triples). This script measures exactly that:

1. writes ``--copies`` copies of the assembled graph as N-Quads (``benchmarks.scale``'s
   copies, the named graphs kept; the ontology and shapes once);
2. loads them into an Oxigraph server (``oxigraph load``, then ``serve-read-only
   --union-default-graph``) and into Virtuoso (``hamar_graph.store.remote_virtuoso``,
   the bulk loader ``hamar-graph load`` uses), each with the data version of the quads;
3. loads the same file into an embedded Oxigraph store: the reference answers;
4. runs every named query of :mod:`hamar_graph.query.named` with the bindings the pages
   send (Hamar's strategy, Lund, a measure, the ontology graph), and the store's own
   queries (data version, graph list), through :class:`~hamar_graph.store.remote.
   RemoteStore` with the app's deadline (10 s), sequentially: one warm-up, then
   ``--repeat`` runs; median and slowest, rows, and whether the answer equals the embedded
   store's (multisets of rows of rdflib terms, or isomorphic graphs);
5. prints a Markdown table per placement and engine, and the machine's load average.

``--placement values`` sends the bindings as main sent them (a trailing ``VALUES``
clause, :func:`~hamar_graph.store.remote.with_values`), ``--placement bind`` as this
branch does (``BIND`` first in the WHERE group). ``--named FILE`` takes the query
constants from another ``named.py`` (``git show main:hamar_graph/query/named.py``), so the
"before" column runs main's queries with main's placement::

    git show main:hamar_graph/query/named.py > /tmp/named_main.py
    python -m benchmarks.remote_named --copies 356 --workdir /tmp/scale356 \\
        --placement values --named /tmp/named_main.py --json before.json
    python -m benchmarks.remote_named --copies 356 --workdir /tmp/scale356 \\
        --placement bind --json after.json

``--workdir`` keeps the N-Quads and both databases between runs (the second run starts the
servers on them, no reload). Only 127.0.0.1 is contacted; every server it starts is stopped
before it exits. Virtuoso: ``bash scripts/install-virtuoso.sh``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

import hamar_graph.store.remote as remote_module
from hamar_graph.config import Settings
from hamar_graph.query import named as package_named
from hamar_graph.store.base import StoreError, counts_fingerprint
from hamar_graph.store.oxigraph import OxigraphStore
from hamar_graph.store.remote import RemoteStore, with_bindings, with_values
from hamar_graph.store.remote_load import quads_digest, version_quads
from tests.support.oxigraph_server import OxigraphServer, oxigraph_binary
from tests.support.virtuoso_server import VirtuosoServer, virtuoso_missing

BASE = "https://data.hamar.kommune.no/"
ID = BASE + "id/"
DEADLINE = 10.0

#: (query, bindings) as the pages send them; ``None``: no bindings (site-wide queries).
CASES: list[tuple[str, dict[str, URIRef] | None]] = [
    ("OUTGOING", {"s": URIRef(ID + "vennskapsby/lund")}),
    ("INCOMING", {"s": URIRef(ID + "vennskapsby/lund")}),
    ("BREADCRUMBS", {"s": URIRef(ID + "tiltak/internasjonal-uke")}),
    ("DESCRIBE", {"s": URIRef(ID + "vennskapsby/lund")}),
    ("EXISTS", {"s": URIRef(ID + "vennskapsby/lund")}),
    ("GRAPH_TRIPLES", {"g": URIRef(BASE + "graph/ontology-hamar")}),
    ("HOME_AXES", {"doc": URIRef(ID + "dokument/internasjonal-strategi")}),
    ("TREE", {"doc": URIRef(ID + "dokument/internasjonal-strategi")}),
    ("KEY_FIGURES", {"doc": URIRef(ID + "dokument/internasjonal-strategi")}),
    (
        "MAP_PLACES",
        {"doc": URIRef(ID + "dokument/internasjonal-strategi"), "home": URIRef(ID + "sted/hamar")},
    ),
    ("RESPONSIBILITY", {"doc": URIRef(ID + "dokument/internasjonal-strategi")}),
    ("STRATEGY", None),
    ("VOCABULARY", None),
    ("RESOURCE_TEXTS", None),
    ("RESOURCE_TYPES", None),
]

#: What each query is for (the table's second column).
USED_BY = {
    "OUTGOING": "entity page",
    "INCOMING": "entity page",
    "BREADCRUMBS": "entity page",
    "DESCRIBE": "entity RDF",
    "EXISTS": "entity RDF",
    "GRAPH_TRIPLES": "ontology RDF",
    "HOME_AXES": "home",
    "TREE": "home",
    "KEY_FIGURES": "home",
    "MAP_PLACES": "home",
    "RESPONSIBILITY": "home",
    "STRATEGY": "home (all strategies)",
    "VOCABULARY": "once per app",
    "RESOURCE_TEXTS": "once per app",
    "RESOURCE_TYPES": "once per app",
    "fingerprint": "data version, once per app",
    "counts": "main's data version",
    "graph_names": "store",
}


# --- data ------------------------------------------------------------------------------------


def write_scaled_nquads(path: Path, copies: int) -> int:
    """``copies`` copies of the assembled graph as N-Quads, with the data version; returns
    the number of data quads."""
    from benchmarks.scale import scaled_lines
    from hamar_graph.build.assembly import assemble

    store = OxigraphStore()
    store.load(assemble(Settings.from_env()))
    dump = (store.native.dump(format=ox.RdfFormat.N_QUADS) or b"").decode("utf-8")
    lines = sorted(line for line in dump.splitlines() if line)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        count = 0
        for line in scaled_lines(lines, copies):
            out.write(line + "\n")
            count += 1
    return count


def add_version(path: Path) -> tuple[Path, str]:
    """A copy of ``path`` with the data-version graph (as ``hamar-graph load`` writes it)."""
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    digest = quads_digest(quads)
    versioned = path.with_name(path.stem + "-versioned.nq")
    ox.serialize(
        [*quads, *version_quads(digest)], output=str(versioned), format=ox.RdfFormat.N_QUADS
    )
    return versioned, digest


# --- running ---------------------------------------------------------------------------------


@dataclass
class Timing:
    """One query on one engine with one placement."""

    query: str
    used_by: str
    engine: str
    placement: str
    seconds: list[float] = field(default_factory=list)
    rows: int | None = None
    equal: bool | None = None
    error: str = ""

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.seconds) * 1000 if self.seconds else None

    @property
    def max_ms(self) -> float | None:
        return max(self.seconds) * 1000 if self.seconds else None


def load_named(path: Path | None) -> ModuleType:
    if path is None:
        return package_named
    spec = importlib.util.spec_from_file_location("named_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def placement(name: str) -> Iterator[None]:
    """RemoteStore sends its bindings with ``name``'s placement for the block's duration."""
    chosen = with_values if name == "values" else with_bindings
    saved = remote_module.with_bindings
    remote_module.with_bindings = chosen  # type: ignore[assignment]
    try:
        yield
    finally:
        remote_module.with_bindings = saved  # type: ignore[assignment]


def answer(store: Any, name: str, text: str, bindings: dict[str, URIRef] | None) -> Any:
    if name in ("DESCRIBE", "GRAPH_TRIPLES"):
        return store.construct(text, bindings)
    if name == "EXISTS":
        return store.ask(text, bindings)
    return Counter(frozenset(row.items()) for row in store.select(text, bindings))


def same(a: Any, b: Any) -> bool:
    if isinstance(a, Graph) and isinstance(b, Graph):
        return isomorphic(a, b)
    return bool(a == b)


def size(result: Any) -> int:
    if isinstance(result, bool):
        return int(result)
    if isinstance(result, Counter):
        return sum(result.values())
    return len(result)


def time_one(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any, str]:
    """Warm-up, then ``repeat`` timed runs; stops at the first error."""
    seconds: list[float] = []
    result: Any = None
    for i in range(repeat + 1):
        began = time.perf_counter()
        try:
            result = fn()
        except (StoreError, SyntaxError, ValueError) as exc:
            cause = exc.__cause__
            timed_out = isinstance(cause, TimeoutError) or isinstance(
                getattr(cause, "reason", None), TimeoutError
            )
            elapsed = time.perf_counter() - began
            return (
                seconds,
                None,
                ("past the deadline" if timed_out else str(exc)[:160]) + (f" ({elapsed:.1f} s)"),
            )
        if i > 0:
            seconds.append(time.perf_counter() - began)
    return seconds, result, ""


def run_engine(
    engine: str,
    url: str,
    named: ModuleType,
    reference: dict[str, Any],
    place: str,
    repeat: int,
    progress: Callable[[str], None],
) -> list[Timing]:
    store = RemoteStore(url, timeout=DEADLINE)
    timings: list[Timing] = []
    with placement(place):
        for name, bindings in CASES:
            text = getattr(named, name)
            seconds, result, error = time_one(
                lambda n=name, q=text, b=bindings: answer(store, n, q, b),  # type: ignore[misc]
                repeat,
            )
            t = Timing(name, USED_BY[name], engine, place, seconds, error=error)
            if result is not None:
                t.rows = size(result)
                t.equal = same(result, reference[name]) if name in reference else None
            progress(
                f"  {engine:9} {place:6} {name:15} "
                + (error or f"{t.median_ms:8.1f} ms  rows {t.rows}  equal {t.equal}")
            )
            timings.append(t)
        for name, fn in (
            ("fingerprint", store.fingerprint),
            ("counts", lambda: counts_fingerprint(store)),
            ("graph_names", store.graph_names),
        ):
            seconds, result, error = time_one(fn, repeat)
            t = Timing(name, USED_BY[name], engine, place, seconds, error=error)
            if result is not None and name == "graph_names":
                t.rows = len(result)
            progress(f"  {engine:9} {place:6} {name:15} " + (error or f"{t.median_ms:8.1f} ms"))
            timings.append(t)
    return timings


def reference_answers(path: Path, named: ModuleType) -> dict[str, Any]:
    """The embedded store's answers (bindings substituted by the engine) on the same file."""
    store = OxigraphStore()
    store.native.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return {name: answer(store, name, getattr(named, name), b) for name, b in CASES}


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def table(timings: list[Timing]) -> str:
    engines = sorted({t.engine for t in timings})
    places = sorted({t.placement for t in timings}, reverse=True)
    columns = [(e, p) for e in engines for p in places]
    head = "| query | used by | " + " | ".join(f"{e}, {p}: median / max ms" for e, p in columns)
    lines = [head + " |", "|---|---|" + "---:|" * len(columns)]
    by_key = {(t.query, t.engine, t.placement): t for t in timings}
    for name in [c[0] for c in CASES] + ["fingerprint", "counts", "graph_names"]:
        cells = []
        for e, p in columns:
            t = by_key.get((name, e, p))
            if t is None:
                cells.append("–")
            elif t.error:
                cells.append(f"**{t.error}**")
            else:
                mark = "" if t.equal in (True, None) else " **≠ embedded**"
                cells.append(f"{t.median_ms:,.0f} / {t.max_ms:,.0f}{mark}")
        lines.append(f"| {name} | {USED_BY[name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=356)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--placement", choices=("values", "bind"), action="append")
    parser.add_argument("--named", type=Path, help="a named.py to take the queries from")
    parser.add_argument("--engines", default="oxigraph,virtuoso")
    parser.add_argument("--workdir", type=Path, help="keep data and databases here")
    parser.add_argument("--json", type=Path, help="write the timings here")
    parser.add_argument("--buffers", type=int, default=60000, help="Virtuoso NumberOfBuffers")
    args = parser.parse_args(argv)
    places = args.placement or ["bind"]
    engines = args.engines.split(",")
    if "virtuoso" in engines and virtuoso_missing():
        parser.error(virtuoso_missing() or "")
    named = load_named(args.named)
    progress = print
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="remote-named-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"scaled-{args.copies}.nq"
    report: dict[str, Any] = {"copies": args.copies, "load_before": load_average(), "steps": {}}
    if not data.exists():
        began = time.monotonic()
        n = write_scaled_nquads(data, args.copies)
        report["steps"]["write N-Quads"] = time.monotonic() - began
        progress(f"wrote {n} quads to {data}")
    quads = sum(1 for _ in data.open(encoding="utf-8"))
    report["quads"] = quads
    progress(f"{quads:,} quads, {args.copies} copies; load average {report['load_before']}")
    began = time.monotonic()
    reference = reference_answers(data, named)
    report["steps"]["embedded reference"] = time.monotonic() - began
    timings: list[Timing] = []
    servers: list[Any] = []
    try:
        if "oxigraph" in engines:
            location = workdir / "oxigraph"
            if not location.exists():
                versioned, _ = add_version(data)
                began = time.monotonic()
                subprocess.run(
                    [
                        oxigraph_binary(),
                        "load",
                        "--location",
                        str(location),
                        "--file",
                        str(versioned),
                    ],
                    check=True,
                    capture_output=True,
                )
                report["steps"]["oxigraph load"] = time.monotonic() - began
                versioned.unlink()
            server = OxigraphServer(location)
            server.start(timeout=120)
            servers.append(server)
            for place in places:
                timings += run_engine(
                    "oxigraph", server.query_url, named, reference, place, args.repeat, progress
                )
        if "virtuoso" in engines:
            location = workdir / "virtuoso"
            fresh = not (location / "virtuoso.db").exists()
            vserver = VirtuosoServer(
                location,
                buffers=args.buffers,
                max_rows=2_000_000,
                max_seconds=int(DEADLINE) * 3,
                after_image=1_000_000_000,
            )
            began = time.monotonic()
            vserver.start(timeout=300)
            report["steps"]["virtuoso start"] = time.monotonic() - began
            servers.append(vserver)
            if fresh:
                began = time.monotonic()
                vserver.loader().load_file(data, progress=progress)
                report["steps"]["virtuoso load (bulk loader, switch, checkpoint)"] = (
                    time.monotonic() - began
                )
            for place in places:
                timings += run_engine(
                    "virtuoso", vserver.query_url, named, reference, place, args.repeat, progress
                )
    finally:
        for server in servers:
            server.stop()
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    report["load_after"] = load_average()
    print()
    print(
        f"{args.copies} copies, {quads:,} quads; load average before "
        f"{report['load_before']}, after {report['load_after']}"
    )
    for step, seconds in report["steps"].items():
        print(f"- {step}: {seconds:.1f} s")
    print()
    print(table(timings))
    if args.json:
        report["timings"] = [asdict(t) for t in timings]
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
