"""The servers under test, each in its own process group and always stopped: the Oxigraph
server, ours (``hamar-graph serve``) and, for throughput, the floor (the least a Python
server can do, :mod:`benchmarks.query_path.floor_app`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from benchmarks.query_path.client import Client, result_rows
from benchmarks.query_path.floor_app import STORE_VARIABLE as FLOOR_STORE
from benchmarks.query_path.processes import bin_path, free_port, process_tree, start_time
from benchmarks.query_path.workloads import CLIENT_TIMEOUT, HERE, LOOKUP, LOOKUP_IRI

#: The repository's root, where ``benchmarks`` is importable from.
ROOT = HERE.parent
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


def floor_server(store: Path, log_dir: Path) -> Server:
    """The floor (:mod:`benchmarks.query_path.floor_app`) under granian, with as many
    processes and threads as ``hamar-graph serve`` (its defaults, with ``--ours-env``)."""
    from hamar_graph.config import Settings

    settings = Settings.from_env(OURS_ENV)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAMAR_GRAPH_", "FLASK_"))}
    env[FLOOR_STORE] = str(store)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    exe = bin_path("granian")
    return Server(
        "floor",
        lambda port: [
            exe,
            "--interface",
            "wsgi",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(settings.workers),
            "--blocking-threads",
            str(settings.threads),
            "--no-ws",
            "--log-level",
            "warning",
            "benchmarks.query_path.floor_app:app",
        ],
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
