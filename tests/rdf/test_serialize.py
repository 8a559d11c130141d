"""``hamar_graph.rdf.serialize``: the format map and deterministic, faithful serialisation."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from hamar_graph.namespaces import HMS, ID
from hamar_graph.rdf.formats import MEDIA_TYPES, RDF_FORMATS, UnsupportedFormat, get_format
from hamar_graph.rdf.serialize import serialize
from tests.support.paths import ROOT

#: Two namespaces outside our prefix map: rdflib invents ns1/ns2 for them.
EXA = Namespace("http://a.example.org/vocab#")
EXB = Namespace("http://b.example.org/terms/")


def tricky_graph() -> Graph:
    """Literals and names that serialisers like to alter."""
    g = Graph()
    lund = ID["vennskapsby/lund"]
    g.add((lund, RDF.type, HMS.TwinCity))
    g.add((lund, RDF.type, EXA.City))
    g.add((lund, SKOS.prefLabel, Literal("Lund", lang="nb")))
    g.add((lund, SKOS.altLabel, Literal("Lund i Sverige – «vennskapsby» æøå", lang="nb")))
    g.add((lund, HMS.text, Literal('Linje én\nLinje "to"\n\tmed tab og \\ skråstrek', lang="nb")))
    g.add((lund, HMS.value, Literal("70", datatype=XSD.decimal)))
    g.add((lund, HMS.rowOrder, Literal("3", datatype=XSD.integer)))
    g.add((lund, EXA.lat, Literal("55.7039", datatype=XSD.decimal)))
    g.add((lund, EXA.long, Literal("13.1950", datatype=XSD.decimal)))
    g.add((lund, EXB.flag, Literal("true", datatype=XSD.boolean)))
    g.add((lund, EXB.year, Literal("2015", datatype=XSD.gYear)))
    g.add((lund, EXB.note, Literal("plain string")))
    g.add((lund, EXB.page, URIRef("https://example.org/a#b?c=d&e=f")))
    g.add((EXA.City, RDFS.label, Literal("city", lang="en")))
    return g


def _parse(data: bytes, key: str) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=data, format=RDF_FORMATS[key].rdflib_format)
    return graph


@pytest.mark.parametrize("key", list(RDF_FORMATS))
def test_round_trip_keeps_every_triple_exactly(key: str) -> None:
    original = tricky_graph()
    parsed = _parse(serialize(original, key), key)
    assert set(parsed) == set(original)
    assert isomorphic(parsed, original)


def test_turtle_keeps_the_lexical_form_of_an_integral_decimal() -> None:
    text = serialize(tricky_graph(), "ttl").decode("utf-8")
    assert '"70"^^xsd:decimal' in text  # rdflib alone would write 70.0, another literal
    assert "55.7039" in text


@pytest.mark.parametrize("key", list(RDF_FORMATS))
def test_same_graph_same_bytes_whatever_the_insertion_order(key: str) -> None:
    forward = tricky_graph()
    backward = Graph()
    for triple in sorted(forward, reverse=True):
        backward.add(triple)
    assert serialize(forward, key) == serialize(backward, key)


_SCRIPT = """
import hashlib, sys
sys.path.insert(0, {root!r})
from tests.rdf.test_serialize import tricky_graph
from hamar_graph.rdf.formats import RDF_FORMATS
from hamar_graph.rdf.serialize import serialize
for key in RDF_FORMATS:
    print(key, hashlib.sha256(serialize(tricky_graph(), key)).hexdigest())
"""


def test_bytes_do_not_depend_on_the_hash_seed() -> None:
    """rdflib lists a graph's triples from a set; RDF/XML and ns1/ns2 used to follow it."""
    script = _SCRIPT.format(root=str(ROOT))
    outputs = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.append(done.stdout)
    assert len(outputs[0].splitlines()) == len(RDF_FORMATS)
    assert outputs[0] == outputs[1] == outputs[2]


def test_rdf_xml_lists_subjects_in_order_and_names_namespaces_stably() -> None:
    text = serialize(tricky_graph(), "rdf").decode("utf-8")
    assert text.index(str(EXA.City)) < text.index(str(ID["vennskapsby/lund"]))
    assert f'xmlns:ns1="{EXA}"' in text and f'xmlns:ns2="{EXB}"' in text


def test_n_triples_are_sorted_lines_and_empty_graph_is_empty() -> None:
    lines = serialize(tricky_graph(), "nt").decode("utf-8").splitlines()
    assert lines == sorted(lines)
    assert len(lines) == len(tricky_graph())
    assert serialize(Graph(), "nt") == b""


def test_turtle_and_json_ld_use_our_prefixes() -> None:
    ttl = serialize(tricky_graph(), "ttl").decode("utf-8")
    assert f"@prefix hms: <{HMS}> ." in ttl
    assert "hms:TwinCity" in ttl
    jsonld = serialize(tricky_graph(), "jsonld").decode("utf-8")
    assert '"hms": "https://data.hamar.kommune.no/def/"' in jsonld


@pytest.mark.parametrize(
    ("asked", "key"),
    [
        ("ttl", "ttl"),
        ("text/turtle", "ttl"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "jsonld"),
        ("application/json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/xml", "rdf"),
    ],
)
def test_get_format_by_key_or_media_type(asked: str, key: str) -> None:
    assert get_format(asked) is RDF_FORMATS[key]


def test_unsupported_format_lists_the_supported_ones() -> None:
    with pytest.raises(UnsupportedFormat) as caught:
        get_format("text/csv")
    for fmt in RDF_FORMATS.values():
        assert fmt.media_type in str(caught.value)
    with pytest.raises(UnsupportedFormat):
        serialize(tricky_graph(), "trig")


def test_every_media_type_maps_to_a_format() -> None:
    assert set(MEDIA_TYPES.values()) == set(RDF_FORMATS)
    for fmt in RDF_FORMATS.values():
        assert fmt.content_type == f"{fmt.media_type}; charset=utf-8"
