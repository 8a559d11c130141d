"""The pages' database of the Hamar graph, made once for the page-model tests."""

from __future__ import annotations

import pytest

from hamar_graph.build.completeness import PlanGaps
from hamar_graph.build.pages_db import pages_db
from hamar_graph.config import Settings
from hamar_graph.pages.labels import Labeller
from hamar_graph.pages.ontology_doc import load_vocabulary
from hamar_graph.pages.stored import PagesDB
from hamar_graph.store.base import Store

BASE = "https://data.hamar.kommune.no/"


@pytest.fixture(scope="session")
def plan(settings: Settings) -> PlanGaps:
    """The plan's gaps as the session's build stored them."""
    return PlanGaps.from_json((settings.out_dir / "plan.json").read_bytes())


@pytest.fixture(scope="session")
def db(store: Store, plan: PlanGaps) -> PagesDB:
    """The pages' database of the Hamar graph, in memory."""
    return PagesDB(pages_db(store, BASE, plan, data_versions=["test"]), "memory")


@pytest.fixture(scope="session")
def labeller(store: Store) -> Labeller:
    return load_vocabulary(store, BASE).labeller()
