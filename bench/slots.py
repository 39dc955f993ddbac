"""Free-slot computation for a team: `free_slots` against a naive version, same data.

The team: 20 reps in round robin across three timezones (America/New_York,
Europe/Berlin, Asia/Kolkata), each working Monday to Friday 09:00-12:00 and
13:00-17:30 local (lunch in between), a 30-minute meeting on a 15-minute step with
10-minute buffers, 4 hours' notice, a 14-day horizon and a daily cap of 4. Busy times
are seeded random: 2-5 meetings (30-90 minutes) on each working day per rep, and a
few all-day events (conferences, days out) per rep.

Measured in the same run, interleaved, on the same input:
* `free_slots` (app/booking/slots.py);
* grid only: the candidate starts per rep, converted to UTC, with no check at all
  (the floor any implementation pays to list its candidates);
* naive: the same rules written the obvious way, each candidate checked against every
  busy interval (O(candidates x busy)); it must give the same slots, which is checked.

Prints ms per computation (median, p95), the number of slots, the ratios and the
target (free_slots <= 20 ms). No server, no database. Exit 0 unless it broke.

Run: .venv/bin/python bench/slots.py [--runs 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import machine_note  # noqa: E402

from app.booking.slots import (  # noqa: E402
    Interval,
    MeetingSpec,
    RepCalendar,
    Slot,
    free_slots,
)

TARGET_MS = 20.0
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Kolkata")
HOURS = ((clock(9), clock(12)), (clock(13), clock(17, 30)))
MEETING = MeetingSpec(duration=timedelta(minutes=30), buffer_before=timedelta(minutes=10),
                      buffer_after=timedelta(minutes=10), min_notice=timedelta(hours=4),
                      horizon_days=14, step=timedelta(minutes=15), daily_cap=4)
NOW = datetime(2026, 3, 2, 7, 20, tzinfo=UTC)  # a Monday; New York changes clocks on the 8th


def team(seed: int) -> list[RepCalendar]:
    """20 reps with weekday hours, lunch, and seeded random meetings and all-day events."""
    rng = random.Random(seed)
    reps = []
    for rep_id in range(1, 21):
        name = ZONES[rep_id % len(ZONES)]
        tz = ZoneInfo(name)
        busy, per_day = [], {}
        for offset in range(-1, MEETING.horizon_days + 2):
            day = NOW.date() + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            meetings = rng.randint(2, 5)
            per_day[day] = rng.randint(0, meetings)
            for _ in range(meetings):
                at = clock(rng.randint(8, 16), rng.choice((0, 15, 30, 45)))
                start = datetime.combine(day, at, tz)
                length = timedelta(minutes=rng.choice((30, 45, 60, 90)))
                busy.append(Interval(start.astimezone(UTC), (start + length).astimezone(UTC)))
        for _ in range(rng.randint(1, 3)):
            day = NOW.date() + timedelta(days=rng.randint(0, MEETING.horizon_days))
            start = datetime.combine(day, clock(0), tz)
            end = datetime.combine(day + timedelta(days=1), clock(0), tz)
            busy.append(Interval(start.astimezone(UTC), end.astimezone(UTC)))
        rng.shuffle(busy)
        reps.append(RepCalendar(rep_id=rep_id, timezone=name,
                                weekly={weekday: HOURS for weekday in range(5)},
                                busy=tuple(busy), bookings_per_day=per_day))
    return reps


def local_candidates(rep: RepCalendar, meeting: MeetingSpec) -> list[datetime]:
    """Every start on the rep's grid over the horizon, in UTC (weekly hours, no gaps here)."""
    tz, found = ZoneInfo(rep.timezone), []
    first = NOW.astimezone(tz).date()
    for offset in range(meeting.horizon_days + 1):
        day = first + timedelta(days=offset)
        for begin, end in rep.overrides.get(day, rep.weekly.get(day.weekday(), ())):
            start = datetime.combine(day, begin, tz)
            stop = datetime.combine(day, end, tz)
            while start + meeting.duration <= stop:
                found.append(start.astimezone(UTC))
                start += meeting.step
    return found


def grid_only(reps: list[RepCalendar], meeting: MeetingSpec) -> int:
    return sum(len(local_candidates(rep, meeting)) for rep in reps)


def naive(reps: list[RepCalendar], meeting: MeetingSpec) -> list[Slot]:
    """The rules the obvious way: every candidate against every busy interval."""
    free: dict[datetime, list[int]] = {}
    earliest, horizon = NOW + meeting.min_notice, NOW + timedelta(days=meeting.horizon_days)
    for rep in reps:
        tz = ZoneInfo(rep.timezone)
        for start in local_candidates(rep, meeting):
            if not earliest <= start < horizon:
                continue
            blocked_from = start - meeting.buffer_before
            blocked_to = start + meeting.duration + meeting.buffer_after
            if any(busy.start < blocked_to and blocked_from < busy.end for busy in rep.busy):
                continue
            day = start.astimezone(tz).date()
            if meeting.daily_cap is not None and (
                    rep.bookings_per_day.get(day, 0) >= meeting.daily_cap):
                continue
            free.setdefault(start, []).append(rep.rep_id)
    return [Slot(start, start + meeting.duration, tuple(sorted(ids)))
            for start, ids in sorted(free.items())]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    reps = team(args.seed)
    fast = free_slots(reps, MEETING, NOW)
    slow = naive(reps, MEETING)
    if fast != slow:
        print(f"MISMATCH: free_slots gave {len(fast)} slots, naive {len(slow)}")
        return 1

    subjects: dict[str, Callable[[], object]] = {
        "free_slots": lambda: free_slots(reps, MEETING, NOW),
        "grid only": lambda: grid_only(reps, MEETING),
        "naive": lambda: naive(reps, MEETING),
    }
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    for work in subjects.values():  # warm up, unrecorded
        work()
    for round_ in range(args.runs):
        order = list(subjects.items())
        if round_ % 2:
            order.reverse()
        for name, work in order:
            samples[name].append(timed(work))

    busy = sum(len(rep.busy) for rep in reps)
    print(f"slots: 20 reps in {len(ZONES)} timezones, {MEETING.horizon_days} days, "
          f"{busy} busy intervals, {grid_only(reps, MEETING)} candidate starts")
    print(machine_note())
    print(f"{len(fast)} slots offered ({sum(len(slot.rep_ids) for slot in fast)} rep-slots); "
          f"naive agrees; {args.runs} runs each")
    for name in subjects:
        print(f"  {name:<11} {summary(samples[name])}")
    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"free_slots / grid only: {median['free_slots'] / median['grid only']:.2f}x   "
          f"naive / free_slots: {median['naive'] / median['free_slots']:.1f}x")
    verdict = "met" if median["free_slots"] <= TARGET_MS else "MISSED"
    print(f"target free_slots <= {TARGET_MS:.0f} ms (median): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
