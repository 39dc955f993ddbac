"""`flask responses ...`: housekeeping and export of hosted-form responses."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from app import db
from app.db import write_session
from app.forms.versions import NotFound, get_form, get_workspace
from app.models import utcnow
from app.responses.export import export_responses
from app.responses.export_filters import FilterError, parse_filters
from app.responses.service import mark_abandoned

responses_group = AppGroup("responses", help="Housekeeping and export of form responses.")


@responses_group.command("mark-abandoned")
@click.option("--idle-minutes", type=click.IntRange(min=1), default=24 * 60, show_default=True,
              help="Unfinished responses untouched this long count as abandoned.")
def mark_abandoned_command(idle_minutes: int) -> None:
    """Count long-idle unfinished responses as abandoned (a returning visitor still resumes)."""
    with write_session() as session:
        count = mark_abandoned(session, utcnow() - timedelta(minutes=idle_minutes))
    click.echo(f"{count} response(s) marked abandoned.")


@responses_group.command("export")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--form", "form_slug", required=True)
@click.option("--state", "states", multiple=True,
              help="in_progress, completed or abandoned (repeat, or separate with commas; "
                   "default: all).")
@click.option("--from", "first_day", metavar="YYYY-MM-DD",
              help="Responses started on or after this day.")
@click.option("--to", "last_day", metavar="YYYY-MM-DD",
              help="Responses started on or before this day.")
@click.option("--tz", "zone", default="UTC", show_default=True,
              help="IANA timezone of the days and of the times written.")
@click.option("--bom", is_flag=True, help="Start with a byte order mark (for Excel).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: stdout).")
def export_command(workspace_slug: str, form_slug: str, states: tuple[str, ...],
                   first_day: str | None, last_day: str | None, zone: str, bom: bool,
                   output: str | None) -> None:
    """Write a form's responses as CSV, one row per response (formulas neutralised)."""
    try:
        filters = parse_filters(states, first_day, last_day, zone, "1" if bom else "0")
    except FilterError as error:
        raise click.UsageError(str(error)) from None
    target = Path(output) if output else None
    partial = target.with_name(f".{target.name}.partial") if target else None
    # A plain read transaction: SQLite's write lock (write_session) would hold up the
    # hosted forms for as long as a large export takes.
    try:
        with Session(db.engine(), expire_on_commit=False) as session:
            workspace = get_workspace(session, workspace_slug)
            form = get_form(session, workspace, form_slug)
            pieces = export_responses(session, form, filters)
            if partial is None:
                for piece in pieces:  # bytes: UTF-8 whatever the terminal's locale
                    click.echo(piece.encode("utf-8", errors="replace"), nl=False)
                return
            with partial.open("w", encoding="utf-8", errors="replace", newline="") as handle:
                handle.writelines(pieces)
            partial.replace(target)  # a reader never sees half a file
    except NotFound as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    click.echo(f"Wrote {output}.", err=True)
