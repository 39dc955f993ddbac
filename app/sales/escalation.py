"""Escalating overdue first touches: the worker's minute job, and `flask sla check`.

Overdue leads are escalated in batches, each batch one transaction; rows are claimed
with `FOR UPDATE SKIP LOCKED` on PostgreSQL (and under SQLite's single writer), so two
workers never escalate a lead twice. The same run archives leads whose nurture ran out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.alerts.outbox import emit
from app.alerts.payloads import lead_alert_data
from app.db import write_session
from app.models import Contact, Lead, LeadEvent, Team, User, Workspace
from app.profiling.contacts import fresh_properties
from app.qualify.sla import STAGE_LABELS, policy_of
from app.sales.actions import LeadActionError, archive_expired_nurture, reassign

log = logging.getLogger("leadform.sla")
BATCH = 100
NURTURE_BATCH = 1000  # what archive_expired_nurture takes at a time


@dataclass(frozen=True)
class SlaRun:
    """What one check did."""

    escalated: int = 0
    reassigned: int = 0
    archived: int = 0


def run_sla_check(engine: Engine, now: datetime, *, batch: int = BATCH) -> SlaRun:
    """Escalate every overdue lead, then archive expired nurture; safe to run anywhere, often."""
    escalated = reassigned = 0
    failed: set[int] = set()
    while True:
        with write_session(engine) as session:
            leads = claim_overdue(session, now, batch, skip=failed)
            for lead in leads:
                try:
                    with session.begin_nested():
                        reassigned += escalate(session, lead, now)
                    escalated += 1
                except Exception:  # noqa: BLE001 - one bad lead must not hold up the rest
                    log.exception("escalating lead %s failed", lead.id)
                    failed.add(lead.id)
        if len(leads) < batch:
            break
    archived = 0
    while True:
        with write_session(engine) as session:
            count = archive_expired_nurture(session, now)
        archived += count
        if count < NURTURE_BATCH:
            break
    return SlaRun(escalated, reassigned, archived)


def claim_overdue(session: Session, now: datetime, limit: int, *,
                  skip: set[int] | frozenset[int] = frozenset()) -> list[Lead]:
    """Lock up to `limit` overdue, untouched, unescalated, live leads (others' locks skipped)."""
    query = (select(Lead)
             .where(Lead.sla_due_at.is_not(None), Lead.sla_due_at <= now,
                    Lead.first_touch_at.is_(None), Lead.sla_escalated_at.is_(None),
                    Lead.archived_at.is_(None))
             .order_by(Lead.sla_due_at, Lead.id).limit(limit)
             .with_for_update(skip_locked=True, of=Lead))
    if skip:
        query = query.where(Lead.id.not_in(sorted(skip)))
    return list(session.scalars(query))


def escalate(session: Session, lead: Lead, now: datetime) -> bool:
    """Mark the lead escalated, give it to the fallback rep if asked, record and announce it.

    Returns whether it was reassigned. The email to the team lead is planned by the
    outbox for `lead.sla_overdue` (see `app.alerts.outbox.escalation_recipients`).
    """
    workspace = session.get(Workspace, lead.workspace_id)
    assert workspace is not None and lead.sla_due_at is not None
    policy = policy_of(workspace.settings)
    lead.sla_escalated_at = now
    team = session.get(Team, lead.team_id) if lead.team_id else None
    owner_before = lead.owner_id
    stage_label = STAGE_LABELS.get(lead.sla_stage or "", lead.sla_stage or "")
    reassigned_to: User | None = None
    if (policy.reassign_overdue and team is not None and team.fallback_user_id is not None
            and team.fallback_user_id != lead.owner_id):
        why = (f"SLA overdue: no first touch within the {stage_label} target; "
               f"fallback rep of {team.name}")
        try:
            reassigned_to = reassign(session, workspace, lead, None, team.fallback_user_id, now,
                                     why=why)
        except LeadActionError:
            log.warning("lead %s: the fallback rep of team %s is not a member", lead.id, team.id)
    late = now - lead.sla_due_at
    sla = {
        "stage": lead.sla_stage,
        "started_at": lead.sla_started_at.isoformat() if lead.sla_started_at else None,
        "due_at": lead.sla_due_at.isoformat(),
        "target_minutes": policy.target(lead.sla_stage or ""),
        "late_seconds": int(late.total_seconds()),
        "owner_id": owner_before,
        "reassigned_to_id": reassigned_to.id if reassigned_to else None,
    }
    session.add(LeadEvent(workspace_id=lead.workspace_id, lead=lead, kind="sla", cause="sla",
                          details=sla, at=now))
    _announce(session, workspace, lead, team, now, sla, owner_before)
    return reassigned_to is not None


def _announce(session: Session, workspace: Workspace, lead: Lead, team: Team | None,
              now: datetime, sla: dict[str, Any], owner_before: int | None) -> None:
    contact = session.get(Contact, lead.contact_id)
    assert contact is not None
    reasons = sorted(lead.reasons or [], key=lambda reason: -abs(reason.get("points", 0)))
    data = lead_alert_data(session, workspace, contact, lead,
                           known=fresh_properties(session, workspace, contact.id, now),
                           destination=lead.destination or None, top_reasons=reasons[:3],
                           stage=lead.stage, response=None)
    previous = session.get(User, owner_before) if owner_before else None
    lead_user = session.get(User, team.lead_user_id) if team and team.lead_user_id else None
    data["sla"] = {
        **sla,
        "previous_owner": _person(previous),
        "reassigned": sla["reassigned_to_id"] is not None,
        "team_lead": _person(lead_user),
    }
    emit(session, workspace.id, "lead.sla_overdue", data, now, contact_id=contact.id)


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name or user.email,
                                      "email": user.email}
