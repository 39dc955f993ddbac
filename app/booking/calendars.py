"""Setting reps' hours and feeds, meeting types, and refreshing feeds' busy times.

Inputs are checked here (hours on a 5-minute grid, real timezones, public feed
URLs) so that the pure slot computation only ever sees sound calendars.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from app.alerts.net import UnsafeURL, check_url
from app.booking.availability import hours_of
from app.booking.picker import known_zone
from app.booking.slots import validate_hours
from app.db import write_session
from app.models import BusyTime, MeetingType, RepCalendar, Team, User
from app.models.booking import CLAIM_MINUTES

if TYPE_CHECKING:
    from app.booking.feeds import FeedResult

log = logging.getLogger("leadform.booking")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FEED_WINDOW_DAYS = 90


class CalendarError(ValueError):
    """A refused setting; the message is for the person who typed it."""


def parse_intervals(text: str) -> list[list[str]]:
    """"09:00-12:00, 13:00-17:00" → [["09:00", "12:00"], ["13:00", "17:00"]]; "off" → []."""
    text = text.strip().lower()
    if text in ("", "off", "-", "none"):
        return []
    intervals = []
    for part in text.split(","):
        start, dash, end = part.strip().partition("-")
        if not dash:
            raise CalendarError(f"{part.strip()!r} is not an interval like 09:00-12:00")
        intervals.append([start.strip(), end.strip()])
    return intervals


def _checked(intervals: list[list[str]], where: str) -> list[list[str]]:
    try:
        hours = hours_of(intervals)
    except ValueError as error:
        raise CalendarError(f"{where}: {error}") from None
    problems = validate_hours(hours)
    if problems:
        raise CalendarError(f"{where}: {'; '.join(problems)}")
    return intervals


def set_hours(session: Session, workspace_id: int, user: User, *, timezone: str,
              weekly: dict[str, list[list[str]]],
              overrides: dict[str, list[list[str]]] | None = None) -> RepCalendar:
    """Replace a rep's timezone, weekly hours (keys mon..sun) and date overrides."""
    zone = known_zone(timezone)
    if zone is None:
        raise CalendarError(f"{timezone!r} is not a timezone name like Europe/Berlin")
    stored_weekly: dict[str, Any] = {}
    for name, intervals in weekly.items():
        if name not in DAY_NAMES:
            raise CalendarError(f"{name!r} is not a day (mon, tue, wed, thu, fri, sat, sun)")
        stored_weekly[str(DAY_NAMES.index(name))] = _checked(intervals, name)
    stored_overrides: dict[str, Any] = {}
    for day, intervals in (overrides or {}).items():
        try:
            date.fromisoformat(day)
        except ValueError:
            raise CalendarError(f"{day!r} is not a date like 2026-12-24") from None
        stored_overrides[day] = _checked(intervals, day)
    row = calendar_of(session, workspace_id, user.id)
    if row is None:
        row = RepCalendar(workspace_id=workspace_id, user_id=user.id)
        session.add(row)
    row.timezone, row.weekly_hours, row.overrides = zone, stored_weekly, stored_overrides
    session.flush()
    return row


def set_feed(session: Session, workspace_id: int, user: User, url: str | None,
             allow: Sequence[Any] = ()) -> RepCalendar:
    """The rep's secret iCal address (None removes it and its busy times)."""
    row = calendar_of(session, workspace_id, user.id)
    if row is None:
        raise CalendarError("Set working hours before adding a calendar feed.")
    if url:
        try:
            check_url(url.strip(), allow)
        except UnsafeURL as error:
            raise CalendarError(str(error)) from None
    row.feed_url = url.strip() if url else None
    row.feed_etag = row.feed_fetched_at = row.feed_error = None
    if not url:
        session.execute(delete(BusyTime).where(BusyTime.user_id == user.id,
                                               BusyTime.workspace_id == workspace_id))
    session.flush()
    return row


def calendar_of(session: Session, workspace_id: int, user_id: int) -> RepCalendar | None:
    return session.scalar(select(RepCalendar).where(RepCalendar.workspace_id == workspace_id,
                                                    RepCalendar.user_id == user_id))


@dataclass(frozen=True)
class MeetingInput:
    name: str
    duration: int = 30
    buffer_before: int = 0
    buffer_after: int = 0
    notice: int = 240
    horizon: int = 14
    step: int = 30
    daily_cap: int | None = None
    location: str = ""
    description: str = ""


def save_meeting_type(session: Session, team: Team, slug: str, data: MeetingInput
                      ) -> MeetingType:
    problems = []
    for label, minutes in (("duration", data.duration), ("slot step", data.step)):
        if minutes <= 0 or minutes % CLAIM_MINUTES or minutes > 8 * 60:
            problems.append(f"the {label} must be a multiple of {CLAIM_MINUTES} minutes, "
                            "up to 8 hours")
    for label, minutes in (("buffer before", data.buffer_before),
                           ("buffer after", data.buffer_after), ("notice", data.notice)):
        if minutes < 0 or minutes > 14 * 24 * 60:
            problems.append(f"the {label} must be between 0 minutes and 14 days")
    if not 1 <= data.horizon <= 365:
        problems.append("the horizon must be 1 to 365 days")
    if data.daily_cap is not None and data.daily_cap < 1:
        problems.append("the daily cap must be at least 1 (or none)")
    if not data.name.strip():
        problems.append("the meeting type needs a name")
    if problems:
        raise CalendarError("; ".join(problems))
    meeting = session.scalar(select(MeetingType).where(MeetingType.team_id == team.id,
                                                       MeetingType.slug == slug))
    if meeting is None:
        meeting = MeetingType(workspace_id=team.workspace_id, team_id=team.id, slug=slug)
        session.add(meeting)
    meeting.name, meeting.location = data.name.strip()[:200], data.location[:500]
    meeting.description = data.description
    meeting.duration_minutes, meeting.slot_step_minutes = data.duration, data.step
    meeting.buffer_before_minutes, meeting.buffer_after_minutes = (data.buffer_before,
                                                                   data.buffer_after)
    meeting.min_notice_minutes, meeting.horizon_days = data.notice, data.horizon
    meeting.daily_cap = data.daily_cap
    session.flush()
    return meeting


# --- the worker's schedule ---------------------------------------------------------------


def refresh_due_feeds(engine: Engine, now: datetime, *, every: timedelta,
                      allow: Sequence[Any] = (), fetch: Callable[..., FeedResult] | None = None
                      ) -> int:
    """Fetch the feeds not fetched for `every`; each is claimed first, so workers share."""
    if fetch is None:
        from app.booking.feeds import fetch_busy as fetch
    with write_session(engine) as session:
        query = (select(RepCalendar).where(
            RepCalendar.feed_url.is_not(None),
            or_(RepCalendar.feed_fetched_at.is_(None), RepCalendar.feed_fetched_at < now - every))
            .order_by(RepCalendar.id).limit(20).with_for_update(skip_locked=True))
        due = []
        for row in session.scalars(query):
            row.feed_fetched_at = now  # claimed: nobody else fetches it this round
            due.append((row.id, row.feed_url, row.timezone, row.feed_etag))
    for calendar_id, url, timezone, etag in due:
        result = fetch(url, now - timedelta(days=1), now + timedelta(days=FEED_WINDOW_DAYS),
                       tz=timezone, allow=allow, etag=etag)
        store_feed(engine, calendar_id, result, now)
    return len(due)


def store_feed(engine: Engine, calendar_id: int, result: FeedResult, now: datetime) -> None:
    with write_session(engine) as session:
        row = session.get(RepCalendar, calendar_id)
        if row is None:
            return
        row.feed_fetched_at = now
        if result.error:
            row.feed_error = result.error[:500]  # the busy times of the last good fetch stay
            log.info("calendar feed %s: fetch failed", calendar_id)
            return
        row.feed_error = None
        if result.not_modified:
            return
        row.feed_etag = result.etag
        session.execute(delete(BusyTime).where(BusyTime.user_id == row.user_id,
                                               BusyTime.workspace_id == row.workspace_id))
        session.add_all(BusyTime(workspace_id=row.workspace_id, user_id=row.user_id,
                                 start_at=busy.start, end_at=busy.end, all_day=busy.all_day)
                        for busy in result.busy)
