"""Run untrusted SPARQL queries in worker processes that can be stopped.

docs/DECISIONS.md ("The query sandbox") explains why: neither rdflib nor pyoxigraph can
cancel a query, limit its memory or stop it from calling out. So each query runs
in a worker process of a :class:`QueryPool`:

- the worker is started with the ``spawn`` method and opens the store itself: a
  persistent Oxigraph store read-only, or its own in-memory copy loaded once from
  N-Quads that the pool sends at start;
- it caps its own address space (``RLIMIT_AS``) once loaded, and drops network
  access (a new network namespace) where the kernel allows it;
- it checks the query with :func:`hamar_graph.sparql.guard.algebra_guard`, runs it,
  cuts the result at ``max_rows`` and serialises it with pyoxigraph's own
  serialisers, so the web process only passes bytes on;
- the pool waits for the answer up to the deadline; past it, the worker is killed
  and replaced, and the caller gets :class:`QueryStopped` (503). A worker that dies
  (out of memory, or killed) is replaced the same way.

A request waits for a free worker only as long as its deadline allows.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from hamar_graph.sparql.errors import ProtocolError
from hamar_graph.sparql.worker import (
    QueryJob,
    QueryOutcome,
    _worker_main,
)
from hamar_graph.store.base import EngineSource

log = logging.getLogger(__name__)


#: How long a new worker may take to start and load its data.
STARTUP_TIMEOUT = 120.0


class QueryStopped(ProtocolError):
    """The query was stopped, or could not start: 503 with a message naming the limit.

    :param reason: ``timeout``, ``memory``, ``crash``, ``busy`` or ``unavailable``.
    """

    def __init__(self, reason: str, message: str, retry_after: int = 1) -> None:
        super().__init__(503, message, {"Retry-After": str(retry_after)})
        self.reason = reason


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, process: Any, conn: Connection, log_path: str) -> None:
        self.process = process
        self.conn = conn
        self.log_path = log_path
        self.isolated = False
        self.busy_since: float | None = None

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        with contextlib.suppress(OSError):
            os.unlink(self.log_path)

    def last_words(self) -> str:
        """What the worker wrote to its stderr (the end of it), e.g. the engine's
        "memory allocation of N bytes failed" before an abort."""
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


class QueryPool:
    """A fixed number of query worker processes, shared by the threads of one server process.

    :param source: where workers get their engine (:meth:`Store.engine_source`).
    :param size: number of workers.
    :param timeout: deadline of one query in seconds, counted from :meth:`run`'s call,
        waiting for a free worker included.
    :param memory_mb: address-space cap of each worker.
    :param isolate_network: drop the workers' network access where possible.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        source: EngineSource,
        *,
        size: int = 2,
        timeout: float = 10.0,
        memory_mb: int = 1024,
        isolate_network: bool = True,
    ) -> None:
        self.source = source
        self.size = size
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.isolate_network = isolate_network
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._spawning: set[threading.Thread] = set()
        self._ready = threading.Condition(self._lock)
        self._tmp = tempfile.mkdtemp(prefix="hamar-sparql-")
        self.started = 0  #: workers started since the pool was made (replacements included)
        self.last_error: str | None = None

    # -- lifecycle

    def start(self, wait: bool = True, timeout: float = STARTUP_TIMEOUT) -> QueryPool:
        """Start the workers; with ``wait``, return once all are ready.

        :raises QueryStopped: when ``wait`` and no worker came up in ``timeout`` seconds.
        """
        for _ in range(self.size):
            self._spawn_async()
        if wait:
            self.wait_ready(self.size, timeout)
        return self

    def wait_ready(self, count: int | None = None, timeout: float = STARTUP_TIMEOUT) -> None:
        """Block until ``count`` workers (default: all) are alive and ready."""
        count = self.size if count is None else count
        deadline = time.monotonic() + timeout
        with self._ready:
            while len(self._workers) < count:
                if self._closed:
                    raise QueryStopped("unavailable", "the query service is shutting down")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryStopped(
                        "unavailable",
                        "the query workers did not start"
                        + (f": {self.last_error}" if self.last_error else ""),
                    )
                self._ready.wait(remaining)

    def close(self) -> None:
        """Stop every worker. The pool cannot be used afterwards."""
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
            self._ready.notify_all()
            spawning = list(self._spawning)
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.stop()
        for thread in spawning:  # a worker being started stops itself once it is up
            thread.join(STARTUP_TIMEOUT)
        with contextlib.suppress(OSError):
            for name in os.listdir(self._tmp):
                os.unlink(os.path.join(self._tmp, name))
            os.rmdir(self._tmp)

    def __enter__(self) -> QueryPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- introspection (for tests and health checks)

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return sorted(self._workers)

    def busy_pids(self) -> list[int]:
        """Process ids of the workers running a query now."""
        with self._lock:
            return sorted(pid for pid, w in self._workers.items() if w.busy_since is not None)

    def isolated(self) -> bool:
        """True when every live worker runs without network access."""
        with self._lock:
            return bool(self._workers) and all(w.isolated for w in self._workers.values())

    # -- running

    def run(self, job: QueryJob) -> QueryOutcome:
        """Run ``job`` in a worker under the deadline.

        :raises QueryStopped: past the deadline, when the worker dies, or when no worker
            frees up in time.
        """
        deadline = time.monotonic() + self.timeout
        for _attempt in range(2):
            worker = self._acquire(deadline)
            try:
                worker.conn.send(job)
            except (OSError, ValueError):
                # It died while idle: the job never ran, so another worker may take it.
                self._replace(worker)
                continue
            return self._await(worker, deadline)
        raise QueryStopped("crash", "the query workers are restarting; try again in a moment")

    def _acquire(self, deadline: float) -> _Worker:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closed:
                raise QueryStopped(
                    "busy",
                    f"All {self.size} query workers stayed busy for the whole deadline of "
                    f"{self.timeout:g} s (HAMAR_GRAPH_QUERY_TIMEOUT); try again in a moment.",
                    retry_after=max(1, int(self.timeout)),
                )
            try:
                worker = self._idle.get(timeout=remaining)
            except queue.Empty:
                continue
            if worker.process.is_alive() and worker.pid in self._workers:
                worker.busy_since = time.monotonic()
                return worker
            self._replace(worker)

    def _await(self, worker: _Worker, deadline: float) -> QueryOutcome:
        remaining = max(deadline - time.monotonic(), 0.0)
        try:
            ready = worker.conn.poll(remaining)
        except (OSError, EOFError):
            ready = True
        if not ready:
            self._replace(worker)
            raise QueryStopped(
                "timeout",
                f"The query was stopped: it ran past the deadline of {self.timeout:g} s "
                "(HAMAR_GRAPH_QUERY_TIMEOUT). Narrow it down, or add a LIMIT.",
            )
        try:
            outcome: QueryOutcome = worker.conn.recv()
        except (EOFError, OSError, ValueError):
            worker.process.join(1)
            exitcode = worker.process.exitcode
            words = worker.last_words()
            self._replace(worker)
            raise self._death(exitcode, words) from None
        worker.busy_since = None
        if outcome.status == 503 and outcome.reason == "memory":
            # A MemoryError inside Python: the worker may be in a bad state; replace it.
            self._replace(worker)
            raise QueryStopped("memory", f"The query was stopped: {outcome.message}.")
        self._idle.put(worker)
        if outcome.status == 503:
            raise QueryStopped(outcome.reason or "unavailable", outcome.message or "unavailable")
        return outcome

    def _death(self, exitcode: int | None, words: str) -> QueryStopped:
        log.warning("query worker died (exit code %s): %s", exitcode, words or "no message")
        if "memory allocation" in words or "MemoryError" in words or "out of memory" in words:
            return QueryStopped(
                "memory",
                f"The query was stopped: it reached the memory cap of {self.memory_mb} MiB "
                "(HAMAR_GRAPH_QUERY_MEMORY_MB).",
            )
        if exitcode == -signal.SIGABRT:
            return QueryStopped(
                "memory",
                f"The query was stopped: the engine aborted, most likely at the memory cap of "
                f"{self.memory_mb} MiB (HAMAR_GRAPH_QUERY_MEMORY_MB).",
            )
        return QueryStopped(
            "crash",
            "The query was stopped: the process running it ended unexpectedly "
            f"(exit code {exitcode}). It has been replaced; try again.",
        )

    # -- workers

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            known = self._workers.pop(worker.pid, None) is not None
        threading.Thread(target=worker.stop, daemon=True).start()
        if known and not self._closed:
            self._spawn_async()

    def _spawn_async(self) -> None:
        thread = threading.Thread(target=self._spawn, name="sparql-worker-start", daemon=True)
        with self._lock:
            if self._closed:
                return
            self._spawning.add(thread)
        thread.start()

    def _spawn(self) -> None:
        try:
            for attempt in range(5):
                if self._closed:
                    return
                try:
                    worker = self._start_one()
                except Exception as exc:
                    if self._closed:
                        return
                    self.last_error = str(exc)
                    log.error("query worker failed to start (attempt %d): %s", attempt + 1, exc)
                    for _ in range(int(min(2**attempt, 10) * 10)):
                        if self._closed:
                            return
                        time.sleep(0.1)
                    continue
                with self._lock:
                    if self._closed:
                        worker.stop()
                        return
                    self._workers[worker.pid] = worker
                    self.started += 1
                    self._ready.notify_all()
                self._idle.put(worker)
                return
        finally:
            with self._lock:
                self._spawning.discard(threading.current_thread())

    def _start_one(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        fd, log_path = tempfile.mkstemp(prefix="worker-", suffix=".log", dir=self._tmp)
        os.close(fd)
        process = self._ctx.Process(
            target=_worker_main,
            args=(
                child,
                self.source,
                self.memory_mb,
                self.isolate_network,
                log_path,
                self.timeout,
            ),
            name="hamar-sparql-worker",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent, log_path)
        if not parent.poll(STARTUP_TIMEOUT):
            worker.stop()
            raise RuntimeError(f"no answer from the worker within {STARTUP_TIMEOUT:g} s")
        try:
            message = parent.recv()
        except (EOFError, OSError) as exc:
            words = worker.last_words()
            worker.stop()
            raise RuntimeError(f"the worker died while starting: {words or exc}") from None
        if message[0] != "ready":
            worker.stop()
            raise RuntimeError(message[1])
        worker.isolated = bool(message[2])
        return worker
