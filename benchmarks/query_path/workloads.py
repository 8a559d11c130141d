"""The workloads: the queries the benchmark sends, the hostile query, the small queries of
ordinary clients, and where the wrk script lives."""

from __future__ import annotations

from pathlib import Path

SECTIONS = ("startup", "throughput", "memory", "fairness", "scale")

ID = "https://data.hamar.kommune.no/id/"
PREFIXES = (
    "PREFIX hms: <https://data.hamar.kommune.no/def/>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
JSON_RESULTS = "application/sparql-results+json"

#: The lookup of the issue; the repeated workload always asks for this subject.
LOOKUP_IRI = f"{ID}vennskapsby/lund"
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
#: The unique-text lookup: a comment and a variable name carry a per-request counter
#: (``__N__``), and ``__IRI__`` is the next subject of the graph (benchmarks/wrk_sparql.lua).
UNIQUE_TEMPLATE = "# wrk __N__\nSELECT ?p ?o__N__ WHERE { <__IRI__> ?p ?o__N__ }"
#: The join mix: published example 13 ("the action plan as a table"), measures → goals →
#: axes, with a label-language filter on every label.
JOIN = (
    PREFIXES + "SELECT ?axisLabel ?row ?goalLabel ?measureLabel WHERE {\n"
    "  ?goal a hms:ActionPlanGoal ; skos:prefLabel ?goalLabel ; hms:rowOrder ?row ;\n"
    "        hms:axis ?axis .\n"
    "  ?axis skos:prefLabel ?axisLabel .\n"
    '  FILTER(lang(?goalLabel) = "nb" && lang(?axisLabel) = "nb")\n'
    "  OPTIONAL { ?measure hms:servesGoal ?goal ; skos:prefLabel ?measureLabel .\n"
    '             FILTER(lang(?measureLabel) = "nb") }\n'
    "} ORDER BY ?axisLabel ?row ?measureLabel"
)
#: Heavy queries at scale: each returns few rows (below any row cap), so it measures the
#: engine's work plus the fixed cost of the path, not a truncated transfer.
HEAVY: dict[str, str] = {
    "count over a join": (
        PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?goal a hms:ActionPlanGoal ; "
        "hms:axis ?axis ; skos:prefLabel ?gl . ?axis skos:prefLabel ?al . "
        'FILTER(lang(?gl) = "nb" && lang(?al) = "nb") }'
    ),
    "count over a path + OPTIONAL": (
        PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?m a hms:Measure ; "
        "hms:servesGoal/hms:axis ?axis . OPTIONAL { ?m hms:responsibleActor ?who } }"
    ),
    "GROUP BY axis, ORDER BY (one row per axis)": (
        PREFIXES + "SELECT ?axis (COUNT(?goal) AS ?goals) WHERE { ?goal a hms:ActionPlanGoal ; "
        "hms:axis ?axis } GROUP BY ?axis ORDER BY DESC(?goals) ?axis"
    ),
    "GROUP BY class": (
        "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)"
    ),
    "GROUP BY label language": (
        PREFIXES + "SELECT ?lang (COUNT(*) AS ?n) WHERE { ?s skos:prefLabel ?l "
        "BIND(lang(?l) AS ?lang) } GROUP BY ?lang ORDER BY ?lang"
    ),
}
#: The hostile query: COUNT must see every row of a three-way cross product (about 4e10
#: on the Hamar graph), so it runs into any deadline and a row cap cannot cut it short.
HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Small queries of the ordinary clients (and the lookup of a random subject).
SMALL_QUERIES = (
    PREFIXES + "ASK { ?s a skos:ConceptScheme }",
    PREFIXES + "SELECT ?c ?l WHERE { ?c a hms:TwinCity ; skos:prefLabel ?l "
    'FILTER(lang(?l) = "en") } ORDER BY ?l',
    PREFIXES + "SELECT (COUNT(?g) AS ?n) WHERE { ?g a hms:ActionPlanGoal }",
    PREFIXES + "SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(lang(?l) = 'nb') } LIMIT 20",
)
SEARCH_TERMS = ("hamar", "vennskapsby", "Lund", "kultur", "ORE", "skole")

#: Every request a client sends waits at most this long (the hostile one gets its own).
CLIENT_TIMEOUT = 30.0
HERE = Path(__file__).resolve().parent.parent
LUA = HERE / "wrk_sparql.lua"
