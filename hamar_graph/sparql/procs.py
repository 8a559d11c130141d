"""The query processes and their parent, a small fork server.

A :class:`~hamar_graph.sparql.pool.QueryPool` starts one *fork server*
(``python -m hamar_graph.sparql.procs FD``): a single-threaded process that imports only
the standard library, pyoxigraph and :mod:`hamar_graph.sparql.worker` (no rdflib, no
Flask), and forks a query process whenever the pool asks for one. So a query process
starts in milliseconds instead of the 0.3–0.4 s of a fresh interpreter, and the
interpreter and pyoxigraph pages are shared by all of them (the processes' memory is
counted once, not once per process).

Each query process, right after the fork:

- dies with the fork server (``PR_SET_PDEATHSIG``), and the fork server stops when the
  pool's process goes away (its control socket closes), so nothing outlives the server;
- writes its stderr to a file the pool reads (the engine's last words before an abort);
- drops network access (a new, empty network namespace) where the kernel allows;
- opens its own engine (a persistent store read-only, or N-Quads loaded into memory);
- caps its address space (``RLIMIT_AS``) once loaded;
- then answers :class:`~hamar_graph.sparql.worker.QueryJob`\\ s on its own socket until
  the socket closes.

When it stops, the fork server removes the pool's folder (the N-Quads copy of an
in-memory store, the processes' logs), also when the server process was killed.

Protocol: the pool and the fork server talk over a ``SOCK_SEQPACKET`` pair, one pickled
message a packet: ``("init", recipe)`` once, then ``("spawn", log_path)``, answered by
``("spawned", pid)`` with the pool's end of the new process's socket passed along
(``SCM_RIGHTS``). The pool kills a process through a pidfd, so a recycled pid is never
hit.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle  # nosec B403 - only between our own processes (as multiprocessing does)
import resource
import select
import shutil
import signal
import socket
import subprocess  # nosec B404 - starts our own fork server, a fixed command
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from hamar_graph.process_memory import libc, limit_malloc_arenas

#: Name of this module for ``python -m`` (and for tools that recognise the processes).
MODULE = "hamar_graph.sparql.procs"

#: The CPU priority (nice value) of a query process once its query is long.
LONG_QUERY_NICE = 15

_PR_SET_PDEATHSIG = 1
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class Recipe:
    """What every query process of a pool needs: its engine, and its limits.

    ``oxigraph`` is ``(store path or None, N-Quads file or None)`` for the embedded
    engine, opened without the store package; otherwise ``source`` is a pickled
    :class:`~hamar_graph.store.base.EngineSource` (a remote endpoint).
    """

    memory_mb: int
    isolate_network: bool
    timeout: float
    #: glibc malloc arenas of each query process (0: glibc's default), set in the fork
    #: server before any engine thread starts (:mod:`hamar_graph.process_memory`).
    malloc_arenas: int = 0
    oxigraph: tuple[str | None, str | None] | None = None
    source: bytes | None = None
    #: ``(oxigraph command, store path, union default graph)``: each query process is
    #: the Oxigraph server on that store (:mod:`hamar_graph.sparql.server_process`)
    server: tuple[str, str, bool] | None = None
    #: The pool's folder (the N-Quads copy, the processes' logs): the fork server removes
    #: it when it stops, so a server killed without closing its pool leaves nothing behind.
    scratch: str | None = None


@dataclass(eq=False)
class QueryProcess:
    """One query process, as the pool sees it: its pid (and pidfd) and its socket."""

    pid: int
    conn: Connection
    pidfd: int | None
    log_path: str
    isolated: bool = False
    ticket: Any = None  #: the query it runs now (a fairness ticket)
    dead: bool = False
    lowered: bool = False  #: its CPU priority was lowered for a long query

    def send(self, payload: Any) -> None:
        """Send a job (pickled by :meth:`encode`) to the process."""
        self.conn.send_bytes(payload)

    @staticmethod
    def encode(job: Any) -> Any:
        """A job as :meth:`send` takes it (made once, outside the pool's lock)."""
        return pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)

    def poll(self, timeout: float) -> bool:
        """Whether the answer is there, waiting up to ``timeout`` seconds."""
        return bool(self.conn.poll(timeout))

    def recv(self) -> Any:
        """The answer (:class:`~hamar_graph.sparql.worker.QueryOutcome`).

        :raises EOFError: when the process died before answering.
        """
        return self.conn.recv()

    def lower_priority(self) -> None:
        """Run on at :data:`LONG_QUERY_NICE` (a long query); :attr:`lowered` says whether
        it worked (a process cannot be given its priority back without privileges)."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, LONG_QUERY_NICE)
        except OSError:
            return
        self.lowered = True

    def kill(self) -> None:
        """Kill the process (once), through its pidfd so that a recycled pid is never hit."""
        if self.dead:
            return
        self.dead = True
        with contextlib.suppress(OSError):
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:  # pragma: no cover - kernels without pidfd
                os.kill(self.pid, signal.SIGKILL)

    def close(self, wait: float = 0.0) -> None:
        """Kill the process and close the pool's end of its socket and its pidfd; with
        ``wait``, first wait up to that many seconds for it to have ended."""
        self.kill()
        if wait > 0 and self.pidfd is not None:
            with contextlib.suppress(OSError, ValueError):
                select.select([self.pidfd], [], [], wait)  # readable once it has exited
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self.pidfd)
            self.pidfd = None

    def last_words(self) -> str:
        """The end of what the process wrote to stderr, e.g. the engine's "memory
        allocation of N bytes failed" before an abort."""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                fh.seek(max(fh.tell() - 4096, 0))
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        for line in lines:
            if "memory allocation" in line or "MemoryError" in line:
                return line
        return lines[-1] if lines else ""


def exit_status(proc: QueryProcess) -> int | None:
    """The exit status of a query process that ended (a negative signal number), or None.

    The fork server, not this process, reaps it, so the status is read from ``/proc``
    while it is a zombie (its socket closes a moment before it becomes one).
    """
    for _ in range(20):
        try:
            with open(f"/proc/{proc.pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        if fields and fields[0] in (b"Z", b"X") and len(fields) > 49:
            status = int(fields[49])
            return -(status & 0x7F) if status & 0x7F else status >> 8
        time.sleep(0.01)
    return None


class ForkServer:
    """The pool's side of the fork server: started on first use (and again if it died),
    asked for one query process at a time.

    :param recipe: what every query process needs (sent once, at start).
    :param became: for a recipe whose processes exec the Oxigraph server: given the new
        process and the port it said it serves on, the process the pool uses, once ready
        (:func:`hamar_graph.sparql.server_process.server_ready`).
    """

    def __init__(
        self,
        recipe: Recipe,
        became: Callable[[QueryProcess, int, float], QueryProcess] | None = None,
    ) -> None:
        self.recipe = recipe
        self.became = became
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None

    @property
    def pid(self) -> int | None:
        """The fork server's process id, while it runs."""
        return self._process.pid if self._process is not None else None

    def _ensure(self) -> socket.socket:
        alive = self._process is not None and self._process.poll() is None
        if self._control is not None and alive:
            return self._control
        if self._control is not None:
            with contextlib.suppress(OSError):
                self._control.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._process = subprocess.Popen(  # nosec B603 - our own module, fixed argv, no shell
            [sys.executable, "-m", MODULE, str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        ours.sendall(pickle.dumps(("init", self.recipe)))
        self._control = ours
        return ours

    def spawn(self, log_path: str, timeout: float) -> QueryProcess:
        """A new query process, once it has said it is ready.

        :raises RuntimeError: when it could not start (the message says why).
        """
        with self._lock:
            control = self._ensure()
            try:
                control.sendall(pickle.dumps(("spawn", log_path)))
                message, fds, _flags, _addr = socket.recv_fds(control, 1 << 16, 1)
            except OSError as exc:
                raise RuntimeError(f"the fork server does not answer: {exc}") from None
        if not message or not fds:
            raise RuntimeError("the fork server stopped")
        pid = int(pickle.loads(message)[1])  # noqa: S301 # nosec B301 - our own fork server
        pidfd: int | None = None
        with contextlib.suppress(OSError, AttributeError):
            pidfd = os.pidfd_open(pid)
        proc = QueryProcess(pid, Connection(fds[0]), pidfd, log_path)
        if not proc.conn.poll(timeout):
            proc.close()
            raise RuntimeError(f"no answer from the query process within {timeout:g} s")
        try:
            answer = proc.conn.recv()
        except (EOFError, OSError) as exc:
            words = proc.last_words()
            proc.close()
            raise RuntimeError(f"the query process died while starting: {words or exc}") from None
        if answer[0] == "exec" and self.became is not None:
            return self.became(proc, int(answer[1]), timeout)
        if answer[0] != "ready":
            proc.close()
            raise RuntimeError(answer[1])
        proc.isolated = bool(answer[2])
        return proc

    def close(self) -> None:
        """Stop the fork server (its query processes die with it)."""
        with self._lock:
            if self._control is not None:
                with contextlib.suppress(OSError):
                    self._control.close()
                self._control = None
            if self._process is not None:
                with contextlib.suppress(OSError):
                    self._process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(5)
                self._process = None


def isolate_network() -> bool:
    """Move this process into a new, empty network namespace (no route anywhere).

    Needs CAP_SYS_ADMIN or unprivileged user namespaces; returns whether it worked.
    """
    c_library = libc()
    if c_library is None:  # pragma: no cover
        return False
    return any(
        c_library.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET)
    )


def address_space() -> int:
    """This process's virtual memory size in bytes (``VmSize``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # pragma: no cover
        pass
    return 0


def _open_engine(recipe: Recipe) -> Any:
    from hamar_graph.sparql.worker import NativeEngine

    if recipe.oxigraph is not None:
        return NativeEngine.open(*recipe.oxigraph), False
    source = pickle.loads(recipe.source or b"")  # noqa: S301 # nosec B301 - from our own pool
    return source.open(recipe.timeout), bool(source.needs_network)


def serve_queries(
    conn: Connection, recipe: Recipe, log_path: str
) -> None:  # pragma: no cover - runs in the query process; covered through the pool
    """The query process: set itself up, then answer jobs until the socket closes."""
    from hamar_graph.sparql.worker import QueryOutcome, execute

    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError:  # the pool is closing and removed its folder
        return
    os.dup2(fd, 2)
    os.close(fd)
    os.environ["RUST_BACKTRACE"] = "0"
    if recipe.server is not None:
        _exec_server(conn, recipe)
        return
    isolated = False
    try:
        if recipe.oxigraph is not None and recipe.isolate_network:
            isolated = isolate_network()
        engine, needs_network = _open_engine(recipe)
        if recipe.isolate_network and not needs_network and not isolated:
            isolated = isolate_network()
        limit = recipe.memory_mb * 1024 * 1024
        used = address_space()
        if used >= limit:
            raise MemoryError(
                f"the worker needs {used // 2**20} MiB at rest, above the cap of "
                f"{recipe.memory_mb} MiB"
            )
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid(), isolated))
    memory = f"memory cap of {recipe.memory_mb} MiB reached (HAMAR_GRAPH_QUERY_MEMORY_MB)"
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            outcome = execute(engine, job)
        except MemoryError:
            outcome = QueryOutcome(503, message=memory, reason="memory")
        except RecursionError:
            outcome = QueryOutcome(400, message="The query is nested too deeply to run.")
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send(QueryOutcome(503, message="the result is too large to send", reason="memory"))


def free_port() -> int:
    """A loopback TCP port free now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_argv(binary: str, location: str, port: int) -> list[str]:
    """The command of one query process. Not ``--union-default-graph``: it would also
    override a query's own ``FROM``; the union is asked for query by query instead
    (:func:`~hamar_graph.sparql.server_process.request_bytes`)."""
    return [binary, "serve-read-only", "--location", location, "--bind", f"127.0.0.1:{port}"]


def _exec_server(conn: Connection, recipe: Recipe) -> None:  # pragma: no cover - its own process
    """Become the Oxigraph server on the store, its address space capped, after telling
    the pool its port (the pool's end of ``conn`` then sees the connection close)."""
    assert recipe.server is not None
    binary, location, _union = recipe.server
    try:
        port = free_port()
        limit = recipe.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        env = dict(os.environ)
        if recipe.malloc_arenas > 0:
            env["MALLOC_ARENA_MAX"] = str(recipe.malloc_arenas)
        argv = server_argv(binary, location, port)
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("exec", port))
    os.dup2(2, 1)  # what it prints goes to its log, not to the web server's output
    try:
        os.execve(binary, argv, env)  # noqa: S606 # nosec B606 - our own command, no shell
    except OSError as exc:
        print(f"could not start {binary}: {exc}", file=sys.stderr)


def _child(sock: socket.socket, recipe: Recipe, log_path: str) -> None:  # pragma: no cover
    c_library = libc()
    if c_library is not None:
        c_library.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the fork server died between fork and prctl
        return
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.enable()
    conn = Connection(sock.detach())
    serve_queries(conn, recipe, log_path)


def fork_server(control: socket.socket) -> None:  # pragma: no cover - its own process
    """The fork server's loop: fork a query process per ``spawn``, reap the dead, and
    stop (killing every query process) when the control socket closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    message = control.recv(1 << 20)
    if not message:
        return
    kind, recipe = pickle.loads(message)  # noqa: S301 # nosec B301 - from our own pool
    assert kind == "init"
    limit_malloc_arenas(recipe.malloc_arenas)  # before the engines' threads, in every child
    if recipe.server is None:  # (the server's processes exec it: nothing to share)
        import hamar_graph.sparql.worker  # noqa: F401 - imported once, shared by every child

    gc.collect()
    gc.freeze()  # the children never touch these objects' GC headers: pages stay shared
    children: set[int] = set()
    try:
        while True:
            readable, _, _ = select.select([control], [], [], 1.0)
            _reap(children)
            if not readable:
                continue
            message = control.recv(1 << 16)
            if not message:
                return
            kind, argument = pickle.loads(message)  # noqa: S301 # nosec B301 - from our own pool
            if kind != "spawn":
                continue
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            pid = os.fork()
            if pid == 0:
                control.close()
                ours.close()
                try:
                    _child(theirs, recipe, argument)
                finally:
                    os._exit(0)
            theirs.close()
            children.add(pid)
            socket.send_fds(control, [pickle.dumps(("spawned", pid))], [ours.fileno()])
            ours.close()
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _reap(children)
        if recipe.scratch:
            shutil.rmtree(recipe.scratch, ignore_errors=True)


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - its own process
    """``python -m hamar_graph.sparql.procs FD``: serve the pool on socket ``FD``."""
    args = sys.argv[1:] if argv is None else argv
    control = socket.socket(fileno=int(args[0]))
    fork_server(control)


if __name__ == "__main__":  # pragma: no cover
    main()
