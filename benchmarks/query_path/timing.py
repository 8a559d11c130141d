"""Throughput with wrk (req/s, p50/p99, non-2xx) and sequential latency (median, p95)."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.query_path.client import result_rows
from benchmarks.query_path.library_peer import LibraryPeer
from benchmarks.query_path.processes import bin_path
from benchmarks.query_path.report import log
from benchmarks.query_path.servers import Server
from benchmarks.query_path.workloads import (
    JOIN,
    JSON_RESULTS,
    LOOKUP,
    LOOKUP_IRI,
    LUA,
    UNIQUE_TEMPLATE,
)


@dataclass
class WrkResult:
    """One wrk run."""

    seconds: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def ok_rps(self) -> float:
        """2xx answers per second: refusals (429, 503) and errors do not count."""
        return max(self.requests - self.non_2xx, 0) / self.seconds

    def as_dict(self) -> dict[str, float | int]:
        return {
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "ok_rps": round(self.ok_rps, 1),
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
        }


def median_ms(run: Callable[[str], object], query: str, runs: int, tag: str) -> float:
    """The median milliseconds of ``run`` over ``runs`` new texts of ``query`` (a comment
    with ``tag``, the run's number and the time makes each text new, so no cache helps)."""
    times = []
    for i in range(runs):
        text = f"{query}\n# {tag} {i} {time.time()}"
        start = time.perf_counter()
        run(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def wrk(
    server: Server,
    workload: str,
    seconds: float,
    subjects_file: Path,
    threads: int = 2,
    connections: int = 16,
) -> WrkResult:
    """Run wrk against ``server`` with one of the workloads ``unique``, ``repeat``, ``join``."""
    env = dict(os.environ)
    base = f"http://127.0.0.1:{server.port}{server.query_path}"
    if workload == "unique":
        env.update(
            QP_MODE="unique",
            QP_TEMPLATE=UNIQUE_TEMPLATE,
            QP_PATH=server.query_path,
            QP_SUBJECTS=str(subjects_file),
            QP_ACCEPT=JSON_RESULTS,
        )
        url = base
    else:
        env["QP_MODE"] = "fixed"
        query = LOOKUP.format(iri=LOOKUP_IRI) if workload == "repeat" else JOIN
        url = base + "?" + urllib.parse.urlencode({"query": query})
    command = [
        bin_path("wrk"),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-H",
        f"Accept: {JSON_RESULTS}",
        "-s",
        str(LUA),
        url,
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=seconds + 90)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = out.decode("utf-8", "replace")
    line = next((x for x in text.splitlines() if x.startswith("QP_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{text}\n{err.decode(errors='replace')}")
    data = json.loads(line.split(" ", 1)[1])
    errors = sum(data[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return WrkResult(
        data["duration_us"] / 1e6,
        data["requests"],
        data["non_2xx_3xx"],
        errors,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
    )


WORKLOADS = {
    "unique": "lookup, a different IRI and query text on every request",
    "repeat": "the same lookup text repeated",
    "join": "a join with a FILTER (measures → goals → axes), repeated",
}


def throughput(
    servers: Sequence[Server], seconds: float, warmup: float, rounds: int, subjects_file: Path
) -> dict[str, list[dict[str, WrkResult]]]:
    """Each workload against each server, ``rounds`` times, the servers taking turns (and
    the first alternating), so that a change in the shared machine's load between two
    runs weighs on both servers alike. One warm-up run per workload and server first."""
    results: dict[str, list[dict[str, WrkResult]]] = {}
    for w, workload in enumerate(WORKLOADS):
        results[workload] = []
        if warmup > 0:
            for server in servers:
                wrk(server, workload, warmup, subjects_file)
        for r in range(rounds):
            order = list(servers) if (w + r) % 2 == 0 else list(reversed(servers))
            this: dict[str, WrkResult] = {}
            for server in order:
                this[server.name] = wrk(server, workload, seconds, subjects_file)
            results[workload].append(this)
            log(
                f"  {workload} round {r + 1}/{rounds}: "
                + ", ".join(f"{n} {x.ok_rps:,.0f} req/s" for n, x in sorted(this.items()))
            )
    return results


# --- latency (sequential) ------------------------------------------------------------------


def latencies(
    servers: Sequence[Server | LibraryPeer],
    queries: Mapping[str, Callable[[int], str]],
    repeat: int,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Median and p95 ms of ``repeat`` sequential requests per query, one kept-alive
    connection per server (or the engine library in this process,
    :class:`~benchmarks.query_path.library_peer.LibraryPeer`); the servers take turns
    request by request."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    clients = {s.name: s.client(timeout=120) for s in servers}
    for name, make in queries.items():
        times: dict[str, list[float]] = {s.name: [] for s in servers}
        failed: Counter[str] = Counter()
        for i in range(-1, repeat):  # i = -1: one warm-up request each
            for server in servers if i % 2 else list(reversed(servers)):
                answer = clients[server.name].sparql(server.query_path, make(i))
                if result_rows(answer) is None:  # e.g. a 503 at the deadline: counted, not timed
                    failed[server.name] += 1
                    log(
                        f"  {server.name} answered {answer.status} to {name}: {answer.body[:120]!r}"
                    )
                elif i >= 0:
                    times[server.name].append(answer.seconds * 1000)
        out[name] = {
            s: {
                "median_ms": statistics.median(t) if t else None,
                "p95_ms": percentile(t, 95) if t else None,
                "failed": failed[s],
            }
            for s, t in times.items()
        }
        log(
            f"  {name}: "
            + ", ".join(
                f"{s} {v['median_ms']:.1f} ms" if v["median_ms"] else f"{s} failed"
                for s, v in out[name].items()
            )
        )
    for client in clients.values():
        client.close()
    return out


def numbered(query: str) -> Callable[[int], str]:
    """The same query with ``# run N`` after it: a different text every time, the same
    answer (comments change nothing)."""

    def make(i: int) -> str:
        return f"{query}\n# run {i + 2}"

    return make


def constant(query: str) -> Callable[[int], str]:
    """The same query text for every request."""

    def make(_i: int) -> str:
        return query

    return make


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by the nearest-rank method."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered) - 1e-9)))
    return ordered[rank - 1]
