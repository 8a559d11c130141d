"""What the load generator of :mod:`benchmarks.load` sends: the calls and how they are drawn.

A :class:`Call` is one request with the statuses it may get. The ordinary ones are drawn
by :class:`Mix` from a realistic spread (pages in HTML and Turtle, indexes, searches,
``/sparql`` over GET and both kinds of POST from :data:`QUERIES`, the catalogue, VoID, the
dumps, and conditional requests with an ``ETag`` seen earlier) over the entities, indexes
and dumps found on the :class:`Site`; :func:`hostile_calls` are the attacker's requests,
each with the only statuses it may get.
"""

from __future__ import annotations

import random
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

PREFIXES = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/hamar#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX dct: <http://purl.org/dc/terms/>\n"
)

#: Ordinary queries a researcher or a notebook sends.
QUERIES: tuple[str, ...] = (
    "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
    "SELECT ?s ?label WHERE { ?s rdfs:label ?label FILTER(LANG(?label) = 'nb') } LIMIT 50",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100",
    "ASK { ?s a skos:ConceptScheme }",
    "SELECT ?s WHERE { ?s skos:prefLabel ?l FILTER(CONTAINS(LCASE(STR(?l)), 'vennskap')) }",
    "CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s skos:prefLabel ?l } LIMIT 200",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o } ORDER BY ?p",
)


@dataclass(frozen=True)
class Call:
    """One request to send.

    :ivar kind: what it stands for in the report (``page``, ``sparql-get`` …).
    :ivar expected: statuses counted as expected; for hostile calls, the only
        acceptable ones.
    """

    kind: str
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expected: frozenset[int] = frozenset({200})
    hostile: bool = False
    remember_etag: bool = False


def _sparql_get(query: str, accept: str = "application/sparql-results+json") -> Call:
    qs = urllib.parse.urlencode({"query": PREFIXES + query})
    return Call("sparql-get", "GET", f"/sparql?{qs}", {"Accept": accept}, remember_etag=True)


def _sparql_post_form(query: str) -> Call:
    body = urllib.parse.urlencode({"query": PREFIXES + query}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
    }
    return Call("sparql-post", "POST", "/sparql", headers, body)


def _sparql_post_direct(query: str) -> Call:
    headers = {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+xml, text/turtle;q=0.9",
    }
    return Call("sparql-post", "POST", "/sparql", headers, (PREFIXES + query).encode())


def hostile_calls(max_query_bytes: int = 100_000, max_url_bytes: int = 8192) -> list[Call]:
    """The attacker's requests (docs/DECISIONS.md, "The query sandbox"), with expected statuses.

    The ones refused at once come first; the two that run into the deadline or the
    memory cap come last.

    :param max_query_bytes: the server's body limit; one call exceeds it.
    :param max_url_bytes: the server's URL limit; one call exceeds it.
    """
    refused = frozenset({400, 403})
    # COUNT has to see every row of the cross product (billions on the Hamar graph),
    # so it runs past any deadline on any machine; a SELECT * would stop at the row cap
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        'FILTER(REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), "(a|aa)+$")) }'
    )
    concat = "SELECT ?v0 WHERE { BIND('xxxxxxxxxxxxxxxx' AS ?v0) " + " ".join(
        f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(33)
    )
    concat += " }"
    nested = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def get(name: str, query: str, expected: frozenset[int]) -> Call:
        qs = urllib.parse.urlencode({"query": query})
        return Call(name, "GET", f"/sparql?{qs}", {}, None, expected, hostile=True)

    def post(name: str, fields: dict[str, str], expected: frozenset[int]) -> Call:
        body = urllib.parse.urlencode(fields).encode()
        return Call(name, "POST", "/sparql", form, body, expected, hostile=True)

    return [
        get(
            "hostile-service",
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            refused,
        ),
        post("hostile-update", {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, refused),
        post("hostile-update", {"query": "DROP ALL"}, refused),
        get("hostile-load", "LOAD <file:///etc/passwd>", refused),
        get(
            "hostile-from-file",
            "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o } LIMIT 1",
            frozenset({200, 400, 403}),
        ),
        post("hostile-nesting", {"query": nested}, frozenset({400})),
        Call(
            "hostile-body",
            "POST",
            "/sparql",
            {"Content-Type": "application/sparql-query"},
            b"#" * (max_query_bytes + 1),
            frozenset({413}),
            hostile=True,
        ),
        get("hostile-url", "#" + "x" * max_url_bytes, frozenset({414})),
        get("hostile-deadline", slow, frozenset({503})),
        post("hostile-memory", {"query": concat}, frozenset({503, 400})),
    ]


@dataclass
class Site:
    """What the generator discovered about the server before the run."""

    entities: list[str]
    dumps: list[str]
    indexes: list[str]
    base_iri: str


class Mix:
    """Draws the next ordinary call, and remembers ETags for conditional requests."""

    def __init__(self, site: Site, seed: int) -> None:
        self.site = site
        self.random = random.Random(seed)
        self.etags: dict[tuple[str, str], str] = {}
        self.lock = threading.Lock()
        self.stale_retries = 0

    def remember(self, call: Call, headers: Mapping[str, str]) -> None:
        etag = headers.get("etag")
        if etag and call.remember_etag:
            with self.lock:
                self.etags[(call.path, call.headers.get("Accept", ""))] = etag

    def _entity(self) -> str:
        return self.random.choice(self.site.entities) if self.site.entities else "/"

    def next(self) -> Call:
        r = self.random.random()
        if r < 0.06:
            return Call("home", "GET", "/", {"Accept": "text/html"}, remember_etag=True)
        if r < 0.30:
            headers = {"Accept": "text/html", "Accept-Language": self.random.choice(("nb", "en"))}
            return Call("entity-html", "GET", self._entity(), headers, remember_etag=True)
        if r < 0.40:
            headers = {"Accept": "text/turtle", "Accept-Encoding": "gzip"}
            return Call("entity-turtle", "GET", self._entity(), headers, remember_etag=True)
        if r < 0.45:
            path = self.random.choice(self.site.indexes)
            return Call("index", "GET", path, {"Accept": "text/html"}, remember_etag=True)
        if r < 0.48:
            q = self.random.choice(("hamar", "vennskapsby", "Lund", "naeringsliv", "ORE"))
            return Call("search", "GET", f"/sok?q={q}", {"Accept": "text/html"})
        if r < 0.60:
            return _sparql_get(self.random.choice(QUERIES))
        if r < 0.66:
            return _sparql_post_form(self.random.choice(QUERIES))
        if r < 0.70:
            return _sparql_post_direct(self.random.choice(QUERIES))
        if r < 0.74:
            accept = self.random.choice(("text/turtle", "application/ld+json", "text/html"))
            return Call("catalog", "GET", "/catalog", {"Accept": accept}, remember_etag=True)
        if r < 0.78:
            return Call(
                "void", "GET", "/.well-known/void", {"Accept": "text/turtle"}, remember_etag=True
            )
        if r < 0.81 and self.site.dumps:
            path = self.random.choice(self.site.dumps)
            return Call("dump", "GET", path, {"Accept": "*/*"}, remember_etag=True)
        with self.lock:
            seen = list(self.etags.items())
        if not seen:
            return Call("home", "GET", "/", {"Accept": "text/html"}, remember_etag=True)
        (path, accept), etag = self.random.choice(seen)
        headers = {"Accept": accept, "If-None-Match": etag}
        return Call("conditional", "GET", path, headers, expected=frozenset({200, 304}))
