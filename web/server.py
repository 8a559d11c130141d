"""``hamar-graph serve``: the app under granian, a production HTTP server written in Rust.

Flask's development server is never used. granian parses HTTP and keeps the connections
in Rust; the app runs in ``settings.threads`` Python threads of each of
``settings.workers`` processes (forked from the one ``serve`` started, which preloads the
app's modules, caps malloc's arenas and freezes its objects, so that the workers share
those pages with it: :func:`run_serve`). Each process builds its own app
(:func:`web.create_app`), opens the store read-only and starts its pool of sandboxed
query processes (:mod:`hamar_graph.sparql.pool`) before it takes requests.

Why granian rather than gunicorn (measured on this project's 2-core machine, ``wrk -t2
-c16``, one worker process; benchmarks/README.md, "Query path"): a bare WSGI answer
3,566 req/s under gunicorn's ``gthread`` worker and 25,509 under granian; a minimal
Flask view 2,018 and 9,279. Our query path is a few of those Flask views' worth of work,
so the HTTP server was most of its fixed cost.

The app writes its own ``Server: hamar-graph`` header, which granian keeps (it adds its
own only when the app sends none); requests granian refuses before the app (a malformed
request line) get a bare 400 with no ``Server`` header at all. A URL longer than
``settings.max_url_bytes`` reaches the app, which answers 414. On SIGTERM (or SIGINT)
granian stops accepting and lets running requests finish, for up to one query deadline
plus five seconds; the query processes end with their worker (their fork server stops
when its control socket closes).
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
from pathlib import Path
from typing import Any

from hamar_graph.config import ENV_PREFIX, Settings
from hamar_graph.process_memory import limit_malloc_arenas

log = logging.getLogger(__name__)

#: granian's import path of the app factory each worker process calls.
TARGET = "web.server:worker_app"

#: Largest request head (request line and headers) granian reads, in bytes: the app
#: answers 414 for a URL past ``max_url_bytes``, so the head must hold such a URL.
MIN_HEAD_BYTES = 64 * 1024


def server_options(settings: Settings) -> dict[str, Any]:
    """granian's configuration for ``settings`` (keyword arguments of ``granian.Granian``).

    .. versionadded:: 0.2
    """
    from granian.constants import Interfaces
    from granian.http import HTTP1Settings

    head = max(MIN_HEAD_BYTES, 4 * settings.max_url_bytes)
    return {
        "target": TARGET,
        "factory": True,
        "interface": Interfaces.WSGI,
        "address": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "blocking_threads": settings.threads,
        "backlog": 2048,
        "http1_settings": HTTP1Settings(max_buffer_size=head),
        # A graceful stop waits one query deadline for running requests, then kills.
        "workers_kill_timeout": int(settings.query_timeout + 5),
        "respawn_failed_workers": True,
        "log_access": False,
        "websockets": False,
    }


def settings_environment(settings: Settings) -> dict[str, str]:
    """``settings`` as ``HAMAR_GRAPH_*`` variables, for the worker processes.

    .. versionadded:: 0.2
    """
    env: dict[str, str] = {}
    for field in dataclasses.fields(Settings):
        value = getattr(settings, field.name)
        if value is None:
            continue
        env[ENV_PREFIX + field.name.upper()] = (
            str(value) if not isinstance(value, Path) else os.fspath(value)
        )
    return env


def worker_app() -> Any:
    """The app of one worker process (granian calls this once per worker): built from
    the ``HAMAR_GRAPH_*`` variables ``serve`` set, with its query processes started."""
    from web import create_app, state

    app = create_app()
    try:
        state.pool(app)
    except Exception:  # the first /sparql request will try again and report
        log.exception("the query processes could not start")
    return app


def run_serve(settings: Settings) -> None:
    """Serve the app with granian until interrupted.

    .. versionadded:: 0.1
    """
    from granian import Granian

    from web.security import DebugModeRefused

    if os.environ.get("FLASK_DEBUG", "").strip().lower() not in ("", "0", "false", "no"):
        raise DebugModeRefused(
            "Flask's debug mode is on (FLASK_DEBUG is set): it would show stack traces "
            "and allow code execution to anyone. Unset FLASK_DEBUG to serve."
        )
    os.environ.update(settings_environment(settings))
    # Imported here, in the process granian forks its workers from: they start with
    # the app's modules loaded (and share those pages until they write to them).
    import web  # noqa: F401

    limit_malloc_arenas(settings.malloc_arenas)
    # Every object made so far (mostly the modules) leaves the collector's care: the
    # workers' collections then never write to those objects' pages, which stay shared
    # with this process instead of being copied into each worker.
    gc.collect()
    gc.freeze()
    Granian(**server_options(settings)).serve()
