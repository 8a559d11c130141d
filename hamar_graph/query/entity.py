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
#: resource page asks for the values of those long properties without names
#: (``ENTITY_OUTGOING_VALUES``), cuts each to one page and asks for the names of what the
#: page shows together with the other properties' values (``ENTITY_OUTGOING_NAMES``), so
#: that its cost does not grow with the list (a named graph's 356 sources at national
#: scale: 46 ms a page in one query).
ENTITY_OUTGOING_SIZES = _q(
    """
SELECT ?s ?p (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ?p
"""
)


#: The values of one long property of ``?s``, without names; the page fills the
#: ``VALUES`` block with the property (:func:`hamar_graph.store.sparql_text.fill_values`).
#: Only what the page needs is projected (Oxigraph spends about 1.4 µs a term it returns:
#: 356 values cost 0.7 ms as one column, 1.7 ms as three). (An ``ORDER BY`` in the engine
#: would cost 14 ms for 356 IRIs on Oxigraph; the page sorts them itself.)
ENTITY_OUTGOING_VALUES = _q(
    """
SELECT ?s ?o WHERE {
  VALUES ?p { }
  ?s ?p ?o .
}
"""
)


#: The values of ``?s``'s short properties (the first ``VALUES`` block: those properties)
#: and the page's values of its long ones (the second: property and value pairs), each
#: with its name. The engine starts from the values listed, so the cost follows the page,
#: not the list.
ENTITY_OUTGOING_NAMES = _q(
    """
SELECT ?s ?p ?o ?olabel WHERE {
  { VALUES ?p { } ?s ?p ?o . }
  UNION { VALUES (?p ?o) { } ?s ?p ?o . }
  OPTIONAL { ?o skos:prefLabel|dct:title|skos:notation ?olabel }
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
