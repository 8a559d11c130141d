"""Issue 12's query-path targets: our /sparql against the Oxigraph server, in one run.

The instrument for "make the query path lean and fair". It measures every target of the
issue as a ratio to the Oxigraph server (``oxigraph serve-read-only``) on the same
N-Triples, started and stopped by this script, on loopback only:

- ``throughput``: ``wrk -t2 -c16`` against each server for (a) lookups with a different
  subject IRI and a different query text on every request, (b) one lookup text repeated,
  (c) a join with a FILTER repeated; req/s counting 2xx answers only, p50/p99, non-2xx;
- ``memory``: proportional set size (``Pss:`` of ``/proc/PID/smaps_rollup``) summed over
  each server's whole process tree: at rest after start, peak while loaded, after load;
- ``startup``: seconds from starting the process to its first answer on ``/sparql``,
  from a persistent store;
- ``scale``: a graph of ``--copies`` strategies (about 1M triples at 620), loaded into a
  persistent store for each server: median latency of heavy queries and of lookups, and
  peak PSS of each tree;
- ``fairness`` (ours only; the Oxigraph server's behaviour under the same hostile load is
  noted): 24 ordinary clients, each from its own loopback address (127.0.0.2 ...), pausing
  0.2 s between requests for pages and small queries, and one hostile address
  (127.0.0.200) keeping twice as many expensive queries in flight as there are query
  processes; statuses and p50/p99 per class, and whether refusals carry ``Retry-After``.

It talks to the servers over HTTP only and drives ``hamar-graph build`` / ``serve`` as
subprocesses (each server in its own process group, always stopped, Ctrl-C included); it
imports nothing of the project but :mod:`benchmarks.scale`, so it keeps working while the
server code moves. Judge ratios, not absolute numbers: the client runs on the same two
cores as the servers.

Usage::

    python -m benchmarks.query_path                      # the full run (about 7 minutes)
    python -m benchmarks.query_path --quick              # a smoke test (about 2 minutes)
    python -m benchmarks.query_path --only throughput,memory --json /tmp/qp.json
    python -m benchmarks.query_path --compare before.json after.json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTIONS = ("startup", "throughput", "memory", "fairness", "scale")

ID = "https://data.hamar.kommune.no/id/"
PREFIXES = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
JSON_RESULTS = "application/sparql-results+json"

#: The lookup of the issue; the repeated workload always asks for this subject.
LOOKUP_IRI = f"{ID}vennskapsby/lund"
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
#: The unique-text lookup: a comment and a variable name carry a per-request counter
#: (``__N__``), and ``__IRI__`` is the next subject of the graph (benchmarks/wrk_sparql.lua).
UNIQUE_TEMPLATE = "# wrk __N__\nSELECT ?p ?o__N__ WHERE { <__IRI__> ?p ?o__N__ }"
#: The join mix: published example 13 ("the action plan as a table"), measures → goals →
#: axes, with a label-language filter on every label.
JOIN = (
    PREFIXES + "SELECT ?axisLabel ?row ?goalLabel ?measureLabel WHERE {\n"
    "  ?goal a hms:ActionPlanGoal ; skos:prefLabel ?goalLabel ; hms:rowOrder ?row ;\n"
    "        hms:axis ?axis .\n"
    "  ?axis skos:prefLabel ?axisLabel .\n"
    '  FILTER(lang(?goalLabel) = "nb" && lang(?axisLabel) = "nb")\n'
    "  OPTIONAL { ?measure hms:servesGoal ?goal ; skos:prefLabel ?measureLabel .\n"
    '             FILTER(lang(?measureLabel) = "nb") }\n'
    "} ORDER BY ?axisLabel ?row ?measureLabel"
)
#: Heavy queries at scale: each returns few rows (below any row cap), so it measures the
#: engine's work plus the fixed cost of the path, not a truncated transfer.
HEAVY: dict[str, str] = {
    "count over a join": (
        PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?goal a hms:ActionPlanGoal ; "
        "hms:axis ?axis ; skos:prefLabel ?gl . ?axis skos:prefLabel ?al . "
        'FILTER(lang(?gl) = "nb" && lang(?al) = "nb") }'
    ),
    "count over a path + OPTIONAL": (
        PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?m a hms:Measure ; "
        "hms:servesGoal/hms:axis ?axis . OPTIONAL { ?m hms:responsibleActor ?who } }"
    ),
    "GROUP BY axis, ORDER BY (one row per axis)": (
        PREFIXES + "SELECT ?axis (COUNT(?goal) AS ?goals) WHERE { ?goal a hms:ActionPlanGoal ; "
        "hms:axis ?axis } GROUP BY ?axis ORDER BY DESC(?goals) ?axis"
    ),
    "GROUP BY class": (
        "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)"
    ),
    "GROUP BY label language": (
        PREFIXES + "SELECT ?lang (COUNT(*) AS ?n) WHERE { ?s skos:prefLabel ?l "
        "BIND(lang(?l) AS ?lang) } GROUP BY ?lang ORDER BY ?lang"
    ),
}
#: The hostile query: COUNT must see every row of a three-way cross product (about 4e10
#: on the Hamar graph), so it runs into any deadline and a row cap cannot cut it short.
HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Small queries of the ordinary clients (and the lookup of a random subject).
SMALL_QUERIES = (
    PREFIXES + "ASK { ?s a skos:ConceptScheme }",
    PREFIXES + "SELECT ?c ?l WHERE { ?c a hms:TwinCity ; skos:prefLabel ?l "
    'FILTER(lang(?l) = "en") } ORDER BY ?l',
    PREFIXES + "SELECT (COUNT(?g) AS ?n) WHERE { ?g a hms:ActionPlanGoal }",
    PREFIXES + "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(lang(?l) = 'nb') } LIMIT 20",
)
SEARCH_TERMS = ("hamar", "vennskapsby", "Lund", "kultur", "ORE", "skole")

#: Every request a client sends waits at most this long (the hostile one gets its own).
CLIENT_TIMEOUT = 30.0
HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk_sparql.lua"


# --- processes and memory ------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _parents() -> dict[int, int]:
    """pid → parent pid of every process, from /proc/*/stat."""
    out: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces or parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        out[int(entry)] = int(fields[1])
    return out


def start_time(pid: int) -> str | None:
    """The start time of ``pid`` (field 22 of /proc/PID/stat): with the pid, an identity
    that a recycled pid does not share."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split()[19]


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (those alive now)."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def pss_kib(pid: int) -> int:
    """Proportional set size of one process in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def rollup_kib(pid: int) -> dict[str, int]:
    """Every ``NAME: N kB`` line of /proc/PID/smaps_rollup."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _, rest = line.partition(":")
            with contextlib.suppress(ValueError, IndexError):
                out[name] = int(rest.split()[0])
    return out


def process_role(pid: int, root: int) -> str:
    """What a process of a server's tree is, from its command line."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "gone"
    if b"spawn_main" in cmdline:
        return "query process (multiprocessing spawn)"
    if FORK_SERVER in cmdline:
        return "query process (forked)" if _is_fork_child(pid) else "query fork server"
    if b"resource_tracker" in cmdline:
        return "multiprocessing resource tracker"
    if pid == root:
        return "root (server's main process)" if b"hamar-graph" in cmdline else "the server"
    return "child of the root (server worker)"


def memory_by_role(root: int) -> dict[str, dict[str, float]]:
    """PSS (anonymous and file-backed), private and RSS in MiB per kind of process."""
    roles: dict[str, dict[str, float]] = {}
    for pid in process_tree(root):
        rollup = rollup_kib(pid)
        if not rollup:
            continue
        role = roles.setdefault(
            process_role(pid, root),
            {
                "processes": 0,
                "pss": 0.0,
                "pss_anon": 0.0,
                "pss_file": 0.0,
                "private": 0.0,
                "rss": 0.0,
            },
        )
        role["processes"] += 1
        role["pss"] += rollup.get("Pss", 0) / 1024
        role["pss_anon"] += rollup.get("Pss_Anon", 0) / 1024
        role["pss_file"] += rollup.get("Pss_File", 0) / 1024
        role["private"] += (rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)) / 1024
        role["rss"] += rollup.get("Rss", 0) / 1024
    return roles


def tree_pss_mib(root: int) -> tuple[float, int]:
    """PSS summed over ``root``'s process tree in MiB, and the number of processes."""
    pids = process_tree(root)
    return sum(pss_kib(pid) for pid in pids) / 1024, len(pids)


class MemorySampler:
    """Samples a process tree's PSS in a background thread and keeps the peak."""

    def __init__(self, root: int, interval: float = 0.5) -> None:
        self.root = root
        self.interval = interval
        self.peak_mib = 0.0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> float:
        mib, count = tree_pss_mib(self.root)
        if mib > self.peak_mib:
            self.peak_mib, self.peak_processes = mib, count
        return mib

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def settle_pss(root: int, timeout: float = 20.0) -> tuple[float, int]:
    """PSS of the tree once it stops changing (within 1 % over two 1-s steps)."""
    deadline = time.monotonic() + timeout
    last, count = tree_pss_mib(root)
    steady = 0
    while time.monotonic() < deadline and steady < 2:
        time.sleep(1.0)
        now, count = tree_pss_mib(root)
        steady = steady + 1 if abs(now - last) <= 0.01 * max(last, 1.0) else 0
        last = now
    return last, count


#: The command line of our query processes' fork server (``python -m hamar_graph.sparql.procs``);
#: the query processes it forks share it.
FORK_SERVER = b"hamar_graph.sparql.procs"


def _is_fork_child(pid: int) -> bool:
    """Whether ``pid`` was forked by a query fork server (its parent has the same name)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        parent = int(stat[stat.rfind(")") + 2 :].split()[1])
        return FORK_SERVER in Path(f"/proc/{parent}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return False


def query_processes(root: int) -> int:
    """Query processes in our tree: multiprocessing children started with spawn (before
    issue 12), or the children of our query fork server."""
    count = 0
    for pid in process_tree(root):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline or (FORK_SERVER in cmdline and _is_fork_child(pid)):
            count += 1
    return count


def bin_path(name: str) -> str:
    """An executable next to this Python (the venv), else on PATH."""
    candidate = Path(sys.executable).with_name(name)
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: see benchmarks/README.md, 'Query path'")
    return found


# --- HTTP ----------------------------------------------------------------------------------


@dataclass
class Answer:
    """One HTTP exchange."""

    status: int | None  #: None: no answer (connection error or client timeout)
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None


class Client:
    """One kept-alive HTTP/1.1 connection to 127.0.0.1, from a chosen source address."""

    def __init__(self, port: int, source: str | None = None, timeout: float = 30.0) -> None:
        self.port = port
        self.source = source
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connect(self) -> http.client.HTTPConnection:
        self.close()
        source = (self.source, 0) if self.source else None
        self.conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=self.timeout, source_address=source
        )
        return self.conn

    def request(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> Answer:
        started = time.perf_counter()
        for attempt in (0, 1):
            reused = self.conn is not None
            conn = self.conn or self._connect()
            try:
                conn.request(method, path, body=body, headers=dict(headers or {}))
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                self.close()
                if reused and attempt == 0:  # a kept-alive connection the server closed
                    continue
                return Answer(None, time.perf_counter() - started, error=type(e).__name__)
            except (OSError, http.client.HTTPException) as e:
                self.close()
                return Answer(None, time.perf_counter() - started, error=type(e).__name__)
            if response.will_close:
                self.close()
            head = {k.lower(): v for k, v in response.getheaders()}
            return Answer(response.status, time.perf_counter() - started, head, data)
        raise AssertionError("unreachable")

    def sparql(self, path: str, query: str) -> Answer:
        qs = urllib.parse.urlencode({"query": query})
        return self.request("GET", f"{path}?{qs}", {"Accept": JSON_RESULTS})


def result_rows(answer: Answer) -> int | None:
    """Rows of a SPARQL JSON answer; None if it is not a 200 with a complete JSON body
    (the Oxigraph server sends 200 and then an error text when its timeout cancels a query)."""
    if answer.status != 200:
        return None
    try:
        data = json.loads(answer.body)
        return 1 if "boolean" in data else len(data["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


# --- servers -------------------------------------------------------------------------------


_RUNNING: set[Server] = set()
#: ``--ours-env KEY=VALUE``: settings for our server, on top of the defaults (a run with any
#: is not a run "with default settings"; the report says so).
OURS_ENV: dict[str, str] = {}


class Server:
    """A server under test, in its own process group, with its output in a log file."""

    def __init__(
        self,
        name: str,
        command: Callable[[int], list[str]],
        query_path: str,
        log_dir: Path,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.command = command
        self.query_path = query_path
        self.env = dict(env) if env is not None else dict(os.environ)
        self.log_path = log_dir / f"{name}.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.first_answer_s: float | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 300.0) -> float:
        """Start the server and return the seconds until it first answered the lookup."""
        self.port = free_port()
        with self.log_path.open("ab") as log:
            started = time.monotonic()
            self.process = subprocess.Popen(
                self.command(self.port),
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _RUNNING.add(self)
        query = LOOKUP.format(iri=LOOKUP_IRI)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{tail}")
            client = Client(self.port, timeout=10)
            answer = client.sparql(self.query_path, query)
            client.close()
            if result_rows(answer):
                self.first_answer_s = time.monotonic() - started
                return self.first_answer_s
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout:g} s")

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the whole process group, then any descendant that left it."""
        if self.process is None:
            return
        alive = self.process.poll() is None
        tree = [(p, start_time(p)) for p in process_tree(self.process.pid)] if alive else []
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                continue
        for pid, started in tree:  # a process of this server that outlived its group
            if started is not None and start_time(pid) == started:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        self.process = None
        _RUNNING.discard(self)

    def client(self, source: str | None = None, timeout: float = CLIENT_TIMEOUT) -> Client:
        return Client(self.port, source, timeout)


def stop_all() -> None:
    for server in list(_RUNNING):
        server.stop(timeout=10)


def oxigraph_server(location: Path, log_dir: Path, *extra: str) -> Server:
    exe = bin_path("oxigraph")
    return Server(
        "oxigraph",
        lambda port: [
            exe,
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            *extra,
        ],
        "/query",
        log_dir,
    )


def ours_server(out_dir: Path, log_dir: Path, store_path: Path | None = None) -> Server:
    """``hamar-graph serve`` with default settings: every HAMAR_GRAPH_* variable of this
    environment is dropped; only the output folder (and a store path at scale) is set."""
    exe = bin_path("hamar-graph")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAMAR_GRAPH_", "FLASK_"))}
    env["HAMAR_GRAPH_OUT_DIR"] = str(out_dir)
    if store_path is not None:
        env["HAMAR_GRAPH_STORE_PATH"] = str(store_path)
    env.update(OURS_ENV)
    return Server(
        "ours",
        lambda port: [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
        "/sparql",
        log_dir,
        env,
    )


@contextlib.contextmanager
def running(*servers: Server) -> Iterator[None]:
    """Start ``servers`` one after the other (each start measured alone); stop them all."""
    try:
        for server in servers:
            server.start()
        yield
    finally:
        for server in servers:
            server.stop()


# --- the graph -----------------------------------------------------------------------------


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


# --- throughput (wrk) ----------------------------------------------------------------------


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
    servers: Sequence[Server], queries: Mapping[str, Callable[[int], str]], repeat: int
) -> dict[str, dict[str, dict[str, Any]]]:
    """Median and p95 ms of ``repeat`` sequential requests per query, one kept-alive
    connection per server; the servers take turns request by request."""
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


# --- fairness ------------------------------------------------------------------------------


@dataclass
class Sample:
    cls: str
    status: int | None
    seconds: float
    retry_after: bool = False
    broken: bool = False  #: a 200 whose JSON body is incomplete


@dataclass
class Site:
    """What the ordinary clients ask for."""

    entities: list[str]
    subjects: list[str]
    pages: bool  #: False for the Oxigraph server: small queries only


def ordinary_request(site: Site, rng: random.Random, query_path: str) -> tuple[str, str, str]:
    """(class, path, Accept) of an ordinary client's next request."""
    r = rng.random() if site.pages else 1.0
    if r < 0.10:
        return "home", "/", "text/html"
    if r < 0.35:
        return "entity", rng.choice(site.entities), "text/html"
    if r < 0.45:
        return (
            "search",
            "/sok?" + urllib.parse.urlencode({"q": rng.choice(SEARCH_TERMS)}),
            ("text/html"),
        )
    if r < 0.55:
        return "catalog", "/catalog", "text/turtle"
    if r < 0.65:
        return "void", "/.well-known/void", "text/turtle"
    if rng.random() < 0.4:
        query = LOOKUP.format(iri=rng.choice(site.subjects))
    else:
        query = rng.choice(SMALL_QUERIES)
    return "sparql", f"{query_path}?{urllib.parse.urlencode({'query': query})}", JSON_RESULTS


def _ordinary(
    server: Server,
    site: Site,
    source: str,
    seed: int,
    pause: float,
    stop: threading.Event,
    out: list[Sample],
) -> None:
    rng = random.Random(seed)
    client = server.client(source)
    mine: list[Sample] = []
    stop.wait(rng.random() * pause)  # people do not arrive in step
    while not stop.is_set():
        cls, path, accept = ordinary_request(site, rng, server.query_path)
        answer = client.request("GET", path, {"Accept": accept})
        broken = cls == "sparql" and answer.status == 200 and result_rows(answer) is None
        mine.append(
            Sample(cls, answer.status, answer.seconds, "retry-after" in answer.headers, broken)
        )
        stop.wait(pause)
    client.close()
    out.extend(mine)


def _hostile(
    server: Server,
    source: str,
    pause: float,
    timeout: float,
    stop: threading.Event,
    out: list[Sample],
) -> None:
    client = server.client(source, timeout=timeout)
    path = f"{server.query_path}?{urllib.parse.urlencode({'query': HOSTILE})}"
    mine: list[Sample] = []
    while not stop.is_set():
        answer = client.request("GET", path, {"Accept": JSON_RESULTS})
        broken = answer.status == 200 and result_rows(answer) is None
        mine.append(
            Sample(
                "hostile", answer.status, answer.seconds, "retry-after" in answer.headers, broken
            )
        )
        if answer.status != 200:
            stop.wait(pause)  # it ignores Retry-After, but does not spin
    client.close()
    out.extend(mine)


def fairness_run(
    server: Server,
    site: Site,
    seconds: float,
    clients: int,
    hostile: int,
    pause: float,
    hostile_pause: float,
    hostile_timeout: float,
) -> dict[str, Any]:
    """``clients`` ordinary clients (127.0.0.2 …) and ``hostile`` concurrent requests from
    127.0.0.200, for ``seconds``; figures per class."""
    stop = threading.Event()
    samples: list[Sample] = []
    threads = [
        threading.Thread(
            target=_ordinary,
            args=(server, site, f"127.0.0.{2 + i}", 1000 + i, pause, stop, samples),
            daemon=True,
        )
        for i in range(clients)
    ]
    threads += [
        threading.Thread(
            target=_hostile,
            args=(server, "127.0.0.200", hostile_pause, hostile_timeout, stop, samples),
            daemon=True,
        )
        for _ in range(hostile)
    ]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(hostile_timeout + CLIENT_TIMEOUT + 10)
    elapsed = time.monotonic() - started
    return summarize_fairness(samples, seconds, elapsed, load_before, clients, hostile)


def summarize_fairness(
    samples: Sequence[Sample],
    seconds: float,
    elapsed: float,
    load_before: float,
    clients: int,
    hostile: int,
) -> dict[str, Any]:
    """Figures per class. Requests still running at the end are waited for (up to their
    timeout) and counted: ``drain_s`` says how long that took."""

    def figures(group: Sequence[Sample]) -> dict[str, Any]:
        answered = [s.seconds * 1000 for s in group if s.status is not None]
        statuses = Counter(
            "no answer" if s.status is None else f"{s.status}" + (" broken" if s.broken else "")
            for s in group
        )
        return {
            "n": len(group),
            "5xx": sum(1 for s in group if s.status is not None and s.status >= 500),
            "no_answer": sum(1 for s in group if s.status is None),
            "broken_200": sum(1 for s in group if s.broken),
            "p50_ms": round(percentile(answered, 50), 1) if answered else None,
            "p99_ms": round(percentile(answered, 99), 1) if answered else None,
            "statuses": dict(sorted(statuses.items())),
        }

    ordinary = [s for s in samples if s.cls != "hostile"]
    hostile_samples = [s for s in samples if s.cls == "hostile"]
    classes = sorted({s.cls for s in ordinary})
    refused = [s for s in hostile_samples if s.status in (429, 503)]
    too_many = [s for s in hostile_samples if s.status == 429]
    return {
        "seconds": seconds,
        "drain_s": round(elapsed - seconds, 1),
        "ordinary_rps": round(len(ordinary) / seconds, 1),
        "ordinary_clients": clients,
        "hostile_in_flight": hostile,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "classes": {c: figures([s for s in ordinary if s.cls == c]) for c in classes},
        "pages": figures([s for s in ordinary if s.cls != "sparql"]),
        "small_queries": figures([s for s in ordinary if s.cls == "sparql"]),
        "ordinary": figures(ordinary),
        "hostile": {
            **figures(hostile_samples),
            "refusals_with_retry_after": sum(1 for s in refused if s.retry_after),
            "refusals": len(refused),
            "429": len(too_many),
            "429_p50_ms": (
                round(percentile([s.seconds * 1000 for s in too_many], 50), 1) if too_many else None
            ),
        },
    }


def entity_pages(server: Server, subjects: Sequence[str], want: int = 40) -> list[str]:
    """Paths of entity pages that answer 200 (checked once before the run)."""
    rng = random.Random(12)
    paths = sorted(
        {urllib.parse.urlsplit(s).path for s in subjects if s.startswith(ID)},
    )
    rng.shuffle(paths)
    # the axes first: the example (/id/akse/...)
    paths.sort(key=lambda p: not p.startswith("/id/akse/"))
    client = server.client()
    found: list[str] = []
    for path in paths:
        if len(found) >= want:
            break
        if client.request("GET", path, {"Accept": "text/html"}).status == 200:
            found.append(path)
    client.close()
    if not found:
        raise RuntimeError("no entity page answered 200")
    return found


def check_loopback_sources(count: int) -> None:
    """Every source address the clients use must be bindable (127.0.0.0/8 is on Linux)."""
    for address in [*(f"127.0.0.{2 + i}" for i in range(count)), "127.0.0.200"]:
        with socket.socket() as sock:
            sock.bind((address, 0))


# --- the report ----------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table under a ``### title`` line."""

    def cell(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
        return str(value)

    def numeric(column: int) -> bool:
        values = [row[column] for row in rows if row[column] not in (None, "")]
        return bool(values) and all(
            isinstance(v, int | float) or (isinstance(v, str) and v.endswith("×")) for v in values
        )

    lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---:" if numeric(i) else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def ratio(ours: float | None, ref: float | None) -> float | None:
    if ours is None or ref is None or ref == 0:
        return None
    return ours / ref


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}×"


@dataclass
class Target:
    key: str  #: stable name, for --compare
    target: str
    measured: str
    holds: bool | None  #: None: not measured in this run

    def row(self) -> list[str]:
        verdict = {True: "yes", False: "**no**", None: "not measured"}[self.holds]
        return [self.target, self.measured, verdict]


@dataclass
class Run:
    """Everything measured, for the tables and the JSON."""

    args: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "args": self.args,
            "sections": self.sections,
            "targets": [
                {"key": t.key, "target": t.target, "measured": t.measured, "holds": t.holds}
                for t in self.targets
            ],
        }


def versions() -> dict[str, str]:
    def first_line(command: list[str]) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except OSError as exc:
            return f"unavailable ({exc})"
        words = (done.stdout or done.stderr).strip().split()
        # "hamar-graph, version 0.1.0", "oxigraph 0.5.13", "wrk debian/4.1.0-3+b2 [epoll] ..."
        return words[2] if words[1:2] == ["version"] else words[1].split("/")[-1]

    return {
        "hamar-graph": first_line([bin_path("hamar-graph"), "--version"]),
        "oxigraph": first_line([bin_path("oxigraph"), "--version"]),
        "wrk": first_line([bin_path("wrk"), "--version"]),
        "python": sys.version.split()[0],
    }


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 2**20:.0f} GiB"
    return f"{os.cpu_count()} cores ({cpu}){mem}"


# --- the sections --------------------------------------------------------------------------


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
    subjects_file = work / "subjects.txt"
    subjects_file.write_text("\n".join(graph.subjects) + "\n", encoding="utf-8")
    with running(*servers):
        log(
            f"servers up: oxigraph :{ox.port} ({ox.first_answer_s:.2f} s), "
            f"ours :{ours.port} ({ours.first_answer_s:.2f} s)"
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
            for server in servers:
                mib, count = settle_pss(server.pid)
                memory[server.name] = {"rest_mib": mib, "rest_processes": count}
                roles[server.name] = memory_by_role(server.pid)
        samplers = {s.name: MemorySampler(s.pid) for s in servers}
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
                    for server in servers:
                        wrk(server, workload, min(args.duration, 5.0), subjects_file)
        if "memory" in sections:
            for server in servers:
                mib, count = tree_pss_mib(server.pid)
                memory[server.name].update(
                    after_load_mib=mib,
                    after_load_processes=count,
                    peak_mib=max(
                        samplers[server.name].peak_mib, mib, memory[server.name]["rest_mib"]
                    ),
                )
            report_memory(run, memory, roles)
        if "fairness" in sections:
            run_fairness(run, ours, graph, args)
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
        for name in ("oxigraph", "ours"):
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
                    fmt_ratio(r_median) if name == "ours" else "",
                    ", ".join(f"{x:.3f}" for x in ratios) if name == "ours" else "",
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
        run.targets.append(
            Target(
                f"throughput-{workload}",
                f"{label}: ≥ {goal}× the server's throughput",
                f"{fmt_ratio(entry['ratio'])} ({ours:,.0f} against {ox:,.0f} req/s)",
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
        ("peak_mib", "peak (sampled every 0.5 s)"),
        ("after_load_mib", "after the load"),
    ):
        rows.append([label, ox[key], ours[key], fmt_ratio(ratio(float(ours[key]), float(ox[key])))])
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
    run.targets.append(
        Target(
            "memory",
            "Memory (PSS, whole tree, defaults) ≤ 150 MiB on the Hamar graph (peak)",
            f"{float(ours['peak_mib']):.0f} MiB peak, {float(ours['rest_mib']):.0f} at rest "
            f"(Oxigraph server {float(ox['peak_mib']):.0f}; "
            f"{fmt_ratio(ratio(float(ours['peak_mib']), float(ox['peak_mib'])))})",
            float(ours["peak_mib"]) <= 150,
        )
    )


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
            fresh = {name: numbered(query) for name, query in HEAVY.items()}
            heavy = latencies(servers, fresh, args.heavy_repeat)
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
        o, x = figs["ours"], figs["oxigraph"]
        ratio_text = fmt_ratio(ratio(o["median_ms"], x["median_ms"]))
        failures = f"{x['failed']} / {o['failed']}"
        rows_out.append(
            [name, x["median_ms"], o["median_ms"], ratio_text, x["p95_ms"], o["p95_ms"], failures]
        )
    for label, figures in (
        ("PSS at rest, MiB", rest),
        ("PSS peak, MiB", peak),
        ("first answer after start, s", first),
        ("load into a persistent store, s", graph.load_s),
    ):
        r = ratio(figures["ours"], figures["oxigraph"])
        rows_out.append([label, figures["oxigraph"], figures["ours"], fmt_ratio(r), "", "", ""])
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
    size = f"{graph.triples:,} triples"
    run.targets.append(
        Target(
            "scale-heavy-latency",
            f"At {size} (issue: ~1M): heavy queries within 1.1× the server's latency (median)",
            f"worst {worst:.2f}× ({worst_name}); "
            + ", ".join(
                f"{n} {fmt_ratio(ratio(f['ours']['median_ms'], f['oxigraph']['median_ms']))}"
                for n, f in heavy.items()
            ),
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


# --- main ----------------------------------------------------------------------------------


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
        prog="python -m benchmarks.query_path", description=__doc__.split("\n\n")[0]
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
        "heavy_repeat": 3 if quick else 7,
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


if __name__ == "__main__":
    sys.exit(main())
