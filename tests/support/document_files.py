"""The instance data files ``data/document.ttl``, ``data/axes.ttl`` and ``data/actionplan.ttl``
parsed directly with rdflib, the resources the tests start from, and helpers that read one value
or make a Norwegian literal.

Shared by ``tests/sources/test_data_content.py`` and ``tests/sources/test_data_document.py``.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef

from tests.support.paths import ROOT

DATA = ROOT / "data"
OWN_FILES = ("document.ttl", "axes.ttl", "actionplan.ttl")

HMS = Namespace("https://data.hamar.kommune.no/def/")
ID = Namespace("https://data.hamar.kommune.no/id/")
PLAN = ID["dokument/handlingsplan-2015-2019"]
DOCUMENT = ID["dokument/internasjonal-strategi"]

GP, EU, VB, IS, UF = (
    "globalt-partnerskap-og-solidaritet",
    "tjenesteutvikling-gjennom-eu-prosjekter",
    "vennskapsbysamarbeid",
    "det-internasjonale-samfunn-i-hamar",
    "utdanning-forskning-og-naeringsliv",
)


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def nb(text: str) -> Literal:
    return Literal(text, lang="nb")


def one(graph: Graph, subject: URIRef, predicate: URIRef) -> object:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: expected one value, got {values}"
    return values[0]
