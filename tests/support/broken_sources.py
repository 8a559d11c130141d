"""Copies of the sources to break on purpose, and snapshots of an output folder to compare.

Shared by ``tests/web/test_faults.py`` and ``tests/web/test_faults_serving.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hamar_graph import __version__
from hamar_graph.build.sources import SOURCE_FOLDERS

DUMP = f"hamar-graph-{__version__}.ttl"


def copy_sources(source_copy: Path, target: Path) -> Path:
    for folder in SOURCE_FOLDERS:
        shutil.copytree(source_copy / folder, target / folder)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the store included), relative path → bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def insert_line(path: Path, number: int, line: str) -> None:
    """Insert ``line`` so that it becomes line ``number`` (1-based) of ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(number - 1, line + "\n")
    path.write_text("".join(lines), encoding="utf-8")
