"""First-touch SLAs, pure: targets per stage, when a clock is due, and how compliance adds up.

A workspace sets how many minutes sales has to touch a lead after it enters a stage
(`settings.sla = {"targets": {"sql": 15, "mql": 240}, "reassign_overdue": true}`); a
stage without a target has no clock. The database side (`app.sales.sla`) applies
these decisions to leads; nothing here knows about Flask or SQLAlchemy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

SLA_STAGES = ("lead", "mql", "sql")
STAGE_LABELS = {"lead": "Lead", "mql": "MQL", "sql": "SQL"}
MAX_TARGET_MINUTES = 30 * 24 * 60  # 30 days
MAX_REPORT_DAYS = 731  # two years
DEFAULT_REPORT_DAYS = 30

Status = Literal["met", "missed", "pending"]


class SlaError(ValueError):
    """Input that cannot be a target or a report period; the message says why, in words."""


@dataclass(frozen=True)
class SlaPolicy:
    """A workspace's targets in minutes (stages without one are absent) and what overdue does."""

    targets: Mapping[str, int]
    reassign_overdue: bool = False

    def target(self, stage: str) -> int | None:
        return self.targets.get(stage)

    def as_settings(self) -> dict[str, Any]:
        """The JSON stored as `workspace.settings["sla"]`."""
        return {"targets": {stage: self.targets[stage] for stage in SLA_STAGES
                            if stage in self.targets},
                "reassign_overdue": self.reassign_overdue}


@dataclass(frozen=True)
class Clock:
    """A running first-touch clock: for which stage, since when, due when."""

    stage: str
    started_at: datetime
    due_at: datetime


def policy_of(settings: Mapping[str, Any] | None) -> SlaPolicy:
    """The workspace's policy, read defensively: anything odd counts as no target."""
    raw = (settings or {}).get("sla")
    if not isinstance(raw, Mapping):
        return SlaPolicy({})
    targets = raw.get("targets")
    found: dict[str, int] = {}
    if isinstance(targets, Mapping):
        for stage in SLA_STAGES:
            value = targets.get(stage)
            if (isinstance(value, int) and not isinstance(value, bool)
                    and 0 < value <= MAX_TARGET_MINUTES):
                found[stage] = value
    return SlaPolicy(found, raw.get("reassign_overdue") is True)


def parse_target(text: str | None) -> int | None:
    """A target typed by an admin: blank is no target, else positive whole minutes ≤ 30 days."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise SlaError("Enter whole minutes, like 15, or leave it blank for no target.")
    minutes = int(cleaned)
    if minutes < 1:
        raise SlaError("A target is at least 1 minute (leave it blank for no target).")
    if minutes > MAX_TARGET_MINUTES:
        raise SlaError(f"A target is at most 30 days ({MAX_TARGET_MINUTES} minutes).")
    return minutes


def clock_for(policy: SlaPolicy, stage: str, first_touch_at: datetime | None,
              now: datetime) -> Clock | None:
    """The clock a lead entering `stage` now gets; None when it gets none (or is touched)."""
    minutes = policy.target(stage)
    if minutes is None or first_touch_at is not None:
        return None
    return Clock(stage, now, now + timedelta(minutes=minutes))


def status_of(due_at: datetime, first_touch_at: datetime | None, now: datetime) -> Status:
    """Met: touched by the due time. Missed: touched late, or untouched past due. Else pending."""
    if first_touch_at is not None:
        return "met" if first_touch_at <= due_at else "missed"
    return "missed" if due_at <= now else "pending"


def compliance(met: int, missed: int) -> float | None:
    """Share of decided clocks that were met, in percent; None before any is decided."""
    decided = met + missed
    return None if decided == 0 else 100.0 * met / decided


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks: what PostgreSQL's percentile_cont gives."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def format_minutes(minutes: float | None) -> str:
    """'15 min', '4 h', '1 h 30 min', '2 d 3 h': how people say a duration."""
    if minutes is None:
        return "—"
    if minutes < 1:
        seconds = round(minutes * 60)
        return f"{seconds} s"
    total = round(minutes)
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "",
             f"{mins} min" if mins and not days else ""]
    return " ".join(part for part in parts if part) or "0 min"


@dataclass(frozen=True)
class Period:
    """A report's days, inclusive, in the viewer's timezone, and the UTC instants they span."""

    first: date
    last: date
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC


def report_period(start_text: str | None, end_text: str | None, zone: ZoneInfo,
                  today: date) -> Period:
    """From and to dates (YYYY-MM-DD, both included); the last 30 days when left out."""
    last = _day(end_text, "to") if end_text else today
    first = _day(start_text, "from") if start_text else last - timedelta(
        days=DEFAULT_REPORT_DAYS - 1)
    if first > last:
        raise SlaError("The start date is after the end date.")
    if (last - first).days >= MAX_REPORT_DAYS:
        raise SlaError("Choose at most two years.")
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    return Period(first, last, start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC")))


def _day(text: str, name: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise SlaError(f"The {name} date must look like 2026-12-31.") from None
    if not 2000 <= day.year <= 2100:
        raise SlaError(f"The {name} date must be between the years 2000 and 2100.")
    return day
