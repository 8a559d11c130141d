"""Faults met while serving, survived with nothing lost (issue 8, part 3).

- the remote store down or slow: 503/504 with a message within the deadline,
  and recovery when it returns;
- the server stopped during a download: the client can always tell a truncated
  body from a complete one (``Content-Length``), and a graceful stop finishes it;
- a build that fails under a running server: the server goes on serving the old
  files, byte for byte;
- a query worker killed mid-query: that request gets 503, later requests succeed
  and the pool is refilled.

The faults of ``build`` itself are in ``tests/web/test_faults.py``.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset

from benchmarks.load import ServeProcess, build_output, hamar_graph_command
from hamar_graph import __version__
from hamar_graph.store.base import Store
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_load import load_dataset
from tests.support.broken_sources import DUMP, copy_sources, insert_line, snapshot
from tests.support.oxigraph_server import OxigraphServer
from web import create_app

NQ = f"hamar-graph-{__version__}.nq"


# --- the remote store down or slow, seen through the app -------------------------------------

DEADLINE = 2.0
#: A failure must come within the deadline, plus the time to connect and answer.
WITHIN = DEADLINE + 3.0


class SlowProxy:
    """A loopback HTTP proxy to a SPARQL endpoint that waits ``delay`` seconds first."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.delay = 0.0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _forward(self) -> None:
                time.sleep(proxy.delay)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                request = urllib.request.Request(
                    proxy.target + self.path.lstrip("/"),
                    data=body,
                    method=self.command,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        data, status, headers = answer.read(), answer.status, answer.headers
                except urllib.error.HTTPError as error:
                    data, status, headers = error.read(), error.code, error.headers
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", headers.get("Content-Type", "text/plain"))
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the app gave up waiting, as it should

            do_GET = do_POST = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/query"

    def __enter__(self) -> SlowProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@pytest.fixture(scope="module")
def oxigraph(
    tmp_path_factory: pytest.TempPathFactory, dataset: Dataset
) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    load_dataset(RemoteStore(server.query_url, timeout=30), dataset)
    yield server
    server.stop()


def remote_app(endpoint: str, out: Path) -> Flask:
    app = create_app(
        {"store": "remote", "endpoint": endpoint, "query_timeout": DEADLINE, "out_dir": out}
    )
    app.config["TESTING"] = True
    return app


def timed_get(client: FlaskClient, path: str) -> tuple[int, str, float, dict[str, str]]:
    started = time.monotonic()
    response = client.get(path, headers={"Accept": "text/html"})
    body = response.get_data(as_text=True)
    return response.status_code, body, time.monotonic() - started, dict(response.headers)


#: Pages that ask the store on every request (index pages are computed once per app).
PAGES = ["/id/vennskapsby/lund", "/id/organisasjon/hamar-kommune", "/"]


@pytest.mark.server
def test_remote_store_down_gives_503_within_the_deadline_and_recovers(
    oxigraph: OxigraphServer, tmp_path: Path
) -> None:
    app = remote_app(oxigraph.query_url, tmp_path)
    client = app.test_client()
    for path in PAGES:
        status, body, _, _ = timed_get(client, path)
        assert status == 200, body[:300]
    oxigraph.stop()
    try:
        for path in PAGES:
            status, body, elapsed, headers = timed_get(client, path)
            assert status == 503, body[:300]
            assert "cannot be reached" in body
            assert elapsed < WITHIN
            assert headers["Retry-After"] == "5"
            assert oxigraph.query_url not in body  # the engine's address stays in the log
            assert "Traceback" not in body
    finally:
        oxigraph.start()
    for path in PAGES:
        status, body, _, _ = timed_get(client, path)
        assert status == 200, body[:300]
        assert "Lund" in body or path != PAGES[0]


@pytest.mark.server
def test_remote_store_slow_gives_504_within_the_deadline_and_recovers(
    oxigraph: OxigraphServer, tmp_path: Path
) -> None:
    with SlowProxy(oxigraph.base + "/") as proxy:
        app = remote_app(proxy.url, tmp_path)
        client = app.test_client()
        status, body, _, _ = timed_get(client, PAGES[0])
        assert status == 200, body[:300]
        proxy.delay = DEADLINE + 3
        for path in PAGES:
            status, body, elapsed, _ = timed_get(client, path)
            assert status == 504, body[:300]
            assert f"did not answer within {DEADLINE:g} s" in body
            assert "HAMAR_GRAPH_QUERY_TIMEOUT" in body
            assert elapsed < WITHIN
        proxy.delay = 0.0
        status, body, _, _ = timed_get(client, PAGES[0])
        assert status == 200, body[:300]
        assert "Lund" in body


# --- the server stopped during a download ------------------------------------------------------


@pytest.fixture(scope="module")
def built_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("served-out")
    build_output(out)
    return out


@pytest.fixture(scope="module")
def big_out(source_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build whose dumps are larger than the kernel's socket buffers (about 6 MB).

    A server killed while writing a smaller file has already handed all of it to the
    kernel, which still delivers it whole; only a larger one can be cut.
    """
    root = tmp_path_factory.mktemp("big")
    sources = copy_sources(source_copy, root / "src")
    text = "x" * 2000
    lines = [
        f'<urn:x:bulk:{i}> <http://www.w3.org/2000/01/rdf-schema#comment> "{i} {text}" .'
        for i in range(3000)
    ]
    (sources / "data" / "zz-bulk.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = root / "out"
    subprocess.run(
        [*hamar_graph_command(), "build", "--out", str(out)],
        env={**os.environ, "HAMAR_GRAPH_SOURCE_DIR": str(sources)},
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert (out / NQ).stat().st_size > 5_000_000
    return out


def start_download(port: int, name: str) -> tuple[socket.socket, dict[str, str], bytes]:
    """Ask for a dump with a tiny receive window; return the socket, headers and first bytes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET /download/{name} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, first = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 200"), lines[0]
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines[1:])}
    return sock, headers, first


def read_rest(sock: socket.socket, have: bytes, length: int) -> bytes:
    data = have
    try:
        while len(data) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    finally:
        sock.close()
    return data


@pytest.mark.server
def test_server_killed_during_a_download_leaves_a_body_the_client_knows_is_short(
    big_out: Path, tmp_path: Path
) -> None:
    whole = (big_out / NQ).read_bytes()
    # killed with its whole group, the server cannot remove its query pool's folder: it
    # goes in this test's own temporary directory rather than the machine's /tmp
    server = ServeProcess(
        big_out, env={"TMPDIR": str(tmp_path)}, args=["--workers", "1", "--query-workers", "1"]
    ).start()
    try:
        sock, headers, first = start_download(server.port, NQ)
        assert int(headers["content-length"]) == len(whole)
        assert "chunked" not in headers.get("transfer-encoding", "")
        time.sleep(0.5)  # let the server fill the socket buffers; it cannot send more
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
        got = read_rest(sock, first, len(whole))
    finally:
        server.close()
    assert len(got) < int(headers["content-length"])  # short, and the client can tell
    assert whole.startswith(got)  # what arrived is the true beginning of the file


@pytest.mark.server
def test_server_stopped_gracefully_during_a_download_finishes_it(big_out: Path) -> None:
    whole = (big_out / NQ).read_bytes()
    server = ServeProcess(big_out, args=["--workers", "1", "--query-workers", "1"]).start()
    try:
        sock, headers, first = start_download(server.port, NQ)
        assert server.process is not None
        os.killpg(server.process.pid, signal.SIGTERM)  # what a service manager sends
        got = read_rest(sock, first, int(headers["content-length"]))
        server.process.wait(timeout=60)
    finally:
        server.close()
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(whole).hexdigest()


@pytest.mark.server
def test_a_failed_build_leaves_a_running_server_serving_the_old_files(
    built_out: Path, source_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(built_out, out)
    before = snapshot(out)
    sources = copy_sources(source_copy, tmp_path / "src")
    insert_line(sources / "data" / "places.ttl", 5, "<urn:x> <urn:y> .")
    server = ServeProcess(out, args=["--workers", "1", "--query-workers", "1"]).start()
    try:
        dump_before = urllib.request.urlopen(f"{server.url}/download/{DUMP}", timeout=30).read()
        built = subprocess.run(
            [*hamar_graph_command(), "build", "--out", str(out)],
            env={**os.environ, "HAMAR_GRAPH_SOURCE_DIR": str(sources)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert built.returncode == 1
        assert "data/places.ttl:5" in built.stdout + built.stderr
        assert snapshot(out) == before
        dump_after = urllib.request.urlopen(f"{server.url}/download/{DUMP}", timeout=30).read()
        page = urllib.request.urlopen(f"{server.url}/id/vennskapsby/lund", timeout=30)
        assert page.status == 200
    finally:
        server.close()
    assert dump_after == dump_before == (out / DUMP).read_bytes()


# --- a build output whose catalogue or VoID file is empty ------------------------------------


@pytest.mark.parametrize(
    ("emptied", "paths"),
    [
        ("catalog.ttl", ["/catalog", "/catalog.ttl"]),
        ("catalog-dcat-ap-no.ttl", ["/catalog/dcat-ap-no", "/catalog/dcat-ap-no.jsonld"]),
        ("void.ttl", ["/.well-known/void", "/.well-known/void.ttl"]),
    ],
)
def test_an_empty_description_file_is_a_503_that_says_what_to_do(
    built_copy: Path, store: Store, emptied: str, paths: list[str]
) -> None:
    """Not a 500 from its page, nor an empty document a harvester would take for the
    catalogue: 503, naming the file and the command that makes it again."""
    (built_copy / emptied).write_bytes(b"")
    app = create_app({"out_dir": built_copy, "store_path": built_copy / "none"}, store=store)
    with app.test_client() as client:
        for path in paths:
            for accept in ("text/html", "text/turtle", "application/ld+json"):
                response = client.get(path, headers={"Accept": accept})
                assert response.status_code == 503, (path, accept)
                assert response.mimetype == "text/plain"
                text = response.get_data(as_text=True)
                assert emptied in text and "hamar-graph build" in text
                assert "no-store" in response.headers.get("Cache-Control", "")
        assert client.get("/download/").status_code == 200  # the rest is served
