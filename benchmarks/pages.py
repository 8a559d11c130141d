"""Pages at national scale: every kind of page, search and the completeness report on the
Hamar graph and on N strategies (356 municipalities by default), embedded and remote.

Copy ``k`` of the Hamar graph rewrites every thing ``{base}id/{kind}/{slug}`` to
``…/{slug}-k{k}`` (:mod:`benchmarks.scale`; the ontology and shapes are shared), so each
copy is a complete strategy with its own axes, goals, measures, actors and twin cities, in
the same named graphs. For each size the benchmark prepares an output folder as ``build``
leaves it for ``serve``: the persistent Oxigraph store (bulk-loaded N-Quads), the pages'
database (``pages.sqlite``, made by :func:`hamar_graph.build.pages_db.pages_db_bytes` from
that store), ``plan.json`` (the Hamar plan's gaps, copied per strategy: every copy has the
same gaps, as ``benchmarks.validation`` shows) and the manifest ``publication.json`` that
lists them (without the dumps, which are not measured here).

Then, per engine (``embedded``: the persistent store opened read-only; ``remote``: an
Oxigraph server started on a loopback port over a copy loaded with ``oxigraph load``;
``virtuoso``, on request: Virtuoso over a copy loaded with its bulk loader):

- **first request after start**: a new app (``web.create_app``, store opened, nothing
  made yet) and its first request, for every page; the worst is reported;
- **latency**: one app per size in one process (both engines' servers running), one
  warm-up request per page and size, then ``--repeat`` rounds in which each size's app
  answers the page once, the sizes taking turns (the first alternating from round to
  round), through Flask's test client (in-process: the HTTP server is not measured);
  median and p95 per size. The page cache and the answer cache are off
  (``answer_cache_mb`` 0), so every request makes its page.

Ratios are taken against the Hamar graph on the same engine, in the same run; because the
two sizes take turns request by request, a change in the load of the shared machine
weighs on both sides of a ratio alike (measured one size after the other, as up to
2026-12-03, the search pages' ratios moved by 2× between runs that changed nothing).

Usage: ``python -m benchmarks.pages [--copies 356] [--repeat 30] [--engines embedded
remote] [--work DIR] [--json FILE]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from rdflib import Graph

from benchmarks.scale import scaled_lines
from hamar_graph import __version__
from hamar_graph.build.completeness import PLAN_FILE, PlanGaps
from hamar_graph.build.pages_db import PAGES_FILE, pages_db_bytes
from hamar_graph.config import Settings
from hamar_graph.namespaces import ID
from hamar_graph.publication.publish import (
    CATALOG_FILES,
    Publication,
    publication_files,
    with_extras,
)
from hamar_graph.publication.release import PublicationMeta, store_release
from hamar_graph.store.base import counts_fingerprint
from hamar_graph.store.oxigraph import OxigraphStore

#: The pages measured: one of every kind, the search in three forms, the completeness
#: report of the default strategy and of another one.
PAGES: tuple[tuple[str, str], ...] = (
    ("home", "/"),
    ("entity: measure", "/id/tiltak/internasjonal-uke"),
    ("entity: twin city", "/id/vennskapsby/lund"),
    ("entity: section 6", "/id/seksjon/6"),
    ("entity: Turtle", "/id/vennskapsby/lund.ttl"),
    ("register (/id/)", "/id/"),
    ("index: measures", "/id/tiltak/"),
    ("index: goals, page 2", "/id/handlingsmal/?side=2"),
    ("ontology", "/def/hamar"),
    ("the document", "/id/dokument/internasjonal-strategi"),
    ("the action plan", "/id/dokument/handlingsplan-2015-2019"),
    ("the action plan, CSV", "/id/dokument/handlingsplan-2015-2019.csv"),
    ("responsibility (/ansvar)", "/ansvar"),
    ("named graph", "/graph/data-actionplan"),
    ("search: vennskapsby", "/sok?q=vennskapsby"),
    ("search: okt kunnskapsniva", "/sok?q=okt+kunnskapsniva"),
    ("search: hamar, page 2", "/sok?q=hamar&side=2"),
    ("completeness", "/fullstendighet"),
    ("completeness, strategies page 2", "/fullstendighet?side=2"),
)

_THING = re.compile("<" + re.escape(str(ID)) + r"([^>/]+)(/[^>]+)?>")


def hamar_nquads(settings: Settings) -> list[str]:
    """The assembled Hamar graph as N-Quads lines (the named graphs kept)."""
    import pyoxigraph as ox

    from hamar_graph.build.assembly import assemble

    store = OxigraphStore()
    store.load(assemble(settings))
    text = store._store.dump(format=ox.RdfFormat.N_QUADS) or b""
    return sorted(line for line in text.decode("utf-8").splitlines() if line)


def _moved(iri: str, k: int) -> str:
    if k == 0:
        return iri
    match = _THING.fullmatch(f"<{iri}>")
    return f"{ID}{match.group(1)}{match.group(2) or ''}-k{k}" if match else iri


def scaled_gaps(gaps: PlanGaps, copies: int) -> PlanGaps:
    """The plan's gaps of ``copies`` copies: copy ``k`` has the Hamar plan's gaps, moved."""
    items = [
        replace(item, iri=_moved(item.iri, k), axis=_moved(item.axis, k))
        for k in range(copies)
        for item in gaps.items
    ]
    return PlanGaps(tuple(items))


def prepare(
    folder: Path, lines: list[str], gaps: PlanGaps, copies: int, settings: Settings
) -> dict[str, Any]:
    """Write an output folder for ``copies`` strategies; return what it took. What an
    earlier run left in it (stores, the engines' databases) is removed first: loading
    into an existing store would add the shapes' blank nodes a second time."""
    import pyoxigraph as ox

    for stale in ("store", "oxigraph-server", "virtuoso"):
        shutil.rmtree(folder / stale, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    timings: dict[str, Any] = {}
    start = time.perf_counter()
    nquads = folder / "scaled.nq"
    with nquads.open("w", encoding="utf-8") as out:
        for line in scaled_lines(lines, copies):
            out.write(line + "\n")
    timings["generate_s"] = time.perf_counter() - start
    start = time.perf_counter()
    raw = ox.Store(str(folder / "store"))
    raw.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    raw.optimize()
    del raw
    timings["load_s"] = time.perf_counter() - start
    store = OxigraphStore(folder / "store", read_only=True)
    timings["quads"] = len(store)
    start = time.perf_counter()
    release = store_release(store)
    versions = [release.data_version, f"{__version__}+{counts_fingerprint(store)[:12]}"]
    all_gaps = scaled_gaps(gaps, copies)
    pages = pages_db_bytes(store, settings.base_iri, all_gaps, data_versions=versions)
    timings["pages_db_s"] = time.perf_counter() - start
    timings["pages_db_mb"] = len(pages) / 2**20
    meta = PublicationMeta(
        base_iri=settings.base_iri,
        version=__version__,
        data_version=release.data_version,
        issued=release.issued,
        modified=release.modified,
        triples=timings["quads"],
    )
    pub = Publication(meta, (), {p: Graph() for p in CATALOG_FILES}, Graph(), directory=folder)
    with_extras(pub, {PLAN_FILE: all_gaps.to_json(), PAGES_FILE: pages})
    for name, data in publication_files(pub).items():
        (folder / name).write_bytes(data)
    del store
    return timings


class OxigraphServer:
    """The Oxigraph server (``pip install oxigraph``) over its own copy of the data."""

    def __init__(self, location: Path, nquads: Path) -> None:
        binary = Path(sys.executable).with_name("oxigraph")
        self.binary = str(binary) if binary.exists() else (shutil.which("oxigraph") or "")
        if not self.binary:
            raise RuntimeError("the oxigraph server is not installed: pip install oxigraph")
        self.location, self.nquads = location, nquads
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def __enter__(self) -> OxigraphServer:
        if not self.location.exists():
            subprocess.run(
                [self.binary, "load", "--location", str(self.location), "--file", str(self.nquads)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        self.process = subprocess.Popen(
            [
                self.binary,
                "serve-read-only",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=2):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the oxigraph server did not answer")

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


class VirtuosoEngine:
    """Virtuoso (Debian's virtuoso-opensource, ``tests/support/virtuoso_server.py``) over
    its own copy of the data, loaded with its bulk loader; only the data's graphs are
    readable by the anonymous SPARQL user."""

    def __init__(self, location: Path, nquads: Path, graphs: list[str]) -> None:
        from tests.support.virtuoso_server import VirtuosoServer

        self.nquads, self.graphs = nquads, graphs
        self.server = VirtuosoServer(location, buffers=100_000, max_seconds=0)

    def __enter__(self) -> VirtuosoEngine:
        fresh = not self.server.location.exists()
        self.server.__enter__()
        if fresh:
            self.server.load_nquads(self.nquads)
            self.server.publish_only(self.graphs)
        return self

    @property
    def query_url(self) -> str:
        return str(self.server.query_url)

    def __exit__(self, *_: object) -> None:
        self.server.stop()


def _server(engine: str, folder: Path) -> Any:
    """The engine's server for ``remote`` and ``virtuoso``, else ``None``."""
    if engine == "remote":
        return OxigraphServer(folder / "oxigraph-server", folder / "scaled.nq")
    if engine == "virtuoso":
        store = OxigraphStore(folder / "store", read_only=True)
        graphs = [str(g) for g in store.graph_names()]
        del store
        return VirtuosoEngine(folder / "virtuoso", folder / "scaled.nq", graphs)
    return None


def _config(folder: Path, engine: str, endpoint: str | None) -> dict[str, Any]:
    # the page and answer caches off: what a page costs to make, not to repeat
    config: dict[str, Any] = {
        "out_dir": folder,
        "store_path": folder / "store",
        "answer_cache_mb": 0,
    }
    if engine in ("remote", "virtuoso"):
        config.update(store="remote", endpoint=endpoint)
    return config


def _app(config: dict[str, Any]) -> Any:
    from web import create_app

    app = create_app(config)
    app.config["TESTING"] = True
    return app


def _get(client: Any, path: str) -> int:
    response = client.get(path)
    response.get_data()
    return int(response.status_code)


_FIRST = """
import json, sys, time
from pathlib import Path
from web import create_app
config = json.loads(sys.argv[1])
config.update({k: Path(v) for k, v in config.items() if k in ("out_dir", "store_path")})
if "answer_cache_mb" in config:  # else the settings' default, as `serve` has it
    config["answer_cache_mb"] = int(config["answer_cache_mb"])
start = time.perf_counter()
app = create_app(config)
app.config["TESTING"] = True
with app.test_client() as client:
    response = client.get(sys.argv[2])
    response.get_data()
print(json.dumps([response.status_code, time.perf_counter() - start]))
app.extensions["hamar"].close()
"""


def first_requests(config: dict[str, Any]) -> dict[str, float]:
    """Seconds from making the app in a new process (``web`` imported, as a WSGI worker has
    it before it takes requests) to the end of its first request, per page."""
    out: dict[str, float] = {}
    text = json.dumps({k: str(v) for k, v in config.items()})
    for name, path in PAGES:
        done = subprocess.run(
            [sys.executable, "-c", _FIRST, text, path],
            check=True,
            capture_output=True,
            text=True,
        )
        status, seconds = json.loads(done.stdout.strip().splitlines()[-1])
        out[name] = seconds if status == 200 else float("inf")
    return out


def latencies(configs: dict[int, dict[str, Any]], repeat: int) -> dict[int, dict[str, Any]]:
    """Median and p95 milliseconds per page and size over ``repeat`` requests, after a
    warm-up, the sizes' apps (one per size, in this process) taking turns request by
    request, the first of each round alternating, so that a change in the shared machine's
    load weighs on both sides of a ratio alike (a page whose warm-up takes seconds gets
    fewer requests: about 20 s' worth, at least 5); the statuses other than 200 are
    counted."""
    apps = {copies: _app(config) for copies, config in configs.items()}
    clients = {copies: app.test_client() for copies, app in apps.items()}
    out: dict[int, dict[str, Any]] = {copies: {} for copies in configs}
    order = sorted(configs)
    for name, path in PAGES:
        failed = dict.fromkeys(order, 0)
        warm = 0.0
        for copies in order:
            start = time.perf_counter()
            failed[copies] += int(_get(clients[copies], path) != 200)
            warm = max(warm, time.perf_counter() - start)
        times: dict[int, list[float]] = {copies: [] for copies in order}
        rounds = repeat if warm < 1 else max(5, min(repeat, int(20 / warm)))
        for number in range(rounds):
            for copies in order if number % 2 == 0 else order[::-1]:
                start = time.perf_counter()
                failed[copies] += int(_get(clients[copies], path) != 200)
                times[copies].append((time.perf_counter() - start) * 1000)
        for copies in order:
            done = sorted(times[copies])
            out[copies][name] = {
                "median": statistics.median(done),
                "p95": done[min(len(done) - 1, round(0.95 * (len(done) - 1)))],
                "max": done[-1],
                "n": len(done),
                "failed": failed[copies],
            }
        shown = ", ".join(f"{c}: {out[c][name]['p95']:.1f} ms" for c in order)
        print(f"    {name}: p95 {shown} ({rounds})", flush=True)
    for app in apps.values():
        app.extensions["hamar"].close()
    return out


def _sizes(copies: int) -> Iterator[int]:
    yield 1
    yield copies


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings.from_env()
    plan = Settings.from_env().out_dir / PLAN_FILE
    lines = hamar_nquads(settings)
    gaps = _hamar_gaps(settings, plan)
    work = args.work or Path(tempfile.mkdtemp(prefix="pages-bench-"))
    result: dict[str, Any] = {
        "copies": args.copies,
        "repeat": args.repeat,
        "method": "sizes interleaved request by request in one process",
        "load_at_start": os.getloadavg(),
        "sizes": {},
    }
    folders = {copies: work / f"copies-{copies}" for copies in _sizes(args.copies)}
    for copies, folder in folders.items():
        print(f"preparing {copies} strateg{'y' if copies == 1 else 'ies'} in {folder}", flush=True)
        entry: dict[str, Any] = {"prepare": prepare(folder, lines, gaps, copies, settings)}
        print(f"  {entry['prepare']}", flush=True)
        result["sizes"][str(copies)] = entry
    for engine in args.engines:
        servers = {copies: _server(engine, folder) for copies, folder in folders.items()}
        try:
            configs = {}
            for copies, folder in folders.items():
                server = servers[copies]
                endpoint = server.__enter__().query_url if server else None
                configs[copies] = _config(folder, engine, endpoint)
            for copies, config in configs.items():
                print(f"  {engine}, {copies}: first requests, load {_load()}", flush=True)
                result["sizes"][str(copies)][engine] = {"first": first_requests(config)}
            print(f"  {engine}: latency, both sizes taking turns, load {_load()}", flush=True)
            for copies, measured in latencies(configs, args.repeat).items():
                result["sizes"][str(copies)][engine]["latency"] = measured
        finally:
            for server in servers.values():
                if server:
                    server.__exit__()
    if not args.keep:
        for folder in folders.values():
            (folder / "scaled.nq").unlink(missing_ok=True)
    result["load_at_end"] = os.getloadavg()
    return result


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _hamar_gaps(settings: Settings, plan: Path) -> PlanGaps:
    if plan.is_file():
        return PlanGaps.from_json(plan.read_bytes())
    from hamar_graph.build.assembly import assemble
    from hamar_graph.build.completeness import plan_gaps
    from hamar_graph.build.validate import validate_dataset

    dataset = assemble(settings)
    return plan_gaps(validate_dataset(dataset, settings), dataset)


def table(result: dict[str, Any], engines: list[str]) -> str:
    """The Markdown table: per page and engine, p95 on each size and the ratio."""
    n = str(result["copies"])
    small, big = result["sizes"]["1"], result["sizes"][n]
    lines = []
    head = "| page |"
    rule = "|---|"
    for engine in engines:
        head += f" {engine}: Hamar p95 ms | {n}× p95 ms | ratio | target |"
        rule += "---:|---:|---:|---|"
    lines += [head, rule]
    for name, _ in PAGES:
        row = f"| {name} |"
        limit = 2.0 if name.startswith("search") else 3.0
        for engine in engines:
            a = small[engine]["latency"][name]["p95"]
            b = big[engine]["latency"][name]["p95"]
            ratio = b / a
            failed = big[engine]["latency"][name].get("failed", 0)
            held = "yes" if ratio <= limit and not failed else "no"
            held += f" ({failed} failed)" if failed else ""
            row += f" {a:.1f} | {b:.1f} | {ratio:.1f}× | ≤ {limit:g}×: {held} |"
        lines.append(row)
    row = "| first request after start (worst page), s |"
    for engine in engines:
        a = max(small[engine]["first"].values())
        b = max(big[engine]["first"].values())
        row += f" {a:.2f} | {b:.2f} | {b / a:.1f}× | ≤ 2 s: {'yes' if b <= 2 else 'no'} |"
    lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=356, help="strategies in the large graph")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page")
    parser.add_argument(
        "--engines",
        nargs="+",
        default=["embedded", "remote"],
        choices=["embedded", "remote", "virtuoso"],
    )
    parser.add_argument("--work", type=Path, help="folder for the prepared outputs (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the scaled N-Quads")
    parser.add_argument("--json", type=Path, help="write the measurements as JSON")
    args = parser.parse_args()
    result = run(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print()
    print(f"load average at start {result['load_at_start']}, at end {result['load_at_end']}")
    print(table(result, args.engines))


if __name__ == "__main__":
    main()
