"""Run untrusted SPARQL queries in processes that can be stopped, fairly.

docs/DECISIONS.md ("The query sandbox") explains why: neither rdflib nor pyoxigraph can
cancel a query, limit its memory or stop it from calling out. So each query runs in a
query process of a :class:`QueryPool`:

- the processes are forked by a small fork server (:mod:`hamar_graph.sparql.procs`) and
  each opens the store itself: a persistent Oxigraph store read-only, or its own
  in-memory copy loaded once from N-Quads;
- each caps its own address space (``RLIMIT_AS``) once loaded, and drops network access
  (a new network namespace) where the kernel allows it;
- it runs the query, cuts the result at ``max_rows`` and serialises it with pyoxigraph's
  own serialisers, so the web process only passes bytes on;
- the pool waits for the answer up to the deadline; past it, the process is killed and
  replaced, and the caller gets :class:`QueryStopped` (503). A process that dies (out of
  memory, or killed) is replaced the same way.

Which query gets a free process is decided by :class:`~hamar_graph.sparql.fairness.FairShare`
(a fair, work-conserving share per client, and a budget for long queries); a query it
refuses raises :class:`QueryRefused` (429). A request waits for a process only as long
as its deadline allows.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import pickle  # nosec B403 - only between our own processes (as multiprocessing does)
import tempfile
import threading
import time

from hamar_graph.sparql.errors import QueryRefused, QueryStopped, all_busy, died
from hamar_graph.sparql.fairness import FairShare, Refusal, Ticket
from hamar_graph.sparql.guard import mentions_service
from hamar_graph.sparql.on_demand import OnDemand
from hamar_graph.sparql.procs import ForkServer, QueryProcess, Recipe, exit_status
from hamar_graph.sparql.scratch import folder_prefix, sweep_stale_folders
from hamar_graph.sparql.server_process import (
    ServerProcess,
    precheck,
    server_ready,
    server_recipe,
)
from hamar_graph.sparql.worker import QueryJob, QueryOutcome
from hamar_graph.store.base import EngineSource

__all__ = ["QueryPool", "QueryRefused", "QueryStopped"]

log = logging.getLogger(__name__)

#: How long a new query process may take to start and load its data.
STARTUP_TIMEOUT = 120.0

#: Seconds without a text that mentions ``service`` after which the server engine's
#: Python query process for such texts is stopped (:mod:`hamar_graph.sparql.on_demand`).
LIBRARY_IDLE = 60.0


def _recipe(
    source: EngineSource,
    memory_mb: int,
    isolate: bool,
    timeout: float,
    tmp: str,
    arenas: int,
    engine: str = "library",
) -> Recipe:
    from hamar_graph.store.oxigraph import OxigraphSource

    if engine == "server":
        return Recipe(
            memory_mb,
            False,
            timeout,
            scratch=tmp,
            malloc_arenas=arenas,
            server=server_recipe(source),
        )
    if isinstance(source, OxigraphSource):
        nquads = None
        if source.path is None and source.nquads:
            nquads = os.path.join(tmp, "data.nq")
            with open(nquads, "wb") as fh:
                fh.write(source.nquads)
        return Recipe(
            memory_mb,
            isolate,
            timeout,
            oxigraph=(source.path, nquads),
            scratch=tmp,
            malloc_arenas=arenas,
        )
    return Recipe(
        memory_mb, isolate, timeout, source=pickle.dumps(source), scratch=tmp, malloc_arenas=arenas
    )


class QueryPool:
    """Query processes shared by the threads of one server process.

    :param source: where the processes get their engine (:meth:`Store.engine_source`).
    :param size: number of query processes.
    :param timeout: deadline of one query in seconds, counted from :meth:`run`'s call,
        waiting for a free process included.
    :param memory_mb: address-space cap of each process.
    :param isolate_network: drop the processes' network access where possible.
    :param budget: query-seconds a minute each client may spend on long queries (0: off).
    :param long_after: seconds after which a running query is long.
    :param max_in_flight: queries running or waiting at most (others get 503 at once);
        keeps request threads free for pages. None: no bound.
    :param malloc_arenas: glibc malloc arenas of each process (0: glibc's default); fewer
        leave more of ``memory_mb`` to the query (:mod:`hamar_graph.process_memory`).
    :param engine: ``library`` (pyoxigraph in Python processes) or ``server`` (the Oxigraph
        server on the store, :mod:`hamar_graph.sparql.server_process`).

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
        budget: float = 60.0,
        long_after: float = 1.0,
        max_in_flight: int | None = None,
        malloc_arenas: int = 0,
        engine: str = "library",
    ) -> None:
        self.source = source
        self.engine = engine
        self.size = size
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.isolate_network = isolate_network
        self.max_in_flight = max_in_flight
        self.fair = FairShare(size, budget=budget, long_after=long_after)
        #: the server engine's Python query process for texts that mention ``service``
        side = {
            "size": 1,
            "timeout": timeout,
            "memory_mb": memory_mb,
            "isolate_network": isolate_network,
            "budget": budget,
            "long_after": long_after,
            "max_in_flight": max_in_flight,
            "malloc_arenas": malloc_arenas,
        }
        self._library = OnDemand(
            lambda: QueryPool(source, **side).start(),  # type: ignore[arg-type]
            LIBRARY_IDLE,
        )
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._procs: dict[int, QueryProcess] = {}
        self._idle: list[QueryProcess] = []
        self._closed = False
        self._spawning: set[threading.Thread] = set()
        sweep_stale_folders()
        self._tmp = tempfile.mkdtemp(prefix=folder_prefix())
        try:
            recipe = _recipe(
                source, memory_mb, isolate_network, timeout, self._tmp, malloc_arenas, engine
            )
        except BaseException:
            os.rmdir(self._tmp)
            raise
        self._encode = ServerProcess.encode if recipe.server else QueryProcess.encode
        became = None
        if recipe.server is not None:
            became = functools.partial(server_ready, union=recipe.server[2])
        self._forks = ForkServer(recipe, became)
        self.started = 0  #: processes started since the pool was made (replacements included)
        self.last_error: str | None = None

    # -- lifecycle

    def start(self, wait: bool = True, timeout: float = STARTUP_TIMEOUT) -> QueryPool:
        """Start the processes; with ``wait``, return once all are ready.

        :raises QueryStopped: when ``wait`` and they did not come up in ``timeout`` seconds.
        """
        for _ in range(self.size):
            self._spawn_async()
        if wait:
            self.wait_ready(self.size, timeout)
        return self

    def wait_ready(self, count: int | None = None, timeout: float = STARTUP_TIMEOUT) -> None:
        """Block until ``count`` processes (default: all) are alive and ready."""
        count = self.size if count is None else count
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._procs) < count:
                if self._closed:
                    raise QueryStopped("unavailable", "the query service is shutting down")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryStopped(
                        "unavailable",
                        "the query workers did not start"
                        + (f": {self.last_error}" if self.last_error else ""),
                    )
                self._cond.wait(remaining)

    def close(self) -> None:
        """Stop every process and the fork server. The pool cannot be used afterwards."""
        with self._cond:
            self._closed = True
            procs = list(self._procs.values())
            self._procs.clear()
            self._idle.clear()
            self._cond.notify_all()
            spawning = list(self._spawning)
        self._library.close()
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.close(wait=5.0)
        for thread in spawning:
            thread.join(STARTUP_TIMEOUT)
        self._forks.close()
        with contextlib.suppress(OSError):
            for name in os.listdir(self._tmp):
                os.unlink(os.path.join(self._tmp, name))
            os.rmdir(self._tmp)

    def __enter__(self) -> QueryPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- introspection (for tests, health checks and the benchmarks)

    def pids(self) -> list[int]:
        """Process ids of the live query processes."""
        with self._lock:
            return sorted(self._procs)

    def busy_pids(self) -> list[int]:
        """Process ids of the query processes running a query now (with the server engine,
        its Python query process too)."""
        with self._lock:
            busy = [pid for pid, p in self._procs.items() if p.ticket is not None]
        return sorted(busy + self._library.busy_pids())

    def library_pids(self) -> list[int]:
        """For the server engine: the Python query processes that run texts mentioning
        ``service`` (none before the first)."""
        return self._library.pids()

    def isolated(self) -> bool:
        """True when every live query process runs without network access."""
        with self._lock:
            return bool(self._procs) and all(p.isolated for p in self._procs.values())

    def server_pid(self) -> int | None:
        """Process id of the fork server, while it runs."""
        return self._forks.pid

    # -- running

    def run(self, job: QueryJob, client: str = "") -> QueryOutcome:
        """Run ``job`` for ``client`` (its address) in a query process under the deadline.

        :raises QueryRefused: 429, when ``client`` is over its share or its budget.
        :raises QueryStopped: 503, past the deadline, when the process dies, or when no
            process frees up in time.
        """
        deadline = time.monotonic() + self.timeout
        checked = mentions_service(job.query)  # the process runs rdflib's check on it
        if self.engine == "server":
            if checked:  # rdflib's check first, and no network: not the server
                return self._library.run(job, client)  # type: ignore[no-any-return]
            self._library.retire()
            settled = precheck(job)
            if settled is not None:
                return settled
        payload = self._encode(job)
        for _attempt in range(2):
            ticket = self._acquire(client, deadline, payload)
            proc = ticket.slot
            assert isinstance(proc, QueryProcess)
            if not ticket.sent:
                # It died while idle: the job never ran, so another process may take it.
                self._release(ticket, proc, healthy=False)
                continue
            return self._await(ticket, proc, deadline, replace=checked)
        raise QueryStopped("crash", "the query workers are restarting; try again in a moment")

    def _acquire(self, client: str, deadline: float, payload: object) -> Ticket:
        with self._lock:
            if self._closed:
                raise QueryStopped("unavailable", "the query service is shutting down")
            in_flight = self.fair.running() + self.fair.waiting()
            if self.max_in_flight is not None and in_flight >= self.max_in_flight:
                raise QueryStopped(
                    "busy",
                    f"The server has {in_flight} queries running or waiting, its most; "
                    "try again in a moment.",
                )
            admitted = self.fair.admit(client, len(self._idle))
            if isinstance(admitted, Refusal):
                raise QueryRefused(admitted)
            ticket = admitted
            ticket.waker = threading.Event()
            ticket.payload = payload
            self._schedule()
        # Each waiting thread sleeps on its own event: a freed process wakes one thread,
        # not all of them. It looks up every 50 ms for a long query it may stop.
        while True:
            with self._lock:
                if ticket.slot is not None:
                    return ticket
                if ticket.refusal is not None:
                    self.fair.cancel(ticket)
                    raise QueryRefused(ticket.refusal)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    self.fair.cancel(ticket)
                    raise all_busy(self.size, self.timeout)
                self._schedule()  # rule 3 may have made this query (or others) refusable
                if ticket.slot is not None:
                    return ticket
                if ticket.refusal is not None:
                    self.fair.cancel(ticket)
                    raise QueryRefused(ticket.refusal)
                victim = self.fair.victim()
                if victim is not None and isinstance(victim.slot, QueryProcess):
                    victim.refusal = Refusal(
                        max(1, int(self.fair.long_after)),
                        "This long query was stopped to let other clients run theirs: this "
                        "client had more than its share of the query processes.",
                    )
                    victim.slot.kill()
                ticket.waker.clear()
            ticket.waker.wait(min(remaining, 0.05))

    def _schedule(self) -> None:
        """Refuse what rule 3 no longer lets wait, and hand idle processes out (under the
        lock), waking exactly the threads concerned."""
        self.fair.sweep()
        while self._idle:
            ticket = self.fair.next_ticket()
            if ticket is None:
                break
            proc = self._idle.pop()
            proc.ticket = ticket
            self.fair.start(ticket, proc)
            # The query goes out now, from whichever thread freed the process, so the
            # process is busy again at once (not only once its thread is awake).
            try:
                proc.send(ticket.payload)
                ticket.sent = True
            except (OSError, ValueError):
                ticket.sent = False
            if ticket.waker is not None:
                ticket.waker.set()
        for refused in self.fair.drain_refused():
            if refused.waker is not None:
                refused.waker.set()

    def _release(self, ticket: Ticket, proc: QueryProcess, *, healthy: bool) -> None:
        with self._lock:
            self.fair.finish(ticket)
            proc.ticket = None
            if healthy and not proc.dead and not self._closed:
                self._idle.append(proc)
            else:
                self._drop(proc)
            self._schedule()

    def _drop(self, proc: QueryProcess) -> None:
        """Forget ``proc``, kill it and start a replacement (under the lock)."""
        known = self._procs.pop(proc.pid, None) is not None
        if proc in self._idle:
            self._idle.remove(proc)
        proc.close()
        if known and not self._closed:
            self._spawn_async(locked=True)

    def _await(
        self, ticket: Ticket, proc: QueryProcess, deadline: float, *, replace: bool = False
    ) -> QueryOutcome:
        """The answer of ``proc`` to ``ticket``'s query. The process is replaced afterwards
        when its query was long (its priority cannot be raised again) or when ``replace``:
        rdflib's check loaded rdflib's parser into it, about 25 MiB it would keep."""
        ready = self._poll(proc, deadline - time.monotonic(), self.fair.long_after)
        if not ready:
            # A long query: it runs on at low CPU priority, so pages and short queries
            # keep the cores; its process is replaced when it ends (a process cannot be
            # given its priority back without privileges).
            proc.lower_priority()
            ready = self._poll(proc, deadline - time.monotonic())
        if not ready:
            self._release(ticket, proc, healthy=False)
            raise QueryStopped(
                "timeout",
                f"The query was stopped: it ran past the deadline of {self.timeout:g} s "
                "(HAMAR_GRAPH_QUERY_TIMEOUT). Narrow it down, or add a LIMIT.",
            )
        try:
            outcome: QueryOutcome = proc.recv()
        except (EOFError, OSError, ValueError):
            stopped = ticket.refusal
            exitcode = exit_status(proc) if stopped is None else None
            words = proc.last_words() if stopped is None else ""
            self._release(ticket, proc, healthy=False)
            if stopped is not None:
                raise QueryRefused(stopped) from None
            log.warning("query process died (exit status %s): %s", exitcode, words or "none")
            raise died(exitcode, words, self.memory_mb) from None
        if outcome.status == 503 and outcome.reason == "memory":
            # A MemoryError inside Python: the process may be in a bad state; replace it.
            self._release(ticket, proc, healthy=False)
            raise QueryStopped("memory", f"The query was stopped: {outcome.message}.")
        self._release(ticket, proc, healthy=not (proc.lowered or replace))
        if outcome.status == 503:
            raise QueryStopped(outcome.reason or "unavailable", outcome.message or "unavailable")
        return outcome

    @staticmethod
    def _poll(proc: QueryProcess, remaining: float, at_most: float | None = None) -> bool:
        wait = max(remaining, 0.0) if at_most is None else max(min(remaining, at_most), 0.0)
        try:
            return proc.poll(wait)
        except (OSError, EOFError):
            return True

    # -- processes

    def _spawn_async(self, *, locked: bool = False) -> None:
        thread = threading.Thread(target=self._spawn, name="sparql-worker-start", daemon=True)
        if locked:
            if self._closed:
                return
            self._spawning.add(thread)
        else:
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
                    proc = self._start_one()
                except Exception as exc:
                    if self._closed:
                        return
                    self.last_error = str(exc)
                    log.error("query process failed to start (attempt %d): %s", attempt + 1, exc)
                    for _ in range(int(min(2**attempt, 10) * 10)):
                        if self._closed:
                            return
                        time.sleep(0.1)
                    continue
                with self._cond:
                    if self._closed:
                        proc.close()
                        return
                    self._procs[proc.pid] = proc
                    self.started += 1
                    self._idle.append(proc)
                    self._schedule()
                    self._cond.notify_all()
                return
        finally:
            with self._lock:
                self._spawning.discard(threading.current_thread())

    def _start_one(self) -> QueryProcess:
        fd, log_path = tempfile.mkstemp(prefix="worker-", suffix=".log", dir=self._tmp)
        os.close(fd)
        if self._closed:
            raise RuntimeError("the pool is closing")
        return self._forks.spawn(log_path, STARTUP_TIMEOUT)
