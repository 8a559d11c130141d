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

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS
from rdflib.term import Node

from hamar_graph.namespaces import HMS
from hamar_graph.pages.labels import Text, pick
from hamar_graph.rdf.names import local_name, local_path

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
    #: (page path, label) of each reading the statement rests on, in IRI order.
    readings: tuple[tuple[str, Text | None], ...]
    asserted: bool
    key: FactKey


def reading_statement(row: dict[str, Node], predicate: URIRef, obj: Node | None) -> str | None:
    """The statement of a reading in ``row`` (``?statement``, with its ``?stp``, ``?sto`` and
    ``?reading``) when it reifies the row's triple with ``predicate`` and ``obj``; the named
    queries fetch every statement about the subject, one pattern at a time (an OPTIONAL of
    joined patterns is slow on Oxigraph), and the page picks the one it means here."""
    if obj is None or "statement" not in row or "reading" not in row:
        return None
    if row.get("stp") != predicate or row.get("sto") != obj:
        return None
    return str(row["statement"])


def _about_it(row: dict[str, Node]) -> bool:
    """Whether a row of ``ENTITY_INCOMING`` is a statement of a reading about the resource:
    a whole reified triple whose subject or object the resource is."""
    return (
        "reading" in row
        and all(k in row for k in ("sts", "stp", "sto"))
        and row["p"] in (RDF.subject, RDF.object)
    )


def reading_notes(rows: list[dict[str, Node]], base: str, lang: str) -> dict[str, ReadingNote]:
    """The statements of readings about a resource, by statement IRI, from the rows of
    :data:`~hamar_graph.query.named.ENTITY_INCOMING`; a statement that rests on several
    readings lists each, in IRI order."""
    rows = [row for row in rows if _about_it(row)]
    names: dict[str, list[Node]] = defaultdict(list)
    readings: dict[str, dict[str, list[Node]]] = defaultdict(dict)
    for row in rows:
        if "reading" in row:
            st = str(row["x"])
            if "xlabel" in row and row["xlabel"] not in names[st]:
                names[st].append(row["xlabel"])
            labels = readings[st].setdefault(str(row["reading"]), [])
            if "readinglabel" in row and row["readinglabel"] not in labels:
                labels.append(row["readinglabel"])
    notes: dict[str, ReadingNote] = {}
    for row in rows:
        if "reading" not in row or str(row["x"]) in notes:
            continue
        st = str(row["x"])
        asserted = "asserted" not in row or row["asserted"].toPython() is not False  # type: ignore[union-attr]
        notes[st] = ReadingNote(
            iri=st,
            href=local_path(st, base, PAGE_ROOTS) or st,
            label=pick(names[st], lang) or Text(local_name(st)),
            readings=tuple(
                (local_path(reading, base, PAGE_ROOTS) or reading, pick(labels, lang))
                for reading, labels in sorted(readings[st].items())
            ),
            asserted=asserted,
            key=(row["sts"], URIRef(str(row["stp"])), row["sto"]),
        )
    return notes


Grouped = dict[URIRef, dict[Node, list[Node]]]
Marks = dict[tuple[URIRef, Node], ReadingNote]


@dataclass
class SortedFacts:
    """A resource's statements sorted for its page: for staff (``main``, ``main_in``) or
    for the Data section (``data``, ``data_in``), each fact once, with the readings that
    mark values (``marks``, ``in_marks``: (property, value) → statement)."""

    main: Grouped = field(default_factory=lambda: defaultdict(dict))
    data: Grouped = field(default_factory=lambda: defaultdict(dict))
    main_in: Grouped = field(default_factory=lambda: defaultdict(dict))
    data_in: Grouped = field(default_factory=lambda: defaultdict(dict))
    marks: Marks = field(default_factory=dict)
    in_marks: Marks = field(default_factory=dict)


def sort_facts(
    subject: URIRef,
    outgoing: Grouped,
    incoming: Grouped,
    notes: Mapping[str, ReadingNote],
    backward: Mapping[URIRef, URIRef],
    base: str,
    *,
    hidden: Collection[URIRef] = (),
    external: Collection[URIRef] = (),
    elsewhere: Mapping[URIRef, Collection[Node]] | None = None,
) -> SortedFacts:
    """Each fact once, outgoing first (a stated direction before a derived or implied one),
    then incoming; the data's bookkeeping apart (unless the page itself is bookkeeping).

    :param hidden: properties the page shows in sections of their own.
    :param external: properties whose outside objects the page lists as outside links.
    :param elsewhere: values of long outgoing lists shown on other pages of the page: not
        shown here, nor their facts from the other end.
    """
    marks_by_key = {fact_key(*note.key, backward): note for note in notes.values() if note.asserted}
    technical_page = is_technical(str(subject), base)
    out = SortedFacts()
    seen: set[FactKey] = set()
    for p, objects in (elsewhere or {}).items():
        for o in objects:
            seen.add(fact_key(subject, p, o, backward))
            seen.update(converse_keys(subject, p, o, backward))
    order = sorted(outgoing, key=lambda p: (p in backward or p == SKOS.topConceptOf, str(p)))
    for p in order:
        if p in hidden:
            continue
        for o, labels in outgoing[p].items():
            if p in external and isinstance(o, URIRef) and not str(o).startswith(base):
                continue
            key = fact_key(subject, p, o, backward)
            if key in seen:
                continue
            seen.add(key)
            seen.update(converse_keys(subject, p, o, backward))
            if key in marks_by_key:
                out.marks[(p, o)] = marks_by_key[key]
            technical = p in TECHNICAL_PROPERTIES or (
                isinstance(o, URIRef) and is_technical(str(o), base)
            )
            (out.data if technical and not technical_page else out.main)[p][o] = labels
    for p, subjects in incoming.items():
        for x, labels in subjects.items():
            if p in (RDF.subject, RDF.object) and str(x) in notes:
                continue  # a reading's statement: in the page's list of readings
            key = fact_key(x, p, subject, backward)
            if key in seen:
                continue
            seen.add(key)
            if key in marks_by_key:
                out.in_marks[(p, x)] = marks_by_key[key]
            technical = is_technical(str(x), base) and not technical_page
            (out.data_in if technical else out.main_in)[p][x] = labels
    return out
