"""Queries whose cost is bounded by the row cap, which need no sandboxed process.

The query processes exist to stop a query at its deadline and its memory cap, and every
query pays for the hand-off to one (a socket each way and two thread switches: most of a
lookup's cost, benchmarks/README.md, "Query path"). Some queries cannot run long or grow:
one triple pattern, its variables all different, with no modifier that must see every
solution before the first (``DISTINCT``, ``ORDER BY``, aggregates). Oxigraph answers such
a pattern from one index range, every step yields a solution, and the worker stops
reading one row past the row cap, so the work is at most ``max_rows`` index steps
whatever the size of the graph. :func:`is_bounded` recognises exactly those texts with
the guard's own tokenizer (:mod:`hamar_graph.sparql.guard`); anything else, including
every text it is unsure of, goes to the query processes as before.

Accepted, keywords in any case::

    (PREFIX pname: <iri> | BASE <iri>)*
    SELECT (?var+ | *) [WHERE] { term term term [.] }
    [LIMIT n] [OFFSET m]      (in either order, each at most once; m at most the row cap)

where a term is an IRI, a prefixed name or a variable, ``a`` as predicate, and a plain
string as object; comments count as white space, as in the grammar. A repeated variable
(``?s ?s ?s``) is refused: Oxigraph would scan the whole index for the rare triples that
match it.

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from hamar_graph.sparql.lexer import lex

#: Longest text checked; a longer one is never taken for a bounded pattern.
MAX_TEXT = 4096

Token = tuple[str, str]


class PatternBounds(NamedTuple):
    """The solution modifiers of a one-pattern text (:func:`pattern_bounds`).

    .. versionadded:: 0.2
    """

    offset: int  #: its ``OFFSET``, 0 without one
    limit: int | None  #: its ``LIMIT``, ``None`` without one


def _keyword(token: tuple[str, str]) -> str:
    return token[1].upper() if token[0] == "word" else ""


def _is_term(kind: str, value: str, position: int) -> bool:
    if kind in ("iri", "var"):
        return True
    if kind == "word":
        if position == 1 and value == "a":
            return True
        # a prefixed name: something before or after the colon, never a keyword or number
        return ":" in value and not value.endswith(".") and value.count(":") == 1
    return position == 2 and kind in ("str1", "str2")


def _number(kind: str, value: str) -> int | None:
    return int(value) if kind == "word" and value.isdigit() and len(value) < 10 else None


def is_bounded(text: str, max_rows: int) -> bool:
    """Whether ``text`` is one triple pattern whose answer costs at most ``max_rows`` index
    steps (see the module's description); ``False`` whenever in doubt. The guard finds
    the same while it scans a query
    (:attr:`~hamar_graph.sparql.guard.QueryScan.one_pattern`), so the endpoint reads
    each text once."""
    if "\\u" in text or "\\U" in text or len(text) > MAX_TEXT:
        return False
    bounds = pattern_bounds([(kind, value) for kind, value in lex(text) if kind != "comment"])
    return bounds is not None and bounds.offset <= max_rows


def pattern_bounds(tokens: Sequence[Token]) -> PatternBounds | None:
    """The ``OFFSET`` and ``LIMIT`` when ``tokens`` (a text's tokens but comments) are
    one triple pattern of the accepted shape, else ``None``; the text must also be short
    and free of ``\\u`` escapes (:func:`is_bounded`)."""
    if not tokens or any(kind.startswith("long") for kind, _ in tokens):
        return None
    i = 0
    # the prologue
    while i < len(tokens) and _keyword(tokens[i]) in ("PREFIX", "BASE"):
        if _keyword(tokens[i]) == "BASE":
            if i + 1 >= len(tokens) or tokens[i + 1][0] != "iri":
                return None
            i += 2
            continue
        if i + 2 >= len(tokens) or tokens[i + 2][0] != "iri":
            return None
        pname = tokens[i + 1]
        if pname[0] != "word" or not pname[1].endswith(":") or pname[1].count(":") != 1:
            return None
        i += 3
    # SELECT ?v+ | *
    if i >= len(tokens) or _keyword(tokens[i]) != "SELECT":
        return None
    i += 1
    if i < len(tokens) and tokens[i] == ("other", "*"):
        i += 1
    else:
        start = i
        while i < len(tokens) and tokens[i][0] == "var":
            i += 1
        if i == start:
            return None
    if i < len(tokens) and _keyword(tokens[i]) == "WHERE":
        i += 1
    # { s p o [.] }
    if i + 4 >= len(tokens) or tokens[i] != ("open", "{"):
        return None
    pattern = tokens[i + 1 : i + 4]
    if not all(_is_term(kind, value, n) for n, (kind, value) in enumerate(pattern)):
        return None
    variables = [value[1:] for kind, value in pattern if kind == "var"]
    if len(set(variables)) != len(variables):
        return None
    i += 4
    if i < len(tokens) and tokens[i] == ("other", "."):
        i += 1
    if i >= len(tokens) or tokens[i] != ("close", "}"):
        return None
    i += 1
    # LIMIT n / OFFSET m
    found: dict[str, int] = {}
    while i < len(tokens):
        keyword = _keyword(tokens[i])
        if keyword not in ("LIMIT", "OFFSET") or keyword in found or i + 1 >= len(tokens):
            return None
        number = _number(*tokens[i + 1])
        if number is None:
            return None
        found[keyword] = number
        i += 2
    return PatternBounds(found.get("OFFSET", 0), found.get("LIMIT"))
