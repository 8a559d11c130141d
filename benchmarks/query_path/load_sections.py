"""The sections under load and at scale: fairness (with the Oxigraph server's behaviour under
the same hostile query) and heavy queries and memory at about a million triples."""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path
from typing import Any

from benchmarks.query_path.fairness import Site, check_loopback_sources, entity_pages, fairness_run
from benchmarks.query_path.graph import Graph, build_scaled, check_same_rows, unique_text
from benchmarks.query_path.library_peer import LibraryPeer
from benchmarks.query_path.processes import MemorySampler, query_processes, settle_pss
from benchmarks.query_path.report import Run, Target, fmt_ratio, log, ratio, table
from benchmarks.query_path.servers import Server, ours_server, oxigraph_server, running
from benchmarks.query_path.timing import latencies, numbered
from benchmarks.query_path.workloads import HEAVY, LOOKUP, LOOKUP_IRI


def fairness_site(server: Server, graph: Graph, pages: bool) -> Site:
    entities = entity_pages(server, graph.subjects) if pages else []
    return Site(entities, graph.subjects, pages)


def run_fairness(run: Run, ours: Server, graph: Graph, args: argparse.Namespace) -> None:
    check_loopback_sources(args.clients)
    processes = query_processes(ours.pid)
    hostile = args.hostile or 2 * (processes or 4)
    site = fairness_site(ours, graph, pages=True)
    result: dict[str, Any] = {"query_processes": processes, "hostile_in_flight": hostile}
    if args.calm_seconds > 0:
        log(f"fairness: calm, {args.clients} ordinary clients, {args.calm_seconds:g} s")
        result["calm"] = fairness_run(
            ours, site, args.calm_seconds, args.clients, 0, args.pause, 0.1, 60
        )
    log(
        f"fairness: attack, {args.clients} ordinary clients + {hostile} hostile queries in "
        f"flight ({processes} query processes), {args.fairness_seconds:g} s"
    )
    result["attack"] = fairness_run(
        ours,
        site,
        args.fairness_seconds,
        args.clients,
        hostile,
        args.pause,
        args.hostile_pause,
        args.hostile_timeout,
    )
    run.sections["fairness"] = result
    report_fairness(run, result)


def report_fairness(run: Run, result: dict[str, Any]) -> None:
    attack = result["attack"]
    calm = result.get("calm")
    rows = []
    for cls, fig in [
        *attack["classes"].items(),
        ("all pages", attack["pages"]),
        ("all small queries", attack["small_queries"]),
    ]:
        calm_fig = None
        if calm is not None:
            calm_fig = (
                calm["pages"]
                if cls == "all pages"
                else calm["small_queries"]
                if cls == "all small queries"
                else calm["classes"].get(cls)
            )
        rows.append(
            [
                cls,
                fig["n"],
                fig["5xx"],
                fig["no_answer"],
                fig["p50_ms"],
                fig["p99_ms"],
                calm_fig["p99_ms"] if calm_fig else None,
                ", ".join(f"{k}: {v}" for k, v in fig["statuses"].items()),
            ]
        )
    hostile = attack["hostile"]
    rows.append(
        [
            "hostile (127.0.0.200)",
            hostile["n"],
            hostile["5xx"],
            hostile["no_answer"],
            hostile["p50_ms"],
            hostile["p99_ms"],
            None,
            ", ".join(f"{k}: {v}" for k, v in hostile["statuses"].items()),
        ]
    )
    run.tables.append(
        table(
            f"Fairness (ours): {attack['ordinary_clients']} ordinary clients pausing, "
            f"{attack['hostile_in_flight']} hostile queries in flight "
            f"({result['query_processes']} query processes), {attack['seconds']:g} s "
            f"(+{attack['drain_s']:g} s for the last answers); ordinary requests "
            f"{attack['ordinary_rps']:g}/s under attack"
            + (f", {calm['ordinary_rps']:g}/s calm" if calm else "")
            + f"; load {attack['load_before']:.1f} → {attack['load_after']:.1f}",
            ["class", "n", "5xx", "no answer", "p50 ms", "p99 ms", "p99 ms calm", "statuses"],
            rows,
        )
    )
    ordinary = attack["ordinary"]
    pages, small = attack["pages"], attack["small_queries"]
    run.targets.append(
        Target(
            "fairness-5xx",
            "Fairness: ordinary requests get 0 × 5xx (and every one an answer)",
            f"{ordinary['5xx']} × 5xx, {ordinary['no_answer']} without answer in {ordinary['n']}",
            ordinary["5xx"] == 0 and ordinary["no_answer"] == 0,
        )
    )
    for label, fig in (("pages", pages), ("small queries", small)):
        p99 = fig["p99_ms"]
        run.targets.append(
            Target(
                "fairness-p99-" + label.replace(" ", "-"),
                f"Fairness: p99 of {label} ≤ 1 s under attack",
                "-" if p99 is None else f"{p99:,.0f} ms",
                p99 is not None and p99 <= 1000,
            )
        )
    statuses = hostile["statuses"]
    only_refusals = set(statuses) <= {"429", "503"} and hostile["n"] > 0
    with_header = hostile["refusals_with_retry_after"] == hostile["refusals"]
    run.targets.append(
        Target(
            "fairness-hostile-statuses",
            "Fairness: the hostile client gets 429 or 503, each with Retry-After",
            ", ".join(f"{k}: {v}" for k, v in statuses.items())
            + f"; Retry-After on {hostile['refusals_with_retry_after']} of {hostile['refusals']}",
            only_refusals and with_header,
        )
    )
    run.targets.append(
        Target(
            "fairness-hostile-429",
            "Fairness: over its share, the hostile client is refused with 429 (not queued)",
            f"{hostile['429']} × 429"
            + (f", p50 {hostile['429_p50_ms']:.0f} ms" if hostile["429_p50_ms"] else ""),
            hostile["429"] > 0,
        )
    )


def run_oxigraph_hostile(run: Run, graph: Graph, work: Path, args: argparse.Namespace) -> None:
    """The same hostile load on the Oxigraph server, with ``--timeout-s`` at our deadline,
    and its ordinary clients sending the small queries only (it has no pages)."""
    server = oxigraph_server(
        graph.oxigraph_dir, work, "--timeout-s", str(round(args.hostile_deadline))
    )
    hostile = run.sections.get("fairness", {}).get("hostile_in_flight") or args.hostile or 8
    log(f"fairness note: the Oxigraph server, same hostile load, {args.oxigraph_hostile:g} s")
    with running(server):
        result = fairness_run(
            server,
            Site([], graph.subjects, pages=False),
            args.oxigraph_hostile,
            args.clients,
            hostile,
            args.pause,
            args.hostile_pause,
            args.hostile_timeout,
        )
    run.sections["fairness_oxigraph"] = result
    small, hostile_fig = result["small_queries"], result["hostile"]
    run.tables.append(
        table(
            f"For comparison: the Oxigraph server (--timeout-s {round(args.hostile_deadline)}) "
            f"under the same hostile load, {result['seconds']:g} s",
            ["class", "n", "5xx", "no answer", "p50 ms", "p99 ms", "statuses"],
            [
                [
                    "small queries",
                    small["n"],
                    small["5xx"],
                    small["no_answer"],
                    small["p50_ms"],
                    small["p99_ms"],
                    ", ".join(f"{k}: {v}" for k, v in small["statuses"].items()),
                ],
                [
                    "hostile",
                    hostile_fig["n"],
                    hostile_fig["5xx"],
                    hostile_fig["no_answer"],
                    hostile_fig["p50_ms"],
                    hostile_fig["p99_ms"],
                    ", ".join(f"{k}: {v}" for k, v in hostile_fig["statuses"].items()),
                ],
            ],
        )
    )


def run_scale(run: Run, hamar: Graph, work: Path, args: argparse.Namespace) -> None:
    log(f"scale: {args.copies} copies of the Hamar graph")
    graph, loader = build_scaled(work, hamar, args.copies)
    log(
        f"  {graph.triples:,} triples; loaded in {graph.load_s['oxigraph']:.1f} s (oxigraph "
        f"load + optimize), {graph.load_s['ours']:.1f} s (ours: {loader})"
    )
    ox = oxigraph_server(graph.oxigraph_dir, work)
    ours = ours_server(hamar.ours_dir, work, store_path=graph.ours_dir)
    servers = [ox, ours]
    with running(*servers):
        log(f"  first answer: oxigraph {ox.first_answer_s:.2f} s, ours {ours.first_answer_s:.2f} s")
        rest = {s.name: settle_pss(s.pid)[0] for s in servers}
        samplers = {s.name: MemorySampler(s.pid, interval=0.25) for s in servers}
        with samplers["oxigraph"], samplers["ours"]:
            rng = random.Random(5)
            sample = rng.sample(graph.subjects, min(args.lookups, len(graph.subjects)))
            rows = check_same_rows(
                servers,
                {
                    **HEAVY,
                    "lookup": LOOKUP.format(iri=LOOKUP_IRI),
                    "unique lookup": unique_text(sample[0], "0x0"),
                },
                strict=False,
            )
            # Each run of a heavy query is a new text (a comment with its number), so an
            # answer cache cannot serve it: this measures the engine's path, not a cache.
            # The engine library in this process takes its turn too (library_peer.py).
            fresh = {name: numbered(query) for name, query in HEAVY.items()}
            library = LibraryPeer(graph.ours_dir)
            heavy = latencies([*servers, library], fresh, args.heavy_repeat)
            del library  # its store is closed before the lookups
            light = latencies(
                servers,
                {
                    "lookup (same text)": lambda i: LOOKUP.format(iri=LOOKUP_IRI),
                    "lookup (unique text)": lambda i: unique_text(
                        sample[i % len(sample)], f"1x{i + 1}"
                    ),
                },
                args.lookups,
            )
        peak = {s.name: max(samplers[s.name].peak_mib, rest[s.name]) for s in servers}
    first = {s.name: s.first_answer_s for s in servers}
    run.sections["scale"] = {
        "copies": args.copies,
        "triples": graph.triples,
        "load_s": graph.load_s,
        "our_loader": loader,
        "rows": rows,
        "first_answer_s": first,
        "heavy": heavy,
        "light": light,
        "rest_mib": rest,
        "peak_mib": peak,
    }
    rows_out: list[list[object]] = []
    for name, figs in [*heavy.items(), *light.items()]:
        o, x, lib = figs["ours"], figs["oxigraph"], figs.get("pyoxigraph")
        ratio_text = fmt_ratio(ratio(o["median_ms"], x["median_ms"]))
        failures = f"{x['failed']} / {o['failed']}"
        library_text = (
            f"{lib['median_ms']:.1f} ({fmt_ratio(ratio(lib['median_ms'], x['median_ms']))}; "
            f"ours {fmt_ratio(ratio(o['median_ms'], lib['median_ms']))} of it)"
            if lib and lib["median_ms"] and o["median_ms"]
            else ""
        )
        rows_out.append(
            [
                name,
                x["median_ms"],
                o["median_ms"],
                ratio_text,
                library_text,
                x["p95_ms"],
                o["p95_ms"],
                failures,
            ]
        )
    for label, figures in (
        ("PSS at rest, MiB", rest),
        ("PSS peak, MiB", peak),
        ("first answer after start, s", first),
        ("load into a persistent store, s", graph.load_s),
    ):
        r = ratio(figures["ours"], figures["oxigraph"])
        rows_out.append([label, figures["oxigraph"], figures["ours"], fmt_ratio(r), "", "", "", ""])
    run.tables.append(
        table(
            f"Scale: {args.copies} strategies, {graph.triples:,} triples "
            f"(sequential, one kept-alive connection; heavy × {args.heavy_repeat}, "
            f"lookups × {args.lookups})",
            [
                "figure",
                "oxigraph median",
                "ours median",
                "ratio",
                "pyoxigraph in this process, median (ratio to the server; ours to it)",
                "oxigraph p95",
                "ours p95",
                "failed (ox / ours)",
            ],
            rows_out,
        )
    )
    worst_name, worst = max(
        (
            (n, ratio(f["ours"]["median_ms"], f["oxigraph"]["median_ms"]) or math.inf)
            for n, f in heavy.items()
        ),
        key=lambda item: item[1],
    )
    library_worst = max(
        (ratio(f["pyoxigraph"]["median_ms"], f["oxigraph"]["median_ms"]) or math.inf)
        for f in heavy.values()
    )
    size = f"{graph.triples:,} triples"
    run.targets.append(
        Target(
            "scale-heavy-latency",
            f"At {size} (issue: ~1M): heavy queries within 1.1× the server's latency (median)",
            f"worst {worst:.2f}× ({worst_name}); "
            + ", ".join(
                f"{n} {fmt_ratio(ratio(f['ours']['median_ms'], f['oxigraph']['median_ms']))}"
                for n, f in heavy.items()
            )
            + f"; the engine library alone (pyoxigraph, no HTTP) worst {library_worst:.2f}×",
            worst <= 1.1,
        )
    )
    mem = ratio(peak["ours"], peak["oxigraph"])
    run.targets.append(
        Target(
            "scale-memory",
            f"At {size} (issue: ~1M): peak PSS ≤ 4× the server's",
            f"{fmt_ratio(mem)} ({peak['ours']:.0f} against {peak['oxigraph']:.0f} MiB)",
            mem is not None and mem <= 4,
        )
    )
    run.targets.append(
        Target(
            "scale-startup",
            f"At {size} (issue: ~1M): first answer within 1 s of start",
            f"{first['ours']:.2f} s (Oxigraph server {first['oxigraph']:.2f} s)",
            (first["ours"] or math.inf) <= 1.0,
        )
    )
