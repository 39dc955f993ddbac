"""What sales sees of leads: a recent list and one lead's whole story (read only).

The links in alerts point here. Every query is scoped to the workspace (invariant 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.payloads import labelled_answers, pages_viewed
from app.models import (
    Booking,
    Contact,
    FormVersion,
    Lead,
    LeadEvent,
    MeetingType,
    Response,
    Team,
    User,
    Workspace,
)
from app.profiling.contacts import fresh_properties


@dataclass(frozen=True)
class LeadRow:
    id: int
    email: str
    stage: str
    total: float
    owner: str | None
    stage_changed_at: datetime


def recent_leads(session: Session, workspace_id: int, limit: int = 100) -> list[LeadRow]:
    rows = session.execute(
        select(Lead, Contact.email, User.name, User.email)
        .join(Contact, Contact.id == Lead.contact_id)
        .outerjoin(User, User.id == Lead.owner_id)
        .where(Lead.workspace_id == workspace_id)
        .order_by(Lead.stage_changed_at.desc(), Lead.id.desc()).limit(limit)
    )
    return [LeadRow(lead.id, email, lead.stage, lead.total, owner_name or owner_email,
                    lead.stage_changed_at)
            for lead, email, owner_name, owner_email in rows]


def lead_story(session: Session, workspace: Workspace, lead_id: int, now: datetime
               ) -> dict[str, Any] | None:
    """Everything about one lead, or None when it is not this workspace's."""
    lead = session.get(Lead, lead_id)
    if lead is None or lead.workspace_id != workspace.id:
        return None
    contact = session.get(Contact, lead.contact_id)
    assert contact is not None
    owner = session.get(User, lead.owner_id) if lead.owner_id else None
    team = session.get(Team, lead.team_id) if lead.team_id else None
    response = session.get(Response, lead.last_response_id) if lead.last_response_id else None
    version = session.get(FormVersion, response.version_id) if response else None
    history = session.scalars(select(LeadEvent).where(LeadEvent.lead_id == lead.id)
                              .order_by(LeadEvent.at.desc(), LeadEvent.id.desc()).limit(50))
    bookings = session.execute(
        select(Booking, MeetingType.name, User.name)
        .join(MeetingType, MeetingType.id == Booking.meeting_type_id)
        .join(User, User.id == Booking.rep_id)
        .where(Booking.lead_id == lead.id).order_by(Booking.start_at.desc())
    ).all()
    return {
        "lead": lead, "contact": contact,
        "properties": sorted(fresh_properties(session, workspace, contact.id, now).items()),
        "owner": (owner.name or owner.email) if owner else None,
        "team": team.name if team else None,
        "reasons": sorted(lead.reasons or [], key=lambda reason: -abs(reason.get("points", 0))),
        "answers": labelled_answers(version.definition, response.answers)
        if response and version else [],
        "form": version.definition.get("title") if version else None,
        "hidden": sorted((response.hidden or {}).items()) if response else [],
        "pages": pages_viewed(session, workspace.id, contact.id,
                              response.visitor_id if response else None),
        "history": list(history),
        "bookings": [{"booking": booking, "meeting": meeting, "rep": rep}
                     for booking, meeting, rep in bookings],
    }
