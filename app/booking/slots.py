"""Free meeting times, pure: reps' hours in their own timezone, DST, busy times, daily caps.

No Flask, no database: the service loads `RepCalendar`s and a `MeetingSpec`, this
module answers with UTC times. The rules, in the order they apply:

* Hours. A local date listed in `overrides` uses those hours (``()`` = day off),
  any other date its weekday's hours (a missing weekday = not working). An end of
  ``time(0, 0)`` is midnight at the end of the day; an interval that ends before it
  starts is ignored (`validate_hours` reports it). One day's intervals that touch or
  overlap are merged; a day's interval that reaches midnight and the next day's that
  starts there are chained, so a meeting may run across midnight (overnight shifts).
* Wall clock to UTC (zoneinfo). A wall time that does not exist (the spring-forward
  gap) stands for the instant of the jump: 01:00-04:00 on that night is 2 real hours,
  and a start at 02:30 is never offered. A wall time that occurs twice (fall back)
  means its first occurrence (fold=0), for starts and ends alike: starts in the
  repeated hour are offered once, never twice. Lengths are real elapsed UTC time.
* Candidates. In each of a day's (merged) intervals, a start at the interval's wall
  start, then every `step` of wall-clock time while it is inside the interval, skipping
  wall times that do not exist. The grid restarts at each day's interval, even where
  a chain continues over midnight (for a step that divides the hours before midnight,
  as usual, this is the same grid); so a time's grid never depends on the window asked.
* Offered if: the meeting [s, s + duration) fits in the chained working interval;
  now + min_notice <= s < now + horizon_days; [s - buffer_before, s + duration +
  buffer_after) overlaps no busy interval (busy intervals are taken as given: they
  are the other meetings' own times); the rep's bookings on the local date of s are
  below `daily_cap`; and window.start <= s < window.end (the window bounds starts;
  by default [now, now + horizon_days]).

An unknown timezone name raises zoneinfo's ZoneInfoNotFoundError (names are checked
when hours are saved). Zone offsets are found by probing every 12 hours (no zone
changes its offset twice within 12 hours); after that everything is integer
arithmetic on microseconds (`app.booking.zones`), with a pointer moving once through
each rep's sorted, merged busy times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.booking.zones import (
    _DAY,
    _EPOCH_ORDINAL,
    _MARGIN,
    _US,
    _ceil_div,
    _clock_us,
    _dt,
    _us,
    _Zone,
)

MAX_INTERVALS_PER_DAY = 6
GRID_MINUTES = 5


LocalHours = tuple[tuple[time, time], ...]


@dataclass(frozen=True)
class Interval:
    """A half-open span of time [start, end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class RepCalendar:
    """One rep's availability as the slot computation sees it."""

    rep_id: int
    timezone: str  # IANA name, e.g. "Europe/Berlin"
    weekly: Mapping[int, LocalHours]  # 0 = Monday ... 6 = Sunday; missing = not working
    overrides: Mapping[date, LocalHours] = field(default_factory=dict)  # () = day off
    busy: tuple[Interval, ...] = ()  # meetings and imported events (UTC, any order)
    bookings_per_day: Mapping[date, int] = field(default_factory=dict)  # by local date


@dataclass(frozen=True)
class MeetingSpec:
    """A meeting type's timing rules."""

    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(0)
    horizon_days: int = 14
    step: timedelta = timedelta(minutes=15)
    daily_cap: int | None = None  # max bookings per rep per local day

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0) or self.step <= timedelta(0):
            raise ValueError("a meeting's duration and step must be positive")
        if min(self.buffer_before, self.buffer_after, self.min_notice) < timedelta(0):
            raise ValueError("a meeting's buffers and notice cannot be negative")
        if self.horizon_days < 0 or (self.daily_cap is not None and self.daily_cap < 0):
            raise ValueError("a meeting's horizon and daily cap cannot be negative")


@dataclass(frozen=True)
class Slot:
    """A time offered to the prospect, with the reps free for it (sorted)."""

    start: datetime
    end: datetime
    rep_ids: tuple[int, ...]


def working_intervals(rep: RepCalendar, window: Interval) -> list[Interval]:
    """The rep's working time within `window`, in UTC, merged and sorted (busy ignored)."""
    lo, hi = _us(window.start), _us(window.end)
    if lo >= hi:
        return []
    zone = _Zone(rep.timezone, lo - _MARGIN, hi + _MARGIN)
    chains: list[list[int]] = []
    for _, start, end in _pieces(rep, zone, lo, hi):
        if chains and start <= chains[-1][1]:
            chains[-1][1] = max(chains[-1][1], end)
        else:
            chains.append([start, end])
    return [Interval(_dt(max(start, lo)), _dt(min(end, hi)))
            for start, end in chains if start < hi and end > lo]


def rep_slots(rep: RepCalendar, meeting: MeetingSpec, now: datetime,
              window: Interval | None = None) -> list[Interval]:
    """The meeting times this rep could take, sorted by start."""
    lo, hi = _window(meeting, now, window)
    duration = meeting.duration // _US
    return [Interval(_dt(start), _dt(start + duration))
            for start in _starts(rep, meeting, _us(now), lo, hi, {})]


def free_slots(reps: Sequence[RepCalendar], meeting: MeetingSpec, now: datetime,
               window: Interval | None = None) -> list[Slot]:
    """The times at least one rep is free, each with every rep free for it."""
    lo, hi = _window(meeting, now, window)
    now_us = _us(now)
    zones: dict[str, _Zone] = {}  # offsets looked up once per timezone, not once per rep
    free: dict[int, set[int]] = {}
    for rep in reps:
        for start in _starts(rep, meeting, now_us, lo, hi, zones):
            reps_free = free.get(start)
            if reps_free is None:
                free[start] = {rep.rep_id}
            else:
                reps_free.add(rep.rep_id)
    duration = meeting.duration // _US
    return [Slot(_dt(start), _dt(start + duration), tuple(sorted(free[start])))
            for start in sorted(free)]


def is_free(rep: RepCalendar, meeting: MeetingSpec, start: datetime, now: datetime) -> bool:
    """Whether a booking at `start` fits now: the same rules as `rep_slots`, for one time."""
    at = _us(start)
    return at in _starts(rep, meeting, _us(now), at, at + 1, {})


def validate_hours(hours: object) -> list[str]:
    """What is wrong with one day's hours, as sentences for the settings page ([] = fine)."""
    if not isinstance(hours, list | tuple):
        return ["Hours must be a list of intervals like 09:00-12:00."]
    problems = []
    if len(hours) > MAX_INTERVALS_PER_DAY:
        problems.append(f"At most {MAX_INTERVALS_PER_DAY} intervals a day, not {len(hours)}.")
    spans: list[tuple[int, int, str]] = []
    for number, item in enumerate(hours, 1):
        if not (isinstance(item, list | tuple) and len(item) == 2
                and all(isinstance(clock, time) for clock in item)):
            problems.append(f"Interval {number} is not a pair of times like 09:00-12:00.")
            continue
        start, end = item
        label = f"{_clock(start)}-{_clock(end, end_of_day=True)}"
        if start.tzinfo is not None or end.tzinfo is not None:
            problems.append(f"{label}: hours are local times, without a timezone.")
        if any(clock.second or clock.microsecond or clock.minute % GRID_MINUTES
               for clock in item):
            problems.append(f"{label} is not on a {GRID_MINUTES}-minute grid.")
        first, last = _minutes(start), _minutes(end) or 24 * 60
        if last == first:
            problems.append(f"{label} is empty.")
        elif last < first:
            problems.append(f"{label} ends before it starts.")
        else:
            spans.append((first, last, label))
    spans.sort()
    for (_, before_end, before), (after_start, _, after) in zip(spans, spans[1:], strict=False):
        if after_start < before_end:
            problems.append(f"{before} and {after} overlap.")
    return problems


# --- the computation, in microseconds since the epoch ----------------------------------


def _starts(rep: RepCalendar, meeting: MeetingSpec, now: int, lo: int, hi: int,
            zones: dict[str, _Zone]) -> list[int]:
    """The rep's offered starts in [lo, hi), sorted; `zones` caches offsets per call."""
    cap = meeting.daily_cap
    if cap is not None and cap <= 0:
        return []
    duration, step = meeting.duration // _US, meeting.step // _US
    before, after = meeting.buffer_before // _US, meeting.buffer_after // _US
    lo = max(lo, now + meeting.min_notice // _US)
    hi = min(hi, now + meeting.horizon_days * _DAY)
    if lo >= hi:
        return []
    zone_lo, zone_hi = lo - _MARGIN, hi + duration + _MARGIN
    zone = zones.get(rep.timezone)
    if zone is None or not zone.covers(zone_lo, zone_hi):
        zone = zones[rep.timezone] = _Zone(rep.timezone, zone_lo, zone_hi)
    capped = set() if cap is None else {
        day.toordinal() - _EPOCH_ORDINAL for day, count in rep.bookings_per_day.items()
        if count >= cap}
    busy = _merged_busy(rep.busy)
    pieces = _pieces(rep, zone, lo, hi + duration)
    chain_ends = _chain_ends(pieces)
    found: list[int] = []
    j, n_busy = 0, len(busy)
    for (anchor, start, end), chain_end in zip(pieces, chain_ends, strict=True):
        last = min(end, hi, chain_end - duration + 1)  # starts lie in [first, last)
        first = max(start, lo)
        if first >= last:
            continue
        k_next = 0  # grid index past the previous offset segment: fold=0, no repeats
        for seg_from, seg_to, offset in zone.segments:
            if seg_to <= start:
                continue
            if seg_from >= end:
                break
            # wall time w = anchor + k * step starts at UTC w - offset inside this segment
            k_low = _ceil_div(max(start, seg_from) + offset - anchor, step)
            k_high = _ceil_div(min(end, seg_to) + offset - anchor, step)
            k = max(k_low, k_next, _ceil_div(first + offset - anchor, step))
            k_stop = min(k_high, _ceil_div(last + offset - anchor, step))
            k_next = max(k_next, k_high)
            while k < k_stop:
                wall = anchor + k * step
                at = wall - offset
                while j < n_busy and busy[j][1] <= at - before:
                    j += 1
                if j < n_busy and busy[j][0] < at + duration + after:
                    k = max(k + 1, _ceil_div(busy[j][1] + before + offset - anchor, step))
                    continue
                if not capped or wall // _DAY not in capped:
                    found.append(at)
                k += 1
    return found


def _pieces(rep: RepCalendar, zone: _Zone, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """(wall anchor, UTC start, UTC end) of each day's merged intervals, for the local
    days around [lo, hi), in order (which is also UTC order)."""
    first_day = (lo + zone.offset_at(lo)) // _DAY - 1
    last_day = (hi + zone.offset_at(hi)) // _DAY + 1
    pieces = []
    weekly_cache: dict[int, list[tuple[int, int]]] = {}
    overrides = rep.overrides
    for day in range(first_day, last_day + 1):
        on = date.fromordinal(day + _EPOCH_ORDINAL)
        if overrides and on in overrides:
            local = _day_hours(overrides[on])
        else:
            weekday = on.weekday()
            local = weekly_cache.get(weekday)
            if local is None:
                local = weekly_cache[weekday] = _day_hours(rep.weekly.get(weekday, ()))
        midnight = day * _DAY
        for begin, finish in local:
            start, end = zone.to_utc(midnight + begin), zone.to_utc(midnight + finish)
            if start < end:
                pieces.append((midnight + begin, start, end))
    return pieces


def _chain_ends(pieces: list[tuple[int, int, int]]) -> list[int]:
    """For each piece, the end of the run of touching pieces it starts or continues."""
    ends = [0] * len(pieces)
    following_start, following_end = None, 0
    for index in range(len(pieces) - 1, -1, -1):
        _, start, end = pieces[index]
        joined = following_start is not None and end >= following_start
        ends[index] = max(end, following_end) if joined else end
        following_start, following_end = start, ends[index]
    return ends


def _day_hours(hours: LocalHours) -> list[tuple[int, int]]:
    """A day's intervals as sorted, merged offsets from local midnight; bad ones dropped."""
    spans = sorted((_clock_us(begin), _clock_us(finish) or _DAY) for begin, finish in hours)
    merged: list[tuple[int, int]] = []
    for begin, finish in spans:
        if finish <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def _merged_busy(busy: tuple[Interval, ...]) -> list[tuple[int, int]]:
    spans = sorted((_us(span.start), _us(span.end)) for span in busy)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _window(meeting: MeetingSpec, now: datetime, window: Interval | None) -> tuple[int, int]:
    if window is None:
        start = _us(now)
        return start, start + meeting.horizon_days * _DAY
    return _us(window.start), _us(window.end)


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _clock(clock: time, *, end_of_day: bool = False) -> str:
    if end_of_day and clock == time(0, 0):
        return "24:00"
    return f"{clock:%H:%M}"


__all__ = ["GRID_MINUTES", "MAX_INTERVALS_PER_DAY", "Interval", "LocalHours", "MeetingSpec",
           "RepCalendar", "Slot", "free_slots", "is_free", "rep_slots", "validate_hours",
           "working_intervals"]
