"""The pages' database that build writes (hamar_graph.build.pages_db): listed in the one
manifest, valid for the data version of the build and of a remote engine holding the same
graphs, and the same as an app without a build makes in memory."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from hamar_graph import __version__
from hamar_graph.build.pages_db import FORMAT, PAGES_FILE, kind_of
from hamar_graph.build.pipeline import BuildResult
from hamar_graph.config import Settings
from hamar_graph.pages.stored import open_pages_db
from hamar_graph.store.base import Store, counts_fingerprint
from web import create_app, state

BASE = "https://data.hamar.kommune.no/"


def _manifest(built: BuildResult) -> dict:
    return json.loads(built.manifest_path.read_text(encoding="utf-8"))


def test_build_writes_it_and_lists_it_in_the_manifest(built: BuildResult) -> None:
    path = built.manifest_path.parent / PAGES_FILE
    assert path.is_file()
    extras = _manifest(built)["extras"]
    assert extras[PAGES_FILE] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_it_is_valid_for_the_build_and_for_a_remote_engine(
    built: BuildResult, store: Store
) -> None:
    path = built.manifest_path.parent / PAGES_FILE
    meta = dict(sqlite3.connect(path).execute("SELECT key, value FROM meta").fetchall())
    versions = json.loads(meta["data_versions"])
    assert meta["format"] == FORMAT and meta["base_iri"] == BASE
    assert _manifest(built)["meta"]["data_version"] in versions
    assert f"{__version__}+{counts_fingerprint(store)[:12]}" in versions
    assert open_pages_db(path, BASE, versions[0]) is not None


def test_an_app_without_a_build_makes_the_same_database(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    built_app = create_app(
        {"out_dir": settings.out_dir, "store_path": settings.store_path}, store=store
    )
    bare = create_app({"out_dir": tmp_path, "store_path": tmp_path / "none"}, store=store)
    stored, made = state.site(built_app).db, state.site(bare).db
    assert stored.source.endswith(PAGES_FILE) and made.source == "memory"
    for sql in (
        "SELECT iri, kind, grp, label_nb, label_en, sort_nb, types FROM resources ORDER BY id",
        "SELECT kind, count FROM kinds ORDER BY kind",
        "SELECT iri, strategy, item FROM gaps ORDER BY position",
        "SELECT iri FROM strategies ORDER BY position",
        "SELECT rid, lang, text FROM texts ORDER BY rid, lang, text",
        "SELECT iri, triples FROM graphs ORDER BY iri",
    ):
        assert stored.rows(sql) == made.rows(sql), sql


def test_it_holds_each_named_graphs_size(built: BuildResult, store: Store) -> None:
    path = built.manifest_path.parent / PAGES_FILE
    db = open_pages_db(path, BASE, _manifest(built)["meta"]["data_version"])
    assert db is not None
    for graph in store.graph_names():
        [row] = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert db.graph_size(str(graph)) == int(row["n"]) > 0
    assert db.graph_size(BASE + "graph/no-such-graph") is None
    db.close()


def test_gaps_are_kept_under_their_strategy(built: BuildResult) -> None:
    db = open_pages_db(
        built.manifest_path.parent / PAGES_FILE, BASE, _manifest(built)["meta"]["data_version"]
    )
    assert db is not None
    strategy = BASE + "id/dokument/internasjonal-strategi"
    assert db.strategies(0, 10) == [strategy]
    assert db.strategy_gaps(strategy).items == db.all_gaps().items
    assert db.gaps_for(BASE + "id/tiltak/internasjonal-uke") == db.all_gaps().for_item(
        BASE + "id/tiltak/internasjonal-uke"
    )


def test_kinds() -> None:
    assert kind_of(BASE + "id/tiltak/x", BASE) == ("tiltak", "tiltak")
    assert kind_of(BASE + "id/akser", BASE) == ("", "")
    assert kind_of(BASE + "def/Measure", BASE) == (None, "def")
    assert kind_of(BASE + ".well-known/genid/1", BASE) == (None, "other")
