"""Reading what the database holds after a chaos run, as the checker's plain data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.models import Contact, Delivery, Lead, OutboxEvent, Response
from tests.reliability.checker import OutboxRow, StoredSubmission


def stored_submissions(engine: Engine, emails: Iterable[str]) -> dict[str, StoredSubmission]:
    """Per email: its completed responses, contact(s), lead(s), score and outbox events."""
    wanted = set(emails)
    with Session(engine) as session:
        completed: dict[str, int] = defaultdict(int)
        for answers in session.scalars(select(Response.answers)
                                       .where(Response.state == "completed")):
            if answers.get("email") in wanted:
                completed[answers["email"]] += 1
        contacts: dict[str, list[int]] = defaultdict(list)
        for contact_id, email in session.execute(select(Contact.id, Contact.email)):
            if email in wanted:
                contacts[email].append(contact_id)
        leads: dict[int, list[Lead]] = defaultdict(list)
        for lead in session.scalars(select(Lead)):
            leads[lead.contact_id].append(lead)
        kinds: dict[int, list[str]] = defaultdict(list)
        for contact_id, kind in session.execute(
                select(OutboxEvent.contact_id, OutboxEvent.kind).order_by(OutboxEvent.id)):
            if contact_id is not None:
                kinds[contact_id].append(kind)
    result = {}
    for email in wanted:
        ids = contacts.get(email, [])
        own_leads = [lead for contact_id in ids for lead in leads.get(contact_id, [])]
        first = own_leads[0] if own_leads else None
        result[email] = StoredSubmission(
            completed_responses=completed.get(email, 0),
            contacts=len(ids),
            leads=len(own_leads),
            reasons=tuple(float(reason["points"]) for reason in first.reasons) if first else (),
            total=float(first.total) if first else 0.0,
            event_kinds=tuple(kind for contact_id in ids for kind in kinds.get(contact_id, [])),
        )
    return result


def outbox_rows(engine: Engine) -> list[OutboxRow]:
    """Every outbox event with the statuses of its deliveries."""
    with Session(engine) as session:
        statuses: dict[int, list[str]] = defaultdict(list)
        for event_id, status in session.execute(select(Delivery.event_id, Delivery.status)
                                                .order_by(Delivery.id)):
            statuses[event_id].append(status)
        return [OutboxRow(event_id, kind, tuple(statuses.get(row_id, [])))
                for row_id, event_id, kind in session.execute(
                    select(OutboxEvent.id, OutboxEvent.event_id, OutboxEvent.kind)
                    .order_by(OutboxEvent.id))]


def pending_deliveries(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Delivery)
                              .where(Delivery.status == "pending")) or 0


def pending_details(engine: Engine, limit: int = 5) -> list[str]:
    """A few undelivered rows with their last error, for a failure message."""
    with Session(engine) as session:
        rows = session.execute(
            select(Delivery.id, Delivery.status, Delivery.attempts, Delivery.last_error,
                   Delivery.next_attempt_at, Delivery.lease_until)
            .where(Delivery.status != "delivered").order_by(Delivery.id).limit(limit))
        return [f"delivery {row.id}: {row.status}, {row.attempts} attempts, next "
                f"{row.next_attempt_at}, lease {row.lease_until}, last error {row.last_error!r}"
                for row in rows]
