"""A harvester playing data.norge.no against a live server (``hamar-graph serve``).

It reads the catalogue, validates it with the official shapes, follows every
distribution's download URL, checks media type, byte size and checksum against
what the catalogue states, and harvests a second time with ``If-None-Match`` and
``If-Modified-Since``, expecting nothing but 304s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF

from hamar_graph import __version__
from hamar_graph.build.pipeline import build
from hamar_graph.config import PROJECT_ROOT, Settings
from tests.publication.test_catalog_shapes import (
    EU_MANDATORY,
    EU_RECOMMENDED,
    EU_VOCABULARIES,
    EXCERPT,
    NO_SHAPES,
    validate,
)
from tests.support.sparql import ServeProcess, http

pytestmark = pytest.mark.server

IANA = "https://www.iana.org/assignments/media-types/"
SPDX = "http://spdx.org/rdf/terms#"


@dataclass(frozen=True)
class Stated:
    """What the catalogue states about one distribution."""

    url: str
    media_type: str
    size: int
    algorithm: str
    checksum: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """``build`` with a base IRI on this very host and port, then ``hamar-graph serve``
    over its output (persistent store and publication)."""
    out: Path = tmp_path_factory.mktemp("harvest")
    process = ServeProcess(
        env={
            "HAMAR_GRAPH_OUT_DIR": str(out),
        }
    )
    base = f"{process.url}/"
    build(Settings(source_dir=PROJECT_ROOT, out_dir=out, base_iri=base))
    assert (out / "publication.json").is_file() and (out / "store").is_dir()
    process.command += ["--base-iri", base, "--workers", "1", "--query-workers", "1"]
    with process:
        yield process


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
        out.append(
            Stated(
                url=str(catalog.value(dist, DCAT.downloadURL)),
                media_type=str(media).removeprefix(IANA),
                size=int(float(str(catalog.value(dist, DCAT.byteSize)))),
                algorithm=str(catalog.value(checksum, URIRef(SPDX + "algorithm"))).rsplit("_")[-1],
                checksum=str(catalog.value(checksum, URIRef(SPDX + "checksumValue"))),
            )
        )
    return sorted(out, key=lambda s: s.url)


def check_downloads(server: ServeProcess, distributions: list[Stated]) -> dict[str, str]:
    """Download every distribution; return the ETag of each URL."""
    etags = {}
    for d in distributions:
        assert d.url.startswith(f"{server.url}/download/"), d.url
        status, headers, body = http(d.url)
        assert status == 200, d.url
        assert headers["Content-Type"].split(";")[0] == d.media_type, d.url
        assert "Content-Encoding" not in headers, d.url
        assert int(headers["Content-Length"]) == d.size == len(body), d.url
        digest = hashlib.new(d.algorithm, body).hexdigest()
        assert digest == d.checksum, d.url
        etags[d.url] = headers["ETag"]
    return etags


def test_harvest_dcat_ap_catalogue(server: ServeProcess) -> None:
    catalog, headers = harvest_catalog(server, "/catalog")
    assert validate(catalog, *EU_MANDATORY) == []
    assert all(r.severity == "Warning" for r in validate(catalog, *EU_RECOMMENDED))
    with_vocabularies = Graph()
    for triple in catalog:
        with_vocabularies.add(triple)
    with_vocabularies.parse(EXCERPT)
    results = validate(with_vocabularies, *EU_VOCABULARIES, fix_spdx_pattern=True)
    assert [r for r in results if r.severity == "Violation"] == []

    distributions = stated(catalog)
    assert len(distributions) == 16
    assert {d.algorithm for d in distributions} == {"sha256"}
    etags = check_downloads(server, distributions)

    # the second harvest: nothing but 304s
    for url, etag in [(f"{server.url}/catalog", headers["ETag"]), *etags.items()]:
        status, again, body = http(url, headers={"Accept": "text/turtle", "If-None-Match": etag})
        assert status == 304, url
        assert body == b""
        assert again["ETag"] == etag
    for url in etags:
        status, _, _ = http(url, headers={"If-Modified-Since": headers["Last-Modified"]})
        assert status == 304, url


def test_harvest_dcat_ap_no_catalogue(server: ServeProcess) -> None:
    """data.norge.no registers /catalog/dcat-ap-no: SHA-1 checksums, xsd:decimal sizes."""
    catalog, headers = harvest_catalog(server, "/catalog/dcat-ap-no")
    results = validate(catalog, *NO_SHAPES)
    assert [r for r in results if r.severity == "Violation"] == []
    distributions = stated(catalog)
    assert {d.algorithm for d in distributions} == {"sha1"}
    check_downloads(server, distributions)
    status, _, _ = http(
        f"{server.url}/catalog/dcat-ap-no",
        headers={"Accept": "text/turtle", "If-None-Match": headers["ETag"]},
    )
    assert status == 304


def test_void_lists_dumps_that_download(server: ServeProcess) -> None:
    status, _headers, body = http(
        f"{server.url}/.well-known/void", headers={"Accept": "text/turtle"}
    )
    assert status == 200
    void = Graph().parse(data=body, format="turtle")
    dumps = {str(o) for o in void.objects(None, URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert f"{server.url}/download/hamar-graph-{__version__}.ttl" in dumps
    for url in dumps:
        assert http(url, method="HEAD")[0] == 200, url
