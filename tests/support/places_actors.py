"""The instance data files ``data/places.ttl``, ``data/actors.ttl`` and ``data/references.ttl``
parsed directly with rdflib, and helpers that read one value or one label.

Shared by ``tests/sources/test_data_places_actors.py`` and
``tests/sources/test_data_references.py``.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import SKOS, Graph, Namespace, URIRef

from tests.support.paths import ROOT

DATA = ROOT / "data"
MY_FILES = ("places", "actors", "references")

HMS = Namespace("https://data.hamar.kommune.no/def/")
ID = Namespace("https://data.hamar.kommune.no/id/")


def parse(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def one(graph: Graph, s: URIRef, p: URIRef) -> object:
    values = list(graph.objects(s, p))
    assert len(values) == 1, f"{s} {p}: expected exactly one value, got {values}"
    return values[0]


def label(graph: Graph, s: URIRef, lang: str) -> str:
    labels = [o for o in graph.objects(s, SKOS.prefLabel) if o.language == lang]
    assert len(labels) == 1, f"{s}: expected one prefLabel@{lang}, got {labels}"
    return str(labels[0])
