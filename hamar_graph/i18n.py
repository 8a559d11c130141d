"""The interface's own words in Norwegian (bokmål) and English: one table for the pages,
the CLI's reports and the catalogue.

The words live in ``hamar_graph/text.toml``, one ``[section]`` per area, each key a table
``{ nb = "...", en = "..." }`` (placeholders in :meth:`str.format` style, the same in
both languages). A key is ``section.name``: ``text("page.search_hint", "en")``.
Labels of standard-vocabulary terms are in section ``terms``, keyed by prefixed name
(``"skos:prefLabel"``, expanded with :data:`hamar_graph.namespaces.PREFIXES`).

The file is read once, through :mod:`importlib.resources`, so it works installed.
Which language a request gets is the web app's business (:mod:`web.i18n`).
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

#: The languages the interface is offered in; the first is the default.
LANGUAGES: tuple[str, ...] = ("nb", "en")


DEFAULT_LANGUAGE = "nb"


@functools.cache
def table() -> dict[str, dict[str, dict[str, str]]]:
    """The whole table: section → name → language → text (read once)."""
    raw = resources.files("hamar_graph").joinpath("text.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def _entry(key: str) -> dict[str, str]:
    section_name, _, name = key.partition(".")
    try:
        return table()[section_name][name]
    except KeyError:
        raise KeyError(f"no interface text {key!r} in hamar_graph/text.toml") from None


def text(key: str, lang: str, **values: object) -> str:
    """The text ``key`` (``section.name``) in ``lang``, in Norwegian when ``lang`` has
    none, formatted with ``values`` when given.

    :raises KeyError: for a key the table does not hold (the message names it).
    """
    entry = _entry(key)
    found = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    return found.format(**values) if values else found


def texts(key: str) -> dict[str, str]:
    """The text ``key`` in every language of :data:`LANGUAGES`, in that order."""
    entry = _entry(key)
    return {lang: entry.get(lang) or entry[DEFAULT_LANGUAGE] for lang in LANGUAGES}


def section(name: str) -> dict[str, dict[str, str]]:
    """Every text of one section, in file order: name → language → text (a copy).

    :raises KeyError: for a section the table does not hold.
    """
    try:
        found = table()[name]
    except KeyError:
        raise KeyError(f"no section {name!r} in hamar_graph/text.toml") from None
    return {key: dict(value) for key, value in found.items()}
