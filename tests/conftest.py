"""Shared fixtures: settings, the assembled graph, a store, the app, clients."""

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
from web import create_app

TESTS = Path(__file__).parent
TEST_DATA = TESTS / "data"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Default settings with a private output folder."""
    out = tmp_path_factory.mktemp("dist")
    return Settings(source_dir=PROJECT_ROOT, out_dir=out, store="oxigraph", store_path=out / "none")


@pytest.fixture(scope="session")
def dataset(settings: Settings) -> Dataset:
    """The assembled graph: one named graph per source file, plus ``graph/derived``."""
    return assemble(settings)


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
    """One ``build`` of :func:`source_copy` into a private output folder."""
    out = tmp_path_factory.mktemp("built")
    return build(Settings(source_dir=source_copy, out_dir=out))


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


@pytest.fixture()
def app(settings: Settings, store: Store) -> Flask:
    """The app over the session store."""
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
