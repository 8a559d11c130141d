"""Per-app state (web.state): made once, released by close, and made again after it."""

from __future__ import annotations

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
