"""Names of IRIs: prefixed names, last segments, and the paths the server answers on."""

from __future__ import annotations

import re

from rdflib import URIRef

from hamar_graph.namespaces import (
    PREFIXES,
    SOURCE_BASE,
)


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``), for a last-resort label."""
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1]
    return iri


def curie(iri: str) -> str:
    """``skos:prefLabel`` for a term in a known namespace, else the IRI itself."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best) and prefix != "id":
            best = ns
            name = prefix
    if best:
        rest = iri[len(best) :]
        if rest and "/" not in rest and "#" not in rest:
            return f"{name}:{rest}"
    return iri


#: The parts of the base IRI that the server dereferences (things and ontology terms).
DEREFERENCEABLE: tuple[str, ...] = ("id/", "def/")


def local_path(iri: str, base: str) -> str | None:
    """The server path of an IRI that has a page here (``/id/akse/x``, ``/def/Axis``).

    ``None`` for IRIs outside the base and for IRIs under the base that the pages do not
    serve (named graphs, skolem IRIs): those are shown as plain outgoing links.
    """
    if iri.startswith(base) and iri[len(base) :].startswith(DEREFERENCEABLE):
        return "/" + iri[len(base) :]
    return None


def prefixed_name(term: URIRef, base_iri: str = SOURCE_BASE) -> str:
    """``hms:Axis`` for a term in one of our prefixes (rebased to ``base_iri``), else ``<iri>``."""
    best = ""
    name = f"<{term}>"
    for prefix, ns in PREFIXES.items():
        ns = base_iri + ns[len(SOURCE_BASE) :] if ns.startswith(SOURCE_BASE) else ns
        if term.startswith(ns) and len(ns) > len(best) and len(term) > len(ns):
            best, name = ns, f"{prefix}:{term[len(ns) :]}"
    return name


def compact(iri: str) -> str:
    """``iri`` as a prefixed name with our prefixes, or unchanged."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best = ns
            name = f"{prefix}:{iri[len(ns) :]}"
    return name if best and re.fullmatch(r"[\w.:/%-]*", name.partition(":")[2]) else iri


def local_href(iri: str, base_iri: str) -> str:
    """A link for ``iri``: IRIs under our base become site paths, so local runs link
    to themselves (DESIGN.md, "IRIs")."""
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri) :]
    return iri
