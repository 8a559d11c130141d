"""Content negotiation for resource and term IRIs.

The Cool-URIs pattern, used everywhere: the IRI itself (``/id/vennskapsby/lund``)
answers **200** with the representation chosen from ``Accept`` (or ``?format=``),
and says which document that is with ``Content-Location``
(``/id/vennskapsby/lund.ttl``). Each document also has its own URL (suffix
``.html``, ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``), which never negotiates.
Every response lists the other documents in ``Link: <…>; rel="alternate"``
headers and carries ``Vary: Accept, Accept-Language``.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept

from hamar_graph.rdf.formats import MEDIA_TYPES, RDF_FORMATS

HTML = "html"
HTML_TYPES = ("text/html", "application/xhtml+xml")

#: Document suffix → format key.
SUFFIXES: dict[str, str] = {".html": HTML, **{f".{f.extension}": k for k, f in RDF_FORMATS.items()}}

#: Media types we answer, in order of preference on a tie (HTML first, for browsers).
OFFERED: tuple[str, ...] = (*HTML_TYPES, *MEDIA_TYPES)

VARY = "Accept, Accept-Language"


class NotAcceptable(Exception):
    """No representation matches ``Accept``; the message lists those we have."""


class UnknownFormat(ValueError):
    """``?format=`` names a format we do not serve."""


def supported() -> str:
    """Human list of the formats, for error messages."""
    return ", ".join(
        ["html (text/html)", *(f"{k} ({f.media_type})" for k, f in RDF_FORMATS.items())]
    )


def split_suffix(path: str) -> tuple[str, str | None]:
    """``/id/x/y.ttl`` → (``/id/x/y``, ``ttl``); a path without a known suffix is unchanged."""
    for suffix, key in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], key
    return path, None


def choose(accept: MIMEAccept, format_param: str | None = None) -> str:
    """The format key to answer with: ``html`` or a key of :data:`RDF_FORMATS`.

    :param accept: the request's parsed ``Accept`` header.
    :param format_param: ``?format=`` (a key such as ``ttl`` or a media type), which wins.
    :raises UnknownFormat: for a ``?format=`` we do not serve.
    :raises NotAcceptable: when nothing we have matches ``Accept``.
    """
    if format_param:
        wanted = format_param.strip().lower()
        if wanted in (HTML, *HTML_TYPES):
            return HTML
        key = MEDIA_TYPES.get(wanted, wanted)
        if key in RDF_FORMATS:
            return key
        raise UnknownFormat(f"unknown format {format_param!r}; use one of: {supported()}")
    if not accept or not list(accept.values()):
        return HTML
    best = accept.best_match(OFFERED)
    if best is None:
        raise NotAcceptable(
            f"none of the requested media types is available; we have {supported()}"
        )
    if best in HTML_TYPES:
        return HTML
    # A client that prefers text/plain but also takes HTML (curl's */*) gets HTML, not N-Triples.
    if best == "text/plain" and accept.quality("text/html") >= accept.quality("text/plain"):
        return HTML
    return MEDIA_TYPES[best]


def media_type(key: str) -> str:
    """The ``Content-Type`` of format ``key``."""
    return "text/html; charset=utf-8" if key == HTML else RDF_FORMATS[key].content_type


def document(path: str, key: str) -> str:
    """The URL of the ``key`` document of the resource at ``path``."""
    suffix = ".html" if key == HTML else f".{RDF_FORMATS[key].extension}"
    return path + suffix


def alternates(path: str) -> list[tuple[str, str, str, str]]:
    """``(key, url, media type, label)`` for every document of the resource at ``path``."""
    out = [(HTML, document(path, HTML), "text/html", "HTML")]
    out.extend((k, document(path, k), f.media_type, f.label) for k, f in RDF_FORMATS.items())
    return out


def link_header(path: str) -> str:
    """The ``Link`` header listing every document of the resource at ``path``."""
    return ", ".join(f'<{url}>; rel="alternate"; type="{mt}"' for _, url, mt, _ in alternates(path))
