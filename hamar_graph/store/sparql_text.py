"""Terms and bindings written into SPARQL text for engines that take no substitutions.

Remote engines do not accept substitutions, so a binding becomes SPARQL text. Every value
is an rdflib term checked by :func:`safe_term`, so no request text reaches a query
unescaped. Where the text goes: :mod:`hamar_graph.store.remote_query`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rdflib import Literal, URIRef
from rdflib.term import Node

from hamar_graph.store.base import Bindings

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: SPARQL's string escapes (ECHAR): what a double-quoted string may not hold as it is.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def safe_term(term: Node) -> str:
    """The SPARQL text of an rdflib term, refusing anything that could break out.

    :raises ValueError: for an IRI (or a literal's datatype) with characters IRIs may not
        hold, a malformed language tag, or a blank node.
    """
    if isinstance(term, URIRef):
        if _BAD_IRI.search(str(term)):
            raise ValueError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language is not None and not _LANGUAGE.fullmatch(term.language):
            raise ValueError(f"not a valid language tag: {term.language!r}")
        if term.datatype is not None and _BAD_IRI.search(str(term.datatype)):
            raise ValueError(f"not a valid datatype IRI: {str(term.datatype)!r}")
        text = str(term).translate(_ESCAPES)
        if term.language is not None:
            return f'"{text}"@{term.language}'
        if term.datatype is not None:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    raise ValueError(f"cannot bind {term!r}: only IRIs and literals can be bound")


def fill_values(query: str, variables: Sequence[str], rows: Iterable[Sequence[Node]]) -> str:
    """``query`` with its empty ``VALUES`` block of ``variables`` holding ``rows``.

    A named query that takes a list of values says where with an empty block, written
    ``VALUES ?p { }`` for one variable and ``VALUES (?p ?o) { }`` for several (as it
    stands it is valid SPARQL that matches nothing); every term is written by
    :func:`safe_term`, so only IRIs and literals from the caller's data reach the text.
    Without rows the block becomes ``FILTER(false)``, which empties its group as an empty
    block does (rdflib 7 fails on an empty ``VALUES`` block).

    :raises ValueError: when ``query`` has no such block or more than one, a row has the
        wrong number of terms, or a term cannot be written (a blank node, a bad IRI).
    """
    for name in variables:
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    names = " ".join(f"?{n}" for n in variables)
    block = f"VALUES {names} {{ }}" if len(variables) == 1 else f"VALUES ({names}) {{ }}"
    if query.count(block) != 1:
        raise ValueError(f"the query has no single {block!r} to fill")
    written = []
    for row in rows:
        if len(row) != len(variables):
            raise ValueError(f"a row of {len(row)} terms for {len(variables)} variables")
        terms = " ".join(safe_term(term) for term in row)
        written.append(terms if len(variables) == 1 else f"({terms})")
    if not written:
        return query.replace(block, "FILTER(false)")
    return query.replace(block, block[:-1] + " ".join(written) + " }")


def checked_names(bindings: Bindings) -> list[str]:
    """The variable names of ``bindings``, sorted.

    :raises ValueError: for a name that is not a SPARQL variable name.
    """
    names = sorted(bindings)
    for name in names:
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    return names


def with_values(query: str, bindings: Bindings | None) -> str:
    """Append a ``VALUES`` clause that binds ``bindings`` to ``query``.

    The placement RemoteStore used up to issue 15, kept for comparison
    (``benchmarks/remote_named.py``, ``benchmarks/virtuoso_compare.py``): the engine joins
    it after evaluating the whole pattern, and Virtuoso refuses it on ASK and CONSTRUCT.
    RemoteStore now uses :func:`hamar_graph.store.remote_query.with_bindings`.
    """
    if not bindings:
        return query
    names = checked_names(bindings)
    variables = " ".join(f"?{n}" for n in names)
    values = " ".join(safe_term(bindings[n]) for n in names)
    return f"{query}\nVALUES ({variables}) {{ ({values}) }}"


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_NAME = "[A-Za-z_][A-Za-z0-9_]*"


def inline_bindings(query: str, bindings: Bindings) -> str | None:
    """``query`` with each bound variable written as its constant, or ``None`` when the
    query's shape is not one this can rewrite safely (then the engine substitutes).

    Oxigraph plans a query before it substitutes values, so a bound variable does not
    anchor its joins: the home page's queries, bound to one strategy document, read every
    strategy's axes and goals (measured 3-12× slower on 100 strategies than the same
    query with the IRI written in). Written in, the constant anchors every pattern that
    holds it. A projection keeps the variable (``(<iri> AS ?doc)``: in the sub-query
    that projects it, if one does, else in the query's own), so the rows are the same.
    Only plain shapes are rewritten: no quotes in the query, explicit projections of
    variables, sub-queries only in a SELECT, no bound variable assigned (``AS ?x``) or
    used after the WHERE clause.
    """
    names = sorted(bindings)
    if not names or any(not re.fullmatch(_NAME, n) for n in names) or re.search("[\"']", query):
        return None
    try:
        terms = {n: safe_term(bindings[n]) for n in names}
    except ValueError:
        return None
    forms = list(_FORM.finditer(query))
    kinds = {m.group(1).upper() for m in forms}
    if not forms or (len(forms) > 1 and kinds != {"SELECT"}):
        return None
    variable = re.compile("[?$](" + "|".join(names) + ")(?![A-Za-z0-9_])")
    body = query[forms[0].end() :]
    if re.search(r"\bAS\s+[?$](" + "|".join(names) + r")\b", body, re.IGNORECASE):
        return None
    if variable.search(body[body.rfind("}") :]):
        return None  # used by GROUP BY, ORDER BY ...
    # (start, end) of each SELECT's projection
    projections: list[tuple[int, int]] = []
    for form in forms if kinds == {"SELECT"} else []:
        cut = re.compile(r"\bWHERE\b|\{", re.IGNORECASE).search(query, form.end())
        if cut is None or re.search(r"[*(]", query[form.end() : cut.start()]):
            return None
        projections.append((form.end(), cut.start()))
    inner = {m.group(1) for a, b in projections[1:] for m in variable.finditer(query[a:b])}

    def project(match: re.Match[str]) -> str:
        return f"({terms[match.group(1)]} AS ?{match.group(1)})"

    out, position = [query[: forms[0].end()]], forms[0].end()
    for number, (start, end) in enumerate(projections):
        out.append(variable.sub(lambda m: terms[m.group(1)], query[position:start]))
        text = query[start:end]
        if number == 0:
            out.append(
                variable.sub(lambda m: m.group(0) if m.group(1) in inner else project(m), text)
            )
        else:
            out.append(variable.sub(project, text))
        position = end
    out.append(variable.sub(lambda m: terms[m.group(1)], query[position:]))
    return "".join(out)
