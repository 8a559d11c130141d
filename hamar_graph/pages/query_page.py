"""The query page (``/sparql`` in a browser): the editor's text, examples and results."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hamar_graph.namespaces import PREFIXES, sparql_prologue
from hamar_graph.query.examples import Example
from hamar_graph.rdf.formats import (
    kind_of,
)
from hamar_graph.rdf.names import local_path, prefixed_name
from hamar_graph.sparql.description import (
    Limits,
)


@dataclass(frozen=True)
class Cell:
    """One value in a results table."""

    text: str  #: what to show
    href: str | None = None  #: a link, for IRIs
    title: str | None = None  #: the full IRI or datatype
    lang: str | None = None  #: the literal's language tag
    kind: str = "literal"  #: ``uri``, ``literal``, ``bnode`` or ``unbound``


@dataclass(frozen=True)
class ResultTable:
    """SELECT or ASK results, ready for the page template."""

    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Cell, ...], ...] = ()
    boolean: bool | None = None


def results_table(data: Mapping[str, Any], base_iri: str) -> ResultTable:
    """Turn a SPARQL JSON results document into a :class:`ResultTable`."""
    if "boolean" in data:
        return ResultTable(boolean=bool(data["boolean"]))
    columns = tuple(str(v) for v in data.get("head", {}).get("vars", []))
    rows: list[tuple[Cell, ...]] = []
    for binding in data.get("results", {}).get("bindings", []):
        rows.append(tuple(_cell(binding.get(c), base_iri) for c in columns))
    return ResultTable(columns, tuple(rows))


def _cell(value: Mapping[str, str] | None, base_iri: str) -> Cell:
    if value is None:
        return Cell("", kind="unbound")
    kind = value.get("type", "literal")
    text = value.get("value", "")
    if kind == "uri":
        return Cell(
            prefixed_name(text, fallback=text),
            local_path(text, base_iri, ("",)) or text,
            text,
            kind="uri",
        )
    if kind == "bnode":
        return Cell(f"_:{text}", kind="bnode")
    lang = value.get("xml:lang")
    datatype = value.get("datatype")
    title = prefixed_name(datatype, fallback=datatype) if datatype else None
    return Cell(text, None, title, lang, "literal")


DEFAULT_BODY = """
# The project's prefixes (hms:, skos:, ...) are declared for every query on this endpoint;
# the two below are spelt out so that the query runs elsewhere too.

SELECT ?number ?axis ?label
WHERE {
  ?axis a hms:Axis ;
        skos:notation ?number ;
        skos:prefLabel ?label .
  FILTER(lang(?label) = "nb")
}
ORDER BY ?number
"""


#: The prefixes the default query declares (all of :data:`PREFIXES` are predeclared).
DEFAULT_PREFIXES = {name: PREFIXES[name] for name in ("hms", "skos")}


def default_query() -> str:
    """The query the page starts with: the two prefixes it uses, then the five axes."""
    return sparql_prologue(DEFAULT_PREFIXES) + DEFAULT_BODY


@dataclass(frozen=True)
class QueryPage:
    """What the query page (``sparql.html``) shows.

    .. versionadded:: 0.1
    """

    query: str  #: the text in the editor
    endpoint: str  #: the endpoint's URL as the client called it
    examples: tuple[Example, ...]
    limits: Limits
    prefixes_json: str  #: our prefix map, for the editor
    ran: bool = False  #: a query was sent (results or an error follow)
    error: str | None = None
    error_detail: str | None = None  #: the engine's own message, shown below the error
    form: str | None = None
    table: ResultTable | None = None  #: SELECT and ASK
    graph_text: str | None = None  #: CONSTRUCT and DESCRIBE, as Turtle
    truncated: bool = False
    count: int = 0
    downloads: tuple[tuple[str, str], ...] = ()  #: (label, link) per result format

    def replace(self, **changes: Any) -> QueryPage:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)

    def with_outcome(self, outcome: Any, base_iri: str) -> QueryPage:
        """A copy showing a worker's outcome (JSON for SELECT/ASK, Turtle otherwise)."""
        common = {"form": outcome.form, "truncated": outcome.truncated, "count": outcome.count}
        if kind_of(outcome.form) == "tabular":
            table = results_table(json.loads(outcome.body), base_iri)
            if outcome.count is None:  # not counted: the rows are the bindings
                common["count"] = len(table.rows)
            return self.replace(table=table, **common)
        return self.replace(graph_text=outcome.body.decode("utf-8"), **common)
