"""Terms and bindings written into SPARQL text for engines that take no substitutions.

Remote engines do not accept substitutions, so a binding becomes SPARQL text. Every value
is an rdflib term checked by :func:`safe_term`, so no request text reaches a query
unescaped. Where the text goes: :mod:`hamar_graph.store.remote_query`.
"""

from __future__ import annotations

import re

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
