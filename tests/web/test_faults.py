"""Faults survived with nothing lost (issue 8, part 3).

- a corrupt or invalid data file: ``build`` fails naming file and line, and the
  previous output and a running server stay intact (byte for byte);
- the disk full or the output folder unwritable during ``build``: a clear error,
  no temporary file left behind, every previous output unchanged;
- a build replacing the dumps while a reader holds the old file: the reader
  reads the whole old file;
- the server stopped during a download: the client can always tell a truncated
  body from a complete one (``Content-Length``), and a graceful stop finishes it;
- a query worker killed mid-query: that request gets 503, later requests succeed
  and the pool is refilled;
- the remote store down or slow: 503/504 with a message within the deadline,
  and recovery when it returns.
"""

from __future__ import annotations

import dataclasses
import errno
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Graph

from benchmarks.load import ServeProcess, build_output, hamar_graph_command
from hamar_graph import __version__
from hamar_graph.build import pipeline as build_module
from hamar_graph.build.assembly import BuildError, assemble
from hamar_graph.build.pipeline import BuildResult, build
from hamar_graph.build.report import ValidationReport
from hamar_graph.build.sources import SOURCE_FOLDERS
from hamar_graph.cli import main
from hamar_graph.config import Settings
from hamar_graph.publication.publish import Publication, make_publication
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_load import load_dataset
from tests.support.oxigraph_server import OxigraphServer
from web import create_app

LUND = "https://data.hamar.kommune.no/id/vennskapsby/lund"
DUMP = f"hamar-graph-{__version__}.ttl"
NQ = f"hamar-graph-{__version__}.nq"


def copy_sources(source_copy: Path, target: Path) -> Path:
    for folder in SOURCE_FOLDERS:
        shutil.copytree(source_copy / folder, target / folder)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the store included), relative path → bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def add_comment(sources: Path, text: str) -> None:
    """A valid change to the data, so that a new build's outputs differ from the old."""
    with (sources / "data" / "places.ttl").open("a", encoding="utf-8") as handle:
        handle.write(f'\n<{LUND}> <http://www.w3.org/2000/01/rdf-schema#comment> "{text}"@en .\n')


def insert_line(path: Path, number: int, line: str) -> None:
    """Insert ``line`` so that it becomes line ``number`` (1-based) of ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(number - 1, line + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def stray_files(folder: Path) -> list[str]:
    """Temporary or half-written files left in ``folder`` (``.name.*.tmp``, ``*.tmp-*``)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or ".tmp" in p.name)


@pytest.fixture()
def sources(source_copy: Path, tmp_path: Path) -> Path:
    """A private, editable copy of the sources."""
    return copy_sources(source_copy, tmp_path / "src")


@pytest.fixture()
def old_output(built: BuildResult, tmp_path: Path) -> Path:
    """A copy of a complete earlier build of the sources (conftest's ``built``)."""
    out = tmp_path / "out"
    shutil.copytree(built.manifest_path.parent, out)
    return out


@pytest.fixture(scope="module")
def changed_dataset(source_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The sources with one valid change, assembled once: a new build differs from the old."""
    sources = copy_sources(source_copy, tmp_path_factory.mktemp("changed") / "src")
    add_comment(sources, "a change, so that the new outputs differ from the old")
    return assemble(Settings(source_dir=sources))


# --- corrupt or invalid data ---------------------------------------------------------------

CORRUPTIONS: dict[str, tuple[str, str]] = {
    # name: (line inserted as line 12 of data/axes.ttl, what the message must say)
    "syntax": ('<urn:x:a> <urn:x:b> "a string that never ends ;', "Turtle syntax error"),
    "undeclared-term": (
        "<https://data.hamar.kommune.no/id/akse/x> "
        "<https://data.hamar.kommune.no/def/hamar#noSuchProperty> 1 .",
        "declared neither in ontology/",
    ),
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_bad_data_file_fails_the_build_naming_file_and_line_and_keeps_the_old_output(
    kind: str, sources: Path, old_output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(old_output)
    line, message = CORRUPTIONS[kind]
    axes = sources / "data" / "axes.ttl"
    insert_line(axes, 12, line)
    monkeypatch.setenv("HAMAR_GRAPH_SOURCE_DIR", str(sources))
    result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
    assert result.exit_code == 1
    assert "data/axes.ttl:12" in result.output
    assert message in result.output
    assert snapshot(old_output) == before
    assert stray_files(old_output) == []


# --- disk full, folder unwritable -----------------------------------------------------------


class Failure:
    """Makes the ``n``-th file write of the build fail with ``errno``."""

    def __init__(self, n: int, code: int) -> None:
        self.n = n
        self.code = code
        self.writes = 0

    def fdopen(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = real(fd, mode, *args, **kwargs)
            if "w" not in mode:
                return handle
            self.writes += 1
            if self.writes != self.n:
                return handle
            code = self.code

            class Failing:
                def __enter__(self) -> Failing:
                    return self

                def __exit__(self, *exc: object) -> None:
                    handle.close()

                def write(self, data: bytes) -> int:
                    handle.write(data[: len(data) // 2])  # half of it reached the disk
                    raise OSError(code, os.strerror(code))

                def __getattr__(self, name: str) -> Any:
                    return getattr(handle, name)

            return Failing()

        return fdopen


@pytest.fixture(scope="module")
def changed_publication(changed_dataset: Dataset) -> Publication:
    """The publication of :func:`changed_dataset`, rendered once."""
    return make_publication(changed_dataset, Settings())


@pytest.fixture()
def fast_build(
    changed_dataset: Dataset,
    changed_publication: Publication,
    sources: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``build`` writes :func:`changed_dataset` without assembling, validating and
    rendering the publication again.

    The writes are under test here, not parsing, SHACL or serialising, which each build
    would otherwise repeat (seconds each on two cores).
    """

    def rendered(dataset: Dataset, settings: Settings, progress: object = None) -> Publication:
        return dataclasses.replace(
            changed_publication,
            blobs=dict(changed_publication.blobs),
            extras=dict(changed_publication.extras),
        )

    monkeypatch.setattr(build_module, "assemble", lambda settings, progress=None: changed_dataset)
    monkeypatch.setattr(build_module, "make_publication", rendered)
    empty = ValidationReport(conforms=True, results=[], report_graph=Graph())
    monkeypatch.setattr(build_module, "_validate", lambda *args: empty)
    monkeypatch.setenv("HAMAR_GRAPH_SOURCE_DIR", str(sources))


def _count_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    counter = Failure(10**6, errno.ENOSPC)
    with monkeypatch.context() as patch:
        patch.setattr(os, "fdopen", counter.fdopen(os.fdopen))
        build(Settings(out_dir=tmp_path / "count"))
    return counter.writes


@pytest.mark.parametrize(
    ("code", "which"),
    [
        (errno.ENOSPC, "each end"),
        (errno.EROFS, "middle"),
        (errno.EACCES, "first"),
    ],
)
def test_disk_full_or_unwritable_during_build_leaves_every_old_output_unchanged(
    code: int,
    which: str,
    old_output: Path,
    fast_build: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writes = _count_writes(tmp_path, monkeypatch)
    assert writes >= 6  # the dumps, the descriptions, plan.json and the manifest
    before = snapshot(old_output)
    failing = {
        "each end": [1, 2, writes - 1, writes],
        "middle": [writes // 2],
        "first": [1],
    }[which]
    for n in failing:
        failure = Failure(n, code)
        with monkeypatch.context() as patch:
            patch.setattr(os, "fdopen", failure.fdopen(os.fdopen))
            result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
        assert result.exit_code == 1, result.output
        assert f"cannot write to {old_output}" in result.output
        assert os.strerror(code) in result.output
        assert stray_files(old_output) == [], f"write {n} of {writes}"
        assert snapshot(old_output) == before, f"write {n} of {writes} changed the old output"
    if which == "each end":  # with room again, the new build goes in whole
        result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
        assert result.exit_code == 0, result.output
        assert snapshot(old_output) != before
        assert stray_files(old_output) == []


def test_disk_full_while_writing_the_store_keeps_the_old_store(
    old_output: Path, fast_build: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(old_output)

    def full(self: object, dataset: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(build_module.OxigraphStore, "load", full)
    result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert stray_files(old_output) == []
    assert snapshot(old_output) == before


def test_a_reader_of_the_old_dump_reads_it_whole_while_a_build_replaces_it(
    sources: Path, old_output: Path
) -> None:
    path = old_output / DUMP
    old = path.read_bytes()
    add_comment(sources, "replaced while being read")
    with path.open("rb") as reader:
        head = reader.read(1000)
        build(Settings(source_dir=sources, out_dir=old_output))
        rest = reader.read()
    assert head + rest == old
    new = path.read_bytes()
    assert new != old
    assert b"replaced while being read" in new
    assert stray_files(old_output) == []


def test_build_failure_is_an_error_message_not_a_traceback(
    sources: Path, old_output: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_line(sources / "data" / "actors.ttl", 3, "@@@")
    monkeypatch.setenv("HAMAR_GRAPH_SOURCE_DIR", str(sources))
    result = CliRunner().invoke(main, ["build", "--out", str(old_output)])
    assert result.exit_code == 1
    assert "data/actors.ttl:3" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    with pytest.raises(BuildError):
        build(Settings(source_dir=sources, out_dir=old_output))


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
    big_out: Path,
) -> None:
    whole = (big_out / NQ).read_bytes()
    server = ServeProcess(big_out, args=["--workers", "1", "--query-workers", "1"]).start()
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
