"""The pages' smallest pieces of HTML (web.markup): a text names its language only when it
is not the page's, every value is escaped, and a link goes where its kind says."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from hamar_graph.pages.labels import Text
from hamar_graph.pages.values import Link
from web.markup import lang_attr, link, text


def _href(path: str) -> str:
    return path + "?lang=en"


def test_a_text_in_the_page_language_is_only_escaped() -> None:
    assert text(Text('Økt <kunnskap> & "nivå"', "nb"), "nb") == (
        "Økt &lt;kunnskap&gt; &amp; &#34;nivå&#34;"
    )
    assert text(Text("Lund", None), "en") == "Lund"


def test_a_text_in_another_language_names_it() -> None:
    assert text(Text("Twin <city>", "en"), "nb") == '<span lang="en">Twin &lt;city&gt;</span>'
    assert lang_attr(Text("x", "en"), "nb") == ' lang="en"'
    assert lang_attr(Text("x", "nb"), "nb") == lang_attr(None, "nb") == ""
    assert lang_attr(Text("x", 'en" onclick="x'), "nb") == ' lang="en&#34; onclick=&#34;x"'


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (
            Link(
                "https://data.hamar.kommune.no/id/vennskapsby/lund",
                "/id/vennskapsby/lund",
                Text("Lund", "nb"),
            ),
            '<a href="/id/vennskapsby/lund?lang=en" lang="nb">Lund</a>',
        ),
        (
            Link(
                "https://www.wikidata.org/wiki/Q2167",
                "https://www.wikidata.org/wiki/Q2167",
                Text("Lund <kommune>", None),
                external=True,
            ),
            '<a href="https://www.wikidata.org/wiki/Q2167" rel="external">Lund &lt;kommune&gt;</a>',
        ),
        (
            Link("urn:isbn:1", "urn:isbn:1", Text("En bok", "nb"), external=True),
            '<span lang="nb">En bok</span>',
        ),
        (
            Link("http://www.w3.org/2001/XMLSchema#string", "x", Text("tekst", "en"), plain=True),
            "<span>tekst</span>",
        ),
        (
            Link("https://e.org/a", 'https://e.org/"><script>', Text("a", "en"), external=True),
            '<a href="https://e.org/&#34;&gt;&lt;script&gt;" rel="external">a</a>',
        ),
    ],
)
def test_links(made: Link, expected: str) -> None:
    written = link(made, "en", _href)
    assert isinstance(written, Markup)
    assert written == expected
