"""Unique lookups in one process, by thread count, without HTTP (issue 12).

Why one ``hamar-graph serve`` process answers a different small query on every request
at a fraction of the Oxigraph server's rate: this sends such lookups
(``SELECT ?p ?o WHERE { <iri> ?p ?o }``, a new text each time: the template of
``benchmarks.query_path``) straight to the app's WSGI callable from 1, 2, 4 and 16
threads of one process, and, as the peer, the same queries straight to pyoxigraph
(``Store.query`` and JSON serialisation, nothing of ours). It prints requests a second,
CPU time a request and cores used per thread count, and each rate as a ratio to one
thread's in the same run.

Usage::

    python -m benchmarks.lookup_threads                # builds the Hamar graph first
    python -m benchmarks.lookup_threads --out dist     # an existing `hamar-graph build`
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from benchmarks.query_path.workloads import UNIQUE_TEMPLATE
from benchmarks.serve_process import build_output

#: Thread counts measured (granian's default for ``serve`` is 32 request threads; wrk's
#: 16 connections keep at most 16 of them busy).
THREADS = (1, 2, 4, 16)


def _environ(query: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/sparql",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "query=" + quote(query, safe=""),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5000",
        "HTTP_HOST": "127.0.0.1:5000",
        "HTTP_ACCEPT": "application/sparql-results+json",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def measure(one: Callable[[], None], threads: int, total: int) -> dict[str, float]:
    """Call ``one`` ``total`` times, split over ``threads`` threads: the rate, the CPU
    time per call and the cores used. A call's error is raised here."""
    each = max(1, total // threads)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(each):
                one()
        except BaseException as exc:  # handed to the caller below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    before, started = os.times(), time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed, after = time.perf_counter() - started, os.times()
    if errors:
        raise errors[0]
    cpu = (after.user - before.user) + (after.system - before.system)
    calls = each * threads
    return {"rate": calls / elapsed, "cpu_us": cpu / calls * 1e6, "cores": cpu / elapsed}


def run(out_dir: Path, total: int) -> list[tuple[str, int, dict[str, float]]]:
    """Both paths at every thread count of :data:`THREADS`."""
    import pyoxigraph as ox

    from web import create_app

    app = create_app({"out_dir": out_dir, "store_path": out_dir / "store", "answer_cache_mb": 0})
    try:
        store = ox.Store.read_only(str(out_dir / "store"))
        iris = sorted(
            str(row["s"].value)
            for row in store.query(
                "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } LIMIT 400",
                use_default_graph_as_union=True,
            )
        )
        counter = itertools.count()
        lock = threading.Lock()

        def text() -> str:
            with lock:
                k = next(counter)
            return UNIQUE_TEMPLATE.replace("__N__", str(k)).replace("__IRI__", iris[k % len(iris)])

        def start_response(status: str, _headers: Any, _exc: Any = None) -> None:
            if not status.startswith("200"):
                raise RuntimeError(f"the app answered {status}")

        def ours() -> None:
            b"".join(app.wsgi_app(_environ(text()), start_response))

        def engine() -> None:
            store.query(text(), use_default_graph_as_union=True).serialize(
                format=ox.QueryResultsFormat.JSON
            )

        results = []
        for name, one in (("ours (the app's WSGI callable)", ours), ("pyoxigraph alone", engine)):
            for _ in range(300):  # warm up
                one()
            for threads in THREADS:
                results.append((name, threads, measure(one, threads, total)))
        return results
    finally:
        app.extensions["hamar"].close()


def report(results: list[tuple[str, int, dict[str, float]]]) -> str:
    """A Markdown table, each rate also as a ratio to one thread's of the same path."""
    lines = [
        "| path | threads | lookups/s | CPU µs a lookup | cores used | ratio to 1 thread |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    single = {name: r["rate"] for name, threads, r in results if threads == 1}
    for name, threads, r in results:
        lines.append(
            f"| {name} | {threads} | {r['rate']:,.0f} | {r['cpu_us']:.0f} | "
            f"{r['cores']:.2f} | {r['rate'] / single[name]:.2f}× |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="an existing build (default: build one)")
    parser.add_argument("--lookups", type=int, default=4000, help="lookups per measurement")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hamar-lookups-") as tmp:
        out = args.out
        if out is None:
            out = Path(tmp) / "dist"
            print("building the Hamar graph …", file=sys.stderr)
            build_output(out)
        print(report(run(out, args.lookups)))
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
