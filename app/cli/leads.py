"""`flask scoring ...`, `flask teams ...`, `flask leads ...`: qualification from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.db import write_session
from app.forms.versions import NotFound, check_slug, get_workspace
from app.leads.rescoring import rescore_workspace
from app.leads.scoring_models import ModelRejected, current_model, save_model
from app.leads.teams import add_member, find_team
from app.models import AccountOwner, Membership, Team, User, utcnow

scoring_group = AppGroup("scoring", help="The workspace's shared scoring model.")
teams_group = AppGroup("teams", help="Sales teams and their reps.")
leads_group = AppGroup("leads", help="Leads: rescore.")


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


@scoring_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--workspace", "workspace_slug", required=True)
def scoring_import(file: str, workspace_slug: str) -> None:
    """Make FILE the workspace's scoring model (a new version; nothing stored on errors)."""
    try:
        model = json.loads(Path(file).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        _fail(f"{file} is not valid JSON: {error}")
    try:
        with write_session() as session:
            saved = save_model(session, get_workspace(session, workspace_slug).id, model,
                               note=f"imported from {Path(file).name}")
            number, created = saved.version.number, saved.created
    except ModelRejected as rejected:
        click.echo(f"{file} is not a valid scoring model. Nothing was stored.", err=True)
        _fail("\n".join(f"  {i.path or '(document)'}: {i.message}" for i in rejected.issues))
    except NotFound as error:
        _fail(str(error))
    click.echo(f"Scoring model version {number} " + ("saved." if created else "is unchanged."))


@scoring_group.command("export")
@click.option("--workspace", "workspace_slug", required=True)
def scoring_export(workspace_slug: str) -> None:
    """Print the scoring model in force as JSON."""
    try:
        with write_session() as session:
            model = current_model(session, get_workspace(session, workspace_slug).id)
            document = model.model if model else None
    except NotFound as error:
        _fail(str(error))
    if document is None:
        _fail(f"Workspace '{workspace_slug}' has no scoring model yet.")
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@teams_group.command("create")
@click.argument("slug")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--name", help="Display name (default: from the slug).")
def teams_create(slug: str, workspace_slug: str, name: str | None) -> None:
    """Create team SLUG (nothing happens if it exists)."""
    try:
        check_slug(slug)
        with write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            if find_team(session, workspace.id, slug) is None:
                session.add(Team(workspace_id=workspace.id, slug=slug,
                                 name=name or slug.replace("-", " ").title(), territories=[]))
    except (NotFound, ValueError) as error:
        _fail(str(error))
    click.echo(f"Team '{slug}' is ready.")


@teams_group.command("add-rep")
@click.argument("team_slug")
@click.argument("email")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--name", default="", help="The rep's name, shown to prospects.")
@click.option("--weight", type=click.FloatRange(min=0), default=1.0, show_default=True)
@click.option("--priority", type=int, default=0, show_default=True)
@click.option("--max-per-day", type=click.IntRange(min=0), default=None)
def teams_add_rep(team_slug: str, email: str, workspace_slug: str, name: str, weight: float,
                  priority: int, max_per_day: int | None) -> None:
    """Add a sales rep to a team (creating the user with role `sales` if needed)."""
    try:
        with write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            team = find_team(session, workspace.id, team_slug)
            if team is None:
                _fail(f"Unknown team '{team_slug}'.")
            user = session.scalar(select(User).where(User.email == email.lower()))
            if user is None:
                user = User(email=email.lower(), name=name)
                session.add(user)
                session.flush()
            membership = select(Membership).where(Membership.workspace_id == workspace.id,
                                                  Membership.user_id == user.id)
            if session.scalar(membership) is None:
                session.add(Membership(workspace_id=workspace.id, user_id=user.id, role="sales"))
            add_member(session, team, user, weight=weight, priority=priority,
                       max_per_day=max_per_day, today=utcnow().date())
    except NotFound as error:
        _fail(str(error))
    click.echo(f"{email} is a rep in '{team_slug}'.")


@teams_group.command("set-owner")
@click.argument("company_domain")
@click.argument("email")
@click.option("--workspace", "workspace_slug", required=True)
def teams_set_owner(company_domain: str, email: str, workspace_slug: str) -> None:
    """Make a rep the owner of an account: its leads go to them first."""
    domain = company_domain.strip().lower()
    try:
        with write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            user = session.scalar(select(User).where(User.email == email.lower()))
            if user is None:
                _fail(f"No user {email}; add them with `teams add-rep` first.")
            owner = session.scalar(select(AccountOwner).where(
                AccountOwner.workspace_id == workspace.id,
                AccountOwner.company_domain == domain))
            if owner is None:
                session.add(AccountOwner(workspace_id=workspace.id, company_domain=domain,
                                         user_id=user.id))
            else:
                owner.user_id = user.id
    except NotFound as error:
        _fail(str(error))
    click.echo(f"{email} owns {domain}.")


@leads_group.command("rescore")
@click.option("--workspace", "workspace_slug", required=True)
def leads_rescore(workspace_slug: str) -> None:
    """Recompute every lead's score and stage now; newly qualified leads are routed."""
    try:
        with write_session() as session:
            report = rescore_workspace(session, get_workspace(session, workspace_slug), utcnow())
    except NotFound as error:
        _fail(str(error))
    click.echo(f"Rescored {report.leads} lead(s): {report.stage_changes} stage change(s), "
               f"{report.newly_qualified} newly qualified.")
