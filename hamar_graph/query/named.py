"""Named SPARQL queries used by the pages.

Every query is a constant; request values never enter the text. Callers pass
IRIs and literals as bindings (``store.select(Q, {"s": iri})``), which the
engine substitutes. Each constant's docstring is the query itself, so that
``help(queries)`` and the docs show exactly what runs. The resource page's queries
(``ENTITY_*``) are written in :mod:`hamar_graph.query.entity` and listed here with the rest.

A page runs a fixed number of these, whatever the number of resources it
links to: labels of linked resources are joined in the same query
(``OPTIONAL { ?o skos:prefLabel ?olabel }``), never fetched one by one.

Every query answers the same on the embedded stores (Oxigraph, rdflib), the Oxigraph
server and Virtuoso (tests/store/test_remote_bindings.py), and every engine starts from
its bindings: the stores write them into the text as constants where the query's shape
allows (:func:`~hamar_graph.store.sparql_text.inline_bindings`), and
:class:`~hamar_graph.store.remote.RemoteStore` otherwise as ``BIND(term AS ?v)`` first in
the outermost WHERE group, where the engine joins them before anything else. So that they
can, and so that Oxigraph plans them well at 356 strategies, the queries keep four rules
(docs/virtuoso.md §5; benchmarks/README.md, "Pages at national scale"):

- a bound variable appears in a triple pattern of the outermost group or of every UNION
  branch that uses it, never only in a ``BIND``/``FILTER`` of a nested group (the Oxigraph
  server then evaluates the branch without the value: MAP_PLACES took past 10 s at 356
  strategies);
- ``hms:hasSection/hms:hasSection*`` rather than ``hms:hasSection+`` (the same sections,
  since each section has one parent): Virtuoso loses rows when a ``+`` path is joined with
  several OPTIONALs (KEY_FIGURES, RESPONSIBILITY), and needs the start of a ``+`` bound;
- a boolean made by an expression goes through ``xsd:boolean(…)``: Virtuoso types
  ``true`` and ``EXISTS {…}`` as the integer 1;
- an OPTIONAL holds one pattern on a variable bound outside it, or nests such OPTIONALs,
  and has no FILTER: Oxigraph evaluates an OPTIONAL of joined patterns on its own before
  joining it (the entity page's incoming statements: 0.8 s at 356 strategies, 3 ms like
  this); a zero-length path from a bound start (``hms:hasSection*``) goes in a sub-query.
"""

from __future__ import annotations

from hamar_graph.query.entity import (
    ENTITY_INCOMING,
    ENTITY_OUTGOING,
    ENTITY_OUTGOING_NAMES,
    ENTITY_OUTGOING_SIZES,
    ENTITY_OUTGOING_VALUES,
)
from hamar_graph.query.text import PROLOGUE as _P
from hamar_graph.query.text import query as _q

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
  ?doc hms:hasSection/hms:hasSection* ?section .
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
    ?doc dct:publisher ?org . ?org hms:twinCity ?place . BIND(xsd:boolean(true) AS ?twin)
  } UNION {
    ?home geo:lat [] . BIND(?home AS ?place)
  }
  ?place geo:lat ?lat ; geo:long ?long ; skos:prefLabel ?label .
  OPTIONAL { ?place hms:country ?country . ?country skos:prefLabel ?countrylabel }
}
"""
)


#: The responsibility chart of strategy ``?doc`` (section 5): areas in row order and
#: their actors.
RESPONSIBILITY = _q(
    """
SELECT ?doc ?area ?arealabel ?order ?actor ?actorlabel WHERE {
  ?doc hms:hasSection/hms:hasSection* ?section .
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


#: The goals of action plan ``?plan``: axis (label, notation), row order, label, and
#: responsible actors with their labels.
ACTION_PLAN_GOALS = _q(
    """
SELECT ?plan ?goal ?goallabel ?order ?axis ?axislabel ?notation ?actor ?actorlabel WHERE {
  ?plan hms:hasGoal ?goal .
  ?goal skos:prefLabel ?goallabel .
  OPTIONAL { ?goal hms:rowOrder ?order }
  OPTIONAL {
    ?goal hms:axis ?axis .
    ?axis skos:prefLabel ?axislabel .
    OPTIONAL { ?axis skos:notation ?notation }
  }
  OPTIONAL { ?goal hms:responsibleActor ?actor . ?actor skos:prefLabel ?actorlabel }
}
"""
)


#: The measures of the goals of action plan ``?plan``: label, responsible actors, cost
#: (its label or value), and every statement of a reading about the measure (``?stp``,
#: ``?sto``: the page keeps the one about its link to the goal,
#: :func:`~hamar_graph.pages.facts.reading_statement`; one pattern per OPTIONAL, which
#: Oxigraph joins from the bound side).
ACTION_PLAN_MEASURES = _q(
    """
SELECT ?plan ?goal ?measure ?measurelabel ?actor ?actorlabel ?cost ?costlabel
       ?statement ?stp ?sto ?reading WHERE {
  ?plan hms:hasGoal ?goal .
  ?measure hms:servesGoal ?goal ; skos:prefLabel ?measurelabel .
  OPTIONAL { ?measure hms:responsibleActor ?actor . ?actor skos:prefLabel ?actorlabel }
  OPTIONAL {
    ?measure hms:cost ?cost .
    OPTIONAL { ?cost skos:prefLabel|hms:value|rdfs:label ?costlabel }
  }
  OPTIONAL {
    ?statement rdf:subject ?measure .
    OPTIONAL { ?statement rdf:predicate ?stp }
    OPTIONAL { ?statement rdf:object ?sto }
    OPTIONAL { ?statement hms:fromReading ?reading }
  }
}
"""
)


#: The sections under ``?root`` (a document or a section; ``?root`` itself included when it
#: is a section): number, label, texts, the section each is part of, and which kind of
#: table rows come from it (axis goals: table 4.6; areas: the chart; action-plan goals).
SECTION_TREE = _q(
    """
SELECT DISTINCT ?root ?section ?parent ?number ?label ?text ?rows WHERE {
  { SELECT ?root ?section WHERE { ?root hms:hasSection* ?section } }
  ?section a hms:SourceSection ; skos:prefLabel ?label .
  OPTIONAL { ?parent hms:hasSection ?section }
  OPTIONAL { ?section hms:sectionNumber ?number }
  OPTIONAL { ?section hms:text|hms:textTranslation ?text }
  OPTIONAL {
    ?row hms:fromSection ?section ; a ?rows .
    FILTER(?rows IN (hms:AxisGoal, hms:ResponsibilityArea, hms:ActionPlanGoal))
  }
}
"""
)


#: What the sections under ``?root`` name (``hms:mentions``), with every name each thing
#: goes by (preferred and alternative labels, abbreviations), to link them in the texts.
SECTION_MENTIONS = _q(
    """
SELECT DISTINCT ?root ?section ?thing ?label ?name WHERE {
  { SELECT ?root ?section WHERE { ?root hms:hasSection* ?section } }
  ?section a hms:SourceSection ; hms:mentions ?thing .
  ?thing skos:prefLabel ?label .
  OPTIONAL { ?thing skos:prefLabel|skos:altLabel|hms:abbreviation ?name }
}
"""
)


#: The responsibility chart of strategy ``?doc`` for the responsibility page: areas in
#: row order with their actors, the section the chart is in (and the section that is
#: part of), and every statement of a reading about each area (the page keeps the one that
#: pairs the area with the actor, :func:`~hamar_graph.pages.facts.reading_statement`).
RESPONSIBILITY_CHART = _q(
    """
SELECT ?doc ?section ?sectionlabel ?parent ?area ?arealabel ?order ?actor ?actorlabel
       ?statement ?stp ?sto ?reading ?asserted WHERE {
  ?doc hms:hasSection/hms:hasSection* ?section .
  ?area hms:fromSection ?section ; a hms:ResponsibilityArea ; skos:prefLabel ?arealabel .
  OPTIONAL { ?section skos:prefLabel ?sectionlabel }
  OPTIONAL { ?parent hms:hasSection ?section . ?parent a hms:SourceSection }
  OPTIONAL { ?area hms:rowOrder ?order }
  OPTIONAL { ?area hms:responsibleActor ?actor . ?actor skos:prefLabel ?actorlabel }
  OPTIONAL {
    ?statement rdf:subject ?area .
    OPTIONAL { ?statement rdf:predicate ?stp }
    OPTIONAL { ?statement rdf:object ?sto }
    OPTIONAL { ?statement hms:fromReading ?reading }
    OPTIONAL { ?statement hms:isAsserted ?asserted }
  }
}
"""
)


#: The actors of strategy ``?doc`` (things of a kind of ``hms:Actor`` taken from its
#: sections): label, kind, whether the section that holds the chart names them, what
#: they answer for, their members, and every statement of a reading about the actor (the
#: page keeps the ones about its members).
STRATEGY_ACTORS = _q(
    """
SELECT DISTINCT ?doc ?actor ?label ?type ?chart ?item ?itemlabel ?member ?memberlabel
       ?statement ?stp ?sto ?reading WHERE {
  ?doc hms:hasSection/hms:hasSection* ?section .
  ?actor hms:fromSection ?section ; a ?type ; skos:prefLabel ?label .
  ?type rdfs:subClassOf* hms:Actor .
  OPTIONAL {
    ?area a hms:ResponsibilityArea ; hms:fromSection ?chart .
    ?doc hms:hasSection/hms:hasSection* ?chart .
    ?chart hms:mentions ?actor .
  }
  OPTIONAL { ?item hms:responsibleActor ?actor ; skos:prefLabel ?itemlabel }
  OPTIONAL { ?actor org:hasMember ?member . ?member skos:prefLabel ?memberlabel }
  OPTIONAL {
    ?statement rdf:subject ?actor .
    OPTIONAL { ?statement rdf:predicate ?stp }
    OPTIONAL { ?statement rdf:object ?sto }
    OPTIONAL { ?statement hms:fromReading ?reading }
  }
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


#: Number of triples in named graph ``?g``.
GRAPH_SIZE = _q("SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")


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
    "ACTION_PLAN_GOALS",
    "ACTION_PLAN_MEASURES",
    "BREADCRUMBS",
    "DESCRIBE",
    "ENTITY_INCOMING",
    "ENTITY_OUTGOING",
    "ENTITY_OUTGOING_NAMES",
    "ENTITY_OUTGOING_SIZES",
    "ENTITY_OUTGOING_VALUES",
    "EXISTS",
    "FIRST_STRATEGY",
    "GRAPH_SIZE",
    "GRAPH_TRIPLES",
    "HOME_AXES",
    "INCOMING",
    "KEY_FIGURES",
    "MAP_PLACES",
    "OUTGOING",
    "RESOURCE_TEXTS",
    "RESOURCE_TYPES",
    "RESPONSIBILITY",
    "RESPONSIBILITY_CHART",
    "SECTION_MENTIONS",
    "SECTION_TREE",
    "STRATEGY",
    "STRATEGY_ACTORS",
    "STRATEGY_AXES",
    "TREE",
    "VOCABULARY",
]
