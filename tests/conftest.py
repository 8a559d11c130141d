"""Shared fixtures: settings, the assembled graph, a store, the app, clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset

from hamar_graph.build import assemble
from hamar_graph.config import PROJECT_ROOT, Settings
from hamar_graph.store import OxigraphStore, Store
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
