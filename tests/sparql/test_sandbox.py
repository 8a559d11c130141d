"""The query worker pool on its own: data sources, the deadline for a free worker,
network isolation, and clean shutdown."""

from __future__ import annotations

import contextlib
import ctypes
import json
import multiprocessing
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from hamar_graph.sparql.pool import QueryPool, QueryStopped
from hamar_graph.sparql.worker import QueryJob, execute
from hamar_graph.store.base import Store
from hamar_graph.store.memory import MemoryStore
from hamar_graph.store.oxigraph import OxigraphEngine, OxigraphSource, OxigraphStore

COUNT_CITIES = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/> "
    "SELECT (COUNT(?c) AS ?n) WHERE { ?c a hms:TwinCity }"
)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def job(query: str, **kw: object) -> QueryJob:
    return QueryJob(query=query, tabular_format="json", graph_format="ttl", max_rows=100, **kw)  # type: ignore[arg-type]


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_execute_in_process(store: Store) -> None:
    native = OxigraphEngine(store.native)  # type: ignore[attr-defined]
    outcome = execute(native, job(COUNT_CITIES))
    assert (outcome.status, outcome.form, count(outcome.body)) == (200, "SELECT", 8)
    assert outcome.media_type == "application/sparql-results+json"
    refused = execute(native, job("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"))
    assert refused.status == 403
    bad = execute(native, job("SELECT * {"))
    assert bad.status == 400 and "error at 1:" in (bad.message or "")


def test_persistent_store_is_opened_read_only_by_the_worker(
    dataset: Dataset, tmp_path: Path
) -> None:
    path = tmp_path / "store"
    writable = OxigraphStore(path)
    writable.load(dataset)
    del writable  # release RocksDB's lock before others open it
    served = OxigraphStore(path, read_only=True)
    source = served.engine_source()
    assert source.path == str(path) and source.nquads is None
    with QueryPool(source, size=1, timeout=30).start() as pool:
        outcome = pool.run(job(COUNT_CITIES))
    assert count(outcome.body) == 8


def _reserved_mib(pid: int) -> float:
    """Anonymous address space a process reserved and never made usable (``---p``): what
    glibc's malloc arenas hold back, 64 MiB each but for what they have handed out."""
    total = 0
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[1] == "---p":
            start, end = (int(x, 16) for x in parts[0].split("-"))
            total += end - start
    return total / 2**20


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="arenas are glibc's")
def test_capped_arenas_leave_the_memory_cap_to_the_query(dataset: Dataset, tmp_path: Path) -> None:
    path = tmp_path / "store"
    writable = OxigraphStore(path)
    writable.load(dataset)
    del writable
    source = OxigraphStore(path, read_only=True).engine_source()
    reserved = {}
    for arenas in (0, 2):
        with QueryPool(source, size=1, timeout=30, malloc_arenas=arenas).start() as pool:
            assert count(pool.run(job(COUNT_CITIES)).body) == 8  # the engine's threads ran
            reserved[arenas] = _reserved_mib(pool.pids()[0])
    # Uncapped, the engine's threads each get an arena: hundreds of MiB of the process's
    # address space, which its HAMAR_GRAPH_QUERY_MEMORY_MB cap counts. Two arenas: the
    # main one (no reservation) and at most one more (and the threads' guard pages).
    assert reserved[0] > 64
    assert reserved[2] < 65


def test_any_store_is_copied_as_nquads(dataset: Dataset) -> None:
    memory = MemoryStore()
    memory.load(dataset)
    source = memory.engine_source()
    assert source.path is None and source.nquads
    with QueryPool(source, size=1, timeout=30).start() as pool:
        outcome = pool.run(job(COUNT_CITIES))
        graphs = pool.run(job("SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"))
    assert count(outcome.body) == 8
    assert count(graphs.body) == len(memory.graph_names())


def test_a_request_waits_for_a_free_worker_only_until_its_deadline(store: Store) -> None:
    with QueryPool(store.engine_source(), size=1, timeout=2).start() as pool:
        errors: list[QueryStopped] = []

        def slow() -> None:
            try:
                pool.run(job(SLOW), "192.0.2.1")
            except QueryStopped as exc:
                errors.append(exc)

        thread = threading.Thread(target=slow)
        thread.start()
        deadline = time.monotonic() + 30
        while not pool.busy_pids():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        with pytest.raises(QueryStopped) as waiting:  # another client, within its share
            pool.run(job(COUNT_CITIES), "192.0.2.2")
        thread.join(30)
        assert waiting.value.status == 503
        assert waiting.value.reason == "busy"
        assert "stayed busy" in waiting.value.message
        assert "Retry-After" in waiting.value.headers
        assert errors and errors[0].reason == "timeout"
        pool.wait_ready(1, 60)
        assert count(pool.run(job(COUNT_CITIES)).body) == 8


def _can_unshare() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    return any(libc.unshare(flags) == 0 for flags in (0x40000000, 0x50000000))


def _probe(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(_can_unshare())


def test_workers_lose_their_network_where_the_kernel_allows() -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    probe = ctx.Process(target=_probe, args=(queue,))
    probe.start()
    allowed = queue.get(timeout=60)
    probe.join(30)
    source = OxigraphSource(nquads=b"")
    with QueryPool(source, size=1, timeout=30).start() as pool:
        assert pool.isolated() is allowed
    with QueryPool(source, size=1, timeout=30, isolate_network=False).start() as pool:
        assert pool.isolated() is False


def test_close_stops_every_worker() -> None:
    pool = QueryPool(OxigraphSource(nquads=b""), size=2, timeout=30).start()
    pids = pool.pids()
    assert len(pids) == 2
    pool.close()
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)
    with pytest.raises(QueryStopped):
        pool.run(job(COUNT_CITIES))
    pool.close()  # twice is fine


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return "gone"


def test_a_worker_that_cannot_start_is_reported(tmp_path: Path) -> None:
    pool = QueryPool(OxigraphSource(path=str(tmp_path / "missing")), size=1, timeout=5)
    with pytest.raises(QueryStopped) as caught:
        pool.start(wait=True, timeout=2)
    pool.close()
    assert caught.value.reason == "unavailable"
    assert "did not start" in caught.value.message


def test_truncation_in_every_format(store: Store) -> None:
    native = OxigraphEngine(store.native)  # type: ignore[attr-defined]
    query = "SELECT ?s WHERE { ?s a ?t } ORDER BY ?s"
    for fmt in ("json", "xml", "csv", "tsv"):
        outcome = execute(
            native,
            QueryJob(query=query, tabular_format=fmt, graph_format=None, max_rows=3),
        )
        assert outcome.truncated and outcome.count == 3
        parsed = (
            ox.parse_query_results(outcome.body, format=getattr(ox.QueryResultsFormat, fmt.upper()))
            if fmt != "csv"
            else None
        )
        if parsed is not None:
            assert len(list(parsed)) == 3  # type: ignore[arg-type]
        else:
            assert len(outcome.body.decode().strip().splitlines()) == 4  # header + 3
    small = execute(
        native,
        QueryJob(query=query + " LIMIT 2", tabular_format="json", graph_format=None, max_rows=3),
    )
    assert not small.truncated and small.count == 2


_KILLED_SERVER = """
import sys, time
from hamar_graph.sparql.pool import QueryPool
from hamar_graph.store.oxigraph import OxigraphSource
pool = QueryPool(OxigraphSource(nquads=open(sys.argv[1], "rb").read()), size=1, timeout=5)
pool.start(wait=True)
print(pool._tmp, flush=True)
time.sleep(60)  # a server at work until the test kills it; 60 s bounds a test that fails
"""


@contextlib.contextmanager
def _server_with_a_pool(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path, Path]]:
    """A server process (in a session of its own, so its group can be killed at once) that
    made a pool over a one-triple file, and the pool's folder and the file; killed, with
    its group, whatever happens. Its temporary directory is the test's own, so that a pool
    made meanwhile by a test in another process (``-n 2``), which sweeps the machine's
    temporary directory, cannot take the folder the test is looking at."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    data = tmp_path / "data.nq"
    data.write_text(
        "<https://data.hamar.kommune.no/id/vennskapsby/lund> "
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "Lund"@nb .\n'
    )
    server = subprocess.Popen(
        [sys.executable, "-c", _KILLED_SERVER, str(data)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    try:
        assert server.stdout is not None
        folder = Path(server.stdout.readline().strip())
        assert folder.parent == scratch
        yield server, folder, data
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
        if server.stdout is not None:
            server.stdout.close()


def test_a_server_killed_without_closing_its_pool_leaves_no_folder(tmp_path: Path) -> None:
    """The pool's folder holds a copy of the data and the processes' logs; when its server
    process is killed (SIGKILL: nothing of it runs), the fork server removes the folder."""
    with _server_with_a_pool(tmp_path) as (server, folder, _):
        assert (folder / "data.nq").is_file()  # the pool's copy of the data
        server.send_signal(signal.SIGKILL)  # the server alone, not its group
        server.wait(10)
        deadline = time.monotonic() + 10
        while folder.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not folder.exists()


def test_a_folder_left_by_a_killed_process_group_goes_with_the_next_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed all at once (server, fork server and query processes: ``kill -9 -PGID``),
    nobody removes the pool's folder; the next pool made on the machine sweeps the folders
    whose server process is gone, and only those."""
    import tempfile

    with _server_with_a_pool(tmp_path) as (server, folder, data):
        monkeypatch.setattr(tempfile, "tempdir", str(folder.parent))  # this process's pools
        assert folder.name.startswith("hamar-sparql-") and f"-{server.pid}-" in folder.name
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
        assert folder.exists()  # nothing of the group ran to remove it
        pool = QueryPool(OxigraphSource(nquads=data.read_bytes()), size=1)
        try:
            assert not folder.exists()  # swept by the pool just made
            assert Path(pool._tmp).exists()  # a live server's folder stays
            assert Path(pool._tmp).parent == folder.parent
        finally:
            pool.close()


def test_the_sweep_takes_only_folders_of_gone_processes(tmp_path: Path) -> None:
    """A pool folder whose process has ended goes; a live process's and anything else
    stay."""
    from hamar_graph.sparql.scratch import folder_prefix, sweep_stale_folders

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = int(gone.stdout)
    ours = folder_prefix()  # hamar-sparql-{ns}-{pid}-
    namespace = ours.split("-")[2]
    dead_here = f"hamar-sparql-{namespace}-{dead}-abc"
    dead_elsewhere = f"hamar-sparql-{int(namespace) + 1}-{dead}-ghi"  # another namespace's
    for name in (dead_here, dead_elsewhere, f"{ours}def", "other"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "worker.log").write_text("x")
    assert sweep_stale_folders(str(tmp_path)) == [dead_here]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [dead_elsewhere, f"{ours}def", "other"]
    )


def test_a_process_that_ran_rdflibs_check_is_replaced(store: Store) -> None:
    """A text that mentions ``service`` is also parsed by rdflib in the query process, which
    then holds rdflib's parser (about 25 MiB): the process is replaced after it, so the pool
    keeps no more memory at rest than before; ordinary queries keep their process."""
    with QueryPool(store.engine_source(), size=1, timeout=30).start() as pool:
        first = pool.run(job(COUNT_CITIES))
        (pid,) = pool.pids()
        assert count(first.body) == 8 and pool.run(job(COUNT_CITIES)).status == 200
        assert pool.pids() == [pid]  # kept
        checked = pool.run(job("SELECT (COUNT(?service) AS ?n) WHERE { ?service a ?t }"))
        assert checked.status == 200 and count(checked.body) > 8
        deadline = time.monotonic() + 30
        while len(pool.pids()) != 1 or pool.pids() == [pid]:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert _state(pid) in ("gone", "Z")
