"""Per-app state (web.state): made once, released by close, and made again after it."""

from __future__ import annotations

import sqlite3

import pytest

from hamar_graph.config import Settings
from hamar_graph.store.base import Store
from web import create_app, state


def test_an_app_used_after_close_makes_its_state_again(settings: Settings, store: Store) -> None:
    app = create_app({"out_dir": settings.out_dir, "store_path": settings.store_path}, store=store)
    app.config["TESTING"] = True
    with app.test_client() as client:
        assert client.get("/sok?q=lund").status_code == 200
        first = state.site(app).db
        assert state.site(app).db is first  # made once
        state.state(app).close()
        # the pages' database was closed with the app; a new request opens it again
        assert client.get("/sok?q=hamar").status_code == 200
        again = state.site(app).db
        assert again is not first
        assert again.rows("SELECT count(*) FROM resources")[0][0] > 0
    state.state(app).close()


def test_the_site_made_again_after_a_data_change_is_closed_once(
    settings: Settings, store: Store
) -> None:
    """A remote engine's reload drops the pages' data, which the next page makes again: one
    closer for the site, not one per reload (they piled up), and closing closes the one in
    use."""
    app = create_app({"out_dir": settings.out_dir, "store_path": settings.store_path}, store=store)
    app.config["TESTING"] = True
    st = state.state(app)
    closers = len(st._closers)
    for _ in range(3):
        made = state.site(app)
        st.forget_data(("site",))
    assert state.site(app) is not made
    assert len(st._closers) == closers + 1
    current = state.site(app).db
    st.close()
    assert st.peek("site") is None
    with pytest.raises(sqlite3.ProgrammingError):  # closed with the app
        current.rows("SELECT 1")
    again = state.site(app).db  # opened again on use, and closed again with the app
    assert again is not current and again.rows("SELECT 1") == [(1,)]
    st.close()
    with pytest.raises(sqlite3.ProgrammingError):
        again.rows("SELECT 1")
