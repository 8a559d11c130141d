"""The floor: the least a Python server can do for a SPARQL GET, as a peer in the same run.

A WSGI app that takes ``?query=``, runs it on pyoxigraph (the store ``hamar-graph serve``
opens, read-only, default graph as the union) and sends Oxigraph's JSON, in one call each.
It has none of what the endpoint must do: no guard against updates or ``SERVICE``, no
deadline or memory cap, no row cap, no fairness, no content negotiation, no cache, no
error pages. It is **not** a server to deploy; the benchmark runs it under granian with
the same processes and threads as ``serve``'s defaults, so that its rate is the most one
Python process (or as many as ours runs) can answer on this machine, whatever the design
of the code inside it. ``check_same_rows`` asks it every checked query, so it does the
same work as the two servers it sits between.

Started by :func:`benchmarks.query_path.servers.floor_server` as
``granian --interface wsgi --factory benchmarks.query_path.floor_app:app``;
``QP_FLOOR_STORE`` names the store folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_plus

import pyoxigraph as ox

STORE_VARIABLE = "QP_FLOOR_STORE"
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def app() -> Wsgi:
    """The WSGI callable (granian calls this factory once per worker process)."""
    store = ox.Store.read_only(os.environ[STORE_VARIABLE])
    json = ox.QueryResultsFormat.JSON

    def answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        qs = environ.get("QUERY_STRING", "")
        if not qs.startswith("query="):
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"?query= is missing\n"]
        text = unquote_plus(qs[len("query=") :].split("&", 1)[0])
        try:
            result = store.query(text, use_default_graph_as_union=True)
            body = result.serialize(format=json) or b""
        except (SyntaxError, ValueError, TypeError) as exc:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [f"{exc}\n".encode()]
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/sparql-results+json"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]

    return answer
