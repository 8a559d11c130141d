"""The source text (tests/data/source/internasjonal-strategi.txt), read the way its reader
reads it: table 6 (the action plan) and the chart of section 5 as runs of words, so tests
can check the pages against the source's own words rather than against the data."""

from __future__ import annotations

import re
from functools import cache

from tests.support.paths import TEST_DATA

SOURCE = TEST_DATA / "source" / "internasjonal-strategi.txt"

#: The header of table 6, repeated on each page of the PDF.
TABLE6_HEADER = "Mål Tiltak Ansvar Kostnad"


def lines() -> list[str]:
    """The source, line by line (line 1 is ``lines()[0]``)."""
    return SOURCE.read_text(encoding="utf-8").splitlines()


def words(text: str) -> str:
    """``text`` with every run of white space made one space (line breaks included)."""
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """``text`` without any white space: a word cut across lines is whole again
    ("Vennskapsbysa" + "marbeid")."""
    return re.sub(r"\s+", "", text)


@cache
def table6() -> str:
    """Section 6, the action plan (from its heading to the end of the extraction), as words."""
    all_lines = lines()
    start = next(
        i for i, line in enumerate(all_lines) if line.strip().startswith("6 Handlingsplan")
    )
    return words("\n".join(all_lines[start + 1 :]))


@cache
def chart() -> str:
    """The responsibility chart of section 5 (the lines just before section 6), as words."""
    all_lines = lines()
    end = next(i for i, line in enumerate(all_lines) if line.strip().startswith("6 Handlingsplan"))
    start = max(i for i in range(end) if all_lines[i].strip() == "Formannskapet")
    return words("\n".join(all_lines[start:end]))
