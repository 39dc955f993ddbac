"""`flask sla ...`: first-touch targets, team leads, and the check the worker runs each minute.

`sla check` escalates overdue first touches and archives expired nurture once; the worker
(`flask worker`) runs the same check every minute (`sla_job`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app.db import engine, write_session
from app.forms.versions import NotFound, get_workspace
from app.leads.teams import find_team
from app.models import User, utcnow
from app.qualify.sla import (
    SLA_STAGES,
    STAGE_LABELS,
    SlaError,
    SlaPolicy,
    format_minutes,
    parse_target,
)
from app.sales.escalation import SlaRun, run_sla_check
from app.sales.sla import save_policy, set_team_people, workspace_policy

sla_group = AppGroup("sla", help="First-touch SLAs: targets, team leads, escalation.")
log = logging.getLogger("leadform.sla")


@sla_group.command("check")
@with_appcontext
def check_command() -> None:
    """Escalate leads past their first-touch target; archive leads whose nurture ended."""
    click.echo(describe(run_sla_check(engine(), utcnow())))


@sla_group.command("targets")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--lead", "lead_target", help="Minutes for new leads; 'none' for no target.")
@click.option("--mql", "mql_target", help="Minutes for MQLs; 'none' for no target.")
@click.option("--sql", "sql_target", help="Minutes for SQLs; 'none' for no target.")
@click.option("--reassign/--no-reassign", default=None,
              help="Give overdue leads to their team's fallback rep.")
def targets_command(workspace_slug: str, lead_target: str | None, mql_target: str | None,
                    sql_target: str | None, reassign: bool | None) -> None:
    """Show the workspace's first-touch targets, or change the ones given."""
    given = {"lead": lead_target, "mql": mql_target, "sql": sql_target}
    try:
        with write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            policy = workspace_policy(workspace)
            if any(value is not None for value in given.values()) or reassign is not None:
                targets = dict(policy.targets)
                for stage, text in given.items():
                    if text is None:
                        continue
                    minutes = None if text.strip().lower() == "none" else parse_target(text)
                    if minutes is None:
                        targets.pop(stage, None)
                    else:
                        targets[stage] = minutes
                policy = SlaPolicy(targets, policy.reassign_overdue if reassign is None
                                   else reassign)
                save_policy(session, workspace, policy)
    except (NotFound, SlaError) as error:
        raise click.ClickException(str(error)) from None
    for stage in SLA_STAGES:
        minutes = policy.target(stage)
        click.echo(f"{STAGE_LABELS[stage]}: {format_minutes(minutes) if minutes else 'no target'}")
    click.echo("Overdue leads go to the fallback rep." if policy.reassign_overdue
               else "Overdue leads stay with their owner.")


@sla_group.command("team")
@click.argument("team_slug")
@click.option("--workspace", "workspace_slug", required=True)
@click.option("--lead", "lead_email", help="The team lead's email ('none' for nobody).")
@click.option("--fallback", "fallback_email", help="The fallback rep's email ('none').")
def team_command(team_slug: str, workspace_slug: str, lead_email: str | None,
                 fallback_email: str | None) -> None:
    """Who hears about TEAM_SLUG's overdue leads, and who takes them."""
    try:
        with write_session() as session:
            workspace = get_workspace(session, workspace_slug)
            team = find_team(session, workspace.id, team_slug)
            if team is None:
                raise NotFound(f"Unknown team '{team_slug}'.")

            def user_id(email: str | None, current: int | None) -> int | None:
                if email is None:
                    return current
                if email.strip().lower() == "none":
                    return None
                found = session.scalar(select(User.id).where(User.email == email.lower()))
                if found is None:
                    raise SlaError(f"Nobody signs in as {email}.")
                return found

            set_team_people(session, workspace, team,
                            lead_user_id=user_id(lead_email, team.lead_user_id),
                            fallback_user_id=user_id(fallback_email, team.fallback_user_id))
            people = {user.id: user.email for user in session.scalars(
                select(User).where(User.id.in_([team.lead_user_id or 0,
                                                team.fallback_user_id or 0])))}
            lead, fallback = (people.get(team.lead_user_id or 0, "nobody"),
                              people.get(team.fallback_user_id or 0, "nobody"))
    except (NotFound, SlaError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{team_slug}: team lead {lead}, fallback rep {fallback}.")


def describe(run: SlaRun) -> str:
    leads = "lead" if run.escalated == 1 else "leads"
    return (f"Escalated {run.escalated} overdue {leads} ({run.reassigned} given to a fallback "
            f"rep); archived {run.archived} whose nurture period ended.")


def sla_job(app: Flask | None = None) -> Callable[[], None]:
    """The worker's minute job; it runs on its own thread, so it brings the app context."""
    flask_app: Flask = app or current_app._get_current_object()  # type: ignore[attr-defined]

    def job() -> None:
        with flask_app.app_context():
            run = run_sla_check(engine(), utcnow())
        if run.escalated or run.archived:
            log.info(describe(run))

    return job
