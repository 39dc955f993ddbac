"""`flask workspaces ...`: tenants."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import write_session
from app.forms.versions import ensure_workspace
from app.models import Workspace

workspaces_group = AppGroup("workspaces", help="Create and list workspaces.")


@workspaces_group.command("create")
@click.argument("slug")
@click.option("--name", help="Display name (default: from the slug).")
def create_command(slug: str, name: str | None) -> None:
    """Create workspace SLUG (nothing happens if it exists)."""
    try:
        with write_session() as session:
            workspace = ensure_workspace(session, slug, name)
            click.echo(f"Workspace '{workspace.slug}' ({workspace.name}) is ready.")
    except ValueError as error:
        raise click.ClickException(str(error)) from error


@workspaces_group.command("list")
def list_command() -> None:
    """List workspaces."""
    with write_session() as session:
        for workspace in session.scalars(select(Workspace).order_by(Workspace.slug)):
            click.echo(f"{workspace.slug}\t{workspace.name}")
