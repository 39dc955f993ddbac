"""`flask db ...`: Alembic migrations for the configured database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app import migrate

db_group = AppGroup("db", help="Create and migrate the database (Alembic).")


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    migrate.upgrade(_url(), revision)


@db_group.command("downgrade")
@click.argument("revision")
def downgrade_command(revision: str) -> None:
    """Revert migrations down to REVISION (`base` empties the database)."""
    migrate.downgrade(_url(), revision)


@db_group.command("current")
def current_command() -> None:
    """Show the revision the database is at."""
    migrate.current(_url())


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--empty", is_flag=True, help="Write an empty migration instead of autogenerating.")
def revision_command(message: str, empty: bool) -> None:
    """Write a new migration from the difference between models and database."""
    migrate.revision(_url(), message, autogenerate=not empty)
