"""`free_slots` over random teams, timezones (DST nights included), busy times and caps.

Whatever the calendars, the offered times are sorted and distinct, never in the past
or before the notice, inside the horizon, inside one working stretch of every rep
they name, clear of that rep's busy times with the buffers, and under the daily cap.
The only exceptions allowed are the documented ones (ValueError for a bad meeting
spec or a naive time). Example counts come from the Hypothesis profile.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from strategies import calendars

from app.booking.slots import Interval, MeetingSpec, RepCalendar, free_slots, working_intervals

Team = tuple[list[RepCalendar], MeetingSpec, datetime]


@given(calendars())
def test_free_slots_keep_every_promise(case: Team) -> None:
    reps, meeting, now = case
    slots = free_slots(reps, meeting, now)
    starts = [slot.start for slot in slots]
    assert starts == sorted(set(starts))
    by_id = {rep.rep_id: rep for rep in reps}
    around = Interval(now - timedelta(days=2), now + timedelta(days=meeting.horizon_days + 2))
    working = {rep.rep_id: working_intervals(rep, around) for rep in reps}
    for slot in slots:
        assert slot.end - slot.start == meeting.duration
        assert now + meeting.min_notice <= slot.start < now + timedelta(days=meeting.horizon_days)
        assert slot.rep_ids and list(slot.rep_ids) == sorted(set(slot.rep_ids))
        for rep_id in slot.rep_ids:
            rep = by_id[rep_id]
            assert any(span.start <= slot.start and slot.end <= span.end
                       for span in working[rep_id]), (slot, rep)
            guarded = (slot.start - meeting.buffer_before, slot.end + meeting.buffer_after)
            assert not [busy for busy in rep.busy if busy.start < busy.end
                        and busy.start < guarded[1] and guarded[0] < busy.end], slot
            if meeting.daily_cap is not None:
                local_day = slot.start.astimezone(ZoneInfo(rep.timezone)).date()
                assert rep.bookings_per_day.get(local_day, 0) < meeting.daily_cap


@given(calendars())
def test_a_rep_is_offered_exactly_the_times_the_team_lists_for_them(case: Team) -> None:
    reps, meeting, now = case
    team = free_slots(reps, meeting, now)
    for rep in reps:
        alone = [slot.start for slot in free_slots([rep], meeting, now)]
        assert alone == [slot.start for slot in team if rep.rep_id in slot.rep_ids]


def test_a_naive_now_is_the_documented_error() -> None:
    rep = RepCalendar(1, "UTC", {})
    with pytest.raises(ValueError, match="no timezone"):
        free_slots([rep], MeetingSpec(duration=timedelta(minutes=30)), datetime(2026, 1, 1))
