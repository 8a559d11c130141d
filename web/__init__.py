"""The Flask app: SPARQL endpoint, entity pages, catalogue and dumps.

Routes parse the request, call one :mod:`hamar_graph` function and pick a
response format. The app holds no RDF logic and no module-level state: the
Store and the Settings live on ``app.extensions``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from hamar_graph.build.open import open_store
from hamar_graph.config import Settings
from hamar_graph.store.base import Store


def create_app(test_config: dict[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """Build the app.

    :param test_config: setting overrides (field names of :class:`~hamar_graph.config.Settings`).
    :param store: an already opened Store (tests swap engines this way); by default the
        configured one is opened.
    """
    settings = Settings.from_env(**(test_config or {}))
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_query_bytes
    app.extensions["hamar_settings"] = settings

    from web import security

    security.init_app(app)  # first: headers, limits, rate limit, no debug (SECURITY.md)
    from web import http_cache

    http_cache.init_app(app)  # before the blueprints, so its after_request runs after theirs
    app.extensions["hamar_store"] = store if store is not None else open_store(settings)

    from web.views import pages

    app.register_blueprint(pages.bp)

    from web.views import publication

    app.register_blueprint(publication.bp)

    from web.views import sparql

    app.register_blueprint(sparql.bp)
    return app


def get_settings() -> Settings:
    """The Settings of the current app."""
    from flask import current_app

    return current_app.extensions["hamar_settings"]  # type: ignore[no-any-return]


def get_store() -> Store:
    """The Store of the current app."""
    from flask import current_app

    return current_app.extensions["hamar_store"]  # type: ignore[no-any-return]
