"""Erasure (GDPR Art. 17): remove a person, keep anonymous aggregates.

What is removed or stripped, table by table (a scan test over every table of
`Base.metadata` checks that none of the person's values is left anywhere):

- contact, contact_property: deleted; lead and lead_event go with the contact
  (foreign keys cascade), and so do the contact's signals;
- response: answers, hidden values, referrer, visitor and contact link cleared;
  source and campaign too when they repeat something the person told us;
- signal: also the page views of the person's browsers from before they were known;
- visitor: stays as an anonymous browser, no longer linked to the contact;
- booking: stays on the rep's calendar (times, status) without attendee or reason;
- outbox_event, delivery: payloads about the person keep only id and type; pending
  emails to them are not sent; their address and errors naming it are cleared;
- audit_log: records the erasure by contact id, never the email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.analytics.rollups import prune_empty_lead_days
from app.audit import record
from app.models import (
    Booking,
    Contact,
    ContactProperty,
    Delivery,
    Lead,
    OutboxEvent,
    Response,
    Signal,
    Visitor,
)
from app.profiling.emails import normalise_email

# What an erased response keeps: enough for funnels and conversion counts.
ANONYMOUS_META_KEYS = ("path",)
# Shorter values ("vp", "now", "51-200") are choices many people share, not identifiers.
MIN_IDENTIFYING_LENGTH = 4


@dataclass(frozen=True)
class ErasureReport:
    contact_found: bool
    properties: int
    responses: int
    events: int = 0
    signals: int = 0
    bookings: int = 0


def erase_person(session: Session, workspace_id: int, email: str, *,
                 actor_id: int | None = None) -> ErasureReport:
    """Delete the contact and what is theirs; strip every response and event that names them.

    Responses keep their form, version, state, ending and times (anonymous
    aggregates) but lose answers, hidden fields, referrer and the contact link.
    A response that mentions the address without being linked (a bot, a
    half-finished visit) is stripped too.
    """
    key = normalise_email(email)
    emails = {key.lower(), email.strip().lower()}
    # Any case: the local part is kept as typed, and a request may spell it differently.
    contacts = list(session.scalars(
        select(Contact).where(Contact.workspace_id == workspace_id,
                              func.lower(Contact.email).in_(sorted(emails)))
        .order_by(Contact.id)
    ))
    ids = [contact.id for contact in contacts]
    mentions = [func.lower(cast(Response.answers, Text)).contains(text, autoescape=True)
                for text in emails]
    linked = [Response.contact_id.in_(ids)] if ids else []
    responses = list(session.scalars(
        select(Response).where(Response.workspace_id == workspace_id, or_(*linked, *mentions))
    ))
    visitors = _visitor_tokens(session, workspace_id, ids, responses)
    identifying = emails | _identifying_values(session, ids, responses)
    for response in responses:
        _strip_response(response, identifying)
    events = _erase_event_payloads(session, workspace_id, ids, emails)
    signals = _erase_signals(session, workspace_id, ids, visitors)
    bookings = _erase_bookings(session, workspace_id, ids, emails)
    properties = 0
    if ids:
        session.execute(
            update(Visitor).where(Visitor.contact_id.in_(ids)).values(contact_id=None, proof=None)
        )
        properties = session.execute(
            delete(ContactProperty).where(ContactProperty.contact_id.in_(ids))
        ).rowcount or 0  # type: ignore[attr-defined]
        for lead in list(session.scalars(select(Lead).where(Lead.contact_id.in_(ids)))):
            session.delete(lead)  # through the ORM, so the analytics rollups let go of it
        session.flush()  # before the contacts' DELETE (no relationship orders the two)
        prune_empty_lead_days(session, workspace_id)
        for contact in contacts:
            session.delete(contact)
    report = ErasureReport(bool(ids), int(properties), len(responses), events, signals,
                           bookings)
    if ids or responses:
        record(session, workspace_id, "contact.erase", target_type="contact",
               target_id=ids[0] if ids else None,
               summary="Erased a person" + ("" if ids else " (responses only, no contact)"),
               details={"contact_ids": ids, "properties": report.properties,
                        "responses": report.responses, "events": events,
                        "signals": signals, "bookings": bookings,
                        "response_ids": [response.id for response in responses][:100]},
               actor_id=actor_id)
    session.flush()
    return report


def _strings(value: Any) -> Iterable[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _identifying_values(session: Session, contact_ids: list[int],
                        responses: list[Response]) -> set[str]:
    """What the person told us, lower-cased: to find it again in columns kept for reporting."""
    # Not the hidden values: those are mostly the marketer's own labels (utm_source...).
    values: list[Any] = [response.answers for response in responses]
    if contact_ids:
        values += list(session.scalars(
            select(ContactProperty.value).where(ContactProperty.contact_id.in_(contact_ids))))
    return {text.strip().lower() for text in _strings(values)
            if len(text.strip()) >= MIN_IDENTIFYING_LENGTH}


def _strip_response(response: Response, identifying: set[str]) -> None:
    response.answers = {}
    response.hidden = {}
    response.meta = {k: response.meta[k] for k in ANONYMOUS_META_KEYS if k in response.meta}
    response.meta["erased"] = True
    response.contact_id = None
    response.visitor_id = None
    # Source and campaign are the marketer's labels, kept for attribution, unless personal.
    for column in ("source", "campaign"):
        value = (getattr(response, column) or "").lower()
        if value and any(text in value for text in identifying):
            setattr(response, column, None)


def _visitor_tokens(session: Session, workspace_id: int, contact_ids: list[int],
                    responses: list[Response]) -> set[str]:
    """The person's browsers: linked to the contact, or the ones that made their responses."""
    tokens = {response.visitor_id for response in responses if response.visitor_id}
    if contact_ids:
        tokens.update(session.scalars(select(Visitor.token).where(
            Visitor.workspace_id == workspace_id, Visitor.contact_id.in_(contact_ids))))
    return tokens


def _erase_signals(session: Session, workspace_id: int, contact_ids: list[int],
                   visitors: set[str]) -> int:
    """Page views of the person, also from before their browser was linked to them."""
    who = [Signal.visitor_token.in_(sorted(visitors))] if visitors else []
    if contact_ids:
        who.append(Signal.contact_id.in_(contact_ids))
    if not who:
        return 0
    return int(session.execute(
        delete(Signal).where(Signal.workspace_id == workspace_id, or_(*who))
        .execution_options(synchronize_session=False)
    ).rowcount or 0)  # type: ignore[attr-defined]


def _erase_bookings(session: Session, workspace_id: int, contact_ids: list[int],
                    emails: set[str]) -> int:
    """The meeting stays on the rep's calendar (it blocks the slot), without the attendee."""
    who = [func.lower(Booking.attendee_email).in_(sorted(emails))]
    if contact_ids:
        who.append(Booking.contact_id.in_(contact_ids))
    return int(session.execute(
        update(Booking).where(Booking.workspace_id == workspace_id, or_(*who))
        .values(attendee_email=None, attendee_name=None, cancel_reason=None, contact_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount or 0)  # type: ignore[attr-defined]


def _erase_event_payloads(session: Session, workspace_id: int, contact_ids: list[int],
                          emails: set[str]) -> int:
    """Queued alerts about the person keep their id and type, lose their content."""
    mentions = [func.lower(cast(OutboxEvent.payload, Text)).contains(text, autoescape=True)
                for text in emails]
    linked = [OutboxEvent.contact_id.in_(contact_ids)] if contact_ids else []
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
    # A receiver's error message may quote the address ("550 <ada@...>: no such user").
    session.execute(
        update(Delivery).where(Delivery.workspace_id == workspace_id,
                               or_(*[func.lower(Delivery.last_error).contains(text, autoescape=True)
                                     for text in emails]))
        .values(last_error="(an error message that named an erased contact)")
    )
