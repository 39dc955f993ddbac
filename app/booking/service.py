"""Booking a slot, cancelling and rescheduling: one transaction each, never a double booking.

The choice of times is pure (`app.booking.slots`). Here the team's reps are
locked (PostgreSQL) or the database is (SQLite `BEGIN IMMEDIATE`), the slot is
checked again, a free rep is chosen by the team's assignment rules, and the
booking is written. The database has the last word: an exclusion constraint on
PostgreSQL, claimed 5-minute cells on SQLite. Events go to the outbox in the
same transaction (invitations to both sides, the rep's alert).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.alerts.outbox import emit
from app.alerts.payloads import lead_alert_data
from app.booking.availability import meeting_spec, team_calendars, zone
from app.booking.slots import Interval, Slot, free_slots, is_free
from app.leads.teams import assign_lead, find_team
from app.models import (
    Booking,
    BookingClaim,
    Contact,
    Lead,
    LeadEvent,
    MeetingType,
    Response,
    Team,
    TeamMember,
    User,
    Workspace,
)
from app.models.booking import CLAIM_MINUTES
from app.profiling.contacts import fresh_properties
from app.responses.endings import ending_by_id, resolve_ending


class SlotTaken(Exception):
    """Someone else took the time a moment earlier (or it is no longer offered)."""


class NotBookable(Exception):
    """This response has no meeting to book (not routed to `book`, or no such team)."""


@dataclass(frozen=True)
class Context:
    """What a response may book: its team's meeting type, and who is booking."""

    workspace: Workspace
    response: Response
    team: Team
    meeting: MeetingType
    lead: Lead | None
    contact: Contact | None


def context_for(session: Session, response: Response) -> Context:
    """The meeting a completed response was routed to; NotBookable otherwise."""
    if response.state != "completed" or not response.ending:
        raise NotBookable("This response is not complete.")
    ending = resolve_ending(ending_by_id(response.version.definition, response.ending),
                            (response.meta or {}).get("destination"))
    if ending.get("type") != "book":
        raise NotBookable("This response was not routed to a meeting.")
    workspace = session.get(Workspace, response.workspace_id)
    team = find_team(session, response.workspace_id, str(ending.get("team")))
    meeting = session.scalar(select(MeetingType).where(
        MeetingType.team_id == team.id, MeetingType.slug == ending.get("meeting_type"))
    ) if team else None
    if workspace is None or team is None or meeting is None:
        raise NotBookable("This team has no such meeting type.")
    contact = session.get(Contact, response.contact_id) if response.contact_id else None
    lead = session.scalar(select(Lead).where(Lead.contact_id == contact.id)) if contact else None
    return Context(workspace, response, team, meeting, lead, contact)


def offered_slots(session: Session, context: Context, now: datetime) -> list[Slot]:
    """Times at least one eligible rep of the team is free, from now to the horizon."""
    spec = meeting_spec(context.meeting)
    window = Interval(now, now + timedelta(days=spec.horizon_days))
    return free_slots(team_calendars(session, context.team.id, window), spec, now, window)


def active_booking(session: Session, response_id: int) -> Booking | None:
    return session.scalar(select(Booking).where(Booking.response_id == response_id,
                                                Booking.status == "active"))


def book(session: Session, context: Context, start: datetime, timezone: str, now: datetime,
         *, manage_url: Any = None) -> Booking:
    """Book `start` for the response, or raise SlotTaken; a second call returns the first."""
    existing = active_booking(session, context.response.id)
    if existing is not None:
        return existing
    _lock_team(session, context.team)
    rep_id = _free_rep(session, context, start, now)
    spec = meeting_spec(context.meeting)
    booking = Booking(
        workspace_id=context.workspace.id, meeting_type_id=context.meeting.id, rep_id=rep_id,
        lead_id=context.lead.id if context.lead else None,
        contact_id=context.contact.id if context.contact else None,
        response_id=context.response.id, start_at=start, end_at=start + spec.duration,
        timezone=zone(timezone).key, status="active", uid=f"{uuid.uuid4().hex}@leadform",
        sequence=0, attendee_email=context.contact.email if context.contact else None,
        attendee_name=_attendee_name(session, context), created_at=now)
    insert_guarded(session, booking)
    if context.lead is not None and context.lead.booked_at is None:
        context.lead.booked_at = now
    if context.lead is not None and context.lead.owner_id != rep_id:
        context.lead.owner_id = rep_id
        context.lead.team_id = context.team.id
    _history(session, context, booking, "booked", now)
    _emit(session, context, booking, "booking.created", now, manage_url)
    return booking


def cancel(session: Session, booking: Booking, now: datetime, *, reason: str = "",
           manage_url: Any = None) -> None:
    """Free the slot and tell both sides (the invitation is withdrawn: METHOD:CANCEL)."""
    if booking.status != "active":
        return
    booking.status, booking.cancelled_at = "cancelled", now
    booking.cancel_reason = reason[:300] or None
    booking.sequence += 1
    session.execute(delete(BookingClaim).where(BookingClaim.booking_id == booking.id))
    member = session.scalar(select(TeamMember).join(MeetingType, MeetingType.team_id
                                                    == TeamMember.team_id)
                            .where(MeetingType.id == booking.meeting_type_id,
                                   TeamMember.user_id == booking.rep_id))
    if member is not None:
        member.cancellations += 1
    context = booking_context(session, booking)
    _history(session, context, booking, "cancelled", now)
    _emit(session, context, booking, "booking.cancelled", now, manage_url)
    session.flush()


def reschedule(session: Session, booking: Booking, start: datetime, now: datetime, *,
               manage_url: Any = None) -> Booking:
    """Move the meeting (same invitation, next SEQUENCE), or raise SlotTaken."""
    if booking.status != "active":
        raise SlotTaken("This meeting was cancelled.")
    context = booking_context(session, booking)
    _lock_team(session, context.team)
    old_start = booking.start_at
    # The meeting's own old time does not block its new one.
    session.execute(delete(BookingClaim).where(BookingClaim.booking_id == booking.id))
    booking.status = "cancelled"
    session.flush()
    try:
        rep_id = (booking.rep_id if _rep_is_free(session, context, booking.rep_id, start, now)
                  else _free_rep(session, context, start, now))
    except SlotTaken:
        booking.status = "active"
        _claim(session, booking)
        raise
    spec = meeting_spec(context.meeting)
    booking.status, booking.rep_id = "active", rep_id
    booking.start_at, booking.end_at = start, start + spec.duration
    booking.sequence += 1
    try:
        with session.begin_nested():
            session.flush()
            _claim(session, booking)
    except IntegrityError as error:
        raise SlotTaken("Someone booked this time a moment ago.") from error
    _history(session, context, booking, "rescheduled", now, {"from": old_start.isoformat()})
    _emit(session, context, booking, "booking.created", now, manage_url)
    return booking


# --- inside the transaction -------------------------------------------------------------


def _lock_team(session: Session, team: Team) -> None:
    """Bookings of one team queue up (SQLite's BEGIN IMMEDIATE already serialises writes)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(TeamMember.id).where(TeamMember.team_id == team.id)
                        .with_for_update())


def _rep_is_free(session: Session, context: Context, rep_id: int, start: datetime,
                 now: datetime) -> bool:
    window = Interval(start - timedelta(days=1), start + timedelta(days=1))
    calendars = team_calendars(session, context.team.id, window, rep_ids={rep_id})
    spec = meeting_spec(context.meeting)
    return any(is_free(calendar, spec, start, now) for calendar in calendars)


def _free_rep(session: Session, context: Context, start: datetime, now: datetime) -> int:
    """A rep free at `start`: the lead's own rep if possible, else by the team's rules."""
    spec = meeting_spec(context.meeting)
    window = Interval(start - timedelta(days=1), start + timedelta(days=1))
    free = [calendar.rep_id for calendar in team_calendars(session, context.team.id, window)
            if is_free(calendar, spec, start, now)]
    if not free:
        raise SlotTaken("This time is no longer available.")
    owner = context.lead.owner_id if context.lead else None
    if owner in free:
        return int(owner)  # type: ignore[arg-type]
    facts = {"contact": fresh_properties(session, context.workspace, context.contact.id, now)
             if context.contact else {}}
    choice, _ = assign_lead(session, context.team, facts, now.date(), only=free)
    return choice.rep_id if choice.rep_id in free else free[0]


def insert_guarded(session: Session, booking: Booking) -> None:
    """Write a booking; the database refuses an overlap for the rep (SlotTaken)."""
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
            _claim(session, booking)
    except IntegrityError as error:
        raise SlotTaken("Someone booked this time a moment ago.") from error


def _claim(session: Session, booking: Booking) -> None:
    """SQLite: one row per 5-minute cell; a second booking of a cell breaks a unique key."""
    if session.get_bind().dialect.name == "postgresql":
        return  # the exclusion constraint guards PostgreSQL
    step = timedelta(minutes=CLAIM_MINUTES)
    cell = booking.start_at.replace(second=0, microsecond=0)
    cell -= timedelta(minutes=cell.minute % CLAIM_MINUTES)
    while cell < booking.end_at:
        session.add(BookingClaim(booking_id=booking.id, rep_id=booking.rep_id, cell_start=cell))
        cell += step
    session.flush()


def booking_context(session: Session, booking: Booking) -> Context:
    response = session.get(Response, booking.response_id) if booking.response_id else None
    meeting = session.get(MeetingType, booking.meeting_type_id)
    assert meeting is not None
    team = session.get(Team, meeting.team_id)
    assert team is not None
    workspace = session.get(Workspace, booking.workspace_id)
    assert workspace is not None
    lead = session.get(Lead, booking.lead_id) if booking.lead_id else None
    contact = session.get(Contact, booking.contact_id) if booking.contact_id else None
    return Context(workspace, response, team, meeting, lead, contact)  # type: ignore[arg-type]


def _attendee_name(session: Session, context: Context) -> str | None:
    if context.contact is None:
        return None
    known = fresh_properties(session, context.workspace, context.contact.id,
                             context.response.completed_at or context.response.updated_at)
    name = " ".join(str(known[key]) for key in ("first_name", "last_name") if known.get(key))
    return name[:200] or None


def _history(session: Session, context: Context, booking: Booking, what: str, now: datetime,
             extra: dict[str, Any] | None = None) -> None:
    if context.lead is None:
        return
    session.add(LeadEvent(workspace_id=context.workspace.id, lead_id=context.lead.id,
                          kind="booking", cause="booking", cause_id=booking.id, at=now,
                          details={"what": what, "start": booking.start_at.isoformat(),
                                   "rep_id": booking.rep_id, **(extra or {})}))


def booking_data(session: Session, booking: Booking, manage_url: str | None) -> dict[str, Any]:
    rep = session.get(User, booking.rep_id)
    meeting = session.get(MeetingType, booking.meeting_type_id)
    return {
        "id": booking.id, "uid": booking.uid, "sequence": booking.sequence,
        "status": booking.status, "start": booking.start_at.isoformat(),
        "end": booking.end_at.isoformat(), "timezone": booking.timezone,
        "rep": {"id": rep.id, "name": rep.name or rep.email, "email": rep.email} if rep else None,
        "meeting": meeting.name if meeting else None,
        "location": meeting.location if meeting else None,
        "description": meeting.description if meeting else None,
        "attendee": {"email": booking.attendee_email, "name": booking.attendee_name},
        "manage_url": manage_url,
    }


def _emit(session: Session, context: Context, booking: Booking, kind: str, now: datetime,
          manage_url: Any) -> None:
    session.flush()
    url = manage_url(booking) if callable(manage_url) else manage_url
    data: dict[str, Any] = {"workspace": {"slug": context.workspace.slug,
                                          "name": context.workspace.name}}
    if context.lead is not None and context.contact is not None:
        known = fresh_properties(session, context.workspace, context.contact.id, now)
        data = lead_alert_data(session, context.workspace, context.contact, context.lead,
                               known=known, destination=(context.response.meta or {}).get(
                                   "destination") if context.response else None,
                               top_reasons=sorted(context.lead.reasons or [], key=lambda
                                                  reason: -abs(reason.get("points", 0)))[:3],
                               stage=context.lead.stage, response=context.response)
    data["booking"] = booking_data(session, booking, url)
    emit(session, context.workspace.id, kind, data, now,
         contact_id=context.contact.id if context.contact else None)
