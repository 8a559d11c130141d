"""Named SPARQL queries used by the pages.

Every query is a constant; request values never enter the text. Callers pass
IRIs and literals as bindings (``store.select(Q, {"s": iri})``), which the
engine substitutes. Each constant's docstring is the query itself, so that
``help(queries)`` and the docs show exactly what runs.

A page runs a fixed number of these, whatever the number of resources it
links to: labels of linked resources are joined in the same query
(``OPTIONAL { ?o skos:prefLabel ?olabel }``), never fetched one by one.
"""

from __future__ import annotations

from hamar_graph.namespaces import sparql_prologue

_P = sparql_prologue()


def _q(body: str) -> str:
    return _P + body.strip() + "\n"


#: Outgoing statements of ``?s`` with the labels and types of the objects.
OUTGOING = _q(
    """
SELECT ?s ?p ?o ?olabel WHERE {
  ?s ?p ?o .
  OPTIONAL { ?o skos:prefLabel ?olabel }
}
"""
)


#: Incoming statements to ``?s`` with the labels of the subjects.
INCOMING = _q(
    """
SELECT ?s ?x ?p ?xlabel WHERE {
  ?x ?p ?s .
  FILTER(isIRI(?x))
  OPTIONAL { ?x skos:prefLabel ?xlabel }
}
"""
)


#: Breadcrumb paths of ``?s``: (axis, action-plan goal) pairs, with labels and the
#: strategy document whose axis scheme holds the axis.
BREADCRUMBS = _q(
    """
SELECT ?s ?doc ?doclabel ?axis ?axislabel ?goal ?goallabel WHERE {
  {
    ?s hms:servesGoal ?goal .
    ?goal hms:axis ?axis .
    OPTIONAL { ?goal skos:prefLabel ?goallabel }
  }
  UNION { ?s hms:axis ?axis }
  UNION { ?s skos:inScheme ?scheme . ?s a hms:Axis . BIND(?s AS ?axis) }
  OPTIONAL { ?axis skos:prefLabel ?axislabel }
  OPTIONAL {
    ?axis skos:inScheme ?sch .
    ?doc hms:axisScheme ?sch .
    OPTIONAL { ?doc skos:prefLabel ?doclabel }
  }
}
"""
)


#: The triples that make up the RDF description of ``?s``: its outgoing triples,
#: the triples of blank nodes it points to, and the triples that point to it.
DESCRIBE = _q(
    """
CONSTRUCT { ?s ?p ?o . ?o ?bp ?bo . ?x ?ip ?s . } WHERE {
  { ?s ?p ?o . OPTIONAL { FILTER(isBlank(?o)) ?o ?bp ?bo } }
  UNION { ?x ?ip ?s }
}
"""
)


#: Is ``?s`` in the graph at all (as subject or object)?
EXISTS = _q("ASK { { ?s ?p ?o } UNION { ?x ?p ?s } }")


#: Every triple of named graph ``?g`` (the ontology document).
GRAPH_TRIPLES = _q("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


#: Vocabulary terms (classes and properties) with their labels, definitions and
#: the statements that document them, for the ontology page and property labels.
VOCABULARY = _q(
    """
SELECT ?t ?kind ?p ?o WHERE {
  VALUES ?kind { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty
                 owl:AnnotationProperty rdf:Property owl:Ontology }
  ?t a ?kind .
  FILTER(isIRI(?t))
  ?t ?p ?o .
  VALUES ?p { rdfs:label skos:prefLabel skos:definition rdfs:comment rdfs:domain rdfs:range
              rdfs:subClassOf rdfs:subPropertyOf owl:equivalentClass owl:equivalentProperty
              owl:inverseOf skos:exactMatch skos:closeMatch dct:title dct:description
              owl:versionIRI owl:versionInfo rdfs:isDefinedBy skos:scopeNote }
}
"""
)


#: Labels and texts of every resource (the in-memory resource index, built once per app).
RESOURCE_TEXTS = _q(
    """
SELECT ?s ?p ?text WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel hms:text hms:textTranslation hms:abbreviation
              skos:definition }
  ?s ?p ?text .
  FILTER(isIRI(?s))
}
"""
)


#: Types of every resource (the in-memory resource index, built once per app).
RESOURCE_TYPES = _q(
    """
SELECT ?s ?type WHERE {
  ?s a ?type .
  FILTER(isIRI(?s))
}
"""
)


#: The axes of strategy ``?doc``, with their axis goal and main strategy texts (table 4.6).
HOME_AXES = _q(
    """
SELECT ?doc ?axis ?label ?notation ?goal ?goaltext ?strategy ?strategytext WHERE {
  ?doc hms:axisScheme ?scheme .
  ?axis skos:inScheme ?scheme ; a hms:Axis ; skos:prefLabel ?label .
  OPTIONAL { ?axis skos:notation ?notation }
  OPTIONAL { ?axis hms:axisGoal ?goal .
             OPTIONAL { ?goal hms:text|hms:textTranslation ?goaltext } }
  OPTIONAL { ?axis hms:mainStrategy ?strategy .
             OPTIONAL { ?strategy hms:text|hms:textTranslation ?strategytext } }
}
"""
)


#: The tree of strategy ``?doc``: axis → action-plan goal → measure, with labels and order.
TREE = _q(
    """
SELECT ?doc ?axis ?axislabel ?notation ?goal ?goallabel ?order ?measure ?measurelabel WHERE {
  ?doc hms:axisScheme ?scheme .
  ?axis skos:inScheme ?scheme ; a hms:Axis ; skos:prefLabel ?axislabel .
  OPTIONAL { ?axis skos:notation ?notation }
  OPTIONAL {
    ?goal a hms:ActionPlanGoal ; hms:axis ?axis ; skos:prefLabel ?goallabel .
    OPTIONAL { ?goal hms:rowOrder ?order }
    OPTIONAL { ?measure hms:servesGoal ?goal ; skos:prefLabel ?measurelabel }
  }
}
"""
)


#: Key figures from the sections of strategy ``?doc``: value (or an exact fraction), unit,
#: unit code, lower-bound flag and texts. The sections are found first, in a sub-query, so
#: that an engine joins the figures to the few sections of this strategy rather than every
#: figure of every strategy to the sections (430 ms → 40 ms on 356 strategies).
KEY_FIGURES = _q(
    """
SELECT ?doc ?fig ?label ?value ?numerator ?denominator ?unit ?code ?lower ?text WHERE {
  { SELECT ?doc ?section WHERE { ?doc hms:hasSection+ ?section } }
  ?fig hms:fromSection ?section ; a hms:KeyFigure ; skos:prefLabel ?label .
  OPTIONAL { ?fig hms:value ?value }
  OPTIONAL { ?fig hms:numerator ?numerator ; hms:denominator ?denominator }
  OPTIONAL { ?fig hms:unit ?unit }
  OPTIONAL { ?fig hms:unitCode ?code }
  OPTIONAL { ?fig hms:isLowerBound ?lower }
  OPTIONAL { ?fig hms:text|hms:textTranslation ?text }
}
"""
)


#: The home place ``?home`` and the twin cities of the publisher of strategy ``?doc``,
#: with coordinates and country labels.
MAP_PLACES = _q(
    """
SELECT ?doc ?home ?place ?label ?lat ?long ?twin ?country ?countrylabel WHERE {
  {
    ?doc dct:publisher ?org . ?org hms:twinCity ?place . BIND(true AS ?twin)
    ?place geo:lat ?lat ; geo:long ?long ; skos:prefLabel ?label .
  } UNION {
    ?home geo:lat ?lat ; geo:long ?long ; skos:prefLabel ?label .
    BIND(?home AS ?place)
  }
  OPTIONAL { ?place hms:country ?country . ?country skos:prefLabel ?countrylabel }
}
"""
)


#: The responsibility chart of strategy ``?doc`` (section 5): areas in row order and
#: their actors (the sections first, as in :data:`KEY_FIGURES`).
RESPONSIBILITY = _q(
    """
SELECT ?doc ?area ?arealabel ?order ?actor ?actorlabel WHERE {
  { SELECT ?doc ?section WHERE { ?doc hms:hasSection+ ?section } }
  ?area hms:fromSection ?section ; a hms:ResponsibilityArea ; skos:prefLabel ?arealabel .
  OPTIONAL { ?area hms:rowOrder ?order }
  OPTIONAL { ?area hms:responsibleActor ?actor . ?actor skos:prefLabel ?actorlabel }
}
"""
)


#: The strategy document(s) with label and the summary text of section 1.
STRATEGY = _q(
    """
SELECT ?doc ?label ?plan ?planlabel WHERE {
  ?doc a hms:StrategyDocument ; skos:prefLabel ?label .
  OPTIONAL { ?doc hms:hasActionPlan ?plan . ?plan skos:prefLabel ?planlabel }
}
"""
)


#: The strategy document of every axis (``?doc hms:axisScheme`` the axis's scheme): the
#: pages' database keeps each goal's and measure's gaps under its strategy.
STRATEGY_AXES = _q(
    """
SELECT ?doc ?axis WHERE {
  ?doc hms:axisScheme ?scheme .
  ?axis skos:inScheme ?scheme ; a hms:Axis .
}
"""
)


#: One strategy document (the first by IRI), for a home page whose configured strategy
#: is not in the graph.
FIRST_STRATEGY = _q(
    """
SELECT ?doc WHERE { ?doc a hms:StrategyDocument } ORDER BY ?doc LIMIT 1
"""
)


def _document_queries() -> str:
    """Render every query constant as a reST literal block, for the module docstring."""
    parts = []
    for name, value in sorted(globals().items()):
        if name.isupper() and isinstance(value, str) and value.startswith(_P) and name != "_P":
            body = value.replace(_P, "")
            parts.append(
                f"``{name}``::\n\n" + "".join(f"    {line}\n" for line in body.splitlines())
            )
    return "\n".join(parts)


__doc__ = (
    (__doc__ or "")
    + "\nThe queries (prefixes omitted)\n------------------------------\n\n"
    + _document_queries()
)

__all__ = [
    "BREADCRUMBS",
    "DESCRIBE",
    "EXISTS",
    "FIRST_STRATEGY",
    "GRAPH_TRIPLES",
    "HOME_AXES",
    "INCOMING",
    "KEY_FIGURES",
    "MAP_PLACES",
    "OUTGOING",
    "RESOURCE_TEXTS",
    "RESOURCE_TYPES",
    "RESPONSIBILITY",
    "STRATEGY",
    "STRATEGY_AXES",
    "TREE",
    "VOCABULARY",
]
