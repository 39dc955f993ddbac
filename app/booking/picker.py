"""What the slot picker shows: days and times in the viewer's timezone (invariant 7). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from app.booking.slots import Slot

# Offered in the timezone menu; the viewer's own zone is added when it is not here.
COMMON_ZONES = (
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
    "America/Phoenix", "America/Chicago", "America/Mexico_City", "America/New_York",
    "America/Toronto", "America/Bogota", "America/Lima", "America/Santiago",
    "America/Halifax", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    "America/St_Johns", "Atlantic/Azores", "UTC", "Europe/London", "Europe/Dublin",
    "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
    "Europe/Amsterdam", "Europe/Brussels", "Europe/Zurich", "Europe/Stockholm",
    "Europe/Warsaw", "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Africa/Lagos",
    "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Jerusalem", "Asia/Dubai",
    "Asia/Tehran", "Asia/Karachi", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka",
    "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong",
    "Asia/Manila", "Asia/Seoul", "Asia/Tokyo", "Australia/Perth", "Australia/Adelaide",
    "Australia/Brisbane", "Australia/Sydney", "Pacific/Auckland",
)


@dataclass(frozen=True)
class Day:
    day: date
    label: str  # "Tue 1 Dec"
    count: int


@dataclass(frozen=True)
class Time:
    start: str  # ISO 8601 UTC: what the form posts back
    label: str  # "10:30" in the viewer's timezone


@dataclass(frozen=True)
class PickerView:
    timezone: str
    days: tuple[Day, ...]
    selected: date | None
    times: tuple[Time, ...]


def known_zone(name: str | None) -> str | None:
    """An IANA zone name we can use, or None (never trust a name from the URL as is)."""
    if not name or len(name) > 64 or name not in _zones():
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def zone_choices(current: str) -> list[str]:
    return list(COMMON_ZONES) if current in COMMON_ZONES else sorted({*COMMON_ZONES, current})


def picker_view(slots: Sequence[Slot], timezone: str, selected: date | None) -> PickerView:
    """Group slots by the viewer's local day; the selected day's times, else the first day's."""
    tz = ZoneInfo(timezone)
    by_day: dict[date, list[datetime]] = {}
    for slot in slots:
        local = slot.start.astimezone(tz)
        by_day.setdefault(local.date(), []).append(local)
    days = tuple(Day(day, f"{day:%a} {day.day} {day:%b}", len(times))
                 for day, times in sorted(by_day.items()))
    chosen = selected if selected in by_day else (days[0].day if days else None)
    times = tuple(Time(moment.astimezone(ZoneInfo("UTC")).isoformat(), f"{moment:%H:%M}")
                  for moment in by_day.get(chosen, [])) if chosen else ()
    return PickerView(timezone, days, chosen, times)


def describe_time(start: datetime, end: datetime, timezone: str) -> str:
    """"Tuesday 1 December, 10:30–11:00 (Europe/Berlin)" in the viewer's timezone."""
    tz = ZoneInfo(timezone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    return (f"{local_start:%A} {local_start.day} {local_start:%B}, "
            f"{local_start:%H:%M}–{local_end:%H:%M} ({timezone.replace('_', ' ')})")


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones()) | {"UTC"}
    return _ZONES
