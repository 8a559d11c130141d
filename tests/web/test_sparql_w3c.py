"""The W3C SPARQL 1.1 Protocol and Service Description tests, driven by their manifests.

The manifests and data are copied in ``tests/data/w3c-protocol/`` (see its README for
source and licence). Each applicable entry's request is built from its ``ht:`` description
and sent to an app whose store holds ``dataN.nt`` as the named graphs
``http://kasei.us/2009/09/sparql/data/dataN.rdf``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from hamar_graph.namespaces import SD
from hamar_graph.store.base import load_triples
from hamar_graph.store.oxigraph import OxigraphStore
from tests.support.paths import TEST_DATA
from tests.support.sparql import parse_rdf, pool_app

HERE = TEST_DATA / "w3c-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
KASEI = "http://kasei.us/2009/09/sparql/data/"

TABULAR = ("application/sparql-results+json", "application/sparql-results+xml")
RDF_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")


@dataclass(frozen=True)
class ProtocolRequest:
    """One ``ht:Request`` of the manifest and the response it expects."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]  #: hts:StatusCode2xx ... local names
    expected_format: str | None
    expected_boolean: bool | None


def _applies(name: str) -> bool:
    # query_* and bad_query_* (and bad_multiple_queries) are query operations; the
    # bad_update_* entries expect a 4xx, which a read-only endpoint gives. update_* need
    # a writable endpoint.
    return name.startswith(("query_", "bad_query_", "bad_multiple_queries", "bad_update_"))


def load_manifest() -> list[ProtocolRequest]:
    g = Graph().parse(HERE / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = Collection(g, g.value(manifest, MF.entries))
    requests: list[ProtocolRequest] = []
    for entry in entries:
        name = str(entry).rsplit("#", 1)[-1]
        if not _applies(name):
            continue
        action = g.value(entry, MF.action)
        steps = list(Collection(g, g.value(action, HT.requests)))
        assert len(steps) == 1, f"{name}: a query test has one request"
        req = steps[0]
        headers: dict[str, str] = {}
        header_list = g.value(req, HT.headers)
        if header_list is not None:
            for header in Collection(g, header_list):
                headers[str(g.value(header, HT.fieldName))] = str(g.value(header, HT.fieldValue))
        body = None
        content = g.value(req, HT.body)
        if content is not None:
            encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
            body = str(g.value(content, CNT.chars)).encode(encoding)
        response = g.value(req, HT.resp)
        statuses = frozenset(
            str(s).rsplit("#", 1)[-1] for s in g.objects(response, MF.expectedStatus)
        )
        fmt = g.value(response, MF.expectedFormat)
        boolean = g.value(response, MF.expectedBoolean)
        requests.append(
            ProtocolRequest(
                name,
                str(g.value(req, HT.methodName)),
                str(g.value(req, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                headers,
                body,
                statuses,
                str(fmt) if fmt is not None else None,
                boolean.toPython() if boolean is not None else None,  # type: ignore[union-attr]
            )
        )
    return requests


REQUESTS = load_manifest()


def test_the_manifest_was_read() -> None:
    names = {r.name for r in REQUESTS}
    assert len(names) == len(REQUESTS) == 26
    assert {"query_post_form", "query_multiple_dataset", "bad_query_non_utf8"} <= names


@pytest.fixture(scope="module")
def w3c_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    store = OxigraphStore()
    load_triples(
        store,
        [
            (URIRef(f"{KASEI}data{n}.rdf"), Graph().parse(HERE / f"data{n}.nt", format="nt"))
            for n in (1, 2, 3)
        ],
    )
    with pool_app(store, tmp_path_factory.mktemp("w3c")) as app:
        yield app


def _status_class(code: int) -> str:
    return f"StatusCode{code // 100}xx"


@pytest.mark.parametrize("req", REQUESTS, ids=[r.name for r in REQUESTS])
def test_protocol(w3c_app: Flask, req: ProtocolRequest) -> None:
    with w3c_app.test_client() as client:
        response = client.open(req.path, method=req.method, headers=req.headers, data=req.body)
    assert _status_class(response.status_code) in req.statuses, response.data[:300]
    content_type = response.headers.get("Content-Type", "").split(";")[0]
    if req.expected_format == "boolean":
        assert content_type in TABULAR
    elif req.expected_format == "tabular":
        assert content_type in (*TABULAR, "text/csv", "text/tab-separated-values")
    elif req.expected_format == "RDF":
        assert content_type in RDF_TYPES
        fmt = {"text/turtle": "turtle", "application/n-triples": "nt"}.get(content_type, "xml")
        parse_rdf(response.data, "json-ld" if "json" in content_type else fmt)
    if req.expected_boolean is not None:
        assert content_type == "application/sparql-results+json"
        assert json.loads(response.data)["boolean"] is req.expected_boolean
    if response.status_code >= 400:
        assert response.data.strip()  # a message for a person


# --- service description manifest --------------------------------------------------------


def test_service_description_manifest(w3c_app: Flask) -> None:
    manifest = Graph().parse(HERE / "service-description-manifest.ttl", format="turtle")
    names = {
        str(s).rsplit("#", 1)[-1] for s in manifest.subjects(RDF.type, MF.ServiceDescriptionTest)
    }
    assert names == {"has-endpoint-triple", "returns-rdf", "conforms-to-schema"}
    with w3c_app.test_client() as client:
        response = client.get("/sparql", headers={"Accept": "text/turtle"})
    # returns-rdf
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    g = parse_rdf(response.data, "turtle")
    # has-endpoint-triple: sd:endpoint is the URL that was requested
    service = next(g.subjects(RDF.type, SD.Service))
    assert g.value(service, SD.endpoint) == URIRef("http://localhost/sparql")
    # conforms-to-schema: the sd: terms used are those of the vocabulary, with their types
    used = {p for p in g.predicates() if str(p).startswith(str(SD))} | {
        o for o in g.objects(None, RDF.type) if str(o).startswith(str(SD))
    }
    known = {
        SD[t]
        for t in [
            "Service",
            "endpoint",
            "supportedLanguage",
            "resultFormat",
            "feature",
            "defaultEntailmentRegime",
            "defaultDataset",
            "Dataset",
            "defaultGraph",
            "Graph",
            "namedGraph",
            "NamedGraph",
            "name",
            "graph",
        ]
    }
    assert used <= known
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    for named in g.objects(dataset, SD.namedGraph):
        assert (named, RDF.type, SD.NamedGraph) in g
        assert str(g.value(named, SD.name)).startswith(KASEI)
