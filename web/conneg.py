"""Content negotiation: the one Cool-URIs pattern for documents, and SPARQL's result formats.

**Documents** (resources, ontology terms, the catalogue, VoID). The IRI itself
(``/id/vennskapsby/lund``) answers **200** with the representation chosen from
``Accept`` (or ``?format=``), and says which document that is with
``Content-Location`` (``/id/vennskapsby/lund.ttl``). Each document also has its own
URL (suffix ``.html``, ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``), which never
negotiates. Every response lists the other documents in ``Link: <…>; rel="alternate"``
headers and a negotiated one carries ``Vary: Accept, Accept-Language``.
:func:`respond` is that pattern, for every route that serves a document.

**SPARQL results** (SPARQL 1.1 Protocol, section 2.1): :func:`negotiate` picks a
format for each family of query forms (SELECT/ASK results, CONSTRUCT/DESCRIBE RDF)
and whether a browser gets the query page.

``Accept`` is parsed by werkzeug (:class:`werkzeug.datastructures.MIMEAccept`); the
format registry is :mod:`hamar_graph.rdf.formats`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from flask import Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from hamar_graph.rdf.formats import (
    GRAPH_FORMATS,
    HTML_TYPES,
    MEDIA_TYPES,
    RDF_FORMATS,
    TABULAR_FORMATS,
    Format,
    kind_of,
    supported_types,
)
from hamar_graph.sparql.errors import ProtocolError

HTML = "html"

#: Document suffix → format key.
SUFFIXES: dict[str, str] = {".html": HTML, **{f".{f.extension}": k for k, f in RDF_FORMATS.items()}}

#: Media types we answer, in order of preference on a tie (HTML first, for browsers).
OFFERED: tuple[str, ...] = (*HTML_TYPES, *MEDIA_TYPES)

VARY = "Accept, Accept-Language"


class NotAcceptable(Exception):
    """No representation matches ``Accept``; the message lists those we have."""


class UnknownFormat(ValueError):
    """``?format=`` names a format we do not serve."""


class PlainError(HTTPException):
    """An error answered with a ready response (plain text, or a page)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response=response)


def plain(status: int, text: str, *, vary: bool = True) -> PlainError:
    """A plain-text error response for a document URL, to raise."""
    response = Response(text + "\n", status=status, mimetype="text/plain")
    if vary:
        response.vary.update(VARY.split(", "))
    return PlainError(response)


# --- documents -----------------------------------------------------------------------------


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


def requested_format(suffix: str | None) -> str:
    """The format this request asks for: its document suffix, else ``Accept`` or ``?format=``.

    :raises PlainError: 400 for an unknown ``?format=``, 406 when nothing matches.
    """
    if suffix is not None:
        return suffix
    try:
        return choose(request.accept_mimetypes, request.args.get("format"))
    except UnknownFormat as exc:
        raise plain(400, str(exc)) from exc
    except NotAcceptable as exc:
        raise plain(406, str(exc)) from exc


def wants_rdf() -> bool:
    """Whether this request asks for RDF rather than a page (for error answers)."""
    try:
        return choose(request.accept_mimetypes, request.args.get("format")) != HTML
    except (UnknownFormat, NotAcceptable):
        return True


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


def respond(
    path: str,
    suffix: str | None,
    html: Callable[[], Response],
    rdf: Callable[[str], bytes],
) -> Response:
    """Answer the document URL ``path`` (or its ``suffix`` document) after the Cool-URIs
    pattern: the chosen format's body, ``Content-Location``, ``Link`` and ``Vary``.

    :param path: the resource's URL path without suffix.
    :param suffix: the format key of a suffix document (never negotiated), or ``None``.
    :param html: makes the HTML page (it may raise, e.g. a 404).
    :param rdf: makes the RDF body in a format key (it may raise, e.g. a 404).
    :raises PlainError: 400 for an unknown ``?format=``, 406 when nothing matches.
    """
    key = requested_format(suffix)
    if key == HTML:
        response = html()
    else:
        response = Response(rdf(key))
        response.headers["Content-Type"] = RDF_FORMATS[key].content_type
    response.headers["Content-Location"] = document(path, key)
    response.headers["Link"] = link_header(path)
    if suffix is None:
        response.vary.update(VARY.split(", "))
    return response


# --- SPARQL results ---------------------------------------------------------------------------


def _specificity(range_: str, media_type: str) -> int:
    """3 when ``range_`` names ``media_type``, 2 for ``type/*``, 1 for ``*/*``, 0 otherwise."""
    if range_ == "*/*" or range_ == "*":
        return 1
    rtype, _, rsub = range_.lower().partition("/")
    mtype, _, msub = media_type.partition("/")
    if rtype == mtype and rsub == "*":
        return 2
    return 3 if (rtype, rsub) == (mtype, msub) else 0


def _quality(accept: MIMEAccept, media_type: str) -> tuple[float, int]:
    """The quality ``accept`` gives ``media_type`` (werkzeug's, the most specific match's)
    and that match's specificity (0 when nothing matches)."""
    specificity = max((_specificity(value, media_type) for value, _q in accept), default=0)
    return (accept.quality(media_type) if specificity else 0.0), specificity


def _best(accept: MIMEAccept, formats: Iterable[Format]) -> Format | None:
    chosen: Format | None = None
    chosen_score = (0.0, 0, 0)
    for fmt in formats:
        # A format's quality is the best over its media type and aliases; on a tie, a
        # match on the format's own media type beats a match on an alias.
        score = max((*_quality(accept, mt), int(mt == fmt.media_type)) for mt in fmt.accepted)
        if score[0] > 0 and score > chosen_score:
            chosen, chosen_score = fmt, score
    return chosen


@dataclass(frozen=True)
class Negotiation:
    """The outcome of SPARQL content negotiation for one request.

    ``tabular`` and ``graph`` are the formats for each family of query forms
    (``None`` when the client accepts none of ours: 406 for that family).
    ``html`` is true when the client prefers the HTML query page.
    """

    html: bool
    tabular: Format | None
    graph: Format | None
    requested: str = ""  #: what the client asked for, for the 406 message
    fallback: frozenset[str] = frozenset()  #: families given their default, not asked for

    def for_form(self, form: str | None) -> Format | None:
        """The format for a query of ``form``."""
        kind = kind_of(form)
        if kind == "tabular":
            return self.tabular
        if kind == "graph":
            return self.graph
        return None

    def not_acceptable(self, kind: str | None) -> ProtocolError:
        """The 406 error for ``kind``, listing what we do send."""
        types = ", ".join(supported_types(kind))
        what = {"tabular": "SELECT and ASK", "graph": "CONSTRUCT and DESCRIBE"}.get(
            kind or "", "query"
        )
        return ProtocolError(
            406,
            f"Not acceptable: {self.requested or 'the requested format'}. "
            f"{what} results are available as: {types}. "
            "Ask for one in the Accept header or the format parameter.",
        )


def negotiate(accept: str | MIMEAccept | None, format_values: Sequence[str] = ()) -> Negotiation:
    """Choose SPARQL result formats from ``Accept`` and the ``format`` parameter's values.

    When ``Accept`` names formats of only one family (SELECT/ASK results, or RDF), the
    other family falls back to its default (JSON, Turtle); 406 is for a request that
    accepts none of our formats. A ``format`` parameter (a short name such as ``json``,
    ``csv``, ``turtle``, or a media type) overrides ``Accept``; several values may be
    given (SPARQLWrapper sends a name and a media type), and the first one we know for
    each family wins.

    :param accept: the ``Accept`` header (text, or as werkzeug parsed it), or ``None``.
    :param format_values: the values of the ``format`` parameter (and its aliases
        ``output`` and ``results``), in order.
    """
    values = [v.strip().lower() for v in format_values if v and v.strip()]
    if values:
        if any(v in ("html", *HTML_TYPES) for v in values):
            return Negotiation(True, TABULAR_FORMATS["json"], GRAPH_FORMATS["ttl"])
        tabular = _by_name(values, TABULAR_FORMATS.values())
        graph = _by_name(values, GRAPH_FORMATS.values())
        return Negotiation(False, tabular, graph, f"format={','.join(values)}")
    header = accept if isinstance(accept, str) or accept is None else accept.to_header()
    parsed = (
        parse_accept_header(header, MIMEAccept)
        if header and header.strip()
        else MIMEAccept([("*/*", 1)])
    )
    html_q = max(_quality(parsed, t) for t in HTML_TYPES)
    tabular = _best(parsed, TABULAR_FORMATS.values())
    graph = _best(parsed, GRAPH_FORMATS.values())
    # The page only for clients that name text/html explicitly and like it at least as
    # much as any result format they name: */* or text/* alone (curl, libraries) gets data.
    html = html_q[1] == 3 and html_q[0] > 0
    if html:
        for fmt in (tabular, graph):
            if fmt is not None:
                score = max(_quality(parsed, mt) for mt in fmt.accepted)
                if score[1] == 3 and score[0] > html_q[0]:
                    html = False
    if html:
        return Negotiation(True, TABULAR_FORMATS["json"], GRAPH_FORMATS["ttl"])
    # A client that accepts some of our formats, but only those of the other family
    # (rdflib's SPARQLStore asks for results JSON even for CONSTRUCT), gets the family's
    # default rather than 406; one that accepts none of our formats gets 406.
    fallback: set[str] = set()
    if tabular is None and graph is not None:
        tabular = TABULAR_FORMATS["json"]
        fallback.add("tabular")
    elif graph is None and tabular is not None:
        graph = GRAPH_FORMATS["ttl"]
        fallback.add("graph")
    requested = f"Accept: {header}" if header else ""
    return Negotiation(False, tabular, graph, requested, frozenset(fallback))


def _by_name(values: Sequence[str], formats: Iterable[Format]) -> Format | None:
    formats = list(formats)
    for value in values:
        for fmt in formats:
            if value in fmt.names or value in fmt.accepted:
                return fmt
    return None
