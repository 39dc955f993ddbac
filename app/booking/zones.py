"""Wall clocks and UTC as integer microseconds since the epoch, for the slot computation.

Pure, standard library only. `_Zone` finds a timezone's offsets over a span once
(probing every 12 hours, then a binary search to the second for each change), after
which a wall time converts to UTC by integer arithmetic: its first occurrence when
the clocks fall back, the instant of the jump when they spring forward.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_US = timedelta(microseconds=1)
_SECOND = 1_000_000
_DAY = 86_400 * _SECOND
_PROBE = 12 * 3_600 * _SECOND
_MARGIN = 3 * _DAY  # zone offsets are looked up this far around what is asked


class _Zone:
    """A timezone's UTC offsets over a span of time, as (from, to, offset) segments."""

    def __init__(self, name: str, lo: int, hi: int) -> None:
        self.tz, self.lo, self.hi = _zoneinfo(name), lo, hi
        offset = self.offset_at(lo)
        segments, seg_from, probe = [], lo, lo
        while probe < hi:
            following = min(probe + _PROBE, hi)
            new = self.offset_at(following)
            if new != offset:
                change = self._change(probe, following, offset)
                segments.append((seg_from, change, offset))
                seg_from, offset = change, new
            probe = following
        segments.append((seg_from, hi, offset))
        self.segments: list[tuple[int, int, int]] = segments

    def covers(self, lo: int, hi: int) -> bool:
        return self.lo <= lo and hi <= self.hi

    def offset_at(self, at: int) -> int:
        offset = _dt(at).astimezone(self.tz).utcoffset()
        return 0 if offset is None else offset // _US

    def _change(self, before: int, after: int, offset: int) -> int:
        """The first whole second in (before, after] whose offset is no longer `offset`."""
        low, high = before // _SECOND, -(-after // _SECOND)
        while high - low > 1:
            middle = (low + high) // 2
            if self.offset_at(middle * _SECOND) == offset:
                low = middle
            else:
                high = middle
        return high * _SECOND

    def to_utc(self, wall: int) -> int:
        """A wall time's first occurrence; in a gap, the instant of the jump."""
        for index, (seg_from, seg_to, offset) in enumerate(self.segments):
            at = wall - offset
            if at < seg_from and index:
                return seg_from  # skipped by the clocks going forward
            if at < seg_to:
                return at
        return wall - self.segments[-1][2]


_ZONES: dict[str, ZoneInfo] = {}


def _zoneinfo(name: str) -> ZoneInfo:
    found = _ZONES.get(name)
    if found is None:
        found = _ZONES[name] = ZoneInfo(name)
    return found



def _us(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no timezone; slot times must be aware")
    return (moment - _EPOCH) // _US


def _dt(at: int) -> datetime:
    return _EPOCH + timedelta(microseconds=at)


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _clock_us(clock: time) -> int:
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * _SECOND + clock.microsecond
