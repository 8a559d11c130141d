"""The ``hamar-graph`` command: a click group of thin commands.

Each command parses its flags into :class:`~hamar_graph.config.Settings` and
calls one library function. Flags override ``HAMAR_GRAPH_*`` variables.
"""

from __future__ import annotations

import click

from hamar_graph import __version__
from hamar_graph.cli import data, load, web
from hamar_graph.cli.common import settings_from


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


for command in (
    data.build_command,
    data.validate_command,
    data.query_command,
    data.export_command,
    load.load_command,
    web.serve_command,
    web.export_site_command,
):
    main.add_command(command)

__all__ = ["main", "settings_from"]
