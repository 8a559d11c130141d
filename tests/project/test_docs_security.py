"""SECURITY.md stays true: every test it names exists, and every limit it lists has the
default that hamar_graph.config.Settings really has."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from hamar_graph.config import PROJECT_ROOT, Settings

SECURITY = PROJECT_ROOT / "SECURITY.md"
REFERENCE = re.compile(r"\b(tests/[\w/]+\.py)::(test_\w+)")


def references() -> list[tuple[str, str]]:
    return sorted(set(REFERENCE.findall(SECURITY.read_text(encoding="utf-8"))))


@cache
def defined_tests(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )


def test_security_md_names_many_tests() -> None:
    assert len(references()) >= 60


@pytest.mark.parametrize(("path", "name"), references())
def test_every_test_named_in_security_md_exists(path: str, name: str) -> None:
    file = PROJECT_ROOT / path
    assert file.is_file(), f"SECURITY.md names {path}, which does not exist"
    assert name in defined_tests(file), f"SECURITY.md names {path}::{name}, which does not exist"


def _row(setting: str) -> str:
    for line in SECURITY.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and f"`HAMAR_GRAPH_{setting.upper()}`" in line:
            return line
    raise AssertionError(f"SECURITY.md has no limits row for HAMAR_GRAPH_{setting.upper()}")


DEFAULTS = {
    "query_timeout": lambda v: f"{v:g} s",
    "query_memory_mb": lambda v: f"{v} MiB",
    "query_workers": lambda v: f"| {v} |",
    "max_rows": lambda v: f"{v:,}",
    "max_query_bytes": lambda v: f"{v:,} bytes",
    "max_url_bytes": lambda v: f"{v:,} bytes",
    "rate_limit": lambda v: f"| {v} (off) |" if v == 0 else f"| {v} |",
    "workers": lambda v: f"| {v} × ",
    "threads": lambda v: f" × {v} |",
}


@pytest.mark.parametrize("setting", sorted(DEFAULTS))
def test_every_limit_is_listed_with_its_default(setting: str) -> None:
    default = Settings.__dataclass_fields__[setting].default
    assert DEFAULTS[setting](default) in _row(setting), (setting, default)
