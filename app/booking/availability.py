"""From rows to the pure slot computation's inputs: reps' calendars and meeting types."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.booking.slots import Interval, LocalHours, MeetingSpec
from app.booking.slots import RepCalendar as Calendar
from app.models import Booking, BusyTime, MeetingType, RepCalendar, TeamMember

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_clock(text: str) -> time:
    """"09:30" → 09:30; "24:00" → midnight at the end of the day (time(0, 0))."""
    hours, _, minutes = text.strip().partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not a time like 09:30")
    hour, minute = int(hours), int(minutes)
    if (hour, minute) == (24, 0):
        return time(0, 0)
    return time(hour, minute)


def hours_of(raw: Any) -> LocalHours:
    """Stored intervals ([["09:00", "12:00"], ...]) as the slot computation's tuples."""
    if not isinstance(raw, list):
        return ()
    return tuple((parse_clock(start), parse_clock(end)) for start, end in raw)


def weekly_of(row: RepCalendar) -> dict[int, LocalHours]:
    return {int(day): hours_of(intervals) for day, intervals in (row.weekly_hours or {}).items()}


def overrides_of(row: RepCalendar) -> dict[date, LocalHours]:
    return {date.fromisoformat(day): hours_of(intervals)
            for day, intervals in (row.overrides or {}).items()}


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def meeting_spec(meeting: MeetingType) -> MeetingSpec:
    return MeetingSpec(
        duration=timedelta(minutes=meeting.duration_minutes),
        buffer_before=timedelta(minutes=meeting.buffer_before_minutes),
        buffer_after=timedelta(minutes=meeting.buffer_after_minutes),
        min_notice=timedelta(minutes=meeting.min_notice_minutes),
        horizon_days=meeting.horizon_days,
        step=timedelta(minutes=meeting.slot_step_minutes),
        daily_cap=meeting.daily_cap,
    )


def team_calendars(session: Session, team_id: int, window: Interval, *,
                   rep_ids: set[int] | None = None) -> list[Calendar]:
    """The active reps of a team who have working hours, with what keeps them busy."""
    rows = list(session.execute(
        select(RepCalendar).join(TeamMember, TeamMember.user_id == RepCalendar.user_id)
        .where(TeamMember.team_id == team_id, TeamMember.active.is_(True))
        .order_by(RepCalendar.user_id)
    ).scalars())
    if rep_ids is not None:
        rows = [row for row in rows if row.user_id in rep_ids]
    if not rows:
        return []
    users = [row.user_id for row in rows]
    # A day's margin either side: daily caps count whole local days.
    start, end = window.start - timedelta(days=2), window.end + timedelta(days=2)
    bookings = session.execute(
        select(Booking.rep_id, Booking.start_at, Booking.end_at)
        .where(Booking.rep_id.in_(users), Booking.status == "active",
               Booking.end_at > start, Booking.start_at < end)
    ).all()
    feeds = session.execute(
        select(BusyTime.user_id, BusyTime.start_at, BusyTime.end_at)
        .where(BusyTime.user_id.in_(users), BusyTime.end_at > start, BusyTime.start_at < end)
    ).all()
    calendars = []
    for row in rows:
        tz = zone(row.timezone)
        mine = [(s, e) for rep, s, e in bookings if rep == row.user_id]
        busy = [Interval(s, e) for s, e in mine]
        busy += [Interval(s, e) for user, s, e in feeds if user == row.user_id]
        per_day = Counter(s.astimezone(tz).date() for s, _ in mine)
        calendars.append(Calendar(rep_id=row.user_id, timezone=tz.key, weekly=weekly_of(row),
                                  overrides=overrides_of(row), busy=tuple(busy),
                                  bookings_per_day=dict(per_day)))
    return calendars


def local_day_bounds(day: date, tz_name: str) -> Interval:
    """A calendar day in a timezone, as a UTC interval (23 or 25 hours across DST)."""
    tz = zone(tz_name)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return Interval(start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")))
