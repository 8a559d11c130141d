"""A remote-mode app follows a reload of its engine's data without a restart (issue 15, item 4).

``hamar-graph load`` writes the data's SHA-256 into the engine; the app reads it at most
every ``data_check`` seconds, and when it changed, it makes its pages, validators and
catalogue again from what the engine holds. The reload here renames one twin city and
keeps every graph's size, so only the version can tell. A build made from other data
than the engine holds is not served as if it described it.
"""

from __future__ import annotations

import gzip
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from rdflib import Dataset, Graph, Literal

from hamar_graph.build.pipeline import BuildResult
from hamar_graph.store.remote import RemoteStore
from hamar_graph.store.remote_load import load_dataset
from tests.store.test_remote_version import LUND, SKOS_PREF, renamed_lund
from tests.support.oxigraph_server import OxigraphServer
from tests.support.sparql import pool_app
from web import state

pytestmark = pytest.mark.server

LUND_PAGE = "/id/vennskapsby/lund?lang=en"
#: Lund's English label after the reload: a word no text of the graph holds.
RENAMED = Literal("Lund University Town", lang="en")
WORD = "/sok?q=university+town&lang=en"
#: data_check for the tests: short, so a check is due after :func:`_past_check`.
CHECK = 0.05


def _past_check() -> None:
    time.sleep(CHECK * 2)


@pytest.fixture()
def engine(tmp_path: Path, dataset: Dataset) -> Iterator[tuple[OxigraphServer, RemoteStore]]:
    server = OxigraphServer(tmp_path / "oxigraph").start()
    remote = RemoteStore(server.query_url, timeout=30)
    load_dataset(remote, dataset)
    yield server, remote
    server.stop()


def _app(server: OxigraphServer, out: Path, **settings: object) -> Iterator[Flask]:
    return pool_app(RemoteStore(server.query_url, timeout=10), out, **settings)


def _dump_literals(app: Flask) -> set[Literal]:
    """The literals of the N-Triples dump the app serves."""
    pub = state.publication(app)
    name = next(f.name for f in pub.files if f.name.endswith(".nt.gz"))
    with app.test_client() as client:
        response = client.get(f"/download/{name}")
    assert response.status_code == 200
    lines = gzip.decompress(response.get_data()).decode().splitlines()
    graph = Graph().parse(data="\n".join(lines), format="nt")
    return {
        o for o in graph.objects(LUND, SKOS_PREF) if isinstance(o, Literal) and o.language == "en"
    }


def test_a_reload_is_served_after_the_next_check(
    engine: tuple[OxigraphServer, RemoteStore], dataset: Dataset, tmp_path: Path
) -> None:
    server, remote = engine
    with _app(server, tmp_path / "out", data_check=CHECK) as app, app.test_client() as client:
        before = client.get(LUND_PAGE, headers={"Accept": "text/html"})
        assert before.status_code == 200
        old_tag = before.headers["ETag"]
        assert str(RENAMED) not in before.get_data(as_text=True)
        assert Literal("Lund", lang="en") in _dump_literals(app)
        assert "/id/vennskapsby/lund" not in client.get(WORD).get_data(as_text=True)

        load_dataset(remote, renamed_lund(dataset, str(RENAMED)))
        _past_check()
        after = client.get(LUND_PAGE, headers={"Accept": "text/html"})
        assert after.status_code == 200
        assert str(RENAMED) in after.get_data(as_text=True)
        assert after.headers["ETag"] != old_tag, "a new version, a new validator"
        stale = client.get(LUND_PAGE, headers={"Accept": "text/html", "If-None-Match": old_tag})
        assert stale.status_code == 200, "the old validator no longer matches"
        fresh = client.get(
            LUND_PAGE, headers={"Accept": "text/html", "If-None-Match": after.headers["ETag"]}
        )
        assert fresh.status_code == 304
        found = client.get(WORD).get_data(as_text=True)
        assert "/id/vennskapsby/lund" in found, "the search index is made again"
        assert _dump_literals(app) == {RENAMED}, "the dumps are made again"


def test_without_checks_the_app_keeps_what_it_made(
    engine: tuple[OxigraphServer, RemoteStore], dataset: Dataset, tmp_path: Path
) -> None:
    server, remote = engine
    with _app(server, tmp_path / "out", data_check=0) as app, app.test_client() as client:
        before = client.get(LUND_PAGE, headers={"Accept": "text/html"})
        load_dataset(remote, renamed_lund(dataset, str(RENAMED)))
        _past_check()
        after = client.get(LUND_PAGE, headers={"Accept": "text/html"})
        assert after.headers["ETag"] == before.headers["ETag"]
        found = client.get(WORD).get_data(as_text=True)
        assert "/id/vennskapsby/lund" not in found, "the search index made before the reload"


def test_a_build_of_other_data_is_not_served_as_the_engines(
    engine: tuple[OxigraphServer, RemoteStore],
    dataset: Dataset,
    built: BuildResult,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, remote = engine
    out = built.manifest_path.parent
    with _app(server, out, data_check=CHECK) as app:
        assert state.publication(app).directory == out, "the build of the data loaded is used"
    load_dataset(remote, renamed_lund(dataset, str(RENAMED)))
    with (
        caplog.at_level(logging.WARNING, logger="web.state"),
        _app(server, out, data_check=CHECK) as app,
        app.test_client() as client,
    ):
        page = client.get(LUND_PAGE, headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert str(RENAMED) in page.get_data(as_text=True)
        assert state.publication(app).directory is None, "made from the engine"
        assert _dump_literals(app) == {RENAMED}
    assert any("run `hamar-graph build`" in r.getMessage() for r in caplog.records)
