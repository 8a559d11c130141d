"""Load a graph into a remote engine: Graph Store Protocol uploads, then one atomic switch.

Data goes in through the SPARQL 1.1 Graph Store HTTP Protocol
(https://www.w3.org/TR/sparql11-http-rdf-update/) into temporary graphs, and a single
SPARQL 1.1 Update request (https://www.w3.org/TR/sparql11-update/) moves them into place.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from rdflib import Dataset, Graph, URIRef

from hamar_graph.rdf.serialize import serialize
from hamar_graph.store.base import StoreError, StoreUnavailable
from hamar_graph.store.sparql_text import safe_term


class RemoteTarget(Protocol):
    """Where to load: a remote store's query, update and Graph Store URLs and its timeout."""

    endpoint: str
    update_endpoint: str | None
    store_endpoint: str | None
    timeout: float


def _sibling(url: str, name: str) -> str:
    """``http://h/query`` → ``http://h/{name}`` (the Oxigraph server's layout)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    head = path.rsplit("/", 1)[0] if path.endswith(("/query", "/sparql")) else path
    return urlunsplit((parts.scheme, parts.netloc, f"{head}/{name}", "", ""))


def _send(store: RemoteTarget, url: str, method: str, body: bytes, content_type: str) -> None:
    if urlsplit(url).scheme not in ("http", "https"):
        raise StoreError(f"only http(s) endpoints are supported, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body, method=method, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=max(store.timeout, 60)) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise StoreError(f"{method} {url} failed with HTTP {exc.code}: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise StoreUnavailable(f"{method} {url} failed: {exc}") from exc


def update(store: RemoteTarget, text: str) -> None:
    """Send a SPARQL Update request to the store's update URL (default ``…/update``)."""
    url = store.update_endpoint or _sibling(store.endpoint, "update")
    _send(store, url, "POST", text.encode("utf-8"), "application/sparql-update")


def put_graph(store: RemoteTarget, graph_iri: str, data: bytes) -> None:
    """Replace one named graph with N-Triples ``data`` (Graph Store Protocol ``PUT``)."""
    base = store.store_endpoint or _sibling(store.endpoint, "store")
    url = f"{base}?graph={urllib.request.quote(graph_iri, safe='')}"
    _send(store, url, "PUT", data, "application/n-triples")


def load_dataset(
    store: RemoteTarget,
    dataset: Dataset,
    *,
    target_graph: URIRef | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> list[URIRef]:
    """Push ``dataset`` into a remote store, replacing its graphs in one step.

    Each graph is first uploaded (Graph Store Protocol PUT) to a temporary graph
    ``{graph}-loading-{nonce}``; only when every upload succeeded does a single
    SPARQL Update request ``MOVE`` all of them over their targets. Engines that run
    an update request as one transaction (Oxigraph, Fuseki, GraphDB) therefore
    switch from the old data to the new at once. When an upload fails, the
    temporary graphs are dropped and the target graphs are untouched.

    :param target_graph: put the union of all graphs into this one graph instead of
        keeping one graph per source file.
    :returns: the graphs that were replaced.
    :raises StoreError: naming the step that failed and the state left behind.
    """

    groups: dict[URIRef, Graph] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = target_graph or URIRef(str(getattr(g, "identifier", g)))
        groups.setdefault(name, Graph()).add((s, p, o))
    nonce = uuid.uuid4().hex[:12]
    temporary = {name: URIRef(f"{name}-loading-{nonce}") for name in groups}
    uploaded: list[URIRef] = []
    try:
        for i, (name, graph) in enumerate(sorted(groups.items()), start=1):
            progress(f"[{i}/{len(groups)}] uploading {len(graph)} triples for <{name}>")
            put_graph(store, str(temporary[name]), serialize(graph, "nt"))
            uploaded.append(temporary[name])
    except StoreError as exc:
        cleanup = " ".join(f"DROP SILENT GRAPH {safe_term(t)} ;" for t in uploaded)
        try:
            if cleanup:
                update(store, cleanup.rstrip(" ;"))
            state = "the target graphs are unchanged and the temporary graphs were removed"
        except StoreError:
            state = "the target graphs are unchanged; temporary graphs may remain: " + ", ".join(
                str(t) for t in uploaded
            )
        raise StoreError(f"load failed ({exc}); {state}") from exc
    progress(f"switching {len(groups)} graphs in one update request")
    moves = " ;\n".join(
        f"MOVE SILENT GRAPH {safe_term(temporary[n])} TO GRAPH {safe_term(n)}"
        for n in sorted(groups)
    )
    try:
        update(store, moves)
    except StoreError as exc:
        raise StoreError(
            f"uploads succeeded but the switch failed ({exc}); the target graphs keep their "
            "previous content if the engine runs an update as one transaction; temporary graphs "
            + ", ".join(str(t) for t in temporary.values())
            + " remain and can be dropped"
        ) from exc
    progress("done")
    return sorted(groups)
