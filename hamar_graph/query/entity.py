"""The queries of a resource's page (:func:`hamar_graph.pages.entity.describe`): what it
says and what says something about it. They follow the rules of
:mod:`hamar_graph.query.named`, which lists them with the pages' other queries."""

from __future__ import annotations

from hamar_graph.query.text import query as _q

#: Outgoing statements of ``?s`` for the staff's resource page: each object's name
#: (preferred label, else title, else notation: named graphs and registered numbers have
#: no preferred label).
ENTITY_OUTGOING = _q(
    """
SELECT ?s ?p ?o ?olabel WHERE {
  ?s ?p ?o .
  OPTIONAL { ?o skos:prefLabel|dct:title|skos:notation ?olabel }
}
"""
)


#: How many values each property of ``?s`` has. When one has more than a page shows, the
#: resource page asks for the values without names (``ENTITY_OUTGOING_VALUES``), cuts the
#: long list to one page and asks for the names of what it shows
#: (``ENTITY_OUTGOING_NAMES``), so that its cost does not grow with the list (a named
#: graph's 356 sources at national scale: 46 ms a page in one query, 15 ms like this).
ENTITY_OUTGOING_SIZES = _q(
    """
SELECT ?s ?p (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ?p
"""
)


#: Every value of every property of ``?s``, without names. (An ``ORDER BY`` in the engine
#: would cost 14 ms for 356 IRIs on Oxigraph; the page sorts them itself.)
ENTITY_OUTGOING_VALUES = _q(
    """
SELECT ?s ?p ?o WHERE { ?s ?p ?o }
"""
)


#: The names of the IRIs ``?s`` links to, of long property ``?long`` only those from
#: ``?first`` to ``?last`` (compared as text: the page shown).
ENTITY_OUTGOING_NAMES = _q(
    """
SELECT DISTINCT ?s ?long ?first ?last ?p ?o ?olabel WHERE {
  ?s ?p ?o .
  FILTER(isIRI(?o) && (?p != ?long || (STR(?o) >= ?first && STR(?o) <= ?last)))
  ?o skos:prefLabel|dct:title|skos:notation ?olabel .
}
"""
)


#: Incoming statements to ``?s`` for the staff's resource page, with each subject's name
#: (preferred label, else title) and, where the subject is a statement of a reading
#: (``rdf:subject``, ``rdf:predicate``, ``rdf:object``, ``hms:fromReading``), the
#: statement's triple, its readings and whether the triple is in the graph; the page reads
#: those only where the statement is about ``?s`` (``?p`` is ``rdf:subject`` or
#: ``rdf:object``). Each OPTIONAL holds one pattern on ``?x``: Oxigraph evaluates an
#: OPTIONAL of two joined patterns, or one with a FILTER, on its own before joining it
#: (about 0.8 s a page at 356 strategies, 3 ms like this).
ENTITY_INCOMING = _q(
    """
SELECT ?s ?x ?p ?xlabel ?sts ?stp ?sto ?reading ?readinglabel ?asserted WHERE {
  ?x ?p ?s .
  FILTER(isIRI(?x))
  OPTIONAL { ?x skos:prefLabel|dct:title ?xlabel }
  OPTIONAL { ?x rdf:subject ?sts }
  OPTIONAL { ?x rdf:predicate ?stp }
  OPTIONAL { ?x rdf:object ?sto }
  OPTIONAL { ?x hms:isAsserted ?asserted }
  OPTIONAL { ?x hms:fromReading ?reading . OPTIONAL { ?reading skos:prefLabel ?readinglabel } }
}
"""
)


__all__ = [
    "ENTITY_INCOMING",
    "ENTITY_OUTGOING",
    "ENTITY_OUTGOING_NAMES",
    "ENTITY_OUTGOING_SIZES",
    "ENTITY_OUTGOING_VALUES",
]
