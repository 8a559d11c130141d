"""Dumps: every format, gzipped and plain, isomorphic to the endpoint; sizes and checksums;
reproducible bytes; atomic writing; serving under /download/."""

from __future__ import annotations

import gzip
import hashlib
import json
import warnings
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

import hamar_graph.rdf.atomic as atomic
from hamar_graph import __version__
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.publication.publish import (
    MANIFEST,
    Publication,
    load_publication,
    make_publication,
    write_publication,
)
from hamar_graph.publication.release import dataset_from_store, served_form
from hamar_graph.rdf.convert import from_ox
from hamar_graph.rdf.datasets import canonical_dataset
from hamar_graph.store.base import Store, union_graph
from web import create_app, state

FULL = ["ttl", "nt", "jsonld", "rdf", "nq"]
RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml", "nq": "nquads"}
MEDIA = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nq": "application/n-quads",
}


def quads(data: bytes) -> set[tuple[Node, Node, Node, Node]]:
    """The quads of an N-Quads dump, read by Oxigraph's parser."""
    return {
        (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))
        for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)
    }


def parse(data: bytes, key: str) -> Graph:
    """A dump's triples (for N-Quads: the union of its graphs)."""
    if key == "nq":
        out = Graph()
        for s, p, o, _g in quads(data):
            out.add((s, p, o))
        return out
    with warnings.catch_warnings():
        # rdflib's own JSON-LD parser builds a ConjunctiveGraph internally
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=data, format=RDFLIB_FORMAT[key])


def ground(items: set[tuple[Node, ...]]) -> set[tuple[Node, ...]]:
    """The quads (or triples) without a blank node."""
    return {q for q in items if not any(isinstance(n, BNode) for n in q)}


@pytest.fixture(scope="module")
def endpoint_graph(store: Store) -> Graph:
    """The endpoint's ``CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }``."""
    return union_graph(store)


@pytest.fixture(scope="module")
def pub_app(published: Publication, store: Store) -> Flask:
    assert published.directory is not None
    app = create_app({"out_dir": published.directory}, store=store)
    app.config["TESTING"] = True
    return app


def test_file_names_carry_the_version(published: Publication) -> None:
    names = {f.name for f in published.files}
    for key in FULL:
        assert f"hamar-graph-{__version__}.{key}" in names
        assert f"hamar-graph-{__version__}.{key}.gz" in names
    for part in ("data", "ontology", "shapes"):
        assert f"hamar-graph-{part}-{__version__}.ttl" in names
        assert f"hamar-graph-{part}-{__version__}.ttl.gz" in names
    assert len(names) == 16


def test_every_file_has_the_size_and_checksums_it_states(published: Publication) -> None:
    assert published.directory is not None
    for f in published.files:
        data = (published.directory / f.name).read_bytes()
        assert len(data) == f.size, f.name
        assert hashlib.sha256(data).hexdigest() == f.sha256, f.name
        assert hashlib.sha1(data, usedforsecurity=False).hexdigest() == f.sha1, f.name


@pytest.mark.parametrize("key", FULL)
@pytest.mark.parametrize("compressed", [False, True])
def test_complete_dump_is_isomorphic_to_the_endpoint(
    published: Publication, endpoint_graph: Graph, key: str, compressed: bool
) -> None:
    name = f"hamar-graph-{__version__}.{key}" + (".gz" if compressed else "")
    data = published.read(name)
    if compressed:
        data = gzip.decompress(data)
        assert data == published.read(name[: -len(".gz")])
    graph = parse(data, key)
    assert len(graph) == len(endpoint_graph)
    assert isomorphic(graph, endpoint_graph)


def test_nquads_keep_the_named_graphs_of_the_store(published: Publication, store: Store) -> None:
    dumped = quads(published.read(f"hamar-graph-{__version__}.nq"))
    rows = store.select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    served = {(r["s"], r["p"], r["o"], r["g"]) for r in rows}
    assert {q[3] for q in dumped} == {q[3] for q in served}
    # the shapes keep their blank nodes, whose labels differ between store and dump
    assert ground(dumped) == ground(served)
    for name in {q[3] for q in served}:
        mine = Graph()
        for s, p, o, g in dumped:
            if g == name:
                mine.add((s, p, o))
        theirs = Graph()
        for s, p, o, g in served:
            if g == name:
                theirs.add((s, p, o))
        assert len(mine) == len(theirs), name
        assert isomorphic(mine, theirs), name


def test_parts_are_the_named_graphs_of_each_folder(
    published: Publication, store: Store, endpoint_graph: Graph
) -> None:
    union = Graph()
    for part, folder in (("data", "data"), ("ontology", "ontology"), ("shapes", "shapes")):
        graph = parse(published.read(f"hamar-graph-{part}-{__version__}.ttl"), "ttl")
        assert len(graph) > 0
        for triple in graph:
            union.add(triple)
        if part != "data":
            rows = store.select(
                "SELECT DISTINCT ?s ?p ?o ?prefix WHERE { GRAPH ?g { ?s ?p ?o } "
                "FILTER(STRSTARTS(STR(?g), STR(?prefix))) }",
                {"prefix": Literal(f"https://data.hamar.kommune.no/graph/{folder}-")},
            )
            expected = Graph()
            for row in rows:
                expected.add((row["s"], row["p"], row["o"]))
            assert isomorphic(graph, expected), part
    assert isomorphic(union, endpoint_graph)


def test_gzip_streams_carry_no_time_and_no_name(published: Publication) -> None:
    for f in published.files:
        if f.compressed:
            head = published.read(f.name)[:10]
            assert head[:2] == b"\x1f\x8b"
            assert head[3] & 0x08 == 0, "FNAME flag set"
            assert head[4:8] == b"\x00\x00\x00\x00", "MTIME is not zero"


def test_bytes_are_reproducible(published: Publication, dataset: Dataset) -> None:
    """A second rendering of the same data gives the same bytes in every file."""
    again = make_publication(dataset, Settings(source_dir=PROJECT_ROOT))
    assert {f.name: f.sha256 for f in again.files} == {f.name: f.sha256 for f in published.files}
    assert again.meta == published.meta


def test_blank_nodes_get_the_same_labels_every_time() -> None:
    text = """
    @prefix ex: <http://example.org/> .
    ex:a ex:p [ ex:q "x" ; ex:r [ ex:q "y" ] ] .
    """
    labels = []
    for _ in range(2):
        ds = Dataset()
        ds.graph(URIRef("http://example.org/g")).parse(data=text, format="turtle")
        canonical = canonical_dataset(ds)
        labels.append(
            sorted(str(n) for q in canonical.quads() for n in q[:3] if isinstance(n, BNode))
        )
    assert labels[0] == labels[1]
    assert len(set(labels[0])) == 2


def test_served_form_is_what_oxigraph_answers() -> None:
    ds = Dataset()
    g = ds.graph(URIRef("http://example.org/g"))
    decimal = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
    g.add(
        (
            URIRef("http://example.org/a"),
            URIRef("http://example.org/p"),
            Literal("11.0680", datatype=decimal),
        )
    )
    served = served_form(ds)
    values = {str(o) for _s, _p, o, _g in served.quads((None, None, None, None))}
    assert values == {"11.068"}


def test_dataset_from_store_round_trips(dataset: Dataset, store: Store) -> None:
    back = dataset_from_store(store)
    assert {str(g.identifier) for g in back.graphs() if len(g)} == {
        str(g) for g in store.graph_names()
    }
    assert len(list(back.quads((None, None, None, None)))) == len(store)


# --- writing -----------------------------------------------------------------------------


def test_load_publication_reads_back_what_was_written(published: Publication) -> None:
    assert published.directory is not None
    settings = Settings(source_dir=PROJECT_ROOT, out_dir=published.directory)
    loaded = load_publication(settings)
    assert loaded is not None
    assert loaded.meta == published.meta
    assert loaded.files == published.files
    assert isomorphic(loaded.void, published.void)
    for profile, graph in published.catalogs.items():
        assert isomorphic(loaded.catalogs[profile], graph)


def test_load_publication_refuses_other_base_or_missing_file(
    published: Publication, tmp_path: Path
) -> None:
    assert published.directory is not None
    other = Settings(
        source_dir=PROJECT_ROOT, out_dir=published.directory, base_iri="http://example.org/"
    )
    assert load_publication(other) is None
    for path in published.directory.iterdir():
        if path.is_file():
            (tmp_path / path.name).write_bytes(path.read_bytes())
    copy = Settings(source_dir=PROJECT_ROOT, out_dir=tmp_path)
    assert load_publication(copy) is not None
    (tmp_path / published.files[0].name).write_bytes(b"truncated")
    assert load_publication(copy) is None
    assert load_publication(Settings(source_dir=PROJECT_ROOT, out_dir=tmp_path / "none")) is None


def test_a_failed_write_leaves_the_old_files_whole(
    published: Publication, dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full half-way: nothing is replaced, no temporary file is left behind."""
    assert published.directory is not None
    for path in published.directory.iterdir():
        if path.is_file():
            (tmp_path / path.name).write_bytes(b"old " + path.name.encode())
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    settings = Settings(source_dir=PROJECT_ROOT, out_dir=tmp_path)
    calls = {"n": 0}

    real_stage = atomic.stage_file

    def stage(path: Path, data: bytes) -> Path:
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")
        return real_stage(path, data)

    monkeypatch.setattr(atomic, "stage_file", stage)
    with pytest.raises(OSError, match="No space"):
        write_publication(dataset, settings)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before


def test_manifest_is_written_last_and_names_every_file(published: Publication) -> None:
    assert published.directory is not None
    manifest = json.loads((published.directory / MANIFEST).read_text())
    assert [f["name"] for f in manifest["files"]] == [f.name for f in published.files]
    assert manifest["meta"]["data_version"] == published.meta.data_version


# --- serving -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", FULL)
def test_download_serves_each_dump_with_its_media_type(pub_app: Flask, key: str) -> None:
    client = pub_app.test_client()
    name = f"hamar-graph-{__version__}.{key}"
    response = client.get(f"/download/{name}", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.mimetype == MEDIA[key]
    assert "Content-Encoding" not in response.headers
    assert response.data == (pub_app.extensions["hamar"].settings.out_dir / name).read_bytes()
    gz = client.get(f"/download/{name}.gz", headers={"Accept-Encoding": "gzip"})
    assert gz.status_code == 200
    assert gz.mimetype == "application/gzip"
    assert "Content-Encoding" not in gz.headers
    assert gzip.decompress(gz.data) == response.data


def test_download_sends_plain_dumps_gzip_encoded_when_accepted(pub_app: Flask) -> None:
    client = pub_app.test_client()
    name = f"hamar-graph-{__version__}.ttl"
    response = client.get(f"/download/{name}", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "text/turtle"
    assert "Accept-Encoding" in response.headers["Vary"]
    plain = (pub_app.extensions["hamar"].settings.out_dir / name).read_bytes()
    assert gzip.decompress(response.data) == plain


def test_download_of_unknown_file_is_404(pub_app: Flask) -> None:
    client = pub_app.test_client()
    assert client.get("/download/nothing.ttl").status_code == 404
    assert client.get("/download/..%2Fplan.json").status_code == 404
    assert client.get(f"/download/{MANIFEST}").status_code == 404


def test_download_index_lists_every_file(pub_app: Flask, published: Publication) -> None:
    html = pub_app.test_client().get("/download/").get_data(as_text=True)
    for f in published.files:
        assert f'href="/download/{f.name}"' in html
        assert f.sha256 in html


def test_app_without_build_output_makes_the_same_publication(
    published: Publication, store: Store, tmp_path: Path
) -> None:
    """No build in out_dir: the app makes the publication from the store, with equal bytes."""
    app = create_app({"out_dir": tmp_path}, store=store)
    client = app.test_client()
    # the validators come from the store (milliseconds) before the publication exists
    first = client.get("/robots.txt")
    assert first.headers["ETag"].startswith(f'W/"{published.meta.data_version}-')
    assert state.state(app).peek("publication") is None
    for f in published.files:
        response = client.get(f"/download/{f.name}", headers={"Accept-Encoding": "identity"})
        assert hashlib.sha256(response.data).hexdigest() == f.sha256, f.name
        assert response.headers["ETag"].startswith(f'W/"{published.meta.data_version}-')
    assert list(tmp_path.iterdir()) == []
