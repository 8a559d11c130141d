"""Load a graph into a remote engine: Graph Store Protocol uploads, then one atomic switch,
and the data version the app reads back.

Data goes in through the SPARQL 1.1 Graph Store HTTP Protocol
(https://www.w3.org/TR/sparql11-http-rdf-update/) into temporary graphs, and a single
SPARQL 1.1 Update request (https://www.w3.org/TR/sparql11-update/) moves them into place.
Virtuoso has neither ``/store`` nor ``/update`` for an anonymous user; it is loaded with
its own bulk loader (:mod:`hamar_graph.store.remote_virtuoso`), which writes the same data
version.

The data version: the graph :data:`~hamar_graph.store.base.DATA_VERSION_GRAPH` holds the
SHA-256 of the loaded quads (:func:`quads_digest`, the digest the embedded store computes
for the same data) and the load time. It switches with the data, so the app's validators
change exactly when the data does, also on a reload that keeps every graph's size.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS, XSD

from hamar_graph.rdf.convert import dataset_quads
from hamar_graph.store.base import DATA_VERSION_GRAPH, StoreError, StoreUnavailable
from hamar_graph.store.oxigraph import nquads_fingerprint
from hamar_graph.store.sparql_text import safe_term


class RemoteTarget(Protocol):
    """Where to load: a remote store's query, update and Graph Store URLs and its timeout."""

    endpoint: str
    update_endpoint: str | None
    store_endpoint: str | None
    timeout: float


Progress = Callable[[str], None]


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


# --- the data version ------------------------------------------------------------------------


def quads_digest(quads: Iterable[ox.Quad]) -> str:
    """SHA-256 (hex) of ``quads`` as the engine stores them: loaded into Oxigraph and
    dumped as sorted N-Quads, exactly as :meth:`OxigraphStore.fingerprint
    <hamar_graph.store.oxigraph.OxigraphStore.fingerprint>` hashes the same data."""
    store = ox.Store()
    store.bulk_extend(quads)
    return nquads_fingerprint(store.dump(format=ox.RdfFormat.N_QUADS) or b"")


def version_quads(digest: str, loaded: dt.datetime | None = None) -> list[ox.Quad]:
    """The statements of :data:`~hamar_graph.store.base.DATA_VERSION_GRAPH`: the content
    hash (``dct:identifier``) and the load time (``dct:modified``)."""
    when = (loaded or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    node = ox.NamedNode(str(DATA_VERSION_GRAPH))
    stamp = when.isoformat().replace("+00:00", "Z")
    return [
        ox.Quad(node, ox.NamedNode(str(DCTERMS.identifier)), ox.Literal(digest), node),
        ox.Quad(
            node,
            ox.NamedNode(str(DCTERMS.modified)),
            ox.Literal(stamp, datatype=ox.NamedNode(str(XSD.dateTime))),
            node,
        ),
    ]


def grouped(dataset: Dataset, target_graph: URIRef | None = None) -> dict[URIRef, list[ox.Quad]]:
    """The quads of ``dataset`` by named graph (all in ``target_graph`` when given)."""
    groups: dict[URIRef, list[ox.Quad]] = {}
    target = ox.NamedNode(str(target_graph)) if target_graph else None
    for quad in dataset_quads(dataset):
        graph = target or quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            raise StoreError("every triple must be in a named graph (or pass a target graph)")
        groups.setdefault(URIRef(graph.value), []).append(
            ox.Quad(quad.subject, quad.predicate, quad.object, graph)
        )
    return groups


# --- the Graph Store Protocol load -----------------------------------------------------------


def _ntriples(quads: Iterable[ox.Quad]) -> bytes:
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def load_dataset(
    store: RemoteTarget,
    dataset: Dataset,
    *,
    target_graph: URIRef | None = None,
    progress: Progress = lambda _message: None,
    loaded: dt.datetime | None = None,
) -> list[URIRef]:
    """Push ``dataset`` into a remote store, replacing its graphs and its data version in
    one step.

    Each graph, and the data-version graph, is first uploaded (Graph Store Protocol PUT)
    to a temporary graph ``{graph}-loading-{nonce}``; only when every upload succeeded does
    a single SPARQL Update request ``MOVE`` all of them over their targets. Engines that
    run an update request as one transaction (Oxigraph, Fuseki, GraphDB) therefore switch
    from the old data, and the old version, to the new at once. When an upload fails, the
    temporary graphs are dropped and the target graphs are untouched.

    :param target_graph: put the union of all graphs into this one graph instead of
        keeping one graph per source file.
    :param loaded: the load time written with the version (default: now).
    :returns: the graphs that were replaced (the data-version graph not counted).
    :raises StoreError: naming the step that failed and the state left behind.
    """
    groups = grouped(dataset, target_graph)
    progress("computing the data version (SHA-256 of the quads)")
    digest = quads_digest(q for quads in groups.values() for q in quads)
    uploads = {**groups, DATA_VERSION_GRAPH: version_quads(digest, loaded)}
    nonce = uuid.uuid4().hex[:12]
    temporary = {name: URIRef(f"{name}-loading-{nonce}") for name in uploads}
    uploaded: list[URIRef] = []
    try:
        for i, (name, quads) in enumerate(sorted(uploads.items()), start=1):
            count = len(set(quads))
            progress(f"[{i}/{len(uploads)}] uploading {count} triples for <{name}>")
            put_graph(store, str(temporary[name]), _ntriples(quads))
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
    progress(f"switching {len(uploads)} graphs in one update request (data version {digest[:12]})")
    moves = " ;\n".join(
        f"MOVE SILENT GRAPH {safe_term(temporary[n])} TO GRAPH {safe_term(n)}"
        for n in sorted(uploads)
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
