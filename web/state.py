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
from hamar_graph.publication.release import Release, dataset_from_store, store_release
from hamar_graph.sparql.cache import AnswerCache
from hamar_graph.sparql.description import GraphStats
from hamar_graph.sparql.description import graph_stats as count_graphs
from hamar_graph.sparql.pool import QueryPool
from hamar_graph.store import Store, StoreError, StoreUnavailable

T = TypeVar("T")

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
            if name not in self._values:
                try:
                    self._values[name] = make()
                except StoreError:
                    if retry_after > 0:
                        self._failed[name] = time.monotonic()
                    raise
                self._failed.pop(name, None)
        return self._values[name]  # type: ignore[no-any-return]

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

#: ``app.config`` key: set to False to let query processes keep network access (tests use
#: it to show that the parsing guard alone stops SERVICE).
ISOLATE_KEY = "HAMAR_SPARQL_ISOLATE_NETWORK"


def publication(app: Flask | None = None) -> Publication:
    """The app's publication: the build output, or made from the store on first use."""
    st = state(app)

    def make() -> Publication:
        return load_publication(st.settings) or make_publication(
            dataset_from_store(st.store), st.settings
        )

    return st.lazy("publication", make)


def release(app: Flask | None = None) -> Release:
    """Version and dates of the served data, for validators (much cheaper than
    :func:`publication`: milliseconds on the embedded store).

    :raises StoreError: when the store cannot answer; for :data:`RETRY_AFTER` seconds
        after that, :class:`~hamar_graph.store.base.StoreUnavailable` at once.
    """
    st = state(app)

    def make() -> Release:
        pub = st.peek("publication") or load_publication(st.settings)
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

    def make() -> SiteData:
        pub = st.peek("publication") or load_publication(st.settings)
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
            st.forget("site")
            data.db.close()

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
    return st.lazy("graph_stats", lambda: count_graphs(st.store))
