"""`flask analytics ...`: the daily rollups behind the analytics pages."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.analytics.rollups import rebuild
from app.db import write_session
from app.forms.versions import NotFound, get_workspace

analytics_group = AppGroup("analytics", help="The daily rollups behind the analytics pages.")


@analytics_group.command("rebuild")
@click.option("--workspace", "workspace_slug", help="Only this workspace (default: all).")
def rebuild_command(workspace_slug: str | None) -> None:
    """Recount the rollups from the raw responses, steps and leads (one transaction)."""
    with write_session() as session:
        workspace_ids = None
        if workspace_slug:
            try:
                workspace_ids = [get_workspace(session, workspace_slug).id]
            except NotFound as error:
                raise click.ClickException(str(error)) from None
        rebuild(session, workspace_ids)
    click.echo(f"Rebuilt the analytics rollups of {workspace_slug or 'every workspace'}.")
