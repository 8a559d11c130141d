"""Content negotiation for SPARQL results (SPARQL 1.1 Protocol, section 2.1)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hamar_graph.rdf.formats import (
    GRAPH_FORMATS,
    HTML_TYPES,
    TABULAR_FORMATS,
    ResultFormat,
    kind_of,
    supported_types,
)
from hamar_graph.sparql.errors import ProtocolError


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 3 exact, 2 ``type/*``,
        1 ``*/*``, 0 no match."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == mtype and self.subtype == "*":
            return 2
        if self.type == mtype and self.subtype == msub:
            return 3
        return 0


_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header (RFC 9110, section 12.5.1); malformed entries are skipped.

    An absent or empty header means ``*/*``.
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        mtype, _, msub = pieces[0].lower().partition("/")
        if not mtype or not msub or not _TOKEN.match(mtype) or not _TOKEN.match(msub):
            continue
        if mtype == "*" and msub != "*":
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                q = min(max(q, 0.0), 1.0)
        ranges.append(MediaRange(mtype, msub, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """The quality the client gives ``media_type``: the q of the most specific matching
    range, and that range's specificity (0 when nothing matches)."""
    best = (0.0, 0)
    for r in ranges:
        spec = r.specificity(media_type)
        if spec > best[1]:
            best = (r.q, spec)
    return best


def _best(ranges: Sequence[MediaRange], formats: Iterable[ResultFormat]) -> ResultFormat | None:
    chosen: ResultFormat | None = None
    chosen_score = (0.0, 0, 0)
    for fmt in formats:
        # A format's quality is the best over its media type and aliases; on a tie, a
        # match on the format's own media type beats a match on an alias.
        score = max((*quality(ranges, mt), int(mt == fmt.media_type)) for mt in fmt.accepted)
        if score[0] > 0 and score > chosen_score:
            chosen, chosen_score = fmt, score
    return chosen


@dataclass(frozen=True)
class Negotiation:
    """The outcome of content negotiation for one request.

    ``tabular`` and ``graph`` are the formats for each family of query forms
    (``None`` when the client accepts none of ours: 406 for that family).
    ``html`` is true when the client prefers the HTML query page.
    """

    html: bool
    tabular: ResultFormat | None
    graph: ResultFormat | None
    requested: str = ""  #: what the client asked for, for the 406 message
    fallback: frozenset[str] = frozenset()  #: families given their default, not asked for

    def for_form(self, form: str | None) -> ResultFormat | None:
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


def negotiate(accept: str | None, format_values: Sequence[str] = ()) -> Negotiation:
    """Choose result formats from the ``Accept`` header and ``format`` parameter values.

    When ``Accept`` names formats of only one family (SELECT/ASK results, or RDF), the
    other family falls back to its default (JSON, Turtle); 406 is for a request that
    accepts none of our formats. A ``format`` parameter (a short name such as ``json``,
    ``csv``, ``turtle``, or a media type) overrides ``Accept``; several values may be
    given (SPARQLWrapper sends a name and a media type), and the first one we know for
    each family wins.

    :param accept: the ``Accept`` header, or ``None``.
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
    ranges = parse_accept(accept)
    html_q = max(quality(ranges, t) for t in HTML_TYPES)
    tabular = _best(ranges, TABULAR_FORMATS.values())
    graph = _best(ranges, GRAPH_FORMATS.values())
    # The page only for clients that name text/html explicitly and like it at least as
    # much as any result format they name: */* or text/* alone (curl, libraries) gets data.
    html = html_q[1] == 3 and html_q[0] > 0
    if html:
        for fmt in (tabular, graph):
            if fmt is not None:
                score = max(quality(ranges, mt) for mt in fmt.accepted)
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
    requested = f"Accept: {accept}" if accept else ""
    return Negotiation(False, tabular, graph, requested, frozenset(fallback))


def _by_name(values: Sequence[str], formats: Iterable[ResultFormat]) -> ResultFormat | None:
    formats = list(formats)
    for value in values:
        for fmt in formats:
            if value in fmt.names or value in fmt.accepted:
                return fmt
    return None
