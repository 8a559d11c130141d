"""The SPARQL endpoint's errors: a status and a message a person can act on."""

from __future__ import annotations

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
