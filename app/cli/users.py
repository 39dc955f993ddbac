"""`flask users ...`: people who sign in to the back office."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import db
from app.accounts import (
    AccountError,
    add_membership,
    create_user,
    find_user,
    normalise_login_email,
    password_problem,
)
from app.accounts.invitations import invite
from app.forms.versions import NotFound, check_slug, ensure_workspace, get_workspace
from app.models import Workspace, utcnow
from app.models.workspace import ROLES

users_group = AppGroup("users", help="Back office users.")


@users_group.command("create-admin")
@click.option("--email", required=True, help="The login email.")
@click.option("--workspace", "workspace_slug", required=True,
              help="Workspace slug (created if missing).")
@click.option("--name", default="", help="The person's name.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
def create_admin_command(email: str, workspace_slug: str, name: str, password_stdin: bool
                         ) -> None:
    """Make EMAIL an admin of WORKSPACE, creating the user and the workspace if needed.

    A new user's password is prompted for (twice) or read with --password-stdin.
    An existing user keeps their password. Safe to run again.
    """
    try:
        check_slug(workspace_slug)
        address = normalise_login_email(email)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    # Look first, ask second, write last: no write lock is held while a person types.
    with Session(db.engine()) as session:
        exists = find_user(session, address) is not None
        workspace_exists = session.scalar(
            select(Workspace.id).where(Workspace.slug == workspace_slug)) is not None
    password = None if exists else _new_password(address, password_stdin)
    try:
        with db.write_session() as session:
            workspace = ensure_workspace(session, workspace_slug)
            user = find_user(session, address)
            if user is None:
                if password is None:  # deleted between the look and the write
                    raise click.ClickException(f"User {address} disappeared; run it again.")
                user = create_user(session, address, password, name)
                click.echo(f"Created user {user.email}.")
            else:
                click.echo(f"User {user.email} already exists; the password is unchanged.")
            _, before = add_membership(session, workspace, user, "admin")
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    if not workspace_exists:
        click.echo(f"Created workspace '{workspace_slug}'.")
    if before is None:
        click.echo(f"{address} is now an admin of '{workspace_slug}'.")
    elif before == "admin":
        click.echo(f"{address} was already an admin of '{workspace_slug}'.")
    else:
        click.echo(f"{address} is now an admin of '{workspace_slug}' (was {before}).")


def _new_password(email: str, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("No password on standard input.")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(f"Password refused: {problem}")
    return password


@users_group.command("invite")
@click.argument("email")
@click.option("--workspace", "workspace_slug", required=True, help="Workspace slug.")
@click.option("--role", required=True, type=click.Choice(ROLES),
              help="What they may do: admin, marketer or sales.")
@click.option("--base-url", default=None,
              help="Where the back office is served (default: BASE_URL, else "
                   "http://127.0.0.1:5000).")
def invite_command(email: str, workspace_slug: str, role: str, base_url: str | None) -> None:
    """Invite EMAIL to WORKSPACE as ROLE and print the link (it works once, for 7 days).

    Only a hash of the link is stored: it cannot be printed again, but inviting the
    same email again makes a new link (and the old one stops working).
    """
    try:
        with db.write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            made = invite(session, workspace, email, role, invited_by=None, now=utcnow())
            address, expires = made.invitation.email, made.invitation.expires_at
    except (AccountError, NotFound) as error:
        raise click.ClickException(str(error)) from None
    base = (base_url or current_app.config.get("BASE_URL") or "http://127.0.0.1:5000")
    click.echo(f"Invited {address} to '{workspace_slug}' as {role}; the link works once, until "
               f"{expires:%Y-%m-%d %H:%M} UTC:")
    click.echo(f"{str(base).rstrip('/')}/invite/{made.token}")
