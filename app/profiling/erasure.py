"""Erasure (GDPR Art. 17): remove a person, keep anonymous aggregates."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.models import Contact, ContactProperty, Delivery, Lead, OutboxEvent, Response, Visitor
from app.profiling.emails import normalise_email

# What an erased response keeps: enough for funnels and conversion counts.
ANONYMOUS_META_KEYS = ("path",)


@dataclass(frozen=True)
class ErasureReport:
    contact_found: bool
    properties: int
    responses: int
    events: int = 0


def erase_person(session: Session, workspace_id: int, email: str) -> ErasureReport:
    """Delete the contact and its properties; strip every response that names them.

    Responses keep their form, version, state, ending and times (anonymous
    aggregates) but lose answers, hidden fields, referrer and the contact link.
    A response that mentions the address without being linked (a bot, a
    half-finished visit) is stripped too.
    """
    key = normalise_email(email)
    contact = session.scalar(
        select(Contact).where(Contact.workspace_id == workspace_id, Contact.email == key)
    )
    mentions = [cast(Response.answers, Text).contains(text) for text in {key, email.strip()}]
    linked = [Response.contact_id == contact.id] if contact is not None else []
    responses = list(session.scalars(
        select(Response).where(Response.workspace_id == workspace_id, or_(*linked, *mentions))
    ))
    for response in responses:
        response.answers = {}
        response.hidden = {}
        response.meta = {k: response.meta[k] for k in ANONYMOUS_META_KEYS if k in response.meta}
        response.meta["erased"] = True
        response.contact_id = None
        response.visitor_id = None
    events = _erase_event_payloads(session, workspace_id, contact, {key, email.strip()})
    properties = 0
    if contact is not None:
        session.execute(
            update(Visitor).where(Visitor.contact_id == contact.id)
            .values(contact_id=None, proof=None)
        )
        properties = session.execute(
            delete(ContactProperty).where(ContactProperty.contact_id == contact.id)
        ).rowcount or 0  # type: ignore[attr-defined]
        lead = session.scalar(select(Lead).where(Lead.contact_id == contact.id))
        if lead is not None:
            session.delete(lead)  # through the ORM, so the analytics rollups let go of it
            session.flush()  # before the contact's DELETE (no relationship orders the two)
        session.delete(contact)
    session.flush()
    return ErasureReport(contact is not None, int(properties), len(responses), events)


def _erase_event_payloads(session: Session, workspace_id: int, contact: Contact | None,
                          emails: set[str]) -> int:
    """Queued alerts about the person keep their id and type, lose their content."""
    mentions = [cast(OutboxEvent.payload, Text).contains(text) for text in emails]
    linked = [OutboxEvent.contact_id == contact.id] if contact is not None else []
    events = list(session.scalars(select(OutboxEvent).where(
        OutboxEvent.workspace_id == workspace_id, or_(*linked, *mentions))))
    for event in events:
        event.payload = {key: event.payload.get(key) for key in ("id", "type", "created_at")}
        event.payload["data"] = {"erased": True}
        event.contact_id = None
    _erase_deliveries(session, workspace_id, [event.id for event in events], emails)
    return len(events)


def _erase_deliveries(session: Session, workspace_id: int, event_ids: list[int],
                      emails: set[str]) -> None:
    """Emails about the person are not sent any more; their address leaves the outbox."""
    if event_ids:
        session.execute(
            update(Delivery).where(Delivery.event_id.in_(event_ids), Delivery.channel == "email",
                                   Delivery.status == "pending")
            .values(status="dead", last_error="Not sent: the contact was erased.")
        )
    session.execute(
        update(Delivery).where(Delivery.workspace_id == workspace_id,
                               func.lower(Delivery.recipient).in_(sorted(emails)))
        .values(recipient=None)
    )
