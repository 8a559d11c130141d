"""Helpers for the SPARQL endpoint tests: live servers, a listener that counts
connections, and apps with a running query pool."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from rdflib import Graph
from werkzeug.serving import make_server

from hamar_graph.store.base import Store
from tests.support.paths import ROOT
from web import create_app
from web.state import ISOLATE_KEY, close_pool
from web.state import pool as get_pool


def parse_rdf(data: bytes | str, fmt: str) -> Graph:
    """Parse RDF as a client would, with rdflib. rdflib's JSON-LD parser goes through
    its deprecated ConjunctiveGraph and warns about it; that warning is not ours."""
    graph = Graph()
    with warnings.catch_warnings():
        if fmt == "json-ld":
            warnings.simplefilter("ignore", DeprecationWarning)
        graph.parse(data=data, format=fmt)
    return graph


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def pool_app(store: Store, tmp: Path, isolate: bool = True, **settings: Any) -> Iterator[Flask]:
    """An app over ``store`` whose query pool is started; the pool is stopped after."""
    config = {"out_dir": tmp, "store_path": tmp / "no-store", "query_workers": 1, **settings}
    app = create_app(config, store=store)
    app.config["TESTING"] = True
    app.config[ISOLATE_KEY] = isolate
    get_pool(app)
    try:
        yield app
    finally:
        close_pool(app)


class LiveServer:
    """``app`` served by werkzeug's threaded WSGI server on a free loopback port."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class Listener:
    """A TCP listener on loopback that records every connection it gets (it never answers
    with data), to prove that the endpoint fetched nothing."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def http(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request with urllib; returns (status, headers, body) for any status.

    Header names are case-insensitive (the server sends them in lower case, as HTTP/2
    requires and HTTP/1.1 allows), so the headers come as werkzeug's ``Headers``."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _headers(error.headers), error.read()


def _headers(message: Any) -> dict[str, str]:
    from werkzeug.datastructures import Headers

    return Headers(list(message.items()))  # type: ignore[return-value]


class ServeProcess:
    """``hamar-graph serve`` (granian) as a subprocess on a free port."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        exe = Path(sys.executable).with_name("hamar-graph")
        self.command = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(self.port), *args]
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServeProcess:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hamar-graph serve exited: {self.output()[-2000:]}")
            try:
                status, _, _ = http(f"{self.url}/sparql?query=ASK%7B%7D", timeout=5)
            except OSError:
                time.sleep(0.3)
                continue
            if status == 200:
                return self
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("hamar-graph serve did not answer within 120 s")

    def output(self) -> str:
        """What the server wrote to stderr so far."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # granian stops its workers; their pools stop with them
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                # The session this test started: the master, its workers and their pools.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()
