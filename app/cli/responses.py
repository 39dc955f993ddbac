"""`flask responses ...`: housekeeping of hosted-form responses."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.db import write_session
from app.models import utcnow
from app.responses.service import mark_abandoned

responses_group = AppGroup("responses", help="Housekeeping of form responses.")


@responses_group.command("mark-abandoned")
@click.option("--idle-minutes", type=click.IntRange(min=1), default=24 * 60, show_default=True,
              help="Unfinished responses untouched this long count as abandoned.")
def mark_abandoned_command(idle_minutes: int) -> None:
    """Count long-idle unfinished responses as abandoned (a returning visitor still resumes)."""
    with write_session() as session:
        count = mark_abandoned(session, utcnow() - timedelta(minutes=idle_minutes))
    click.echo(f"{count} response(s) marked abandoned.")
