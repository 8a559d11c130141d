"""Build the graph from the Turtle sources and write what is published.

:func:`~hamar_graph.build.assembly.assemble` parses ``ontology/``, ``data/`` and
``shapes/``, checks every term, skolemises, derives and normalises literals;
:func:`~hamar_graph.build.pipeline.build` also validates with SHACL and writes the
output folder. :func:`~hamar_graph.build.open.open_store` opens the store a
deployment serves.
"""

from __future__ import annotations

from hamar_graph.build.assembly import BuildError, assemble
from hamar_graph.build.pipeline import BuildResult, build

__all__ = ["BuildError", "BuildResult", "assemble", "build"]
