"""Fixtures shared by the modules that check the sources: the graphs they read, parsed once
per module."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph

from tests.support import document_files, places_actors


@pytest.fixture(scope="module")
def own() -> dict[str, Graph]:
    """Each of the document's files (document.ttl, axes.ttl, actionplan.ttl), parsed on its
    own."""
    return {
        name: document_files.parse(document_files.DATA / name) for name in document_files.OWN_FILES
    }


@pytest.fixture(scope="module")
def own_union(own: dict[str, Graph]) -> Graph:
    """The union of document.ttl, axes.ttl and actionplan.ttl."""
    union = Graph()
    for graph in own.values():
        for triple in graph:
            union.add(triple)
    return union


@pytest.fixture(scope="module")
def mine() -> Graph:
    """The three files of places, actors and references."""
    return places_actors.parse(
        *(places_actors.DATA / f"{stem}.ttl" for stem in places_actors.MY_FILES)
    )


@pytest.fixture(scope="module")
def g(dataset: Dataset) -> Graph:
    """The union of the assembled graph's named graphs (ontology, data, shapes, derived)."""
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union
