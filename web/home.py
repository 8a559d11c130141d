"""A minimal home page until the pages blueprint lands."""

from __future__ import annotations

from flask import Blueprint

from hamar_graph import __version__

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> tuple[str, int, dict[str, str]]:
    """The home page."""
    html = (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
        "<title>Hamar kommune: internasjonal strategi</title></head>"
        f"<body><h1>Hamar kommune: internasjonal strategi</h1><p>Versjon {__version__}.</p>"
        '<p><a href="/sparql">SPARQL</a></p></body></html>'
    )
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}
