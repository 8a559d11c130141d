"""What the pages hold once per app: the ontology's labels and the pages' database
(search index, index lists, strategies, the plan's gaps).

``build`` writes the pages' database (:mod:`hamar_graph.build.pages_db`) into the output
folder; :func:`site_data` opens it read-only when it was made from the data the app
serves, so an app's first request costs what its tenth does. An app without it (no
build, or a build of other data) makes the same database once, in memory, from its
store, with the plan's gaps from ``plan.json`` or, without one, from validating the
store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hamar_graph.build.completeness import PlanGaps, plan_gaps
from hamar_graph.build.pages_db import pages_db
from hamar_graph.build.validate import validate_dataset
from hamar_graph.config import Settings
from hamar_graph.pages.ontology_doc import Vocabulary, load_vocabulary
from hamar_graph.pages.stored import PagesDB, StoredGaps, open_pages_db
from hamar_graph.publication.release import dataset_from_store
from hamar_graph.store import Store

#: Rows per request when an app makes its pages' database from a remote engine.
REMOTE_PAGE_ROWS = 20_000


@dataclass
class SiteData:
    """What the pages hold once per app.

    .. versionadded:: 0.1
    .. versionchanged:: 0.3
       ``db`` (the pages' database) replaces the in-memory resource index; ``gaps``
       reads from it.
    """

    vocab: Vocabulary
    gaps: StoredGaps
    db: PagesDB


def validated_gaps(store: Store, settings: Settings) -> PlanGaps:
    """The plan's gaps of the data in ``store``: its named graphs validated with the
    project's shapes (pyshacl), for an app that has no ``build`` output to read them from."""
    dataset = dataset_from_store(store)
    return plan_gaps(validate_dataset(dataset, settings), dataset)


def site_data(
    store: Store,
    settings: Settings,
    gaps: PlanGaps | Callable[[], PlanGaps | None] | None = None,
    *,
    db_path: Path | None = None,
    data_version: str | None = None,
) -> SiteData:
    """Open (or make) what the pages hold once per app.

    :param gaps: the plan's gaps as ``build`` stored them (``plan.json``), or a function
        that reads them, for when the pages' database must be made here; validated when
        ``None`` (or when the function gives ``None``).
    :param db_path: the pages' database ``build`` wrote; used when it was made for
        ``data_version`` and this base IRI.
    :param data_version: the version of the data ``store`` serves.
    """
    base = settings.base_iri
    db = None
    if db_path is not None and data_version is not None:
        db = open_pages_db(db_path, base, data_version)
    if db is None:
        known = gaps() if callable(gaps) else gaps
        made = pages_db(
            store,
            base,
            known if known is not None else validated_gaps(store, settings),
            data_versions=[data_version] if data_version else [],
            page_rows=REMOTE_PAGE_ROWS if settings.store == "remote" else None,
        )
        db = PagesDB(made, "memory")
    return SiteData(load_vocabulary(store, base), StoredGaps(db), db)
