"""The command line: arguments, the run of the chosen sections, ``--compare`` of two runs."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks import query_path as _pkg
from benchmarks.query_path.graph import build_hamar
from benchmarks.query_path.hamar_sections import run_hamar_servers, run_startup
from benchmarks.query_path.load_sections import run_scale
from benchmarks.query_path.report import Run, log, machine, table, versions
from benchmarks.query_path.servers import OURS_ENV, stop_all
from benchmarks.query_path.workloads import SECTIONS


def compare(before_path: Path, after_path: Path) -> str:
    """The targets of two ``--json`` files side by side (e.g. before and after a change)."""
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (before_path, after_path))
    old = {t.get("key", t["target"]): t for t in before["targets"]}
    verdict = {True: "yes", False: "no", None: "-"}
    rows = []
    for t in after["targets"]:
        was = old.pop(t.get("key", t["target"]), None)
        rows.append(
            [
                t["target"],
                was["measured"] if was else "-",
                t["measured"],
                f"{verdict[was['holds']] if was else '-'} → {verdict[t['holds']]}",
            ]
        )
    rows += [[t["target"], t["measured"], "-", f"{verdict[t['holds']]} → -"] for t in old.values()]
    title = (
        f"Targets: {before['meta'].get('started', before_path)} → "
        f"{after['meta'].get('started', after_path)}"
    )
    return table(title, ["target", "before", "after", "holds"], rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.query_path", description=(_pkg.__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="short runs: a smoke test")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})",
    )
    parser.add_argument("--copies", type=int, help="strategies at scale (620 ≈ 1M triples)")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--duration", type=float, help="seconds of each wrk run")
    parser.add_argument("--warmup", type=float, help="seconds of wrk before the timed runs")
    parser.add_argument("--rounds", type=int, help="timed wrk runs per workload and server")
    parser.add_argument("--startup-repeat", type=int, help="starts of each server")
    parser.add_argument("--fairness-seconds", type=float, help="seconds of the attack")
    parser.add_argument("--calm-seconds", type=float, help="seconds without attack (0: skip)")
    parser.add_argument(
        "--oxigraph-hostile", type=float, help="seconds of the Oxigraph comparison (0: skip)"
    )
    parser.add_argument("--clients", type=int, default=24, help="ordinary clients")
    parser.add_argument("--pause", type=float, default=0.2, help="ordinary clients' pause, s")
    parser.add_argument(
        "--hostile",
        type=int,
        default=0,
        help="hostile queries in flight (default: 2 × the query processes found)",
    )
    parser.add_argument(
        "--hostile-pause", type=float, default=0.1, help="hostile pause after a refusal, s"
    )
    parser.add_argument(
        "--hostile-timeout", type=float, default=60.0, help="hostile client's own timeout, s"
    )
    parser.add_argument(
        "--hostile-deadline",
        type=float,
        default=10.0,
        help="--timeout-s of the Oxigraph server in the comparison (our default deadline)",
    )
    parser.add_argument("--heavy-repeat", type=int, help="requests per heavy query at scale")
    parser.add_argument("--lookups", type=int, help="requests per lookup at scale")
    parser.add_argument("--workdir", type=Path, help="keep the graphs and logs here")
    parser.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="leave out the floor (the least a Python server can do) from the throughput runs",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("BEFORE", "AFTER"),
        help="print the targets of two --json files side by side, and run nothing",
    )
    parser.add_argument(
        "--ours-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting for our server (HAMAR_GRAPH_...); repeatable; default: none",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {
        "copies": 20 if quick else 620,
        "duration": 3.0 if quick else 10.0,
        "rounds": 1 if quick else 3,
        "warmup": 1.0 if quick else 3.0,
        "startup_repeat": 1 if quick else 3,
        "fairness_seconds": 5.0 if quick else 30.0,
        "calm_seconds": 3.0 if quick else 10.0,
        "oxigraph_hostile": 3.0 if quick else 15.0,
        "heavy_repeat": 3 if quick else 15,
        "lookups": 10 if quick else 40,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    args.sections = only
    for item in args.ours_env:
        key, sep, value = item.partition("=")
        if not sep or not key.startswith("HAMAR_GRAPH_"):
            parser.error(f"--ours-env wants HAMAR_GRAPH_NAME=VALUE, not {item!r}")
        OURS_ENV[key] = value
    if not 1 <= args.clients <= 100:
        parser.error("--clients must be 1..100 (one loopback address each)")
    return args


def _interrupted(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.compare:
        print(compare(*args.compare))
        return 0
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupted)
    run = Run(
        {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k != "sections"
        }
        | {"sections": sorted(args.sections)}
    )
    run.meta = {
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": os.getloadavg(),
        "versions": versions(),
    }
    keep = args.workdir is not None
    work = args.workdir or Path(tempfile.mkdtemp(prefix="hamar-query-path-"))
    work.mkdir(parents=True, exist_ok=True)
    log(f"work folder: {work}; load average {os.getloadavg()[0]:.2f}")
    try:
        graph = build_hamar(work)
        log(f"built: {graph.triples:,} triples, {len(graph.subjects):,} subjects")
        run.meta["hamar_triples"] = graph.triples
        loads = run.meta["load_at_section_start"] = {}
        if "startup" in args.sections:
            loads["startup"] = os.getloadavg()
            run_startup(run, graph, work, args.startup_repeat)
        if args.sections & {"throughput", "memory", "fairness"}:
            loads["throughput/memory/fairness"] = os.getloadavg()
            run_hamar_servers(run, graph, work, args.sections, args)
        if "scale" in args.sections:
            loads["scale"] = os.getloadavg()
            run_scale(run, graph, work, args)
    except KeyboardInterrupt:
        log("interrupted: stopping the servers")
        return 130
    finally:
        stop_all()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    run.meta["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    run.meta["load_after"] = os.getloadavg()
    before, after = run.meta["load_before"], run.meta["load_after"]
    print(
        f"## Query path ({run.meta['started']}, {run.meta['machine']}; load average "
        f"{before[0]:.2f} → {after[0]:.2f}; Hamar graph {run.meta['hamar_triples']:,} triples)\n"
    )
    if OURS_ENV:
        print(f"**Not default settings**: ours ran with {OURS_ENV}.\n")
    for text in run.tables:
        print(text)
    print(
        table(
            "Targets of issue 12", ["target", "measured", "holds"], [t.row() for t in run.targets]
        )
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in run.meta["versions"].items()))
    if args.json:
        args.json.write_text(json.dumps(run.as_json(), indent=2, default=str) + "\n")
        log(f"wrote {args.json}")
    return 0
