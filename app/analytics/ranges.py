"""Date ranges of the analytics pages: presets and custom from/to, in whole UTC days. Pure.

A range is a half-open interval of UTC instants [start, end): the first day at
00:00 UTC up to the day after the last. Stored times are UTC (invariant 7), so a
range of UTC days compares directly with them and with `form_view.day`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

PRESETS: dict[str, str] = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "quarter": "This quarter",
    "custom": "Custom",
}
DEFAULT_PRESET = "30d"
MAX_DAYS = 731  # two years: enough to compare seasons, small enough to stay fast


class RangeError(ValueError):
    """A range that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class DateRange:
    first_day: date
    last_day: date  # inclusive
    preset: str

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the range (exclusive)."""
        return datetime.combine(self.last_day + timedelta(days=1), time(), tzinfo=UTC)

    @property
    def end_day(self) -> date:
        """The day after the last one (exclusive), for `day < end_day` comparisons."""
        return self.last_day + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def label(self) -> str:
        span = f"{self.first_day:%d %b %Y} – {self.last_day:%d %b %Y}"
        return span if self.preset == "custom" else f"{PRESETS[self.preset]} ({span})"

    def as_query(self) -> dict[str, str]:
        """The query arguments that give this range again (for links between pages)."""
        if self.preset == "custom":
            return {"range": "custom", "from": self.first_day.isoformat(),
                    "to": self.last_day.isoformat()}
        return {"range": self.preset}


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_range(preset: str, today: date) -> DateRange:
    if preset == "quarter":
        return DateRange(quarter_start(today), today, preset)
    days = {"7d": 7, "30d": 30, "90d": 90}[preset]
    return DateRange(today - timedelta(days=days - 1), today, preset)


def parse_range(args: Mapping[str, str], today: date) -> DateRange:
    """The range a query string asks for (`range`, `from`, `to`), or RangeError.

    `from`/`to` without `range` mean a custom range; a missing `to` is today, a
    missing `from` 30 days before `to`.
    """
    preset = (args.get("range") or "").strip()
    first, last = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if not preset:
        preset = "custom" if first or last else DEFAULT_PRESET
    if preset not in PRESETS:
        raise RangeError(f"Unknown range {preset[:40]!r}: choose one of "
                         f"{', '.join(PRESETS)}.")
    if preset != "custom":
        return preset_range(preset, today)
    last_day = _day(last, "to") if last else today
    first_day = _day(first, "from") if first else last_day - timedelta(days=29)
    if first_day > last_day:
        raise RangeError("The start date is after the end date: swap them.")
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise RangeError(f"Choose at most {MAX_DAYS} days.")
    return DateRange(first_day, last_day, "custom")


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _day(text: str, name: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise RangeError(f"The {name!r} date must look like 2026-01-31.") from None
    if not EARLIEST <= day <= LATEST:
        raise RangeError(f"The {name!r} date must be between {EARLIEST.year} and "
                         f"{LATEST.year}.")
    return day
