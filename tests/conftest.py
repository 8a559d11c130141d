"""Shared fixtures: settings, the assembled graph, one build, a store, the app, clients.

Expensive things are made once per session and shared: the assembled dataset, one
``build`` of a snapshot of the sources (tests that need an output folder of their own
copy it), the embedded store, and the app over that build's publication. Every app a
test module makes is closed when the module ends, so no query process outlives the
module that started it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset

from hamar_graph.build.assembly import assemble
from hamar_graph.build.pipeline import BuildResult, build
from hamar_graph.build.sources import SOURCE_FOLDERS
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.publication.publish import Publication, write_publication
from hamar_graph.store.base import Store
from hamar_graph.store.oxigraph import OxigraphStore
from tests.support.paths import TEST_DATA
from web import create_app, state

__all__ = ["TEST_DATA"]


@pytest.fixture(scope="session")
def settings(built: BuildResult) -> Settings:
    """Default settings whose output folder is the session's build (read it, never write
    it: :func:`built_copy` gives a folder to write). Its store is not opened
    (``store_path`` names no store): apps get the session :func:`store` instead."""
    out = built.manifest_path.parent
    return Settings(source_dir=PROJECT_ROOT, out_dir=out, store="oxigraph", store_path=out / "none")


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The assembled graph: one named graph per source file, plus ``graph/derived``."""
    return assemble(Settings(source_dir=PROJECT_ROOT))


@pytest.fixture(scope="session")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of ontology/, data/ and shapes/ taken once per session.

    Tests that build twice, or compare a build with an export, use it so that an edit
    to the sources while the suite runs cannot make the two disagree.
    """
    root = tmp_path_factory.mktemp("sources")
    for folder in SOURCE_FOLDERS:
        (root / folder).mkdir()
        for path in sorted((PROJECT_ROOT / folder).glob("*.ttl")):
            shutil.copyfile(path, root / folder / path.name)
    return root


@pytest.fixture(scope="session")
def built(source_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The one ``build`` of the session (:func:`source_copy` into a private folder).

    Never write into its folder: copy it (:func:`built_copy`).
    """
    out = tmp_path_factory.mktemp("built")
    return build(Settings(source_dir=source_copy, out_dir=out))


@pytest.fixture()
def built_copy(built: BuildResult, tmp_path: Path) -> Path:
    """A private copy of the session's build output, to write into."""
    out = tmp_path / "out"
    shutil.copytree(built.manifest_path.parent, out)
    return out


@pytest.fixture(scope="session")
def published(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Publication:
    """Dumps, catalogues and VoID of :func:`dataset`, written once to a private folder."""
    out = tmp_path_factory.mktemp("published")
    return write_publication(dataset, Settings(source_dir=PROJECT_ROOT, out_dir=out))


@pytest.fixture(scope="session")
def store(dataset: Dataset) -> Store:
    """An embedded Oxigraph store holding the project's graph."""
    s = OxigraphStore()
    s.load(dataset)
    return s


@pytest.fixture(scope="session")
def disk_store(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The project's graph in a persistent Oxigraph store, opened read-only as ``serve``
    opens it (what ``HAMAR_GRAPH_QUERY_ENGINE=server`` needs: a store on disk)."""
    path = tmp_path_factory.mktemp("disk-store") / "store"
    writable = OxigraphStore(path)
    writable.load(dataset)
    del writable  # release RocksDB's lock before the store is opened read-only
    return OxigraphStore(path, read_only=True)


@pytest.fixture(autouse=True, scope="module")
def _close_apps() -> Iterator[None]:
    """Close every app made in the module (its query processes) when the module ends."""
    made: list[state.AppState] = []
    original = state.init_app

    def recording(app: Flask, settings: Settings, store: Store) -> state.AppState:
        made.append(original(app, settings, store))
        return made[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state, "init_app", recording)
        yield
    for app_state in made:
        app_state.close()


@pytest.fixture(scope="session")
def app(settings: Settings, store: Store) -> Flask:
    """The app over the session store and the session build's publication (read from its
    folder, as ``serve`` does after ``build``). Shared by the session: do not change it."""
    app = create_app({"out_dir": settings.out_dir, "store_path": settings.store_path}, store=store)
    app.config["TESTING"] = True
    return app


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


# --- no process left behind ---------------------------------------------------------------


def _descendants(root: int) -> dict[int, str]:
    """Living descendants of process ``root``: pid → command line (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] == "Z":  # a zombie has ended; its parent only has not reaped it yet
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        try:
            cmd = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        found[pid] = cmd.decode("utf-8", "replace").strip()
        todo += children.get(pid, [])
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test left a process running (a server, a query process, a browser).

    Python's own multiprocessing resource tracker lives as long as the test process and is
    not counted.
    """
    import os
    import time

    deadline = time.monotonic() + 15
    while True:
        left = {
            pid: cmd
            for pid, cmd in _descendants(os.getpid()).items()
            if "resource_tracker" not in cmd and "xdist" not in cmd and "execnet" not in cmd
        }
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if left:
        lines = "\n".join(f"  {pid}: {cmd[:200]}" for pid, cmd in sorted(left.items()))
        print(f"\nprocesses left running by the tests:\n{lines}")
        session.exitstatus = 1
