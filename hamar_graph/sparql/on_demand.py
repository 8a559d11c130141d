"""A query pool started at its first query and stopped once idle.

The server engine (``HAMAR_GRAPH_QUERY_ENGINE=server``) runs a text that mentions
``service`` in a Python query process, as the library engine runs every text (rdflib's
check in a process that can be killed, then pyoxigraph without a network): such texts are
rare, and that process with its fork server holds about 25 MiB (50 while rdflib's parser is
loaded, until the process is replaced after the text), so it is started when the first
comes and stopped after a while without one.

.. versionadded:: 0.2
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from hamar_graph.sparql.errors import QueryStopped


class Pool(Protocol):
    """What :class:`OnDemand` needs of a :class:`~hamar_graph.sparql.pool.QueryPool`."""

    def run(self, job: Any, client: str = "") -> Any: ...

    def pids(self) -> list[int]: ...

    def busy_pids(self) -> list[int]: ...

    def close(self) -> None: ...


class OnDemand:
    """A pool made by ``make`` at the first :meth:`run`, closed by :meth:`retire` once no
    query entered it for ``idle`` seconds (and none is in it).

    :param make: makes and starts the pool.
    :param idle: seconds without a query after which :meth:`retire` closes it.
    """

    def __init__(self, make: Callable[[], Pool], idle: float) -> None:
        self.make = make
        self.idle = idle
        self._pool: Pool | None = None
        self._lock = threading.Lock()
        self._users = 0  #: queries in the pool now
        self._last = 0.0  #: when a query last entered it (monotonic)
        self._closed = False

    def run(self, job: Any, client: str = "") -> Any:
        """Run ``job`` in the pool, made now if there is none."""
        with self._lock:
            if self._closed:
                raise QueryStopped("unavailable", "the query service is shutting down")
            if self._pool is None:
                self._pool = self.make()
            pool = self._pool
            self._users += 1
            self._last = time.monotonic()
        try:
            return pool.run(job, client)
        finally:
            with self._lock:
                self._users -= 1

    def retire(self) -> None:
        """Close the pool if it has been idle for :attr:`idle` seconds (cheap otherwise)."""
        if self._pool is None or time.monotonic() - self._last < self.idle:
            return
        with self._lock:
            pool = self._pool
            if pool is None or self._users or time.monotonic() - self._last < self.idle:
                return
            self._pool = None
        pool.close()

    def pids(self) -> list[int]:
        """The pool's processes (none while it is not running)."""
        with self._lock:
            return self._pool.pids() if self._pool is not None else []

    def busy_pids(self) -> list[int]:
        """The pool's processes running a query now."""
        with self._lock:
            return self._pool.busy_pids() if self._pool is not None else []

    def close(self) -> None:
        """Close the pool; :meth:`run` refuses afterwards (503)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
