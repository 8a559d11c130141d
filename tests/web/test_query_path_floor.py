"""The query-path benchmark's floor (``benchmarks.query_path.floor_app``) does the work the
endpoint does for a lookup: on the session's build it answers the same rows as our
endpoint, so its rate is a fair lower bound on what any Python server pays per lookup.
Behaviour only, no timing."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask

from benchmarks.query_path import floor_app
from hamar_graph.build.pipeline import BuildResult

LOOKUP = "SELECT ?p ?o WHERE { <https://data.hamar.kommune.no/id/vennskapsby/lund> ?p ?o }"


def _call(wsgi: Callable[..., Any], query_string: str) -> tuple[str, bytes]:
    seen: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/sparql",
        "QUERY_STRING": query_string,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    body = b"".join(wsgi(environ, lambda status, headers: seen.append(status)))
    return seen[0], body


def _rows(body: bytes) -> set[tuple[tuple[str, str], ...]]:
    return {
        tuple(sorted((k, v["value"]) for k, v in row.items()))
        for row in json.loads(body)["results"]["bindings"]
    }


def test_the_floor_answers_what_the_endpoint_answers(
    built: BuildResult, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(floor_app.STORE_VARIABLE, str(built.manifest_path.parent / "store"))
    floor = floor_app.app()
    status, body = _call(floor, urlencode({"query": LOOKUP}))
    assert status.startswith("200")
    ours = app.test_client().get(
        "/sparql",
        query_string={"query": LOOKUP},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ours.status_code == 200
    assert _rows(body) == _rows(ours.data)
    assert len(_rows(body)) > 5


def test_the_floor_refuses_what_it_cannot_run(
    built: BuildResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(floor_app.STORE_VARIABLE, str(built.manifest_path.parent / "store"))
    floor = floor_app.app()
    assert _call(floor, "")[0].startswith("400")
    status, body = _call(floor, urlencode({"query": "SELECT nonsense"}))
    assert status.startswith("400") and body


def test_the_library_peer_answers_what_the_endpoint_answers(built: BuildResult, app: Flask) -> None:
    # the third peer of the heavy queries at scale: pyoxigraph in the benchmark's process
    from benchmarks.query_path.library_peer import LibraryPeer
    from benchmarks.query_path.workloads import HEAVY

    peer = LibraryPeer(built.manifest_path.parent / "store")
    client = peer.client()
    assert client.engine.named_graphs  # the build keeps each source in its named graph: union
    for query in (LOOKUP, HEAVY["GROUP BY class"]):
        answer = client.sparql(peer.query_path, query)
        assert answer.status == 200 and answer.seconds > 0
        ours = app.test_client().get(
            "/sparql",
            query_string={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert ours.status_code == 200
        assert _rows(answer.body) == _rows(ours.data) and _rows(answer.body)
    refused = client.sparql(peer.query_path, "SELECT ?s WHERE { ?s }")
    assert refused.status is None and refused.error
