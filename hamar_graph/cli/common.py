"""What every command shares: settings from the environment and the flags, and failing."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from hamar_graph.config import Settings


def settings_from(ctx: click.Context, **overrides: object) -> Settings:
    """Settings from the environment with the command's flags applied."""
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc), ctx) from exc


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)
