"""Query processes that are the Oxigraph server (``HAMAR_GRAPH_QUERY_ENGINE=server``).

Every answer is compared with what a Python query process gives for the same job on the
same store (:func:`~hamar_graph.sparql.worker.execute`): status, form, format, row count,
truncation, and the body itself (parsed, as solutions or triples). The attacks (deadline,
memory cap, ``SERVICE``, ``FROM <file:…>``, ``LOAD``, a killed process) run against both
kinds of process in ``tests/web/test_sparql_attacks.py``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamar_graph.config import Settings
from hamar_graph.rdf.formats import GRAPH_FORMATS
from hamar_graph.sparql.guard import scan_query
from hamar_graph.sparql.pool import QueryPool, QueryStopped
from hamar_graph.sparql.server_process import (
    Response,
    ServerLink,
    find_binary,
    outcome,
    plan,
    request_bytes,
    server_recipe,
)
from hamar_graph.sparql.worker import NativeEngine, QueryJob, QueryOutcome, execute
from hamar_graph.store.base import Store
from hamar_graph.store.oxigraph import OxigraphSource

pytestmark = pytest.mark.skipif(find_binary() is None, reason="needs the oxigraph command")

HMS = "PREFIX hms: <https://data.hamar.kommune.no/def/> "
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
CITIES = HMS + "SELECT ?c WHERE { ?c a hms:TwinCity } ORDER BY ?c"
BASE = "http://127.0.0.1:5000/sparql"


def job(query: str, **kw: object) -> QueryJob:
    """A job as the endpoint makes it: form and dataset clause from the guard's scan."""
    scan = scan_query(query)
    fields: dict[str, object] = {
        "tabular_format": "json",
        "graph_format": "ttl",
        "max_rows": 100,
        "form": scan.form,
        "dataset_clause": scan.dataset_clause,
        "base_iri": BASE,
        **kw,
    }
    return QueryJob(query=query, **fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def path(disk_store: Store) -> str:
    return str(disk_store.path)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def pool(path: str) -> Iterator[QueryPool]:
    with QueryPool(OxigraphSource(path=path), size=1, timeout=30, engine="server") as started:
        started.start()
        yield started


@pytest.fixture(scope="module")
def library(path: str) -> NativeEngine:
    return NativeEngine(ox.Store.read_only(path))


def solutions(outcome: QueryOutcome) -> Counter[tuple[str, ...]]:
    fmt = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}[outcome.format_key or ""]
    parsed = ox.parse_query_results(outcome.body, format=getattr(ox.QueryResultsFormat, fmt))
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return Counter(tuple(str(row[name]) for name in names) for row in parsed)


def triples(outcome: QueryOutcome) -> set[str]:
    fmt = GRAPH_FORMATS[outcome.format_key or ""].oxigraph
    return {str(t) for t in ox.parse(outcome.body, format=fmt)}


def same(server: QueryOutcome, expected: QueryOutcome) -> None:
    assert (server.status, server.form, server.format_key) == (
        expected.status,
        expected.form,
        expected.format_key,
    )
    assert (server.truncated, server.count) == (expected.truncated, expected.count)
    assert server.message == expected.message


CASES = [
    pytest.param(job(CITIES), id="select-json"),
    pytest.param(job(CITIES, tabular_format="tsv"), id="select-tsv"),
    pytest.param(job(CITIES, tabular_format="csv"), id="select-csv"),
    pytest.param(job(CITIES, tabular_format="xml"), id="select-xml"),
    pytest.param(job(CITIES, max_rows=3), id="select-cut"),
    pytest.param(job(CITIES, max_rows=3, tabular_format="tsv"), id="select-cut-tsv"),
    pytest.param(job(CITIES, max_rows=8), id="select-at-the-cap"),
    pytest.param(job(SKOS + "SELECT ?l WHERE { ?s skos:prefLabel ?l } ORDER BY ?l"), id="text"),
    pytest.param(job("SELECT (<rel/x> AS ?x) WHERE {}"), id="relative-iri"),
    pytest.param(job(HMS + "ASK { ?c a hms:TwinCity }"), id="ask-json"),
    pytest.param(job(HMS + "ASK { ?c a hms:Nothing }", tabular_format="xml"), id="ask-xml"),
    pytest.param(job(HMS + "CONSTRUCT WHERE { ?c a hms:TwinCity }"), id="construct-ttl"),
    pytest.param(
        job(HMS + "CONSTRUCT WHERE { ?c a hms:TwinCity }", graph_format="nt"), id="construct-nt"
    ),
    pytest.param(
        job(HMS + "CONSTRUCT WHERE { ?c a hms:TwinCity }", graph_format="jsonld"), id="jsonld"
    ),
    pytest.param(
        job(HMS + "CONSTRUCT WHERE { ?c a hms:TwinCity }", graph_format="rdf", max_rows=2),
        id="construct-cut-rdfxml",
    ),
    pytest.param(
        job("DESCRIBE <https://data.hamar.kommune.no/id/vennskapsby/lund>"), id="describe"
    ),
    pytest.param(job(CITIES, tabular_format=None), id="select-not-acceptable"),
    pytest.param(job(HMS + "CONSTRUCT WHERE { ?c a ?t }", graph_format=None), id="graph-406"),
    pytest.param(job("SELECT * WHERE {\n  ?s ?p }"), id="syntax-error"),
    pytest.param(job("SELECT (COUNT(*) AS ?n) FROM <urn:x:none> WHERE { ?s ?p ?o }"), id="from"),
    pytest.param(
        job(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            protocol_dataset=True,
            default_graphs=("https://data.hamar.kommune.no/graph/data-places",),
        ),
        id="protocol-dataset",
    ),
    pytest.param(job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), id="union-of-graphs"),
    pytest.param(
        job("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"),
        id="named-graphs",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_the_server_answers_as_a_python_query_process(
    pool: QueryPool, library: NativeEngine, case: QueryJob
) -> None:
    expected = execute(library, case)
    answered = pool.run(case)
    same(answered, expected)
    if expected.status != 200:
        return
    if expected.form in ("SELECT", "ASK") and expected.format_key in ("tsv", "csv"):
        assert answered.body == expected.body
    elif expected.form == "SELECT":
        assert solutions(answered) == solutions(expected)
    elif expected.form == "ASK":
        assert answered.body.replace(b" ", b"") == expected.body.replace(b" ", b"")
    else:
        assert triples(answered) == triples(expected)


def test_the_union_and_a_from_clause_are_what_they_say(pool: QueryPool) -> None:
    """The store keeps each source in a named graph: with no dataset a query reads their
    union, and a ``FROM`` of a graph that does not exist reads nothing (the server's own
    ``--union-default-graph`` would read the union there too)."""

    def n(outcome: QueryOutcome) -> int:
        return int(solutions(outcome).most_common(1)[0][0][0].split('"')[1])

    everything = pool.run(job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    nothing = pool.run(job("SELECT (COUNT(*) AS ?n) FROM <urn:x:none> WHERE { ?s ?p ?o }"))
    assert n(everything) > 4000 and n(nothing) == 0


def test_a_text_that_mentions_service_runs_in_a_python_query_process(pool: QueryPool) -> None:
    """Not a ``SERVICE`` clause, but the letters: rdflib's check runs, in a process of its
    own without a network, and pyoxigraph answers, as the library engine does."""
    outcome = pool.run(
        job(HMS + "SELECT ?service WHERE { ?service a hms:TwinCity } ORDER BY ?service")
    )
    assert outcome.status == 200 and len(solutions(outcome)) == 8
    (pid,) = _one(pool.library_pids)  # (replaced after each such text: rdflib stays out)
    assert pid not in pool.pids()
    assert os.readlink(f"/proc/{pid}/exe") == os.path.realpath(sys.executable)
    refused = pool.run(
        job("SELECT * WHERE { ?s ?p ?o SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }")
    )
    assert refused.status == 403 and "SERVICE" in (refused.message or "")


def test_a_check_that_runs_long_does_not_hold_up_other_queries(path: str) -> None:
    """rdflib takes seconds over a long text that mentions ``service``: the check runs in
    the Python query process, stopped at the deadline, while the server answers others."""
    slow = (
        "SELECT * WHERE { ?s ?p ?o FILTER("
        + " || ".join(f'CONTAINS(?o, "service{i}")' for i in range(2500))
        + ") }"
    )
    finished: list[str] = []
    with QueryPool(OxigraphSource(path=path), size=1, timeout=3, engine="server") as tight:
        tight.start()
        tight.run(job("SELECT ?service WHERE {} LIMIT 1"))  # the Python process is started
        hostile: dict[str, object] = {}

        def send() -> None:
            try:
                hostile["outcome"] = tight.run(job(slow), "127.0.0.2")
            except QueryStopped as stopped:
                hostile["stopped"] = stopped
            finished.append("hostile")

        thread = threading.Thread(target=send)
        thread.start()
        deadline = time.monotonic() + 30
        while not tight.busy_pids():  # the check is under way
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert tight.busy_pids() == tight.library_pids()
        ordinary = tight.run(job(CITIES))
        finished.append("ordinary")
        thread.join(30)
    assert ordinary.status == 200 and len(solutions(ordinary)) == 8
    assert finished == ["ordinary", "hostile"]
    stopped = hostile.get("stopped")
    assert isinstance(stopped, QueryStopped) and stopped.reason == "timeout"


def test_a_syntax_error_points_into_the_clients_text(pool: QueryPool) -> None:
    """The request puts a ``BASE`` line above the text: the position is the text's own."""
    outcome = pool.run(job("SELECT * WHERE {\n  ?s ?p }"))
    assert outcome.status == 400 and "error at 2:10" in (outcome.message or "")


def test_a_process_that_died_while_idle_is_replaced_and_the_query_answered(
    pool: QueryPool,
) -> None:
    victim = pool.pids()[0]
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.2)
    outcome = pool.run(job(CITIES))
    assert outcome.status == 200 and len(solutions(outcome)) == 8
    deadline = time.monotonic() + 30
    while victim in pool.pids() or len(pool.pids()) < pool.size:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_the_processes_are_the_server_binary_under_the_memory_cap(pool: QueryPool) -> None:
    pid = pool.pids()[0]
    assert os.readlink(f"/proc/{pid}/exe") == os.path.realpath(find_binary() or "")
    with open(f"/proc/{pid}/limits", encoding="ascii") as fh:
        limit = next(line for line in fh if line.startswith("Max address space"))
    assert str(pool.memory_mb * 1024 * 1024) in limit
    assert not pool.isolated()  # it keeps its network: the pool reaches it on loopback


def test_a_store_not_on_disk_is_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match="needs the embedded store on disk"):
        server_recipe(OxigraphSource(nquads=b""))


def test_a_missing_command_is_refused_with_what_to_do(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hamar_graph.sparql.server_process as server_process

    monkeypatch.setattr(server_process, "find_binary", lambda: None)
    with pytest.raises(ValueError, match=r"pip install 'oxigraph"):
        server_recipe(OxigraphSource(path=path))


def test_the_setting_needs_the_embedded_store() -> None:
    with pytest.raises(
        ValueError, match=r"QUERY_ENGINE=server .* needs HAMAR_GRAPH_STORE=oxigraph"
    ):
        Settings(store="remote", endpoint="http://x/sparql", query_engine="server").check()
    with pytest.raises(ValueError, match="QUERY_ENGINE must be one of library, server"):
        Settings(query_engine="binary").check()


def test_the_request_carries_the_dataset_and_the_union() -> None:
    plain = request_bytes(job(CITIES), "text/tab-separated-values", union=True)
    assert plain.startswith(b"POST /query?union-default-graph HTTP/1.1\r\n")
    assert f"BASE <{BASE}>\n{CITIES}".encode() in plain
    own = request_bytes(job(CITIES, dataset_clause=True), "text/csv", union=True)
    assert own.startswith(b"POST /query HTTP/1.1\r\n")
    given_graphs = request_bytes(
        job(CITIES, protocol_dataset=True, default_graphs=("urn:x:a b",), named_graphs=("urn:y",)),
        "text/csv",
        union=True,
    )
    assert given_graphs.startswith(
        b"POST /query?default-graph-uri=urn%3Ax%3Aa%20b&named-graph-uri=urn%3Ay HTTP/1.1\r\n"
    )


# --- reading the server's answer a piece at a time -----------------------------------------

BODY = b"?c\n" + b"".join(b"<urn:x:%d>\n" % i for i in range(50))


def chunked(body: bytes, size: int) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/tab-separated-values\r\n"
    return head + b"transfer-encoding: chunked\r\n\r\n" + framed + b"0\r\n\r\n"


@settings(max_examples=60, deadline=None)
@given(chunk=st.integers(1, 40), cuts=st.lists(st.integers(1, 30), min_size=1, max_size=200))
def test_a_chunked_answer_read_in_any_pieces_is_the_whole_body(chunk: int, cuts: list[int]) -> None:
    raw = chunked(BODY, chunk)
    response = Response(None)
    position = 0
    for cut in cuts * (len(raw) // len(cuts) + 1):
        if response.done or position >= len(raw):
            break
        response.feed(raw[position : position + cut])
        position += cut
    assert response.complete and bytes(response.body) == BODY


def test_reading_stops_one_row_past_the_cap() -> None:
    response = Response(max_lines=12)  # the header, ten rows and one more
    response.feed(chunked(BODY, 7)[:200])
    assert not response.done
    response.feed(chunked(BODY, 7)[200:])
    assert response.capped and response.lines >= 12


def test_an_answer_with_a_length_or_ended_by_the_connection() -> None:
    sized = Response(None)
    sized.feed(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\noops!")
    assert sized.complete and sized.status == 400 and bytes(sized.body) == b"oops!"
    open_ended = Response(None)
    open_ended.feed(b"HTTP/1.1 200 OK\r\n\r\ntrue")
    assert not open_ended.done
    open_ended.feed(b"")
    assert open_ended.complete and bytes(open_ended.body) == b"true"
    cut_off = Response(None)
    cut_off.feed(chunked(BODY, 9)[:100])
    cut_off.feed(b"")
    assert cut_off.ended and not cut_off.complete


def test_bytes_that_are_not_http_end_the_reading_incomplete() -> None:
    for garbage in (b"HTTP/1.1 OK\r\n\r\n", b"nonsense\r\n\r\n", chunked(BODY, 9)[:90] + b"zz\r\n"):
        response = Response(None)
        response.feed(garbage)
        assert response.ended and not response.complete


class _OneAnswer:
    """A loopback listener that answers one connection with ``raw`` and closes it."""

    def __init__(self, raw: bytes) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, args=(raw,), daemon=True)
        self.thread.start()

    def _serve(self, raw: bytes) -> None:
        with self.sock:
            conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(raw)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n?c\n<not an iri\n", 500),
        (b"HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\n\r\nnope", 500),
        (b"HTTP/1.1 400 Bad Request\r\ncontent-length: 18\r\n\r\nerror at 2:3: oops", 400),
    ],
)
def test_an_answer_that_cannot_be_read_is_an_error_outcome(raw: bytes, status: int) -> None:
    server = _OneAnswer(raw)
    link = ServerLink(server.port)
    link.send(job(CITIES))
    assert link.poll(10)
    outcome = link.recv()
    assert outcome.status == status and outcome.message
    if status == 400:
        assert "error at 1:3" in outcome.message  # the BASE line above the text taken off


def test_a_connection_closed_before_the_answer_is_a_dead_process() -> None:
    server = _OneAnswer(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\n?c\n<u")
    link = ServerLink(server.port)
    link.send(job(CITIES))
    assert link.poll(10)
    with pytest.raises(EOFError):
        link.recv()


def test_the_last_line_is_kept_unless_reading_stopped_inside_it() -> None:
    asked = plan(job(CITIES, tabular_format="tsv"))
    assert not isinstance(asked, QueryOutcome)
    whole = outcome(b"?c\n<urn:x:1>\n<urn:x:2>", job(CITIES, tabular_format="tsv"), asked)
    assert (whole.count, whole.body) == (2, b"?c\n<urn:x:1>\n<urn:x:2>")
    cut = outcome(b"?c\n<urn:x:1>\n<urn:x:", job(CITIES, tabular_format="tsv"), asked, True)
    assert (cut.count, cut.body) == (1, b"?c\n<urn:x:1>\n")
    graph = job(HMS + "CONSTRUCT WHERE { ?c a hms:TwinCity }", graph_format="nt", max_rows=1)
    triples_plan = plan(graph)
    assert not isinstance(triples_plan, QueryOutcome)
    body = b"<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> <urn:d> .\n<urn:a> <urn:b> <urn:"
    answer = outcome(body, graph, triples_plan, True)
    assert (answer.truncated, answer.count, answer.body) == (True, 1, body.split(b"\n")[0] + b"\n")


_KILLED = """
import sys
from hamar_graph.sparql.pool import QueryPool
from hamar_graph.store.oxigraph import OxigraphSource
pool = QueryPool(OxigraphSource(path=sys.argv[1]), size=2, engine="server").start()
print(" ".join(str(pid) for pid in pool.pids()), flush=True)
sys.stdin.read()
"""


def test_the_servers_end_with_a_server_process_killed_outright(path: str) -> None:
    """SIGKILL: nothing of the server process runs, yet its Oxigraph servers end (they die
    with the fork server, which ends when the server process's socket closes)."""
    server = subprocess.Popen(
        [sys.executable, "-c", _KILLED, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        pids = [int(pid) for pid in server.stdout.readline().split()]
        assert len(pids) == 2
        assert all(os.readlink(f"/proc/{pid}/exe").endswith("oxigraph") for pid in pids)
        server.send_signal(signal.SIGKILL)  # the server process alone, not its group
        server.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in pids):
            assert time.monotonic() < deadline, "an Oxigraph server outlived its server process"
            time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)
        for stream in (server.stdin, server.stdout):
            if stream is not None:
                stream.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in (b"Z", b"X")


def test_the_python_process_for_service_texts_ends_when_idle(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hamar_graph.sparql.pool as pool_module

    monkeypatch.setattr(pool_module, "LIBRARY_IDLE", 0.2)
    with QueryPool(OxigraphSource(path=path), size=1, timeout=30, engine="server") as idle:
        idle.start()
        assert idle.run(job("SELECT ?service WHERE {} LIMIT 1")).status == 200
        (side,) = _one(idle.library_pids)
        time.sleep(0.3)
        assert idle.run(job(CITIES)).status == 200  # a query that goes to the server
        assert idle.library_pids() == [] and not _alive(side)
        assert idle.run(job("SELECT ?service WHERE {} LIMIT 1")).status == 200  # made again
        assert len(_one(idle.library_pids)) == 1


def _one(pids: Callable[[], list[int]]) -> list[int]:
    """``pids()`` once it names exactly one process (a replacement may be starting)."""
    deadline = time.monotonic() + 30
    while len(found := pids()) != 1:
        assert time.monotonic() < deadline, found
        time.sleep(0.01)
    return found
