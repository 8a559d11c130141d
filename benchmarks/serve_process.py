"""``hamar-graph serve`` as a process to measure, for :mod:`benchmarks.load` and the web tests.

:class:`ServeProcess` starts the server on a free loopback port in its own process group,
waits until it answers, keeps what it prints, and stops it with its workers;
:func:`build_output` runs ``hamar-graph build`` into a folder for it to serve, and
:func:`served` does both for the length of a ``with`` block. The tests import these
through :mod:`benchmarks.load`.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hamar_graph_command() -> list[str]:
    """The ``hamar-graph`` executable installed next to this Python."""
    exe = Path(sys.executable).with_name("hamar-graph")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "hamar_graph.cli"]


class ServeProcess:
    """``hamar-graph serve`` on a free loopback port, in its own process group.

    :param out_dir: the build output the server publishes (``HAMAR_GRAPH_OUT_DIR``).
    :param env: extra environment variables (``HAMAR_GRAPH_*`` settings, ``TMPDIR``, …).
    :param args: extra ``serve`` flags.
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.out_dir = out_dir
        self.port = port or free_port()
        self.env = dict(env or {})
        self.args = list(args)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the process
            prefix="hamar-serve-", suffix=".log", delete=False
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> ServeProcess:
        """Start the server and wait until ``/`` answers."""
        inherited = {k: v for k, v in os.environ.items() if k != "FLASK_DEBUG"}
        env = {**inherited, "HAMAR_GRAPH_OUT_DIR": str(self.out_dir), **self.env}
        command = [
            *hamar_graph_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *self.args,
        ]
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hamar-graph serve exited:\n{self.output()}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.request("GET", "/")
                if conn.getresponse().status < 500:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"hamar-graph serve did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        """What the server printed so far."""
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")[-5000:]

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server (its whole process group: master and workers) and wait."""
        if self.process is not None and self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                # the master did not stop: kill it and its workers (its own process group)
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        self.process = None

    def close(self) -> None:
        """Stop the server and delete its log."""
        self.stop()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def build_output(out_dir: Path) -> None:
    """Run ``hamar-graph build --out out_dir`` (the dumps and the store the server serves)."""
    subprocess.run(
        [*hamar_graph_command(), "build", "--out", str(out_dir)],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=600,
    )


@contextmanager
def served(
    out_dir: Path | None = None, env: Mapping[str, str] | None = None, args: Sequence[str] = ()
) -> Iterator[ServeProcess]:
    """Build into ``out_dir`` (a temporary folder by default) and serve it while in the block."""
    with tempfile.TemporaryDirectory(prefix="hamar-load-") as tmp:
        folder = out_dir or Path(tmp) / "dist"
        if not (folder / "store").exists():
            build_output(folder)
        server = ServeProcess(folder, env=env, args=args).start()
        try:
            yield server
        finally:
            server.close()
