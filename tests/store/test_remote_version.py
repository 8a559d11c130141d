"""The data version of a remote engine: written by ``load``, read in one tiny query, changed by
every reload that changes the data, also one that keeps every graph's size (issue 15, item 4).

On the Oxigraph server (Graph Store Protocol load) and on Virtuoso (its bulk loader), the
version is the SHA-256 the embedded store computes for the same data, so the ETags of both
modes agree; data loaded without it falls back to the graphs' counts (and says so in the log).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef

from hamar_graph.publication.release import dataset_from_store
from hamar_graph.store.base import DATA_VERSION_GRAPH, Store, counts_fingerprint
from hamar_graph.store.oxigraph import OxigraphStore
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_load import load_dataset, put_graph
from tests.support.oxigraph_server import OxigraphServer
from tests.support.virtuoso_server import VirtuosoServer, virtuoso_missing

pytestmark = pytest.mark.server

LUND = URIRef("https://data.hamar.kommune.no/id/vennskapsby/lund")
SKOS_PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")


def renamed_lund(dataset: Dataset, label: str = "Lund (Sweden)") -> Dataset:
    """``dataset`` with Lund's English label changed to ``label``: every graph keeps its
    size."""
    changed = Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if (s, p, o) == (LUND, SKOS_PREF, Literal("Lund", lang="en")):
            o = Literal(label, lang="en")
        changed.graph(g).add((s, p, o))  # type: ignore[arg-type]
    return changed


def embedded_fingerprint(dataset: Dataset) -> str:
    store = OxigraphStore()
    store.load(dataset)
    return store.fingerprint()


def check_versions(remote: RemoteStore, load: object, dataset: Dataset, store: Store) -> None:
    """Load, reload with the same sizes, and reload the original: the version follows."""
    load(dataset)  # type: ignore[operator]
    first = remote.fingerprint()
    assert first == store.fingerprint() == remote.data_version()
    counts = counts_fingerprint(remote)

    changed = renamed_lund(dataset)
    load(changed)  # type: ignore[operator]
    second = remote.fingerprint()
    assert counts_fingerprint(remote) == counts, "every graph kept its size"
    assert second != first, "the version changed with the data"
    assert second == embedded_fingerprint(changed)
    labels = remote.select(f"SELECT ?l WHERE {{ <{LUND}> <{SKOS_PREF}> ?l }}")
    assert Literal("Lund (Sweden)", lang="en") in {r["l"] for r in labels}

    load(dataset)  # type: ignore[operator]
    assert remote.fingerprint() == first
    # the version graph is no data: not a graph of the store, not in its size or its dumps
    assert DATA_VERSION_GRAPH not in remote.graph_names()
    assert remote.graph_names() == store.graph_names()
    assert len(remote) == len(store)
    assert DATA_VERSION_GRAPH not in {g.identifier for g in dataset_from_store(remote).graphs()}


@pytest.fixture()
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path / "oxigraph").start()
    yield server
    server.stop()


def test_oxigraph_server_version_follows_every_reload(
    oxigraph: OxigraphServer, dataset: Dataset, store: Store
) -> None:
    remote = RemoteStore(oxigraph.query_url, timeout=30)
    check_versions(remote, lambda ds: load_dataset(remote, ds), dataset, store)


def test_virtuoso_version_follows_every_reload(
    tmp_path: Path, dataset: Dataset, store: Store
) -> None:
    missing = virtuoso_missing()
    if missing:
        pytest.skip(missing)
    with VirtuosoServer(tmp_path / "virtuoso") as server:
        remote = RemoteStore(server.query_url, timeout=30)
        check_versions(remote, lambda ds: server.loader().load_dataset(ds), dataset, store)


def test_without_a_version_the_counts_are_used_and_logged(
    oxigraph: OxigraphServer, caplog: pytest.LogCaptureFixture
) -> None:
    remote = RemoteStore(oxigraph.query_url, timeout=30)
    triple = b'<http://example.org/a> <http://example.org/p> "1" .\n'
    put_graph(remote, "http://example.org/g", triple)
    with caplog.at_level(logging.WARNING, logger="hamar_graph.store.remote"):
        assert remote.data_version() is None
        assert remote.fingerprint() == counts_fingerprint(remote)
        assert remote.fingerprint() == counts_fingerprint(remote)
    warnings = [r for r in caplog.records if "holds no data version" in r.getMessage()]
    assert len(warnings) == 1, "said once, not on every call"


def test_a_junk_version_is_not_trusted(oxigraph: OxigraphServer) -> None:
    remote = RemoteStore(oxigraph.query_url, timeout=30)
    put_graph(
        remote,
        str(DATA_VERSION_GRAPH),
        f'<{DATA_VERSION_GRAPH}> <http://purl.org/dc/terms/identifier> "x\\" }}" .\n'.encode(),
    )
    assert remote.data_version() is None
