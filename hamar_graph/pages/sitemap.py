"""Every page of the site, the sitemap (https://www.sitemaps.org/protocol.html) with each
page's language versions (``hreflang`` alternates, https://developers.google.com/search/docs/specialty/international/localized-versions#sitemap),
and robots.txt."""

from __future__ import annotations

import datetime as dt
from html import escape

from rdflib import Literal

from hamar_graph.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hamar_graph.namespaces import sparql_prologue
from hamar_graph.store.base import Store

#: Every subject IRI that starts with ``?prefix``.
SUBJECTS_UNDER = (
    sparql_prologue()
    + """
SELECT DISTINCT ?s ?prefix WHERE {
  ?s ?p ?o .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?prefix)))
}
"""
)


#: Ontology terms (classes and properties) whose IRI starts with ``?prefix``.
TERMS_UNDER = (
    sparql_prologue()
    + """
SELECT DISTINCT ?s ?prefix WHERE {
  VALUES ?t { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty
              owl:AnnotationProperty rdf:Property }
  ?s a ?t .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?prefix)))
}
"""
)


#: Pages that exist whatever the data: home, registers, completeness, catalogue, VoID.
FIXED_PAGES: tuple[str, ...] = (
    "/",
    "/id/",
    "/def/",
    "/fullstendighet",
    "/ansvar",
    "/catalog",
    "/catalog/dcat-ap-no",
    "/.well-known/void",
    "/download/",
)


def page_paths(store: Store, base_iri: str) -> list[str]:
    """Every page of the site, as paths (``/id/vennskapsby/lund``), sorted.

    :param store: the graph.
    :param base_iri: resources under ``{base}id/`` and terms under ``{base}def/`` are pages.

    .. versionadded:: 0.1
    """
    paths = set(FIXED_PAGES)
    id_prefix = base_iri + "id/"
    for row in store.select(SUBJECTS_UNDER, {"prefix": Literal(id_prefix)}):
        rest = str(row["s"])[len(id_prefix) :]
        if not rest or "#" in rest or "?" in rest:
            continue
        paths.add("/id/" + rest)
        if "/" in rest:
            paths.add("/id/" + rest.split("/", 1)[0] + "/")
    # The data's own documents: the named graphs and the shapes have pages too.
    for root in ("graph/", "shapes/"):
        for row in store.select(SUBJECTS_UNDER, {"prefix": Literal(base_iri + root)}):
            rest = str(row["s"])[len(base_iri) :]
            if "#" not in rest and "?" not in rest:
                paths.add("/" + rest)
    def_prefix = base_iri + "def/"
    for row in store.select(TERMS_UNDER, {"prefix": Literal(def_prefix)}):
        rest = str(row["s"])[len(def_prefix) :]
        if rest and "#" not in rest and "?" not in rest:
            paths.add("/def/" + rest)
    ontology = store.select(
        sparql_prologue() + "SELECT ?s ?prefix WHERE { ?s a owl:Ontology . "
        "FILTER(STRSTARTS(STR(?s), STR(?prefix))) }",
        {"prefix": Literal(def_prefix)},
    )
    for row in ontology:
        paths.add("/def/" + str(row["s"])[len(def_prefix) :])
    return sorted(paths)


def language_versions(root: str, path: str) -> list[tuple[str, str]]:
    """``(hreflang, URL)`` of every language version of the page at ``path``: Norwegian at
    the plain URL (the default), English with ``?lang=en``, and ``x-default``."""
    url = root + path
    out = [(lang, url if lang == DEFAULT_LANGUAGE else f"{url}?lang={lang}") for lang in LANGUAGES]
    return [*out, ("x-default", url)]


def sitemap_xml(root: str, paths: list[str], modified: dt.date) -> bytes:
    """A sitemap listing every language version of ``root`` + each path, each with all its
    language versions as ``xhtml:link`` alternates, all last modified on ``modified``.

    :param root: the site's URL without the trailing slash (``https://data.hamar.kommune.no``).
    """
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for path in paths:
        versions = language_versions(root, path)
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href="{escape(url)}"/>'
            for lang, url in versions
        )
        for lang, url in versions:
            if lang == "x-default":
                continue
            lines.append(
                f"  <url><loc>{escape(url, quote=False)}</loc>"
                f"<lastmod>{modified.isoformat()}</lastmod>{links}</url>"
            )
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(root: str) -> str:
    """``robots.txt``: everything may be crawled except SPARQL queries; where the sitemap is."""
    return f"User-agent: *\nDisallow: /sparql\nAllow: /\n\nSitemap: {root}/sitemap.xml\n"
