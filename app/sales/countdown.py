"""The SLA timer as people read it ("12 min left", "overdue by 1 h 5 min"). Pure.

The server renders it so the page is right without JavaScript; static/inbox.js
counts it down every second with the same wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SlaTimer:
    due_at: datetime
    overdue: bool
    text: str


def sla_timer(due_at: datetime | None, first_touch_at: datetime | None, now: datetime
              ) -> SlaTimer | None:
    """The running timer of a lead nobody touched yet; None when no clock runs."""
    if due_at is None or first_touch_at is not None:
        return None
    seconds = int((due_at - now).total_seconds())
    if seconds > 0:
        return SlaTimer(due_at, False, f"{duration_text(seconds)} left")
    return SlaTimer(due_at, True, f"overdue by {duration_text(-seconds)}")


def duration_text(seconds: int) -> str:
    """At most two units, largest first: "2 d 3 h", "1 h 5 min", "4 min 10 s", "9 s"."""
    seconds = max(0, seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"
