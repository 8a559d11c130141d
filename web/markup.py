"""The pages' smallest pieces of HTML, written in Python: a text in its language, a
``lang`` attribute, a link, a group of search hits.

Every page calls them once per value shown (a named graph's page 50 links, a search page
50 hits); as Jinja macros each call cost several microseconds of template machinery, as
functions one, and less again written as plain string joins of escaped values
(:func:`_markup`) than with ``Markup``'s ``%``. Templates call them as ``text(t, lang)``,
``lang_attr(t, lang)``, ``link(l, lang)`` and ``search_hits(hits, lang)``
(:func:`web.views.pages._helpers` puts them in every template's context); what they
write is exactly what the macros wrote (``hamar-graph export-site`` before and after gave
the same 3,088 files, and 19 search pages the same bytes).

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from markupsafe import Markup, escape

_EXTERNAL_SCHEMES = ("http://", "https://")


def lang_attr(t: Any, page_lang: str) -> Markup:
    """`` lang="…"`` for a text (:class:`~hamar_graph.pages.labels.Text`) in another
    language than the page's, else nothing."""
    if t and t.lang and t.lang != page_lang:
        return _markup((' lang="', escape(t.lang), '"'))
    return Markup("")


def text(t: Any, page_lang: str) -> Markup:
    """A text, in a ``span`` that names its language when it is not the page's."""
    if t.lang and t.lang != page_lang:
        return _markup(('<span lang="', escape(t.lang), '">', escape(t.value), "</span>"))
    return escape(t.value)


def link(l: Any, page_lang: str, href: Callable[[str], str]) -> Markup:  # noqa: E741
    """A :class:`~hamar_graph.pages.values.Link`: an internal link through ``href`` (which
    keeps the chosen language), an external one marked ``rel="external"``, or its label
    alone when it is plain or not a web address."""
    label, value = lang_attr(l.label, page_lang), escape(l.label.value)
    if l.plain or (l.external and not l.href.lower().startswith(_EXTERNAL_SCHEMES)):
        return _markup(("<span", label, ">", value, "</span>"))
    if l.external:
        return _markup(('<a href="', escape(l.href), '" rel="external"', label, ">", value, "</a>"))
    return _markup(('<a href="', escape(href(l.href)), '"', label, ">", value, "</a>"))


def search_hits(hits: Any, page_lang: str, href: Callable[[str], str]) -> Markup:
    """The ``li`` items of one group of search hits
    (:class:`~hamar_graph.pages.search.SearchHit`): the linked label, the kind in
    brackets, and the snippet that matched (what the template's loop wrote, at a third of
    its cost)."""
    parts: list[str] = []
    keep = href("")  # what ``href`` adds to every path: the chosen language, if any
    for hit in hits:
        label = hit.label
        parts += ('\n    <li>\n      <a href="', escape(hit.path + keep), '"')
        if label.lang and label.lang != page_lang:
            parts += (' lang="', escape(label.lang), '"')
        parts += (">", escape(label.value), "</a>")
        if hit.type_label:
            parts += (' <span class="type-note">(', escape(hit.type_label), ")</span>")
        if hit.snippet:
            parts += ('<p class="snippet">', text(hit.snippet, page_lang), "</p>")
        parts.append("\n    </li>")
    return _markup(parts)


def _markup(parts: Iterable[str]) -> Markup:
    """``parts`` joined as markup: the fixed pieces of HTML written above, every value in
    them passed through :func:`~markupsafe.escape` (or :func:`text`) by the caller.
    (``Markup.join`` would escape the fixed pieces again, one call each: a tenth of a
    millisecond per page of hits.)"""
    return Markup("".join(parts))  # noqa: S704  # nosec B704


__all__ = ["lang_attr", "link", "search_hits", "text"]
