"""Where things are: the project root and the tests' own data."""

from __future__ import annotations

from pathlib import Path

#: The project root (ontology/, data/, shapes/, README.md ...).
ROOT = Path(__file__).resolve().parents[2]
#: Test fixtures and byte-exact copies of official test material.
TEST_DATA = ROOT / "tests" / "data"
