"""The catalogue against the official DCAT-AP-NO 2.00 and EU DCAT-AP 3.0.1 shapes.

The shapes are byte-exact copies in tests/data/dcat-shapes/ (provenance in its README).
Each catalogue profile must have no Violation under its own shape sets, and only the
Warnings listed here (each explained in tests/data/dcat-shapes/README.md).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS

from hamar_graph.publication.publish import Publication
from hamar_graph.publication.vocabulary import TERMS
from hamar_graph.rdf.serialize import serialize_description
from tests.support.paths import TEST_DATA

SHAPES = TEST_DATA / "dcat-shapes"
NO_SHAPES = ("dcat-ap-no-2.00/DCAT-AP-NO-shacl_shapes_2.00.ttl",)
EU_MANDATORY = ("dcat-ap-3.0.1/dcat-ap-SHACL.ttl", "dcat-ap-3.0.1/ranges.ttl")
EU_RECOMMENDED = ("dcat-ap-3.0.1/shapes_recommended.ttl",)
EU_VOCABULARIES = ("dcat-ap-3.0.1/mdr-vocabularies.shape.ttl",)
EXCERPT = SHAPES / "eu-vocabulary-excerpt.ttl"

#: sha256 of every copied shapes file, as tests/data/dcat-shapes/README.md lists them.
SHA256 = {
    "dcat-ap-no-2.00/DCAT-AP-NO-shacl_shapes_2.00.ttl": (
        "230384590db1c38b7736e099f3a15c17fdd96d0f199e675a16a2fbc898a272ac"
    ),
    "dcat-ap-no-2.00/ontologies.ttl": (
        "5c257102926b032fc4cf82e917156ca382e7a1b66a39c323525a639bb732d580"
    ),
    "dcat-ap-3.0.1/dcat-ap-SHACL.ttl": (
        "990d3e42721de6a4be8cc338a7171559f195e62dea89c0b56531356b78cc026f"
    ),
    "dcat-ap-3.0.1/ranges.ttl": "a6eed0fae8d0f5ca977fe2098ca12081ac60b0efe1ddce802d5c08e49505ebcc",
    "dcat-ap-3.0.1/mdr-vocabularies.shape.ttl": (
        "2362f83971766a15cc20b2b54420022dc10547dd2c483da02080847c61b4b45a"
    ),
    "dcat-ap-3.0.1/shapes_recommended.ttl": (
        "9afbf23f1f56d10d6839259684934137e20506a9aedce0249b619bbc593b9abd"
    ),
}

#: The known bug in mdr-vocabularies.shape.ttl: SPDX terms are http://spdx.org/rdf/terms#...
SPDX_PATTERN_BUG = Literal("^https://spdx.org/rdf/terms")
SPDX_PATTERN_FIXED = Literal("^https?://spdx.org/rdf/terms")

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
SPDX_ALGORITHM = URIRef("http://spdx.org/rdf/terms#algorithm")
GEONORGE_HAMAR = "https://data.geonorge.no/administrativeEnheter/kommune/id/172779"
PUBLISHER = "https://organization-catalog.fellesdatakatalog.digdir.no/organizations/970540008"


@dataclass(frozen=True)
class Result:
    """One top-level validation result."""

    severity: str
    path: str
    focus: str
    component: str
    message: str


def load_shapes(*names: str, fix_spdx_pattern: bool = False) -> tuple[Graph, int]:
    """The shapes graph of ``names`` and the number of dangling property-shape references.

    DCAT-AP 3.0.1's dcat-ap-SHACL.ttl and ranges.ttl name five property shapes that
    neither file defines; pySHACL refuses a reference without ``sh:path``, so those
    references are removed (a shape that is not defined constrains nothing).
    """
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name)
    dangling = [
        (shape, ref)
        for shape, ref in graph.subject_objects(SH.property)
        if (ref, None, None) not in graph
    ]
    for shape, ref in dangling:
        graph.remove((shape, SH.property, ref))
    if fix_spdx_pattern:
        for node in list(graph.subjects(SH.pattern, SPDX_PATTERN_BUG)):
            graph.remove((node, SH.pattern, SPDX_PATTERN_BUG))
            graph.add((node, SH.pattern, SPDX_PATTERN_FIXED))
    return graph, len(dangling)


def validate(data: Graph, *names: str, fix_spdx_pattern: bool = False) -> list[Result]:
    """Top-level results of validating ``data`` against the shapes ``names``."""
    shapes, _ = load_shapes(*names, fix_spdx_pattern=fix_spdx_pattern)
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, allow_warnings=True)
    results = []
    for rep in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(rep, SH.result):
            results.append(
                Result(
                    severity=str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
                    path=str(report.value(r, SH.resultPath)),
                    focus=str(report.value(r, SH.focusNode)),
                    component=str(report.value(r, SH.sourceConstraintComponent)).rsplit("#")[-1],
                    message=str(report.value(r, SH.resultMessage)),
                )
            )
    return results


def summary(results: list[Result], severity: str) -> Counter[tuple[str, str]]:
    """(path, focus) → count for one severity."""
    return Counter((r.path, r.focus) for r in results if r.severity == severity)


def as_harvested(graph: Graph) -> Graph:
    """The catalogue as a harvester reads it: serialised as Turtle, parsed back."""
    return Graph().parse(data=serialize_description(graph, "ttl"), format="turtle")


@pytest.fixture(scope="module")
def eu(published: Publication) -> Graph:
    return as_harvested(published.catalogs["dcat-ap"])


@pytest.fixture(scope="module")
def no(published: Publication) -> Graph:
    return as_harvested(published.catalogs["dcat-ap-no"])


# --- the copies are the published files -----------------------------------------------


@pytest.mark.parametrize("name", sorted(SHA256))
def test_shape_files_are_byte_exact_copies(name: str) -> None:
    assert hashlib.sha256((SHAPES / name).read_bytes()).hexdigest() == SHA256[name]


def test_eu_shapes_have_exactly_five_dangling_property_shapes() -> None:
    """If an updated copy defines them, the loader's workaround is no longer needed."""
    _graph, dangling = load_shapes(*EU_MANDATORY)
    assert dangling == 5


# --- DCAT-AP-NO 2.00 ----------------------------------------------------------------------


def test_dcat_ap_no_profile_has_no_violation(no: Graph) -> None:
    results = validate(no, *NO_SHAPES)
    assert [r for r in results if r.severity == "Violation"] == []


def test_dcat_ap_no_profile_warnings_are_the_known_ones(no: Graph) -> None:
    """Geonorge is no EU-managed place list; the EU data-theme scheme is no EuroVoc IRI."""
    results = validate(no, *NO_SHAPES)
    warnings = [r for r in results if r.severity == "Warning"]
    spatial = [r for r in warnings if r.path == DCT + "spatial"]
    taxonomy = [r for r in warnings if r.path == DCAT + "themeTaxonomy"]
    assert len(spatial) == 5  # the catalogue and its four datasets
    assert len(taxonomy) == 1
    assert len(warnings) == len(spatial) + len(taxonomy)


def test_dcat_ap_no_validates_with_vocabulary_excerpt_too(no: Graph) -> None:
    data = Graph()
    for triple in no:
        data.add(triple)
    data.parse(EXCERPT)
    results = validate(data, *NO_SHAPES)
    assert [r for r in results if r.severity == "Violation"] == []


# --- EU DCAT-AP 3.0.1 ---------------------------------------------------------------------


def test_dcat_ap_profile_passes_mandatory_and_range_shapes(eu: Graph) -> None:
    assert validate(eu, *EU_MANDATORY) == []


def test_dcat_ap_profile_recommended_warnings_are_the_known_ones(eu: Graph) -> None:
    """Only Hamar's bounding box and centroid are missing: no verified geometry is at hand."""
    results = validate(eu, *EU_RECOMMENDED)
    assert {r.severity for r in results} <= {"Warning"}
    assert summary(results, "Warning") == Counter(
        {(DCAT + "bbox", GEONORGE_HAMAR): 1, (DCAT + "centroid", GEONORGE_HAMAR): 1}
    )


def _with_excerpt(graph: Graph) -> Graph:
    data = Graph()
    for triple in graph:
        data.add(triple)
    data.parse(EXCERPT)
    return data


def test_dcat_ap_profile_passes_vocabulary_shapes(eu: Graph) -> None:
    """With the EU vocabularies loaded and the SPDX pattern bug fixed: no Violation."""
    results = validate(_with_excerpt(eu), *EU_VOCABULARIES, fix_spdx_pattern=True)
    assert [r for r in results if r.severity == "Violation"] == []
    warnings = [r for r in results if r.severity == "Warning"]
    publisher = [r for r in warnings if r.path == DCT + "publisher"]
    spatial = [r for r in warnings if r.path == DCT + "spatial"]
    assert len(publisher) == 6  # catalogue, four datasets, service: not an EU corporate body
    assert len(spatial) == 5  # Geonorge is none of EU country/place/continent or GeoNames
    assert len(warnings) == len(publisher) + len(spatial)


def test_unfixed_vocabulary_shapes_flag_only_the_spdx_namespace(eu: Graph) -> None:
    """The shape wants https://spdx.org/...; SPDX's terms are http://spdx.org/rdf/terms#."""
    results = validate(_with_excerpt(eu), *EU_VOCABULARIES)
    violations = [r for r in results if r.severity == "Violation"]
    assert violations
    assert {r.path for r in violations} == {str(SPDX_ALGORITHM)}
    assert {r.component for r in violations} == {"NodeConstraintComponent"}
    assert len(violations) == len(set(eu.subjects(SPDX_ALGORITHM, None)))  # one per checksum


# --- why two profiles ------------------------------------------------------------------


def test_the_profiles_differ_only_where_the_shape_sets_disagree(eu: Graph, no: Graph) -> None:
    """Each profile fails the other's shapes on exactly byteSize and the checksum algorithm."""
    eu_under_no = validate(eu, *NO_SHAPES)
    assert {r.path for r in eu_under_no if r.severity == "Violation"} == {
        DCAT + "byteSize",
        str(SPDX_ALGORITHM),
    }
    no_under_eu = validate(no, *EU_MANDATORY)
    assert {r.path for r in no_under_eu} == {DCAT + "byteSize"}


# --- the excerpt agrees with the catalogue ----------------------------------------------


def test_every_controlled_term_is_in_the_excerpt_with_the_same_scheme(eu: Graph) -> None:
    excerpt = Graph().parse(EXCERPT)
    used = {o for o in eu.objects() if isinstance(o, URIRef)}
    controlled = [iri for iri in TERMS if iri in used]
    assert len(controlled) >= 10
    for iri in controlled:
        assert set(excerpt.objects(iri, SKOS.inScheme)) == set(eu.objects(iri, SKOS.inScheme)), iri
        assert set(eu.objects(iri, SKOS.inScheme)), iri


def test_the_catalogue_names_the_publisher_the_shapes_expect(eu: Graph) -> None:
    assert (URIRef(PUBLISHER), RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in eu
