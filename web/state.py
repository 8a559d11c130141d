"""Per-app state: the one place that holds what an app computes or opens once.

Every app made by :func:`web.create_app` carries one :class:`AppState` in
``app.extensions["hamar"]``: its settings and store, and values made on first use
and kept for the app's lifetime (the publication, the data's release, the pages'
site data, the query pool). :meth:`AppState.lazy` makes each of them once, even when
many request threads ask at the same time. Nothing is held at module level, so two
apps in one process (tests, the static export) never share state.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app

from hamar_graph.build.completeness import PLAN_FILE, PlanGaps
from hamar_graph.build.pages_db import PAGES_FILE
from hamar_graph.config import Settings
from hamar_graph.pages.site import SiteData, site_data
from hamar_graph.publication.publish import Publication, load_publication, make_publication
from hamar_graph.publication.release import (
    Release,
    dataset_from_store,
    store_release,
    version_label,
)
from hamar_graph.sparql.cache import AnswerCache
from hamar_graph.sparql.description import GraphStats
from hamar_graph.sparql.description import graph_stats as count_graphs
from hamar_graph.sparql.pool import QueryPool
from hamar_graph.store import Store, StoreError, StoreUnavailable
from hamar_graph.store.remote import RemoteStore

T = TypeVar("T")

log = logging.getLogger(__name__)

#: The key of the state in ``app.extensions``.
KEY = "hamar"

#: Seconds to wait before asking a store that failed for a value again.
RETRY_AFTER = 30.0


@dataclass
class AppState:
    """What one app holds: settings, store, and values made once on first use.

    .. versionadded:: 0.2
    """

    settings: Settings
    store: Store
    _values: dict[str, Any] = field(default_factory=dict, repr=False)
    _failed: dict[str, float] = field(default_factory=dict, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)
    #: The remote engine's data version at the last check (:func:`follow_data`).
    engine_version: str | None = None
    _next_check: float = field(default=0.0, repr=False)
    _checking: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: Counts :meth:`forget_data` calls.
    generation: int = 0

    def lazy(self, name: str, make: Callable[[], T], *, retry_after: float = 0.0) -> T:
        """The value called ``name``, made by ``make()`` the first time it is asked for.

        Threads asking at once wait for the one that makes it. When ``make`` raises
        :class:`~hamar_graph.store.base.StoreError` and ``retry_after`` is positive, the value
        is not tried again for that many seconds: callers get
        :class:`~hamar_graph.store.base.StoreUnavailable` at once, so a store that is down does
        not slow every answer down.
        """
        try:
            return self._values[name]  # type: ignore[no-any-return]
        except KeyError:
            pass
        failed = self._failed.get(name)
        if failed is not None and time.monotonic() - failed < retry_after:
            raise StoreUnavailable(f"{name} is unknown while the store is down")
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name in self._values:
                return self._values[name]  # type: ignore[no-any-return]
            generation = self.generation
            try:
                value = make()
            except StoreError:
                if retry_after > 0:
                    self._failed[name] = time.monotonic()
                raise
            self._failed.pop(name, None)
            with self._guard:
                if generation == self.generation:
                    self._values[name] = value
        return value

    def peek(self, name: str) -> Any | None:
        """The value called ``name`` if it was made already, else ``None`` (never makes it)."""
        return self._values.get(name)

    def put(self, name: str, value: Any) -> None:
        """Set the value called ``name`` (for values made elsewhere)."""
        self._values[name] = value

    def forget(self, name: str) -> Any | None:
        """Drop the value called ``name`` and return it (``None`` when there was none)."""
        return self._values.pop(name, None)

    def on_close(self, closer: Callable[[], None]) -> None:
        """Call ``closer`` when the app is closed (:meth:`close`)."""
        self._closers.append(closer)

    def close(self) -> None:
        """Release what the app holds (query processes ...); the app cannot serve after."""
        while self._closers:
            self._closers.pop()()

    def check_due(self, interval: float) -> bool:
        """True for the one caller that should check the data now: at most once per
        ``interval`` seconds, and never while another caller checks (the others go on)."""
        if time.monotonic() < self._next_check or not self._checking.acquire(blocking=False):
            return False
        try:
            now = time.monotonic()
            if now < self._next_check:
                return False
            self._next_check = now + interval
            return True
        finally:
            self._checking.release()

    def forget_data(self, names: tuple[str, ...]) -> None:
        """Drop the values ``names``; one being made meanwhile is handed to its caller but
        not kept (it may come from the data before the change)."""
        with self._guard:
            self.generation += 1
            for name in names:
                self._values.pop(name, None)


def init_app(app: Flask, settings: Settings, store: Store) -> AppState:
    """Give ``app`` its state.

    .. versionadded:: 0.2
    """
    state = AppState(settings, store)
    app.extensions[KEY] = state
    return state


def state(app: Flask | None = None) -> AppState:
    """The state of ``app`` (the current app by default)."""
    target = app if app is not None else current_app
    return target.extensions[KEY]  # type: ignore[no-any-return]


def settings() -> Settings:
    """The current app's settings."""
    return state().settings


def store() -> Store:
    """The current app's store."""
    return state().store


# --- the values every app makes once ---------------------------------------------------

#: The values an app makes from the data: made again when a remote engine's data changes.
DATA_VALUES = ("release", "publication", "site", "graph_stats")


def follow_data(st: AppState) -> None:
    """On a remote engine, check its data version at most every ``data_check`` seconds
    (one tiny query, by the request that finds the check due): when it differs from the
    version at the last check (``hamar-graph load`` replaced the data), forget
    :data:`DATA_VALUES`, so the pages, the validators and the catalogue are made again
    from what the engine holds, without a restart. An engine without a data version, or
    one that does not answer, changes nothing (the requests that need it say so)."""
    store, interval = st.store, st.settings.data_check
    if not isinstance(store, RemoteStore) or interval <= 0 or not st.check_due(interval):
        return
    try:
        current = store.data_version()
    except StoreError:
        return
    if current is None:
        return
    if st.engine_version is not None and current != st.engine_version:
        log.warning(
            "the data at %s changed (version %s, was %s): making the pages, validators and "
            "catalogue again from it",
            store.endpoint,
            current[:12],
            st.engine_version[:12],
        )
        st.forget_data(DATA_VALUES)
    st.engine_version = current


def built_publication(st: AppState) -> Publication | None:
    """The publication ``build`` wrote (``out_dir``), when it describes the data served: on
    a remote engine that holds a data version, only when it was built from that data.
    Otherwise the values are made from the engine, and the log says to build again."""
    pub = load_publication(st.settings)
    store = st.store
    if pub is None or not isinstance(store, RemoteStore):
        return pub
    engine = store.data_version()
    if engine is None or pub.meta.data_version == version_label(engine):
        return pub
    log.warning(
        "%s was built from other data (%s) than the engine at %s holds (%s): serving the "
        "engine's data, made from it; run `hamar-graph build` on the data loaded",
        st.settings.out_dir,
        pub.meta.data_version,
        store.endpoint,
        version_label(engine),
    )
    return None


#: ``app.config`` key: set to False to let query processes keep network access (tests use
#: it to show that the parsing guard alone stops SERVICE).
ISOLATE_KEY = "HAMAR_SPARQL_ISOLATE_NETWORK"


def publication(app: Flask | None = None) -> Publication:
    """The app's publication: the build output, or made from the store on first use."""
    st = state(app)
    follow_data(st)

    def make() -> Publication:
        return built_publication(st) or make_publication(dataset_from_store(st.store), st.settings)

    return st.lazy("publication", make)


def release(app: Flask | None = None) -> Release:
    """Version and dates of the served data, for validators (much cheaper than
    :func:`publication`: milliseconds on the embedded store).

    :raises StoreError: when the store cannot answer; for :data:`RETRY_AFTER` seconds
        after that, :class:`~hamar_graph.store.base.StoreUnavailable` at once.
    """
    st = state(app)
    follow_data(st)

    def make() -> Release:
        pub = st.peek("publication") or built_publication(st)
        if pub is None:
            return store_release(st.store)
        st.put("publication", pub)
        return Release(pub.meta.data_version, pub.meta.issued, pub.meta.modified)

    return st.lazy("release", make, retry_after=RETRY_AFTER)


def site(app: Flask | None = None) -> SiteData:
    """What the pages hold once per app: ontology labels and the pages' database (search
    index, index lists, strategies, plan gaps), opened from the output folder when
    ``build`` wrote it for the data served (:data:`~hamar_graph.build.pages_db.PAGES_FILE`,
    listed in the manifest), else made once from the store."""
    st = state(app)
    follow_data(st)

    def make() -> SiteData:
        pub = st.peek("publication") or built_publication(st)
        listed = pub is not None and pub.directory is not None and PAGES_FILE in pub.extras
        db_path = pub.directory / PAGES_FILE if listed and pub and pub.directory else None

        def stored_gaps() -> PlanGaps | None:
            raw = pub.read_extra(PLAN_FILE) if pub is not None else None
            return PlanGaps.from_json(raw) if raw else None

        data = site_data(
            st.store,
            st.settings,
            stored_gaps,
            db_path=db_path,
            data_version=release(app).data_version,
        )

        def forget_site() -> None:  # an app used after its close opens the database again
            st.forget("site_closer")  # (and registers this again)
            made = st.forget("site")
            if made is not None:
                made.db.close()

        if st.peek("site_closer") is None:  # once: a reload makes the site again, not this
            st.put("site_closer", forget_site)
            st.on_close(forget_site)
        return data

    return st.lazy("site", make)


def pool(app: Flask | None = None) -> QueryPool:
    """The app's query pool, started on first use (and stopped by :meth:`AppState.close`)."""
    target = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
    st = state(target)

    def make() -> QueryPool:
        settings = st.settings
        started = QueryPool(
            st.store.engine_source(),
            size=settings.query_workers,
            timeout=settings.query_timeout,
            memory_mb=settings.query_memory_mb,
            isolate_network=bool(target.config.get(ISOLATE_KEY, True)),
            budget=settings.query_budget,
            long_after=settings.long_query,
            max_in_flight=sparql_threads(settings),
            malloc_arenas=settings.malloc_arenas,
            engine=settings.query_engine,
        )
        started.start(wait=True)
        atexit.register(started.close)
        st.on_close(lambda: close_pool(target))
        return started

    return st.lazy("pool", make)


def sparql_threads(settings: Settings) -> int:
    """Request threads that SPARQL queries may hold at once (running or waiting for a
    query process); the rest, at least a quarter of them, stay free for pages."""
    return max(settings.query_workers, settings.threads - max(2, settings.threads // 4))


def close_pool(app: Flask) -> None:
    """Stop the app's query processes, if they were started."""
    running: QueryPool | None = state(app).forget("pool")
    if running is not None:
        running.close()
        atexit.unregister(running.close)


def answers(app: Flask | None = None) -> AnswerCache | None:
    """The app's SPARQL answer cache (:mod:`hamar_graph.sparql.cache`), or None when it is
    off (``answer_cache_mb`` 0) or the data can change under us (a remote engine)."""
    st = state(app)
    cache: AnswerCache | None = st.peek("answers")
    if cache is not None:
        return cache
    settings = st.settings
    if settings.answer_cache_mb <= 0 or st.store.name == "remote":
        return None
    return st.lazy("answers", lambda: AnswerCache(settings.answer_cache_mb * 2**20))


def graph_stats(app: Flask | None = None) -> GraphStats:
    """Triple counts of the store, for the service description."""
    st = state(app)
    follow_data(st)
    return st.lazy("graph_stats", lambda: count_graphs(st.store))
