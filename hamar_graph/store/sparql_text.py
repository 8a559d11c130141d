"""Terms and bindings written into SPARQL text for engines that take no substitutions.

Remote engines do not accept substitutions, so a binding becomes SPARQL text. Every value
is an rdflib term checked by :func:`safe_term`, so no request text reaches a query
unescaped.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.term import Node

from hamar_graph.store.base import Bindings

_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def safe_term(term: Node) -> str:
    """The SPARQL text of an rdflib term, refusing anything that could break out.

    :raises ValueError: for an IRI with characters IRIs may not hold, or a blank node.
    """
    if isinstance(term, URIRef):
        if _BAD_IRI.search(str(term)):
            raise ValueError(f"not a valid IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()  # rdflib escapes quotes, backslashes and newlines
    raise ValueError(f"cannot bind {term!r}: only IRIs and literals can be bound")


def with_values(query: str, bindings: Bindings | None) -> str:
    """Append a ``VALUES`` clause that binds ``bindings`` to ``query``."""
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    variables = " ".join(f"?{n}" for n in names)
    values = " ".join(safe_term(bindings[n]) for n in names)
    return f"{query}\nVALUES ({variables}) {{ ({values}) }}"
