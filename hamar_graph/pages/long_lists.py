"""Long lists on a resource's page, shown a page at a time at the cost of one page.

A property with more values than a page holds (a named graph's 356 sources when one graph
holds every strategy, a goal with hundreds of measures) is fetched in two queries instead
of one: every value without names, sorted here by term (IRIs first, by their text; an
``ORDER BY`` in Oxigraph costs 14 ms for 356 IRIs), and the names of the page's values
only. Facts of the values on other pages are kept out of the page's other lists too
(``elsewhere``), so that a measure on page 3 of a goal's measures does not show up on
page 1 as "links here".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from rdflib import Literal, URIRef
from rdflib.term import Node

from hamar_graph.pages.values import Grouped, PropertyRow
from hamar_graph.query import named as queries
from hamar_graph.store.base import Row, Store


@dataclass(frozen=True)
class OutgoingFacts:
    """What a resource says, as its page shows it."""

    values: Grouped  #: property → value → names, of the values on this page
    long: dict[URIRef, int]  #: properties with more values than a page: their counts
    elsewhere: dict[URIRef, list[Node]]  #: values of long properties on other pages


def outgoing_facts(
    store: Store, subject: URIRef, incoming: list[Row], page: int, page_size: int
) -> OutgoingFacts:
    """The outgoing facts of ``subject`` for page ``page`` of ``page_size`` values (a page
    past the last is the last; ``page_size`` 0 shows every value): two queries, three when
    a property has more values than a page.

    :param incoming: the page's incoming rows (``p`` for each), which count towards the
        number of pages too.
    """
    sizes = {
        URIRef(str(row["p"])): int(str(row["n"]))
        for row in store.select(queries.ENTITY_OUTGOING_SIZES, {"s": subject})
    }
    long = {p: n for p, n in sizes.items() if 0 < page_size < n}
    if long:
        most = max([*long.values(), *Counter(str(r["p"]) for r in incoming).values()])
        page = min(max(1, page), -(-most // page_size))
    values, elsewhere = _fetch(store, subject, long, page, page_size)
    return OutgoingFacts(values, long, elsewhere)


def _fetch(
    store: Store, subject: URIRef, long: dict[URIRef, int], page: int, page_size: int
) -> tuple[Grouped, dict[URIRef, list[Node]]]:
    """The values of ``subject``'s properties with their names, in one query; when
    properties have more than a page of values (``long``), in two: every value without
    names, and the names of what the page shows. A long list is shown a page at a time in
    the order of its terms (IRIs first, by their text). With several long properties,
    only the first (by IRI) has its names limited to the page.

    :returns: the values shown with their names, and the values of long lists that other
        pages show.
    """
    outgoing: Grouped = defaultdict(dict)
    elsewhere: dict[URIRef, list[Node]] = {}
    if long:
        found = store.select(queries.ENTITY_OUTGOING_VALUES, {"s": subject})
        values: dict[URIRef, list[Node]] = defaultdict(list)
        for row in found:
            values[URIRef(str(row["p"]))].append(row["o"])
        for p, objects in sorted(values.items()):
            if p in long:
                objects.sort(key=lambda o: (not isinstance(o, URIRef), str(o)))
                start, end = (page - 1) * page_size, page * page_size
                elsewhere[p] = objects[:start] + objects[end:]
                objects = objects[start:end]
            outgoing[p] = {o: [] for o in objects}
        first = min(long)
        iris = [str(o) for o in outgoing[first] if isinstance(o, URIRef)] or [""]
        bounds = {"long": first, "first": Literal(iris[0]), "last": Literal(iris[-1])}
        found = store.select(queries.ENTITY_OUTGOING_NAMES, {"s": subject, **bounds})
    else:
        found = store.select(queries.ENTITY_OUTGOING, {"s": subject})
    for row in found:
        p, o = URIRef(str(row["p"])), row["o"]
        if long and o not in outgoing[p]:
            continue  # a value of a long list on another page
        labels = outgoing[p].setdefault(o, [])
        if "olabel" in row and row["olabel"] not in labels:
            labels.append(row["olabel"])
    return outgoing, elsewhere


def with_totals(table: tuple[PropertyRow, ...], long: dict[URIRef, int]) -> tuple[PropertyRow, ...]:
    """Rows of a long property (one page of its values fetched) with their whole count."""
    if not long:
        return table
    return tuple(
        replace(row, total=long[URIRef(row.iri)]) if URIRef(row.iri) in long else row
        for row in table
    )


def page_of(table: tuple[PropertyRow, ...], page: int, size: int) -> tuple[PropertyRow, ...]:
    """Each long row cut to its ``page``-th slice of ``size`` values; short rows whole."""
    out = []
    for row in table:
        if len(row.values) <= size:
            out.append(row)
            continue
        values = row.values[(page - 1) * size : page * size]
        if values:
            out.append(PropertyRow(row.iri, row.label, row.href, values, len(row.values)))
    return tuple(out)


__all__ = ["OutgoingFacts", "outgoing_facts", "page_of", "with_totals"]
