"""``hamar-graph load``: push the built graph into a remote SPARQL engine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hamar_graph.cli.common import settings_from


@click.command("load")
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
