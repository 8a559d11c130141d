"""The SPARQL endpoint's errors: a status and a message a person can act on."""

from __future__ import annotations

from collections.abc import Mapping


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
