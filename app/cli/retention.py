"""`flask retention run`: delete what has outlived its retention period (the worker's job too)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.db import engine
from app.models import utcnow
from app.retention.policy import RetentionInputError, defaults_from_config
from app.retention.purge import BATCH_SIZE, RetentionReport, run_retention

log = logging.getLogger("leadform.retention")
retention_group = AppGroup("retention", help="Data retention: delete old partial data.")


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@click.option("--workspace", "workspace_slug", default=None, help="Only this workspace.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=BATCH_SIZE,
              show_default=True, help="Rows per delete transaction.")
def run_command(dry_run: bool, workspace_slug: str | None, batch_size: int) -> None:
    """Apply each workspace's retention periods now and print what goes, per table."""
    report = retention_now(current_app, dry_run=dry_run, batch_size=batch_size,
                           workspace_slug=workspace_slug)
    for line in report.lines():
        click.echo(line)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {report.total()} row(s) in all.")


def retention_now(app: Flask, *, dry_run: bool = False, batch_size: int = BATCH_SIZE,
                  workspace_slug: str | None = None) -> RetentionReport:
    try:
        defaults = defaults_from_config(app.config)
    except RetentionInputError as error:
        raise click.ClickException(f"LEADFORM_RETENTION_*_DAYS: {error}") from None
    return run_retention(engine(), defaults, utcnow(), dry_run=dry_run, batch_size=batch_size,
                         workspace_slug=workspace_slug)


def retention_job(app: Flask | None = None) -> Callable[[], None]:
    """The worker's hourly job; it runs on its own thread, so it brings the app context."""
    flask_app: Flask = app or current_app._get_current_object()  # type: ignore[attr-defined]

    def job() -> None:
        with flask_app.app_context():
            report = retention_now(flask_app)
        if report.total():
            log.info("retention: %s", "; ".join(report.lines()))

    return job
