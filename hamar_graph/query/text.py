"""The text every named query starts with: the prefixes of
:func:`hamar_graph.namespaces.sparql_prologue`, so that queries may use ``hms:``, ``skos:``
and the others."""

from __future__ import annotations

from hamar_graph.namespaces import sparql_prologue

#: The ``PREFIX`` lines.
PROLOGUE = sparql_prologue()


def query(body: str) -> str:
    """``body`` after the prologue, as one query text."""
    return PROLOGUE + body.strip() + "\n"


__all__ = ["PROLOGUE", "query"]
