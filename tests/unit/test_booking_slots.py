"""Free slots: weekly hours, overrides, notice, horizon, buffers, caps, DST, teams."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.booking.slots import (
    Interval,
    LocalHours,
    MeetingSpec,
    RepCalendar,
    Slot,
    free_slots,
    is_free,
    rep_slots,
    validate_hours,
    working_intervals,
)

MONDAY = date(2026, 6, 1)
WEEKDAYS = range(5)
NINE_TO_FIVE: LocalHours = ((time(9), time(17)),)
LUNCH_BREAK: LocalHours = ((time(9), time(12)), (time(13), time(17)))
MINUTES = timedelta(minutes=1)


def at(day: date, hour: int, minute: int = 0, tz: str = "UTC") -> datetime:
    """A local wall-clock time (first occurrence), in UTC."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(tz)).astimezone(UTC)


def rep(weekly: dict[int, LocalHours] | None = None, tz: str = "UTC", rep_id: int = 1,
        **fields: object) -> RepCalendar:
    hours = {day: NINE_TO_FIVE for day in WEEKDAYS} if weekly is None else weekly
    return RepCalendar(rep_id=rep_id, timezone=tz, weekly=hours, **fields)  # type: ignore[arg-type]


def meeting(minutes: int = 30, step: int = 15, **fields: object) -> MeetingSpec:
    return MeetingSpec(duration=minutes * MINUTES, step=step * MINUTES,  # type: ignore[arg-type]
                       **fields)


def clock(moments: list[Interval] | list[Slot], tz: str = "UTC") -> list[str]:
    return [f"{item.start.astimezone(ZoneInfo(tz)):%H:%M}" for item in moments]


def on(day: date, tz: str = "UTC") -> Interval:
    """The window of one local day."""
    return Interval(at(day, 0, tz=tz), at(day + timedelta(days=1), 0, tz=tz))


MIDNIGHT = at(MONDAY, 0)


# --- weekly hours, step, duration ------------------------------------------------------

def test_weekly_hours_with_a_lunch_break_offer_starts_where_the_meeting_fits():
    slots = rep_slots(rep({0: LUNCH_BREAK}), meeting(60, step=30), MIDNIGHT, on(MONDAY))

    assert clock(slots) == ["09:00", "09:30", "10:00", "10:30", "11:00",
                            "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00"]
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)


def test_the_step_restarts_at_each_interval():
    slots = rep_slots(rep({0: LUNCH_BREAK}), meeting(30, step=90), MIDNIGHT, on(MONDAY))

    assert clock(slots) == ["09:00", "10:30", "13:00", "14:30", "16:00"]


def test_an_interval_shorter_than_the_meeting_offers_nothing():
    hours = ((time(9), time(9, 45)), (time(14), time(15)))

    assert clock(rep_slots(rep({0: hours}), meeting(60), MIDNIGHT, on(MONDAY))) == ["14:00"]


def test_a_day_without_hours_offers_nothing():
    assert rep_slots(rep({1: NINE_TO_FIVE}), meeting(), MIDNIGHT, on(MONDAY)) == []


def test_touching_and_overlapping_intervals_of_a_day_are_merged():
    hours = ((time(9), time(11)), (time(10, 30), time(12)), (time(12), time(13)))

    slots = rep_slots(rep({0: hours}), meeting(120, step=60), MIDNIGHT, on(MONDAY))

    assert clock(slots) == ["09:00", "10:00", "11:00"]
    assert working_intervals(rep({0: hours}), on(MONDAY)) == [
        Interval(at(MONDAY, 9), at(MONDAY, 13))]


def test_the_default_window_runs_from_now_to_the_horizon():
    slots = rep_slots(rep({day: NINE_TO_FIVE for day in range(7)}),
                      meeting(60, step=60, horizon_days=2), at(MONDAY, 10))

    assert slots[0].start == at(MONDAY, 10)
    assert slots[-1].start == at(MONDAY + timedelta(days=2), 9)
    assert len(slots) == 7 + 8 + 1


# --- notice, horizon, buffers, daily cap -------------------------------------------------

def test_minimum_notice_keeps_near_times_out():
    slots = rep_slots(rep(), meeting(min_notice=timedelta(hours=1)), at(MONDAY, 9, 40),
                      on(MONDAY))

    assert clock(slots)[0] == "10:45"


def test_the_horizon_is_measured_from_now():
    slots = rep_slots(rep(), meeting(60, step=60, horizon_days=1), at(MONDAY, 10, 30))

    assert clock(slots) == ["11:00", "12:00", "13:00", "14:00", "15:00", "16:00", "09:00",
                            "10:00"]
    assert slots[-1].start == at(MONDAY + timedelta(days=1), 10)


def test_a_start_exactly_at_the_horizon_is_not_offered():
    slots = rep_slots(rep(), meeting(60, step=60, horizon_days=1), at(MONDAY, 10))

    assert at(MONDAY + timedelta(days=1), 10) not in [slot.start for slot in slots]


def test_buffers_keep_meetings_clear_of_a_busy_interval_on_both_sides():
    busy = (Interval(at(MONDAY, 11), at(MONDAY, 12)),)
    spec = meeting(30, buffer_before=15 * MINUTES, buffer_after=15 * MINUTES)

    starts = clock(rep_slots(rep(busy=busy), spec, MIDNIGHT, on(MONDAY)))

    assert "10:15" in starts  # ends 10:45, its buffer ends as the busy time starts
    assert not {"10:30", "10:45", "11:00", "11:30", "11:45", "12:00"} & set(starts)
    assert "12:15" in starts  # its buffer starts as the busy time ends


def test_without_buffers_meetings_touch_a_busy_interval():
    busy = (Interval(at(MONDAY, 11), at(MONDAY, 12)),)

    starts = clock(rep_slots(rep(busy=busy), meeting(30), MIDNIGHT, on(MONDAY)))

    assert {"10:30", "12:00"} <= set(starts)
    assert not {"10:45", "11:00", "11:45"} & set(starts)


def test_busy_intervals_may_come_unsorted_and_overlapping():
    busy = (Interval(at(MONDAY, 14), at(MONDAY, 15)), Interval(at(MONDAY, 9), at(MONDAY, 13)),
            Interval(at(MONDAY, 10), at(MONDAY, 14, 30)), Interval(at(MONDAY, 16), at(MONDAY, 16)))

    assert clock(rep_slots(rep(busy=busy), meeting(60, step=60), MIDNIGHT, on(MONDAY))) == [
        "15:00", "16:00"]


def test_an_all_day_event_blocks_the_day():
    busy = (Interval(at(MONDAY, 0), at(MONDAY + timedelta(days=1), 0)),)

    assert rep_slots(rep(busy=busy), meeting(), MIDNIGHT, on(MONDAY)) == []


def test_a_day_at_the_daily_cap_offers_nothing():
    spec = meeting(daily_cap=2, horizon_days=2)
    full = rep(bookings_per_day={MONDAY: 2})
    room = rep(bookings_per_day={MONDAY: 1})

    assert {slot.start.date() for slot in rep_slots(full, spec, MIDNIGHT)} == {
        MONDAY + timedelta(days=1)}
    assert {slot.start.date() for slot in rep_slots(room, spec, MIDNIGHT)} == {
        MONDAY, MONDAY + timedelta(days=1)}


def test_the_daily_cap_counts_the_reps_local_day():
    # 08:00-10:00 in Tokyo is 23:00-01:00 UTC, across the UTC date line
    tokyo = rep({1: ((time(8), time(10)),)}, tz="Asia/Tokyo",
                bookings_per_day={MONDAY + timedelta(days=1): 3})

    assert rep_slots(tokyo, meeting(daily_cap=3, horizon_days=3), MIDNIGHT) == []
    assert len(rep_slots(tokyo, meeting(daily_cap=4, horizon_days=3), MIDNIGHT)) == 7


# --- overrides --------------------------------------------------------------------------

def test_an_override_with_no_hours_is_a_day_off():
    calendar = rep(overrides={MONDAY: ()})

    assert rep_slots(calendar, meeting(), MIDNIGHT, on(MONDAY)) == []
    assert rep_slots(calendar, meeting(), MIDNIGHT, on(MONDAY + timedelta(days=1))) != []


def test_an_override_replaces_the_days_hours():
    calendar = rep(overrides={MONDAY: ((time(14), time(15, 30)),)})

    assert clock(rep_slots(calendar, meeting(60, step=30), MIDNIGHT, on(MONDAY))) == [
        "14:00", "14:30"]


def test_an_override_adds_hours_on_a_weekend():
    saturday = MONDAY + timedelta(days=5)
    calendar = rep(overrides={saturday: ((time(10), time(12)),)})

    assert clock(rep_slots(calendar, meeting(60, step=60), MIDNIGHT, on(saturday))) == [
        "10:00", "11:00"]


# --- overnight ----------------------------------------------------------------------------

def test_an_overnight_shift_offers_meetings_across_midnight():
    night = rep({0: ((time(20), time(0)),), 1: ((time(0), time(2)),)})
    window = Interval(at(MONDAY, 12), at(MONDAY, 12) + timedelta(days=1))

    slots = rep_slots(night, meeting(60, step=30), MIDNIGHT, window)

    assert clock(slots) == ["20:00", "20:30", "21:00", "21:30", "22:00", "22:30", "23:00",
                            "23:30", "00:00", "00:30", "01:00"]
    assert working_intervals(night, window) == [
        Interval(at(MONDAY, 20), at(MONDAY + timedelta(days=1), 2))]


def test_without_the_next_morning_the_evening_ends_at_midnight():
    evening = rep({0: ((time(20), time(0)),)})

    assert clock(rep_slots(evening, meeting(60, step=30), MIDNIGHT))[-1] == "23:00"


def test_working_intervals_are_clipped_to_the_window():
    window = Interval(at(MONDAY, 10), at(MONDAY, 16))

    assert working_intervals(rep({0: LUNCH_BREAK}), window) == [
        Interval(at(MONDAY, 10), at(MONDAY, 12)), Interval(at(MONDAY, 13), at(MONDAY, 16))]


# --- daylight saving time -----------------------------------------------------------------

SPRING_NY, FALL_NY = date(2026, 3, 8), date(2026, 11, 1)
SPRING_BERLIN, FALL_BERLIN = date(2026, 3, 29), date(2026, 10, 25)
EVERY_DAY = {day: NINE_TO_FIVE for day in range(7)}


@pytest.mark.parametrize(("tz", "day", "utc_hour"), [
    ("America/New_York", SPRING_NY - timedelta(days=1), 14),
    ("America/New_York", SPRING_NY, 13),
    ("America/New_York", SPRING_NY + timedelta(days=1), 13),
    ("America/New_York", FALL_NY - timedelta(days=1), 13),
    ("America/New_York", FALL_NY, 14),
    ("America/New_York", FALL_NY + timedelta(days=1), 14),
    ("Europe/Berlin", SPRING_BERLIN - timedelta(days=1), 8),
    ("Europe/Berlin", SPRING_BERLIN, 7),
    ("Europe/Berlin", SPRING_BERLIN + timedelta(days=1), 7),
    ("Europe/Berlin", FALL_BERLIN - timedelta(days=1), 7),
    ("Europe/Berlin", FALL_BERLIN, 8),
    ("Europe/Berlin", FALL_BERLIN + timedelta(days=1), 8),
])
def test_nine_to_five_starts_at_nine_local_on_both_sides_of_a_change(tz, day, utc_hour):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    spec = meeting(60, step=60, horizon_days=400)

    slots = rep_slots(rep(EVERY_DAY, tz=tz), spec, now, on(day, tz))

    assert slots[0].start == datetime.combine(day, time(utc_hour), UTC)
    assert clock(slots, tz) == [f"{hour:02}:00" for hour in range(9, 17)]


def exists(moment: datetime, tz: str) -> bool:
    local = moment.astimezone(ZoneInfo(tz))
    wall = local.replace(tzinfo=None)
    return datetime.combine(wall.date(), wall.time(), ZoneInfo(tz)).astimezone(UTC) == moment


@pytest.mark.parametrize(("tz", "day"), [("America/New_York", SPRING_NY),
                                         ("Europe/Berlin", SPRING_BERLIN)])
def test_hours_across_the_spring_forward_gap_count_real_time(tz, day):
    night = rep({day.weekday(): ((time(1), time(4)),)}, tz=tz)
    now = datetime(2026, 1, 1, tzinfo=UTC)

    slots = rep_slots(night, meeting(30, horizon_days=400), now, on(day, tz))

    assert working_intervals(night, on(day, tz)) == [
        Interval(at(day, 1, tz=tz), at(day, 1, tz=tz) + timedelta(hours=2))]
    assert clock(slots, tz) == ["01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30"]
    assert all(exists(slot.start, tz) for slot in slots)


@pytest.mark.parametrize(("tz", "day"), [("America/New_York", SPRING_NY),
                                         ("Europe/Berlin", SPRING_BERLIN)])
def test_an_interval_starting_in_the_gap_starts_when_the_clocks_jump(tz, day):
    night = rep({day.weekday(): ((time(2, 30), time(5)),)}, tz=tz)
    now = datetime(2026, 1, 1, tzinfo=UTC)

    slots = rep_slots(night, meeting(30, step=30, horizon_days=400), now, on(day, tz))

    assert working_intervals(night, on(day, tz))[0].start == at(day, 3, tz=tz)
    assert clock(slots, tz) == ["03:00", "03:30", "04:00", "04:30"]


@pytest.mark.parametrize(("tz", "day", "repeated"), [("America/New_York", FALL_NY, 1),
                                                     ("Europe/Berlin", FALL_BERLIN, 2)])
def test_the_repeated_hour_of_a_fall_back_night_is_offered_once(tz, day, repeated):
    night = rep({day.weekday(): ((time(1), time(4)),)}, tz=tz)
    now = datetime(2026, 1, 1, tzinfo=UTC)

    slots = rep_slots(night, meeting(30, step=30, horizon_days=400), now, on(day, tz))

    assert working_intervals(night, on(day, tz)) == [
        Interval(at(day, 1, tz=tz), at(day, 1, tz=tz) + timedelta(hours=4))]
    assert clock(slots, tz) == ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]
    assert all(slot.start.astimezone(ZoneInfo(tz)).fold == 0 for slot in slots)
    assert all(before.end <= after.start for before, after in zip(slots, slots[1:], strict=False))
    second_time = at(day, repeated, 30, tz=tz) + timedelta(hours=1)  # same wall clock, later
    assert not is_free(night, meeting(30, step=30, horizon_days=400), second_time, now)


def test_reps_keep_their_local_hours_when_the_viewer_is_elsewhere():
    berlin = rep(EVERY_DAY, tz="Europe/Berlin")
    new_york = rep(EVERY_DAY, tz="America/New_York", rep_id=2)
    # 2026-03-09: New York is on summer time already, Berlin not yet (5 hours apart, not 6)
    day = date(2026, 3, 9)
    window = Interval(datetime.combine(day, time(0), UTC),
                      datetime.combine(day + timedelta(days=1), time(0), UTC))

    slots = free_slots([berlin, new_york], meeting(60, step=60, horizon_days=400),
                       datetime(2026, 1, 1, tzinfo=UTC), window)

    both = [slot.start.hour for slot in slots if slot.rep_ids == (1, 2)]
    assert both == [13, 14, 15]
    assert [slot.start.hour for slot in slots if slot.rep_ids == (1,)] == [8, 9, 10, 11, 12]
    assert [slot.start.hour for slot in slots if slot.rep_ids == (2,)] == [16, 17, 18, 19, 20]


# --- teams ------------------------------------------------------------------------------

def test_a_team_slot_lists_every_rep_free_for_it():
    first, second = rep(rep_id=7), rep(rep_id=3)

    slots = free_slots([first, second], meeting(60, step=60), MIDNIGHT, on(MONDAY))

    assert [slot.rep_ids for slot in slots] == [(3, 7)] * 8


def test_a_slot_only_one_rep_is_free_for_lists_only_that_rep():
    busy = rep(rep_id=1, busy=(Interval(at(MONDAY, 10), at(MONDAY, 11)),))
    free = rep(rep_id=2)

    slots = {slot.start: slot.rep_ids for slot in
             free_slots([busy, free], meeting(60, step=60), MIDNIGHT, on(MONDAY))}

    assert slots[at(MONDAY, 10)] == (2,)
    assert slots[at(MONDAY, 9)] == slots[at(MONDAY, 11)] == (1, 2)


def test_a_team_offers_the_union_of_its_reps_hours():
    morning = rep({0: ((time(9), time(11)),)}, rep_id=1)
    afternoon = rep({0: ((time(14), time(16)),)}, rep_id=2)

    slots = free_slots([morning, afternoon], meeting(60, step=60), MIDNIGHT, on(MONDAY))

    assert [(f"{slot.start:%H:%M}", slot.rep_ids) for slot in slots] == [
        ("09:00", (1,)), ("10:00", (1,)), ("14:00", (2,)), ("15:00", (2,))]
    assert free_slots([], meeting(), MIDNIGHT) == []


# --- is_free and the meeting's own rules ---------------------------------------------------

def test_is_free_agrees_with_the_offered_slots():
    calendar = rep(busy=(Interval(at(MONDAY, 11), at(MONDAY, 12)),))
    spec = meeting(30)

    assert is_free(calendar, spec, at(MONDAY, 10, 30), MIDNIGHT)
    assert not is_free(calendar, spec, at(MONDAY, 11, 30), MIDNIGHT)  # busy
    assert not is_free(calendar, spec, at(MONDAY, 10, 20), MIDNIGHT)  # off the grid
    assert not is_free(calendar, spec, at(MONDAY, 16, 45), MIDNIGHT)  # runs past 17:00
    assert not is_free(calendar, spec, at(MONDAY, 10), at(MONDAY, 10, 1))  # in the past


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        rep_slots(rep(), meeting(), datetime(2026, 6, 1))


@pytest.mark.parametrize("fields", [{"duration": timedelta(0)}, {"step": timedelta(0)},
                                    {"buffer_after": -MINUTES}, {"daily_cap": -1}])
def test_a_meeting_spec_that_cannot_work_is_refused(fields):
    with pytest.raises(ValueError):
        replace(meeting(), **fields)


def test_a_daily_cap_of_zero_offers_nothing():
    assert rep_slots(rep(), meeting(daily_cap=0), MIDNIGHT) == []


# --- validate_hours -----------------------------------------------------------------------

@pytest.mark.parametrize(("hours", "messages"), [
    (LUNCH_BREAK, []),
    ((), []),
    (((time(0), time(0)),), []),
    (((time(22), time(0)),), []),
    (((time(9), time(12)), (time(12), time(13))), []),
    (((time(17), time(9)),), ["17:00-09:00 ends before it starts."]),
    (((time(9), time(9)),), ["09:00-09:00 is empty."]),
    (((time(9), time(12)), (time(11), time(13))), ["09:00-12:00 and 11:00-13:00 overlap."]),
    (((time(22), time(0)), (time(23), time(0))), ["22:00-24:00 and 23:00-24:00 overlap."]),
    (((time(9, 7), time(12)),), ["09:07-12:00 is not on a 5-minute grid."]),
    (((time(9, 0, 30), time(12)),), ["09:00-12:00 is not on a 5-minute grid."]),
    (tuple((time(hour), time(hour, 30)) for hour in range(8, 15)),
     ["At most 6 intervals a day, not 7."]),
    ((("09:00", "12:00"),), ["Interval 1 is not a pair of times like 09:00-12:00."]),
    ("09:00-12:00", ["Hours must be a list of intervals like 09:00-12:00."]),
    (((time(9, tzinfo=UTC), time(12)),),
     ["09:00-12:00: hours are local times, without a timezone."]),
])
def test_validate_hours_says_what_is_wrong(hours, messages):
    assert validate_hours(hours) == messages


# --- properties ---------------------------------------------------------------------------

ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
         "America/St_Johns", "Pacific/Chatham")
CHANGES = (date(2026, 3, 8), date(2026, 3, 29), date(2026, 4, 5), date(2026, 10, 4),
           date(2026, 10, 25), date(2026, 11, 1), date(2026, 6, 15))


def to_time(minute: int) -> time:
    return time(0) if minute == 1440 else time(minute // 60, minute % 60)


@st.composite
def day_hours(draw: st.DrawFn) -> LocalHours:
    count = draw(st.integers(0, 3))
    hours = []
    for _ in range(count):
        first, last = sorted(draw(st.lists(st.integers(0, 288), min_size=2, max_size=2,
                                           unique=True)))
        hours.append((to_time(first * 5), to_time(last * 5)))
    return tuple(hours)


@st.composite
def calendars(draw: st.DrawFn, rep_id: int = 1) -> tuple[RepCalendar, datetime]:
    now = (datetime.combine(draw(st.sampled_from(CHANGES)), time(0), UTC)
           + timedelta(minutes=draw(st.integers(-4 * 1440, 1440))))
    weekly = {day: draw(day_hours()) for day in draw(st.sets(st.integers(0, 6)))}
    overrides = {now.date() + timedelta(days=offset): draw(day_hours())
                 for offset in draw(st.sets(st.integers(-1, 6), max_size=3))}
    busy = []
    for _ in range(draw(st.integers(0, 8))):
        start = now + timedelta(minutes=draw(st.integers(-600, 8 * 1440)))
        busy.append(Interval(start, start + timedelta(minutes=draw(st.integers(0, 600)))))
    per_day = {now.date() + timedelta(days=offset): draw(st.integers(0, 3))
               for offset in draw(st.sets(st.integers(-1, 8), max_size=4))}
    calendar = RepCalendar(rep_id, draw(st.sampled_from(ZONES)), weekly, overrides,
                           tuple(busy), per_day)
    return calendar, now


meetings = st.builds(
    MeetingSpec,
    duration=st.integers(1, 36).map(lambda n: n * 5 * MINUTES),
    buffer_before=st.integers(0, 12).map(lambda n: n * 5 * MINUTES),
    buffer_after=st.integers(0, 12).map(lambda n: n * 5 * MINUTES),
    min_notice=st.integers(0, 48).map(lambda n: n * 30 * MINUTES),
    horizon_days=st.integers(0, 6),
    step=st.sampled_from((5, 10, 15, 20, 25, 30, 45, 60, 90)).map(lambda n: n * MINUTES),
    daily_cap=st.none() | st.integers(1, 3),
)

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def local_pieces(calendar: RepCalendar, day: date) -> list[tuple[int, int]]:
    """The day's intervals in minutes from midnight, merged when they touch."""
    hours = calendar.overrides.get(day, calendar.weekly.get(day.weekday(), ()))
    spans = sorted((start.hour * 60 + start.minute, end.hour * 60 + end.minute or 1440)
                   for start, end in hours)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def reference(calendar: RepCalendar, spec: MeetingSpec, now: datetime) -> list[datetime]:
    """The rules written the slow way: zoneinfo for every candidate, every busy interval."""
    tz = ZoneInfo(calendar.timezone)
    horizon = now + timedelta(days=spec.horizon_days)
    working = working_intervals(calendar, Interval(now - timedelta(days=3),
                                                   horizon + timedelta(days=3)))
    found = []
    first = now.astimezone(tz).date() - timedelta(days=1)
    for offset in range(spec.horizon_days + 3):
        day = first + timedelta(days=offset)
        for start, end in local_pieces(calendar, day):
            wall = datetime.combine(day, time(0)) + timedelta(minutes=start)
            stop = datetime.combine(day, time(0)) + timedelta(minutes=end)
            while wall < stop:
                moment = wall.replace(tzinfo=tz).astimezone(UTC)  # fold=0: first occurrence
                is_real = moment.astimezone(tz).replace(tzinfo=None) == wall
                if is_real and fits(calendar, spec, now, moment, working):
                    found.append(moment)
                wall += spec.step
    return sorted(found)


def fits(calendar: RepCalendar, spec: MeetingSpec, now: datetime, start: datetime,
         working: list[Interval]) -> bool:
    end = start + spec.duration
    guard = Interval(start - spec.buffer_before, end + spec.buffer_after)
    local_day = start.astimezone(ZoneInfo(calendar.timezone)).date()
    return (now + spec.min_notice <= start < now + timedelta(days=spec.horizon_days)
            and any(span.start <= start and end <= span.end for span in working)
            and not any(busy.start < guard.end and guard.start < busy.end
                        and busy.start < busy.end for busy in calendar.busy)
            and (spec.daily_cap is None
                 or calendar.bookings_per_day.get(local_day, 0) < spec.daily_cap))


@PROPERTY
@given(calendars(), meetings)
def test_slots_are_exactly_the_grid_times_that_follow_every_rule(case, spec):
    calendar, now = case

    slots = rep_slots(calendar, spec, now)

    assert [slot.start for slot in slots] == reference(calendar, spec, now)


@PROPERTY
@given(calendars(), meetings)
def test_every_slot_is_inside_working_time_clear_of_busy_time_and_on_the_grid(case, spec):
    calendar, now = case
    tz = ZoneInfo(calendar.timezone)
    horizon = now + timedelta(days=spec.horizon_days)
    working = working_intervals(calendar, Interval(now - timedelta(days=2),
                                                   horizon + timedelta(days=2)))

    slots = rep_slots(calendar, spec, now)

    starts = [slot.start for slot in slots]
    assert starts == sorted(set(starts))
    for slot in slots:
        assert slot.end - slot.start == spec.duration
        assert fits(calendar, spec, now, slot.start, working)
        local = slot.start.astimezone(tz)
        assert local.fold == 0
        minute = local.hour * 60 + local.minute
        assert any(start <= minute and (minute - start) % (spec.step // MINUTES) == 0
                   for start, _ in local_pieces(calendar, local.date()))


@PROPERTY
@given(calendars(), meetings)
def test_is_free_holds_for_each_slot_until_the_slot_is_taken(case, spec):
    calendar, now = case

    for slot in rep_slots(calendar, spec, now)[:20]:
        assert is_free(calendar, spec, slot.start, now)
        taken = Interval(slot.start - spec.buffer_before, slot.end + spec.buffer_after)
        assert not is_free(replace(calendar, busy=(*calendar.busy, taken)), spec, slot.start,
                           now)


@PROPERTY
@given(calendars(), meetings, st.integers(0, 7 * 288))
def test_is_free_at_any_time_matches_the_offer(case, spec, fives):
    calendar, now = case
    moment = now.replace(second=0, microsecond=0) + fives * 5 * MINUTES

    offered = {slot.start for slot in rep_slots(calendar, spec, now)}

    assert is_free(calendar, spec, moment, now) == (moment in offered)


@PROPERTY
@given(calendars(), meetings, st.integers(0, 6 * 1440), st.integers(0, 3 * 1440))
def test_a_narrower_window_gives_the_same_times(case, spec, skip, length):
    calendar, now = case
    window = Interval(now + skip * MINUTES, now + (skip + length) * MINUTES)

    everything = rep_slots(calendar, spec, now)

    assert rep_slots(calendar, spec, now, window) == [
        slot for slot in everything if window.start <= slot.start < window.end]


@PROPERTY
@given(calendars(1), calendars(2), meetings)
def test_a_team_offers_the_union_with_every_free_rep(first, second, spec):
    now = first[1]
    team = [first[0], replace(second[0], rep_id=2)]

    slots = free_slots(team, spec, now)

    expected: dict[datetime, list[int]] = {}
    for calendar in team:
        for slot in rep_slots(calendar, spec, now):
            expected.setdefault(slot.start, []).append(calendar.rep_id)
    assert [(slot.start, slot.rep_ids) for slot in slots] == sorted(
        (start, tuple(sorted(ids))) for start, ids in expected.items())


# --- purity ------------------------------------------------------------------------------

BOOKING = Path(__file__).resolve().parents[2] / "app" / "booking"
STANDARD = {"__future__", "collections.abc", "dataclasses", "datetime", "zoneinfo"}


def imports_of(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_the_slot_computation_imports_only_the_standard_library():
    """`slots` builds on `zones` (microsecond time), which builds on nothing of ours."""
    slots = imports_of((BOOKING / "slots.py").read_text(encoding="utf-8"))
    zones = imports_of((BOOKING / "zones.py").read_text(encoding="utf-8"))

    assert slots <= STANDARD | {"app.booking.zones"}
    assert zones <= STANDARD


def test_the_import_check_sees_a_framework():
    found = imports_of("import flask\nfrom sqlalchemy import select\nfrom app.models import X\n"
                       "from . import service\n")

    assert found == {"flask", "sqlalchemy", "app.models", "."}
    assert not found <= STANDARD
