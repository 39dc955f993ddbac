"""Times in the back office viewer's timezone (invariant 7: stored in UTC, shown local).

The viewer's zone is the one they chose for their calendar in this workspace, else
the browser's (static/inbox.js remembers it in the `lf_tz` cookie, the booking
picker's), else UTC. Pages name the zone they show.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.booking.picker import known_zone
from app.models import RepCalendar

TZ_COOKIE = "lf_tz"


def viewer_zone_name(session: Session, workspace_id: int, user_id: int) -> str:
    chosen = session.scalar(select(RepCalendar.timezone).where(
        RepCalendar.workspace_id == workspace_id, RepCalendar.user_id == user_id))
    if chosen == "UTC":  # the calendar's default: nobody chose it, the browser knows better
        chosen = None
    return known_zone(chosen) or known_zone(request.cookies.get(TZ_COOKIE)) or "UTC"


class LocalTime:
    """Formats UTC datetimes in one zone; templates get it as `local`."""

    def __init__(self, zone_name: str) -> None:
        self.zone_name = zone_name
        self.zone = ZoneInfo(zone_name)

    def __call__(self, moment: datetime | None, style: str = "datetime") -> str:
        if moment is None:
            return "–"
        here = moment.astimezone(self.zone)
        if style == "date":
            return here.strftime("%d %b %Y")
        return here.strftime("%d %b %Y, %H:%M")

    @property
    def label(self) -> str:
        return self.zone_name.replace("_", " ")
