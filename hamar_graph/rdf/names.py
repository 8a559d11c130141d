"""Names of IRIs: the one prefixed-name helper, last segments, and the paths the server
answers on.

- :func:`prefixed_name`: ``hms:Axis``, ``id:akse/vennskapsbysamarbeid`` with the project's
  prefixes (:data:`hamar_graph.namespaces.PREFIXES`), for the CLI, reports and tables;
- :func:`local_name`: the last segment of an IRI, a last-resort label;
- :func:`local_path`: the path on this server of an IRI under the base IRI, so a local
  run links to itself (``http://127.0.0.1:5000/id/akse/x`` for ``{base}id/akse/x``).
"""

from __future__ import annotations

import re

from hamar_graph.namespaces import PREFIXES, SOURCE_BASE, rebased

#: What a prefixed name's local part may hold here (SPARQL's PN_LOCAL, simplified).
_LOCAL = re.compile(r"[\w.:/%-]+")


def prefixed_name(
    iri: str,
    base_iri: str = SOURCE_BASE,
    *,
    fallback: str | None = None,
    prefixes: dict[str, str] | None = None,
) -> str:
    """``iri`` as ``prefix:local`` with the longest matching namespace, else ``fallback``.

    :param iri: the IRI.
    :param base_iri: the deployment's base: the project's own namespaces (``hms:``, ``id:``)
        are moved to it.
    :param fallback: what to return when no prefix fits (default ``<iri>``).
    :param prefixes: the prefix map (default :data:`~hamar_graph.namespaces.PREFIXES`).
    """
    best = ""
    name = ""
    for prefix, ns in rebased(PREFIXES if prefixes is None else prefixes, base_iri).items():
        local = iri[len(ns) :]
        if iri.startswith(ns) and len(ns) > len(best) and _LOCAL.fullmatch(local):
            best, name = ns, f"{prefix}:{local}"
    if best:
        return name
    return f"<{iri}>" if fallback is None else fallback


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``), for a last-resort label."""
    for sep in ("#", "/"):
        if sep in iri.rstrip(sep):
            return iri.rstrip(sep).rsplit(sep, 1)[1]
    return iri


#: The parts of the base IRI that have pages (things and ontology terms).
DEREFERENCEABLE: tuple[str, ...] = ("id/", "def/")

#: The parts of the base IRI this server answers for at all (pages, catalogue, dumps ...).
SERVED: tuple[str, ...] = (*DEREFERENCEABLE, "catalog", "download/", ".well-known/", "sparql")


def local_path(iri: str, base: str, roots: tuple[str, ...] = DEREFERENCEABLE) -> str | None:
    """The server path of an IRI under ``base`` whose rest starts with one of ``roots``
    (``/id/akse/x``, ``/def/Axis``); ``None`` for any other IRI.

    :param roots: the parts of the base to map; ``("",)`` maps every IRI under the base.
    """
    if iri.startswith(base) and iri[len(base) :].startswith(roots):
        return "/" + iri[len(base) :]
    return None
