"""`flask demo load`: the demo workspace, its scoring model, sales team and form."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import add_membership, create_user, find_user
from app.booking.calendars import MeetingInput, calendar_of, save_meeting_type, set_hours
from app.db import write_session
from app.forms.versions import DefinitionRejected, ensure_workspace, publish, save_draft
from app.leads.scoring_models import ModelRejected, save_model
from app.leads.teams import add_member, find_team
from app.models import Membership, Team, User, Workspace, utcnow

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "demo"
DEMO_WORKSPACE = "demo"
DEMO_FORMS = {"talk-to-sales": "talk-to-sales.json"}
DEMO_SETTINGS: dict[str, Any] = {
    # Answers that go stale and are asked again after this many days.
    "property_ttl_days": {"timeline": 90, "budget": 180, "authority": 180, "company_size": 365},
    "competitor_domains": ["typeform.com", "chilipiper.com"],
    "nurture_tracks": {
        "general": {"title": "Thanks for your interest!",
                    "message": "We'll send you a short guide and a few customer stories. "
                               "Reach out whenever you're ready."},
        "fast-track": {"title": "Thanks, we're on it",
                       "message": "You'll get a tailored walkthrough by email today, and a "
                                  "specialist will follow up this week."},
    },
}
DEMO_TEAM = ("ae-team", "Account executives")
# First-touch targets (SQL 15 minutes, MQL 4 hours); overdue SQLs go to the fallback rep.
DEMO_SLA: dict[str, Any] = {"targets": {"sql": 15, "mql": 240}, "reassign_overdue": True}
DEMO_TEAM_LEAD = "priya@demo.leadform.dev"  # hears about the team's overdue leads
DEMO_REPS = [  # email, name, weight
    ("sam@demo.leadform.dev", "Sam Rivera", 1.0),
    ("priya@demo.leadform.dev", "Priya Shah", 2.0),
    ("jordan@demo.leadform.dev", "Jordan Lee", 1.0),
]
# Where each rep works, and when (a lunch break, in their own timezone).
DEMO_HOURS = {
    "sam@demo.leadform.dev": ("America/New_York", [["09:00", "12:00"], ["13:00", "17:00"]]),
    "priya@demo.leadform.dev": ("Europe/Berlin", [["09:00", "12:30"], ["13:30", "18:00"]]),
    "jordan@demo.leadform.dev": ("America/Los_Angeles", [["08:00", "12:00"], ["13:00", "16:00"]]),
}
DEMO_MEETING = ("intro-30", MeetingInput(
    "Intro call", duration=30, buffer_after=10, notice=120, horizon=14, step=30, daily_cap=8,
    location="Video call (the link is in the invitation)",
    description="A 30-minute conversation about your goals and whether we are a fit."))
# A back office admin for trying things out; the password is public, like the demo.
DEMO_ADMIN = ("admin@demo.example", "Demo Admin", "leadform-demo")

demo_group = AppGroup("demo", help="The demo workspace.")


@demo_group.command("load")
def load_command() -> None:
    """Create workspace `demo` with its model, team, forms and admin (safe to run again)."""
    with write_session() as session:
        workspace = ensure_workspace(session, DEMO_WORKSPACE, "Demo Inc.")
        workspace.settings = {**(workspace.settings or {}), **DEMO_SETTINGS}
        _load_scoring_model(session, workspace)
        _load_team(session, workspace)
        _load_sla(session, workspace)
        _load_calendars(session, workspace)
        _load_admin(session, workspace)
        for slug, file_name in DEMO_FORMS.items():
            definition = json.loads((DEMO_DIR / file_name).read_text(encoding="utf-8"))
            try:
                form, _ = save_draft(session, workspace, slug, definition)
                outcome = publish(session, form, note="demo")
            except DefinitionRejected as rejected:
                raise click.ClickException(f"demo form {slug}: {rejected.review.errors}") from None
            state = "published" if outcome.created else "unchanged"
            click.echo(f"{DEMO_WORKSPACE}/{slug}: version {outcome.version.number} ({state})")


def _load_scoring_model(session: Session, workspace: Workspace) -> None:
    model = json.loads((DEMO_DIR / "scoring-model.json").read_text(encoding="utf-8"))
    try:
        saved = save_model(session, workspace.id, model, note="demo")
    except ModelRejected as rejected:
        raise click.ClickException(f"demo scoring model: {rejected.issues}") from None
    click.echo(f"{DEMO_WORKSPACE}: scoring model version {saved.version.number}")


def _load_admin(session: Session, workspace: Workspace) -> None:
    email, name, password = DEMO_ADMIN
    if find_user(session, email) is not None:
        return
    user = create_user(session, email, password, name)
    add_membership(session, workspace, user, "admin")
    click.echo(f"{DEMO_WORKSPACE}: back office admin {email}, password {password} "
               "(sign in at /login; demo only)")


def _load_calendars(session: Session, workspace: Workspace) -> None:
    """The team's meeting type, and weekday hours for reps who have none yet."""
    team = find_team(session, workspace.id, DEMO_TEAM[0])
    if team is None:
        return
    slug, meeting = DEMO_MEETING
    save_meeting_type(session, team, slug, meeting)
    weekdays = ("mon", "tue", "wed", "thu", "fri")
    for email, (timezone, hours) in DEMO_HOURS.items():
        user = session.scalar(select(User).where(User.email == email))
        if user is not None and calendar_of(session, workspace.id, user.id) is None:
            set_hours(session, workspace.id, user, timezone=timezone,
                      weekly={day: hours for day in weekdays})
    click.echo(f"{DEMO_WORKSPACE}: meeting type {DEMO_TEAM[0]}/{slug}, reps' hours")


def _load_team(session: Session, workspace: Workspace) -> None:
    slug, name = DEMO_TEAM
    team = find_team(session, workspace.id, slug)
    if team is not None:
        return
    team = Team(workspace_id=workspace.id, slug=slug, name=name, territories=[])
    session.add(team)
    session.flush()
    for email, rep_name, weight in DEMO_REPS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=rep_name)
            session.add(user)
            session.flush()
        session.add(Membership(workspace_id=workspace.id, user_id=user.id, role="sales"))
        add_member(session, team, user, weight=weight, max_per_day=25, today=utcnow().date())
    team.fallback_user_id = session.scalar(select(User.id).where(User.email == DEMO_REPS[0][0]))
    click.echo(f"{DEMO_WORKSPACE}: team {slug} with {len(DEMO_REPS)} reps")


def _load_sla(session: Session, workspace: Workspace) -> None:
    """The demo's SLA targets and team lead, unless someone already chose their own."""
    if "sla" not in (workspace.settings or {}):
        workspace.settings = {**(workspace.settings or {}), "sla": DEMO_SLA}
    team = find_team(session, workspace.id, DEMO_TEAM[0])
    if team is not None and team.lead_user_id is None:
        team.lead_user_id = session.scalar(select(User.id).where(User.email == DEMO_TEAM_LEAD))
    click.echo(f"{DEMO_WORKSPACE}: first-touch SLA SQL 15 min, MQL 4 h; team lead {DEMO_TEAM_LEAD}")
