"""Per-client rate limiting: a token bucket per client address, in process memory.

Each client (one IP address) owns a bucket that holds at most ``rate`` tokens
and refills at ``rate`` tokens per minute. A request takes one token; a request
that finds the bucket empty is refused and told how many whole seconds to wait
(the ``Retry-After`` value of RFC 9110 §10.2.3,
https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3).

The limiter is pure: it knows nothing of HTTP, takes the clock as an argument
so tests can drive time, and bounds its own memory (at most ``max_clients``
buckets; the least recently seen are forgotten first, which can only favour a
client, never refuse one wrongly).

Limits are per server process: with ``workers`` processes a client can be
served up to ``workers × rate`` requests a minute in the worst case.

.. versionadded:: 0.1
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

#: Buckets kept at most; past it the least recently seen client is forgotten.
DEFAULT_MAX_CLIENTS = 10_000


#: Slack for floating-point sums of the emission interval.
_EPSILON = 1e-6


@dataclass(frozen=True)
class Decision:
    """The answer for one request.

    :ivar allowed: whether the request may be served.
    :ivar retry_after: whole seconds to wait before the next request can pass
        (0 when allowed).
    :ivar remaining: whole tokens left in the client's bucket after this request.
    """

    allowed: bool
    retry_after: int
    remaining: int


class RateLimiter:
    """A token bucket per client key, safe to share between threads.

    :param rate: requests per minute per client (also the burst size); 0 turns
        limiting off and every request is allowed.
    :param clock: a monotonic clock in seconds (``time.monotonic`` by default).
    :param max_clients: buckets kept at most.
    :raises ValueError: when ``rate`` is negative or ``max_clients`` is not positive.
    """

    def __init__(
        self,
        rate: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = DEFAULT_MAX_CLIENTS,
    ) -> None:
        if rate < 0:
            raise ValueError(f"rate must be 0 (off) or positive, not {rate}")
        if max_clients <= 0:
            raise ValueError(f"max_clients must be positive, not {max_clients}")
        self.rate = rate
        self.max_clients = max_clients
        self._clock = clock
        self._interval = 60.0 / rate if rate else 0.0
        self._tolerance = self._interval * (rate - 1) if rate else 0.0
        self._buckets: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether any request can be refused."""
        return self.rate > 0

    def __len__(self) -> int:
        """Number of clients currently tracked."""
        return len(self._buckets)

    def hit(self, key: str) -> Decision:
        """Count one request from ``key`` and say whether it may pass.

        The bucket is kept as its theoretical arrival time (the generic cell rate
        algorithm, equivalent to a token bucket): one request every ``60 / rate``
        seconds on average, with a burst of ``rate``. A refused request changes
        nothing, so hammering does not push a client's wait further out.

        :param key: the client's identity (its address).
        """
        if not self.enabled:
            return Decision(True, 0, 0)
        now = self._clock()
        with self._lock:
            tat = max(self._buckets.pop(key, now), now)
            if tat - now > self._tolerance + _EPSILON:
                self._buckets[key] = tat
                wait = tat - self._tolerance - now
                decision = Decision(False, max(1, math.ceil(wait - _EPSILON)), 0)
            else:
                tat += self._interval
                self._buckets[key] = tat
                left = (now + self._tolerance + self._interval - tat) / self._interval
                decision = Decision(True, 0, max(0, math.floor(left + _EPSILON)))
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return decision
