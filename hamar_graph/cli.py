"""The ``hamar-graph`` command: a click group of thin commands.

Each command parses its flags into :class:`~hamar_graph.config.Settings` and
calls one library function. Flags override ``HAMAR_GRAPH_*`` variables.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn, TextIO

import click

from hamar_graph import __version__
from hamar_graph.config import Settings
from hamar_graph.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hamar_graph.query.run import QUERY_FORMATS
from hamar_graph.rdf.formats import RDF_FORMATS


def settings_from(ctx: click.Context, **overrides: object) -> Settings:
    """Settings from the environment with the command's flags applied."""
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc), ctx) from exc


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Every flag can also be set as a HAMAR_GRAPH_* environment variable; see README.md.",
)
@click.version_option(__version__, prog_name="hamar-graph")
def main() -> None:
    """Hamar kommune's international strategy as linked open data.

    Build the graph from ontology/, data/ and shapes/, validate it, query it,
    export it, load it into a SPARQL engine and serve it on the web.
    """


@main.command("load")
@click.option("--endpoint", required=True, help="Query URL of the SPARQL 1.1 engine.")
@click.option(
    "--dialect",
    "remote_dialect",
    type=click.Choice(["auto", "standard", "virtuoso"]),
    help="The engine (HAMAR_GRAPH_REMOTE_DIALECT); auto asks it. Virtuoso is loaded with its "
    "bulk loader, any other engine through the Graph Store Protocol.",
)
@click.option(
    "--update-endpoint",
    help="SPARQL Update URL; default: the endpoint's sibling /update (Oxigraph's layout).",
)
@click.option(
    "--store-endpoint",
    help="Graph Store Protocol URL; default: the endpoint's sibling /store (Oxigraph's layout).",
)
@click.option(
    "--graph",
    "graph_iri",
    help="Load everything into this one named graph instead of one graph per source file.",
)
@click.option("--timeout", type=float, help="Seconds before a request is given up.")
@click.option(
    "--isql",
    "virtuoso_isql",
    help="Virtuoso: its SQL address host:port (HAMAR_GRAPH_VIRTUOSO_ISQL, default "
    "127.0.0.1:1111); the password comes from HAMAR_GRAPH_VIRTUOSO_PASSWORD.",
)
@click.option(
    "--isql-user", "virtuoso_user", help="Virtuoso: the user (HAMAR_GRAPH_VIRTUOSO_USER, dba)."
)
@click.option(
    "--load-dir",
    "virtuoso_load_dir",
    type=click.Path(path_type=Path),
    help="Virtuoso: a folder the server reads, in its DirsAllowed (HAMAR_GRAPH_VIRTUOSO_LOAD_DIR).",
)
@click.pass_context
def load_command(
    ctx: click.Context,
    endpoint: str,
    update_endpoint: str | None,
    store_endpoint: str | None,
    graph_iri: str | None,
    timeout: float | None,
    **virtuoso: object,
) -> None:
    """Push the built graph into a remote SPARQL engine, replacing its graphs in one step.

    Every graph, and a data version (the SHA-256 of the loaded quads, in the graph
    <urn:x-hamar-graph:data-version>), goes to a temporary graph first; one switch then
    moves them all into place, so readers never see half a load, and the app's ETags change
    exactly when the data does. Any SPARQL 1.1 engine: Graph Store Protocol uploads and
    one SPARQL Update. Virtuoso: its bulk loader through isql-vt and one SQL transaction
    (docs/virtuoso.md). On failure the target graphs are unchanged and the message says
    what remains.

    Examples:

    \b
      hamar-graph load --endpoint http://127.0.0.1:7878/query
      HAMAR_GRAPH_VIRTUOSO_PASSWORD=… hamar-graph load --endpoint http://127.0.0.1:8890/sparql \\
          --dialect virtuoso --isql 127.0.0.1:1111 --load-dir /var/lib/virtuoso/load
    """
    from rdflib import URIRef

    from hamar_graph.build.assembly import assemble
    from hamar_graph.store.base import StoreError
    from hamar_graph.store.remote import RemoteStore
    from hamar_graph.store.remote_load import load_dataset
    from hamar_graph.store.remote_virtuoso import VirtuosoLoader

    settings = settings_from(ctx, query_timeout=timeout, **virtuoso)
    store = RemoteStore(
        endpoint,
        update_endpoint=update_endpoint,
        store_endpoint=store_endpoint,
        timeout=settings.query_timeout,
        dialect=settings.remote_dialect,
    )

    def progress(message: str) -> None:
        click.echo(message, err=True)

    try:
        dialect = store.engine_dialect()
        loader = VirtuosoLoader.from_settings(settings) if dialect == "virtuoso" else None
        progress(f"assembling the graph from {settings.source_dir}")
        dataset = assemble(settings)
        target = URIRef(graph_iri) if graph_iri else None
        if loader is not None:
            progress(f"{endpoint} is Virtuoso: its bulk loader through {loader.address}")
            graphs = loader.load_dataset(dataset, target_graph=target, progress=progress)
        else:
            graphs = load_dataset(store, dataset, target_graph=target, progress=progress)
        version = store.data_version()
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"loaded {len(graphs)} graphs into {endpoint} (data version {version})")


# --- build, query, export -------------------------------------------------------------------


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@main.command("build")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default dist/, or HAMAR_GRAPH_OUT_DIR).",
)
@click.option(
    "--base-iri", help="Base IRI of every resource (default https://data.hamar.kommune.no/)."
)
@click.option(
    "--public-url",
    help="Where the files will be served, for the catalogue's download URLs "
    "(HAMAR_GRAPH_PUBLIC_URL; default the base IRI).",
)
@click.pass_context
def build_command(
    ctx: click.Context, out_dir: Path | None, base_iri: str | None, public_url: str | None
) -> None:
    """Build the graph from ontology/, data/ and shapes/ and write it to the output folder.

    Parses every Turtle file (a syntax error names file and line), checks that every
    class and predicate is declared, derives rdfs:label and inverse links, validates
    with SHACL (a Violation stops the build and nothing is written), then writes
    hamar-graph-VERSION.{ttl,nt,jsonld,rdf,nq}, the persistent Oxigraph store (store/)
    and build.json. Same sources, same bytes. Exit status 1 on any failure.

    \b
    Example:
      hamar-graph build --out dist
    """
    from hamar_graph.build.assembly import BuildError
    from hamar_graph.build.pipeline import build

    settings = settings_from(ctx, out_dir=out_dir, base_iri=base_iri, public_url=public_url)
    try:
        result = build(settings, progress=click.echo)
    except BuildError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write to {settings.out_dir}: {exc}")
    for line in result.summary_lines():
        click.echo(line)


@main.command("query")
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from FILE ('-' for standard input).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="table/json/csv/tsv/xml for SELECT and ASK; ttl/nt/jsonld/rdf for CONSTRUCT/DESCRIBE.",
)
@click.option(
    "--store",
    type=click.Choice(["oxigraph", "memory"]),
    help="Engine: oxigraph (the built store, else the sources in memory) or memory (rdflib).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder of `build`, whose store/ is queried (default dist/).",
)
@click.pass_context
def query_command(
    ctx: click.Context,
    query: str | None,
    query_file: TextIO | None,
    fmt: str,
    store: str | None,
    out_dir: Path | None,
) -> None:
    """Run a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query on the graph and print the result.

    The graph is the persistent store that `build` wrote when it exists, otherwise
    the sources assembled in memory. The prefixes hms:, id:, skos:, dct:, rdfs: ...
    are predeclared. The table format cuts long values; use csv or json for whole
    values. Exit status 2 for a malformed query (with the parser's message), 1 when
    the graph cannot be opened.

    \b
    Examples:
      hamar-graph query 'SELECT ?axis ?label WHERE { ?axis a hms:Axis ; skos:prefLabel ?label }'
      hamar-graph query -f axes.rq --format csv
      hamar-graph query 'DESCRIBE <https://data.hamar.kommune.no/id/vennskapsby/lund>' --format ttl
    """
    from hamar_graph.build.assembly import BuildError
    from hamar_graph.build.open import open_store
    from hamar_graph.namespaces import PREFIXES, rebased
    from hamar_graph.query.run import (
        QueryFormatError,
        QuerySyntaxError,
        format_result,
        run_query,
    )
    from hamar_graph.store.base import StoreError

    if (query is None) == (query_file is None):
        raise click.UsageError("give the query as an argument or with -f FILE (one of them)", ctx)
    text = query if query is not None else query_file.read()  # type: ignore[union-attr]
    settings = settings_from(ctx, store=store, out_dir=out_dir)
    try:
        engine = open_store(settings)
    except (BuildError, StoreError) as exc:
        _fail(str(exc))
    try:
        result = run_query(engine, text, prefixes=rebased(PREFIXES, settings.base_iri))
        data = format_result(result, fmt, settings.base_iri)
    except QuerySyntaxError as exc:
        _fail(f"malformed query: {exc}", 2)
    except QueryFormatError as exc:
        _fail(str(exc), 2)
    except StoreError as exc:
        _fail(str(exc))
    click.echo(data, nl=False)


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RDF_FORMATS)),
    default="ttl",
    show_default=True,
    help="Turtle, N-Triples, JSON-LD or RDF/XML.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (atomically) instead of standard output.",
)
@click.option(
    "--base-iri", help="Base IRI of every resource (default https://data.hamar.kommune.no/)."
)
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None, base_iri: str | None) -> None:
    """Write the whole graph (sources plus derived triples) in one RDF format.

    The graph is assembled from the sources like `build` does (parse, check terms,
    derive; no SHACL validation), and written with the same serialiser, so the bytes
    equal build's dump of that format. Exit status 1 when the sources do not build.

    \b
    Examples:
      hamar-graph export --format nt > hamar.nt
      hamar-graph export --format jsonld -o hamar.jsonld
    """
    from hamar_graph.build.assembly import BuildError, assemble
    from hamar_graph.rdf.atomic import write_atomic
    from hamar_graph.rdf.datasets import canonical_dataset, union_graph
    from hamar_graph.rdf.serialize import serialize

    settings = settings_from(ctx, base_iri=base_iri)
    try:
        # canonical blank-node labels (the shapes keep theirs), as in build's dumps
        data = serialize(union_graph(canonical_dataset(assemble(settings))), fmt)
    except BuildError as exc:
        _fail(str(exc))
    if output is None:
        click.echo(data, nl=False)
        return
    try:
        write_atomic(output, data)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc}")
    click.echo(f"wrote {output} ({len(data)} bytes, {RDF_FORMATS[fmt].label})", err=True)


@main.command("export-site")
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


# --- validate -------------------------------------------------------------------------------


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "ttl"]),
    default="text",
    show_default=True,
    help="text: a report grouped by severity; ttl: the sh:ValidationReport as Turtle.",
)
@click.option(
    "--completeness",
    is_flag=True,
    help="Print what the action plan leaves open, per axis (the Warnings S80-S83).",
)
@click.option(
    "--lang",
    type=click.Choice(list(LANGUAGES)),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="Language of the text report: headings, labels and messages.",
)
@click.pass_context
def validate_command(
    ctx: click.Context, files: tuple[Path, ...], fmt: str, completeness: bool, lang: str
) -> None:
    """Validate RDF files, or by default the project's sources, against the SHACL shapes.

    FILES may be in any RDF format rdflib reads (Turtle, N-Triples, JSON-LD, RDF/XML,
    ...), chosen by extension; they are validated together, with the project's
    shapes/ and the class hierarchy of ontology/. Without FILES the data/ sources
    are validated, as `build` does. Exit status 1 when there is a Violation (Warnings
    and Infos do not fail), 2 when a file cannot be parsed (file and line are named).

    \b
    Examples:
      hamar-graph validate
      hamar-graph validate --completeness --lang en
      hamar-graph validate data/places.ttl --format ttl > report.ttl
    """
    from hamar_graph.build.completeness import completeness as arrange
    from hamar_graph.build.completeness import render_text as render_completeness
    from hamar_graph.build.report import render_text, serialize_report
    from hamar_graph.build.sources import SourceError, load_sources
    from hamar_graph.build.validate import ShapesError, load_files, validate_dataset

    if completeness and fmt != "text":
        raise click.UsageError("--completeness prints text; leave out --format ttl", ctx)
    settings = settings_from(ctx)
    try:
        data = load_files(files, settings.base_iri) if files else load_sources(settings)
        report = validate_dataset(data, settings)
    except (SourceError, ShapesError) as exc:
        _fail(str(exc), 2)
    if fmt == "ttl":
        click.echo(serialize_report(report), nl=False)
    elif completeness:
        click.echo(render_completeness(arrange(report, data), lang))
        click.echo(render_text(report, lang, severities=("Violation",)), nl=False)
    else:
        click.echo(render_text(report, lang), nl=False)
    sys.exit(0 if report.conforms else 1)


@main.command("serve")
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
