"""`flask contacts ...`: import, export, erase, and personal links."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import write_session
from app.forms.versions import NotFound, get_form, get_workspace
from app.models import utcnow
from app.profiling.contacts import find_contact
from app.profiling.csv_io import ImportRefused, export_contacts, import_contacts
from app.profiling.emails import InvalidEmail
from app.profiling.erasure import erase_person
from app.profiling.identity import make_link_token

contacts_group = AppGroup("contacts", help="Contacts: import, export, erase, personal links.")


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


@contacts_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and report the others (default: all or nothing).")
def import_command(file: str, workspace_slug: str, skip_invalid: bool) -> None:
    """Import contacts from a UTF-8 CSV whose header names properties (one is `email`)."""
    path = Path(file)
    try:
        total = _count_rows(path)
        with write_session() as session, path.open(encoding="utf-8-sig", newline="") as handle:
            workspace = get_workspace(session, workspace_slug)
            with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
                result = import_contacts(session, workspace.id, handle, utcnow(),
                                         skip_invalid=skip_invalid, progress=bar.update)
    except ImportRefused as refused:
        for problem in refused.problems:
            click.echo(f"  {problem}", err=True)
        _fail(f"{file}: {refused}")
    except UnicodeDecodeError:
        _fail(f"{file} is not UTF-8 text; save it as 'CSV UTF-8'. Nothing was imported.")
    except NotFound as error:
        _fail(f"{error} Nothing was imported.")
    for problem in result.problems:
        click.echo(f"  skipped {problem}", err=True)
    click.echo(f"Imported {result.imported} contact(s), {result.created} new.")


@contacts_group.command("export")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
def export_command(workspace_slug: str, output: str | None) -> None:
    """Write contacts and their current properties as CSV (formulas neutralised)."""
    try:
        with write_session() as session:
            text = export_contacts(session, get_workspace(session, workspace_slug).id)
    except NotFound as error:
        _fail(str(error))
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@contacts_group.command("erase")
@click.argument("email")
@click.option("--workspace", "workspace_slug", required=True)
def erase_command(email: str, workspace_slug: str) -> None:
    """Erase a person: contact, properties, and the personal data of their responses."""
    try:
        with write_session() as session:
            report = erase_person(session, get_workspace(session, workspace_slug).id, email)
    except (NotFound, InvalidEmail) as error:
        _fail(str(error))
    if not report.contact_found and not report.responses:
        click.echo(f"No data about {email} in workspace '{workspace_slug}'.")
        return
    click.echo(f"Erased {email}: {report.properties} property value(s), "
               f"{report.responses} response(s) anonymised, {report.signals} signal(s), "
               f"{report.events} alert(s) and {report.bookings} booking(s) stripped.")


@contacts_group.command("link")
@click.argument("email")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--form", "form_slug", required=True)
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def link_command(email: str, workspace_slug: str, form_slug: str, base_url: str) -> None:
    """Print a personal, signed, expiring link to a form for a known contact."""
    try:
        with write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            form = get_form(session, workspace, form_slug)
            contact = find_contact(session, workspace.id, email)
            if contact is None:
                _fail(f"No contact {email} in workspace '{workspace_slug}'.")
            token = make_link_token(current_app.config["SECRET_KEY"], workspace.id, contact.id)
    except (NotFound, InvalidEmail) as error:
        _fail(str(error))
    click.echo(f"{base_url.rstrip('/')}/f/{workspace.slug}/{form.slug}?lf={token}")
