"""`flask api-tokens ...`: tokens for the REST API (the secret is printed once)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.api.tokens import SCOPES, TokenError, create_token, find_token, list_tokens, revoke_token
from app.api.tokens import status as token_status
from app.db import write_session
from app.forms.versions import NotFound, get_workspace
from app.models import utcnow

api_tokens_group = AppGroup("api-tokens", help="REST API tokens of a workspace.")


@api_tokens_group.command("create")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--name", required=True, help='What it is for, e.g. "CRM sync".')
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(list(SCOPES)),
              help="A permission (repeatable).")
@click.option("--expires-days", type=click.IntRange(min=1), default=None,
              help="Stop working after this many days (default: never).")
def create_command(workspace_slug: str, name: str, scopes: tuple[str, ...],
                   expires_days: int | None) -> None:
    """Create a token and print its secret (shown once: only a hash is kept)."""
    now = utcnow()
    expires_at = now + timedelta(days=expires_days) if expires_days else None
    try:
        with write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            issued = create_token(session, workspace, name=name, scopes=scopes, now=now,
                                  expires_at=expires_at)
    except (NotFound, TokenError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Token {issued.token.id} ({issued.token.prefix}…) for {workspace_slug}: "
               f"{', '.join(issued.token.scopes)}.", err=True)
    click.echo(issued.secret)


@api_tokens_group.command("list")
@click.option("--workspace", "workspace_slug", required=True)
def list_command(workspace_slug: str) -> None:
    """Tokens with their prefix, scopes, status and last use (never the secret)."""
    now = utcnow()
    try:
        with write_session() as session:
            tokens = list_tokens(session, get_workspace(session, workspace_slug).id)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    for token in tokens:
        used = token.last_used_at.strftime("%Y-%m-%d %H:%M UTC") if token.last_used_at \
            else "never used"
        click.echo(f"{token.id}\t{token.prefix}…\t{token.name}\t{','.join(token.scopes)}\t"
                   f"{token_status(token, now)}\t{used}")


@api_tokens_group.command("revoke")
@click.option("--workspace", "workspace_slug", required=True)
@click.argument("token_id", type=int)
def revoke_command(workspace_slug: str, token_id: int) -> None:
    """Stop a token working, at once."""
    try:
        with write_session() as session:
            token = find_token(session, get_workspace(session, workspace_slug).id, token_id)
            if token is None:
                raise click.ClickException(f"No token {token_id} in workspace {workspace_slug!r}.")
            revoked = revoke_token(session, token, utcnow())
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Token {token_id} revoked." if revoked else f"Token {token_id} was revoked "
                                                             "already.")
