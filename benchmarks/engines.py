"""Our /sparql and pages against the Oxigraph server and rdflib-endpoint, in one run.

Every engine serves the same N-Triples file on a loopback port:

- ``oxigraph-server``: the Rust Oxigraph server (``pip install oxigraph``), the reference;
- ``ours-embedded``: ``hamar-graph serve`` on a persistent pyoxigraph store (sandbox on);
- ``ours-remote``: ``hamar-graph serve --store remote`` in front of that Oxigraph server;
- ``rdflib-endpoint``: FastAPI + rdflib, the pure-rdflib peer (only at small sizes: it
  needs minutes per join on large graphs).

For each engine it records load time, time to first answer after start, median and p95
latency per query of the mix, throughput with concurrent clients, and peak memory
(VmHWM summed over the server's process tree), then prints each figure of ours as a
ratio to the Oxigraph server's. Traffic goes to 127.0.0.1 only; every loop is bounded.

Usage::

    python -m benchmarks.engines                 # the Hamar graph
    python -m benchmarks.engines --copies 500    # about 1,000,000 triples
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.scale import write_scaled
from tests.support.oxigraph_server import free_port, oxigraph_binary

HMS = "https://data.hamar.kommune.no/def/"
ID = "https://data.hamar.kommune.no/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

#: The query mix a researcher would send.
QUERIES: dict[str, str] = {
    "lookup": f"SELECT ?p ?o WHERE {{ <{ID}vennskapsby/lund> ?p ?o }}",
    "join": (
        f"SELECT ?goal ?gl ?axis ?al WHERE {{ ?goal a <{HMS}ActionPlanGoal> ; "
        f"<{HMS}axis> ?axis ; <{SKOS}prefLabel> ?gl . ?axis <{SKOS}prefLabel> ?al . "
        'FILTER(lang(?gl) = "nb" && lang(?al) = "nb") }'
    ),
    "aggregate": (
        f"SELECT ?axis (COUNT(?goal) AS ?goals) WHERE {{ ?goal a <{HMS}ActionPlanGoal> ; "
        f"<{HMS}axis> ?axis }} GROUP BY ?axis ORDER BY DESC(?goals)"
    ),
    "optional-path": (
        f"SELECT ?m ?axis ?who WHERE {{ ?m a <{HMS}Measure> ; "
        f"<{HMS}servesGoal>/<{HMS}axis> ?axis . OPTIONAL {{ ?m <{HMS}responsibleActor> ?who }} }}"
    ),
    "describe": f"DESCRIBE <{ID}akse/vennskapsbysamarbeid>",
}
ACCEPT = {
    "describe": "application/n-triples",
}
JOIN_MIX = ("join", "aggregate")
PAGES = ("/id/akse/vennskapsbysamarbeid", "/id/vennskapsby/lund", "/")


@dataclass
class Engine:
    """One server under test."""

    name: str
    query_path: str
    start: Callable[[int], subprocess.Popen[bytes]]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    load_seconds: float | None = None
    first_answer: float | None = None
    results: dict[str, dict[str, float]] = field(default_factory=dict)
    peak_mib: float | None = None
    serves_pages: bool = False


def _post(conn: http.client.HTTPConnection, path: str, query: str, accept: str) -> int:
    body = urllib.parse.urlencode({"query": query})
    conn.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
    )
    response = conn.getresponse()
    response.read()
    return response.status


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path, headers={"Accept": "text/html"})
    response = conn.getresponse()
    response.read()
    return response.status


def _request(engine: Engine, conn: http.client.HTTPConnection, name: str) -> int:
    if name.startswith("/"):
        return _get(conn, name)
    accept = ACCEPT.get(name, "application/sparql-results+json")
    return _post(conn, engine.query_path, QUERIES[name], accept)


def wait_ready(engine: Engine, timeout: float = 300) -> float:
    """Seconds from now until the engine answers the lookup query."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if engine.process is not None and engine.process.poll() is not None:
            raise RuntimeError(f"{engine.name} exited with {engine.process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=30)
            if _request(engine, conn, "lookup") == 200:
                return time.monotonic() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{engine.name} did not answer within {timeout} s")


def latency(engine: Engine, name: str, repeat: int) -> tuple[float, float]:
    """Median and p95 latency in ms of ``repeat`` sequential requests."""
    conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=120)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        status = _request(engine, conn, name)
        times.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise RuntimeError(f"{engine.name} answered {status} to {name}")
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def throughput(engine: Engine, names: tuple[str, ...], clients: int, seconds: float) -> float:
    """Completed requests per second with ``clients`` concurrent keep-alive clients."""
    done = [0] * clients
    errors = [0] * clients
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=120)
        k = i
        while time.monotonic() < stop:
            try:
                status = _request(engine, conn, names[k % len(names)])
            except OSError:
                errors[i] += 1
                conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=120)
                continue
            if status == 200:
                done[i] += 1
            else:
                errors[i] += 1
            k += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if sum(errors):
        print(f"  note: {engine.name} had {sum(errors)} failed requests", file=sys.stderr)
    return sum(done) / seconds


def peak_memory_mib(pid: int) -> float:
    """Peak resident memory (VmHWM) of ``pid`` and its descendants, in MiB."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
        pids.extend(int(c) for c in children)
    return total / 1024


def stop(engine: Engine) -> None:
    if engine.process is not None and engine.process.poll() is None:
        engine.process.terminate()
        try:
            engine.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            engine.process.kill()
            engine.process.wait()


def bin_path(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def measure(engine: Engine, repeat: int, clients: int, seconds: float, with_pages: bool) -> None:
    print(f"- {engine.name}: starting on port {engine.port}", file=sys.stderr)
    started = time.monotonic()
    engine.process = engine.start(engine.port)
    try:
        wait_ready(engine)
        engine.first_answer = time.monotonic() - started
        names = list(QUERIES) + (list(PAGES) if with_pages and engine.serves_pages else [])
        for name in names:
            median, p95 = latency(engine, name, repeat)
            engine.results[name] = {"median_ms": median, "p95_ms": p95}
        engine.results["join-mix"] = {"rps": throughput(engine, JOIN_MIX, clients, seconds)}
        engine.results["lookup"]["rps"] = throughput(engine, ("lookup",), clients, seconds)
        engine.peak_mib = peak_memory_mib(engine.process.pid)
    finally:
        stop(engine)


def ratio(ours: float | None, ref: float | None) -> str:
    if not ours or not ref:
        return "-"
    return f"{ours / ref:.2f}×"


def report(engines: list[Engine], triples: int) -> None:
    ref = engines[0]
    print(f"\n## {triples:,} triples; ratios are ours / {ref.name} (same run)\n")
    header = (
        "| figure | "
        + " | ".join(e.name for e in engines)
        + " | "
        + " | ".join(f"{e.name} ratio" for e in engines[1:])
        + " |"
    )
    print(header)
    print("|" + "---|" * (1 + len(engines) + len(engines) - 1))

    def row(label: str, values: list[float | None], fmt: str) -> None:
        cells = [fmt.format(v) if v is not None else "-" for v in values]
        ratios = [ratio(v, values[0]) for v in values[1:]]
        print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")

    row("load (s)", [e.load_seconds for e in engines], "{:.2f}")
    row("first answer after start (s)", [e.first_answer for e in engines], "{:.2f}")
    for name in [*QUERIES, *PAGES]:
        if name in ref.results or any(name in e.results for e in engines):
            for key, unit in (("median_ms", "median ms"), ("p95_ms", "p95 ms")):
                row(
                    f"{name} {unit}",
                    [e.results.get(name, {}).get(key) for e in engines],
                    "{:.2f}",
                )
    row("join+aggregate mix (req/s)", [e.results["join-mix"]["rps"] for e in engines], "{:.0f}")
    row("lookup (req/s)", [e.results["lookup"].get("rps") for e in engines], "{:.0f}")
    row("peak memory (MiB)", [e.peak_mib for e in engines], "{:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="strategies in the graph")
    parser.add_argument("--repeat", type=int, default=50, help="sequential requests per query")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput window")
    parser.add_argument("--workers", type=int, default=2, help="our WSGI worker processes")
    parser.add_argument(
        "--rdflib-max-triples",
        type=int,
        default=50_000,
        help="skip rdflib-endpoint above this size (it needs minutes per join)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hamar-bench-"))
    nt = work / "graph.nt"
    triples = write_scaled(nt, args.copies)
    print(f"{triples} triples in {nt}", file=sys.stderr)

    # The Oxigraph server: bulk load with its CLI, then serve read-only.
    ox_dir = work / "oxigraph"
    t0 = time.monotonic()
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(ox_dir), "--file", str(nt)],
        check=True,
        capture_output=True,
    )
    ox_load = time.monotonic() - t0

    # Ours: our loader writes the persistent store that `serve` opens read-only.
    from hamar_graph.store.oxigraph import bulk_load_file

    our_dir = work / "ours"
    t0 = time.monotonic()
    bulk_load_file(nt, our_dir)
    our_load = time.monotonic() - t0

    oxigraph = Engine(
        "oxigraph-server",
        "/query",
        lambda port: subprocess.Popen(
            [
                oxigraph_binary(),
                "serve-read-only",
                "--location",
                str(ox_dir),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        load_seconds=ox_load,
    )

    def ours(store: str) -> Callable[[int], subprocess.Popen[bytes]]:
        def start(port: int) -> subprocess.Popen[bytes]:
            env = {
                **os.environ,
                "HAMAR_GRAPH_STORE_PATH": str(our_dir),
                "HAMAR_GRAPH_QUERY_TIMEOUT": "60",
                "HAMAR_GRAPH_MAX_ROWS": "100000",
            }
            command = [
                bin_path("hamar-graph"),
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--store",
                store,
            ]
            if store == "remote":
                command += ["--endpoint", f"http://127.0.0.1:{oxigraph.port}/query"]
            return subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )

        return start

    embedded = Engine(
        "ours-embedded", "/sparql", ours("oxigraph"), load_seconds=our_load, serves_pages=True
    )
    remote = Engine("ours-remote", "/sparql", ours("remote"), serves_pages=True)
    engines = [oxigraph, embedded]
    measure(oxigraph, args.repeat, args.clients, args.seconds, with_pages=False)
    measure(embedded, args.repeat, args.clients, args.seconds, with_pages=True)
    # the remote mode needs the Oxigraph server running behind it
    oxigraph.process = oxigraph.start(oxigraph.port)
    try:
        wait_ready(oxigraph)
        # Page queries reach a remote engine with their bindings as a trailing VALUES
        # clause, which Oxigraph joins after evaluating the pattern: fine on the Hamar
        # graph, past the deadline on the home page at a million triples (README).
        measure(remote, args.repeat, args.clients, args.seconds, with_pages=args.copies == 1)
        engines.append(remote)
    finally:
        stop(oxigraph)
    if triples <= args.rdflib_max_triples and shutil.which(bin_path("rdflib-endpoint")):
        rdflib_ep = Engine(
            "rdflib-endpoint",
            "/",  # rdflib-endpoint 0.6 serves its SPARQL endpoint at the root
            lambda port: subprocess.Popen(
                [
                    bin_path("rdflib-endpoint"),
                    "serve",
                    str(nt),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        )
        measure(rdflib_ep, max(5, args.repeat // 10), args.clients, args.seconds, False)
        engines.append(rdflib_ep)
    report(engines, triples)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
