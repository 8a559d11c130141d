"""``hamar-graph serve``: the app under gunicorn, a production multi-process WSGI server.

Flask's development server is never used. gunicorn runs ``settings.workers``
processes of the ``gthread`` worker class with ``settings.threads`` threads each;
every process builds its own app (:func:`web.create_app`), opens the store and
starts its pool of sandboxed query workers before it takes requests
(:mod:`hamar_graph.sparql.pool`). The ``Server`` header names no product version.

gunicorn's own limits are set so that the app's answers stay the ones a client
sees: the request line may be as long as ``settings.max_url_bytes`` allows (the
app answers 414 beyond it), and a worker is only declared hung well after the
query deadline.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from hamar_graph.config import Settings

log = logging.getLogger(__name__)


#: gunicorn's largest request line (``limit_request_line`` accepts 0..8190).
GUNICORN_MAX_LINE = 8190


#: "GET " + " HTTP/1.1" around the URL.
REQUEST_LINE_OVERHEAD = 16


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """The gunicorn configuration for ``settings``.

    .. versionadded:: 0.1
    """
    line = settings.max_url_bytes + REQUEST_LINE_OVERHEAD
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        # gthread's heartbeat runs beside the request threads; a worker is hung only when
        # it misses it far past any query's deadline.
        "timeout": int(max(60, settings.query_timeout * 3)),
        "graceful_timeout": int(settings.query_timeout + 5),
        "keepalive": 5,
        # 0 means "no limit" to gunicorn; the app itself answers 414 past max_url_bytes.
        "limit_request_line": line if line <= GUNICORN_MAX_LINE else 0,
        "preload_app": False,
        "proc_name": "hamar-graph",
        # No runtime control socket: nothing to manage the server from outside, and
        # several servers on one machine do not share one socket path.
        "control_socket_disable": True,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
    }


def post_worker_init(worker: Any) -> None:
    """gunicorn hook: hide the server's name, then start the query workers before serving."""
    from web import security, state

    security.post_worker_init(worker)
    app = getattr(worker, "wsgi", None)
    if app is not None and state.KEY in getattr(app, "extensions", {}):
        try:
            state.pool(app)
        except Exception:  # the first /sparql request will try again and report
            log.exception("the query workers could not start")


def worker_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: stop this process's query workers."""
    from web import state

    app = getattr(worker, "wsgi", None)
    if app is not None and state.KEY in getattr(app, "extensions", {}):
        state.state(app).close()


class HamarServer(BaseApplication):  # type: ignore[misc]
    """gunicorn application that builds the Flask app with :func:`web.create_app`.

    :param settings: the deployment's settings (every field is handed to the app).
    :param options: gunicorn settings; :func:`gunicorn_options` by default.

    .. versionadded:: 0.1
    """

    def __init__(self, settings: Settings, options: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.options = options if options is not None else gunicorn_options(settings)
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from web import create_app

        overrides = {f.name: getattr(self.settings, f.name) for f in dataclasses.fields(Settings)}
        return create_app(overrides)


def run_serve(settings: Settings) -> None:
    """Serve the app with gunicorn until interrupted.

    .. versionadded:: 0.1
    """
    from web.security import conceal_server_header

    conceal_server_header()
    HamarServer(settings).run()
