"""Hamar kommune's international strategy as a linked-data knowledge graph.

The library knows nothing of Flask or the web app. Its packages, each importing only
those below it (docs/ARCHITECTURE.md):

- :mod:`hamar_graph.pages`: page models (labels, entity, home, diagrams, ontology, search);
- :mod:`hamar_graph.sparql`, :mod:`hamar_graph.publication`, :mod:`hamar_graph.build`,
  :mod:`hamar_graph.query`: the endpoint's query path, the dumps and catalogue, the build,
  the named queries;
- :mod:`hamar_graph.store`: the one Store interface and its engines;
- :mod:`hamar_graph.rdf`: formats, serialisation, names, atomic writes;
- :mod:`hamar_graph.config`, :mod:`hamar_graph.namespaces`, :mod:`hamar_graph.i18n`: settings,
  prefixes, and the interface's words in nb and en (``text.toml``).
"""

from __future__ import annotations

__version__ = "0.1.0"
