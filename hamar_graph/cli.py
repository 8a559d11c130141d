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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
