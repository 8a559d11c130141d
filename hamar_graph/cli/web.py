"""``hamar-graph serve`` and ``export-site``: the only commands that import the web app."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hamar_graph.cli.common import settings_from


@click.command("export-site")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-iri", help="Base IRI the copy will be hosted at (HAMAR_GRAPH_BASE_IRI).")
@click.pass_context
def export_site_command(ctx: click.Context, directory: Path, base_iri: str | None) -> None:
    """Write the whole publication into DIRECTORY as static files.

    Every page (Norwegian and English), every resource in every format, the
    catalogue, VoID, the dumps, sitemap.xml and robots.txt: publish the folder on
    any static web host at the base IRI. Exit status 1 when a linked page fails.

    \b
    Example:
      hamar-graph export-site site/ && python -m http.server -d site
    """
    from web.static_export import export_site

    settings = settings_from(ctx, base_iri=base_iri)
    report = export_site(settings, directory, progress=lambda line: click.echo(line, err=True))
    for url, status in sorted(report.failed.items()):
        click.echo(f"failed: {url} ({status})", err=True)
    click.echo(f"wrote {len(report.files)} files to {directory}", err=True)
    if report.failed:
        sys.exit(1)


@click.command("serve")
@click.option("--host", help="Interface to listen on (HAMAR_GRAPH_HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port to listen on (HAMAR_GRAPH_PORT, default 5000).")
@click.option("--workers", type=int, help="Server processes, default 1 (HAMAR_GRAPH_WORKERS).")
@click.option(
    "--threads",
    type=int,
    help="Request threads per server process, default 32 (HAMAR_GRAPH_THREADS).",
)
@click.option(
    "--timeout",
    "query_timeout",
    type=float,
    help="Deadline in seconds of one SPARQL query (HAMAR_GRAPH_QUERY_TIMEOUT).",
)
@click.option(
    "--memory-mb",
    "query_memory_mb",
    type=int,
    help="Memory cap in MiB of a query process (HAMAR_GRAPH_QUERY_MEMORY_MB).",
)
@click.option(
    "--query-workers",
    type=int,
    help="Query processes per worker (HAMAR_GRAPH_QUERY_WORKERS).",
)
@click.option(
    "--query-engine",
    type=click.Choice(["library", "server"]),
    help="What a query process is: library (pyoxigraph, default) or server (the `oxigraph` "
    "command on the store) (HAMAR_GRAPH_QUERY_ENGINE).",
)
@click.option(
    "--malloc-arenas",
    type=int,
    help="Most malloc arenas per server and query process; 0 is glibc's default "
    "(HAMAR_GRAPH_MALLOC_ARENAS).",
)
@click.option(
    "--query-budget",
    type=float,
    help="Seconds of long queries a minute per client; past it 429 (HAMAR_GRAPH_QUERY_BUDGET).",
)
@click.option(
    "--long-query",
    type=float,
    help="Seconds after which a query is long, low priority (HAMAR_GRAPH_LONG_QUERY).",
)
@click.option("--max-rows", type=int, help="Most rows returned (HAMAR_GRAPH_MAX_ROWS).")
@click.option(
    "--max-query-bytes", type=int, help="Largest query or body (HAMAR_GRAPH_MAX_QUERY_BYTES)."
)
@click.option("--max-url-bytes", type=int, help="Longest URL (HAMAR_GRAPH_MAX_URL_BYTES).")
@click.option(
    "--store",
    type=click.Choice(["oxigraph", "memory", "remote"]),
    help="Query engine (HAMAR_GRAPH_STORE).",
)
@click.option(
    "--store-path",
    type=click.Path(path_type=Path),
    help="Persistent Oxigraph store to open read-only (HAMAR_GRAPH_STORE_PATH).",
)
@click.option("--endpoint", help="Remote SPARQL endpoint for --store remote.")
@click.option(
    "--data-check",
    type=float,
    help="Seconds between checks of the remote engine's data version: a reload is served "
    "after the next check (HAMAR_GRAPH_DATA_CHECK, default 10; 0 never checks).",
)
@click.option("--base-iri", help="Base IRI of the resources (HAMAR_GRAPH_BASE_IRI).")
@click.option(
    "--public-url",
    help="Public URL of this server, for the catalogue's download URLs "
    "(HAMAR_GRAPH_PUBLIC_URL; default the URL each request came to).",
)
@click.pass_context
def serve_command(ctx: click.Context, **flags: object) -> None:
    """Serve the pages, /sparql, the catalogue and the dumps with granian.

    granian (a production HTTP server written in Rust; never Flask's development
    server) runs --workers processes of --threads request threads; each keeps
    --query-workers sandboxed query processes. Each client address gets a fair share
    of the query processes and a budget for long queries (HAMAR_GRAPH_QUERY_BUDGET,
    HAMAR_GRAPH_LONG_QUERY): past it, 429 with Retry-After.
    """
    from web.security import DebugModeRefused
    from web.server import run_serve

    settings = settings_from(ctx, **flags)
    try:
        run_serve(settings)
    except DebugModeRefused as exc:
        raise click.ClickException(str(exc)) from None
