"""The SPARQL 1.1 Service Description of the endpoint
(https://www.w3.org/TR/sparql11-service-description/), with its limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, VOID, XSD

from hamar_graph import i18n
from hamar_graph.namespaces import HMS, PREFIXES, SD, SERVICE_PREFIXES, bind_prefixes
from hamar_graph.rdf.formats import (
    GRAPH_FORMATS,
    RDF_FORMATS,
    TABULAR_FORMATS,
)

ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")


#: Our own terms for the endpoint's limits (``hms:``), described in the service
#: description itself: (local name, label, comment, datatype).
LIMIT_TERMS: tuple[tuple[str, str, str, URIRef], ...] = (
    (
        "queryTimeout",
        "query timeout",
        "Deadline in seconds for one query; past it the query is stopped and the client gets 503.",
        XSD.decimal,
    ),
    (
        "queryMemoryLimit",
        "query memory limit",
        "Memory cap in MiB of the process that runs one query; past it the query is "
        "stopped and the client gets 503.",
        XSD.integer,
    ),
    (
        "resultRowLimit",
        "result row limit",
        "Most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) returned; a longer result is "
        "cut and says so in the header X-Hamar-Truncated.",
        XSD.integer,
    ),
    (
        "maxQueryBytes",
        "largest query",
        "Largest accepted request body and query, in bytes; larger gets 413.",
        XSD.integer,
    ),
    (
        "maxUrlBytes",
        "longest URL",
        "Longest accepted request URL, in bytes; longer gets 414.",
        XSD.integer,
    ),
    (
        "longQueryAfter",
        "long query after",
        "Seconds after which a running query is long: it runs at lower priority, its time "
        "counts against its client's query budget, and its client runs one query at a time "
        "until the budget is full again.",
        XSD.decimal,
    ),
    (
        "clientQueryBudget",
        "query budget per client",
        "Seconds of long-query time each client address may use a minute; past it, and past "
        "its fair share of the query processes while others wait, a client gets 429 with "
        "Retry-After. 0 means no budget.",
        XSD.decimal,
    ),
)

#: SHACL's terms for prefix declarations (https://www.w3.org/TR/shacl/#sparql-prefixes),
#: used to say which prefixes every query has without declaring them.
SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Limits:
    """The endpoint's limits, as published in the service description."""

    query_timeout: float
    query_memory_mb: int
    max_rows: int
    max_query_bytes: int
    max_url_bytes: int
    long_query: float = 1.0
    query_budget: float = 60.0

    def values(self) -> dict[str, Literal]:
        return {
            "longQueryAfter": Literal(f"{self.long_query:g}", datatype=XSD.decimal),
            "clientQueryBudget": Literal(f"{self.query_budget:g}", datatype=XSD.decimal),
            "queryTimeout": Literal(f"{self.query_timeout:g}", datatype=XSD.decimal),
            "queryMemoryLimit": Literal(self.query_memory_mb, datatype=XSD.integer),
            "resultRowLimit": Literal(self.max_rows, datatype=XSD.integer),
            "maxQueryBytes": Literal(self.max_query_bytes, datatype=XSD.integer),
            "maxUrlBytes": Literal(self.max_url_bytes, datatype=XSD.integer),
        }


@dataclass(frozen=True)
class GraphStats:
    """Triple counts of the store, for ``sd:defaultDataset``."""

    default_triples: int
    named: tuple[tuple[str, int], ...] = field(default_factory=tuple)


GRAPH_COUNTS_QUERY = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""


DEFAULT_COUNT_QUERY = """
SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
"""


def graph_stats(store: Any) -> GraphStats:
    """Count the triples of the default (union) graph and of each named graph.

    :param store: a :class:`hamar_graph.store.base.Store`.
    """
    named = tuple(
        (str(row["g"]), int(row["n"]))  # type: ignore[call-overload]
        for row in store.select(GRAPH_COUNTS_QUERY)
        if isinstance(row.get("g"), URIRef)
    )
    rows = store.select(DEFAULT_COUNT_QUERY)
    total = int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]
    return GraphStats(total, named)


def service_description(
    endpoint: str,
    stats: GraphStats,
    limits: Limits,
    predeclared: dict[str, str] | None = None,
) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``.

    :param endpoint: the endpoint's URL as the client called it (``sd:endpoint``).
    :param stats: triple counts (:func:`graph_stats`).
    :param limits: the limits to publish.
    """
    g = bind_prefixes(Graph())
    for prefix, namespace in SERVICE_PREFIXES.items():
        g.bind(prefix, namespace)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    for lang, title in i18n.texts("sparql.service_title").items():
        g.add((service, DCTERMS.title, Literal(title, lang=lang)))
    g.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only SPARQL 1.1 query endpoint. Updates and SERVICE are refused; FROM and "
                "FROM NAMED only name graphs already in the store (nothing is fetched). Each query "
                "runs under a deadline and a memory cap, and results are capped at a number of "
                "rows (see the hms: limit properties). Each client address gets a fair share of "
                "the query processes and a budget for long queries; past them, 429 with "
                "Retry-After. The prefixes given with sh:declare are declared for every query "
                "that does not declare them itself.",
                lang="en",
            ),
        )
    )
    for fmt in (*TABULAR_FORMATS.values(), *GRAPH_FORMATS.values()):
        g.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(stats.default_triples, datatype=XSD.integer)))
    g.add(
        (
            default,
            RDFS.comment,
            Literal("The default graph is the union of all named graphs.", lang="en"),
        )
    )
    for i, (name, count) in enumerate(stats.named):
        ng = BNode(f"namedGraph{i}")
        inner = BNode(f"graph{i}")
        g.add((dataset, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, URIRef(name)))
        g.add((ng, SD.graph, inner))
        g.add((inner, RDF.type, SD.Graph))
        g.add((inner, VOID.triples, Literal(count, datatype=XSD.integer)))
    for name, value in limits.values().items():
        g.add((service, HMS[name], value))
    for prefix, namespace in (predeclared or {}).items():
        # sh:declare, as SHACL-SPARQL declares prefixes: every query may use these.
        declaration = BNode(f"prefix-{prefix}")
        g.add((service, URIRef(SH + "declare"), declaration))
        g.add((declaration, RDF.type, URIRef(SH + "PrefixDeclaration")))
        g.add((declaration, URIRef(SH + "prefix"), Literal(prefix)))
        g.add((declaration, URIRef(SH + "namespace"), Literal(namespace, datatype=XSD.anyURI)))
    for name, label, comment, datatype in LIMIT_TERMS:
        term = HMS[name]
        g.add((term, RDF.type, OWL.DatatypeProperty))
        g.add((term, RDFS.label, Literal(label, lang="en")))
        g.add((term, RDFS.comment, Literal(comment, lang="en")))
        g.add((term, RDFS.domain, SD.Service))
        g.add((term, RDFS.range, datatype))
    return g


def serialize_description(graph: Graph, key: str) -> bytes:
    """Serialise a service description in the format ``key`` (``ttl``, ``nt``, ``jsonld``,
    ``rdf``), with the ``sd:`` and ``formats:`` prefixes bound."""
    if key == "jsonld":
        context = {**PREFIXES, **SERVICE_PREFIXES}
        return graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
    return graph.serialize(format=RDF_FORMATS[key].rdflib_format, encoding="utf-8")
