"""Literals holding HTML or script render as text on every page (issue 8, part 4).

A test graph holds the real data plus a twin city whose every literal is an
injection attempt, linked from Hamar kommune and Sweden like the real ones, and an
external link with a ``javascript:`` IRI. Each page type is parsed with
:mod:`html.parser`: the payloads must arrive as text, and the page must hold no
element, attribute or URL that the payloads tried to create. Request values that a
page echoes (the search words, a missing IRI, a SPARQL query) are checked the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from hamar_graph.namespaces import HMS
from hamar_graph.store.oxigraph import OxigraphStore
from web import create_app

BASE = "https://data.hamar.kommune.no/"
EVIL = URIRef(BASE + "id/vennskapsby/xss-prove")
HAMAR = URIRef(BASE + "id/organisasjon/hamar-kommune")
SWEDEN = URIRef(BASE + "id/land/sverige")
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
CLOSE = "</script><script>alert(2)</script><!--"
SINGLE = "' onmouseover='alert(3)' x='"
PAYLOADS = (SCRIPT, ATTRIBUTE, CLOSE, SINGLE)
JAVASCRIPT_IRI = "javascript:alert(4)"


def evil_graph(dataset: Dataset) -> Dataset:
    """A copy of ``dataset`` plus the hostile twin city in its own named graph."""
    out = Dataset()
    for quad in dataset.quads((None, None, None, None)):
        s, p, o, g = quad
        out.graph(getattr(g, "identifier", g)).add((s, p, o))
    g = out.graph(URIRef(BASE + "graph/data-xss-test"))
    for lang in ("nb", "en"):
        g.add((EVIL, SKOS.prefLabel, Literal(f"Xssby {SCRIPT}", lang=lang)))
        g.add((EVIL, RDFS.label, Literal(f"Xssby {SCRIPT}", lang=lang)))
        g.add((EVIL, SKOS.altLabel, Literal(ATTRIBUTE, lang=lang)))
    g.add((EVIL, RDF.type, HMS.TwinCity))
    g.add((EVIL, HMS.text, Literal(f"Tekst {ATTRIBUTE} {CLOSE}", lang="nb")))
    g.add((EVIL, HMS.textTranslation, Literal(f"Text {SINGLE} {CLOSE}", lang="en")))
    g.add((EVIL, HMS.country, SWEDEN))
    g.add((EVIL, HMS.mentions, SWEDEN))
    g.add((EVIL, HMS.fromSection, URIRef(BASE + "id/seksjon/4-3-boks")))
    g.add((EVIL, URIRef(GEO + "lat"), Literal("56.0", datatype=URIRef(XSD + "decimal"))))
    g.add((EVIL, URIRef(GEO + "long"), Literal("14.0", datatype=URIRef(XSD + "decimal"))))
    g.add((EVIL, OWL.sameAs, URIRef(JAVASCRIPT_IRI)))
    g.add((EVIL, RDFS.comment, Literal(SINGLE)))
    g.add((HAMAR, HMS.twinCity, EVIL))
    return out


XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def evil_store(dataset: Dataset) -> OxigraphStore:
    store = OxigraphStore()
    store.load(evil_graph(dataset))
    return store


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory: pytest.TempPathFactory, evil_store: OxigraphStore) -> Flask:
    # other data than the build's, so no build output: the app makes its pages' database
    # (search, indexes) from the store it serves, once for the module
    out = tmp_path_factory.mktemp("evil")
    app = create_app({"out_dir": out, "store_path": out / "store"}, store=evil_store)
    app.config["TESTING"] = True
    return app


@pytest.fixture()
def evil_client(evil_app: Flask) -> Iterator[FlaskClient]:
    with evil_app.test_client() as c:
        yield c
    from web.views import sparql

    sparql.close_pool(evil_app)


class Page(HTMLParser):
    """What a browser would build: elements with their attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def parse(body: str) -> Page:
    page = Page()
    page.feed(body)
    page.close()
    return page


def assert_inert(body: str) -> Page:
    """No element, attribute or URL in ``body`` comes from a payload."""
    page = parse(body)
    for tag, attrs in page.elements:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"<{tag}> has event handler attributes {handlers}"
        assert not (tag == "img" and attrs.get("src") == "x"), "an injected <img> was created"
        for name in ("href", "src", "action", "xlink:href", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith("javascript:"), f"<{tag} {name}={value!r}>"
    for attrs, text in page.scripts:
        assert attrs.get("src") or attrs.get("type") == "application/ld+json", (
            f"an inline executable script: {text[:80]!r}"
        )
        assert "alert(" not in text or attrs.get("type") == "application/ld+json"
    return page


def get_html(client: FlaskClient, path: str, lang: str = "nb") -> str:
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
    assert response.mimetype == "text/html", (path, response.status_code)
    return response.get_data(as_text=True)


ENTITY = "/id/vennskapsby/xss-prove"


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize(
    "path",
    [
        ENTITY,  # the entity page: title, labels, texts, external links, JSON-LD
        "/id/organisasjon/hamar-kommune",  # links to it by its label
        "/id/land/sverige",  # incoming links by its label
        "/id/vennskapsby/",  # the index page of its kind
        "/sok?q=xssby",  # search results
        "/",  # the home page: the twin-city map labels its cities
    ],
)
def test_payload_literals_render_as_text_on_every_page(
    evil_client: FlaskClient, path: str, lang: str
) -> None:
    body = get_html(evil_client, path, lang)
    page = assert_inert(body)
    assert f"Xssby {SCRIPT}" in page.all_text, f"the hostile label is not shown on {path}"
    assert SCRIPT not in body
    assert "<img src=x" not in body


def test_every_payload_is_shown_as_text_on_the_entity_page(evil_client: FlaskClient) -> None:
    for lang, expected in (
        ("nb", (SCRIPT, ATTRIBUTE, CLOSE)),
        ("en", (SCRIPT, SINGLE, CLOSE)),
    ):
        body = get_html(evil_client, ENTITY, lang)
        page = assert_inert(body)
        for payload in expected:
            assert payload in page.all_text, (lang, payload)


def test_json_ld_in_the_page_cannot_close_its_script_element(evil_client: FlaskClient) -> None:
    import json

    body = get_html(evil_client, ENTITY)
    page = assert_inert(body)
    blocks = [text for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    doc = json.loads(blocks[0])  # the whole block reached the parser inside one element
    names = {n["@value"] for n in doc["name"]}
    assert names == {f"Xssby {SCRIPT}"}
    assert "</script" not in blocks[0].lower()


def test_a_javascript_iri_is_never_a_link(evil_client: FlaskClient) -> None:
    body = get_html(evil_client, ENTITY)
    assert_inert(body)
    assert 'href="javascript:' not in body.lower()


@pytest.mark.parametrize(
    "path",
    [
        "/sok?q=" + quote(SCRIPT),
        "/sok?q=" + quote(ATTRIBUTE),
        "/id/vennskapsby/" + quote(SCRIPT, safe=""),
        "/id/" + quote(ATTRIBUTE, safe=""),
        "/def/" + quote(SCRIPT, safe=""),
        "/" + quote(CLOSE, safe=""),
        "/sparql?query=" + quote(f"SELECT * WHERE {{ ?s ?p '{SCRIPT}' }}"),
        "/sparql?query=" + quote(f"SELECT * WHERE {{ {ATTRIBUTE} }}"),
    ],
)
def test_request_values_echoed_by_a_page_are_escaped(evil_client: FlaskClient, path: str) -> None:
    response = evil_client.get(path, headers={"Accept": "text/html"})
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    if response.mimetype == "text/html":
        assert_inert(body)
    if response.mimetype == "text/html":
        for payload in PAYLOADS:
            assert payload not in body
    else:  # an error message for machines: never interpreted as HTML
        assert response.mimetype == "text/plain"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
