"""First-touch SLAs in the database: the clock on stage changes, and the workspace's settings.

The decisions are pure (`app.qualify.sla`). Stage changes call `on_stage_entered` in
their own transaction; the first touch (set by `app.sales.actions`) stops the clock.
Escalating overdue leads is `app.sales.escalation`'s job.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Lead, Membership, Team, Workspace
from app.qualify.sla import SlaError, SlaPolicy, clock_for, policy_of


def workspace_policy(workspace: Workspace) -> SlaPolicy:
    return policy_of(workspace.settings)


def on_stage_entered(session: Session, lead: Lead, now: datetime) -> None:
    """Start the clock of the stage the lead just entered, or clear it if it has no target.

    A touched lead keeps its stopped clock as it was: the report reads it.
    """
    if lead.first_touch_at is not None:
        return
    workspace = session.get(Workspace, lead.workspace_id)
    clock = clock_for(policy_of(workspace.settings if workspace else None), lead.stage, None,
                      now)
    lead.sla_escalated_at = None
    if clock is None:
        lead.sla_stage = lead.sla_started_at = lead.sla_due_at = None
    else:
        lead.sla_stage, lead.sla_started_at, lead.sla_due_at = (
            clock.stage, clock.started_at, clock.due_at)


def save_policy(session: Session, workspace: Workspace, policy: SlaPolicy) -> int:
    """Store the targets; running clocks follow the new ones. Returns how many clocks changed.

    A clock that is already overdue and escalated stays as it is, and leads that have no
    clock do not get one: a new target applies from the next stage change.
    """
    workspace.settings = {**(workspace.settings or {}), "sla": policy.as_settings()}
    changed = 0
    for lead in session.scalars(_running_clocks(workspace.id)):
        minutes = policy.target(lead.sla_stage or "")
        assert lead.sla_started_at is not None
        due = lead.sla_started_at + timedelta(minutes=minutes) if minutes else None
        if due == lead.sla_due_at:
            continue
        changed += 1
        if due is None:
            lead.sla_stage = lead.sla_started_at = lead.sla_due_at = None
        else:
            lead.sla_due_at = due
    return changed


def _running_clocks(workspace_id: int) -> Any:
    return select(Lead).where(Lead.workspace_id == workspace_id, Lead.sla_due_at.is_not(None),
                              Lead.first_touch_at.is_(None), Lead.sla_escalated_at.is_(None),
                              Lead.archived_at.is_(None))


def set_team_people(session: Session, workspace: Workspace, team: Team, *,
                    lead_user_id: int | None, fallback_user_id: int | None) -> None:
    """Who hears about a team's overdue leads, and who gets them when reassigning is on."""
    for user_id, what in ((lead_user_id, "team lead"), (fallback_user_id, "fallback rep")):
        if user_id is not None and not _is_member(session, workspace.id, user_id):
            raise SlaError(f"Choose a member of this workspace as the {what}.")
    team.lead_user_id, team.fallback_user_id = lead_user_id, fallback_user_id


def _is_member(session: Session, workspace_id: int, user_id: int) -> bool:
    return session.scalar(select(Membership.id).where(
        Membership.workspace_id == workspace_id, Membership.user_id == user_id)) is not None
