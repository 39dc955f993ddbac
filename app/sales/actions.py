"""What sales does to a lead: accept, reject with a disposition, reassign, mark contacted,
record the outcome, move the stage by hand; and archiving leads whose nurture ran out.

Each action writes history (who, when, why) and an outbox event in the caller's
transaction; the first action of a person on a lead is its first touch, which stops
the SLA clock. Views and the API both call these, so they behave the same.
Bad input raises `LeadActionError` with a message for people.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import metrics
from app.alerts.outbox import emit
from app.alerts.payloads import lead_alert_data
from app.audit import record
from app.leads.qualification import mark_milestone
from app.models import Contact, Lead, LeadEvent, Membership, User, Workspace
from app.profiling.contacts import fresh_properties
from app.qualify.dispositions import (
    DISPOSITION_CODES,
    OUTCOMES,
    DispositionError,
    verdict_for,
)
from app.qualify.stages import STAGES
from app.sales.sla import on_stage_entered

NOTE_MAX = 2000


class LeadActionError(ValueError):
    """An action that cannot be done as asked; the message says why."""


def accept(session: Session, workspace: Workspace, lead: Lead, user: User | None,
           now: datetime) -> None:
    """Sales takes the lead: the `accepted` milestone (kept if already reached)."""
    _check(workspace, lead)
    if lead.accepted_at is None:
        lead.accepted_at = now
    lead.disposition = "accepted"
    lead.archived_at = lead.nurture_until = None
    _touch(lead, user, now)
    _history(session, lead, "accepted", user, now, {})
    _emit(session, workspace, lead, "lead.accepted", now, {})
    _audit(session, lead, user, "lead.disposition", "Accepted the lead", {"code": "accepted"})


def dispose(session: Session, workspace: Workspace, lead: Lead, user: User | None, code: str,
            note: str, now: datetime) -> None:
    """Reject with a reason: recycle into the reason's nurture track, or close the lead."""
    _check(workspace, lead)
    try:
        verdict = verdict_for(code, workspace.settings, now)
    except DispositionError as error:
        raise LeadActionError(str(error)) from None
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise LeadActionError(f"The note is too long: at most {NOTE_MAX} characters.")
    previous = lead.stage
    lead.disposition, lead.disposition_note, lead.disposed_at = code, note, now
    lead.nurture_track = verdict.track
    lead.nurture_until = verdict.nurture_until
    lead.archived_at = now if verdict.archive_now else None
    _touch(lead, user, now)
    _history(session, lead, "disposition", user, now,
             {"code": code, "note": note, "track": verdict.track,
              "nurture_until": verdict.nurture_until.isoformat()
              if verdict.nurture_until else None})
    _move(session, workspace, lead, previous, verdict.stage, f"disposition {code}", user, now)
    _emit(session, workspace, lead, "lead.disposition", now,
          {"code": code, "note": note, "nurture_track": verdict.track,
           "nurture_until": verdict.nurture_until.isoformat() if verdict.nurture_until
           else None, "archived": verdict.archive_now})
    # The note is sales' words about a person: it stays in the lead's history, not here.
    _audit(session, lead, user, "lead.disposition", f"Disposition {code}",
           {"code": code, "track": verdict.track})


def reassign(session: Session, workspace: Workspace, lead: Lead, user: User | None,
             to_user_id: int, now: datetime, *, why: str = "reassigned by hand") -> User:
    """Give the lead to another member of the workspace; returns the new owner."""
    _check(workspace, lead)
    member = session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                            .where(Membership.workspace_id == workspace.id,
                                   User.id == to_user_id))
    if member is None:
        raise LeadActionError("Choose a member of this workspace to give the lead to.")
    if lead.owner_id == member.id:
        return member
    before = lead.owner_id
    lead.owner_id = member.id
    lead.assignment_reason = why[:300]
    _history(session, lead, "reassigned", user, now,
             {"from_user_id": before, "to_user_id": member.id, "why": why})
    _emit(session, workspace, lead, "lead.reassigned", now,
          {"from_user_id": before, "to_user_id": member.id, "why": why})
    _audit(session, lead, user, "lead.reassign", "Gave the lead to another rep",
           {"from_user_id": before, "to_user_id": member.id})
    return member


def mark_contacted(session: Session, workspace: Workspace, lead: Lead, user: User | None,
                   now: datetime, *, note: str = "") -> None:
    """Sales reached out (a call, an email): the first one stops the SLA clock."""
    _check(workspace, lead)
    note = (note or "").strip()[:NOTE_MAX]
    _touch(lead, user, now)
    _history(session, lead, "contacted", user, now, {"note": note} if note else {})


def record_outcome(session: Session, workspace: Workspace, lead: Lead, user: User | None,
                   outcome: str, now: datetime, *, note: str = "") -> None:
    """Won or lost: the end of the closed loop. A won lead was accepted, at the latest now."""
    _check(workspace, lead)
    if outcome not in OUTCOMES:
        raise LeadActionError("The outcome is either won or lost.")
    lead.outcome, lead.outcome_at = outcome, now
    if outcome == "won" and lead.accepted_at is None:
        lead.accepted_at = now
    _touch(lead, user, now)
    note = (note or "").strip()[:NOTE_MAX]
    _history(session, lead, "outcome", user, now, {"outcome": outcome, "note": note})
    _emit(session, workspace, lead, "lead.outcome", now, {"outcome": outcome, "note": note})
    _audit(session, lead, user, "lead.outcome", f"Marked {outcome}", {"outcome": outcome})


def set_stage(session: Session, workspace: Workspace, lead: Lead, user: User | None,
              stage: str, now: datetime, *, why: str = "") -> bool:
    """Move the lead to `stage` by hand (the CRM's say); True when it moved."""
    _check(workspace, lead)
    if stage not in STAGES:
        raise LeadActionError(f"Unknown stage {stage!r}: use one of {', '.join(STAGES)}.")
    previous = lead.stage
    moved = _move(session, workspace, lead, previous, stage, why or "set by hand", user, now)
    if moved:
        _audit(session, lead, user, "lead.stage", f"Stage {previous} → {stage}",
               {"from": previous, "to": stage})
    return moved


def archive_expired_nurture(session: Session, now: datetime) -> int:
    """Archive recycled leads whose maximum nurture period has passed; returns how many."""
    leads = list(session.scalars(
        select(Lead).where(Lead.nurture_until.is_not(None), Lead.nurture_until <= now,
                           Lead.archived_at.is_(None)).limit(1000)))
    for lead in leads:
        lead.archived_at = now
        _history(session, lead, "archived", None, now,
                 {"reason": "nurture period over", "track": lead.nurture_track})
    return len(leads)


def _check(workspace: Workspace, lead: Lead) -> None:
    if lead.workspace_id != workspace.id:  # callers look leads up scoped; this is the backstop
        raise LookupError("lead not in this workspace")


def _touch(lead: Lead, user: User | None, now: datetime) -> None:
    if lead.first_touch_at is None and user is not None:
        lead.first_touch_at, lead.first_touch_by_id = now, user.id


def _move(session: Session, workspace: Workspace, lead: Lead, previous: str, stage: str,
          why: str, user: User | None, now: datetime) -> bool:
    if stage == previous:
        return False
    lead.stage, lead.stage_changed_at = stage, now
    mark_milestone(lead, stage, now)
    on_stage_entered(session, lead, now)
    session.add(LeadEvent(workspace_id=lead.workspace_id, lead=lead, kind="stage",
                          cause="sales", from_stage=previous, to_stage=stage,
                          details={"reason": why}, user_id=user.id if user else None, at=now))
    _emit(session, workspace, lead, "lead.stage_changed", now,
          {"change": {"from": previous, "to": stage, "reason": why}})
    metrics.count_stage_change(session, stage)
    return True


def _audit(session: Session, lead: Lead, user: User | None, action: str, summary: str,
           details: dict[str, Any]) -> None:
    record(session, lead.workspace_id, action, target_type="lead", target_id=lead.id,
           summary=summary, details=details, actor_id=user.id if user is not None else None)


def _history(session: Session, lead: Lead, kind: str, user: User | None, now: datetime,
             details: dict[str, Any]) -> None:
    session.add(LeadEvent(workspace_id=lead.workspace_id, lead=lead, kind=kind, cause="sales",
                          details=details, user_id=user.id if user else None, at=now))


def _emit(session: Session, workspace: Workspace, lead: Lead, kind: str, now: datetime,
          extra: dict[str, Any]) -> None:
    """The event in the shape of every lead event (lead, contact, destination), plus `extra`."""
    contact = session.get(Contact, lead.contact_id)
    assert contact is not None
    reasons = sorted(lead.reasons or [], key=lambda reason: -abs(reason.get("points", 0)))
    data = lead_alert_data(session, workspace, contact, lead,
                           known=fresh_properties(session, workspace, contact.id, now),
                           destination=lead.destination or None, top_reasons=reasons[:3],
                           stage=lead.stage, response=None)
    data["lead"].update(disposition=lead.disposition, outcome=lead.outcome,
                        nurture_track=lead.nurture_track)
    emit(session, workspace.id, kind, {**data, **extra}, now, contact_id=contact.id)


__all__ = [
    "DISPOSITION_CODES",
    "LeadActionError",
    "accept",
    "archive_expired_nurture",
    "dispose",
    "mark_contacted",
    "reassign",
    "record_outcome",
    "set_stage",
]
