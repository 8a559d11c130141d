"""The SPARQL endpoint's errors: a status and a message a person can act on."""

from __future__ import annotations

import signal
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from hamar_graph.sparql.fairness import Refusal


class ProtocolError(Exception):
    """A request the endpoint answers with an error status and a plain message.

    :param status: the HTTP status code.
    :param message: what went wrong and what to do, for a person.
    :param headers: extra response headers (``Allow``, ``Retry-After`` ...).
    """

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})


class QueryStopped(ProtocolError):
    """The query was stopped, or could not start: 503 with a message naming the limit.

    :param reason: ``timeout``, ``memory``, ``crash``, ``busy`` or ``unavailable``.
    """

    def __init__(self, reason: str, message: str, retry_after: int = 1) -> None:
        super().__init__(503, message, {"Retry-After": str(retry_after)})
        self.reason = reason


class QueryRefused(ProtocolError):
    """The client is over its share or its budget: 429 with ``Retry-After``.

    .. versionadded:: 0.2
    """

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(429, refusal.message, {"Retry-After": str(refusal.retry_after)})
        self.retry_after = refusal.retry_after


def all_busy(size: int, timeout: float) -> QueryStopped:
    """503: no query process freed up within the deadline."""
    return QueryStopped(
        "busy",
        f"All {size} query workers stayed busy for the whole deadline of "
        f"{timeout:g} s (HAMAR_GRAPH_QUERY_TIMEOUT); try again in a moment.",
        retry_after=max(1, int(timeout)),
    )


def died(exitcode: int | None, words: str, memory_mb: int) -> QueryStopped:
    """503 for a query whose process ended while running it: the memory cap when its last
    words (or an abort) say so, otherwise a crash."""
    if "memory allocation" in words or "MemoryError" in words or "out of memory" in words:
        return QueryStopped(
            "memory",
            f"The query was stopped: it reached the memory cap of {memory_mb} MiB "
            "(HAMAR_GRAPH_QUERY_MEMORY_MB).",
        )
    if exitcode == -signal.SIGABRT:
        return QueryStopped(
            "memory",
            f"The query was stopped: the engine aborted, most likely at the memory cap of "
            f"{memory_mb} MiB (HAMAR_GRAPH_QUERY_MEMORY_MB).",
        )
    return QueryStopped(
        "crash",
        "The query was stopped: the process running it ended unexpectedly "
        f"(exit status {exitcode}). It has been replaced; try again.",
    )
