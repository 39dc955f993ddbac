"""Which responses an export takes: states, a range of start days, a timezone. Pure.

The web download and the CLI read the same words through `parse_filters`, so a bad
value gets the same message in both (a 400 on the web, exit status 2 in the shell).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STATES = ("in_progress", "completed", "abandoned")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")
MAX_ZONE_LENGTH = 64


class FilterError(ValueError):
    """A filter value that cannot be used; the message says what to send instead."""


@dataclass(frozen=True)
class ExportFilters:
    states: frozenset[str] = frozenset(STATES)
    first_day: date | None = None  # inclusive, in `zone`
    last_day: date | None = None  # inclusive, in `zone`
    zone: str = "UTC"
    bom: bool = False

    @property
    def started_from(self) -> datetime | None:
        """The UTC instant the range starts at (midnight of the first day in the zone)."""
        return None if self.first_day is None else self._midnight(self.first_day)

    @property
    def started_before(self) -> datetime | None:
        """The UTC instant the range ends before (midnight after the last day)."""
        return None if self.last_day is None else self._midnight(self.last_day
                                                                 + timedelta(days=1))

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(), ZoneInfo(self.zone)).astimezone(UTC)


def parse_filters(states: Iterable[str] = (), first_day: str | None = None,
                  last_day: str | None = None, zone: str | None = None,
                  bom: str | None = None) -> ExportFilters:
    """Filters from the words of a query string or a command line; FilterError if bad."""
    chosen = _states(states)
    first, last = _day(first_day, "from"), _day(last_day, "to")
    if first and last and first > last:
        raise FilterError(f"The range ends ({last.isoformat()}) before it starts "
                          f"({first.isoformat()}); swap 'from' and 'to'.")
    return ExportFilters(chosen, first, last, _zone(zone), _flag(bom, "bom"))


def _states(words: Iterable[str]) -> frozenset[str]:
    picked = {part.strip() for word in words for part in word.split(",") if part.strip()}
    if not picked or picked == {"all"}:
        return frozenset(STATES)
    unknown = sorted(picked - set(STATES))
    if unknown:
        raise FilterError(f"Unknown state '{unknown[0][:40]}': use {', '.join(STATES)} "
                          "or all (several separated by commas).")
    return frozenset(picked)


def _day(text: str | None, name: str) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FilterError(f"'{name}' must be a date as YYYY-MM-DD, not '{text[:40]}'.") from None


def _zone(text: str | None) -> str:
    name = (text or "").strip() or "UTC"
    try:
        if len(name) > MAX_ZONE_LENGTH:
            raise ValueError
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise FilterError(f"Unknown timezone '{name[:40]}': use an IANA name such as "
                          "Europe/Berlin or America/New_York.") from None
    return name


def _flag(text: str | None, name: str) -> bool:
    word = (text or "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FilterError(f"'{name}' must be 1 or 0, not '{word[:40]}'.")
