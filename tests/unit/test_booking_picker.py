"""The slot picker's view: days and times in the viewer's timezone; and it stays pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.booking.picker import describe_time, known_zone, picker_view, zone_choices
from app.booking.slots import Slot
from tests.unit.test_qualify_purity import ROOT, imported_modules, is_forbidden, reachable_sources

PURE = ["slots.py", "zones.py", "picker.py"]


def slot(hour: int, day: int = 1) -> Slot:
    start = datetime(2026, 12, day, hour, tzinfo=UTC)
    return Slot(start, start + timedelta(minutes=30), (1,))


def test_slots_are_grouped_by_the_viewers_local_day():
    slots = [slot(22), slot(23), slot(9, day=2)]  # 22:00 UTC on 1 Dec is 2 Dec in Tokyo

    tokyo = picker_view(slots, "Asia/Tokyo", None)
    utc = picker_view(slots, "UTC", None)

    assert [day.day for day in tokyo.days] == [date(2026, 12, 2)]
    assert [time.label for time in tokyo.times] == ["07:00", "08:00", "18:00"]
    assert [day.day for day in utc.days] == [date(2026, 12, 1), date(2026, 12, 2)]
    assert [time.label for time in utc.times] == ["22:00", "23:00"]
    assert utc.times[0].start == "2026-12-01T22:00:00+00:00"  # posted back in UTC


def test_the_chosen_day_is_shown_if_it_has_times_else_the_first():
    slots = [slot(9), slot(9, day=3)]
    assert picker_view(slots, "UTC", date(2026, 12, 3)).selected == date(2026, 12, 3)
    assert picker_view(slots, "UTC", date(2026, 12, 2)).selected == date(2026, 12, 1)
    assert picker_view([], "UTC", None).times == ()


def test_only_real_zone_names_are_accepted_from_a_url():
    assert known_zone("Europe/Berlin") == "Europe/Berlin"
    for name in (None, "", "Mars/Olympus", "../../etc/passwd", "x" * 100, "Europe/Berlin\n"):
        assert known_zone(name) is None
    assert "Asia/Kathmandu" in zone_choices("Asia/Kathmandu")
    assert "America/Nome" in zone_choices("America/Nome")


def test_a_meeting_reads_in_the_viewers_timezone():
    start = datetime(2026, 12, 1, 15, tzinfo=UTC)
    assert describe_time(start, start + timedelta(minutes=30), "Europe/Berlin") == (
        "Tuesday 1 December, 16:00–16:30 (Europe/Berlin)")


def test_the_booking_core_is_pure():
    for name in PURE:
        path = ROOT / "app" / "booking" / name
        assert not [module for module in imported_modules(path) if is_forbidden(module)]
        offenders = [source for source in reachable_sources(path)
                     if any(map(is_forbidden, imported_modules(source)))]
        assert offenders == []


def test_zone_names_read_as_words():
    start = datetime(2026, 12, 1, 15, tzinfo=UTC)
    assert describe_time(start, start + timedelta(minutes=30), "America/New_York").endswith(
        "(America/New York)")
