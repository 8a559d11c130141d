"""Settings for a build of a given source folder into a given output folder.

Shared by ``tests/build/test_build.py`` and ``tests/build/test_build_failures.py``.
"""

from __future__ import annotations

from pathlib import Path

from hamar_graph.config import Settings


def settings_for(source_dir: Path, out_dir: Path) -> Settings:
    return Settings(source_dir=source_dir, out_dir=out_dir)
