"""HTTP caching rules as pure functions: validators, conditional requests, gzip.

Every answer of the app depends only on the data version, the format, the page
language and the content coding, so that is what the entity tag says
(``W/"0.1.0+1d2ded2a0c38-text/turtle-nb-gzip"``), and ``Last-Modified`` is the
data's ``dct:modified`` date at midnight UTC. A client that sends the tag back
in ``If-None-Match`` (or a date not older than that in ``If-Modified-Since``)
gets ``304 Not Modified`` and no body.

The tags are weak: two answers with the same tag are equivalent, not always
byte-identical (a SPARQL engine may number blank nodes differently). The gzip
variant has its own tag, because it is a different representation.

Specifications: HTTP Semantics (RFC 9110) sections 8.8 (validators), 13
(conditional requests), 12.5.3 (Accept-Encoding); HTTP Caching (RFC 9111).
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from email.utils import format_datetime, parsedate_to_datetime

#: ``Cache-Control`` for answers that depend only on the data version.
CACHE_CONTROL = "public, max-age=3600"


#: ``Cache-Control`` for errors and answers that must not be stored.
NO_STORE = "no-store"


#: Smaller bodies are not worth compressing.
MIN_GZIP_BYTES = 512


#: Media types that compress well: text and the RDF and SPARQL result formats.
_COMPRESSIBLE = {
    "application/json",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/rdf+xml",
    "application/xml",
    "application/xhtml+xml",
    "application/javascript",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/trig",
    "image/svg+xml",
}


#: SPARQL functions whose result changes from one run to the next.
_NONDETERMINISTIC = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def make_etag(
    data_version: str,
    media_type: str,
    language: str | None = None,
    coding: str | None = None,
) -> str:
    """A weak entity tag for one representation of the data at ``data_version``.

    :param data_version: the version of the data (see :func:`hamar_graph.dumps.data_version`).
    :param media_type: the representation's media type, without parameters.
    :param language: the page language, for pages that have one.
    :param coding: ``gzip`` when the body is compressed.

    .. versionadded:: 0.1
    """
    parts = [data_version, media_type.split(";")[0].strip().lower()]
    parts += [p for p in (language, coding) if p]
    tag = "-".join(parts)
    tag = "".join(c for c in tag if 0x21 <= ord(c) <= 0x7E and c != '"')
    return f'W/"{tag}"'


def parse_etags(header: str | None) -> list[str] | None:
    """The opaque tags of an ``If-None-Match`` header (``None`` for absent; ``["*"]`` for any)."""
    if header is None:
        return None
    header = header.strip()
    if header == "*":
        return ["*"]
    return re.findall(r'(?:W/)?"([^"]*)"', header)


def _opaque(etag: str) -> str:
    match = re.fullmatch(r'\s*(?:W/)?"([^"]*)"\s*', etag)
    return match.group(1) if match else etag


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison of ``etag`` against an ``If-None-Match`` header (RFC 9110, 13.1.2)."""
    tags = parse_etags(if_none_match)
    if not tags:
        return False
    return "*" in tags or _opaque(etag) in tags


def last_modified(date: dt.date) -> dt.datetime:
    """The ``Last-Modified`` instant of data modified on ``date``: midnight UTC."""
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


def http_date(moment: dt.datetime) -> str:
    """An IMF-fixdate (``Fri, 27 Nov 2026 00:00:00 GMT``)."""
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def parse_http_date(value: str | None) -> dt.datetime | None:
    """Parse an HTTP date; ``None`` when absent or invalid."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def not_modified(
    if_none_match: str | None,
    if_modified_since: str | None,
    etag: str,
    modified: dt.datetime,
) -> bool:
    """Whether a GET or HEAD may be answered with 304 (RFC 9110, 13.2.2).

    ``If-None-Match`` decides when present; ``If-Modified-Since`` is used only without it.

    .. versionadded:: 0.1
    """
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = parse_http_date(if_modified_since)
    return since is not None and modified <= since


def _qualities(accept_encoding: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        if name.strip():
            out[name.strip().lower()] = quality
    return out


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip``, ``x-gzip`` or ``*``, with q > 0)."""
    if not accept_encoding:
        return False
    q = _qualities(accept_encoding)
    for name in ("gzip", "x-gzip"):
        if name in q:
            return q[name] > 0
    return q.get("*", 0.0) > 0


def is_compressible(media_type: str | None) -> bool:
    """Whether a body of ``media_type`` is text worth compressing."""
    if not media_type:
        return False
    base = media_type.split(";")[0].strip().lower()
    return base.startswith("text/") or base in _COMPRESSIBLE or base.endswith("+json")


def gzip_body(data: bytes) -> bytes:
    """Compress a response body (reproducibly: no name, ``mtime=0``)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def is_deterministic_query(query: str | None) -> bool:
    """Whether a SPARQL query's answer depends only on the data (no ``NOW()``, ``RAND()`` ...)."""
    return not (query and _NONDETERMINISTIC.search(query))
