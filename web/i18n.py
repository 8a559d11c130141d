"""The language of a request's page.

The language is ``?lang=nb|en`` when given (the visible switch sets it and
every internal link keeps it), else the best match of ``Accept-Language``
(``no``/``nn`` count as Norwegian), else Norwegian. The words themselves are in
the library's one table (:mod:`hamar_graph.i18n`); templates read them with
``t('section.name')``.
"""

from __future__ import annotations

from flask import Request

from hamar_graph.i18n import DEFAULT_LANGUAGE, LANGUAGES

#: ``Accept-Language`` tags that get the Norwegian (bokmål) pages too.
_NORWEGIAN = {"no": "nb", "nn": "nb"}


def choose_language(request: Request) -> tuple[str, bool]:
    """The page language and whether the user chose it explicitly (``?lang=``), decided
    once per request (every link on a page asks)."""
    known = request.environ.get(_CHOSEN)
    if known is None:
        known = request.environ[_CHOSEN] = _choose(request)
    return known


_CHOSEN = "hamar_graph.language"


def _choose(request: Request) -> tuple[str, bool]:
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in LANGUAGES:
        return asked, True
    best = request.accept_languages.best_match(["nb", "no", "nn", "en"])
    if best:
        chosen = _NORWEGIAN.get(best.lower(), best.lower())
        return (chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE), False
    return DEFAULT_LANGUAGE, False
