"""The DCAT catalogue: what it says about the catalogue, datasets, distributions and
service, read from the data; and /catalog in every format, the sitemap and robots.txt."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from hamar_graph.namespaces import sparql_prologue
from hamar_graph.publication.publish import Publication
from hamar_graph.rdf.serialize import serialize_description
from hamar_graph.store.base import Store
from web import create_app

BASE = "https://data.hamar.kommune.no/"
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
CAT = URIRef(BASE + "catalog")
PUBLISHER = URIRef(
    "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/970540008"
)
#: Hamar municipality's area in GeoNames (data/README.md: verified; 6453351 is the
#: second-order division 3403, the town is 3154084).
HAMAR_AREA = URIRef("https://sws.geonames.org/6453351/")
GSP_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
DCATAP_AVAILABILITY = URIRef("http://data.europa.eu/r5r/availability")
PARTS = {"hamar-graph": "all", "data": "data", "ontology": "ontology", "shapes": "shapes"}


@pytest.fixture(scope="module")
def cat(published: Publication) -> Graph:
    return published.catalogs["dcat-ap"]


def one(graph: Graph, s: URIRef, p: URIRef) -> object:
    values = list(graph.objects(s, p))
    assert len(values) == 1, (s, p, values)
    return values[0]


def test_catalogue_properties(cat: Graph, published: Publication) -> None:
    assert (CAT, RDF.type, DCAT.Catalog) in cat
    assert {lit.language for lit in cat.objects(CAT, DCTERMS.title)} == {"nb", "en"}
    assert {lit.language for lit in cat.objects(CAT, DCTERMS.description)} == {"nb", "en"}
    assert one(cat, CAT, DCTERMS.publisher) == PUBLISHER
    assert one(cat, CAT, DCTERMS.license) == URIRef(EU + "licence/NLOD_2_0")
    assert set(cat.objects(CAT, DCTERMS.language)) == {
        URIRef(EU + "language/NOB"),
        URIRef(EU + "language/ENG"),
    }
    assert one(cat, CAT, DCAT.themeTaxonomy) == URIRef(EU + "data-theme")
    assert one(cat, CAT, DCTERMS.spatial) == HAMAR_AREA
    assert one(cat, CAT, DCTERMS.identifier) == Literal(str(CAT))
    assert one(cat, CAT, FOAF.homepage) == URIRef(BASE)
    modified = one(cat, CAT, DCTERMS.modified)
    assert modified == Literal(published.meta.modified.isoformat(), datatype=XSD.date)
    assert one(cat, CAT, DCTERMS.issued) == Literal(
        published.meta.issued.isoformat(), datatype=XSD.date
    )


def test_spatial_coverage_is_hamar_municipality_as_the_data_describes_it(
    cat: Graph, store: Store
) -> None:
    """GeoNames' Hamar municipality, with the bounding box and labels the data states for
    id:sted/hamar-kommune; no Geonorge IRI (no stored source verifies one), no centroid."""
    area = URIRef(BASE + "id/sted/hamar-kommune")
    rows = store.select(
        sparql_prologue()
        + "SELECT ?area ?same ?bbox WHERE { ?area owl:sameAs ?same ; dcat:bbox ?bbox "
        "FILTER(STRSTARTS(STR(?same), 'https://sws.geonames.org/')) }",
        {"area": area},
    )
    assert [(r["same"], r["bbox"]) for r in rows] == [(HAMAR_AREA, one(cat, HAMAR_AREA, DCAT.bbox))]
    bbox = one(cat, HAMAR_AREA, DCAT.bbox)
    assert isinstance(bbox, Literal) and bbox.datatype == GSP_WKT
    assert str(bbox).startswith("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POLYGON((10.98")
    assert (HAMAR_AREA, RDF.type, DCTERMS.Location) in cat
    assert one(cat, HAMAR_AREA, SKOS.inScheme) == URIRef("https://sws.geonames.org")
    labels = {str(label) for label in cat.objects(HAMAR_AREA, SKOS.prefLabel)}
    assert labels == {str(label) for label in store_labels(store, area)}
    assert not list(cat.objects(HAMAR_AREA, DCAT.centroid))
    assert not [o for o in cat.objects() if "geonorge" in str(o)]


def store_labels(store: Store, iri: URIRef) -> list[object]:
    rows = store.select(
        sparql_prologue() + "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l }", {"s": iri}
    )
    return [r["l"] for r in rows]


def test_temporal_coverage_is_the_action_plan_period(cat: Graph) -> None:
    period = one(cat, CAT, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in cat
    assert one(cat, period, DCAT.startDate) == Literal("2015-01-01", datatype=XSD.date)
    assert one(cat, period, DCAT.endDate) == Literal("2019-12-31", datatype=XSD.date)


def test_publisher_and_contact_point(cat: Graph) -> None:
    assert (PUBLISHER, RDF.type, FOAF.Agent) in cat
    assert {str(n) for n in cat.objects(PUBLISHER, FOAF.name)} == {
        "Hamar kommune",
        "Hamar Municipality",
    }
    assert one(cat, PUBLISHER, DCTERMS.identifier) == Literal("970540008")
    contact = one(cat, CAT, DCAT.contactPoint)
    assert (contact, RDF.type, URIRef(VCARD + "Organization")) in cat
    assert one(cat, contact, URIRef(VCARD + "hasEmail")) == URIRef(
        "mailto:postmottak@hamar.kommune.no"
    )
    assert one(cat, contact, URIRef(VCARD + "hasURL")) == URIRef("https://www.hamar.kommune.no/")


@pytest.mark.parametrize("fragment", sorted(PARTS))
def test_each_dataset_has_the_mandatory_and_recommended_properties(
    cat: Graph, published: Publication, fragment: str
) -> None:
    ds = URIRef(BASE + "catalog#" + fragment)
    assert (CAT, DCAT.dataset, ds) in cat
    assert (ds, RDF.type, DCAT.Dataset) in cat
    for p in (DCTERMS.title, DCTERMS.description):
        assert {lit.language for lit in cat.objects(ds, p)} == {"nb", "en"}, p
    assert one(cat, ds, DCTERMS.identifier) == Literal(str(ds))
    assert one(cat, ds, DCTERMS.publisher) == PUBLISHER
    assert set(cat.objects(ds, DCAT.theme)) == {
        URIRef(EU + "data-theme/GOVE"),
        URIRef(EU + "data-theme/INTR"),
    }
    assert one(cat, ds, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")
    assert one(cat, ds, DCTERMS.spatial) == HAMAR_AREA
    assert one(cat, ds, DCTERMS.temporal) == one(cat, CAT, DCTERMS.temporal)
    assert one(cat, ds, DCAT.contactPoint) == one(cat, CAT, DCAT.contactPoint)
    keywords = set(cat.objects(ds, DCAT.keyword))
    assert Literal("Vennskapsbysamarbeid", lang="nb") in keywords  # an axis, from the data
    files = {f.name for f in published.files if f.part == PARTS[fragment]}
    distributions = set(cat.objects(ds, DCAT.distribution))
    assert {str(one(cat, d, DCAT.downloadURL)).rsplit("/", 1)[-1] for d in distributions} == files


def test_parts_titles_come_from_their_source_headers(cat: Graph) -> None:
    ontology = URIRef(BASE + "catalog#ontology")
    assert Literal("Ontology for Hamar kommune's international strategy", lang="en") in set(
        cat.objects(ontology, DCTERMS.title)
    )
    assert (URIRef(BASE + "catalog#data"), DCTERMS.conformsTo, URIRef(BASE + "def/hamar")) in cat


def test_one_distribution_per_file_with_what_a_harvester_checks(
    cat: Graph, published: Publication
) -> None:
    distributions = set(cat.subjects(RDF.type, DCAT.Distribution))
    assert len(distributions) == len(published.files)
    by_url = {str(one(cat, d, DCAT.downloadURL)): d for d in distributions}
    for f in published.files:
        d = by_url[BASE + "download/" + f.name]
        assert one(cat, d, DCAT.accessURL) == URIRef(BASE + "download/" + f.name)
        assert one(cat, d, DCAT.mediaType) == URIRef(IANA + f.media_type)
        assert one(cat, d, DCTERMS.format) == URIRef(EU + "file-type/" + f.eu_file_type)
        size = one(cat, d, DCAT.byteSize)
        assert size == Literal(str(f.size), datatype=XSD.nonNegativeInteger)
        checksum = one(cat, d, URIRef(SPDX + "checksum"))
        assert one(cat, checksum, URIRef(SPDX + "algorithm")) == URIRef(
            SPDX + "checksumAlgorithm_sha256"
        )
        assert one(cat, checksum, URIRef(SPDX + "checksumValue")) == Literal(
            f.sha256, datatype=XSD.hexBinary
        )
        assert one(cat, d, DCTERMS.license) == URIRef(EU + "licence/NLOD_2_0")
        assert one(cat, d, DCATAP_AVAILABILITY) == URIRef(EU + "planned-availability/AVAILABLE")
        gz = list(cat.objects(d, DCAT.compressFormat))
        assert gz == ([URIRef(IANA + "application/gzip")] if f.compressed else [])


def test_dcat_ap_no_profile_uses_sha1_and_decimal_sizes(published: Publication) -> None:
    no = published.catalogs["dcat-ap-no"]
    by_url = {str(o): s for s, o in no.subject_objects(DCAT.downloadURL)}
    for f in published.files:
        d = by_url[BASE + "download/" + f.name]
        assert float(one(no, d, DCAT.byteSize)) == f.size  # type: ignore[arg-type]
        assert one(no, d, DCAT.byteSize).datatype == XSD.decimal  # type: ignore[attr-defined]
        checksum = one(no, d, URIRef(SPDX + "checksum"))
        assert one(no, checksum, URIRef(SPDX + "algorithm")) == URIRef(
            SPDX + "checksumAlgorithm_sha1"
        )
        assert str(one(no, checksum, URIRef(SPDX + "checksumValue"))) == f.sha1


def test_sparql_data_service(cat: Graph) -> None:
    service = one(cat, CAT, DCAT.service)
    assert (service, RDF.type, DCAT.DataService) in cat
    assert one(cat, service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert one(cat, service, DCAT.endpointDescription) == URIRef(BASE + "sparql")
    assert set(cat.objects(service, DCAT.servesDataset)) == {
        URIRef(BASE + "catalog#" + f) for f in PARTS
    }
    assert one(cat, service, DCTERMS.conformsTo) == URIRef(
        "https://www.w3.org/TR/sparql11-protocol/"
    )
    assert one(cat, service, DCTERMS.license) == URIRef(EU + "licence/NLOD_2_0")


def test_controlled_terms_are_described_with_labels(cat: Graph) -> None:
    for term in (EU + "language/NOB", EU + "data-theme/INTR", EU + "licence/NLOD_2_0"):
        labels = {lit.language for lit in cat.objects(URIRef(term), SKOS.prefLabel)}
        assert {"nb", "en"} <= labels, term


# --- /catalog on the web -----------------------------------------------------------------


@pytest.fixture(scope="module")
def pub_app(published: Publication, store: Store) -> Flask:
    assert published.directory is not None
    return create_app({"out_dir": published.directory}, store=store)


def _parse(data: bytes, fmt: str) -> Graph:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=data, format=fmt)


@pytest.mark.parametrize(
    ("accept", "rdflib_format", "suffix"),
    [
        ("text/turtle", "turtle", ".ttl"),
        ("application/ld+json", "json-ld", ".jsonld"),
        ("application/rdf+xml", "xml", ".rdf"),
    ],
)
@pytest.mark.parametrize(
    ("path", "profile"), [("/catalog", "dcat-ap"), ("/catalog/dcat-ap-no", "dcat-ap-no")]
)
def test_catalog_in_rdf_formats(
    pub_app: Flask,
    published: Publication,
    path: str,
    profile: str,
    accept: str,
    rdflib_format: str,
    suffix: str,
) -> None:
    client = pub_app.test_client()
    # on the base IRI's host, the served catalogue is the one written
    response = client.get(path, headers={"Accept": accept}, base_url=BASE)
    assert response.status_code == 200
    assert response.mimetype == accept
    assert response.headers["Content-Location"] == path + suffix
    assert "Accept" in response.vary
    assert isomorphic(_parse(response.data, rdflib_format), published.catalogs[profile])
    document = client.get(path + suffix, base_url=BASE)
    assert document.status_code == 200 and document.data == response.data


def test_catalog_html_is_a_readable_page(pub_app: Flask, published: Publication) -> None:
    client = pub_app.test_client()
    response = client.get("/catalog", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="nb">' in html
    assert "<h1>Hamar kommunes datakatalog</h1>" in html
    for f in published.files:
        assert f'href="/download/{f.name}"' in html
        assert f.sha256 in html
    assert 'href="/catalog/dcat-ap-no' in html
    assert 'href="/.well-known/void' in html
    english = client.get("/catalog?lang=en").get_data(as_text=True)
    assert "<h1>Hamar kommune&#39;s data catalogue</h1>" in english
    no = client.get("/catalog/dcat-ap-no.html").get_data(as_text=True)
    assert published.files[0].sha1 in no


def test_catalog_refuses_unknown_formats(pub_app: Flask) -> None:
    client = pub_app.test_client()
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/catalog?format=pdf").status_code == 400
    assert client.get("/catalog.pdf").status_code == 404


def test_catalog_served_is_the_catalog_written(pub_app: Flask, published: Publication) -> None:
    assert published.directory is not None
    written = (published.directory / "catalog.ttl").read_bytes()
    served = pub_app.test_client().get("/catalog.ttl", base_url=BASE).data
    assert served == written == serialize_description(published.catalogs["dcat-ap"], "ttl")


# --- discovery -----------------------------------------------------------------------------


def test_sitemap_lists_every_resource_page(pub_app: Flask, store: Store) -> None:
    client = pub_app.test_client()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    paths = {str(loc).removeprefix("http://localhost") for loc in locs}
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    things = {str(r["s"])[len(BASE) - 1 :] for r in rows if str(r["s"]).startswith(BASE + "id/")}
    assert things <= paths
    assert {"/", "/catalog", "/id/", "/def/hamar", "/id/akse/"} <= paths
    modified = {u.findtext("s:lastmod", namespaces=ns) for u in root.findall("s:url", ns)}
    assert len(modified) == 1


def test_every_sitemap_page_exists(pub_app: Flask) -> None:
    client = pub_app.test_client()
    root = ET.fromstring(client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    for url in root.findall("s:url", ns):
        path = str(url.findtext("s:loc", namespaces=ns)).removeprefix("http://localhost")
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 200, path
        assert response.mimetype == "text/html", path


def test_robots_txt_points_to_the_sitemap(pub_app: Flask) -> None:
    response = pub_app.test_client().get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /sparql" in lines


_SERIALISE = """
import hashlib, sys
from rdflib import Graph
from hamar_graph.rdf.serialize import serialize_description
graph = Graph().parse(sys.argv[1], format="turtle")
print(" ".join(hashlib.sha256(serialize_description(graph, k)).hexdigest() for k in sys.argv[2:]))
"""


FORMATS = ("ttl", "jsonld", "rdf", "nt")


@pytest.mark.parametrize("name", ["catalog.ttl", "void.ttl"])
def test_descriptions_serialise_to_the_same_bytes_whatever_the_hash_seed(
    published: Publication, name: str
) -> None:
    assert published.directory is not None
    outputs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", _SERIALISE, str(published.directory / name), *FORMATS],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
