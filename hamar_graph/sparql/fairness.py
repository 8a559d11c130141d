"""Who gets the next query process: a fair, work-conserving share per client.

The rules (README, "The SPARQL endpoint"; a client is one address):

1. **A client alone gets everything.** Nothing here refuses a client while no other
   client is waiting: a single user (or a benchmark) can keep every query process
   busy, as on the bare engine.
2. **A fair share under contention.** When every query process is busy and another
   client is waiting, a client that already has its share (the processes divided by
   the clients with queries in flight, at least one) running or waiting is refused at
   once; and when a client starts to wait, the *waiting* queries of clients over their
   share are refused. Freed processes go to the waiting client with the fewest queries
   running, oldest request first.
3. **Long queries have low priority.** A query that has run past ``long_after``
   seconds (1 s by default) is *long*. Its time past that first second is charged to
   its client's budget of ``budget`` query-seconds a minute (WDQS-style: a bucket
   that refills continuously); a client with an empty bucket is refused, and a client
   that has a long query running or whose bucket is not full runs one query at a time.
   A long query of a client over its share is stopped (its process replaced) when an
   under-share client waits for a process.

Refusals are :class:`Refusal` values (the web layer answers 429 with ``Retry-After``);
this module knows nothing of HTTP or processes and takes the clock as an argument.

.. versionadded:: 0.2
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Clients remembered at most (the least recently seen idle ones are forgotten first,
#: which can only favour a client).
MAX_CLIENTS = 10_000


@dataclass(frozen=True)
class Refusal:
    """A query refused for its client's sake of others: 429 with ``Retry-After``."""

    retry_after: int
    message: str


@dataclass
class Ticket:
    """One query of one client, from admission to its end."""

    client: str
    arrived: float
    started: float | None = None  #: when it got a process
    slot: object | None = None  #: the process it was given (set by the scheduler's user)
    refusal: Refusal | None = None  #: set when it is refused while waiting or stopped
    waker: Any = None  #: what the scheduler's user wakes its waiting thread with
    #: the query, ready to send to the process it gets (``QueryProcess.encode``)
    payload: Any = b""
    sent: bool = False  #: whether the payload was sent when the process was handed over

    def age(self, now: float) -> float:
        """Seconds it has been running (0 while waiting)."""
        return 0.0 if self.started is None else now - self.started


@dataclass
class _Client:
    bucket: float
    stamp: float
    running: list[Ticket] = field(default_factory=list)
    waiting: list[Ticket] = field(default_factory=list)

    @property
    def in_flight(self) -> int:
        return len(self.running) + len(self.waiting)


class FairShare:
    """The bookkeeping of rules 1–3 for one pool of ``size`` processes (not thread-safe:
    the pool calls it under its own lock).

    :param size: query processes in the pool.
    :param budget: query-seconds a minute each client may spend past ``long_after``;
        0 turns the budget (and the one-at-a-time rule) off.
    :param long_after: seconds after which a running query is long.
    :param clock: a monotonic clock in seconds.
    """

    def __init__(
        self,
        size: int,
        *,
        budget: float = 60.0,
        long_after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.budget = budget
        self.long_after = long_after
        self.clock = clock
        self._clients: OrderedDict[str, _Client] = OrderedDict()
        self._active: dict[str, _Client] = {}  #: clients with queries in flight
        self._refused: list[Ticket] = []  #: waiting tickets refused since the last drain

    # -- state

    def _client(self, key: str, now: float) -> _Client:
        client = self._clients.get(key)
        if client is None:
            client = _Client(self.budget, now)
            self._clients[key] = client
            self._forget_idle()
        else:
            self._clients.move_to_end(key)
            self._refill(client, now)
        return client

    def _refill(self, client: _Client, now: float) -> None:
        if self.budget > 0:
            rate = self.budget / 60.0
            client.bucket = min(self.budget, client.bucket + (now - client.stamp) * rate)
        client.stamp = now

    def _forget_idle(self) -> None:
        while len(self._clients) > MAX_CLIENTS:
            for key, client in self._clients.items():
                if not client.in_flight and client.bucket >= self.budget:
                    del self._clients[key]
                    break
            else:
                return

    def _update(self, key: str, client: _Client) -> None:
        if client.in_flight:
            self._active[key] = client
        else:
            self._active.pop(key, None)

    def share(self) -> int:
        """Queries a client may have in flight while others wait."""
        return max(1, self.size // max(1, len(self._active)))

    def drain_refused(self) -> list[Ticket]:
        """Waiting tickets refused since the last call (their threads must be woken)."""
        refused, self._refused = self._refused, []
        return refused

    def _marked(self, client: _Client, now: float) -> bool:
        if self.budget <= 0:
            return False
        if client.bucket < self.budget - 1e-9:
            return True
        return any(t.age(now) >= self.long_after for t in client.running)

    def waiting(self) -> int:
        """Queries waiting for a process."""
        return sum(len(c.waiting) for c in self._active.values())

    def running(self) -> int:
        """Queries holding a process."""
        return sum(len(c.running) for c in self._active.values())

    def bucket(self, key: str) -> float:
        """What is left of ``key``'s budget now (for tests and the service description)."""
        now = self.clock()
        client = self._clients.get(key)
        if client is None:
            return self.budget
        self._refill(client, now)
        return client.bucket

    # -- the rules

    def admit(self, key: str, idle: int) -> Ticket | Refusal:
        """A new query of client ``key`` arrives while ``idle`` processes are free."""
        now = self.clock()
        client = self._client(key, now)
        if self.budget > 0 and client.bucket <= 0:
            wait = (1.0 - client.bucket) / (self.budget / 60.0)
            return Refusal(
                max(1, math.ceil(wait)),
                f"Too many long queries: this client has used its {self.budget:g} query-seconds "
                f"a minute of long queries (HAMAR_GRAPH_QUERY_BUDGET).",
            )
        if client.in_flight and self._marked(client, now):
            return Refusal(
                max(1, math.ceil(self.long_after)),
                "One query at a time: this client has run a long query recently, so it runs "
                "one query at a time until its budget refills (HAMAR_GRAPH_QUERY_BUDGET).",
            )
        others_waiting = any(c.waiting for k, c in self._active.items() if k != key)
        if idle <= 0 and others_waiting and client.in_flight >= self.share():
            return Refusal(
                1,
                f"Too many queries at once: every query process is busy and others are "
                f"waiting; this client already has {client.in_flight} queries in flight.",
            )
        ticket = Ticket(key, now)
        client.waiting.append(ticket)
        self._update(key, client)
        if idle <= 0:
            self._evict_over_share(key)
        return ticket

    def _evict_over_share(self, newcomer: str) -> None:
        share = self.share()
        if self._clients[newcomer].in_flight > share:
            return
        for key, client in list(self._active.items()):
            while key != newcomer and client.waiting and client.in_flight > share:
                ticket = client.waiting.pop()
                ticket.refusal = Refusal(
                    1,
                    "Too many queries at once: another client is waiting, and this client "
                    f"has more than its share ({share}) of the query processes in flight.",
                )
                self._refused.append(ticket)
            self._update(key, client)

    def sweep(self) -> list[Ticket]:
        """Refuse the waiting queries that rule 3 no longer lets wait: a client whose
        bucket is not full, or that has a long query running, keeps one query in flight."""
        now = self.clock()
        refused: list[Ticket] = []
        for key, client in list(self._active.items()):
            if not client.waiting or not self._marked(client, now):
                continue
            keep = 0 if client.running else 1
            while len(client.waiting) > keep:
                ticket = client.waiting.pop()
                ticket.refusal = Refusal(
                    max(1, math.ceil(self.long_after)),
                    "One query at a time: this client has a long query running or ran one "
                    "recently, so it runs one query at a time until its budget refills "
                    "(HAMAR_GRAPH_QUERY_BUDGET).",
                )
                refused.append(ticket)
            self._update(key, client)
        self._refused += refused
        return refused

    def next_ticket(self) -> Ticket | None:
        """The waiting query that gets the next free process (fewest running first, then
        oldest), or None."""
        best: tuple[int, float] | None = None
        chosen: Ticket | None = None
        for client in self._active.values():
            if not client.waiting:
                continue
            ticket = client.waiting[0]
            rank = (len(client.running), ticket.arrived)
            if best is None or rank < best:
                best, chosen = rank, ticket
        return chosen

    def start(self, ticket: Ticket, slot: object) -> None:
        """``ticket`` got process ``slot``."""
        client = self._clients[ticket.client]
        client.waiting.remove(ticket)
        ticket.started = self.clock()
        ticket.slot = slot
        client.running.append(ticket)

    def cancel(self, ticket: Ticket) -> None:
        """``ticket`` gave up waiting (deadline) or was refused."""
        client = self._clients.get(ticket.client)
        if client is not None and ticket in client.waiting:
            client.waiting.remove(ticket)
            self._update(ticket.client, client)

    def finish(self, ticket: Ticket) -> None:
        """``ticket``'s query ended (answered, stopped or failed): charge its long time."""
        now = self.clock()
        client = self._client(ticket.client, now)
        if ticket in client.running:
            client.running.remove(ticket)
        self._update(ticket.client, client)
        if self.budget > 0 and ticket.started is not None:
            client.bucket -= max(0.0, now - ticket.started - self.long_after)

    def victim(self) -> Ticket | None:
        """A running long query to stop for a waiting client under its share: the youngest
        long query of the client most over its share; None when there is no such pair."""
        now = self.clock()
        share = self.share()
        if not any(c.waiting and len(c.running) < share for c in self._active.values()):
            return None
        over = [c for c in self._active.values() if len(c.running) > share]
        over.sort(key=lambda c: len(c.running), reverse=True)
        for client in over:
            long = [t for t in client.running if t.age(now) >= self.long_after]
            if long:
                return min(long, key=lambda t: t.age(now))
        return None
