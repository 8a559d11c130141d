"""The source text issue 14 checks its corrections against, and a helper for the graph.

The source is ``tests/data/source/internasjonal-strategi.txt``, a copy of the text the data is
read from (a PDF extraction: columns interleaved, fragments repeated); ``data/README.md`` cites
it by line number. Shared by ``tests/sources/test_issue14_readings.py`` and
``tests/sources/test_issue14_identifiers_translations.py``.
"""

from __future__ import annotations

import re
from functools import cache

from rdflib import Graph, URIRef

from tests.support.paths import ROOT, TEST_DATA

SOURCE = TEST_DATA / "source" / "internasjonal-strategi.txt"
README = ROOT / "data" / "README.md"


@cache
def lines() -> list[str]:
    """The source's lines, stripped; line n of data/README.md is ``lines()[n - 1]``."""
    return [line.strip() for line in SOURCE.read_text(encoding="utf-8").splitlines()]


@cache
def words() -> str:
    """The whole source as one string, whitespace collapsed (fragments stay apart)."""
    return re.sub(r"\s+", " ", " ".join(lines()))


def non_empty_after(number: int, count: int) -> list[str]:
    """The ``count`` non-empty lines after source line ``number`` (1-based)."""
    return [line for line in lines()[number:] if line][:count]


def line_numbers(text: str) -> list[int]:
    """The 1-based numbers of the source lines that contain ``text``."""
    return [i for i, line in enumerate(lines(), start=1) if text in line]


def one(graph: Graph, s: URIRef, p: URIRef) -> object:
    values = list(graph.objects(s, p))
    assert len(values) == 1, f"{s} {p}: {values}"
    return values[0]
