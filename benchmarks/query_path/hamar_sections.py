"""The sections measured on the Hamar graph: start-up, throughput and memory, ours against
the Oxigraph server."""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.query_path.graph import Graph, check_same_rows, unique_text
from benchmarks.query_path.load_sections import run_fairness, run_oxigraph_hostile
from benchmarks.query_path.processes import MemorySampler, memory_by_role, settle_pss, tree_pss_mib
from benchmarks.query_path.report import Run, Target, fmt_ratio, log, ratio, table
from benchmarks.query_path.servers import floor_server, ours_server, oxigraph_server, running
from benchmarks.query_path.timing import WORKLOADS, WrkResult, throughput, wrk
from benchmarks.query_path.workloads import JOIN, LOOKUP, LOOKUP_IRI


def run_startup(run: Run, graph: Graph, work: Path, repeat: int) -> None:
    log(f"startup: {repeat} start(s) of each server from its persistent store")
    times: dict[str, list[float]] = {"oxigraph": [], "ours": []}
    for i in range(repeat):
        servers = [oxigraph_server(graph.oxigraph_dir, work), ours_server(graph.ours_dir, work)]
        for server in servers if i % 2 == 0 else reversed(servers):
            with running(server):
                times[server.name].append(server.first_answer_s or float("nan"))
            time.sleep(1.0)  # let the stopped one's processes go before the next start
    result: dict[str, dict[str, Any]] = {
        name: {
            "median_s": statistics.median(t),
            "min_s": min(t),
            "max_s": max(t),
            "samples_s": [round(x, 3) for x in t],
        }
        for name, t in times.items()
    }
    run.sections["startup"] = result
    ox, ours = result["oxigraph"], result["ours"]
    run.tables.append(
        table(
            f"First answer after start (persistent store, {repeat} start(s) each)",
            ["server", "median s", "min s", "max s"],
            [
                ["oxigraph", ox["median_s"], ox["min_s"], ox["max_s"]],
                ["ours", ours["median_s"], ours["min_s"], ours["max_s"]],
                ["ratio ours/oxigraph", fmt_ratio(ratio(ours["median_s"], ox["median_s"])), "", ""],
            ],
        )
    )
    run.targets.append(
        Target(
            "startup",
            "First answer within 1 s of start, from a persistent store (Hamar; median)",
            f"{ours['median_s']:.2f} s (Oxigraph server {ox['median_s']:.2f} s)",
            ours["median_s"] <= 1.0,
        )
    )


def run_hamar_servers(
    run: Run, graph: Graph, work: Path, sections: set[str], args: argparse.Namespace
) -> None:
    """Throughput, memory and fairness share one long-running instance of each server."""
    ox = oxigraph_server(graph.oxigraph_dir, work)
    ours = ours_server(graph.ours_dir, work)
    servers = [ox, ours]
    if "throughput" in sections and args.floor:
        servers.append(floor_server(graph.ours_dir / "store", work))
    subjects_file = work / "subjects.txt"
    subjects_file.write_text("\n".join(graph.subjects) + "\n", encoding="utf-8")
    with running(*servers):
        log(
            "servers up: "
            + ", ".join(f"{s.name} :{s.port} ({s.first_answer_s or 0:.2f} s)" for s in servers)
        )
        rng = random.Random(7)
        sample = rng.sample(graph.subjects, min(20, len(graph.subjects)))
        checks = {"repeat": LOOKUP.format(iri=LOOKUP_IRI), "join": JOIN}
        checks.update({f"unique {i}": unique_text(s, f"9x{i}") for i, s in enumerate(sample)})
        rows = check_same_rows(servers, checks)
        log(f"row counts agree: lookup {rows['repeat']}, join {rows['join']}, 20 unique lookups")
        memory: dict[str, dict[str, float | int]] = {}
        roles: dict[str, dict[str, dict[str, float]]] = {}
        if "memory" in sections:
            for server in (ox, ours):
                mib, count = settle_pss(server.pid)
                memory[server.name] = {"rest_mib": mib, "rest_processes": count}
                roles[server.name] = memory_by_role(server.pid)
        samplers = {s.name: MemorySampler(s.pid) for s in (ox, ours)}
        with samplers["oxigraph"], samplers["ours"]:
            if "throughput" in sections:
                log("throughput:")
                results = throughput(
                    servers, args.duration, args.warmup, args.rounds, subjects_file
                )
                report_throughput(run, results, rows)
            elif "memory" in sections:
                log("memory: a short load (no throughput section in this run)")
                for workload in ("repeat", "join"):
                    for server in (ox, ours):
                        wrk(server, workload, min(args.duration, 5.0), subjects_file)
            if "memory" in sections:
                for server in (ox, ours):
                    mib, count = tree_pss_mib(server.pid)
                    memory[server.name].update(
                        after_load_mib=mib,
                        after_load_processes=count,
                        peak_mib=max(
                            samplers[server.name].peak_mib, mib, memory[server.name]["rest_mib"]
                        ),
                    )
            if "fairness" in sections:
                run_fairness(run, ours, graph, args)
        if "memory" in sections:
            if "fairness" in sections:
                # pages, search, the catalogue and queries from 25 addresses: the whole app
                memory["ours"]["peak_all_mib"] = max(
                    samplers["ours"].peak_mib, float(memory["ours"]["peak_mib"])
                )
            report_memory(run, memory, roles)
    if "fairness" in sections and args.oxigraph_hostile > 0:
        run_oxigraph_hostile(run, graph, work, args)


def report_throughput(
    run: Run, results: dict[str, list[dict[str, WrkResult]]], rows: dict[str, int]
) -> None:
    """Per workload and server the median over the rounds; the ratio is the median of the
    rounds' ratios (each from two runs side by side in time)."""
    data: dict[str, Any] = {"rows": rows}
    table_rows: list[list[object]] = []
    for workload, label in WORKLOADS.items():
        rounds = results[workload]
        ratios = [ratio(r["ours"].ok_rps, r["oxigraph"].ok_rps) or 0.0 for r in rounds]
        r_median = statistics.median(ratios)
        entry: dict[str, Any] = {
            "ratio": r_median,
            "round_ratios": [round(x, 4) for x in ratios],
            "rounds": [{n: x.as_dict() for n, x in r.items()} for r in rounds],
        }
        floor_ratios = [
            ratio(r["floor"].ok_rps, r["oxigraph"].ok_rps) or 0.0 for r in rounds if "floor" in r
        ]
        # the ratio to the Oxigraph server shown beside ours and the floor, with its rounds
        shown = {"ours": (r_median, ratios)}
        if floor_ratios:
            entry["floor_ratio"] = statistics.median(floor_ratios)
            entry["floor_round_ratios"] = [round(x, 4) for x in floor_ratios]
            shown["floor"] = (entry["floor_ratio"], floor_ratios)
        for name in ("oxigraph", *shown):
            mine = [r[name] for r in rounds]
            figures = {
                "ok_rps": statistics.median(x.ok_rps for x in mine),
                "p50_ms": statistics.median(x.p50_ms for x in mine),
                "p99_ms": statistics.median(x.p99_ms for x in mine),
                "non_2xx": sum(x.non_2xx for x in mine),
                "socket_errors": sum(x.socket_errors for x in mine),
            }
            entry[name] = figures
            table_rows.append(
                [
                    label if name == "oxigraph" else "",
                    name,
                    figures["ok_rps"],
                    figures["p50_ms"],
                    figures["p99_ms"],
                    figures["non_2xx"],
                    figures["socket_errors"],
                    fmt_ratio(shown[name][0]) if name in shown else "",
                    ", ".join(f"{x:.3f}" for x in shown[name][1]) if name in shown else "",
                ]
            )
        data[workload] = entry
    run.sections["throughput"] = data
    n_rounds = len(next(iter(results.values())))
    seconds = next(iter(results.values()))[0]["ours"].seconds
    run.tables.append(
        table(
            f"Throughput: wrk -t2 -c16 from one address (127.0.0.1), {n_rounds} round(s) of "
            f"{seconds:.0f} s per server; medians over the rounds; req/s counts 2xx only",
            [
                "workload",
                "server",
                "req/s",
                "p50 ms",
                "p99 ms",
                "non-2xx",
                "socket errors",
                "ratio",
                "ratio per round",
            ],
            table_rows,
        )
    )
    for workload, goal, label in (
        ("unique", 0.3, "Lookups, a different query text on every request"),
        ("repeat", 0.4, "The same lookup text repeated"),
        ("join", 0.9, "The join mix, repeated"),
    ):
        entry = data[workload]
        ox, ours = entry["oxigraph"]["ok_rps"], entry["ours"]["ok_rps"]
        floor = f"; the floor {fmt_ratio(entry['floor_ratio'])}" if "floor_ratio" in entry else ""
        run.targets.append(
            Target(
                f"throughput-{workload}",
                f"{label}: ≥ {goal}× the server's throughput",
                f"{fmt_ratio(entry['ratio'])} ({ours:,.0f} against {ox:,.0f} req/s{floor})",
                entry["ratio"] >= goal,
            )
        )


def report_memory(
    run: Run,
    memory: dict[str, dict[str, float | int]],
    roles: dict[str, dict[str, dict[str, float]]],
) -> None:
    run.sections["memory"] = {**memory, "at_rest_by_role": roles}
    ox, ours = memory["oxigraph"], memory["ours"]
    rows = []
    for key, label in (
        ("rest_mib", "at rest after start"),
        ("peak_mib", "peak under the throughput runs (sampled every 0.5 s)"),
        ("after_load_mib", "after the throughput runs"),
    ):
        rows.append([label, ox[key], ours[key], fmt_ratio(ratio(float(ours[key]), float(ox[key])))])
    if "peak_all_mib" in ours:
        rows.append(
            ["peak through the fairness run too (pages, queries)", "", ours["peak_all_mib"], ""]
        )
    rows.append(
        ["processes in the tree (at rest)", ox["rest_processes"], ours["rest_processes"], ""]
    )
    run.tables.append(
        table(
            "Memory on the Hamar graph: PSS summed over the process tree, MiB",
            ["when", "oxigraph", "ours", "ratio"],
            rows,
        )
    )
    run.tables.append(
        table(
            "Where the memory is at rest, MiB (private: pages no other process shares)",
            ["server", "process", "n", "PSS", "PSS anon", "PSS file", "private", "RSS"],
            [
                [
                    server,
                    role,
                    int(f["processes"]),
                    f["pss"],
                    f["pss_anon"],
                    f["pss_file"],
                    f["private"],
                    f["rss"],
                ]
                for server, by_role in roles.items()
                for role, f in sorted(by_role.items())
            ],
        )
    )
    peak = float(ours.get("peak_all_mib", ours["peak_mib"]))
    over = (
        f"with pages: {peak:.0f} MiB peak; under queries only {float(ours['peak_mib']):.0f}"
        if "peak_all_mib" in ours
        else f"{peak:.0f} MiB peak under queries (no fairness run: pages not measured)"
    )
    run.targets.append(
        Target(
            "memory",
            "Memory (PSS, whole tree, defaults) ≤ 150 MiB on the Hamar graph (peak)",
            f"{over}, {float(ours['rest_mib']):.0f} at rest "
            f"(Oxigraph server {float(ox['peak_mib']):.0f}; "
            f"{fmt_ratio(ratio(peak, float(ox['peak_mib'])))})",
            peak <= 150,
        )
    )
