"""``hamar-graph build``, ``query``, ``export`` and ``validate``: the graph on this machine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import click

from hamar_graph.cli.common import fail, settings_from
from hamar_graph.i18n import DEFAULT_LANGUAGE, LANGUAGES
from hamar_graph.rdf.formats import QUERY_FORMATS, RDF_FORMATS

# --- build, query, export -------------------------------------------------------------------


@click.command("build")
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
    and publication.json. Same sources, same bytes. Exit status 1 on any failure.

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
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write to {settings.out_dir}: {exc}")
    for line in result.summary_lines():
        click.echo(line)


@click.command("query")
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
        fail(str(exc))
    try:
        result = run_query(engine, text, prefixes=rebased(PREFIXES, settings.base_iri))
        data = format_result(result, fmt, settings.base_iri)
    except QuerySyntaxError as exc:
        fail(f"malformed query: {exc}", 2)
    except QueryFormatError as exc:
        fail(str(exc), 2)
    except StoreError as exc:
        fail(str(exc))
    click.echo(data, nl=False)


@click.command("export")
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
        fail(str(exc))
    if output is None:
        click.echo(data, nl=False)
        return
    try:
        write_atomic(output, data)
    except OSError as exc:
        fail(f"cannot write {output}: {exc}")
    click.echo(f"wrote {output} ({len(data)} bytes, {RDF_FORMATS[fmt].label})", err=True)


# --- validate -------------------------------------------------------------------------------


@click.command("validate")
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
        fail(str(exc), 2)
    if fmt == "ttl":
        click.echo(serialize_report(report), nl=False)
    elif completeness:
        click.echo(render_completeness(arrange(report, data), lang))
        click.echo(render_text(report, lang, severities=("Violation",)), nl=False)
    else:
        click.echo(render_text(report, lang), nl=False)
    sys.exit(0 if report.conforms else 1)
