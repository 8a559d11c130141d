"""Facts as staff read them: each fact once, readings marked, technical things set apart.

A statement and its inverse are one fact (``hms:servesGoal`` stated, ``hms:hasMeasure``
derived; ``org:unitOf``/``org:hasUnit`` both stated): :func:`fact_key` gives both the
same key, so a page shows the fact once and a reading that marks one direction marks
the other. A statement that rests on a reading (``hms:ReadingStatement``, see
data/README.md, "Readings") is a :class:`ReadingNote`. Named graphs, the ontology and the
shapes are the data's own bookkeeping: :func:`is_technical` sets them apart for the
"Data" section of a page.

No query here: the pages pass in what their queries returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS
from rdflib.term import Node

from hamar_graph.namespaces import HMS
from hamar_graph.pages.labels import Text

ORG = "http://www.w3.org/ns/org#"
VANN = "http://purl.org/vocab/vann/"

#: The paths of the base IRI that have a page: things, terms, named graphs, shapes and
#: skolem IRIs (every IRI the publication mints dereferences).
PAGE_ROOTS: tuple[str, ...] = ("id/", "def/", "graph/", "shapes/", ".well-known/genid/")

#: Inverse pairs of standard vocabularies, (the direction kept, the other one). The
#: ontology's own pairs (``owl:inverseOf``) are added by :func:`inverse_map`.
STANDARD_INVERSES: tuple[tuple[URIRef, URIRef], ...] = (
    (URIRef(ORG + "unitOf"), URIRef(ORG + "hasUnit")),
    (URIRef(ORG + "memberOf"), URIRef(ORG + "hasMember")),
    (URIRef(ORG + "subOrganizationOf"), URIRef(ORG + "hasSubOrganization")),
    (DCTERMS.isPartOf, DCTERMS.hasPart),
    (DCTERMS.isReplacedBy, DCTERMS.replaces),
    (SKOS.topConceptOf, SKOS.hasTopConcept),
)

#: A statement with the key's property says what one with the value's says, and more:
#: an axis that is a top concept of the scheme is in the scheme.
IMPLIES: Mapping[URIRef, URIRef] = {SKOS.topConceptOf: SKOS.inScheme}

#: Two properties that state one fact from its two ends without being declared inverses:
#: an axis has its axis goal (``hms:axisGoal``), and the axis goal has its axis
#: (``hms:axis``). Keyed both ways.
CONVERSES: Mapping[URIRef, tuple[URIRef, ...]] = {
    HMS.axisGoal: (HMS.axis,),
    HMS.mainStrategy: (HMS.axis,),
    HMS.axis: (HMS.axisGoal, HMS.mainStrategy),
}

#: Properties about the data's own bookkeeping, shown in a page's "Data" section.
TECHNICAL_PROPERTIES: frozenset[URIRef] = frozenset(
    {
        HMS.rowOrder,
        OWL.versionIRI,
        OWL.versionInfo,
        OWL.priorVersion,
        URIRef(VANN + "preferredNamespacePrefix"),
        URIRef(VANN + "preferredNamespaceUri"),
    }
)

FactKey = tuple[Node, URIRef, Node]


def inverse_map(ontology_pairs: Iterable[tuple[Node, Node]]) -> dict[URIRef, URIRef]:
    """Property → the property kept in its place (backward → forward) for the standard
    pairs and the ontology's ``(p, owl:inverseOf, q)`` pairs (``p`` is the derived one)."""
    backward: dict[URIRef, URIRef] = {b: f for f, b in STANDARD_INVERSES}
    for derived, stated in ontology_pairs:
        backward[URIRef(str(derived))] = URIRef(str(stated))
    return backward


def fact_key(s: Node, p: Node, o: Node, backward: Mapping[URIRef, URIRef]) -> FactKey:
    """The one key of a fact, whichever direction it is stated in."""
    prop = URIRef(str(p))
    if prop in backward:
        s, prop, o = o, backward[prop], s
    return (s, IMPLIES.get(prop, prop), o)


def converse_keys(s: Node, p: Node, o: Node, backward: Mapping[URIRef, URIRef]) -> list[FactKey]:
    """The keys of the statements that say the fact ``(s, p, o)`` from its other end."""
    return [fact_key(o, q, s, backward) for q in CONVERSES.get(URIRef(str(p)), ())]


def is_technical(iri: str, base: str) -> bool:
    """Whether ``iri`` is the data's bookkeeping: a named graph or its version, the
    ontology or one of its versions, the shapes."""
    rest = iri[len(base) :] if iri.startswith(base) else None
    if rest is None:
        return False
    return (
        rest.startswith(("graph/", "shapes/"))
        or rest == "def/hamar"
        or rest.startswith("def/hamar/")
    )


@dataclass(frozen=True)
class ReadingNote:
    """A statement about this resource that is our reading of the source, not its words.

    ``asserted`` is false for a reading left out of the graph (recorded, not stated).
    """

    iri: str
    href: str
    label: Text
    reading_href: str | None
    reading_label: Text | None
    asserted: bool
    key: FactKey
