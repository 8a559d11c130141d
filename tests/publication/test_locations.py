"""Locations and identifiers (issue 14, item 5): the catalogue's and VoID's download, access
and endpoint URLs are where the server runs (or ``HAMAR_GRAPH_PUBLIC_URL``), while every
identifier keeps the base IRI; sizes and checksums are those of the manifest; entity tags
differ when the answer does."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, VOID

from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.publication.locations import (
    LOCATION_PROPERTIES,
    locations,
    relocate,
    served_public_url,
)
from hamar_graph.publication.publish import MANIFEST, Publication, make_publication
from hamar_graph.rdf.serialize import serialize_description
from hamar_graph.store.base import Store
from web import create_app

BASE = "https://data.hamar.kommune.no/"
SPDX = "http://spdx.org/rdf/terms#"
LOCAL = "http://localhost/"
ELSEWHERE = "https://lod.example.org/hamar/"


@pytest.fixture(scope="module")
def pub_app(published: Publication, store: Store) -> Flask:
    assert published.directory is not None
    app = create_app({"out_dir": published.directory}, store=store)
    app.config["TESTING"] = True
    return app


@pytest.fixture(scope="module")
def public_app(published: Publication, store: Store) -> Flask:
    """An app whose deployment says where it is served (``HAMAR_GRAPH_PUBLIC_URL``)."""
    assert published.directory is not None
    app = create_app({"out_dir": published.directory, "public_url": ELSEWHERE}, store=store)
    app.config["TESTING"] = True
    return app


def parse(data: bytes) -> Graph:
    return Graph().parse(data=data, format="turtle")


def identifiers(graph: Graph) -> Graph:
    """``graph`` without the triples that name a location."""
    moved = locations(graph, "")
    out = Graph()
    for s, p, o in graph:
        if s not in moved and o not in moved:
            out.add((s, p, o))
    return out


def stated(catalog: Graph) -> dict[str, tuple[int, str]]:
    """download URL → (byte size, checksum value), as the catalogue states them."""
    out = {}
    for dist, url in catalog.subject_objects(DCAT.downloadURL):
        checksum = catalog.value(dist, URIRef(SPDX + "checksum"))
        value = catalog.value(checksum, URIRef(SPDX + "checksumValue"))
        size = catalog.value(dist, DCAT.byteSize)
        out[str(url)] = (int(float(str(size))), str(value))
    return out


# --- the rule -------------------------------------------------------------------------------


def test_served_public_url_follows_the_setting_then_the_request() -> None:
    settings = Settings(source_dir=PROJECT_ROOT)
    assert served_public_url(settings, "http://127.0.0.1:5000/") == "http://127.0.0.1:5000/"
    assert served_public_url(settings, "http://127.0.0.1:5000") == "http://127.0.0.1:5000/"
    # the base IRI's own host keeps the base IRI (its https:// behind a TLS proxy)
    assert served_public_url(settings, "http://data.hamar.kommune.no/") == BASE
    configured = settings.replace(public_url=ELSEWHERE)
    assert served_public_url(configured, "http://evil.example/") == ELSEWHERE


@pytest.mark.parametrize(
    "url",
    ["lod.example.org/", "https://lod.example.org/x", "ftp://lod.example.org/", "https://x/?a=1/"],
)
def test_public_url_must_be_an_absolute_http_url_ending_with_a_slash(url: str) -> None:
    with pytest.raises(ValueError, match="HAMAR_GRAPH_PUBLIC_URL"):
        Settings.from_env({"HAMAR_GRAPH_PUBLIC_URL": url})
    assert Settings.from_env({"HAMAR_GRAPH_PUBLIC_URL": ELSEWHERE}).public_url == ELSEWHERE


@pytest.mark.parametrize("key", ["dcat-ap", "dcat-ap-no", "void"])
def test_relocate_moves_locations_and_nothing_else(published: Publication, key: str) -> None:
    graph = published.void if key == "void" else published.catalogs[key]
    moved = relocate(graph, BASE, ELSEWHERE)
    assert len(moved) == len(graph)
    assert locations(moved, BASE) == set()
    assert {str(n).replace(ELSEWHERE, BASE) for n in locations(moved, ELSEWHERE)} == {
        str(n) for n in locations(graph, BASE)
    }
    # identifiers (catalogue, datasets, distributions, service, partitions) stay under the base
    assert isomorphic(identifiers(moved), identifiers(graph))
    assert any(str(s).startswith(BASE + "catalog#") for s in identifiers(moved).subjects())
    assert isomorphic(relocate(moved, ELSEWHERE, BASE), graph)
    assert relocate(graph, BASE, BASE) is graph


def test_every_location_property_is_used_and_lies_under_the_base(published: Publication) -> None:
    used = {
        p
        for graph in (*published.catalogs.values(), published.void)
        for p in LOCATION_PROPERTIES
        if list(graph.objects(None, p))
    }
    assert used == set(LOCATION_PROPERTIES)
    # every location on this deployment is under the base IRI in the files written by default;
    # the only others are the home pages of the datasets VoID links to (Wikidata, GeoNames)
    others = {
        str(o)
        for graph in (*published.catalogs.values(), published.void)
        for p in LOCATION_PROPERTIES
        for o in graph.objects(None, p)
        if not str(o).startswith(BASE)
    }
    assert others == {"https://www.wikidata.org/", "https://www.geonames.org/"}


# --- served by the app ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "profile"), [("/catalog", "dcat-ap"), ("/catalog/dcat-ap-no", "dcat-ap-no")]
)
def test_catalogue_on_another_host_gives_that_hosts_download_urls(
    pub_app: Flask, published: Publication, path: str, profile: str
) -> None:
    response = pub_app.test_client().get(path + ".ttl")
    assert response.status_code == 200
    served = parse(response.data)
    written = published.catalogs[profile]
    assert isomorphic(served, relocate(written, BASE, LOCAL))
    urls = {str(o) for o in served.objects(None, DCAT.downloadURL)}
    assert urls == {f"{LOCAL}download/{f.name}" for f in published.files}
    assert {str(o) for o in served.objects(None, DCAT.accessURL)} == urls
    assert {str(o) for o in served.objects(None, DCAT.endpointURL)} == {LOCAL + "sparql"}
    # the identifiers are the base IRI's
    assert URIRef(BASE + "catalog") in set(served.subjects())
    assert all(str(d).startswith(BASE + "catalog#") for d in served.subjects(DCAT.downloadURL))


@pytest.mark.parametrize("profile", ["dcat-ap", "dcat-ap-no"])
def test_served_catalogue_agrees_with_the_manifest(
    pub_app: Flask, published: Publication, profile: str
) -> None:
    assert published.directory is not None
    manifest = json.loads((published.directory / MANIFEST).read_text(encoding="utf-8"))
    field = "sha256" if profile == "dcat-ap" else "sha1"
    expected = {f"{LOCAL}download/{f['name']}": (f["size"], f[field]) for f in manifest["files"]}
    path = "/catalog.ttl" if profile == "dcat-ap" else "/catalog/dcat-ap-no.ttl"
    assert stated(parse(pub_app.test_client().get(path).data)) == expected
    file_name = "catalog.ttl" if profile == "dcat-ap" else "catalog-dcat-ap-no.ttl"
    in_file = stated(parse((published.directory / file_name).read_bytes()))
    assert {url.replace(BASE, LOCAL): facts for url, facts in in_file.items()} == expected


def test_void_on_another_host_gives_that_hosts_dumps_and_endpoint(
    pub_app: Flask, published: Publication
) -> None:
    served = parse(pub_app.test_client().get("/.well-known/void.ttl").data)
    assert isomorphic(served, relocate(published.void, BASE, LOCAL))
    dumps = {str(o) for o in served.objects(None, VOID.dataDump)}
    assert dumps and all(d.startswith(LOCAL + "download/") for d in dumps)
    assert {str(o) for o in served.objects(None, VOID.sparqlEndpoint)} == {LOCAL + "sparql"}
    assert str(served.value(URIRef(BASE + "catalog#hamar-graph"), VOID.uriSpace)) == BASE


def test_the_configured_public_url_wins_over_the_host(
    public_app: Flask, published: Publication
) -> None:
    client = public_app.test_client()
    first = client.get("/catalog.ttl")
    second = client.get("/catalog.ttl", base_url="http://attacker.example")
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    served = parse(first.data)
    assert {str(o) for o in served.objects(None, DCAT.downloadURL)} == {
        f"{ELSEWHERE}download/{f.name}" for f in published.files
    }
    robots = client.get("/robots.txt", base_url="http://attacker.example").get_data(as_text=True)
    assert f"Sitemap: {ELSEWHERE}sitemap.xml" in robots.splitlines()
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert all(
        str(u.findtext("s:loc", namespaces=ns)).startswith(ELSEWHERE)
        for u in sitemap.findall("s:url", ns)
    )


def test_entity_tags_differ_when_the_download_urls_do(pub_app: Flask) -> None:
    client = pub_app.test_client()
    here = client.get("/catalog.ttl")
    canonical = client.get("/catalog.ttl", base_url=BASE)
    assert here.data != canonical.data
    assert here.headers["ETag"] != canonical.headers["ETag"]
    # each tag validates its own answer and not the other's
    again = client.get("/catalog.ttl", headers={"If-None-Match": here.headers["ETag"]})
    assert again.status_code == 304
    crossed = client.get(
        "/catalog.ttl", base_url=BASE, headers={"If-None-Match": here.headers["ETag"]}
    )
    assert crossed.status_code == 200 and crossed.data == canonical.data
    # the canonical host's tag is the data's tag, as before
    assert here.headers["ETag"].startswith(canonical.headers["ETag"][:-1])
    for path in ("/.well-known/void.ttl", "/sitemap.xml", "/robots.txt"):
        assert (
            client.get(path).headers["ETag"] != client.get(path, base_url=BASE).headers["ETag"]
        ), path


def test_catalogue_page_links_downloads_on_this_host(
    pub_app: Flask, published: Publication
) -> None:
    for base_url in (LOCAL, BASE):
        html = pub_app.test_client().get("/catalog.html", base_url=base_url).get_data(as_text=True)
        for f in published.files:
            assert f'href="/download/{f.name}"' in html, (base_url, f.name)
        assert 'href="/sparql"' in html


# --- written by build -----------------------------------------------------------------------


def test_a_publication_for_a_public_url_states_it_and_keeps_the_identifiers(
    dataset: object, published: Publication
) -> None:
    settings = Settings(source_dir=PROJECT_ROOT, public_url=ELSEWHERE)
    pub = make_publication(dataset, settings)  # type: ignore[arg-type]
    assert pub.meta.public_url == ELSEWHERE and pub.meta.base_iri == BASE
    for key, graph in pub.catalogs.items():
        assert isomorphic(graph, relocate(published.catalogs[key], BASE, ELSEWHERE)), key
        urls = {str(o) for o in graph.objects(None, DCAT.downloadURL)}
        assert urls == {f"{ELSEWHERE}download/{f.name}" for f in pub.files}
    assert isomorphic(pub.void, relocate(published.void, BASE, ELSEWHERE))
    # the dumps are the same bytes: only the description of where they are changes
    assert [(f.name, f.sha256) for f in pub.files] == [(f.name, f.sha256) for f in published.files]


def test_the_manifest_records_where_the_files_are(published: Publication) -> None:
    assert published.directory is not None
    manifest = json.loads((published.directory / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["meta"]["public_url"] == BASE
    assert published.meta.location == BASE


def test_a_manifest_without_public_url_means_the_base(built_copy: Path) -> None:
    from hamar_graph.publication.publish import load_publication

    path = built_copy / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["meta"]["public_url"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    pub = load_publication(Settings(source_dir=PROJECT_ROOT, out_dir=built_copy))
    assert pub is not None and pub.meta.location == BASE
    catalog = pub.located("dcat-ap", LOCAL)
    assert all(str(o).startswith(LOCAL) for o in catalog.objects(None, DCAT.downloadURL))
    assert (
        serialize_description(pub.located("dcat-ap", BASE), "ttl")
        == (built_copy / "catalog.ttl").read_bytes()
    )


def test_relocated_graphs_are_kept_for_a_few_urls_only(published: Publication) -> None:
    from hamar_graph.publication.publish import LOCATED_CACHE

    first = published.located("dcat-ap", LOCAL)
    assert published.located("dcat-ap", LOCAL) is first
    for i in range(3 * LOCATED_CACHE):
        published.located("void", f"http://host-{i}.example/")
    assert len(published._located) <= LOCATED_CACHE
    assert Literal(BASE) in set(published.located("void", LOCAL).objects(None, VOID.uriSpace))
