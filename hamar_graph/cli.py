"""The ``hamar-graph`` command: a click group of thin commands.

Each command parses its flags into :class:`~hamar_graph.config.Settings` and
calls one library function. Flags override ``HAMAR_GRAPH_*`` variables.
"""

from __future__ import annotations

import sys

import click

from hamar_graph import __version__
from hamar_graph.config import Settings


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
@click.pass_context
def load_command(
    ctx: click.Context,
    endpoint: str,
    update_endpoint: str | None,
    store_endpoint: str | None,
    graph_iri: str | None,
    timeout: float | None,
) -> None:
    """Push the built graph into a remote SPARQL engine, replacing its graphs in one step.

    Every graph is uploaded to a temporary graph first (Graph Store Protocol); one
    SPARQL Update then moves them all into place, so readers never see half a load.
    On failure the target graphs are unchanged and the message says what remains.

    Example: hamar-graph load --endpoint http://127.0.0.1:7878/query
    """
    from rdflib import URIRef

    from hamar_graph.build import assemble
    from hamar_graph.remote import RemoteStore, load_dataset
    from hamar_graph.store import StoreError

    settings = settings_from(ctx, query_timeout=timeout)
    store = RemoteStore(
        endpoint,
        update_endpoint=update_endpoint,
        store_endpoint=store_endpoint,
        timeout=settings.query_timeout,
    )
    click.echo(f"assembling the graph from {settings.source_dir}", err=True)
    dataset = assemble(settings)
    try:
        graphs = load_dataset(
            store,
            dataset,
            target_graph=URIRef(graph_iri) if graph_iri else None,
            progress=lambda message: click.echo(message, err=True),
        )
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"loaded {len(graphs)} graphs into {endpoint}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
