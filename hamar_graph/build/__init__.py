"""Build the graph from the Turtle sources and write what is published.

:func:`~hamar_graph.build.assembly.assemble` parses ``ontology/``, ``data/`` and
``shapes/``, checks every term, skolemises, derives and normalises literals;
:func:`~hamar_graph.build.pipeline.build` also validates with SHACL and writes the
output folder. :func:`~hamar_graph.build.open.open_store` opens the store a
deployment serves.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BuildError", "BuildResult", "assemble", "build"]


def __getattr__(name: str) -> Any:
    """``assemble``, ``build`` and their types, imported on first use: the web app imports
    this package's light modules and should not pay for the whole build (pyshacl)."""
    if name in ("BuildError", "assemble"):
        from hamar_graph.build import assembly

        return getattr(assembly, name)
    if name in ("BuildResult", "build"):
        from hamar_graph.build import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
