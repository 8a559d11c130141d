"""Long lists on a resource's page, shown a page at a time at the cost of one page.

A property with more values than a page holds (a named graph's 356 sources when one graph
holds every strategy, a goal with hundreds of measures) is fetched in two queries instead
of one: its values without names, sorted here by term (IRIs first, by their text; an
``ORDER BY`` in Oxigraph costs 14 ms for 356 IRIs), then the other properties' values and
the page's values of the long one with their names, the engine starting from the values
the query lists (``VALUES``) rather than filtering every value of the list. Facts of the
values on other pages are kept out of the page's other lists too (``elsewhere``), so that
a measure on page 3 of a goal's measures does not show up on page 1 as "links here".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from rdflib import URIRef
from rdflib.term import Node

from hamar_graph.pages.values import Grouped, PropertyRow
from hamar_graph.query import named as queries
from hamar_graph.store.base import Row, Store
from hamar_graph.store.sparql_text import fill_values


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
    if not long:
        return OutgoingFacts(_named(store.select(queries.ENTITY_OUTGOING, {"s": subject})), {}, {})
    most = max([*long.values(), *Counter(str(r["p"]) for r in incoming).values()])
    page = min(max(1, page), -(-most // page_size))
    values, elsewhere = _fetch_long(
        store, subject, sorted(long), sorted(set(sizes) - set(long)), page, page_size
    )
    return OutgoingFacts(values, long, elsewhere)


def _named(rows: list[Row], outgoing: Grouped | None = None) -> Grouped:
    """Property → value → names, from rows of ``p``, ``o`` and ``olabel``, added to
    ``outgoing``."""
    out: Grouped = defaultdict(dict) if outgoing is None else outgoing
    for row in rows:
        labels = out[URIRef(str(row["p"]))].setdefault(row["o"], [])
        if "olabel" in row and row["olabel"] not in labels:
            labels.append(row["olabel"])
    return out


def _fetch_long(
    store: Store,
    subject: URIRef,
    long: list[URIRef],
    short: list[URIRef],
    page: int,
    page_size: int,
) -> tuple[Grouped, dict[URIRef, list[Node]]]:
    """The values of ``subject``'s properties, those of the ``long`` properties cut to
    page ``page``, with their names: every value of the long properties without names (a
    query each), then the short properties' values and the page's values of the long ones
    with their names (one query). A long list is shown a page at a time in the order of
    its terms (IRIs first, by their text).

    :returns: the values shown with their names, and the values of long lists that other
        pages show.
    """
    values = {p: [row["o"] for row in store.select(_values_of(p), {"s": subject})] for p in long}
    outgoing: Grouped = defaultdict(dict)
    elsewhere: dict[URIRef, list[Node]] = {}
    shown: list[tuple[URIRef, Node]] = []
    start, end = (page - 1) * page_size, page * page_size
    for p in long:
        objects = sorted(values[p], key=lambda o: (not isinstance(o, URIRef), str(o)))
        elsewhere[p] = objects[:start] + objects[end:]
        outgoing[p] = {o: [] for o in objects[start:end]}
        shown += [(p, o) for o in objects[start:end] if isinstance(o, URIRef)]
    query = fill_values(queries.ENTITY_OUTGOING_NAMES, ["p"], [[p] for p in short])
    query = fill_values(query, ["p", "o"], shown)
    return _named(store.select(query, {"s": subject}), outgoing), elsewhere


def _values_of(prop: URIRef) -> str:
    return fill_values(queries.ENTITY_OUTGOING_VALUES, ["p"], [[prop]])


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
