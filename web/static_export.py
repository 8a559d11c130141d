"""Discovery (sitemap, robots.txt) and the static export of the whole publication.

:func:`page_paths` lists every page the site serves for the graph: the home
page, the index pages, one page per resource (``/id/…``) and per ontology term
(``/def/…``), the catalogue and the VoID description. The sitemap
(https://www.sitemaps.org/protocol.html) lists them; ``/robots.txt`` points to it.

:func:`export_site` writes the publication as static files (see its docstring).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urldefrag, urljoin, urlsplit

from hamar_graph.config import Settings
from hamar_graph.pages.sitemap import (
    page_paths,
)
from web import conneg, create_app, state

#: Query parameters whose pages are exported as files of their own: the page language
#: and the page number of index pages. Other queries (search, SPARQL) need the server.
STATIC_PARAMS: tuple[str, ...] = ("lang", "side")


#: Document suffixes of every resource and term.
DOCUMENT_SUFFIXES: tuple[str, ...] = tuple(conneg.SUFFIXES)


#: Paths (and path prefixes) whose resources have those documents.
NEGOTIATED: tuple[str, ...] = ("/id/", "/def/", "/catalog", "/.well-known/void")


_ATTRIBUTE = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>[^"]*)"')


_CSS_URL = re.compile(r"url\(\s*['\"]?(?P<url>[^'\")]+)['\"]?\s*\)")


_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Fetched:
    """One answer of the site: status, media type and body."""

    status: int
    media_type: str
    body: bytes


#: ``fetch(url, accept)``: answer a site-relative URL (path and query) as the app would.
Fetch = Callable[[str, str], Fetched]


@dataclass
class ExportReport:
    """What :func:`crawl_export` wrote, and what it could not.

    .. versionadded:: 0.1
    """

    files: dict[str, str] = field(default_factory=dict)  #: URL → file written
    failed: dict[str, int] = field(default_factory=dict)  #: URL → status
    skipped: set[str] = field(default_factory=set)  #: URLs that need the server


def static_path(url: str) -> str | None:
    """The file, relative to the export folder, that answers ``url`` on a static host.

    A path with a file extension is that file (``/catalog.ttl``); any other path is a
    folder with an ``index.html`` (``/id/akse/vennskapsbysamarbeid/index.html``), which
    static servers send for ``/id/akse/vennskapsbysamarbeid`` (after a redirect to the
    folder) and for the folder itself. ``?lang=en`` and ``?side=2`` become part of the
    file name (``index.lang-en.side-2.html``); ``?v=`` on a file (a static asset's
    version) is dropped; other queries give ``None``.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    path = unquote(parts.path) or "/"
    if not path.startswith("/") or "/../" in path + "/" or "\\" in path:
        return None
    last = path.rsplit("/", 1)[-1]
    if "." in last:
        # A file; ``?v=`` (the version of a static asset, web.assets) names the same file.
        return None if any(key != "v" for key, _ in query) else path.lstrip("/")
    if any(key not in STATIC_PARAMS for key, _ in query):
        return None
    folder = path if path.endswith("/") else path + "/"
    suffix = "".join(f".{key}-{_SAFE.sub('', value)}" for key, value in sorted(query))
    return f"{folder}index{suffix}.html".lstrip("/")


def _internal(url: str, page: str) -> str | None:
    """``url`` resolved against ``page`` when it is a relative link into the site, else ``None``.

    Absolute links, also those to ``{base}…``, are identifiers shown as links (the
    pages link named-graph and external IRIs); they are not followed.
    """
    url = url.replace("&amp;", "&")
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("#", "mailto:", "data:")):
        return None
    resolved = urljoin(page, url)
    return urldefrag(resolved)[0] or None


def _rewrite(html: str, page: str, prefix: str) -> str:
    """Point links with a static query at their files; prefix root-relative links."""

    def replace(match: re.Match[str]) -> str:
        raw = match.group("url")
        target = _internal(raw, page)
        if target is None:
            return match.group(0)
        fragment = raw.split("#", 1)[1] if "#" in raw else ""
        new = raw
        if urlsplit(target).query:
            file = static_path(target)
            if file is not None:
                new = "/" + file + (f"#{fragment}" if fragment else "")
        if new.startswith("/") and not new.startswith("//") and prefix != "/":
            new = prefix.rstrip("/") + new
        return f'{match.group("attr")}="{new}"'

    return _ATTRIBUTE.sub(replace, html)


def crawl_export(
    fetch: Fetch,
    target: Path,
    seeds: Iterable[str],
    base_iri: str,
    progress: Callable[[str], None] | None = None,
) -> ExportReport:
    """Fetch ``seeds`` and every page, asset and document they link to; write them as files.

    :param fetch: answers a site-relative URL (the app through its test client).
    :param target: the export folder.
    :param seeds: site-relative URLs to start from.
    :param base_iri: its path prefixes root-relative links, so that the copy works
        when it is hosted at the base.

    .. versionadded:: 0.1
    """
    prefix = urlsplit(base_iri).path or "/"
    report = ExportReport()
    queue = deque(seeds)
    seen: set[str] = set()
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        file = static_path(url)
        if file is None:
            report.skipped.add(url)
            continue
        last = urlsplit(url).path.rsplit("/", 1)[-1]
        accept = "text/html" if "." not in last else "*/*"
        answer = fetch(url, accept)
        if answer.status != 200:
            report.failed[url] = answer.status
            continue
        body = answer.body
        if answer.media_type == "text/html":
            html = body.decode("utf-8")
            for match in _ATTRIBUTE.finditer(html):
                link = _internal(match.group("url"), url)
                if link is not None and link not in seen:
                    queue.append(link)
            body = _rewrite(html, url, prefix).encode("utf-8")
        elif answer.media_type == "text/css":
            for match in _CSS_URL.finditer(body.decode("utf-8")):
                link = _internal(match.group("url"), url)
                if link is not None and link not in seen:
                    queue.append(link)
        path = target / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        report.files[url] = file
        if progress and len(report.files) % 200 == 0:
            progress(f"{len(report.files)} files")
    return report


def seed_urls(paths: Iterable[str], dump_names: Iterable[str]) -> list[str]:
    """Where the export starts: every page in English too, every document of every
    resource, the dumps, and the files only machines ask for."""
    seeds: list[str] = []
    for path in paths:
        seeds += [path, path + ("&" if "?" in path else "?") + "lang=en"]
        if path.startswith(NEGOTIATED) and not path.endswith("/"):
            seeds += [path + suffix for suffix in DOCUMENT_SUFFIXES]
    seeds += [f"/download/{name}" for name in dump_names]
    seeds += ["/sitemap.xml", "/robots.txt", "/sok", "/sparql"]
    return seeds


def export_site(
    settings: Settings, target: Path, progress: Callable[[str], None] | None = None
) -> ExportReport:
    """Write the whole publication into ``target`` as static files (``hamar-graph export-site``).

    Every page (in Norwegian and English, every index page), every resource and
    ontology term in every format, the catalogue (both profiles) and VoID in every
    format, the dumps, ``sitemap.xml`` and ``robots.txt``, and the static assets.
    The pages are the app's own answers (its test client, no server), so the copy
    equals what the server sends for ``Accept: text/html``. Content negotiation is
    not available on a static host: the RDF documents are at their suffix URLs
    (``/id/vennskapsby/lund.ttl``, ``/catalog.ttl``, ``/.well-known/void.ttl``).
    Searching and SPARQL queries need the server.

    :param settings: the deployment's settings; links are based on ``base_iri``.
    :param target: the folder to write (created if missing; files are overwritten).

    .. versionadded:: 0.1
    """

    app = create_app({f.name: getattr(settings, f.name) for f in fields(settings)})
    app.config["TESTING"] = True
    client = app.test_client()
    split = urlsplit(settings.base_iri)
    host = f"{split.scheme}://{split.netloc}"

    def fetch(url: str, accept: str) -> Fetched:
        response = client.get(
            url, base_url=host, headers={"Accept": accept, "Accept-Encoding": "identity"}
        )
        try:
            return Fetched(response.status_code, response.mimetype or "", response.get_data())
        finally:
            response.close()

    names = [f.name for f in state.publication(app).files]
    paths = page_paths(state.state(app).store, settings.base_iri)
    target.mkdir(parents=True, exist_ok=True)
    # On the base IRI's host the app answers with locations under the base IRI itself
    # (hamar_graph.publication.locations), so sitemap.xml, robots.txt and the catalogue's
    # download URLs are already those of the copy's home.
    return crawl_export(fetch, target, seed_urls(paths, names), settings.base_iri, progress)
