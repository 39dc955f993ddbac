"""One lead's whole story for the sales inbox: who, every answer, why the score, what they
did, what was sent about them and who moved them. Read only.

The links in alerts point at this page. Every query is scoped to the workspace
(invariant 8); lists are capped so a very active contact still renders quickly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from app.alerts.payloads import labelled_answers
from app.forms.piping import pipe, tidy
from app.leads.inbox import display_name
from app.models import (
    AlertEndpoint,
    Booking,
    Contact,
    ContactProperty,
    Delivery,
    Form,
    FormVersion,
    Lead,
    LeadEvent,
    MeetingType,
    OutboxEvent,
    Response,
    Signal,
    Team,
    User,
    Workspace,
)
from app.profiling.contacts import fresh_properties
from app.sales.history_text import describe_event, people_in

MAX_RESPONSES = 50
MAX_SIGNALS = 200
MAX_ALERTS = 50
MAX_HISTORY = 200


@dataclass(frozen=True)
class PropertyFact:
    name: str
    value: Any
    source: str
    form: str | None
    recorded_at: datetime
    stale: bool


@dataclass(frozen=True)
class ResponseStory:
    response: Response
    form: str
    version: int
    answers: list[dict[str, Any]]
    hidden: list[tuple[str, Any]]


@dataclass(frozen=True)
class AlertStory:
    kind: str
    event_id: str
    created_at: datetime
    deliveries: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryEntry:
    event: LeadEvent
    who: str | None  # the person, or None for the system
    text: str


def find_lead(session: Session, workspace_id: int, lead_id: int) -> Lead | None:
    """The workspace's lead with this id, or None (a foreign id is as unknown as a wrong one)."""
    return session.scalar(select(Lead).where(Lead.id == lead_id,
                                             Lead.workspace_id == workspace_id))


def lead_story(session: Session, workspace: Workspace, lead_id: int, now: datetime
               ) -> dict[str, Any] | None:
    """Everything about one lead, or None when it is not this workspace's."""
    lead = find_lead(session, workspace.id, lead_id)
    if lead is None:
        return None
    contact = session.get(Contact, lead.contact_id)
    assert contact is not None
    people = _people(session, lead)
    team = session.get(Team, lead.team_id) if lead.team_id else None
    responses = _responses(session, workspace.id, contact.id)
    properties = _properties(session, workspace, contact.id, now)
    return {
        "lead": lead, "contact": contact,
        "name": _name(properties),
        "properties": properties,
        "owner": people.get(lead.owner_id) if lead.owner_id else None,
        "first_touch_by": people.get(lead.first_touch_by_id) if lead.first_touch_by_id
        else None,
        "team": team.name if team else None,
        "origin_form": session.scalar(select(Form.name).where(
            Form.id == lead.origin_form_id, Form.workspace_id == workspace.id))
        if lead.origin_form_id else None,
        "reasons": sorted(lead.reasons or [], key=lambda reason: -abs(reason.get("points", 0))),
        "responses": responses,
        "signals": _signals(session, workspace.id, contact.id,
                            {story.response.visitor_id for story in responses
                             if story.response.visitor_id}),
        "bookings": _bookings(session, workspace.id, lead.id),
        "alerts": _alerts(session, workspace.id, contact.id),
        "history": _history(session, workspace.id, lead.id),
    }


def _people(session: Session, lead: Lead) -> dict[int, str]:
    ids = {user_id for user_id in (lead.owner_id, lead.first_touch_by_id) if user_id}
    if not ids:
        return {}
    return {user.id: user.name or user.email
            for user in session.scalars(select(User).where(User.id.in_(ids)))}


def _name(properties: list[PropertyFact]) -> str:
    return display_name({fact.name: fact.value for fact in properties})


def _properties(session: Session, workspace: Workspace, contact_id: int, now: datetime
                ) -> list[PropertyFact]:
    """Current properties with where they came from; stale ones (past their TTL) marked."""
    fresh = fresh_properties(session, workspace, contact_id, now)
    rows = session.execute(
        select(ContactProperty, Form.name).outerjoin(Form, Form.id == ContactProperty.form_id)
        .where(ContactProperty.workspace_id == workspace.id,
               ContactProperty.contact_id == contact_id, ContactProperty.is_current)
        .order_by(ContactProperty.name))
    return [PropertyFact(prop.name, prop.value, prop.source, form_name, prop.recorded_at,
                         stale=prop.name not in fresh)
            for prop, form_name in rows]


def _responses(session: Session, workspace_id: int, contact_id: int) -> list[ResponseStory]:
    rows = session.execute(
        select(Response, FormVersion.number, FormVersion.definition, Form.name)
        .join(FormVersion, FormVersion.id == Response.version_id)
        .join(Form, Form.id == Response.form_id)
        .where(Response.workspace_id == workspace_id, Response.contact_id == contact_id)
        .order_by(Response.started_at.desc(), Response.id.desc()).limit(MAX_RESPONSES))
    return [ResponseStory(response, form_name, number,
                          _piped(labelled_answers(definition, response.answers or {}), response),
                          sorted((response.hidden or {}).items()))
            for response, number, definition, form_name in rows]


def _piped(answers: list[dict[str, Any]], response: Response) -> list[dict[str, Any]]:
    """Questions as the respondent read them ("Where do you work, Ada?")."""
    return [{**answer, "label": tidy(pipe(str(answer["label"]), response.answers or {},
                                          response.hidden or {}))} for answer in answers]


def _signals(session: Session, workspace_id: int, contact_id: int, visitors: set[str]
             ) -> list[Signal]:
    """Page views and other signals of the contact (and of its browsers before it was known),
    newest first."""
    owners = [Signal.contact_id == contact_id]
    if visitors:
        owners.append(Signal.visitor_token.in_(sorted(visitors)))
    return list(session.scalars(
        select(Signal).where(Signal.workspace_id == workspace_id, or_(*owners))
        .order_by(Signal.occurred_at.desc(), Signal.id.desc()).limit(MAX_SIGNALS)))


def _bookings(session: Session, workspace_id: int, lead_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Booking, MeetingType.name, User.name, User.email)
        .join(MeetingType, MeetingType.id == Booking.meeting_type_id)
        .join(User, User.id == Booking.rep_id)
        .where(Booking.workspace_id == workspace_id, Booking.lead_id == lead_id)
        .order_by(Booking.start_at.desc()))
    return [{"booking": booking, "meeting": meeting, "rep": rep_name or rep_email}
            for booking, meeting, rep_name, rep_email in rows]


def _alerts(session: Session, workspace_id: int, contact_id: int) -> list[AlertStory]:
    """The events written about this contact, each with every delivery and how it went."""
    events = list(session.scalars(
        select(OutboxEvent).where(OutboxEvent.workspace_id == workspace_id,
                                  OutboxEvent.contact_id == contact_id)
        .order_by(OutboxEvent.created_at.desc(), OutboxEvent.id.desc()).limit(MAX_ALERTS)))
    if not events:
        return []
    endpoint = aliased(AlertEndpoint)
    rows = session.execute(
        select(Delivery, endpoint.name, endpoint.url)
        .outerjoin(endpoint, endpoint.id == Delivery.endpoint_id)
        .where(Delivery.workspace_id == workspace_id,
               Delivery.event_id.in_([event.id for event in events]))
        .order_by(Delivery.id))
    by_event: dict[int, list[dict[str, Any]]] = {}
    for delivery, name, url in rows:
        by_event.setdefault(delivery.event_id, []).append({
            "channel": delivery.channel,
            "to": delivery.recipient if delivery.channel == "email" else (name or url or "–"),
            "detail": delivery.template if delivery.channel == "email" else _host(url),
            "status": delivery.status, "attempts": delivery.attempts,
            "last_error": delivery.last_error, "last_status": delivery.last_status,
            "delivered_at": delivery.delivered_at,
            "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending"
            else None,
        })
    return [AlertStory(event.kind, event.event_id, event.created_at,
                       by_event.get(event.id, [])) for event in events]


def _host(url: str | None) -> str:
    """Only the host of an endpoint's URL: Slack webhook paths are secrets."""
    return (urlsplit(url).hostname or "") if url else ""


def _history(session: Session, workspace_id: int, lead_id: int) -> list[HistoryEntry]:
    """Newest first, each with who did it and a sentence naming the people it mentions."""
    rows = session.execute(
        select(LeadEvent, User.name, User.email)
        .outerjoin(User, User.id == LeadEvent.user_id)
        .where(LeadEvent.workspace_id == workspace_id, LeadEvent.lead_id == lead_id)
        .order_by(LeadEvent.at.desc(), LeadEvent.id.desc()).limit(MAX_HISTORY)).all()
    mentioned = set().union(*(people_in(event.details) for event, _, _ in rows))
    names = {user.id: user.name or user.email for user in session.scalars(
        select(User).where(User.id.in_(sorted(mentioned))))} if mentioned else {}
    return [HistoryEntry(event, name or email,
                         describe_event(event.kind, event.from_stage, event.to_stage,
                                        event.details, names))
            for event, name, email in rows]
