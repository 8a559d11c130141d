"""The engine library alone, as a third peer of the heavy queries at scale.

Issue 12 asks for heavy queries within 1.1× of the Oxigraph server's latency. Our
endpoint runs them on pyoxigraph, the same engine and version as the server's binary but
built as a Python extension. :class:`LibraryPeer` answers the same requests in the
benchmark's own process: ``Store.query`` on our store, read-only, and Oxigraph's JSON,
with no HTTP, guard, query process or row cap. Measured in the same turns as the two
servers (:func:`benchmarks.query_path.timing.latencies`), it splits the ratio in two: the
library against the binary (what no code around the library can change), and our path
against the library (what the endpoint adds).

It reads the union of all graphs with our engines' own class
(:class:`hamar_graph.default_graph.OxigraphEngine`): the default graph when the store has
no named graph, as the scale section's store, loaded from N-Triples, has none.
"""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox

from benchmarks.query_path.client import Answer
from hamar_graph.default_graph import OxigraphEngine

#: The JSON media type the servers are asked for.
JSON = ox.QueryResultsFormat.JSON


class LibraryClient:
    """What :func:`~benchmarks.query_path.timing.latencies` needs of a client."""

    def __init__(self, engine: OxigraphEngine) -> None:
        self.engine = engine

    def sparql(self, path: str, query: str) -> Answer:
        """Run ``query`` (``path`` is ignored) and time it with its JSON serialisation."""
        started = time.perf_counter()
        try:
            result = self.engine.query(query, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean | ox.QuerySolutions):
                body = result.serialize(format=JSON) or b""
            else:
                body = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b""
        except (SyntaxError, ValueError, OSError) as exc:
            return Answer(None, time.perf_counter() - started, error=f"{exc}")
        return Answer(200, time.perf_counter() - started, body=body)

    def close(self) -> None:
        pass


class LibraryPeer:
    """pyoxigraph in this process, over the store at ``location`` (opened read-only)."""

    name = "pyoxigraph"
    query_path = ""

    def __init__(self, location: Path) -> None:
        self.engine = OxigraphEngine(ox.Store.read_only(str(location)))

    def client(self, source: str | None = None, timeout: float = 0.0) -> LibraryClient:
        return LibraryClient(self.engine)
