"""The Flask app: SPARQL endpoint, entity pages, catalogue and dumps.

Routes parse the request, call one :mod:`hamar_graph` function and pick a
response format. The app holds no RDF logic and no module-level state: its
settings, store and everything made once live in one :class:`web.state.AppState`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from hamar_graph.build.open import open_store
from hamar_graph.config import Settings
from hamar_graph.store import Store
from web import assets, http_cache, page_cache, security, sparql_fast, state
from web.views import pages, publication, sparql


def create_app(test_config: dict[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """Build the app.

    :param test_config: setting overrides (field names of :class:`~hamar_graph.config.Settings`).
    :param store: an already opened Store (tests swap engines this way); by default the
        configured one is opened.
    """
    settings = Settings.from_env(**(test_config or {}))
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes
    state.init_app(app, settings, store if store is not None else open_store(settings))
    security.init_app(app)  # first: headers, limits, rate limit, no debug (SECURITY.md)
    http_cache.init_app(app)  # before the blueprints, so its after_request runs after theirs
    assets.init_app(app)  # versioned static URLs: cached for a year, gzipped
    app.register_blueprint(pages.bp)
    app.register_blueprint(publication.bp)
    app.register_blueprint(sparql.bp)
    sparql_fast.init_app(app)  # the endpoint's data requests, without Flask's dispatch
    page_cache.init_app(app)  # finished pages, kept (outermost)
    return app
