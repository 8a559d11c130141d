"""A harvester and a careful reader against a live server (``hamar-graph serve``), issue 14.

The server serves the session's ``build`` as it is, with the canonical base IRI
(``https://data.hamar.kommune.no/``), on a loopback port: no host name resolves to it. The
harvester reads the catalogue, validates it with the official shapes, follows every
distribution's download URL (which must be on the server it asked), checks media type, byte
size and checksum against the catalogue and the manifest, and harvests a second time with
``If-None-Match`` and ``If-Modified-Since``, expecting nothing but 304s. The careful reader
downloads the shapes and the data from the server and validates one with the other: the same
results as ``hamar-graph validate``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCAT, RDF, SH, VOID
from rdflib.term import Node

from hamar_graph import __version__
from hamar_graph.build.pipeline import BuildResult
from hamar_graph.publication.publish import MANIFEST
from tests.publication.test_catalog_shapes import (
    EU_MANDATORY,
    EU_RECOMMENDED,
    EU_VOCABULARIES,
    EXCERPT,
    HAMAR_AREA,
    NO_SHAPES,
    summary,
    validate,
)
from tests.support.paths import ROOT
from tests.support.sparql import ServeProcess, http

pytestmark = pytest.mark.server

BASE = "https://data.hamar.kommune.no/"
IANA = "https://www.iana.org/assignments/media-types/"
SPDX = "http://spdx.org/rdf/terms#"
DCT = "http://purl.org/dc/terms/"
CONSOLE_SCRIPT = Path(sys.executable).with_name("hamar-graph")


@dataclass(frozen=True)
class Stated:
    """What the catalogue states about one distribution."""

    iri: str
    url: str
    media_type: str
    size: int
    algorithm: str
    checksum: str


@pytest.fixture(scope="module")
def served(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's build (canonical base IRI), for the server to read."""
    out = tmp_path_factory.mktemp("harvest") / "out"
    shutil.copytree(built.manifest_path.parent, out)
    return out


@pytest.fixture(scope="module")
def server(served: Path) -> Iterator[ServeProcess]:
    """``hamar-graph serve`` over the build: no --base-iri, no public URL."""
    process = ServeProcess(
        "--workers", "1", "--query-workers", "1", env={"HAMAR_GRAPH_OUT_DIR": str(served)}
    )
    process.env.pop("HAMAR_GRAPH_BASE_IRI", None)
    process.env.pop("HAMAR_GRAPH_PUBLIC_URL", None)
    with process:
        yield process


@pytest.fixture(scope="module")
def manifest(served: Path) -> dict[str, dict[str, object]]:
    """The build's manifest: file name → size and checksums."""
    files = json.loads((served / MANIFEST).read_text(encoding="utf-8"))["files"]
    return {str(f["name"]): f for f in files}


def harvest_catalog(server: ServeProcess, path: str) -> tuple[Graph, dict[str, str]]:
    status, headers, body = http(f"{server.url}{path}", headers={"Accept": "text/turtle"})
    assert status == 200, body[:500]
    assert headers["Content-Type"].startswith("text/turtle")
    return Graph().parse(data=body, format="turtle"), headers


def stated(catalog: Graph) -> list[Stated]:
    out = []
    for dist in catalog.subjects(RDF.type, DCAT.Distribution):
        compress = catalog.value(dist, DCAT.compressFormat)
        media = compress if compress is not None else catalog.value(dist, DCAT.mediaType)
        checksum = catalog.value(dist, URIRef(SPDX + "checksum"))
        url = str(catalog.value(dist, DCAT.downloadURL))
        assert str(catalog.value(dist, DCAT.accessURL)) == url
        out.append(
            Stated(
                iri=str(dist),
                url=url,
                media_type=str(media).removeprefix(IANA),
                size=int(float(str(catalog.value(dist, DCAT.byteSize)))),
                algorithm=str(catalog.value(checksum, URIRef(SPDX + "algorithm"))).rsplit("_")[-1],
                checksum=str(catalog.value(checksum, URIRef(SPDX + "checksumValue"))),
            )
        )
    return sorted(out, key=lambda s: s.url)


def check_downloads(
    server: ServeProcess, distributions: list[Stated], manifest: dict[str, dict[str, object]]
) -> dict[str, str]:
    """Download every distribution; return the ETag of each URL."""
    etags = {}
    assert {d.url.rsplit("/", 1)[-1] for d in distributions} == set(manifest)
    for d in distributions:
        # a location on the server asked, an identifier under the base IRI
        assert d.url.startswith(f"{server.url}/download/"), d.url
        assert d.iri.startswith(f"{BASE}catalog#distribution-"), d.iri
        status, headers, body = http(d.url)
        assert status == 200, d.url
        assert headers["Content-Type"].split(";")[0] == d.media_type, d.url
        assert "Content-Encoding" not in headers, d.url
        assert int(headers["Content-Length"]) == d.size == len(body), d.url
        digest = hashlib.new(d.algorithm, body).hexdigest()
        assert digest == d.checksum, d.url
        entry = manifest[d.url.rsplit("/", 1)[-1]]
        assert entry["size"] == d.size and entry[d.algorithm] == d.checksum, d.url
        etags[d.url] = headers["ETag"]
    return etags


# --- the harvester ----------------------------------------------------------------------


def test_harvest_dcat_ap_catalogue(
    server: ServeProcess, manifest: dict[str, dict[str, object]]
) -> None:
    catalog, headers = harvest_catalog(server, "/catalog")
    assert validate(catalog, *EU_MANDATORY) == []
    recommended = validate(catalog, *EU_RECOMMENDED)
    assert summary(recommended, "Warning") == Counter({(str(DCAT.centroid), HAMAR_AREA): 1})
    assert len(recommended) == 1
    with_vocabularies = Graph()
    for triple in catalog:
        with_vocabularies.add(triple)
    with_vocabularies.parse(EXCERPT)
    results = validate(with_vocabularies, *EU_VOCABULARIES, fix_spdx_pattern=True)
    assert [r for r in results if r.severity == "Violation"] == []
    assert {r.path for r in results} == {DCT + "publisher"}

    distributions = stated(catalog)
    assert len(distributions) == 16
    assert {d.algorithm for d in distributions} == {"sha256"}
    etags = check_downloads(server, distributions, manifest)
    assert (URIRef(BASE + "catalog"), RDF.type, DCAT.Catalog) in catalog
    endpoint = catalog.value(URIRef(BASE + "catalog#sparql"), DCAT.endpointURL)
    assert str(endpoint) == f"{server.url}/sparql"
    assert http(f"{endpoint}?query=ASK%7B%7D")[0] == 200

    # the second harvest: nothing but 304s
    for url, etag in [(f"{server.url}/catalog", headers["ETag"]), *etags.items()]:
        status, again, body = http(url, headers={"Accept": "text/turtle", "If-None-Match": etag})
        assert status == 304, url
        assert body == b""
        assert again["ETag"] == etag
    for url in etags:
        status, _, _ = http(url, headers={"If-Modified-Since": headers["Last-Modified"]})
        assert status == 304, url


def test_harvest_dcat_ap_no_catalogue(
    server: ServeProcess, manifest: dict[str, dict[str, object]]
) -> None:
    """data.norge.no registers /catalog/dcat-ap-no: SHA-1 checksums, xsd:decimal sizes."""
    catalog, headers = harvest_catalog(server, "/catalog/dcat-ap-no")
    results = validate(catalog, *NO_SHAPES)
    assert summary(results, "Warning") == Counter({(str(DCAT.themeTaxonomy), BASE + "catalog"): 1})
    assert len(results) == 1
    distributions = stated(catalog)
    assert {d.algorithm for d in distributions} == {"sha1"}
    check_downloads(server, distributions, manifest)
    status, _, _ = http(
        f"{server.url}/catalog/dcat-ap-no",
        headers={"Accept": "text/turtle", "If-None-Match": headers["ETag"]},
    )
    assert status == 304


def test_void_lists_dumps_and_an_endpoint_that_answer(server: ServeProcess) -> None:
    status, _headers, body = http(
        f"{server.url}/.well-known/void", headers={"Accept": "text/turtle"}
    )
    assert status == 200
    void = Graph().parse(data=body, format="turtle")
    dumps = {str(o) for o in void.objects(None, VOID.dataDump)}
    assert f"{server.url}/download/hamar-graph-{__version__}.ttl" in dumps
    for url in dumps:
        assert http(url, method="HEAD")[0] == 200, url
    endpoints = {str(o) for o in void.objects(None, VOID.sparqlEndpoint)}
    assert endpoints == {f"{server.url}/sparql"}
    assert str(void.value(URIRef(BASE + "catalog#hamar-graph"), VOID.uriSpace)) == BASE


# --- the careful reader: the downloaded shapes on the downloaded data --------------------


Result = tuple[str, str, str | None, str, str | None]


def _path(graph: Graph, node: Node) -> str:
    """A SHACL property path as text (``^p`` inverse, ``(p|q)`` alternative)."""
    if isinstance(node, URIRef):
        return str(node)
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path(graph, inverse)
    alternative = graph.value(node, SH.alternativePath)
    if alternative is not None:
        return "(" + "|".join(sorted(_path(graph, n) for n in Collection(graph, alternative))) + ")"
    raise AssertionError(f"unexpected path {node!r}")


def results(report: Graph) -> Counter[Result]:
    """Each result as (severity, focus node, path, constraint component, value)."""
    out: Counter[Result] = Counter()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        out[
            (
                str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                str(report.value(r, SH.focusNode)),
                None if path is None else _path(report, path),
                str(report.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
                None if value is None or isinstance(value, BNode) else value.n3(),
            )
        ] += 1
    return out


def download(server: ServeProcess, catalog: Graph, part: str) -> bytes:
    """The Turtle dump of one dataset of the catalogue, fetched from its download URL."""
    dataset = URIRef(BASE + "catalog#" + part)
    urls = [
        str(catalog.value(d, DCAT.downloadURL))
        for d in catalog.objects(dataset, DCAT.distribution)
        if str(catalog.value(d, DCAT.downloadURL)).endswith(".ttl")
    ]
    assert len(urls) == 1, urls
    assert urls[0].startswith(server.url + "/download/"), urls[0]
    status, _, body = http(urls[0])
    assert status == 200
    return body


@pytest.fixture(scope="module")
def cli_results() -> Counter[Result]:
    """``hamar-graph validate --format ttl``: the sources against the repository's shapes."""
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", "--format", "ttl"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    found = results(Graph().parse(data=done.stdout, format="turtle"))
    assert sum(found.values()) > 20  # the plan's gaps
    return found


@pytest.fixture(scope="module")
def files(server: ServeProcess) -> dict[str, bytes]:
    """The Turtle dumps as downloaded: the shapes, the data, the ontology, and everything."""
    catalog, _ = harvest_catalog(server, "/catalog")
    parts = {"shapes": "shapes", "data": "data", "ontology": "ontology", "all": "hamar-graph"}
    return {key: download(server, catalog, part) for key, part in parts.items()}


@pytest.fixture(scope="module")
def downloaded(files: dict[str, bytes]) -> dict[str, Graph]:
    return {key: Graph().parse(data=data, format="turtle") for key, data in files.items()}


def test_the_shapes_dump_keeps_shacl_paths(downloaded: dict[str, Graph]) -> None:
    """Blank nodes where SHACL needs them; no skolem IRI in the shapes."""
    shapes = downloaded["shapes"]
    paths = list(shapes.objects(None, SH.path))
    inverse = [p for p in paths if shapes.value(p, SH.inversePath) is not None]
    assert len(inverse) >= 7 and all(isinstance(p, BNode) for p in inverse)
    assert not [n for t in shapes for n in t if ".well-known/genid/" in str(n)]


def test_downloaded_shapes_validate_downloaded_data_as_the_cli_does(
    downloaded: dict[str, Graph], cli_results: Counter[Result]
) -> None:
    """pyshacl -s shapes -e ontology -i rdfs data, all three from the server's downloads."""
    conforms, report, _ = pyshacl.validate(
        downloaded["data"],
        shacl_graph=downloaded["shapes"],
        ont_graph=downloaded["ontology"],
        inference="rdfs",
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
    )
    assert conforms
    assert results(report) == cli_results


def test_downloaded_shapes_validate_the_complete_dump_as_the_cli_does(
    downloaded: dict[str, Graph], cli_results: Counter[Result]
) -> None:
    """The issue's case: the shapes dump on the complete dump, nothing else (49 false
    Violations before the shapes kept their blank nodes)."""
    conforms, report, _ = pyshacl.validate(
        downloaded["all"],
        shacl_graph=downloaded["shapes"],
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
    )
    assert conforms
    assert results(report) == cli_results


def test_the_cli_on_the_downloaded_data_agrees(
    files: dict[str, bytes], cli_results: Counter[Result], tmp_path: Path
) -> None:
    """``hamar-graph validate data.ttl`` on the file as downloaded: the same results."""
    path = tmp_path / f"hamar-graph-data-{__version__}.ttl"
    path.write_bytes(files["data"])
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "validate", "--format", "ttl", str(path)],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert results(Graph().parse(data=done.stdout, format="turtle")) == cli_results
