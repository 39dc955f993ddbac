"""Leads as the API shows them, and the closed loop: stage, disposition, outcome.

The changes are `app.sales.actions` (history, milestones and outbox events, as the
inbox does them), with no person attached: the token's name says who in history.
Services flush; the view commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.api.forms import filter_form_id
from app.api.pagination import Page, fetch_page
from app.models import (
    ApiToken,
    Contact,
    Form,
    FormVersion,
    Lead,
    LeadEvent,
    Team,
    User,
    Workspace,
)
from app.sales import actions


def _query(workspace: Workspace) -> Any:
    origin_form = aliased(Form)
    return (select(Lead, Contact.email, User, Team.slug, origin_form.slug, FormVersion.number)
            .join(Contact, Contact.id == Lead.contact_id)
            .outerjoin(User, User.id == Lead.owner_id)
            .outerjoin(Team, Team.id == Lead.team_id)
            .outerjoin(origin_form, origin_form.id == Lead.origin_form_id)
            .outerjoin(FormVersion, FormVersion.id == Lead.origin_version_id)
            .where(Lead.workspace_id == workspace.id))


def lead_page(session: Session, workspace: Workspace, args: dict[str, Any]
              ) -> tuple[list[dict[str, Any]], Page]:
    query = _query(workspace)
    if args.get("form"):
        query = query.where(Lead.origin_form_id == filter_form_id(session, workspace, args["form"]))
    for name, column in (("stage", Lead.stage), ("owner_id", Lead.owner_id),
                         ("source", Lead.source), ("campaign", Lead.campaign),
                         ("outcome", Lead.outcome)):
        if args.get(name) is not None:
            query = query.where(column == args[name])
    if args.get("since"):
        query = query.where(Lead.created_at >= args["since"])
    if args.get("until"):
        query = query.where(Lead.created_at < args["until"])
    page = fetch_page(session, query, Lead.id, args, lambda row: row[0].id)
    return [describe(*row) for row in page.rows], page


def find_lead(session: Session, workspace: Workspace, lead_id: int) -> Lead | None:
    lead = session.get(Lead, lead_id)
    return lead if lead is not None and lead.workspace_id == workspace.id else None


def lead_view(session: Session, workspace: Workspace, lead_id: int) -> dict[str, Any] | None:
    row = session.execute(_query(workspace).where(Lead.id == lead_id)).first()
    return describe(*row) if row else None


def describe(lead: Lead, email: str, owner: User | None, team: str | None,
             form: str | None, version: int | None) -> dict[str, Any]:
    return {
        "id": lead.id, "contact": {"id": lead.contact_id, "email": email},
        "stage": lead.stage,
        "score": {"fit": lead.fit, "intent": lead.intent, "total": lead.total},
        "reasons": list(lead.reasons or []),
        "owner": {"id": owner.id, "email": owner.email, "name": owner.name} if owner else None,
        "team": team, "assignment_reason": lead.assignment_reason,
        "destination": dict(lead.destination or {}),
        "nurture_track": lead.nurture_track, "nurture_until": lead.nurture_until,
        "disposition": lead.disposition, "disposition_note": lead.disposition_note or "",
        "disposed_at": lead.disposed_at, "archived_at": lead.archived_at,
        "outcome": lead.outcome,
        "origin": {"form": form, "version": version, "response_id": lead.origin_response_id,
                   "source": lead.source, "campaign": lead.campaign},
        "milestones": {"mql_at": lead.mql_at, "sql_at": lead.sql_at,
                       "booked_at": lead.booked_at, "accepted_at": lead.accepted_at,
                       "first_touch_at": lead.first_touch_at, "outcome_at": lead.outcome_at},
        "sla": {"stage": lead.sla_stage, "started_at": lead.sla_started_at,
                "due_at": lead.sla_due_at, "escalated_at": lead.sla_escalated_at},
        "stage_changed_at": lead.stage_changed_at, "scored_at": lead.scored_at,
        "created_at": lead.created_at,
    }


def set_stage(session: Session, workspace: Workspace, lead: Lead, token: ApiToken,
              stage: str, reason: str, now: datetime) -> bool:
    why = reason.strip() or f"set through the API ({token.name})"
    return actions.set_stage(session, workspace, lead, None, stage, now, why=why[:300])


def dispose(session: Session, workspace: Workspace, lead: Lead, code: str, note: str,
            now: datetime) -> None:
    if code == "accepted":
        actions.accept(session, workspace, lead, None, now)
    else:
        actions.dispose(session, workspace, lead, None, code, note, now)


def record_outcome(session: Session, workspace: Workspace, lead: Lead, outcome: str,
                   note: str, now: datetime) -> None:
    actions.record_outcome(session, workspace, lead, None, outcome, now, note=note)


def reassign(session: Session, workspace: Workspace, lead: Lead, token: ApiToken,
             owner_id: int, reason: str, now: datetime) -> None:
    why = reason.strip() or f"reassigned through the API ({token.name})"
    actions.reassign(session, workspace, lead, None, owner_id, now, why=why[:300])


def event_page(session: Session, lead: Lead, args: dict[str, Any]
               ) -> tuple[list[dict[str, Any]], Page]:
    query = select(LeadEvent).where(LeadEvent.lead_id == lead.id,
                                    LeadEvent.workspace_id == lead.workspace_id)
    page = fetch_page(session, query, LeadEvent.id, args, lambda row: row[0].id)
    return [{"id": event.id, "kind": event.kind, "from_stage": event.from_stage,
             "to_stage": event.to_stage, "cause": event.cause, "details": dict(event.details or {}),
             "user_id": event.user_id, "at": event.at} for (event,) in page.rows], page
