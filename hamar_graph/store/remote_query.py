"""Query text for remote engines: terms written safely, and bindings placed where the engine
uses them first.

A remote SPARQL 1.1 endpoint takes no substitutions, so :class:`~hamar_graph.store.remote.
RemoteStore` writes the bound values into the query text. Where they go decides the cost:

- a trailing ``VALUES`` clause (:func:`with_values`, SPARQL 1.1 Query §10.2.2) is joined
  *after* the whole WHERE pattern is evaluated: the Oxigraph server evaluates
  ``?s ?p ?o`` over every triple first, so at a million triples a page query runs past
  the deadline; Virtuoso refuses it on ASK and CONSTRUCT and gives wrong rows with
  ``+`` paths and UNIONs (docs/virtuoso.md §1 #2);
- ``BIND(term AS ?var)`` first in the outermost WHERE group (:func:`with_bindings`, what
  RemoteStore sends) is joined *before* the rest of the group, so both engines start from
  the bound value (an index lookup) and agree with the embedded store on every named query.

``{ BIND(t AS ?v) P }`` is ``Join(Extend(Z, ?v, t), P)`` (SPARQL 1.1 Query §18.2.2): the one
solution ``{?v: t}`` joined with the group, which is what a substitution of a projected
variable means (SEP-0007). Two limits, both documented on :func:`with_bindings`: a binding
does not reach into a subquery (the subquery is evaluated as written and joined after), and
a bound variable must not also be the target of a ``BIND`` or ``VALUES`` of the outermost
group.

Every value is an rdflib term written by :func:`safe_term`, never request text; variable
names are checked. The query text is scanned with a small tokenizer (strings, IRIs,
comments, prefixed names and variables are skipped whole), not with regular expressions
over the raw text, so a brace inside a string or an IRI is never taken for a group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from hamar_graph.store.base import Bindings
from hamar_graph.store.sparql_text import checked_names, safe_term, with_values

__all__ = ["query_form", "safe_term", "with_bindings", "with_values"]

# --- a tokenizer just good enough to find the query's groups --------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
             | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '(?:[^'\\\n\r]|\\.)*'
             | "(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][^\s{}()\[\].,;'"<>=!|&^*/+\-?$#]+)
  | (?P<name>(?:[\w:\u00B7]|\\[^\s])(?:[\w:.\-%\u00B7]|\\[^\s])*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

#: Keywords that may follow a DESCRIBE's targets when it has no WHERE clause.
_AFTER_DESCRIBE = ("ORDER", "LIMIT", "OFFSET", "VALUES", "GROUP", "HAVING")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int
    braces: int  #: brace depth before this token
    parens: int  #: parenthesis depth before this token

    @property
    def top(self) -> bool:
        return self.braces == 0 and self.parens == 0

    def keyword(self, *words: str) -> bool:
        return self.kind == "name" and self.text.upper() in words


def _tokens(query: str) -> list[_Token]:
    """The query's significant tokens (no white space, no comments), with their depths."""
    found: list[_Token] = []
    braces = parens = 0
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "punct"
        if kind in ("ws", "comment"):
            continue
        text = match.group()
        found.append(_Token(kind, text, match.start(), match.end(), braces, parens))
        if kind == "punct":
            if text == "{":
                braces += 1
            elif text == "}":
                braces -= 1
            elif text == "(":
                parens += 1
            elif text == ")":
                parens -= 1
    return found


def _closing(tokens: list[_Token], opening: int) -> int:
    """The index of the ``}`` that closes the ``{`` at ``tokens[opening]``."""
    depth = tokens[opening].braces
    for i in range(opening + 1, len(tokens)):
        token = tokens[i]
        if token.text == "}" and token.kind == "punct" and token.braces == depth + 1:
            return i
    raise ValueError("unbalanced braces in the query")


def _first_top_brace(tokens: list[_Token], start: int) -> int | None:
    for i in range(start, len(tokens)):
        if tokens[i].top and tokens[i].kind == "punct" and tokens[i].text == "{":
            return i
    return None


@dataclass(frozen=True)
class _Plan:
    """Where bindings go in one query text (computed once per text)."""

    form: str
    how: str  #: ``group``, ``subselect``, ``construct-where`` or ``describe``
    at: int  #: offset just after the group's ``{`` (or where ``WHERE {…}`` goes)
    close: int = -1  #: offset of the group's ``}`` (subselect, construct-where)
    where: int = -1  #: offset of ``WHERE`` (construct-where)


@lru_cache(maxsize=512)
def _plan(query: str) -> _Plan:
    tokens = _tokens(query)
    at = next((i for i, t in enumerate(tokens) if t.top and t.keyword(*_FORMS)), None)
    if at is None:
        raise ValueError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    form = tokens[at].text.upper()
    if form == "CONSTRUCT":
        following = tokens[at + 1] if at + 1 < len(tokens) else None
        if following is not None and following.keyword("WHERE"):
            opening = _first_top_brace(tokens, at + 2)
            if opening is None:
                raise ValueError("CONSTRUCT WHERE without a group")
            closing = _closing(tokens, opening)
            return _Plan(
                form,
                "construct-where",
                tokens[opening].end,
                tokens[closing].start,
                following.start,
            )
        template = _first_top_brace(tokens, at + 1)
        if template is None:
            raise ValueError("CONSTRUCT without a template")
        opening = _first_top_brace(tokens, _closing(tokens, template) + 1)
    else:
        opening = _first_top_brace(tokens, at + 1)
    if opening is None:
        if form != "DESCRIBE":
            raise ValueError(f"{form} query without a WHERE group")
        after = next(
            (t.start for t in tokens[at + 1 :] if t.top and t.keyword(*_AFTER_DESCRIBE)),
            len(query.rstrip()),
        )
        return _Plan(form, "describe", after)
    inner = tokens[opening + 1] if opening + 1 < len(tokens) else None
    if inner is not None and inner.keyword("SELECT"):
        closing = _closing(tokens, opening)
        return _Plan(form, "subselect", tokens[opening].end, tokens[closing].start)
    return _Plan(form, "group", tokens[opening].end)


def query_form(query: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the form of ``query``.

    :raises ValueError: when the text has none of them outside strings, IRIs and comments.
    """
    return _plan(query).form


def with_bindings(query: str, bindings: Bindings | None) -> str:
    """``query`` with each binding as ``BIND(term AS ?var)`` first in its outermost WHERE group.

    Works for the four query forms: ``SELECT``/``ASK``/``CONSTRUCT … WHERE { … }`` get the
    BINDs after the group's ``{`` (a group that is a bare subquery is wrapped in braces
    first); ``CONSTRUCT WHERE { T }`` is written out as ``CONSTRUCT { T } WHERE { BIND… T }``
    (its definition, SPARQL 1.1 Query §16.2.4); a ``DESCRIBE`` without a WHERE clause gets
    ``WHERE { BIND… }``. Measured equal to the embedded store on the Oxigraph server and on
    Virtuoso for every named query (tests/store/test_remote_bindings.py).

    Limits: a binding is not seen inside a subquery (SPARQL evaluates it first and joins
    after: the answer is the same, but the engine does not start from the value there),
    and a bound variable must not be assigned again by a ``BIND`` of the outermost group
    (an error on every engine).

    :raises ValueError: for a variable name or term that cannot be written safely, or a
        text that is not a query.

    .. versionadded:: 0.3
    """
    if not bindings:
        return query
    names = checked_names(bindings)
    binds = " ".join(f"BIND({safe_term(bindings[n])} AS ?{n})" for n in names)
    plan = _plan(query)
    if plan.how == "group":
        return f"{query[: plan.at]} {binds}\n{query[plan.at :]}"
    if plan.how == "subselect":
        inner = query[plan.at : plan.close]
        return f"{query[: plan.at]} {binds}\n{{ {inner} }}\n{query[plan.close :]}"
    if plan.how == "construct-where":
        triples = query[plan.at : plan.close]
        return (
            f"{query[: plan.where]}{{ {triples} }}\nWHERE {{ {binds}\n{triples} "
            f"{query[plan.close :]}"
        )
    return f"{query[: plan.at]}\nWHERE {{ {binds} }}\n{query[plan.at :]}"
